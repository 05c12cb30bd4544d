/*
 * irq_test.c - vectors, the LAPIC and its timer, with real interrupts.
 */
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#define IPI_TIMEOUT_US    100000
#define TIMER_TEST_HZ     100
#define TIMER_TEST_TICKS  20
#define TIMER_TIMEOUT_US  2000000
#define TIMER_QUIET_US    50000

static volatile unsigned irq_test_hits;
static volatile uint64_t irq_test_first_ns, irq_test_last_ns;  /* reference clock */

static void irq_test_handler(unsigned vector, void *ctx)
{
	uint64_t now = time_ref_ns();

	(void)vector;
	(void)ctx;
	if (!irq_test_hits++)
		irq_test_first_ns = now;
	irq_test_last_ns = now;
}

static const char *irq_skip(void)
{
	return lapic_ready() ? NULL : "no LAPIC";
}

/* Run @fn with interrupts enabled, restoring the flag afterwards. */
static int irq_test_wait_hits(unsigned want, uint64_t timeout_us)
{
	uint64_t flags = read_rflags();
	int ret;

	irq_enable();
	ret = poll_timeout_us(irq_test_hits >= want, 0, timeout_us);
	if (!(flags & X86_RFLAGS_IF))
		irq_disable();
	return ret;
}

static void vector_alloc_and_free(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	int a = irq_alloc_vector(irq_test_handler, NULL, "test a");
	int b = irq_alloc_vector(irq_test_handler, NULL, "test b");

	KT_ASSERT_GE(t, a, IRQ_VECTOR_FIRST);
	KT_ASSERT_LE(t, b, IRQ_VECTOR_LAST);
	KT_EXPECT_NE(t, a, b);
	irq_free_vector((unsigned)a);
	irq_free_vector((unsigned)b);
	ktest_expect_error(t, "irq: error: irq_free_vector(");
	irq_free_vector((unsigned)b);   /* double free: reported, ignored */
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_EQ(t, irq_alloc_vector(NULL, NULL, "no handler"), -EINVAL);
}

/* Running out of vectors is an error, and freeing brings them back. */
static void vectors_run_out(struct ktest *t)
{
	static int got[IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1];
	unsigned n = 0;
	int v;

	ktest_expect_error(t, "irq: error: no free interrupt vector for fill");
	while ((v = irq_alloc_vector(irq_test_handler, NULL, "fill")) >= 0)
		got[n++] = v;
	KT_EXPECT_EQ(t, v, -ENOSPC);
	KT_EXPECT_GT(t, n, 0);
	for (unsigned i = 0; i < n; i++)
		irq_free_vector((unsigned)got[i]);
	v = irq_alloc_vector(irq_test_handler, NULL, "after");
	KT_EXPECT_GE(t, v, IRQ_VECTOR_FIRST);
	if (v >= 0)
		irq_free_vector((unsigned)v);
}

/* An interrupt sent to ourselves reaches the handler of its vector. */
static void self_ipi_reaches_handler(struct ktest *t)
{
	int v = irq_alloc_vector(irq_test_handler, NULL, "self ipi");

	KT_ASSERT_GE(t, v, IRQ_VECTOR_FIRST);
	irq_test_hits = 0;
	KT_EXPECT_EQ(t, lapic_send_self_ipi((unsigned)v), 0);
	KT_EXPECT_EQ(t, irq_test_wait_hits(1, IPI_TIMEOUT_US), 0);
	KT_EXPECT_EQ(t, irq_test_hits, 1);
	KT_EXPECT_UEQ(t, irq_count((unsigned)v), 1);
	irq_free_vector((unsigned)v);
}

/* The periodic timer ticks at the rate asked for, measured against the
 * reference clock from the first tick to the last (so start-up latency does
 * not count); the bound is generous, the figure is reported. */
static void lapic_timer_rate(struct ktest *t)
{
	int v = irq_alloc_vector(irq_test_handler, NULL, "lapic timer test");
	uint64_t elapsed, rate_mhz;
	unsigned ticks, after_stop;

	KT_ASSERT_GE(t, v, IRQ_VECTOR_FIRST);
	irq_test_hits = 0;
	KT_ASSERT_EQ(t, lapic_timer_start((unsigned)v, TIMER_TEST_HZ), 0);
	KT_EXPECT_EQ(t, irq_test_wait_hits(TIMER_TEST_TICKS, TIMER_TIMEOUT_US), 0);
	lapic_timer_stop();
	ticks = irq_test_hits;
	elapsed = irq_test_last_ns - irq_test_first_ns;
	rate_mhz = elapsed ? (uint64_t)(ticks - 1) * 1000000000000ULL / elapsed : 0;
	ktest_printf("    # lapic_timer_rate: %u ticks in %llu us against %s: %llu.%03llu Hz "
		     "(asked %u Hz)\n", ticks, (unsigned long long)(elapsed / 1000),
		     time_ref_name(), (unsigned long long)(rate_mhz / 1000),
		     (unsigned long long)(rate_mhz % 1000), TIMER_TEST_HZ);
	KT_EXPECT_UGE(t, rate_mhz, TIMER_TEST_HZ * 1000ULL / 2);
	KT_EXPECT_ULT(t, rate_mhz, TIMER_TEST_HZ * 1000ULL * 2);
	after_stop = irq_test_hits;
	udelay(TIMER_QUIET_US);
	KT_EXPECT_EQ(t, irq_test_hits, after_stop);
	irq_free_vector((unsigned)v);
}

/* The MSI message for a vector targets this CPU's APIC ID. */
static void msi_targets_this_cpu(struct ktest *t)
{
	struct msi_msg m;

	KT_ASSERT_EQ(t, msi_compose(&m, IRQ_VECTOR_FIRST, lapic_id()), 0);
	KT_EXPECT_UEQ(t, (m.address_lo >> 12) & 0xff, lapic_id());
	KT_EXPECT_UEQ(t, m.data & 0xff, IRQ_VECTOR_FIRST);
}

KTEST_SUITE_EXT(irq, 0, irq_skip, KTEST_CASE(vector_alloc_and_free),
		KTEST_CASE(vectors_run_out), KTEST_CASE(self_ipi_reaches_handler),
		KTEST_CASE(lapic_timer_rate), KTEST_CASE(msi_targets_this_cpu));
