/*
 * uart.c - 16550A UART, polled, used as the kernel console.
 *
 * Register map from the National Semiconductor PC16550D datasheet.
 * QEMU: `-serial stdio` (or `mon:stdio`) connects COM1 at I/O port 0x3f8
 * to the terminal; q35 always has it unless -nodefaults removes the backend.
 * The driver never enables UART interrupts: output is polled on THRE.
 */
#include "drivers/uart.h"
#include "kernel/x86.h"

/* Register offsets from the base port (DLAB = 0 unless noted). */
#define UART_RBR  0   /* in:  receive buffer */
#define UART_THR  0   /* out: transmit holding */
#define UART_DLL  0   /* DLAB=1: divisor latch, low byte */
#define UART_IER  1   /* out: interrupt enable */
#define UART_DLM  1   /* DLAB=1: divisor latch, high byte */
#define UART_FCR  2   /* out: FIFO control */
#define UART_LCR  3   /* out: line control */
#define UART_MCR  4   /* out: modem control */
#define UART_LSR  5   /* in:  line status */
#define UART_SCR  7   /* in/out: scratch, used to detect the chip */

#define UART_LCR_8N1     0x03   /* 8 data bits, no parity, 1 stop bit */
#define UART_LCR_DLAB    0x80   /* divisor latch access */
#define UART_FCR_ENABLE  0x07   /* enable and clear both FIFOs */
#define UART_MCR_DTR     0x01
#define UART_MCR_RTS     0x02
#define UART_MCR_OUT2    0x08
#define UART_MCR_LOOP    0x10   /* internal loopback */
#define UART_LSR_DR      0x01   /* a received byte is waiting */
#define UART_LSR_THRE    0x20   /* transmit holding register empty */

#define UART_CLOCK_HZ    1843200
#define UART_BAUD        115200
#define UART_DIVISOR     (UART_CLOCK_HZ / 16 / UART_BAUD)
#define UART_TX_SPINS    100000  /* give up on a wedged transmitter */

bool uart_init(uint16_t base)
{
	/* A missing UART floats the bus: the scratch register won't hold. */
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, UART_DIVISOR & 0xff);
	outb(base + UART_DLM, UART_DIVISOR >> 8);
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_FCR, UART_FCR_ENABLE);
	outb(base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	return true;
}

void uart_putc(uint16_t base, char c)
{
	unsigned spins = 0;

	while (!(inb(base + UART_LSR) & UART_LSR_THRE) && ++spins < UART_TX_SPINS)
		cpu_relax();
	outb(base + UART_THR, (uint8_t)c);
}

bool uart_getc(uint16_t base, char *c)
{
	if (!(inb(base + UART_LSR) & UART_LSR_DR))
		return false;
	*c = (char)inb(base + UART_RBR);
	return true;
}

void uart_set_loopback(uint16_t base, bool on)
{
	uint8_t mcr = UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2;

	outb(base + UART_MCR, on ? mcr | UART_MCR_LOOP : mcr);
}
