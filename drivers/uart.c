/*
 * uart.c - 16550A UART: the kernel console, output polled, input by its
 * receive interrupt.
 *
 * Register map from the National Semiconductor PC16550D datasheet.
 * QEMU: `-serial stdio` (or `mon:stdio`) connects COM1 at I/O port 0x3f8
 * to the terminal; q35 always has it unless -nodefaults removes the backend.
 * Output is polled on THRE. Input: the Received Data Available interrupt
 * (IER bit 0; OUT2 in MCR gates the IRQ line on a PC) on ISA IRQ 4,
 * through the I/O APIC as the MADT routes it; the handler moves the bytes
 * into the tty ring (kernel/tty.c).
 */
#define LOG_PREFIX "uart"
#include "drivers/uart.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/ioapic.h"
#include "kernel/log.h"
#include "kernel/tty.h"
#include "kernel/x86.h"

/* Register offsets from the base port (DLAB = 0 unless noted). */
#define UART_RBR  0   /* in:  receive buffer */
#define UART_THR  0   /* out: transmit holding */
#define UART_DLL  0   /* DLAB=1: divisor latch, low byte */
#define UART_IER  1   /* out: interrupt enable */
#define UART_DLM  1   /* DLAB=1: divisor latch, high byte */
#define UART_IIR  2   /* in:  interrupt identification */
#define UART_FCR  2   /* out: FIFO control */
#define UART_LCR  3   /* out: line control */
#define UART_MCR  4   /* out: modem control */
#define UART_LSR  5   /* in:  line status */
#define UART_SCR  7   /* in/out: scratch, used to detect the chip */

#define UART_IER_RDI     0x01   /* Received Data Available interrupt */
#define UART_IIR_NO_INT  0x01   /* no interrupt pending */
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
#define UART_COM1_ISA_IRQ 4      /* COM1's ISA IRQ (PC convention) */

/* The receive interrupt of the one UART that has it (COM1). */
static struct {
	uint16_t base;
	int irq;                 /* its vector, or -errno: input is polled */
	volatile uint64_t irqs;  /* receive interrupts handled */
} uart_rx = { .irq = -ENODEV };

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
	bool rx_irq = uart_rx.irq >= 0 && uart_rx.base == base;

	/* A polled self-test owns the receiver: keep the handler off it. */
	outb(base + UART_IER, rx_irq && !on ? UART_IER_RDI : 0);
	outb(base + UART_MCR, on ? mcr | UART_MCR_LOOP : mcr);
}

/* Receive interrupt: read IIR (the 16550 identifies its interrupt there),
 * then move every waiting byte to the tty ring, so the line drops. */
static irqreturn_t uart_rx_irq(int irq, void *dev_id)
{
	uint16_t base = uart_rx.base;
	unsigned n = 0;

	(void)irq;
	(void)dev_id;
	if (inb(base + UART_IIR) & UART_IIR_NO_INT)
		return IRQ_NONE;
	while (inb(base + UART_LSR) & UART_LSR_DR) {
		tty_insert_flip_char((char)inb(base + UART_RBR));
		n++;
	}
	uart_rx.irqs++;
	if (n)
		tty_flip_buffer_push();
	return IRQ_HANDLED;
}

int uart_rx_irq_enable(uint16_t base)
{
	int irq, err;

	if (!lapic_ready() || ioapic_gsi_count() == 0)
		return -ENODEV;        /* noapic, acpi=off: ioapic_init() said why */
	irq = ioapic_isa_irq(UART_COM1_ISA_IRQ, "uart");
	if (irq < 0)
		return irq;
	uart_rx.base = base;
	err = request_irq(irq, uart_rx_irq, 0, "uart", &uart_rx);
	if (err) {
		ioapic_put_irq(irq);
		return err;
	}
	uart_rx.irq = irq;
	outb(base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(base + UART_IER, UART_IER_RDI);
	return irq;
}

uint64_t uart_rx_irq_count(void)
{
	return uart_rx.irqs;
}
