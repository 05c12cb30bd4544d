/*
 * uart.h - the 16550 serial port driver (COM1 is the kernel console).
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_BASE 0x3f8   /* legacy I/O port base of COM1 */

/* Program 115200 8N1, FIFOs on, interrupts off. False if no UART answers. */
bool uart_init(uint16_t base);
void uart_putc(uint16_t base, char c);
/* Read a byte if one is waiting: true and *c set, else false. */
bool uart_getc(uint16_t base, char *c);
/* Route transmit back to receive (MCR loopback), for self-tests. */
void uart_set_loopback(uint16_t base, bool on);

#endif /* DRIVERS_UART_H */
