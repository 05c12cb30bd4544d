/*
 * timer_tick.c - the tick behind jiffies: the local APIC timer in periodic
 * mode at HZ (Intel SDM Vol. 3A, 12.5.4 "APIC Timer"), on a vector of its
 * own. Started on first use; docs/interrupts-and-time.md says why periodic.
 */
#define LOG_PREFIX "timer"
#include <stddef.h>
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/timer.h"

static struct {
	int vector;          /* the tick's vector once running */
	bool running;
	bool failed;         /* started once and could not: do not retry */
	uint64_t origin_ns;  /* time_ref_ns() just before the timer was loaded */
	unsigned long origin_jiffies;   /* jiffies then */
} tick;

static void timer_tick_irq(unsigned vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	timer_tick();
}

bool timer_tick_running(void) { return tick.running; }

void timer_tick_origin(uint64_t *ref_ns, unsigned long *j)
{
	*ref_ns = tick.origin_ns;
	*j = tick.origin_jiffies;
}

int timer_tick_start(void)
{
	unsigned long flags;
	int v, err = 0;

	if (tick.running)
		return 0;
	if (tick.failed || !lapic_ready())
		return -ENODEV;
	local_irq_save(flags);
	v = irq_alloc_vector(timer_tick_irq, NULL, "timer tick");
	tick.origin_ns = time_ref_ns();
	tick.origin_jiffies = jiffies;
	err = v < 0 ? v : lapic_timer_start((unsigned)v, HZ);
	if (err) {
		if (v >= 0)
			irq_free_vector((unsigned)v);
		tick.failed = true;
		pr_err("no tick (error %d): waits fall back to polling the clock", err);
	} else {
		tick.vector = v;
		tick.running = true;
	}
	local_irq_restore(flags);
	if (!err)
		pr_info("tick at %u Hz on vector %#x", HZ, (unsigned)v);
	return err ? -ENODEV : 0;
}
