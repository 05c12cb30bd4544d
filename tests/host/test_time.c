/*
 * test_time.c - the clock's pure arithmetic (kernel/time.h): the split
 * multiply every conversion uses, checked against 128-bit arithmetic with
 * counts far past where a plain 64-bit product overflows.
 */
#include "kernel/ktest.h"
#include "kernel/time.h"

#define PM_TICKS_OVERFLOW (UINT64_MAX / NS_PER_SEC + 1)  /* ~86 minutes */

static uint64_t exact(uint64_t a, uint64_t mul, uint64_t div)
{
	return (uint64_t)((unsigned __int128)a * mul / div);
}

/* Days of PM timer ticks convert exactly: the plain ticks * 1e9 wraps
 * after about 86 minutes (PM_TICKS_OVERFLOW ticks). */
static void pm_ticks_past_86_minutes(struct ktest *t)
{
	const uint64_t ticks[] = { 0, 1, PM_TIMER_HZ, PM_TICKS_OVERFLOW - 1,
				   PM_TICKS_OVERFLOW, PM_TICKS_OVERFLOW * 3 + 12345,
				   PM_TIMER_HZ * 86400 * 30 };

	for (unsigned i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++)
		KT_EXPECT_UEQ(t, pm_ticks_to_ns(ticks[i]), exact(ticks[i], NS_PER_SEC, PM_TIMER_HZ));
	KT_EXPECT_UEQ(t, pm_ticks_to_ns(PM_TIMER_HZ * 86400), 86400 * NS_PER_SEC);
}

/* The TSC (GHz) and HPET (femtosecond period) conversions too. */
static void mul_div_matches_128_bit(struct ktest *t)
{
	const uint64_t tsc_hz = 3000000000ULL, hpet_fs = 10000000ULL;   /* 100 MHz */
	uint64_t a = 0x123456789abcdefULL;

	KT_EXPECT_UEQ(t, time_mul_div(a, NS_PER_SEC, tsc_hz), exact(a, NS_PER_SEC, tsc_hz));
	KT_EXPECT_UEQ(t, time_mul_div(a, hpet_fs, 1000000), exact(a, hpet_fs, 1000000));
	KT_EXPECT_UEQ(t, time_mul_div(tsc_hz * 7 - 1, NS_PER_SEC, tsc_hz), 7 * NS_PER_SEC - 1);
}

KTEST_SUITE(time_math, KTEST_CASE(pm_ticks_past_86_minutes), KTEST_CASE(mul_div_matches_128_bit));
