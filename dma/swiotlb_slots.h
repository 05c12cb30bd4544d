/*
 * swiotlb_slots.h - the bounce pool's bookkeeping, without the memory.
 *
 * The pool is a set of areas; each area is a run of 2 KiB slots
 * (IO_TLB_SIZE) with one struct swiotlb_slot of metadata per slot. This
 * file's functions decide which slots a mapping gets, remember which
 * mapping owns each slot and where its original buffer is, and give the
 * slots back. They never touch the slots' memory, never log and never
 * allocate: dma/swiotlb.c owns the memory, the copies and the messages,
 * and the host tests (tests/host/test_swiotlb.c) drive this part alone.
 *
 * The data structure and its invariants are explained at the top of
 * dma/swiotlb.c and in docs/swiotlb.md.
 */
#ifndef DMA_SWIOTLB_SLOTS_H
#define DMA_SWIOTLB_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/internal.h"

#define SWIOTLB_SLOT_MASK  ((uint64_t)IO_TLB_SIZE - 1)        /* offset inside a slot */
#define SWIOTLB_MAX_BYTES  ((size_t)IO_TLB_SEGSIZE * IO_TLB_SIZE) /* 256 KiB: one mapping's slots */
#define SWIOTLB_RUN_CAP    IO_TLB_SEGSIZE   /* free-run counts stop here: no mapping needs more */
#define SWIOTLB_ALLOC_ALIGN_MAX 0xffffULL   /* largest alloc_align_mask: the pad is 16 bits */

/*
 * Metadata of one slot: 16 bytes per 2 KiB slot (0.8% of the pool).
 * The first slot of a mapping, its head, describes the whole mapping;
 * the others only say how far back their head is.
 */
struct swiotlb_slot {
	uint64_t orig;      /* head: physical address of the original buffer */
	uint32_t size : 24; /* head: bytes mapped, as the map call asked */
	uint32_t tail : 8;  /* head: slots held past the copy's last one, so that an
	                       aligned mapping also ends on its alignment */
	uint16_t pad;       /* head: bytes from the slot's start to the bounce address */
	uint8_t free_run;   /* free slot: free slots from here on, capped at SWIOTLB_RUN_CAP;
	                       0 means the slot is in use */
	uint8_t head_dist;  /* slot in use: how many slots back its mapping's head is */
};

_Static_assert(sizeof(struct swiotlb_slot) == 16, "struct swiotlb_slot must stay at 16 bytes");

/* A physically contiguous run of slots; mappings never cross areas. */
struct swiotlb_area {
	uint64_t base;               /* physical address of slot 0 (a multiple of IO_TLB_SIZE) */
	unsigned int nslots;         /* slots in the area */
	unsigned int used;           /* slots in use */
	struct swiotlb_slot *slots;  /* nslots entries of metadata */
};

/* The whole pool: its areas and its statistics. */
struct swiotlb_pool {
	struct swiotlb_area *areas;  /* sorted by base, not overlapping */
	unsigned int nareas;         /* entries in areas[] */
	unsigned long nslots;        /* slots in all areas */
	unsigned long used;          /* slots in use now */
	unsigned long high_water;    /* most slots ever in use at once */
	unsigned long mappings;      /* live mappings */
	unsigned long full;          /* requests refused because the slots were taken */
};

/* What a mapping needs: swiotlb_pool_alloc() finds slots that satisfy all of it. */
struct swiotlb_req {
	uint64_t orig;            /* physical address of the buffer to bounce */
	size_t size;              /* its bytes */
	uint64_t min_align_mask;  /* address bits the bounce copy keeps (0: none) */
	uint64_t boundary_mask;   /* the copy may not cross a multiple of mask + 1 (0: no limit) */
	uint64_t alloc_align_mask; /* the slot run starts and ends on a multiple of mask + 1,
	                              so it shares no IOMMU granule (0: slots; at most
	                              SWIOTLB_ALLOC_ALIGN_MAX) */
	uint64_t limit;           /* last byte the device reaches: every slot lies at or below it */
};

/* One live mapping, as the pool recorded it. */
struct swiotlb_mapping {
	uint64_t orig;        /* physical address of the original buffer */
	uint64_t tlb;         /* the bounce copy's address: what the device gets */
	size_t size;          /* bytes mapped */
	unsigned int nslots;  /* slots it holds */
	uint64_t slot_base;   /* physical address of its first slot */
};

/**
 * swiotlb_align_pad - bytes between the first slot's start and the bounce address.
 * @orig: the original buffer's physical address
 * @min_align_mask: the device's mask; a mask that is not 2^n - 1 counts as
 *                  the smallest 2^n - 1 covering it
 * @alloc_align_mask: the run's alignment (0: a slot)
 *
 * Return: the bits of @orig under the mask that lie inside one slot, or
 * inside one alignment unit when the run is aligned to more than a slot.
 */
unsigned int swiotlb_align_pad(uint64_t orig, uint64_t min_align_mask,
			       uint64_t alloc_align_mask);

/* Slots a mapping for @req holds, alignment tail included (more than
 * IO_TLB_SEGSIZE: too big). */
unsigned long swiotlb_slots_needed(const struct swiotlb_req *req);

/**
 * swiotlb_slots_max_size - the largest mapping a device may count on.
 * @min_align_mask: the device's mask (treated as 2^n - 1, as everywhere)
 *
 * Return: IO_TLB_SEGSIZE slots' worth less the mask rounded up to whole
 * slots (Linux's rule): a multiple of IO_TLB_SIZE, and of mask + 1 for
 * masks of at least a slot, that fits whatever the original's address,
 * even in an area of IO_TLB_SEGSIZE slots. A mask of 2^18 - 1 or more,
 * which would leave nothing, gets IO_TLB_SIZE (no real device has one).
 */
size_t swiotlb_slots_max_size(uint64_t min_align_mask);

/**
 * swiotlb_area_setup - describe an area whose slots are all free.
 * @area: filled in
 * @base: physical address of its first slot, a multiple of IO_TLB_SIZE
 * @nslots: slots in it, at least 1
 * @slots: @nslots entries of metadata, overwritten
 */
void swiotlb_area_setup(struct swiotlb_area *area, uint64_t base, unsigned int nslots,
			struct swiotlb_slot *slots);

/**
 * swiotlb_pool_init - make a pool of areas prepared by swiotlb_area_setup().
 * @pool: filled in; statistics start at zero
 * @areas: sorted here by base; they must not overlap
 * @nareas: entries in @areas (0 gives an empty pool that refuses everything)
 */
void swiotlb_pool_init(struct swiotlb_pool *pool, struct swiotlb_area *areas,
		       unsigned int nareas);

/**
 * swiotlb_pool_alloc - take slots for one mapping and record it.
 * @pool: the pool
 * @req: the original buffer and the device's constraints
 * @out: the new mapping, on success
 *
 * Takes the first fitting run of free slots in the highest area that has
 * one, so that low slots stay free for devices that can only reach them.
 *
 * Return: 0; -EINVAL for a size of 0 or an alloc_align_mask over
 * SWIOTLB_ALLOC_ALIGN_MAX; -E2BIG if the mapping needs more than
 * IO_TLB_SEGSIZE slots; -ERANGE if no slot of the pool could ever satisfy
 * @req (its limit, alignment or boundary), even with the pool empty;
 * -ENOSPC if such slots exist but are taken now (counted in pool->full).
 * On failure nothing changes but that counter.
 */
int swiotlb_pool_alloc(struct swiotlb_pool *pool, const struct swiotlb_req *req,
		       struct swiotlb_mapping *out);

/**
 * swiotlb_pool_find - the live mapping that holds [@tlb, @tlb + @size).
 * @out: that mapping; also filled in on -ERANGE, to name it in a message
 *
 * Return: 0; -EFAULT if @tlb is outside every area; -ENOENT if no live
 * mapping holds @tlb; -ERANGE if the range starts in a mapping's slots but
 * does not lie inside the mapping (before its start or past its end).
 */
int swiotlb_pool_find(const struct swiotlb_pool *pool, uint64_t tlb, size_t size,
		      struct swiotlb_mapping *out);

/**
 * swiotlb_pool_check_free - would swiotlb_pool_free(@tlb, @size) succeed?
 * @out: the mapping @tlb falls in, when there is one
 *
 * Return: 0; -EFAULT or -ENOENT as for swiotlb_pool_find(); -ERANGE if @tlb
 * is inside a mapping but is not its start; -EINVAL if @size is not the
 * mapping's size.
 */
int swiotlb_pool_check_free(const struct swiotlb_pool *pool, uint64_t tlb, size_t size,
			    struct swiotlb_mapping *out);

/* Check as above, then give the mapping's slots back. On error nothing changes. */
int swiotlb_pool_free(struct swiotlb_pool *pool, uint64_t tlb, size_t size,
		      struct swiotlb_mapping *out);

/* True if @phys lies inside one of the pool's areas. */
bool swiotlb_pool_contains(const struct swiotlb_pool *pool, uint64_t phys);

/* Slots lying wholly at or below @limit, used or not. */
unsigned long swiotlb_pool_slots_below(const struct swiotlb_pool *pool, uint64_t limit);

/**
 * swiotlb_pool_check - verify every invariant of the pool (for tests).
 * Return: NULL if consistent, else a description of the first problem.
 */
const char *swiotlb_pool_check(const struct swiotlb_pool *pool);

#endif /* DMA_SWIOTLB_SLOTS_H */
