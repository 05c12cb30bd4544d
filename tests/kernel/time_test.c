/*
 * time_test.c - the calibrated clock, delays and the timeout helper.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "kernel/time.h"

#define SPAN_NS        50000000ULL   /* 50 ms of reference time */
#define DELAY_US       10000
#define POLL_TIMEOUT_US 1000
#define NOBODY_PORT     0x9990         /* no device decodes it: reads all ones */
#define DEAD_REF_BOUND_NS 2000000000ULL  /* the deadline is 200 ms; allow slack */

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

/* The clock the firmware's tables offer: the HPET if ACPI lists one, else
 * the FADT's PM timer, else none (what boot_time_init() picks from). */
static const char *clock_the_tables_offer(void)
{
	const struct acpi_info *a = acpi_get_info();

	if (a->hpet_present)
		return "hpet";
	return a->fadt_present && a->fadt.pm_timer_port ? "acpi_pm" : "none";
}

/* The TSC was calibrated against the best clock the tables offer; a
 * scenario may still say which it expects (`ktest.clock=acpi_pm` with
 * `-machine hpet=off`). */
static void reference_clock_in_use(struct ktest *t)
{
	const char *want = cmdline_get(&kernel_cmdline, "ktest.clock");

	KT_EXPECT_STREQ(t, time_ref_name(), want ? want : clock_the_tables_offer());
}

/* A reference clock that never advances (a PM timer port where nothing
 * answers reads a constant) is refused quickly; the clock is untouched. */
static void dead_reference_refused(struct ktest *t)
{
	uint64_t hz = tsc_hz(), t0 = time_ns();
	const char *ref = time_ref_name();

	ktest_expect_error(t, "gives the TSC 0 kHz");
	KT_EXPECT_EQ(t, time_calibrate(NULL, NOBODY_PORT, false), -EIO);
	KT_EXPECT_UEQ(t, tsc_hz(), hz);
	KT_EXPECT_STREQ(t, time_ref_name(), ref);
	KT_EXPECT_ULT(t, time_ns() - t0, DEAD_REF_BOUND_NS);
}

/* Over 50 ms of reference time the calibrated clock agrees. Under QEMU's
 * TCG the reference follows the virtual clock and the TSC the host's, so a
 * busy host makes them drift apart: the bound catches a calibration that is
 * wrong (a unit error, a stuck counter), not emulator jitter; the figure is
 * reported. */
static void tsc_agrees_with_reference(struct ktest *t)
{
	uint64_t r0 = time_ref_ns(), n0 = time_ns(), r1, n1;

	while ((r1 = time_ref_ns()) - r0 < SPAN_NS)
		if (time_ns() - n0 > SPAN_NS * 20)
			KT_FAIL(t, "the reference clock (%s) stopped advancing", time_ref_name());
	n1 = time_ns();
	ktest_printf("    # tsc_agrees_with_reference: %llu us of %s = %llu us of TSC time\n",
		     (unsigned long long)((r1 - r0) / 1000), time_ref_name(),
		     (unsigned long long)((n1 - n0) / 1000));
	KT_EXPECT_UGE(t, n1 - n0, (r1 - r0) / 2);
	KT_EXPECT_ULT(t, n1 - n0, (r1 - r0) * 2);
}

/* udelay() waits at least its time on the kernel's clock, exactly (a
 * delay loop that stops short fails), and at least half of it on the
 * reference: the bound tsc_agrees_with_reference allows. A loaded host
 * skews the calibration by far more than the 10% once allowed here, but
 * a delay that is a no-op or off by a unit still fails. */
static void udelay_waits_long_enough(struct ktest *t)
{
	uint64_t r0 = time_ref_ns(), n0 = time_ns(), n, r;

	udelay(DELAY_US);
	n = time_ns() - n0;
	r = time_ref_ns() - r0;
	ktest_printf("    # %s: udelay(%u) took %llu us of TSC time, %llu us of %s\n", t->name,
		     DELAY_US, (unsigned long long)(n / 1000), (unsigned long long)(r / 1000),
		     time_ref_name());
	KT_EXPECT_UGE(t, n, DELAY_US * 1000ULL);
	KT_EXPECT_UGE(t, r, DELAY_US * 1000ULL / 2);
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
	/* A loaded host can stretch two tries past a millisecond: give the
	 * succeeding poll a second, which it never waits out. */
	poll_count = 0;
	KT_EXPECT_EQ(t, poll_timeout_us(true_on_third_try(), 1, 1000 * 1000), 0);
	KT_EXPECT_EQ(t, poll_count, 3);
	/* Past the deadline the condition still gets its last look. */
	poll_count = 0;
	KT_EXPECT_EQ(t, poll_timeout_us(true_on_third_try(), 0, 0), -ETIMEDOUT);
	KT_EXPECT_GE(t, poll_count, 1);
	KT_EXPECT_LE(t, poll_count, 2);
}

KTEST_SUITE(time, KTEST_CASE(clock_is_monotonic), KTEST_CASE(reference_clock_in_use),
	    KTEST_CASE(dead_reference_refused),
	    KTEST_CASE(tsc_agrees_with_reference), KTEST_CASE(udelay_waits_long_enough),
	    KTEST_CASE(poll_helper));
