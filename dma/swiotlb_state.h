/*
 * swiotlb_state.h - the bounce pool's state, shared by dma/swiotlb_init.c
 * (which builds it at boot) and dma/swiotlb.c (which maps through it).
 * Private to those two files.
 */
#ifndef DMA_SWIOTLB_STATE_H
#define DMA_SWIOTLB_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "dma/swiotlb_slots.h"

struct swiotlb_state {
	struct swiotlb_pool pool;     /* the slot allocator over areas[] */
	struct swiotlb_area *areas;   /* kmalloc'd; pool.nareas of them in use */
	unsigned int max_areas;       /* capacity of areas[] */
	uint64_t base, end;           /* lowest area's start, highest area's end */
	bool ready;                   /* swiotlb_init() succeeded */
};

extern struct swiotlb_state swiotlb;

/* Keep interrupt handlers (which may unmap) out while the pool changes. */
uint64_t swiotlb_lock(void);
void swiotlb_unlock(uint64_t flags);

#endif /* DMA_SWIOTLB_STATE_H */
