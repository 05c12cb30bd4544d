/*
 * test_timer.c - kernel/timer.c's pure logic driven by hand: the pending
 * list's order, jiffies wrapping through zero, del/mod return values,
 * re-arming from a callback, and work that waits for flush_scheduled_work().
 * The probes are static and every case starts by disarming them, so a case
 * that fails half-way leaves no dangling timer for the next one.
 */
#include <limits.h>
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/timer.h"
#include "tests/host/host_stubs.h"

#define MAX_FIRED 8

struct probe {
	struct timer_list timer;
	int id;
};

static struct probe probes[4];
static int fired[MAX_FIRED];
static unsigned nfired;

static void probe_fn(struct timer_list *t)
{
	struct probe *p = from_timer(p, t, timer);

	if (nfired < MAX_FIRED)
		fired[nfired++] = p->id;
}

static void ticks(unsigned n)
{
	while (n--)
		timer_tick();
}

/* Disarm and re-initialise every probe; return them. */
static struct probe *probes_setup(void)
{
	nfired = 0;
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		del_timer(&probes[i].timer);
		timer_setup(&probes[i].timer, probe_fn, 0);
		probes[i].id = (int)i;
	}
	return probes;
}

/* Timers fire in expiry order whatever the arming order; equal expiries
 * fire in arming order; none fires before its jiffy. */
static void fire_in_expiry_order(struct ktest *t)
{
	struct probe *p = probes_setup();
	unsigned long now = jiffies;

	mod_timer(&p[0].timer, now + 30);
	mod_timer(&p[1].timer, now + 10);
	mod_timer(&p[2].timer, now + 20);
	mod_timer(&p[3].timer, now + 10);
	ticks(9);
	KT_EXPECT_EQ(t, nfired, 0);
	ticks(1);
	KT_ASSERT_EQ(t, nfired, 2);
	KT_EXPECT_EQ(t, fired[0], 1);
	KT_EXPECT_EQ(t, fired[1], 3);
	ticks(20);
	KT_ASSERT_EQ(t, nfired, 4);
	KT_EXPECT_EQ(t, fired[2], 2);
	KT_EXPECT_EQ(t, fired[3], 0);
	KT_EXPECT_FALSE(t, timer_pending(&p[0].timer));
}

/* Across jiffies' wrap to zero the order and the deadlines still hold. */
static void jiffies_wrap(struct ktest *t)
{
	struct probe *p = probes_setup();

	jiffies = ULONG_MAX - 2;
	KT_EXPECT_TRUE(t, time_after(jiffies + 5, jiffies));     /* wraps to 2 */
	KT_EXPECT_TRUE(t, time_before(ULONG_MAX - 2, 2UL));
	KT_EXPECT_TRUE(t, time_after_eq(2UL, 2UL));
	KT_EXPECT_FALSE(t, time_after(ULONG_MAX, 1UL));
	mod_timer(&p[0].timer, jiffies + 5);   /* 2, after the wrap */
	mod_timer(&p[1].timer, jiffies + 1);   /* ULONG_MAX - 1, before it */
	ticks(1);
	KT_ASSERT_EQ(t, nfired, 1);
	KT_EXPECT_EQ(t, fired[0], 1);
	ticks(3);                              /* jiffies is now 1 */
	KT_EXPECT_EQ(t, nfired, 1);
	ticks(1);
	KT_ASSERT_EQ(t, nfired, 2);
	KT_EXPECT_EQ(t, fired[1], 0);
	KT_EXPECT_UEQ(t, jiffies, 2);
}

/* del_timer and mod_timer report whether the timer was pending; a deleted
 * timer never fires, a moved one fires at its new time only. */
static void del_and_mod_report_pending(struct ktest *t)
{
	struct probe *p = probes_setup();
	unsigned long now = jiffies;

	KT_EXPECT_EQ(t, del_timer(&p[0].timer), 0);
	KT_EXPECT_EQ(t, mod_timer(&p[0].timer, now + 3), 0);
	KT_EXPECT_EQ(t, mod_timer(&p[0].timer, now + 6), 1);   /* moved later */
	KT_EXPECT_EQ(t, mod_timer(&p[1].timer, now + 2), 0);
	KT_EXPECT_EQ(t, del_timer(&p[1].timer), 1);
	KT_EXPECT_FALSE(t, timer_pending(&p[1].timer));
	KT_EXPECT_EQ(t, del_timer(&p[1].timer), 0);
	ticks(5);
	KT_EXPECT_EQ(t, nfired, 0);
	ticks(1);
	KT_ASSERT_EQ(t, nfired, 1);
	KT_EXPECT_EQ(t, fired[0], 0);
	ticks(5);
	KT_EXPECT_EQ(t, nfired, 1);
}

/* mod_timer on a pending timer moves it earlier too, before a timer it
 * used to follow. */
static void mod_pending_earlier(struct ktest *t)
{
	struct probe *p = probes_setup();
	unsigned long now = jiffies;

	mod_timer(&p[0].timer, now + 4);
	mod_timer(&p[1].timer, now + 8);
	KT_EXPECT_EQ(t, mod_timer(&p[1].timer, now + 2), 1);
	ticks(2);
	KT_ASSERT_EQ(t, nfired, 1);
	KT_EXPECT_EQ(t, fired[0], 1);
	ticks(2);
	KT_ASSERT_EQ(t, nfired, 2);
	KT_EXPECT_EQ(t, fired[1], 0);
	ticks(8);
	KT_EXPECT_EQ(t, nfired, 2);
}

/* A callback re-arming for a time already past (jiffies itself) fires at
 * the next tick, once per tick: inside the same tick it would loop. */
static struct timer_list past_timer;
static unsigned past_runs;

static void past_fn(struct timer_list *t)
{
	if (++past_runs < 5)
		mod_timer(t, jiffies);
}

static void rearm_in_past_waits_a_tick(struct ktest *t)
{
	past_runs = 0;
	del_timer(&past_timer);
	timer_setup(&past_timer, past_fn, 0);
	mod_timer(&past_timer, jiffies + 1);
	ticks(1);
	KT_EXPECT_EQ(t, past_runs, 1);
	KT_EXPECT_TRUE(t, timer_pending(&past_timer));
	ticks(1);
	KT_EXPECT_EQ(t, past_runs, 2);
	ticks(10);
	KT_EXPECT_EQ(t, past_runs, 5);
	KT_EXPECT_FALSE(t, timer_pending(&past_timer));
}

/* A callback that deletes a timer due in the same tick stops it. */
static int killer_del_result;

static void killer_fn(struct timer_list *tl)
{
	probe_fn(tl);
	killer_del_result = del_timer(&probes[1].timer);
}

static void del_from_callback_same_tick(struct ktest *t)
{
	struct probe *p = probes_setup();
	unsigned long now = jiffies;

	p[0].timer.function = killer_fn;
	mod_timer(&p[0].timer, now + 3);
	mod_timer(&p[1].timer, now + 3);
	mod_timer(&p[2].timer, now + 3);
	killer_del_result = -1;
	ticks(3);
	KT_EXPECT_EQ(t, killer_del_result, 1);   /* it was still pending */
	KT_ASSERT_EQ(t, nfired, 2);
	KT_EXPECT_EQ(t, fired[0], 0);
	KT_EXPECT_EQ(t, fired[1], 2);
	KT_EXPECT_FALSE(t, timer_pending(&p[1].timer));
	ticks(5);
	KT_EXPECT_EQ(t, nfired, 2);
}

/* A callback may re-arm its own timer (a periodic timer). */
static struct timer_list rearm_timer;
static unsigned rearm_runs;

static void rearm_fn(struct timer_list *t)
{
	if (++rearm_runs < 3)
		mod_timer(t, jiffies + 2);
}

static void callback_rearms(struct ktest *t)
{
	rearm_runs = 0;
	timer_setup(&rearm_timer, rearm_fn, 0);
	mod_timer(&rearm_timer, jiffies + 2);
	ticks(10);
	KT_EXPECT_EQ(t, rearm_runs, 3);
	KT_EXPECT_FALSE(t, timer_pending(&rearm_timer));
}

static void conversions_round_up(struct ktest *t)
{
	KT_EXPECT_UEQ(t, msecs_to_jiffies(0), 0);
	KT_EXPECT_UEQ(t, msecs_to_jiffies(1), 1);              /* never shorter */
	KT_EXPECT_UEQ(t, msecs_to_jiffies(1000), HZ);
	KT_EXPECT_UEQ(t, msecs_to_jiffies(1001), HZ + 1);
	KT_EXPECT_UEQ(t, jiffies_to_msecs(HZ), 1000);
}

static unsigned work_runs;
static bool work_ran_in_irq;

static void work_fn(struct work_struct *w)
{
	(void)w;
	work_runs++;
	work_ran_in_irq = in_interrupt();
}

/* Work queued from a "handler" runs at the flush, once, outside it. */
static void work_runs_at_flush(struct ktest *t)
{
	struct work_struct w;

	INIT_WORK(&w, work_fn);
	work_runs = 0;
	host_in_interrupt = true;
	KT_EXPECT_TRUE(t, schedule_work(&w));
	KT_EXPECT_FALSE(t, schedule_work(&w));   /* already queued */
	host_in_interrupt = false;
	KT_EXPECT_TRUE(t, work_queue_busy());
	KT_EXPECT_EQ(t, work_runs, 0);
	flush_scheduled_work();
	KT_EXPECT_EQ(t, work_runs, 1);
	KT_EXPECT_FALSE(t, work_ran_in_irq);
	KT_EXPECT_FALSE(t, work_queue_busy());
	KT_EXPECT_TRUE(t, schedule_work(&w));    /* may be queued again */
	flush_scheduled_work();
	KT_EXPECT_EQ(t, work_runs, 2);
}

KTEST_SUITE(timer_list, KTEST_CASE(fire_in_expiry_order), KTEST_CASE(jiffies_wrap),
	    KTEST_CASE(del_and_mod_report_pending), KTEST_CASE(mod_pending_earlier),
	    KTEST_CASE(rearm_in_past_waits_a_tick), KTEST_CASE(del_from_callback_same_tick),
	    KTEST_CASE(callback_rearms),
	    KTEST_CASE(conversions_round_up), KTEST_CASE(work_runs_at_flush));
