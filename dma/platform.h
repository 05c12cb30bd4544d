/*
 * platform.h - what dma/ asks of the machine, the one seam between the DMA
 * code and the host tests (tests/host/, built with -DKTEST_HOST).
 *
 * The kernel build reaches physical memory through the direct map, keeps
 * interrupt handlers out with RFLAGS.IF and reads time_ns(). The host
 * build reaches it through the memory manager's window over host memory,
 * has no interrupts to exclude, and a clock that jumps a rate-limit window
 * per reading (so tests see every message). The string routines come from
 * the kernel or from libc. The DMA-API checker's kernel facts are a table
 * of their own (dma/debug_seam.h). Nothing else in dma/ tests KTEST_HOST;
 * kernel/irqflags.h does the same for the CPU's interrupt flag.
 */
#ifndef DMA_PLATFORM_H
#define DMA_PLATFORM_H

#include <stdint.h>
#include "dma/ratelimit.h"

#ifdef KTEST_HOST
#include <string.h>
#include "kernel/mm/page_alloc_internal.h"

static inline void *dma_plat_phys_to_virt(uint64_t phys) { return mm_phys_to_virt(phys); }
static inline uint64_t dma_plat_irq_save(void) { return 0; }
static inline void dma_plat_irq_restore(uint64_t flags) { (void)flags; }

static inline uint64_t dma_plat_now_ns(void)
{
	static uint64_t fake_ns;

	return fake_ns += DMA_RATELIMIT_INTERVAL_NS;
}
#else
#include "kernel/mm/layout.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/x86.h"

static inline void *dma_plat_phys_to_virt(uint64_t phys) { return phys_to_virt(phys); }

/* Mask interrupts, returning whether they were on. */
static inline uint64_t dma_plat_irq_save(void)
{
	uint64_t flags = read_rflags();

	irq_disable();
	return flags;
}

static inline void dma_plat_irq_restore(uint64_t flags)
{
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

static inline uint64_t dma_plat_now_ns(void) { return time_ns(); }
#endif

#endif /* DMA_PLATFORM_H */
