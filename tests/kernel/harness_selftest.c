/*
 * harness_selftest.c - cases for the harness's live console watcher
 * (tools/watch.py): CPU-time marks around a halt and around a busy spin.
 * KTEST_EXPLICIT: only the harness-io scenarios of tests/scenarios.ini
 * name them (docs/testing.md, "The live console").
 */
#include "kernel/apic.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#define IDLE_MS       1000   /* length of each measured span */
#define IDLE_TICK_HZ  100    /* LAPIC timer wake-ups while halted */

static volatile unsigned idle_ticks;

static void idle_tick(unsigned vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	idle_ticks++;
}

/* Halt (sti; hlt, so no wake-up is lost) until @ms have passed; the LAPIC
 * timer wakes the CPU. Return: the ticks seen, or -1 without a timer. */
static int idle_halt_ms(uint64_t ms)
{
	int v = irq_alloc_vector(idle_tick, NULL, "harness idle");
	uint64_t flags = read_rflags(), end = time_ns() + ms * 1000000ULL;

	if (v < 0)
		return -1;
	idle_ticks = 0;
	if (lapic_timer_start((unsigned)v, IDLE_TICK_HZ)) {
		irq_free_vector((unsigned)v);
		return -1;
	}
	while (time_ns() < end) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	lapic_timer_stop();
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	irq_free_vector((unsigned)v);
	return (int)idle_ticks;
}

/* The CPU halts between the marks: a cpu_idle scenario passes. */
static void halt_between_marks(struct ktest *t)
{
	int ticks;

	if (!lapic_ready()) {
		ktest_skip(t, "no LAPIC timer to wake the halted CPU");
		return;
	}
	ktest_harness_mark("cpu-idle begin", "halt");
	ticks = idle_halt_ms(IDLE_MS);
	ktest_harness_mark("cpu-idle end", "halt");
	KT_EXPECT_GT(t, ticks, 0);
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

KTEST_SUITE_EXT(harness_idle, KTEST_EXPLICIT, NULL,
		KTEST_CASE(halt_between_marks), KTEST_CASE(spin_between_marks));
