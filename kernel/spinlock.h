/*
 * spinlock.h - interrupt masking and spinlocks with Linux's names and
 * uniprocessor meanings (Documentation/locking/spinlocks.rst).
 *
 * The kernel runs on one CPU, so a lock is only ever contended by an
 * interrupt handler that runs on top of its holder:
 *   spin_lock()         - data never touched by a handler; does NOT mask
 *                          interrupts (a handler taking the same lock is a
 *                          deadlock on SMP, and is caught here, below)
 *   spin_lock_irqsave() - data a handler also touches; masks interrupts
 *                          and restores the caller's state on unlock
 *   spin_lock_irq()     - the same, for callers known to run with
 *                          interrupts on; unlock turns them on
 * A lock is still a real word: acquiring one that is held on this CPU
 * would spin forever on SMP, so it is a broken invariant here and panics
 * naming the lock. The flag itself sits behind kernel/irqflags.h.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdbool.h>
#include "kernel/irqflags.h"

#define local_irq_disable() arch_local_irq_disable()
#define local_irq_enable()  arch_local_irq_enable()
#define local_save_flags(flags) ((flags) = arch_local_save_flags())
#define irqs_disabled_flags(flags) (!((flags) & X86_RFLAGS_IF))
#define irqs_disabled() irqs_disabled_flags(arch_local_save_flags())

/* local_irq_save - remember whether interrupts were on, then mask them. */
#define local_irq_save(flags)                                  \
	do {                                                   \
		(flags) = arch_local_save_flags();             \
		arch_local_irq_disable();                      \
	} while (0)

/* local_irq_restore - turn interrupts back on if they were on at save. */
#define local_irq_restore(flags)                               \
	do {                                                   \
		if (!irqs_disabled_flags(flags))               \
			arch_local_irq_enable();               \
	} while (0)

typedef struct {
	volatile bool locked;
	const char *name;   /* named in the panic a recursive acquisition gives */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(n) { .locked = false, .name = #n }
#define DEFINE_SPINLOCK(n) spinlock_t n = __SPIN_LOCK_UNLOCKED(n)
#define spin_lock_init(lock) spin_lock_init_named((lock), #lock)

static inline void spin_lock_init_named(spinlock_t *lock, const char *name)
{
	lock->locked = false;
	lock->name = name;
}

/* Out of line so the panic message is built in one place (kernel/panic.c). */
void spin_lock_recursion(spinlock_t *lock) __attribute__((noreturn));

/**
 * spin_lock - take @lock without masking interrupts.
 * Context: any; the data it guards must not be touched by a handler.
 */
static inline void spin_lock(spinlock_t *lock)
{
	if (__atomic_exchange_n(&lock->locked, true, __ATOMIC_ACQUIRE))
		spin_lock_recursion(lock);
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, false, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock) { return lock->locked; }

#define spin_lock_irqsave(lock, flags)                         \
	do {                                                   \
		local_irq_save(flags);                         \
		spin_lock(lock);                               \
	} while (0)

#define spin_unlock_irqrestore(lock, flags)                    \
	do {                                                   \
		spin_unlock(lock);                             \
		local_irq_restore(flags);                      \
	} while (0)

static inline void spin_lock_irq(spinlock_t *lock)
{
	local_irq_disable();
	spin_lock(lock);
}

static inline void spin_unlock_irq(spinlock_t *lock)
{
	spin_unlock(lock);
	local_irq_enable();
}

#endif /* KERNEL_SPINLOCK_H */
