/*
 * page_alloc_internal.h - what the memory manager's own files share.
 *
 * struct page, the frame states the buddy allocator keeps in it, and the
 * memory window through which the allocator reaches frame contents. Only
 * kernel/mm/ and the memory manager's tests include this file; everyone
 * else sees struct page as an opaque type (kernel/mm/page_alloc.h).
 */
#ifndef KERNEL_MM_PAGE_ALLOC_INTERNAL_H
#define KERNEL_MM_PAGE_ALLOC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/mm/page_alloc.h"

/*
 * Frame numbers are stored in 32 bits: that covers 16 TiB of physical
 * memory, and keeps struct page at 16 bytes.
 */
#define PFN_NONE           UINT32_MAX          /* "no frame": ends a free list */
#define PAGE_ALLOC_MAX_PFN ((uint64_t)PFN_NONE) /* frames from here on are ignored */
#define MM_NO_PHYS         UINT64_MAX          /* "not a physical address we know" */

/* What a frame is, as far as the buddy allocator is concerned. */
enum page_state {
	PAGE_UNMANAGED = 0, /* not the allocator's: hole, firmware, kernel, unmapped */
	PAGE_INNER,         /* managed, inside a block whose first frame speaks for it */
	PAGE_FREE,          /* first frame of a free block, on its order's free list */
	PAGE_ALLOCATED,     /* first frame of an allocated block */
};

/* page->flags */
#define PAGE_POISONED  0x01u  /* free block filled with PAGE_POISON_WORD when freed */

/* Who holds an allocated block, beyond "someone called alloc_pages". */
enum page_owner {
	PAGE_OWNER_NONE = 0,    /* plain alloc_pages() block, or not allocated */
	PAGE_OWNER_SLAB,        /* a kmalloc slab; page->private is its size class */
	PAGE_OWNER_KMALLOC,     /* a large kmalloc() served by whole pages */
};

/*
 * One per 4 KiB frame of RAM, in one array indexed by frame number. 16
 * bytes, so 0.4% of memory: 32 MiB for a machine whose RAM ends at 8 GiB.
 * Only the first frame of a block (its head) carries meaning in state,
 * order and flags; the others are PAGE_INNER. The free list runs through
 * these structures, never through the free memory itself.
 */
struct page {
	uint32_t next;      /* free list: pfn of the next block of this order, or PFN_NONE */
	uint32_t prev;      /* free list: pfn of the previous block, or PFN_NONE */
	uint8_t state;      /* enum page_state */
	uint8_t order;      /* block size as a power of two, for FREE and ALLOCATED heads */
	uint8_t flags;      /* PAGE_POISONED */
	uint8_t owner;      /* enum page_owner, kept by kmalloc on every frame it holds */
	uint32_t private;   /* the owner's word: kmalloc's size class for a slab */
};

_Static_assert(sizeof(struct page) == 16, "struct page must stay at 16 bytes");

/* The frame @pfn, or NULL if the page array does not cover it. */
struct page *pfn_to_page(uint64_t pfn);
uint64_t page_to_pfn(const struct page *page);

/*
 * The memory window: how the allocator turns a physical address into a
 * pointer and back. In the kernel that is the direct map
 * (kernel/mm/layout.h); mm_virt_to_phys() is stricter than virt_to_phys()
 * and answers MM_NO_PHYS for an address outside the direct map and the
 * kernel image. Host builds (KTEST_HOST) get both from
 * tests/host/host_stubs.c, which backs "physical memory" with an
 * ordinary mapping.
 */
void *mm_phys_to_virt(uint64_t phys);
uint64_t mm_virt_to_phys(const void *addr);

#endif /* KERNEL_MM_PAGE_ALLOC_INTERNAL_H */
