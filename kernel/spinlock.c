/*
 * spinlock.c - the one out-of-line piece of kernel/spinlock.h: the report
 * for a lock taken twice on this CPU, which would spin forever on SMP.
 */
#include "kernel/panic.h"
#include "kernel/spinlock.h"

void spin_lock_recursion(spinlock_t *lock)
{
	panic("spinlock %s: taken again while held on this CPU (a deadlock on SMP); "
	      "an interrupt handler needs the holder to use spin_lock_irqsave",
	      lock->name ? lock->name : "(unnamed)");
}
