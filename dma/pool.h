/*
 * pool.h - dma_pool: many small, aligned blocks of coherent DMA memory.
 *
 * For descriptors, PRP lists and the like: dma_alloc_coherent() hands out
 * whole pages, a pool carves them into blocks of one size with an
 * alignment and a boundary no block crosses. Names and rules are Linux's
 * (include/linux/dmapool.h): align is a power of two, boundary a power of
 * two not below size (0: none), allocation and free are O(1).
 */
#ifndef DMA_POOL_H
#define DMA_POOL_H

#include <stddef.h>
#include <stdint.h>
#include "dma/dma.h"

struct dma_pool;

/**
 * dma_pool_create - a pool of @size-byte blocks for @dev.
 * @align: block alignment, a power of two (0 means 1)
 * @boundary: no block crosses a multiple of it; a power of two >= size, or 0
 * Return: the pool, or NULL after logging why (bad arguments, no memory).
 */
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
				 size_t align, size_t boundary);
/* Free the pool; with blocks still allocated it reports and keeps their pages. */
void dma_pool_destroy(struct dma_pool *pool);
/* A block: its CPU address, and its device address in *@handle. NULL if none. */
void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
/* Give a block back; @vaddr and @dma must be the pair dma_pool_alloc gave. */
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma);

struct dma_pool_stats {
	size_t block_size;        /* bytes per block, after alignment */
	unsigned long blocks;     /* blocks in all pages */
	unsigned long active;     /* blocks allocated now */
	unsigned long pages;      /* coherent allocations backing the pool */
	unsigned long errors;     /* misuse reported (debug mode) */
};

void dma_pool_get_stats(const struct dma_pool *pool, struct dma_pool_stats *out);

#endif /* DMA_POOL_H */
