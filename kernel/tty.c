/*
 * tty.c - console input: the ring COM1's receive interrupt fills and the
 * byte and line readers that wait on it (a much reduced Linux tty flip
 * buffer and n_tty line discipline).
 *
 * Data structure: ring[TTY_RX_RING_SIZE] with free-running counters head
 * (advanced by the handler) and tail (by the reader); head - tail bytes
 * wait, never more than the size, and the size is a power of two so
 * index = counter & (size - 1). A byte arriving with the ring full is
 * dropped and counted: new bytes lose, so what was typed first stays
 * whole and in order. The reader logs each run of drops once. rx_lock
 * guards the ring and counters: spin_lock in the handler (interrupts are
 * off there), spin_lock_irqsave in the reader. rx_ready is completed once
 * per interrupt that added bytes; a reader that finds the ring empty waits
 * on it (sti; hlt), and looks at the ring again after every wake.
 *
 * Without the interrupt route (no LAPIC, no I/O APIC: -cpu ...,-apic,
 * -machine acpi=off) the readers poll the UART, halting between timer
 * ticks when there are ticks. Then the ring is unused.
 */
#define LOG_PREFIX "tty"
#include "kernel/tty.h"
#include "drivers/uart.h"
#include "kernel/completion.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/x86.h"

_Static_assert((TTY_RX_RING_SIZE & (TTY_RX_RING_SIZE - 1)) == 0,
	       "TTY_RX_RING_SIZE must be a power of two");

#define TTY_BS   0x08
#define TTY_DEL  0x7f

static struct {
	char ring[TTY_RX_RING_SIZE];
	unsigned head, tail;          /* free-running; head - tail waiting */
	uint64_t received, dropped;
	uint64_t dropped_reported;    /* drops the log has told of */
	bool irq_driven;
	bool skip_lf;                 /* the last line ended with CR: eat an LF */
	struct completion rx_ready;
} tty;
static DEFINE_SPINLOCK(rx_lock);

void tty_init(void)
{
	int irq;

	init_completion(&tty.rx_ready);
	irq = uart_rx_irq_enable(UART_COM1_BASE);
	tty.irq_driven = irq >= 0;
	if (irq >= 0)
		pr_info("console input by interrupt: COM1 (ISA IRQ 4) on vector %#x, "
			"a %u-byte ring", irq, TTY_RX_RING_SIZE);
	else
		pr_warn("console input is polled: COM1's IRQ 4 has no I/O APIC route (%s)",
			irq == -ENODEV ? "no LAPIC or no I/O APIC" : "refused, logged above");
}

bool tty_rx_irq_driven(void)
{
	return tty.irq_driven;
}

void tty_rx_get_stats(struct tty_rx_stats *out)
{
	unsigned long flags;

	spin_lock_irqsave(&rx_lock, flags);
	out->received = tty.received;
	out->dropped = tty.dropped;
	out->pending = tty.head - tty.tail;
	spin_unlock_irqrestore(&rx_lock, flags);
}

void tty_insert_flip_char(char c)
{
	spin_lock(&rx_lock);
	if (tty.head - tty.tail == TTY_RX_RING_SIZE) {
		tty.dropped++;
	} else {
		tty.ring[tty.head++ & (TTY_RX_RING_SIZE - 1)] = c;
		tty.received++;
	}
	spin_unlock(&rx_lock);
}

void tty_flip_buffer_push(void)
{
	complete(&tty.rx_ready);
}

/* Take the oldest byte from the ring. Return: it, or -1 if empty. */
static int tty_ring_pop(void)
{
	unsigned long flags;
	uint64_t lost;
	int c = -1;

	spin_lock_irqsave(&rx_lock, flags);
	if (tty.head != tty.tail)
		c = (unsigned char)tty.ring[tty.tail++ & (TTY_RX_RING_SIZE - 1)];
	lost = tty.dropped - tty.dropped_reported;
	tty.dropped_reported = tty.dropped;
	spin_unlock_irqrestore(&rx_lock, flags);
	if (lost)
		pr_warn("%llu input byte(s) dropped: the %u-byte ring was full",
			(unsigned long long)lost, TTY_RX_RING_SIZE);
	return c;
}

/* Polled fallback: look at the UART until @timeout jiffies pass. */
static int tty_poll_getc(unsigned long timeout)
{
	uint64_t end = time_ns() + (uint64_t)jiffies_to_msecs(timeout) * 1000000ull;
	char c;

	do {
		if (uart_getc(UART_COM1_BASE, &c))
			return (unsigned char)c;
		if (timer_tick_running())
			cpu_idle_once();       /* halt until the next tick */
		else
			cpu_relax();
	} while (time_ns() < end);
	return -ETIMEDOUT;
}

/* The next byte before jiffies reaches @deadline, halted while waiting. */
static int tty_getc_until(unsigned long deadline)
{
	int c;

	if (!tty.irq_driven)
		return tty_poll_getc(time_after(deadline, jiffies) ? deadline - jiffies : 0);
	while ((c = tty_ring_pop()) < 0) {
		if (!time_after(deadline, jiffies))
			return -ETIMEDOUT;
		wait_for_completion_timeout(&tty.rx_ready, deadline - jiffies);
	}
	return c;
}

int console_getc_timeout(unsigned long timeout)
{
	timer_tick_start();    /* jiffies must move for the deadline */
	return tty_getc_until(jiffies + timeout);
}

/* Apply one byte @c to the line being edited; true when it ended it. */
static bool tty_edit(char *buf, size_t len, size_t *n, bool *over, char c)
{
	if (c == '\n' && tty.skip_lf) {
		tty.skip_lf = false;       /* the LF of a CRLF */
		return false;
	}
	tty.skip_lf = c == '\r';
	if (c == '\r' || c == '\n') {
		console_write("\n", 1);
		return true;
	}
	if (c == TTY_BS || c == TTY_DEL) {
		if (*n && !*over) {
			(*n)--;
			console_write("\b \b", 3);
		}
		return false;
	}
	if (*n + 1 < len) {
		buf[(*n)++] = c;
		console_write(&c, 1);
	} else {
		*over = true;              /* keep reading to the line's end */
	}
	return false;
}

long console_read_line(char *buf, size_t len, unsigned long timeout)
{
	unsigned long deadline;
	size_t n = 0;
	bool over = false;
	int c;

	if (!len)
		return -EINVAL;
	timer_tick_start();
	deadline = jiffies + timeout;
	do {
		c = tty_getc_until(deadline);
		if (c < 0) {
			buf[n] = '\0';
			return c;
		}
	} while (!tty_edit(buf, len, &n, &over, (char)c));
	buf[n] = '\0';
	if (over)
		pr_warn("input line longer than %zu bytes: truncated", len - 1);
	return over ? -EOVERFLOW : (long)n;
}
