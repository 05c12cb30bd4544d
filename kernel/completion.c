/*
 * completion.c - waiting by halting the CPU (Intel SDM Vol. 2, HLT; STI's
 * interrupt shadow makes "sti; hlt" one step), woken by the device's
 * interrupt or by a timer armed at the deadline.
 *
 * The wait checks its conditions with interrupts off and then halts with
 * sti; hlt: an interrupt that arrives after the check but before the halt
 * is taken by the hlt and ends it, so no wake-up is lost.
 */
#define LOG_PREFIX "completion"
#include "kernel/completion.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/timer.h"

void complete(struct completion *x)
{
	unsigned long flags;

	local_irq_save(flags);
	if (x->done != COMPLETION_DONE_ALL)
		x->done++;
	local_irq_restore(flags);
}

void complete_all(struct completion *x)
{
	x->done = COMPLETION_DONE_ALL;
}

bool completion_done(struct completion *x)
{
	return x->done != 0;
}

/* Take one completion if there is one. Interrupts off. */
static bool completion_consume(struct completion *x)
{
	if (!x->done)
		return false;
	if (x->done != COMPLETION_DONE_ALL)
		x->done--;
	return true;
}

struct completion_deadline {
	struct timer_list timer;
	volatile bool expired;
};

static void completion_deadline_fn(struct timer_list *t)
{
	struct completion_deadline *d = from_timer(d, t, timer);

	d->expired = true;
}

/* Without a tick nothing wakes a halt: spin on the clock instead. */
static unsigned long completion_poll(struct completion *x, unsigned long timeout)
{
	uint64_t end = time_ns() + (uint64_t)jiffies_to_msecs(timeout) * 1000000;
	unsigned long flags;
	bool got;

	do {
		local_irq_save(flags);
		got = completion_consume(x);
		local_irq_restore(flags);
		if (got)
			return 1;
		cpu_relax();
	} while (time_ns() < end);
	return 0;
}

/* One round of the wait with interrupts off: run queued work or halt. */
static void completion_idle(void)
{
	if (work_queue_busy()) {
		local_irq_enable();
		flush_scheduled_work();
		local_irq_disable();
	} else {
		arch_safe_halt();       /* returns after an interrupt, IF on */
		local_irq_disable();
	}
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	struct completion_deadline d = { .expired = false };
	unsigned long flags, deadline = jiffies + timeout, left;
	bool got;

	if (in_interrupt())
		panic("wait_for_completion_timeout in interrupt handler for vector %d (%s): "
		      "it would never wake", irq_current_vector(),
		      irq_vector_name(irq_current_vector()));
	if (timer_tick_start() != 0)
		return completion_poll(x, timeout);
	timer_setup(&d.timer, completion_deadline_fn, 0);
	local_irq_save(flags);
	if (timeout)
		mod_timer(&d.timer, deadline);
	while (!(got = completion_consume(x)) && timeout && !d.expired)
		completion_idle();
	del_timer(&d.timer);
	left = time_after(deadline, jiffies) ? deadline - jiffies : 1;
	local_irq_restore(flags);
	return got ? left : 0;
}

void cpu_idle_once(void)
{
	unsigned long flags;

	local_irq_save(flags);
	completion_idle();
	local_irq_restore(flags);
}
