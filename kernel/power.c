/*
 * power.c - leave QEMU through isa-debug-exit, or halt.
 */
#include "kernel/power.h"
#include "kernel/console.h"
#include "kernel/x86.h"

void power_off(enum exit_status status)
{
	irq_disable();
	outl(DEBUG_EXIT_PORT, status);
	/* Still here: no isa-debug-exit device. Park the CPU. */
	printk("*** system halted (status 0x%x); nothing more will happen\n", status);
	for (;;)
		cpu_halt();
}
