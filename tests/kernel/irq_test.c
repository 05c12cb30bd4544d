/*
 * irq_test.c - vectors, the LAPIC and its timer, with real interrupts.
 */
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/printf.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/completion.h"
#include "kernel/traps.h"
#include "kernel/x86.h"

#define IPI_TIMEOUT_US    100000
#define TIMER_TEST_TICKS  20
#define TIMER_TIMEOUT_US  2000000
#define PIC_TEST_VECTOR   (IRQ_PIC_VECTOR_BASE + 5)  /* a PIC vector the LAPIC sends */
#define EXCEPTION_VECTOR  0x10                       /* below the external range */
#define TOO_BIG_VECTOR    0x130                      /* truncates to 0x30 */

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
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	local_irq_enable();
	ret = poll_timeout_us(irq_test_hits >= want, 0, timeout_us);
	local_irq_disable();
	local_irq_restore(flags);
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

/* The tick (the LAPIC timer, periodic at HZ) runs at the rate asked for,
 * measured against the reference clock from the first tick seen to the
 * last (so start-up latency does not count); the bound is generous, the
 * figure is reported. */
static void lapic_timer_rate(struct ktest *t)
{
	uint64_t r0, r1, rate_mhz, give_up;
	unsigned long j0, j;

	KT_ASSERT_EQ(t, timer_tick_start(), 0);
	give_up = time_ns() + TIMER_TIMEOUT_US * 1000ULL;
	for (j0 = jiffies; jiffies == j0 && time_ns() < give_up;)
		cpu_idle_once();                /* start at a tick edge */
	j0 = jiffies;
	r0 = time_ref_ns();
	while (jiffies - j0 < TIMER_TEST_TICKS && time_ns() < give_up)
		cpu_idle_once();
	j = jiffies;
	r1 = time_ref_ns();
	KT_ASSERT_GE(t, (long)(j - j0), TIMER_TEST_TICKS);
	rate_mhz = (uint64_t)(j - j0) * 1000000000000ULL / (r1 - r0);
	ktest_printf("    # lapic_timer_rate: %lu ticks in %llu us against %s: %llu.%03llu Hz "
		     "(asked %u Hz)\n", j - j0, (unsigned long long)((r1 - r0) / 1000),
		     time_ref_name(), (unsigned long long)(rate_mhz / 1000),
		     (unsigned long long)(rate_mhz % 1000), HZ);
	KT_EXPECT_UGE(t, rate_mhz, HZ * 1000ULL / 2);
	KT_EXPECT_ULT(t, rate_mhz, HZ * 1000ULL * 2);
}

/* The MSI message for a vector targets this CPU's APIC ID. */
static void msi_targets_this_cpu(struct ktest *t)
{
	struct msi_msg m;

	KT_ASSERT_EQ(t, msi_compose(&m, IRQ_VECTOR_FIRST, lapic_id()), 0);
	KT_EXPECT_UEQ(t, (m.address_lo >> 12) & 0xff, lapic_id());
	KT_EXPECT_UEQ(t, m.data & 0xff, IRQ_VECTOR_FIRST);
}

/* A handler counting into the unsigned its context points at. */
static void count_handler(unsigned vector, void *ctx)
{
	(void)vector;
	(*(volatile unsigned *)ctx)++;
}

/* Wait, interrupts on, until *@n reaches @want; 0 or -ETIMEDOUT. */
static int wait_for_count(volatile unsigned *n, unsigned want)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	local_irq_enable();
	ret = poll_timeout_us(*n >= want, 0, IPI_TIMEOUT_US);
	local_irq_disable();
	local_irq_restore(flags);
	return ret;
}

/* A vector in the PICs' range that the LAPIC delivered is acknowledged:
 * its ISR bit clears and a second one arrives (without the EOI it would
 * block every later interrupt of its priority class). */
static void pic_range_vector_from_lapic_acked(struct ktest *t)
{
	uint64_t before = irq_count(PIC_TEST_VECTOR), spurious = irq_spurious_count();

	for (int i = 1; i <= 2; i++) {
		KT_ASSERT_EQ(t, lapic_send_self_ipi(PIC_TEST_VECTOR), 0);
		KT_EXPECT_EQ(t, poll_timeout_us(!lapic_vector_busy(PIC_TEST_VECTOR), 0,
						IPI_TIMEOUT_US), 0);
		KT_EXPECT_UEQ(t, irq_count(PIC_TEST_VECTOR), before + i);
	}
	KT_EXPECT_FALSE(t, lapic_vector_in_service(PIC_TEST_VECTOR));
	KT_EXPECT_UEQ(t, irq_spurious_count(), spurious);
}

/* Vectors the LAPIC would take but our entry code cannot are refused, not
 * truncated or sent: below 0x20 (exception stubs), above 0xff (0x130
 * would become someone else's 0x30), and, for the timer LVT, anything that
 * is not an allocatable vector. */
static void lapic_vectors_checked(struct ktest *t)
{
	ktest_expect_error(t, "refused");
	KT_EXPECT_EQ(t, lapic_send_self_ipi(EXCEPTION_VECTOR), -EINVAL);
	KT_EXPECT_EQ(t, lapic_send_self_ipi(TOO_BIG_VECTOR), -EINVAL);
	KT_EXPECT_EQ(t, lapic_timer_start(TOO_BIG_VECTOR, HZ), -EINVAL);
	KT_EXPECT_EQ(t, lapic_timer_start(PIC_TEST_VECTOR, HZ), -EINVAL);
	KT_EXPECT_EQ(t, lapic_timer_start(IRQ_VECTOR_SPURIOUS, HZ), -EINVAL);
}

/* An interrupt still pending when its vector is freed never reaches the
 * vector's next owner: the vector stays out of circulation until the LAPIC
 * has delivered (and dropped) it. */
static void freed_vector_pending_irq_not_inherited(struct ktest *t)
{
	static volatile unsigned old_hits, new_hits;
	unsigned long flags;
	int old, new, again;

	old_hits = new_hits = 0;
	old = irq_alloc_vector(count_handler, (void *)&old_hits, "old owner");
	KT_ASSERT_GE(t, old, IRQ_VECTOR_FIRST);
	local_irq_save(flags);
	KT_EXPECT_EQ(t, lapic_send_self_ipi((unsigned)old), 0);   /* pending: IF off */
	KT_EXPECT_TRUE(t, lapic_vector_busy((unsigned)old));
	irq_free_vector((unsigned)old);
	new = irq_alloc_vector(count_handler, (void *)&new_hits, "new owner");
	local_irq_enable();                   /* the stale interrupt arrives now */
	poll_timeout_us(!lapic_vector_busy((unsigned)old), 0, IPI_TIMEOUT_US);
	local_irq_disable();
	local_irq_restore(flags);
	KT_EXPECT_NE(t, new, old);
	KT_EXPECT_EQ(t, new_hits, 0);
	KT_EXPECT_EQ(t, old_hits, 0);
	KT_EXPECT_UEQ(t, irq_count((unsigned)old), 1);    /* delivered, dropped */
	again = irq_alloc_vector(count_handler, (void *)&new_hits, "reuse");
	KT_EXPECT_EQ(t, again, old);                      /* quarantine over */
	if (again >= 0)
		irq_free_vector((unsigned)again);
	if (new >= 0)
		irq_free_vector((unsigned)new);
}

static volatile bool fault_in_handler;
static volatile unsigned fault_handler_hits;

__attribute__((noipa)) static void faulting_handler(unsigned vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	fault_handler_hits++;
	if (fault_in_handler)
		__asm__ volatile("ud2");
}

/* An exception inside a handler, caught by an armed catcher, is reported
 * as being in that handler, and leaves the interrupt state as it was at
 * arm time: interrupts on, no handler running, the EOI sent, so a later
 * interrupt on the same vector still arrives. */
static void fault_in_handler_repaired(struct ktest *t)
{
	struct fault_catch fc;
	char where[64];
	int v = irq_alloc_vector(faulting_handler, NULL, "fault test");

	KT_ASSERT_GE(t, v, IRQ_VECTOR_FIRST);
	KT_ASSERT_FALSE(t, irqs_disabled());
	fault_handler_hits = 0;
	fault_in_handler = true;
	if (fault_catch_try(&fc) == 0) {
		lapic_send_self_ipi((unsigned)v);
		poll_timeout_us(fault_handler_hits > 0, 0, IPI_TIMEOUT_US);
		fault_catch_disarm();
	}
	fault_in_handler = false;
	KT_EXPECT_EQ(t, fc.vector, X86_TRAP_UD);
	KT_EXPECT_EQ(t, fc.in_irq_vector, v);
	snprintf(where, sizeof(where), "in interrupt handler for vector %d (fault test)", v);
	KT_EXPECT_SUBSTR(t, fc.report, where);
	KT_EXPECT_FALSE(t, irqs_disabled());
	KT_EXPECT_FALSE(t, in_interrupt());
	KT_EXPECT_FALSE(t, lapic_vector_in_service((unsigned)v));
	KT_EXPECT_EQ(t, lapic_send_self_ipi((unsigned)v), 0);
	KT_EXPECT_EQ(t, wait_for_count(&fault_handler_hits, 2), 0);
	irq_free_vector((unsigned)v);
}

KTEST_SUITE_EXT(irq, 0, irq_skip, KTEST_CASE(vector_alloc_and_free),
		KTEST_CASE(vectors_run_out), KTEST_CASE(self_ipi_reaches_handler),
		KTEST_CASE(lapic_timer_rate), KTEST_CASE(msi_targets_this_cpu),
		KTEST_CASE(pic_range_vector_from_lapic_acked), KTEST_CASE(lapic_vectors_checked),
		KTEST_CASE(freed_vector_pending_irq_not_inherited),
		KTEST_CASE(fault_in_handler_repaired));
