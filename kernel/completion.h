/*
 * completion.h - one side waits, the other says "done" (Linux's
 * include/linux/completion.h, uniprocessor).
 *
 * An interrupt handler or timer calls complete(); the waiter halts the CPU
 * (sti; hlt) until an interrupt arrives and looks again, so a wait costs
 * no CPU time. done counts complete() calls not yet consumed by a wait;
 * complete_all() makes it permanent.
 */
#ifndef KERNEL_COMPLETION_H
#define KERNEL_COMPLETION_H

#include <stdbool.h>

struct completion {
	volatile unsigned int done;
};

#define COMPLETION_DONE_ALL (~0u)
#define COMPLETION_INITIALIZER(x) { 0 }
#define DECLARE_COMPLETION(x) struct completion x = COMPLETION_INITIALIZER(x)

static inline void init_completion(struct completion *x) { x->done = 0; }
/* Forget earlier complete() calls before reusing @x. */
static inline void reinit_completion(struct completion *x) { x->done = 0; }

/* complete - wake one wait. Context: any, including interrupt handlers. */
void complete(struct completion *x);
/* complete_all - every wait from now on returns at once. Context: any. */
void complete_all(struct completion *x);
/* completion_done - has complete() been called and not yet consumed? */
bool completion_done(struct completion *x);

/**
 * wait_for_completion_timeout - halt until @x is completed or
 * @timeout jiffies pass. Interrupts are on while it waits (the caller's
 * state is restored); queued work runs meanwhile. Context: not an interrupt
 * handler (that would never wake: it panics, naming the vector).
 * Return: 0 on timeout, else the jiffies left (at least 1).
 */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);

/* One pass of the idle loop: run queued work, then halt until an interrupt. */
void cpu_idle_once(void);

#endif /* KERNEL_COMPLETION_H */
