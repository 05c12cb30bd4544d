/*
 * test_spinlock.c - kernel/spinlock.h on the simulated interrupt flag:
 * which calls mask interrupts, that restores put back what was there, and
 * that a lock taken twice is caught naming the lock.
 */
#include <setjmp.h>
#include "kernel/ktest.h"
#include "kernel/spinlock.h"
#include "tests/host/host_stubs.h"

static DEFINE_SPINLOCK(test_lock);

/* spin_lock leaves interrupts alone; spin_lock_irqsave masks them and
 * its restore turns them back on only if they were on. */
static void irqsave_masks_plain_does_not(struct ktest *t)
{
	unsigned long flags, inner;

	local_irq_enable();
	spin_lock(&test_lock);
	KT_EXPECT_FALSE(t, irqs_disabled());
	KT_EXPECT_TRUE(t, spin_is_locked(&test_lock));
	spin_unlock(&test_lock);
	KT_EXPECT_FALSE(t, spin_is_locked(&test_lock));

	spin_lock_irqsave(&test_lock, flags);
	KT_EXPECT_TRUE(t, irqs_disabled());
	local_irq_save(inner);          /* nested: already off */
	local_irq_restore(inner);
	KT_EXPECT_TRUE(t, irqs_disabled());
	spin_unlock_irqrestore(&test_lock, flags);
	KT_EXPECT_FALSE(t, irqs_disabled());

	local_irq_disable();            /* a caller with interrupts off keeps them off */
	spin_lock_irqsave(&test_lock, flags);
	spin_unlock_irqrestore(&test_lock, flags);
	KT_EXPECT_TRUE(t, irqs_disabled());
	local_irq_enable();
}

static void lock_irq_pair(struct ktest *t)
{
	spinlock_t l;

	spin_lock_init(&l);
	KT_EXPECT_STREQ(t, l.name, "&l");
	spin_lock_irq(&l);
	KT_EXPECT_TRUE(t, irqs_disabled());
	spin_unlock_irq(&l);
	KT_EXPECT_FALSE(t, irqs_disabled());
	KT_EXPECT_FALSE(t, spin_is_locked(&l));
}

/* Taking a held lock again would spin forever on SMP: it is reported with
 * the lock's name instead. */
static void recursion_is_caught(struct ktest *t)
{
	jmp_buf jb;
	volatile int caught = 0;

	host_spin_recursion_lock = NULL;
	host_spin_recursion_catch = &jb;
	spin_lock(&test_lock);
	if (setjmp(jb) == 0)
		spin_lock(&test_lock);
	else
		caught = 1;
	host_spin_recursion_catch = NULL;
	spin_unlock(&test_lock);
	KT_EXPECT_EQ(t, caught, 1);
	KT_EXPECT_STREQ(t, host_spin_recursion_lock, "test_lock");
}

KTEST_SUITE(spinlock, KTEST_CASE(irqsave_masks_plain_does_not), KTEST_CASE(lock_irq_pair),
	    KTEST_CASE(recursion_is_caught));
