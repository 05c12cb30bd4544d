/*
 * harness_selftest.c - cases for the harness's live console watcher
 * (tools/watch.py): CPU-time marks around a halt and around a busy spin,
 * lines typed into COM1 by serial_input, a run killed by kill_at.
 * KTEST_EXPLICIT: only the harness-io scenarios of tests/scenarios.ini
 * name them (docs/testing.md, "The live console").
 */
#include "kernel/apic.h"
#include "kernel/completion.h"
#include "kernel/ktest.h"
#include "kernel/timer.h"
#include "kernel/time.h"
#include "kernel/tty.h"
#include "kernel/x86.h"

#define IDLE_MS       1000   /* length of each measured span */
#define SERIAL_WAIT_MS 20000  /* for a line from the harness, on a loaded host */
#define KILL_WAIT_MS   5000   /* the harness kills long before this */

/* Halt for @ms: a wait for a completion nobody signals (sti; hlt between
 * ticks). Return: what wait_for_completion_timeout() returned (0). */
static unsigned long idle_halt_ms(unsigned ms)
{
	DECLARE_COMPLETION(never);

	return wait_for_completion_timeout(&never, msecs_to_jiffies(ms));
}

/* The CPU halts between the marks: a cpu_idle scenario passes. */
static void halt_between_marks(struct ktest *t)
{
	uint64_t start = time_ns();
	unsigned long left;

	if (!lapic_ready())
		KT_SKIP(t, "no LAPIC timer to wake the halted CPU");
	ktest_harness_mark("cpu-idle begin", "halt");
	left = idle_halt_ms(IDLE_MS);
	ktest_harness_mark("cpu-idle end", "halt");
	KT_EXPECT_EQ(t, left, 0);
	/* a wait of N jiffies may end up to one tick early, as in Linux */
	KT_EXPECT_UGE(t, time_ns() - start, (IDLE_MS - 1000 / HZ) * 1000000ULL);
}

/* The CPU spins between the marks: a cpu_idle scenario must fail. */
static void spin_between_marks(struct ktest *t)
{
	uint64_t start = time_ns();

	ktest_harness_mark("cpu-idle begin", "spin");
	mdelay(IDLE_MS);
	ktest_harness_mark("cpu-idle end", "spin");
	KT_EXPECT_UGE(t, time_ns() - start, IDLE_MS * 1000000ULL);
}

/* Read one line from COM1 through the console's reader (kernel/tty.c).
 * Return: false if nothing complete arrived within SERIAL_WAIT_MS. */
static bool serial_read_line(char *buf, size_t len)
{
	return console_read_line(buf, len, msecs_to_jiffies(SERIAL_WAIT_MS)) >= 0;
}

/* serial_input types two lines: the first after "serial ready", the
 * second (with a tab, by sendraw) after the first was echoed. */
static void serial_lines_arrive(struct ktest *t)
{
	char line[64];

	ktest_harness_mark("serial", "ready");
	KT_ASSERT_TRUE(t, serial_read_line(line, sizeof(line)));
	ktest_printf("    # serial_lines_arrive: read \"%s\"\n", line);
	KT_EXPECT_STREQ(t, line, "hello busmaster");
	KT_ASSERT_TRUE(t, serial_read_line(line, sizeof(line)));
	ktest_printf("    # serial_lines_arrive: read \"%s\"\n", line);
	KT_EXPECT_STREQ(t, line, "second\tline");
}

/* kill_at kills QEMU at the mark; reaching the end means it did not. */
static void killed_at_mark(struct ktest *t)
{
	ktest_harness_mark("kill", "here");
	if (lapic_ready())
		idle_halt_ms(KILL_WAIT_MS);
	else
		mdelay(KILL_WAIT_MS);
	KT_FAIL(t, "still running %d ms after the kill mark", KILL_WAIT_MS);
}

KTEST_SUITE_EXT(harness_io, KTEST_EXPLICIT, NULL,
		KTEST_CASE(serial_lines_arrive), KTEST_CASE(killed_at_mark));
KTEST_SUITE_EXT(harness_idle, KTEST_EXPLICIT, NULL,
		KTEST_CASE(halt_between_marks), KTEST_CASE(spin_between_marks));
