/*
 * timer.h - jiffies, timer_list and deferred work, with Linux's names
 * (include/linux/jiffies.h, timer.h, workqueue.h).
 *
 * jiffies counts ticks of a periodic LAPIC timer at HZ. The tick starts on
 * first use (the first mod_timer() or wait_for_completion_timeout()), so a
 * boot that never waits never pays for it. Like Linux, jiffies starts 300 s
 * before it wraps: compare with time_after(), never with <.
 *
 * Timer callbacks run in the tick's interrupt handler: interrupts off,
 * in_interrupt() true, no waiting. Work queued with schedule_work() runs
 * later outside any handler, with interrupts on: from the wait path
 * (wait_for_completion_timeout), the idle loop, or flush_scheduled_work().
 * docs/interrupts-and-time.md explains the choice of a periodic tick.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define HZ 100
#define INITIAL_JIFFIES ((unsigned long)(-300L * HZ))

extern volatile unsigned long jiffies;

/* Wrap-safe comparisons of two jiffies values. */
#define time_after(a, b)     ((long)((b) - (a)) < 0)
#define time_before(a, b)    time_after(b, a)
#define time_after_eq(a, b)  ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

/* Milliseconds to jiffies, rounded up so a wait is never shorter. */
static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return ((unsigned long)m * HZ + 999) / 1000;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)(j * 1000 / HZ);
}

struct timer_list {
	struct timer_list *next;   /* in the pending list, sorted by expires */
	unsigned long expires;     /* jiffies value at which it fires */
	void (*function)(struct timer_list *);
	unsigned int flags;        /* accepted for Linux's signature; unused */
	bool pending;
};

/* The structure holding @timer: from_timer(dev, t, timer_field). */
#define from_timer(var, callback_timer, field)                                  \
	((typeof(var))((char *)(callback_timer) -                               \
		       __builtin_offsetof(typeof(*(var)), field)))

/* timer_setup - prepare @timer to call @fn; it is not pending. */
void timer_setup(struct timer_list *timer, void (*fn)(struct timer_list *),
		 unsigned int flags);

/**
 * mod_timer - (re)arm @timer to fire when jiffies reaches @expires.
 * An expiry already past fires at the next tick.
 * Return: 1 if the timer was pending (and is moved), 0 if it was not.
 */
int mod_timer(struct timer_list *timer, unsigned long expires);

/* del_timer - disarm @timer. Return: 1 if it was pending, else 0. */
int del_timer(struct timer_list *timer);

static inline bool timer_pending(const struct timer_list *timer)
{
	return timer->pending;
}

struct work_struct {
	struct work_struct *next;  /* in the queue */
	void (*func)(struct work_struct *);
	bool queued;
};

#define INIT_WORK(w, fn)                                                        \
	do {                                                                    \
		(w)->next = NULL;                                               \
		(w)->func = (fn);                                               \
		(w)->queued = false;                                            \
	} while (0)

/**
 * schedule_work - run @work's function later, outside interrupt context.
 * Context: any, including interrupt handlers.
 * Return: true if queued, false if it was already queued.
 */
bool schedule_work(struct work_struct *work);

/* Run every queued work item now. Context: not an interrupt handler. */
void flush_scheduled_work(void);

/* Is any work queued (checked, interrupts off, before halting)? */
bool work_queue_busy(void);

/* ---- the tick's side (kernel/timer_tick.c; tests drive it directly) ---- */

/* One tick: advance jiffies, run the timers that are due. Interrupts off. */
void timer_tick(void);

/* Start the tick if it is not running. Return: 0, or -ENODEV without it. */
int timer_tick_start(void);

/* Does the tick run (can a wait rely on being woken)? */
bool timer_tick_running(void);

/*
 * timer_tick_origin - the reference time (time_ref_ns()) read just before
 * the tick's timer was loaded, and jiffies then. Tick k after it comes no
 * sooner than @ref_ns + k / HZ s (lost ticks only make jiffies later), so
 * a timer with expires E never runs before @ref_ns + (E - @j) / HZ s.
 */
void timer_tick_origin(uint64_t *ref_ns, unsigned long *j);

#endif /* KERNEL_TIMER_H */
