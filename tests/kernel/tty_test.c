/*
 * tty_test.c - console input by COM1's receive interrupt (kernel/tty.c):
 * lines typed by the harness's serial_input script (tests/serial/tty.txt)
 * arrive intact, line ends and backspace are handled, the reader halts
 * while it waits, the ring's overflow is counted, a timeout is an error.
 * KTEST_EXPLICIT: each case waits for what the script types, so only the
 * tty scenarios of tests/scenarios.ini name the suite. The script and the
 * cases go in step: each case prints "# harness: tty TAG", the script
 * waits for it and types that case's input.
 */
#include "drivers/uart.h"
#include "kernel/completion.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/tty.h"

#define LINE_WAIT_MS   20000  /* for the harness's line, on a loaded host */
#define IDLE_MS        1000   /* halted before the harness is asked to type */
#define TIMEOUT_MS     300    /* the timeout case's wait */

/* Ask the harness for @tag's input and read the line it types. */
static long read_line_for(const char *tag, char *buf, size_t len)
{
	ktest_harness_mark("tty", tag);
	return console_read_line(buf, len, msecs_to_jiffies(LINE_WAIT_MS));
}

/* A typed line arrives byte for byte, and by interrupt: the count rose. */
static void line_arrives(struct ktest *t)
{
	uint64_t irqs = uart_rx_irq_count();
	char line[64];

	KT_ASSERT_EQ(t, read_line_for("line", line, sizeof(line)), 18);
	KT_EXPECT_STREQ(t, line, "hello busmaster 42");
	if (tty_rx_irq_driven())
		KT_EXPECT_UGE(t, uart_rx_irq_count(), irqs + 1);
	else
		KT_EXPECT_UEQ(t, uart_rx_irq_count(), irqs);
}

/* CR, LF and CRLF each end one line; CRLF is not an empty line too. */
static void line_ends(struct ktest *t)
{
	char line[32];

	KT_ASSERT_EQ(t, read_line_for("ends", line, sizeof(line)), 3);
	KT_EXPECT_STREQ(t, line, "one");                  /* ended by CRLF */
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS)), 3);
	KT_EXPECT_STREQ(t, line, "two");                  /* by LF */
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS)), 5);
	KT_EXPECT_STREQ(t, line, "three");                /* by CR */
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS)), 0);
	KT_EXPECT_STREQ(t, line, "");                     /* CR CR: an empty one */
}

/* Backspace and DEL erase the byte before them; at the start, nothing. */
static void backspace_edits(struct ktest *t)
{
	char line[32];

	KT_ASSERT_EQ(t, read_line_for("backspace", line, sizeof(line)), 11);
	KT_EXPECT_STREQ(t, line, "hello world");
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS)), 2);
	KT_EXPECT_STREQ(t, line, "ok");
}

/* A line longer than the buffer: -EOVERFLOW, its start kept, the rest
 * of it discarded (the next line is intact). */
static void long_line_truncated(struct ktest *t)
{
	char line[8];

	ktest_printf("    # long_line_truncated: a warning about a truncated line follows\n");
	KT_ASSERT_EQ(t, read_line_for("long", line, sizeof(line)), -EOVERFLOW);
	KT_EXPECT_STREQ(t, line, "0123456");
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS)), 5);
	KT_EXPECT_STREQ(t, line, "after");
}

static void idle_ask(struct work_struct *w)
{
	(void)w;
	ktest_harness_mark("tty", "type-now");
}
static struct work_struct idle_work;

static void idle_timer_fn(struct timer_list *tl)
{
	(void)tl;
	schedule_work(&idle_work);
}

/* The reader halts while it waits: about IDLE_MS pass before a timer asks
 * the harness to type; the scenario's cpu_idle = tty checks QEMU's CPU. */
static void read_waits_halted(struct ktest *t)
{
	struct timer_list tl;
	uint64_t start = time_ns();
	char line[32];
	long n;

	if (!tty_rx_irq_driven())
		KT_SKIP(t, "console input is polled here (no I/O APIC route)");
	INIT_WORK(&idle_work, idle_ask);
	timer_setup(&tl, idle_timer_fn, 0);
	ktest_harness_mark("cpu-idle begin", "tty");
	mod_timer(&tl, jiffies + msecs_to_jiffies(IDLE_MS));
	n = console_read_line(line, sizeof(line), msecs_to_jiffies(LINE_WAIT_MS));
	ktest_harness_mark("cpu-idle end", "tty");
	del_timer(&tl);
	flush_scheduled_work();
	KT_EXPECT_EQ(t, n, 10);
	KT_EXPECT_STREQ(t, line, "after idle");
	/* the line came after the timer's ask: the wait really lasted (the
	 * LAPIC tick and time_ns() disagree by a little, hence 9/10) */
	KT_EXPECT_UGE(t, time_ns() - start, IDLE_MS * 900000ULL);
	/* and the interrupt's complete() woke it, not its own deadline */
	KT_EXPECT_ULT(t, time_ns() - start, LINE_WAIT_MS * 1000000ULL);
}

/* Halt until the handler has taken @want bytes (kept or dropped) since
 * @base, or LINE_WAIT_MS pass. */
static void wait_for_bytes(const struct tty_rx_stats *base, uint64_t want)
{
	DECLARE_COMPLETION(never);
	struct tty_rx_stats s;

	for (unsigned ms = 0; ms < LINE_WAIT_MS; ms += 50) {
		tty_rx_get_stats(&s);
		if (s.received + s.dropped - base->received - base->dropped >= want)
			return;
		wait_for_completion_timeout(&never, msecs_to_jiffies(50));
	}
}

/* The script types "flood N", then N bytes 'a' + i % 26 while nobody
 * reads: the ring keeps the first TTY_RX_RING_SIZE, the rest is counted. */
static void ring_overflow_counted(struct ktest *t)
{
	struct tty_rx_stats before, after;
	char line[32];
	unsigned long sent;
	unsigned i;
	int c;

	if (!tty_rx_irq_driven())
		KT_SKIP(t, "console input is polled here: no ring");
	KT_ASSERT_GT(t, read_line_for("flood", line, sizeof(line)), 6);
	KT_ASSERT_EQ(t, strncmp(line, "flood ", 6), 0);
	sent = 0;
	for (const char *p = line + 6; *p >= '0' && *p <= '9'; p++)
		sent = sent * 10 + (unsigned long)(*p - '0');
	KT_ASSERT_GT(t, (long)sent, TTY_RX_RING_SIZE);
	tty_rx_get_stats(&before);
	KT_ASSERT_EQ(t, before.pending, 0);
	ktest_harness_mark("tty", "flood-go");
	wait_for_bytes(&before, sent);
	tty_rx_get_stats(&after);
	KT_EXPECT_UEQ(t, after.dropped - before.dropped, sent - TTY_RX_RING_SIZE);
	KT_EXPECT_UEQ(t, after.received - before.received, TTY_RX_RING_SIZE);
	KT_ASSERT_EQ(t, after.pending, TTY_RX_RING_SIZE);
	ktest_printf("    # ring_overflow_counted: a warning about dropped bytes follows\n");
	for (i = 0; i < TTY_RX_RING_SIZE; i++) {
		c = console_getc_timeout(0);
		if (c != 'a' + (int)(i % 26))
			break;
	}
	KT_EXPECT_EQ(t, i, TTY_RX_RING_SIZE);      /* the first bytes, in order */
	KT_EXPECT_EQ(t, console_getc_timeout(0), -ETIMEDOUT);
}

/* Nothing typed: both readers return -ETIMEDOUT, after their timeout. */
static void timeout_is_error(struct ktest *t)
{
	uint64_t start = time_ns();
	char line[16];

	ktest_harness_mark("tty", "quiet");
	KT_EXPECT_EQ(t, console_read_line(line, sizeof(line), msecs_to_jiffies(TIMEOUT_MS)),
		     -ETIMEDOUT);
	KT_EXPECT_UGE(t, time_ns() - start, (TIMEOUT_MS - 1000 / HZ) * 1000000ULL);
	KT_EXPECT_EQ(t, console_getc_timeout(msecs_to_jiffies(TIMEOUT_MS / 3)), -ETIMEDOUT);
	KT_EXPECT_EQ(t, console_read_line(line, 0, 1), -EINVAL);
}

KTEST_SUITE_EXT(tty, KTEST_EXPLICIT, NULL,
		KTEST_CASE(line_arrives), KTEST_CASE(line_ends), KTEST_CASE(backspace_edits),
		KTEST_CASE(long_line_truncated), KTEST_CASE(read_waits_halted),
		KTEST_CASE(ring_overflow_counted), KTEST_CASE(timeout_is_error));
