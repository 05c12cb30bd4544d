/*
 * paging.c - the kernel's page tables: direct map, W^X image, ioremap.
 *
 * Built once at boot with kernel/mm/pgtable.c, table pages taken from the
 * page allocator and reached through the direct map the boot path set up
 * (the new direct map uses the same addresses, so nothing moves under us
 * when CR3 switches). See paging.h for the resulting layout.
 */
#define LOG_PREFIX "paging"
#include "kernel/mm/paging.h"
#include "boot/boot_info.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/string.h"
#include "kernel/x86.h"


#define DMAP_RANGES_MAX   BOOT_MEMMAP_MAX
#define IOREMAP_FIRST_CAP 64      /* windows the table holds before it first grows */
#define LOW_4G            0x100000000ULL

extern struct boot_info boot_info;

/* One live ioremap() window. */
struct ioremap_region {
	uint64_t virt;          /* page-aligned start, 0 if the slot is free */
	uint64_t size;          /* page-rounded bytes */
	uint64_t phys;          /* page-aligned physical start */
	enum page_cache cache;
};

static struct {
	struct page_table pt;          /* the kernel's tables */
	bool live;                     /* CR3 points at pt.root */
	uint64_t direct_end;           /* highest direct-mapped physical end */
	struct ioremap_region *io;     /* io_count live windows, sorted by virt; */
	unsigned io_count, io_cap;     /* room for io_cap (kmalloc, doubled when full) */
} paging;

/* ---- table pages come from the buddy allocator ---- */

static uint64_t paging_alloc_table(void *ctx)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);

	(void)ctx;
	return pg ? page_to_phys(pg) : 0;
}

static uint64_t *paging_table_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

static const struct pt_ops paging_ops = { paging_alloc_table, paging_table_virt, NULL };

/* ---- the direct map ---- */

/* Which firmware regions get a direct mapping: all of them below 4 GiB
 * (ACPI tables may sit in "reserved" memory), only RAM above (the rest
 * up there is address-space holes). */
static bool paging_dmap_wants(const struct boot_mem_region *r)
{
	return r->base < LOW_4G || r->type == BOOT_MEM_USABLE ||
	       r->type == BOOT_MEM_LOADER || r->type == BOOT_MEM_ACPI_RECLAIM ||
	       r->type == BOOT_MEM_ACPI_NVS;
}

/* Round each wanted region out to pages, then merge overlapping or touching
 * ones (the map is sorted by base), so pt_map never sees an overlap. */
static unsigned paging_dmap_plan(uint64_t (*out)[2])
{
	unsigned n = 0;

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		uint64_t lo = r->base & PAGE_MASK, hi = PAGE_ALIGN(r->base + r->length);
		if (!r->length || !paging_dmap_wants(r))
			continue;
		if (n && lo <= out[n - 1][1]) {
			if (hi > out[n - 1][1])
				out[n - 1][1] = hi;
			continue;
		}
		out[n][0] = lo;
		out[n][1] = hi;
		n++;
	}
	return n;
}

/* The direct map's ranges, [start, end) sorted: fixed once paging_init() ran. */
static uint64_t paging_dmap[DMAP_RANGES_MAX][2];
static unsigned paging_dmap_count;

static int paging_map_direct(void)
{
	uint64_t (*ranges)[2] = paging_dmap;
	unsigned n = paging_dmap_count = paging_dmap_plan(ranges);
	int err;

	for (unsigned i = 0; i < n; i++) {
		err = pt_map(&paging.pt, BOOT_DIRECT_MAP_BASE + ranges[i][0], ranges[i][0],
			     ranges[i][1] - ranges[i][0], PT_MAP_WRITE | PT_MAP_GLOBAL,
			     PAGE_CACHE_WB);
		if (err)
			return err;
		if (ranges[i][1] > paging.direct_end)
			paging.direct_end = ranges[i][1];
	}
	return 0;
}

/* ---- the kernel image, W^X ---- */

/* Map [start, end) of the image to wherever it sits physically. */
static int paging_map_image_part(const char *start, const char *end, unsigned flags)
{
	if (end <= start)
		return 0;
	return pt_map(&paging.pt, (uintptr_t)start, virt_to_phys(start),
		      (uint64_t)(end - start), flags | PT_MAP_GLOBAL | PT_MAP_4K_ONLY,
		      PAGE_CACHE_WB);
}

static int paging_map_image(void)
{
	char *guard_end = boot_stack_guard + PAGE_SIZE;
	int err;

	err = paging_map_image_part(__kernel_start, __rodata_start, PT_MAP_EXEC);
	if (!err)
		err = paging_map_image_part(__rodata_start, __data_start, 0);
	if (!err)
		err = paging_map_image_part(__data_start, boot_stack_guard, PT_MAP_WRITE);
	if (!err)
		err = paging_map_image_part(guard_end, __kernel_end, PT_MAP_WRITE);
	return err;
}

int paging_init(void)
{
	int err = pt_init(&paging.pt, &paging_ops, cpu.pdpe1gb, cpu.nx);

	if (!err)
		err = paging_map_direct();
	if (!err)
		err = paging_map_image();
	if (err) {
		pr_err("cannot build the kernel page tables (error %d); staying on the boot tables", err);
		return err;
	}
	__asm__ volatile("mov %0, %%cr3" :: "r"(paging.pt.root) : "memory");
	paging.live = true;
	pr_info("kernel page tables live: direct map to %#llx (%s pages), image W^X, "
		"stack guard at %p", (unsigned long long)paging.direct_end,
		cpu.pdpe1gb ? "1 GiB" : "2 MiB", (void *)boot_stack_guard);
	return 0;
}

uint64_t paging_direct_map_end(void) { return paging.direct_end; }

unsigned paging_direct_ranges(const uint64_t (**ranges)[2])
{
	*ranges = (const uint64_t (*)[2])paging_dmap;
	return paging.live ? paging_dmap_count : 0;
}

bool paging_lookup(const void *virt, uint64_t *pte, uint64_t *page_size)
{
	return paging.live && pt_lookup(&paging.pt, (uintptr_t)virt, pte, page_size);
}

/* Drop every TLB entry, global ones too: toggling CR4.PGE does that. */
static void paging_flush_tlb_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & X86_CR4_PGE) {
		__asm__ volatile("mov %0, %%cr4" :: "r"(cr4 & ~X86_CR4_PGE) : "memory");
		__asm__ volatile("mov %0, %%cr4" :: "r"(cr4) : "memory");
	} else {
		__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
	}
}

int paging_set_cache(void *virt, size_t size, enum page_cache cache)
{
	int err;

	if (!paging.live)
		return -ENODEV;
	/* SDM 13.12.4's order: new attributes, TLB flush, then a cache flush, so
	 * no line fetched under the old type survives the change. */
	err = pt_set_cache(&paging.pt, (uintptr_t)virt, size, cache);
	paging_flush_tlb_all();
	__asm__ volatile("wbinvd" ::: "memory");
	if (err)
		pr_err("cannot change %p (+%zu) to memory type %d: error %d", virt, size,
		       cache, err);
	return err;
}

/* ---- ioremap ---- */

/* Does [phys, phys+size) touch RAM the allocator may hand out? */
static bool paging_range_is_ram(uint64_t phys, uint64_t size)
{
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if ((r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_LOADER) &&
		    phys < r->base + r->length && r->base < phys + size)
			return true;
	}
	return false;
}

/* First gap of @size bytes in the ioremap area; slot index in *slot. */
static uint64_t paging_io_find_gap(uint64_t size, unsigned *slot)
{
	uint64_t va = IOREMAP_BASE;
	unsigned i;

	for (i = 0; i < paging.io_count; i++) {
		if (paging.io[i].virt - va >= size + PAGE_SIZE)
			break;   /* fits, with an unmapped page before the next one */
		va = paging.io[i].virt + paging.io[i].size + PAGE_SIZE;  /* keep a hole */
	}
	*slot = i;
	return va + size <= IOREMAP_BASE + IOREMAP_SIZE ? va : 0;
}

/* Make room for one more window: double the table when it is full.
 * Return: NULL, or why there is no room. */
static const char *paging_io_reserve(void)
{
	unsigned cap = paging.io_cap ? paging.io_cap * 2 : IOREMAP_FIRST_CAP;
	struct ioremap_region *io;

	if (paging.io_count < paging.io_cap)
		return NULL;
	io = kmalloc(cap * sizeof(*io), GFP_KERNEL);
	if (!io)
		return "no memory to grow the table of windows";
	if (paging.io_count)
		memcpy(io, paging.io, paging.io_count * sizeof(*io));
	kfree(paging.io);
	paging.io = io;
	paging.io_cap = cap;
	return NULL;
}

/* Record a new window at @slot, keeping the array sorted (room reserved). */
static void paging_io_insert(unsigned slot, const struct ioremap_region *r)
{
	memmove(&paging.io[slot + 1], &paging.io[slot],
		(paging.io_count - slot) * sizeof(paging.io[0]));
	paging.io[slot] = *r;
	paging.io_count++;
}

/* Clear whatever a failed pt_map() managed to map of [virt, virt+size). */
static void paging_io_unmap_partial(uint64_t virt, uint64_t size)
{
	uint64_t pte, page_size;

	for (uint64_t va = virt; va < virt + size; va += PAGE_SIZE)
		if (pt_lookup(&paging.pt, va, &pte, &page_size))
			pt_unmap(&paging.pt, va, PAGE_SIZE);
}

/* A live window over any of [phys, phys+size) with another memory type. */
static const struct ioremap_region *paging_io_conflict(uint64_t phys, uint64_t size,
						       enum page_cache cache)
{
	for (unsigned i = 0; i < paging.io_count; i++) {
		const struct ioremap_region *r = &paging.io[i];
		if (r->cache != cache && phys < r->phys + r->size && r->phys < phys + size)
			return r;
	}
	return NULL;
}

/* If the direct map also covers the range (firmware-reserved memory below
 * 4 GiB is direct-mapped), give that alias the same memory type. */
static int paging_io_match_alias(uint64_t phys, uint64_t size, enum page_cache cache)
{
	uint64_t pte, page_size;
	void *alias = phys_to_virt(phys);

	if (phys + size > paging.direct_end || !paging_lookup(alias, &pte, &page_size) ||
	    pt_entry_cache(pte, page_size) == cache)
		return 0;
	return paging_set_cache(alias, size, cache);
}

/* Why a window onto [phys, phys+size) with @cache may not exist, or NULL. */
static const char *paging_io_refusal(uint64_t phys, size_t size, enum page_cache cache)
{
	uint64_t first = phys & PAGE_MASK, bytes = PAGE_ALIGN(phys + size) - first;

	if (!size || phys + size < phys)
		return "empty or wrapping range";
	if (paging_range_is_ram(phys, size))
		return "range is RAM; use the direct map";
	/* x86 forbids two memory types for one physical page (SDM 13.12.4). */
	if (paging_io_conflict(first, bytes, cache))
		return "already mapped with another memory type; one page cannot have two";
	if (paging.live && paging_io_match_alias(first, bytes, cache))
		return "cannot give the direct map's alias the same memory type";
	return NULL;
}

void *ioremap(uint64_t phys, size_t size, enum page_cache cache)
{
	struct ioremap_region r = { .phys = phys & PAGE_MASK, .cache = cache };
	const char *why = paging_io_refusal(phys, size, cache);
	unsigned slot;

	if (!why && !paging.live)
		why = "the kernel's page tables are not live yet";
	if (!why)
		why = paging_io_reserve();
	if (!why && !(r.virt = paging_io_find_gap(PAGE_ALIGN(phys + size) - r.phys, &slot)))
		why = "no gap that large left in the ioremap area (IOREMAP_SIZE, 64 GiB)";
	if (!why) {
		r.size = PAGE_ALIGN(phys + size) - r.phys;
		if (pt_map(&paging.pt, r.virt, r.phys, r.size, PT_MAP_WRITE | PT_MAP_4K_ONLY, cache)) {
			paging_io_unmap_partial(r.virt, r.size);  /* no orphan PTEs left */
			why = "cannot map (out of table pages?)";
		}
	}
	if (why) {
		pr_err("ioremap(%#llx, %zu): %s", (unsigned long long)phys, size, why);
		return NULL;
	}
	paging_io_insert(slot, &r);
	return (void *)(uintptr_t)(r.virt + (phys & ~PAGE_MASK));
}

/* Invalidate the TLB entries of [virt, virt+size). */
static void paging_flush_range(uint64_t virt, uint64_t size)
{
	for (uint64_t va = virt; va < virt + size; va += PAGE_SIZE)
		__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

void iounmap(void *addr)
{
	uint64_t va = (uintptr_t)addr & PAGE_MASK;

	for (unsigned i = 0; i < paging.io_count; i++) {
		struct ioremap_region *r = &paging.io[i];
		if (r->virt != va)
			continue;
		pt_unmap(&paging.pt, r->virt, r->size);
		paging_flush_range(r->virt, r->size);
		memmove(r, r + 1, (paging.io_count - i - 1) * sizeof(*r));
		paging.io_count--;
		return;
	}
	pr_err("iounmap(%p): not an ioremap() address; ignored", addr);
}
