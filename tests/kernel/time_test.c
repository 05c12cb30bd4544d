/*
 * time_test.c - the calibrated clock, delays and the timeout helper.
 */
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "kernel/time.h"

#define SPAN_NS        50000000ULL   /* 50 ms of reference time */
#define DELAY_US       10000
#define POLL_TIMEOUT_US 1000

static void clock_is_monotonic(struct ktest *t)
{
	uint64_t prev = time_ns(), now;
	unsigned backwards = 0;

	for (int i = 0; i < 10000; i++) {
		now = time_ns();
		if (now < prev)
			backwards++;
		prev = now;
	}
	KT_EXPECT_EQ(t, backwards, 0);
	KT_EXPECT_GT(t, time_ns(), 0);
}

/* q35 has an HPET; the TSC was calibrated against it. */
static void reference_clock_in_use(struct ktest *t)
{
	KT_EXPECT_STREQ(t, time_ref_name(), "hpet");
}

/* Over 50 ms of reference time the calibrated clock agrees within 10%. */
static void tsc_agrees_with_reference(struct ktest *t)
{
	uint64_t r0 = time_ref_ns(), n0 = time_ns(), r1, n1;

	while ((r1 = time_ref_ns()) - r0 < SPAN_NS)
		;
	n1 = time_ns();
	ktest_printf("    # tsc_agrees_with_reference: %llu us of %s = %llu us of TSC time\n",
		     (unsigned long long)((r1 - r0) / 1000), time_ref_name(),
		     (unsigned long long)((n1 - n0) / 1000));
	KT_EXPECT_UGE(t, n1 - n0, (r1 - r0) * 9 / 10);
	KT_EXPECT_ULT(t, n1 - n0, (r1 - r0) * 11 / 10);
}

static void udelay_waits_long_enough(struct ktest *t)
{
	uint64_t r0 = time_ref_ns();

	udelay(DELAY_US);
	KT_EXPECT_UGE(t, time_ref_ns() - r0, DELAY_US * 1000ULL * 9 / 10);
}

static int poll_count;

static bool true_on_third_try(void)
{
	return ++poll_count >= 3;
}

static void poll_helper(struct ktest *t)
{
	uint64_t t0 = time_ns();

	KT_EXPECT_EQ(t, poll_timeout_us(false, 10, POLL_TIMEOUT_US), -ETIMEDOUT);
	KT_EXPECT_UGE(t, time_ns() - t0, POLL_TIMEOUT_US * 1000ULL);
	KT_EXPECT_EQ(t, poll_timeout_us(true, 10, POLL_TIMEOUT_US), 0);
	poll_count = 0;
	KT_EXPECT_EQ(t, poll_timeout_us(true_on_third_try(), 1, POLL_TIMEOUT_US), 0);
	KT_EXPECT_EQ(t, poll_count, 3);
	/* Past the deadline the condition still gets its last look. */
	poll_count = 0;
	KT_EXPECT_EQ(t, poll_timeout_us(true_on_third_try(), 0, 0), -ETIMEDOUT);
	KT_EXPECT_GE(t, poll_count, 1);
	KT_EXPECT_LE(t, poll_count, 2);
}

KTEST_SUITE(time, KTEST_CASE(clock_is_monotonic), KTEST_CASE(reference_clock_in_use),
	    KTEST_CASE(tsc_agrees_with_reference), KTEST_CASE(udelay_waits_long_enough),
	    KTEST_CASE(poll_helper));
