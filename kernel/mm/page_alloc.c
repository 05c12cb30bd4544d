/*
 * page_alloc.c - physical page frames: zones, policy and checks around the
 * buddy core.
 *
 * The pieces, from the bottom up:
 *
 *   memory map (memmap.c)   which physical ranges are RAM, and whose
 *   page array              one struct page per 4 KiB frame, from frame 0
 *                           to the end of RAM, holes included (so a frame
 *                           number is simply an index). It is carved at
 *                           boot from the highest usable RAM below the
 *                           mapped limit and claimed in the memory map.
 *   zones (buddy.c)         ZONE_DMA32 holds frames below 4 GiB, for
 *                           devices with 32-bit DMA masks; ZONE_NORMAL the
 *                           rest. Each is a struct buddy_zone over its
 *                           slice of the page array.
 *
 * Frames join the zones in three steps, because at first only part of
 * memory can be reached: page_alloc_init() gives them the usable RAM the
 * boot direct map covers (the first 4 GiB); page_alloc_extend() the rest
 * once the full direct map is live; page_alloc_release_loader() the
 * loader's memory once the kernel runs on its own page tables. Until then
 * a frame is PAGE_UNMANAGED and nothing hands it out.
 *
 * Policy: GFP_KERNEL tries ZONE_NORMAL first and falls back to ZONE_DMA32,
 * so low memory stays free for the devices that need it. __GFP_DMA32 uses
 * ZONE_DMA32 only. alloc_pages_limit() skips zones that start above the
 * limit and, in a zone the limit cuts, looks for a block low enough.
 *
 * Checks: every free is checked before the buddy core sees it. A free of
 * something that is not an allocated block of that order (a double free,
 * a wrong order, a misaligned or foreign frame) is logged with its
 * address, counted and otherwise ignored: the allocator's state does not
 * change. With `page_poison=on` (or page_alloc_set_poison()), freed blocks
 * are filled with a pattern and checked when they are handed out again,
 * so a write through a stale pointer is reported.
 *
 * There is no locking: the kernel runs on one CPU and nothing allocates
 * from interrupt handlers yet.
 */
#define LOG_PREFIX "mm"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/buddy.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc_internal.h"
#ifndef KTEST_HOST
#include "kernel/mm/layout.h"
#endif

#define DMA32_END_PFN     PFN_DOWN(DMA32_LIMIT + 1)   /* first frame of ZONE_NORMAL */
#define PAGE_POISON_WORD  0x6567617065657266ULL      /* reads "freepage" in a hex dump */
#define PAGE_WORDS        (PAGE_SIZE / sizeof(uint64_t))
#define PA_KIB_SHIFT      10
#define PA_MIB_SHIFT      20

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_DMA32]  = "DMA32",
	[ZONE_NORMAL] = "Normal",
};

/* Everything the page allocator knows. */
static struct page_alloc_state {
	struct page *map;                      /* struct page of every frame in [0, nr_pfns) */
	uint64_t nr_pfns;                      /* frames the array covers: up to the end of RAM */
	uint64_t map_phys;                     /* where the array itself lives */
	struct buddy_zone zones[MAX_NR_ZONES]; /* the free lists, per zone */
	uint64_t alloc_failures[MAX_NR_ZONES]; /* requests each zone could not satisfy */
	uint64_t mapped_limit;                 /* usable frames below this are managed */
	bool loader_released;                  /* BOOT_MEM_LOADER frames joined the zones */
	bool poison;                           /* poison freed blocks, check them on reuse */
	uint64_t bad_frees;                    /* frees refused since boot */
	uint64_t poison_errors;                /* free blocks found written to */
} pa;

/* ---- the memory window ---- */

#ifndef KTEST_HOST
/* Frame contents are reached through the direct map (kernel/mm/layout.h). */
void *mm_phys_to_virt(uint64_t phys)
{
	return phys_to_virt(phys);
}

/* Like virt_to_phys(), but says MM_NO_PHYS for pointers that are in neither view. */
uint64_t mm_virt_to_phys(const void *addr)
{
	uintptr_t v = (uintptr_t)addr;

	if (v >= (uintptr_t)__kernel_start && v < (uintptr_t)__kernel_end)
		return virt_to_phys(addr);
	if (v >= BOOT_DIRECT_MAP_BASE && v - BOOT_DIRECT_MAP_BASE < (pa.nr_pfns << PAGE_SHIFT))
		return v - BOOT_DIRECT_MAP_BASE;
	return MM_NO_PHYS;
}
#endif

/* ---- frames and their struct pages ---- */

/* A frame number is an index into the array; past its end there is nothing. */
struct page *pfn_to_page(uint64_t pfn)
{
	return pfn < pa.nr_pfns ? &pa.map[pfn] : NULL;
}

/* The inverse: a struct page's position in the array is its frame number. */
uint64_t page_to_pfn(const struct page *page)
{
	return (uint64_t)(page - pa.map);
}

/* Devices and page tables want addresses, not frame numbers. */
uint64_t page_to_phys(const struct page *page)
{
	return page_to_pfn(page) << PAGE_SHIFT;
}

/* The struct page of a managed frame; unmanaged frames have none to offer. */
struct page *phys_to_page(uint64_t phys)
{
	struct page *page = pfn_to_page(PFN_DOWN(phys));

	return page && page->state != PAGE_UNMANAGED ? page : NULL;
}

/* Every managed frame is in the direct map, so its address is a sum. */
void *page_address(const struct page *page)
{
	return mm_phys_to_virt(page_to_phys(page));
}

/* Any pointer at all: NULL unless it lands in a managed frame. */
struct page *virt_to_page(const void *addr)
{
	uint64_t phys = mm_virt_to_phys(addr);

	return phys == MM_NO_PHYS ? NULL : phys_to_page(phys);
}

/* Is @page an element of the page array, and not just any pointer? */
static bool page_in_array(const struct page *page)
{
	uintptr_t p = (uintptr_t)page, base = (uintptr_t)pa.map;

	return pa.map && p >= base && p - base < pa.nr_pfns * sizeof(struct page) &&
	       (p - base) % sizeof(struct page) == 0;
}

/* The zone a frame belongs to, by address alone. */
static enum zone_type page_zone(uint64_t pfn)
{
	return pfn < DMA32_END_PFN ? ZONE_DMA32 : ZONE_NORMAL;
}

/* ---- poison and zero: the only places frame contents are touched ---- */

/* Fill 2^@order frames at @pfn with @word, a word at a time. */
static void page_fill(uint64_t pfn, unsigned int order, uint64_t word)
{
	uint64_t *w = mm_phys_to_virt(pfn << PAGE_SHIFT);
	uint64_t i, n = PAGE_WORDS << order;

	for (i = 0; i < n; i++)
		w[i] = word;
}

/* A poisoned block must still hold only poison: anything else was written after free. */
static void page_check_poison(uint64_t pfn, unsigned int order)
{
	const uint64_t *w = mm_phys_to_virt(pfn << PAGE_SHIFT);
	uint64_t i, n = PAGE_WORDS << order;

	for (i = 0; i < n && w[i] == PAGE_POISON_WORD; i++)
		;
	if (i == n)
		return;
	pa.poison_errors++;
	pr_err("free memory was written: phys 0x%llx holds 0x%016llx instead of poison "
	       "(block 0x%llx, order %u; a write after free?)",
	       (unsigned long long)((pfn << PAGE_SHIFT) + i * sizeof(uint64_t)),
	       (unsigned long long)w[i], (unsigned long long)(pfn << PAGE_SHIFT), order);
}

/* ---- allocation ---- */

/* Hand out the block at @pfn: check its poison, zero it if asked. */
static struct page *page_hand_out(uint64_t pfn, unsigned int order, gfp_t gfp)
{
	struct page *page = &pa.map[pfn];

	if (page->flags & PAGE_POISONED)
		page_check_poison(pfn, order);
	page->flags = 0;
	if (gfp & __GFP_ZERO)
		page_fill(pfn, order, 0);
	return page;
}

/* Try one zone; a zone with memory that cannot help counts a failure. */
static bool page_zone_alloc(enum zone_type zt, unsigned int order, uint64_t end_limit,
			    uint64_t *pfn)
{
	struct buddy_zone *z = &pa.zones[zt];

	if (z->present_pages == 0 || z->start_pfn >= end_limit)
		return false;
	if (buddy_alloc(z, order, end_limit, pfn))
		return true;
	pa.alloc_failures[zt]++;
	return false;
}

/* Say what was asked and what is left, so the log line explains itself. */
static void page_report_failure(gfp_t gfp, unsigned int order, uint64_t limit)
{
	unsigned long long kib = (PAGE_SIZE << order) >> PA_KIB_SHIFT;
	unsigned long long dma = pa.zones[ZONE_DMA32].free_pages << PAGE_SHIFT >> PA_KIB_SHIFT;
	unsigned long long normal = pa.zones[ZONE_NORMAL].free_pages << PAGE_SHIFT >> PA_KIB_SHIFT;
	const char *zones = gfp & __GFP_DMA32 ? "ZONE_DMA32" : "any zone";

	if (limit == UINT64_MAX)
		pr_warn("out of memory: no block of order %u (%llu KiB) in %s; "
			"free: DMA32 %llu KiB, Normal %llu KiB", order, kib, zones, dma, normal);
	else
		pr_warn("out of memory: no block of order %u (%llu KiB) in %s ending at or "
			"below 0x%llx; free: DMA32 %llu KiB, Normal %llu KiB", order, kib, zones,
			(unsigned long long)limit, dma, normal);
}

/* The one allocation path: zone order, limit, hand-out checks, failure report. */
struct page *alloc_pages_limit(gfp_t gfp, unsigned int order, uint64_t limit)
{
	uint64_t end_limit = limit == UINT64_MAX ? UINT64_MAX : PFN_DOWN(limit + 1);
	uint64_t pfn;

	if (order > MAX_ORDER) {
		pr_err("alloc_pages: order %u is above MAX_ORDER (%u)", order, MAX_ORDER);
		return NULL;
	}
	if (!(gfp & __GFP_DMA32) && page_zone_alloc(ZONE_NORMAL, order, end_limit, &pfn))
		return page_hand_out(pfn, order, gfp);
	if (page_zone_alloc(ZONE_DMA32, order, end_limit, &pfn))
		return page_hand_out(pfn, order, gfp);
	if (!(gfp & __GFP_NOWARN))
		page_report_failure(gfp, order, limit);
	return NULL;
}

/* No limit beyond the zones the flags allow. */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return alloc_pages_limit(gfp, order, UINT64_MAX);
}

/* For callers that want an address rather than a struct page. */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

/* ---- free ---- */

/* Why freeing (@page, @order) would be wrong, or NULL if it is fine. */
static const char *page_free_problem(const struct page *page, unsigned int order)
{
	uint64_t pfn;
	const char *problem;

	if (!page_in_array(page))
		return "not a struct page of this allocator";
	pfn = page_to_pfn(page);
	problem = buddy_free_problem(&pa.zones[page_zone(pfn)], pfn, order);
	if (!problem && page->owner != PAGE_OWNER_NONE)
		problem = "the block belongs to kmalloc: free it with kfree()";
	return problem;
}

/* Log a refused free with the address, and count it. */
static void page_report_bad_free(const struct page *page, unsigned int order,
				 const char *problem)
{
	pa.bad_frees++;
	if (!page_in_array(page)) {
		pr_err("bad free of struct page %p (order %u): %s", (const void *)page,
		       order, problem);
		return;
	}
	if (page->state == PAGE_ALLOCATED && page->order != order && order <= MAX_ORDER)
		pr_err("bad free of phys 0x%llx with order %u: %s (it has order %u)",
		       (unsigned long long)page_to_phys(page), order, problem, page->order);
	else
		pr_err("bad free of phys 0x%llx with order %u: %s",
		       (unsigned long long)page_to_phys(page), order, problem);
}

/* Check first, then poison, then let the core merge: a bad free changes nothing. */
void __free_pages(struct page *page, unsigned int order)
{
	const char *problem = page_free_problem(page, order);
	uint64_t pfn;

	if (problem) {
		page_report_bad_free(page, order, problem);
		return;
	}
	pfn = page_to_pfn(page);
	if (pa.poison)
		page_fill(pfn, order, PAGE_POISON_WORD);
	buddy_free(&pa.zones[page_zone(pfn)], pfn, order, pa.poison);
}

/* The address form: it must be exactly where a block starts; 0 is a no-op like free(NULL). */
void free_pages(unsigned long addr, unsigned int order)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page((const void *)addr);
	if (!page || page_address(page) != (void *)addr) {
		pa.bad_frees++;
		pr_err("bad free of address 0x%lx with order %u: not the start of a "
		       "managed page", addr, order);
		return;
	}
	__free_pages(page, order);
}

/* ---- statistics ---- */

/* A copy, so callers can compare snapshots taken before and after. */
void page_alloc_zone_stats(enum zone_type zone, struct zone_stats *out)
{
	const struct buddy_zone *z;
	unsigned int order;

	*out = (struct zone_stats){ 0 };
	if (zone >= MAX_NR_ZONES)
		return;
	z = &pa.zones[zone];
	out->start = z->start_pfn << PAGE_SHIFT;
	out->end = z->end_pfn << PAGE_SHIFT;
	out->present_pages = z->present_pages;
	out->free_pages = z->free_pages;
	for (order = 0; order <= MAX_ORDER; order++)
		out->free_blocks[order] = z->free_blocks[order];
	out->alloc_failures = pa.alloc_failures[zone];
}

/* Tests check that each provoked mistake was seen exactly once. */
uint64_t page_alloc_bad_frees(void)
{
	return pa.bad_frees;
}

/* Likewise for writes after free caught by poisoning. */
uint64_t page_alloc_poison_errors(void)
{
	return pa.poison_errors;
}

/* Safe at any time: only blocks freed while it is on are checked. */
bool page_alloc_set_poison(bool on)
{
	bool was = pa.poison;

	pa.poison = on;
	return was;
}

/* ---- boot ---- */

/* Frames managed by all zones together. */
static uint64_t page_present_total(void)
{
	return pa.zones[ZONE_DMA32].present_pages + pa.zones[ZONE_NORMAL].present_pages;
}

/* Log each zone: its span, and how much of it is present and free. */
static void page_log_zones(void)
{
	const struct buddy_zone *z;
	enum zone_type zt;

	for (zt = 0; zt < MAX_NR_ZONES; zt++) {
		z = &pa.zones[zt];
		if (z->start_pfn == z->end_pfn) {
			pr_info("zone %-6s empty (no RAM in its range)", zone_names[zt]);
			continue;
		}
		pr_info("zone %-6s [mem 0x%016llx-0x%016llx]: %llu MiB present, %llu MiB free",
			zone_names[zt], (unsigned long long)(z->start_pfn << PAGE_SHIFT),
			(unsigned long long)((z->end_pfn << PAGE_SHIFT) - 1),
			(unsigned long long)(z->present_pages << PAGE_SHIFT >> PA_MIB_SHIFT),
			(unsigned long long)(z->free_pages << PAGE_SHIFT >> PA_MIB_SHIFT));
	}
}

/* Give the zones every frame of @type inside [@lo, @hi); returns the bytes added. */
static uint64_t page_manage(uint32_t type, uint64_t lo, uint64_t hi)
{
	const struct memmap_region *r;
	uint64_t before = page_present_total(), b, e;
	uint32_t i;

	if (hi > pa.nr_pfns << PAGE_SHIFT)
		hi = pa.nr_pfns << PAGE_SHIFT;
	for (i = 0; (r = memmap_get(i)) != NULL; i++) {
		b = r->base > lo ? r->base : lo;
		e = r->end < hi ? r->end : hi;
		if (r->type != type || b >= e)
			continue;
		buddy_add_range(&pa.zones[ZONE_DMA32], PFN_UP(b), PFN_DOWN(e));
		buddy_add_range(&pa.zones[ZONE_NORMAL], PFN_UP(b), PFN_DOWN(e));
	}
	return (page_present_total() - before) << PAGE_SHIFT;
}

/* Carve the page array from usable RAM below @mapped_limit; every frame starts unmanaged. */
static int page_array_init(uint64_t mapped_limit)
{
	uint64_t pfn, bytes;

	pa.nr_pfns = PFN_UP(memmap_ram_end());
	if (pa.nr_pfns > PAGE_ALLOC_MAX_PFN) {
		pr_warn("RAM above 0x%llx is ignored: frame numbers are 32 bits",
			(unsigned long long)(PAGE_ALLOC_MAX_PFN << PAGE_SHIFT));
		pa.nr_pfns = PAGE_ALLOC_MAX_PFN;
	}
	bytes = pa.nr_pfns * sizeof(struct page);
	if (memmap_alloc_early(bytes, mapped_limit, MEMMAP_PAGE_ARRAY, &pa.map_phys)) {
		pr_err("no room for the page array (%llu KiB) below 0x%llx: no page allocator",
		       (unsigned long long)(bytes >> PA_KIB_SHIFT),
		       (unsigned long long)mapped_limit);
		pa.nr_pfns = 0;
		return -ENOMEM;
	}
	pa.map = mm_phys_to_virt(pa.map_phys);
	for (pfn = 0; pfn < pa.nr_pfns; pfn++)
		pa.map[pfn] = (struct page){ .next = PFN_NONE, .prev = PFN_NONE };
	return 0;
}

CMDLINE_PARAM(page_poison, "page_poison", CMDLINE_BOOL,
	      "fill freed pages with poison and check it when they are handed out again");

/* Boot step 1: the array, the zones, and the usable RAM the boot direct map reaches. */
void page_alloc_init(uint64_t mapped_limit)
{
	uint64_t normal_end;

	pa = (struct page_alloc_state){ 0 };
	pa.poison = cmdline_get_bool(&kernel_cmdline, "page_poison", false);
	if (page_array_init(mapped_limit))
		return;
	normal_end = pa.nr_pfns > DMA32_END_PFN ? pa.nr_pfns : DMA32_END_PFN;
	buddy_init(&pa.zones[ZONE_DMA32], pa.map, 0,
		   pa.nr_pfns < DMA32_END_PFN ? pa.nr_pfns : DMA32_END_PFN);
	buddy_init(&pa.zones[ZONE_NORMAL], pa.map, DMA32_END_PFN, normal_end);
	pa.mapped_limit = mapped_limit;
	page_manage(BOOT_MEM_USABLE, 0, mapped_limit);
	pr_info("page array: %llu frames, %llu KiB at phys 0x%llx; page poisoning %s",
		(unsigned long long)pa.nr_pfns,
		(unsigned long long)(pa.nr_pfns * sizeof(struct page) >> PA_KIB_SHIFT),
		(unsigned long long)pa.map_phys, pa.poison ? "on" : "off");
	page_log_zones();
}

/* Boot step 2: the rest of RAM, once the full direct map is live. */
void page_alloc_extend(uint64_t mapped_limit)
{
	uint64_t added;

	if (!pa.map || mapped_limit <= pa.mapped_limit)
		return;
	added = page_manage(BOOT_MEM_USABLE, pa.mapped_limit, mapped_limit);
	if (pa.loader_released)
		added += page_manage(BOOT_MEM_LOADER, pa.mapped_limit, mapped_limit);
	pr_info("direct map reaches 0x%llx: %llu MiB more for the page allocator",
		(unsigned long long)mapped_limit, (unsigned long long)(added >> PA_MIB_SHIFT));
	pa.mapped_limit = mapped_limit;
	page_log_zones();
}

/* Boot step 3: the loader's memory, once nothing uses its page tables or data. */
void page_alloc_release_loader(void)
{
	uint64_t added;

	if (!pa.map)
		return;
	if (pa.loader_released) {
		pr_warn("loader memory was already released");
		return;
	}
	added = page_manage(BOOT_MEM_LOADER, 0, pa.mapped_limit);
	pa.loader_released = true;
	pr_info("released %llu KiB of loader memory to the page allocator",
		(unsigned long long)(added >> PA_KIB_SHIFT));
}
