/*
 * ktest_selftest.c - suites that fail on purpose, to prove the harness
 * notices. They are KTEST_EXPLICIT: `ktest=*` skips them, and only the
 * selftest scenarios in tests/scenarios.ini name them.
 */
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/x86.h"

static void passes(struct ktest *t)
{
	KT_EXPECT_EQ(t, 2 + 2, 4);
}

static void deliberate_failure(struct ktest *t)
{
	int answer = 41;

	KT_EXPECT_EQ(t, answer, 42);
}

static void deliberate_panic(struct ktest *t)
{
	(void)t;
	panic("deliberate panic from ktest_selftest_panic");
}

static void deliberate_hang(struct ktest *t)
{
	(void)t;
	irq_disable();
	for (;;)
		cpu_relax();
}

KTEST_SUITE_EXT(ktest_selftest_fail, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_failure));
KTEST_SUITE_EXT(ktest_selftest_panic, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_panic));
KTEST_SUITE_EXT(ktest_selftest_hang, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_hang));
