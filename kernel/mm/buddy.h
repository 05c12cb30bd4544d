/*
 * buddy.h - the buddy allocator's core: the free lists of one zone.
 *
 * Private to kernel/mm/. The core only moves struct pages between lists
 * and states; it never touches frame contents, logs nothing and decides
 * no policy. kernel/mm/page_alloc.c puts zones, flags, poisoning and
 * error reports around it.
 */
#ifndef KERNEL_MM_BUDDY_H
#define KERNEL_MM_BUDDY_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/mm/page_alloc_internal.h"

/* One zone: a range of frames and the free blocks inside it. */
struct buddy_zone {
	struct page *map;                    /* the page array, indexed by pfn */
	uint64_t start_pfn;                  /* first frame the zone may hold */
	uint64_t end_pfn;                    /* one past the last */
	uint32_t free_head[MAX_ORDER + 1];   /* first free block of each order, or PFN_NONE */
	uint64_t free_blocks[MAX_ORDER + 1]; /* length of each free list */
	uint64_t free_pages;                 /* frames in all free blocks */
	uint64_t present_pages;              /* frames handed to the zone so far */
};

/* An empty zone over [@start_pfn, @end_pfn) of @map. */
void buddy_init(struct buddy_zone *z, struct page *map, uint64_t start_pfn,
		uint64_t end_pfn);

/*
 * Hand the unmanaged frames [@start_pfn, @end_pfn) to the zone as free
 * memory, in the largest aligned blocks that fit, merged with free
 * neighbours. Frames outside the zone are ignored.
 */
void buddy_add_range(struct buddy_zone *z, uint64_t start_pfn, uint64_t end_pfn);

/*
 * Take a block of 2^@order frames that ends at or below frame @end_limit
 * (pass z->end_pfn or more for "anywhere"). On success *@pfn is its first
 * frame, now PAGE_ALLOCATED; its PAGE_POISONED flag says whether its
 * contents were poisoned while it was free.
 */
bool buddy_alloc(struct buddy_zone *z, unsigned int order, uint64_t end_limit,
		 uint64_t *pfn);

/*
 * Why freeing (@pfn, @order) would be wrong, or NULL if it is a block this
 * zone handed out with that order. Checks only; changes nothing.
 */
const char *buddy_free_problem(const struct buddy_zone *z, uint64_t pfn,
			       unsigned int order);

/*
 * Give back an allocated block (check it with buddy_free_problem() first)
 * and merge it with its free buddies. @poisoned: its contents now hold
 * the poison pattern.
 */
void buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned int order, bool poisoned);

#endif /* KERNEL_MM_BUDDY_H */
