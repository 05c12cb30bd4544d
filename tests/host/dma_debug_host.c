/*
 * dma_debug_host.c - the host build's answers to the DMA-API checker's
 * questions (dma/debug_seam.h): nothing is on a stack or read-only, all
 * is RAM, the ledger grows with malloc. Tests that need other answers
 * install a table with dma_debug_set_platform(). The kernel's answers are
 * dma/debug_platform.c.
 */
#include <stdlib.h>
#include "dma/debug_seam.h"
#include "dma/internal.h"

static bool host_never(uint64_t phys, size_t size) { (void)phys; (void)size; return false; }
static bool host_always(uint64_t phys, size_t size) { (void)phys; (void)size; return true; }
static uint64_t host_sg_phys(const struct scatterlist *sg) { return sg->page_phys + sg->offset; }

static unsigned int host_max_seg_size(const struct device *dev)
{
	return dev && dev->max_seg_size ? dev->max_seg_size : DMA_DEFAULT_MAX_SEG_SIZE;
}

static uint64_t host_seg_boundary(const struct device *dev)
{
	return dev && dev->seg_boundary_mask ? dev->seg_boundary_mask : DMA_DEFAULT_SEG_BOUNDARY;
}

static const char *host_symbolize(uint64_t addr, uint64_t *offset)
{
	(void)addr;
	(void)offset;
	return NULL;
}

static void *host_chunk_alloc(size_t bytes) { return malloc(bytes); }
static void host_chunk_free(void *chunk) { free(chunk); }

/* Nothing is special on the host until a test says otherwise. */
const struct dma_debug_platform dma_debug_default_platform = {
	.chunk_alloc = host_chunk_alloc,
	.chunk_free = host_chunk_free,
	.on_stack = host_never,
	.in_kernel_ro = host_never,
	.is_ram = host_always,
	.sg_phys = host_sg_phys,
	.max_seg_size = host_max_seg_size,
	.seg_boundary = host_seg_boundary,
	.symbolize = host_symbolize,
};
