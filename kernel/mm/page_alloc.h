/*
 * page_alloc.h - physical page frames: the buddy allocator's public API.
 *
 * Every 4 KiB frame of RAM has a struct page. Free frames are kept in
 * power-of-two blocks (orders 0..MAX_ORDER) per zone:
 *
 *   ZONE_DMA32   physical [0, 4 GiB)   for devices with 32-bit masks
 *   ZONE_NORMAL  physical [4 GiB, ...)  everything else
 *
 * Names and semantics follow Linux (alloc_pages, __free_pages,
 * page_to_phys, ...), so that the DMA layer reads like Linux's.
 * Errors never crash: exhaustion returns NULL (and logs unless
 * __GFP_NOWARN), a bad free is reported, counted and ignored.
 */
#ifndef KERNEL_MM_PAGE_ALLOC_H
#define KERNEL_MM_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT   12
#define PAGE_SIZE    (1ULL << PAGE_SHIFT)
#define PAGE_MASK    (~(PAGE_SIZE - 1))
#define MAX_ORDER    10        /* largest block: 2^10 pages = 4 MiB */

#define PAGE_ALIGN(x)      (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PFN_DOWN(x)        ((x) >> PAGE_SHIFT)
#define PFN_UP(x)          (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)

#define DMA32_LIMIT  0xffffffffULL   /* last byte of ZONE_DMA32 */

typedef unsigned int gfp_t;
#define __GFP_DMA32   0x01u   /* only from ZONE_DMA32 */
#define __GFP_ZERO    0x02u   /* zero the block before returning it */
#define __GFP_NOWARN  0x04u   /* no log line when the allocation fails */
#define GFP_KERNEL    0u      /* any zone, NORMAL first */
#define GFP_DMA32     __GFP_DMA32

enum zone_type {
	ZONE_DMA32,
	ZONE_NORMAL,
	MAX_NR_ZONES,
};

struct page;   /* defined in page_alloc.c's private header */

/**
 * alloc_pages - allocate 2^@order contiguous frames.
 * @gfp: zone and behaviour flags
 * @order: 0..MAX_ORDER
 *
 * Return: the first frame's struct page, or NULL (bad order, no memory).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);

/**
 * alloc_pages_limit - like alloc_pages, but the whole block must lie at or
 * below physical address @limit (the last acceptable byte, e.g.
 * DMA_BIT_MASK(28) for a 28-bit device). Searches the zones that can hold
 * such a block; slower than alloc_pages when @limit cuts a zone.
 */
struct page *alloc_pages_limit(gfp_t gfp, unsigned int order, uint64_t limit);

/* Give back a block; @order must be the one it was allocated with. */
void __free_pages(struct page *page, unsigned int order);
/* Would __free_pages(@page, @order) be accepted? Lets a caller refuse first. */
bool page_block_freeable(const struct page *page, unsigned int order);

uint64_t page_to_phys(const struct page *page);
/* NULL if @phys is not in a frame the allocator manages. */
struct page *phys_to_page(uint64_t phys);
/* The frame's address in the direct map. */
void *page_address(const struct page *page);
struct page *virt_to_page(const void *addr);

/* Virtual-address forms: 0 on failure. */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);

struct zone_stats {
	uint64_t start, end;                /* physical range covered, [start, end) */
	uint64_t present_pages;             /* usable frames in the zone */
	uint64_t free_pages;                /* frames free now */
	uint64_t free_blocks[MAX_ORDER + 1];/* free blocks per order */
	uint64_t alloc_failures;            /* requests this zone could not satisfy */
};

void page_alloc_zone_stats(enum zone_type zone, struct zone_stats *out);
/* Bad frees (double, foreign, wrong order) reported since boot. */
uint64_t page_alloc_bad_frees(void);

/* ---- added by the memory manager: boot-time setup and debugging ---- */

/**
 * page_alloc_init - build the page array and the zones, free the mapped RAM.
 * @mapped_limit: physical addresses below this are reachable through the
 *                direct map now (BOOT_MIN_MAPPED at boot)
 *
 * Call after memmap_init(). The struct page array (16 bytes per frame up to
 * memmap_ram_end()) is carved from the highest usable RAM below
 * @mapped_limit and claimed in the memory map. Usable frames below
 * @mapped_limit become free; the rest wait for page_alloc_extend() and
 * page_alloc_release_loader(). Reads `page_poison=on` from the command
 * line. On failure (no room for the array) it logs, and every allocation
 * returns NULL.
 */
void page_alloc_init(uint64_t mapped_limit);

/**
 * page_alloc_extend - free the usable frames the direct map now reaches.
 * @mapped_limit: the direct map's new end (e.g. memmap_ram_end())
 *
 * Frees usable frames in [old limit, @mapped_limit), and loader frames there
 * too once page_alloc_release_loader() has run. A lower limit is ignored.
 */
void page_alloc_extend(uint64_t mapped_limit);

/**
 * page_alloc_release_loader - free BOOT_MEM_LOADER frames (but not the
 * kernel image, which the memory map claims apart).
 *
 * Call once the kernel runs on its own page tables and no longer reads
 * anything the loader left (boot_info is copied by kernel_main).
 */
void page_alloc_release_loader(void);

/**
 * page_alloc_set_poison - switch page poisoning on or off at run time.
 * @on: poison blocks when they are freed, check them when handed out
 *
 * Only blocks freed while poisoning is on are checked, so switching it on
 * late is safe. Return: the previous setting.
 */
bool page_alloc_set_poison(bool on);

/* Free blocks found written to (while poisoned) since boot. */
uint64_t page_alloc_poison_errors(void);

#endif /* KERNEL_MM_PAGE_ALLOC_H */
