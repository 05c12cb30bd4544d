/*
 * tty.h - console input: the ring the UART's receive interrupt fills and
 * the calls that wait on it for a byte or a line (docs/interrupts-and-time.md,
 * "Serial input"). The names follow Linux's tty layer where it has one.
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTY_RX_RING_SIZE 256   /* bytes the input ring holds (a power of two) */

/* What the input side has seen since boot. */
struct tty_rx_stats {
	uint64_t received;     /* bytes the handler put in the ring */
	uint64_t dropped;      /* bytes the handler dropped: the ring was full */
	unsigned pending;      /* bytes in the ring now */
};

/**
 * tty_init - take console input by COM1's receive interrupt, or say (once,
 * in the log) that it is polled because there is no route.
 */
void tty_init(void);

/* Is input interrupt-driven (false: polled, no I/O APIC route)? */
bool tty_rx_irq_driven(void);

/* The input counters. Context: any. */
void tty_rx_get_stats(struct tty_rx_stats *out);

/* Add one received byte; with the ring full it is dropped and counted.
 * Context: the UART's interrupt handler (interrupts off). */
void tty_insert_flip_char(char c);
/* Wake a waiting reader: bytes were added. Context: the interrupt handler. */
void tty_flip_buffer_push(void);

/**
 * console_getc_timeout - the next input byte, waiting (the CPU halted) up
 * to @timeout jiffies. No echo, no line editing.
 * Context: not an interrupt handler.
 * Return: the byte (0-255), or -ETIMEDOUT.
 */
int console_getc_timeout(unsigned long timeout);

/**
 * console_read_line - read one line, echoing and editing it: CR, LF and
 * CRLF each end it (not stored); backspace (0x08) and DEL (0x7f) erase the
 * last byte. @buf gets the line NUL-terminated.
 * @timeout: jiffies for the whole line
 * Context: not an interrupt handler.
 * Return: its length; -EOVERFLOW if it had more than @len - 1 bytes (the
 * rest of the line is read and discarded, @buf holds its start);
 * -ETIMEDOUT (@buf holds what was typed so far); -EINVAL if @len is 0.
 */
long console_read_line(char *buf, size_t len, unsigned long timeout);

#endif /* KERNEL_TTY_H */
