/*
 * uart.h - the 16550 serial port driver (COM1 is the kernel console).
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_BASE 0x3f8   /* legacy I/O port base of COM1 */

/* Program 115200 8N1, FIFOs on, interrupts off (until uart_rx_irq_enable). False if no UART answers. */
bool uart_init(uint16_t base);
void uart_putc(uint16_t base, char c);
/* Read a byte if one is waiting: true and *c set, else false. */
bool uart_getc(uint16_t base, char *c);
/* Route transmit back to receive (MCR loopback), for self-tests. */
void uart_set_loopback(uint16_t base, bool on);

/**
 * uart_rx_irq_enable - deliver @base's received bytes by interrupt (ISA
 * IRQ 4 through the I/O APIC, the MADT's override applied) into the tty
 * ring: IER's Received Data Available, OUT2 on.
 * Return: the vector, or -ENODEV (no LAPIC or no I/O APIC: input stays
 * polled), or what ioapic_isa_irq()/request_irq() refused (logged there).
 */
int uart_rx_irq_enable(uint16_t base);
/* Receive interrupts handled since boot. */
uint64_t uart_rx_irq_count(void);

#endif /* DRIVERS_UART_H */
