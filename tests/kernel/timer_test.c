/*
 * timer_test.c - timer_list on the real tick: a timer fires on time, its
 * deferred work runs outside the handler, and (suite timer_idle, named
 * explicitly by its scenario) a one-second wait on a timer halts the CPU.
 *
 * "On time" has a strict lower bound and a generous upper one:
 *  - never early: the callback runs no sooner than the expiry's tick
 *    boundary, timer_tick_origin() + (expires - origin jiffies) / HZ s of
 *    reference time (the LAPIC timer's calibration errs only long);
 *  - at most TIMER_LATE_SLACK_MS (2 s) after arming plus the requested
 *    jiffies: a heavily loaded host stalls QEMU's vCPU, never the reverse.
 */
#include "kernel/apic.h"
#include "kernel/completion.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/timer.h"

#define TIMER_ONTIME_MS      300
#define TIMER_LATE_SLACK_MS  2000   /* the stated slack for a loaded host */
#define TIMER_IDLE_WAIT_MS   1000   /* the cpu-idle proof's wait */
#define TICK_NS              (NS_PER_SEC / HZ)

struct timed_probe {
	struct timer_list timer;
	struct completion done;
	unsigned long expires;             /* as asked, not as stored */
	volatile uint64_t fired_ns;        /* time_ref_ns() in the callback */
	volatile unsigned long fired_jiffies;
	volatile bool in_irq, irqs_off;    /* the context the callback saw */
};

static void timed_probe_fn(struct timer_list *t)
{
	struct timed_probe *p = from_timer(p, t, timer);

	p->fired_ns = time_ref_ns();
	p->fired_jiffies = jiffies;
	p->in_irq = in_interrupt();
	p->irqs_off = irqs_disabled();
	complete(&p->done);
}

static const char *timer_skip(void)
{
	return lapic_ready() ? NULL : "no LAPIC: no tick";
}

/* Arm @p for @ms (the Linux idiom: one jiffy more, so at least @ms), wait
 * for it on its completion; *@armed_ns is the reference time at arming.
 * Return: what wait_for_completion_timeout() returned. */
static unsigned long timed_wait(struct timed_probe *p, unsigned ms, uint64_t *armed_ns)
{
	unsigned long n = msecs_to_jiffies(ms) + 1;

	timer_setup(&p->timer, timed_probe_fn, 0);
	init_completion(&p->done);
	*armed_ns = time_ref_ns();
	p->expires = jiffies + n;
	mod_timer(&p->timer, p->expires);
	return wait_for_completion_timeout(&p->done, n + msecs_to_jiffies(TIMER_LATE_SLACK_MS));
}

/* The checks every timed wait passes; prints the figures. */
static void expect_on_time(struct ktest *t, struct timed_probe *p, uint64_t armed_ns,
			   unsigned ms)
{
	uint64_t origin_ns, never_before;
	unsigned long origin_j;

	timer_tick_origin(&origin_ns, &origin_j);
	never_before = origin_ns + (uint64_t)(p->expires - origin_j) * TICK_NS;
	ktest_printf("    # %s: asked %u ms, fired after %llu us (%s); its tick boundary "
		     "%lld us after arming\n", t->name, ms,
		     (unsigned long long)((p->fired_ns - armed_ns) / 1000), time_ref_name(),
		     (long long)((int64_t)(never_before - armed_ns) / 1000));
	KT_EXPECT_UEQ(t, p->fired_jiffies, p->expires);     /* its own tick */
	KT_EXPECT_UGE(t, p->fired_ns, never_before);               /* never early */
	KT_EXPECT_ULT(t, p->fired_ns - armed_ns,
		      (ms + TIMER_LATE_SLACK_MS) * 1000000ULL + 2 * TICK_NS);
	KT_EXPECT_TRUE(t, p->in_irq);
	KT_EXPECT_TRUE(t, p->irqs_off);
	KT_EXPECT_FALSE(t, timer_pending(&p->timer));
}

/* A timer fires at its jiffy, never before its tick boundary on the
 * reference clock, and at most the stated slack late. */
static void timer_fires_on_time(struct ktest *t)
{
	static struct timed_probe p;
	uint64_t armed_ns;

	KT_ASSERT_EQ(t, timer_tick_start(), 0);
	KT_ASSERT_GT(t, timed_wait(&p, TIMER_ONTIME_MS, &armed_ns), 0);
	expect_on_time(t, &p, armed_ns, TIMER_ONTIME_MS);
}

/* A deleted timer never fires: its completion times out. */
static void deleted_timer_never_fires(struct ktest *t)
{
	static struct timed_probe p;

	timer_setup(&p.timer, timed_probe_fn, 0);
	init_completion(&p.done);
	mod_timer(&p.timer, jiffies + 2);
	KT_EXPECT_EQ(t, del_timer(&p.timer), 1);
	KT_EXPECT_EQ(t, wait_for_completion_timeout(&p.done, 10), 0);
	KT_EXPECT_FALSE(t, completion_done(&p.done));
}

static struct {
	struct timer_list timer;
	struct work_struct work;
	struct completion done;
	volatile bool work_in_irq, work_irqs_off;
} deferred;

static void deferred_work_fn(struct work_struct *w)
{
	(void)w;
	deferred.work_in_irq = in_interrupt();
	deferred.work_irqs_off = irqs_disabled();
	complete(&deferred.done);
}

static void deferred_timer_fn(struct timer_list *t)
{
	(void)t;
	schedule_work(&deferred.work);
}

/* Work a timer callback queues runs during the wait, outside any handler
 * and with interrupts on. */
static void timer_work_runs_outside_handler(struct ktest *t)
{
	timer_setup(&deferred.timer, deferred_timer_fn, 0);
	INIT_WORK(&deferred.work, deferred_work_fn);
	init_completion(&deferred.done);
	deferred.work_in_irq = deferred.work_irqs_off = true;
	mod_timer(&deferred.timer, jiffies + 2);
	KT_ASSERT_GT(t, wait_for_completion_timeout(&deferred.done,
						    msecs_to_jiffies(TIMER_LATE_SLACK_MS)), 0);
	KT_EXPECT_FALSE(t, deferred.work_in_irq);
	KT_EXPECT_FALSE(t, deferred.work_irqs_off);
}

KTEST_SUITE_EXT(timer, 0, timer_skip, KTEST_CASE(timer_fires_on_time),
		KTEST_CASE(deleted_timer_never_fires),
		KTEST_CASE(timer_work_runs_outside_handler));

/* About a second on a completion a timer_list timer signals, bracketed
 * for the harness, which requires QEMU's CPU time across it to stay under
 * cpu_idle_max: the wait halts instead of spinning. */
static void timer_wait_halts(struct ktest *t)
{
	static struct timed_probe p;
	unsigned long left;
	uint64_t armed_ns;

	KT_ASSERT_EQ(t, timer_tick_start(), 0);
	ktest_harness_mark("cpu-idle begin", "timer_wait");
	left = timed_wait(&p, TIMER_IDLE_WAIT_MS, &armed_ns);
	ktest_harness_mark("cpu-idle end", "timer_wait");
	KT_ASSERT_GT(t, left, 0);
	expect_on_time(t, &p, armed_ns, TIMER_IDLE_WAIT_MS);
}

KTEST_SUITE_EXT(timer_idle, KTEST_EXPLICIT, timer_skip, KTEST_CASE(timer_wait_halts));
