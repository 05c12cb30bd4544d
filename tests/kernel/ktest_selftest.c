/*
 * ktest_selftest.c - suites that fail on purpose, to prove the harness
 * notices. They are KTEST_EXPLICIT: `ktest=*` skips them, and only the
 * selftest scenarios in tests/scenarios.ini name them.
 */
#define LOG_PREFIX "ktest_selftest"
#include "kernel/ktest.h"
#include "kernel/log.h"
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

/* An error line the case declared first: the harness accepts it. */
static void declared_error(struct ktest *t)
{
	ktest_expect_error(t, "a declared error (provoked by the test)");
	pr_err("a declared error (provoked by the test)");
}

/* An error line nobody declared: the case passes, the harness must fail the run. */
static void undeclared_error(struct ktest *t)
{
	(void)t;
	pr_err("an undeclared error (provoked by the test)");
}

KTEST_SUITE_EXT(ktest_selftest_fail, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_failure));
KTEST_SUITE_EXT(ktest_selftest_panic, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_panic));
KTEST_SUITE_EXT(ktest_selftest_hang, KTEST_EXPLICIT, NULL,
		KTEST_CASE(passes), KTEST_CASE(deliberate_hang));
KTEST_SUITE_EXT(ktest_selftest_error, KTEST_EXPLICIT, NULL,
		KTEST_CASE(declared_error), KTEST_CASE(undeclared_error));
