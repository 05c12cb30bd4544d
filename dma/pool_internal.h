/*
 * pool_internal.h - what dma/pool.c shows its tests, and nothing else.
 *
 * Two things: the backend seam, through which a pool gets its coherent
 * memory and files its misuse reports (the kernel's DMA API by default, a
 * fake in the host tests, so that the host build links without dma/mapping.c
 * or dma/debug.c), and the counters that prove allocation and free are O(1)
 * (docs/dma-pool.md, "Proving O(1)").
 */
#ifndef DMA_POOL_INTERNAL_H
#define DMA_POOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "dma/pool.h"

/* Where a pool's memory comes from and where its reports go. */
struct dma_pool_backend {
	/* Coherent memory: zeroed, aligned to its page order (dma_alloc_coherent). */
	void *(*alloc)(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
	/* Give it back, with the size, address and handle alloc gave. */
	void (*free)(struct device *dev, size_t size, void *vaddr, dma_addr_t handle);
	/* Debug mode (dma_debug=on): poisoning and misuse reports. */
	bool (*debug_enabled)(void);
	/* Count and print one misuse report (dma_debug_report). */
	void (*report)(const struct device *dev, const char *msg);
};

/**
 * dma_pool_set_backend - make pools created from now on use @backend.
 * @backend: the seam to use, or NULL for the default (the DMA API in the
 *           kernel; in a host build, a backend with no memory)
 *
 * A pool keeps the backend it was created with for its whole life.
 * Return: the backend in use before the call.
 */
const struct dma_pool_backend *dma_pool_set_backend(const struct dma_pool_backend *backend);

/*
 * The work one call did, in "steps": a step is one record read or written
 * by the pool's own bookkeeping (a page taken from or put on the list of
 * pages with free blocks, a word of a page's block bitmap, a slot of the
 * page index probed). Copying or checking a block's bytes is not a step: it
 * depends on the block size, never on the number of pages.
 */
struct dma_pool_counters {
	unsigned int alloc_steps;       /* the last dma_pool_alloc that found a free block */
	unsigned int alloc_steps_max;   /* the most any such call took */
	unsigned int free_steps;        /* the last dma_pool_free */
	unsigned int free_steps_max;    /* the most any dma_pool_free took */
	unsigned int index_slots;       /* slots in the page index (a power of two) */
	unsigned int index_max_probe;   /* slots the longest lookup may probe */
	unsigned long index_rebuilds;   /* times the index doubled (on a new page) */
	unsigned long refused;          /* frees ignored because they would corrupt the pool */
	unsigned int blocks_per_page;   /* blocks carved from each coherent allocation */
	size_t allocation;              /* bytes of each coherent allocation */
	size_t boundary;                /* the window no block crosses, after normalisation */
};

void dma_pool_get_counters(const struct dma_pool *pool, struct dma_pool_counters *out);

#endif /* DMA_POOL_INTERNAL_H */
