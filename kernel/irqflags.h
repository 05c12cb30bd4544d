/*
 * irqflags.h - the CPU's interrupt flag (RFLAGS.IF, Intel SDM Vol. 1,
 * 3.4.3.3), the one seam between the kernel and the host tests.
 *
 * The kernel reads and changes the real flag (pushfq, cli, sti). The host
 * tests build the same locking code against a simulated flag,
 * host_irqs_enabled in tests/host/host_stubs.c, so lock misuse found there
 * is found in the code the kernel runs. Everything else (spinlock.h) is
 * built on the four arch_ functions below; nothing else may test
 * KTEST_HOST.
 */
#ifndef KERNEL_IRQFLAGS_H
#define KERNEL_IRQFLAGS_H

#include <stdbool.h>
#include "kernel/x86.h"

#ifdef KTEST_HOST
extern bool host_irqs_enabled;   /* the simulated RFLAGS.IF */

static inline unsigned long arch_local_save_flags(void)
{
	return host_irqs_enabled ? X86_RFLAGS_IF : 0;
}
static inline void arch_local_irq_disable(void) { host_irqs_enabled = false; }
static inline void arch_local_irq_enable(void) { host_irqs_enabled = true; }
/* The host has no interrupt to wait for: enabling is all "halting" does. */
static inline void arch_safe_halt(void) { host_irqs_enabled = true; }
#else
static inline unsigned long arch_local_save_flags(void) { return read_rflags(); }
static inline void arch_local_irq_disable(void) { irq_disable(); }
static inline void arch_local_irq_enable(void) { irq_enable(); }
/* sti's one-instruction shadow makes "sti; hlt" atomic: an interrupt that
 * arrives after the caller's last check still ends the hlt. */
static inline void arch_safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
#endif

#endif /* KERNEL_IRQFLAGS_H */
