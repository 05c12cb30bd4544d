/*
 * timer.c - jiffies, the pending-timer list and the deferred-work queue.
 * Pure logic, built for the kernel and the host tests; the tick that
 * drives it is kernel/timer_tick.c.
 *
 * The pending timers are one singly linked list sorted by expiry (ties in
 * arming order), so a tick looks only at the head: the invariant is that
 * every timer on the list has pending set and no timer before it expires
 * later. A tick first moves the due prefix onto a second list, the
 * expiring one, and runs it from there: a callback that re-arms for a time
 * already past lands on the main list and fires at the next tick, not again
 * in this one (which would never end), while a del_timer() from a callback
 * still stops a timer due in the same tick. Work items are a FIFO queue with queued set on every member.
 * Both are changed by handlers (a timer callback re-arms, a handler queues
 * work), so every change holds its lock with interrupts off.
 */
#include <stddef.h>
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/timer.h"

volatile unsigned long jiffies = INITIAL_JIFFIES;

static struct timer_list *timer_head;
static struct timer_list *timer_expiring;   /* due this tick, not yet run */
static DEFINE_SPINLOCK(timer_lock);

static struct {
	struct work_struct *head, **tail;
} work_queue = { NULL, &work_queue.head };
static DEFINE_SPINLOCK(work_lock);

void timer_setup(struct timer_list *timer, void (*fn)(struct timer_list *),
		 unsigned int flags)
{
	timer->next = NULL;
	timer->expires = 0;
	timer->function = fn;
	timer->flags = flags;
	timer->pending = false;
}

/* Take @timer off @list if it is there; true if it was. Lock held. */
static bool timer_unlink_from(struct timer_list **list, struct timer_list *timer)
{
	struct timer_list **p;

	for (p = list; *p; p = &(*p)->next) {
		if (*p != timer)
			continue;
		*p = timer->next;
		timer->next = NULL;
		timer->pending = false;
		return true;
	}
	return false;
}

/* Take @timer off whichever list holds it; true if it was pending. */
static bool timer_unlink(struct timer_list *timer)
{
	if (!timer->pending)
		return false;
	if (timer_unlink_from(&timer_head, timer) ||
	    timer_unlink_from(&timer_expiring, timer))
		return true;
	panic("timer %p: marked pending but not on the timer list", (void *)timer);
}

/* Insert after every timer expiring no later (so ties stay FIFO). Lock held. */
static void timer_link(struct timer_list *timer)
{
	struct timer_list **p = &timer_head;

	while (*p && !time_after((*p)->expires, timer->expires))
		p = &(*p)->next;
	timer->next = *p;
	*p = timer;
	timer->pending = true;
}

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&timer_lock, flags);
	was = timer_unlink(timer);
	timer->expires = expires;
	timer_link(timer);
	spin_unlock_irqrestore(&timer_lock, flags);
	timer_tick_start();
	return was;
}

int del_timer(struct timer_list *timer)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&timer_lock, flags);
	was = timer_unlink(timer);
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}

/* Move the timers due at @now from the head of the list to timer_expiring. */
static void timer_collect_due(unsigned long now)
{
	struct timer_list **p = &timer_head;
	unsigned long flags;

	spin_lock_irqsave(&timer_lock, flags);
	while (*p && time_after_eq(now, (*p)->expires))
		p = &(*p)->next;
	if (p != &timer_head) {
		timer_expiring = timer_head;
		timer_head = *p;
		*p = NULL;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
}

/* The next collected timer, unlinked and no longer pending; NULL at the end. */
static struct timer_list *timer_pop_expiring(void)
{
	struct timer_list *t;
	unsigned long flags;

	spin_lock_irqsave(&timer_lock, flags);
	t = timer_expiring;
	if (t) {
		timer_expiring = t->next;
		t->next = NULL;
		t->pending = false;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return t;
}

void timer_tick(void)
{
	struct timer_list *t;

	timer_collect_due(++jiffies);
	/* Unlocked while the callback runs: it may re-arm or arm others. */
	while ((t = timer_pop_expiring()))
		t->function(t);
}

bool schedule_work(struct work_struct *work)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&work_lock, flags);
	if (!work->queued) {
		work->queued = queued = true;
		work->next = NULL;
		*work_queue.tail = work;
		work_queue.tail = &work->next;
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return queued;
}

bool work_queue_busy(void)
{
	return *(struct work_struct *volatile *)&work_queue.head != NULL;
}

/* The oldest queued item, dequeued; NULL when the queue is empty. */
static struct work_struct *work_pop(void)
{
	struct work_struct *w;
	unsigned long flags;

	spin_lock_irqsave(&work_lock, flags);
	w = work_queue.head;
	if (w) {
		work_queue.head = w->next;
		if (!work_queue.head)
			work_queue.tail = &work_queue.head;
		w->queued = false;   /* it may queue itself again */
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return w;
}

void flush_scheduled_work(void)
{
	struct work_struct *w;

	if (in_interrupt())
		panic("flush_scheduled_work called in an interrupt handler: work "
		      "runs outside interrupt context");
	while ((w = work_pop()))
		w->func(w);
}
