/*
 * timer.c - jiffies, the pending-timer list and the deferred-work queue.
 * Pure logic, built for the kernel and the host tests; the tick that
 * drives it is kernel/timer_tick.c.
 *
 * The pending timers are one singly linked list sorted by expiry (ties in
 * arming order), so a tick looks only at the head: the invariant is that
 * every timer on the list has pending set and no timer before it expires
 * later. Work items are a FIFO queue with queued set on every member.
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

/* Take @timer off the list if it is on it; true if it was. Lock held. */
static bool timer_unlink(struct timer_list *timer)
{
	struct timer_list **p;

	if (!timer->pending)
		return false;
	for (p = &timer_head; *p; p = &(*p)->next) {
		if (*p != timer)
			continue;
		*p = timer->next;
		timer->pending = false;
		return true;
	}
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

/* The first timer due at @now, unlinked; NULL if none is due. */
static struct timer_list *timer_pop_due(unsigned long now)
{
	struct timer_list *t;
	unsigned long flags;

	spin_lock_irqsave(&timer_lock, flags);
	t = timer_head;
	if (t && time_after_eq(now, t->expires)) {
		timer_head = t->next;
		t->next = NULL;
		t->pending = false;
	} else {
		t = NULL;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return t;
}

void timer_tick(void)
{
	struct timer_list *t;
	unsigned long now = ++jiffies;

	/* Unlocked while the callback runs: it may re-arm or arm others. */
	while ((t = timer_pop_due(now)))
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
