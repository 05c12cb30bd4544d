/*
 * debug_seam.h - what the DMA-API checker (dma/debug_*.c) asks of the rest of
 * the kernel, gathered in one table so that host tests can answer instead.
 *
 * A few checks need facts only the running kernel knows: is this physical
 * range on a kernel stack, in kernel code, in RAM at all; what are a
 * device's segment limits; which function holds a code address. The
 * kernel build answers from its stacks, linker symbols, memory map and
 * symbol table (dma/debug_platform.c). The host build answers "nothing is
 * special" (tests/host/dma_debug_host.c) until a test installs a table of
 * its own with dma_debug_set_platform().
 *
 * Private to dma/debug_*.c and its tests; drivers use dma/debug.h.
 */
#ifndef DMA_DEBUG_SEAM_H
#define DMA_DEBUG_SEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/dma.h"
#include "dma/scatterlist.h"

/* Ledger entries, one per live mapping, sg segment or allocation: this many
 * preallocated, then more in chunks of DMA_DEBUG_CHUNK_BYTES as needed. */
#define DMA_DEBUG_INITIAL_ENTRIES 8192u
#define DMA_DEBUG_CHUNK_BYTES     65536u

/* Hash buckets: each covers 2^DMA_DEBUG_HASH_SHIFT bytes of device addresses. */
#define DMA_DEBUG_HASH_BITS  12u
#define DMA_DEBUG_HASH_SIZE  (1u << DMA_DEBUG_HASH_BITS)
#define DMA_DEBUG_HASH_SHIFT 13u

/* Longest report kept by dma_debug_last_report(), terminator included. */
#define DMA_DEBUG_REPORT_MAX 400u

struct dma_debug_platform {
	/* Memory for DMA_DEBUG_CHUNK_BYTES more entries (NULL if none), and its
	 * release. Called with interrupts off, perhaps from an interrupt. */
	void *(*chunk_alloc)(size_t bytes);
	void (*chunk_free)(void *chunk);
	/* Does [phys, phys + size) overlap a kernel stack? */
	bool (*on_stack)(uint64_t phys, size_t size);
	/* Does it overlap kernel code or read-only data? */
	bool (*in_kernel_ro)(uint64_t phys, size_t size);
	/* Is all of it RAM (not MMIO, not a hole in the memory map)? */
	bool (*is_ram)(uint64_t phys, size_t size);
	/* Physical address of a scatterlist entry's piece. */
	uint64_t (*sg_phys)(const struct scatterlist *sg);
	/* The device's segment limits, as dma_get_max_seg_size() and
	 * dma_get_seg_boundary() give them. */
	unsigned int (*max_seg_size)(const struct device *dev);
	uint64_t (*seg_boundary)(const struct device *dev);
	/* Name of the function containing code address @addr, NULL if unknown;
	 * *@offset is set to @addr minus its start. */
	const char *(*symbolize)(uint64_t addr, uint64_t *offset);
};

/* The build's own answers: the kernel's, or the host tests'. */
extern const struct dma_debug_platform dma_debug_default_platform;

/* Answer the checker's questions with @plat from now on; NULL restores the
 * build's own answers. Takes effect at once, even on a live ledger. */
void dma_debug_set_platform(const struct dma_debug_platform *plat);

/* Entries free in the ledger now, and the fewest there ever were. */
unsigned long dma_debug_free_entries(void);
unsigned long dma_debug_min_free_entries(void);
/* Entries the ledger has, free or live (it grows on demand). */
unsigned long dma_debug_capacity(void);

#endif /* DMA_DEBUG_SEAM_H */
