/*
 * pagetable.c - build the kernel's first page tables (pure code).
 *
 * The entry protocol in boot/boot_info.h asks for three views of memory,
 * all made of 2 MiB pages (Intel SDM Vol. 3A, "4-Level Paging"):
 *
 *   identity     [0, map_top)                          -> same physical
 *   direct map   BOOT_DIRECT_MAP_BASE + [0, map_top)   -> same physical
 *   kernel       [kernel_vaddr, + kernel_span)         -> kernel_phys ...
 *
 * map_top is the end of the highest memory-map region rounded up to 1 GiB,
 * and at least 4 GiB so that every MMIO window below 4 GiB is reachable.
 * The direct map starts on a 512 GiB boundary, so its PML4 slot can point
 * at the very same PDPT as the identity map's slot 0: two views, one set
 * of page directories. One PDPT is also the limit: 512 GiB of memory.
 *
 * The kernel lives in the top 2 GiB (PML4[511], PDPT[510..511]), so its
 * image needs its own PDPT and at most two page directories. No entry sets
 * NX or the global bit; the kernel builds its final tables itself.
 */
#include "boot/boot_info.h"
#include "boot/uefi/pagetable.h"

#define PT_TABLE_FLAGS   (PT_PRESENT | PT_WRITABLE)
#define PT_LARGE_FLAGS   (PT_PRESENT | PT_WRITABLE | PT_PAGE_SIZE_BIT)
#define PT_PAGE_PML4     0     /* table page numbers within the block */
#define PT_PAGE_LOW_PDPT 1
#define PT_PAGE_LOW_PD0  2
#define PT_FIXED_PAGES   3     /* PML4, low PDPT, kernel PDPT */

_Static_assert(BOOT_DIRECT_MAP_BASE % PT_PDPT_REACH == 0,
	       "the direct map shares the identity PDPT only on a 512 GiB boundary");
_Static_assert(PT_PML4_INDEX(BOOT_DIRECT_MAP_BASE) != 0 &&
	       PT_PML4_INDEX(BOOT_KERNEL_VBASE) != PT_PML4_INDEX(BOOT_DIRECT_MAP_BASE),
	       "identity, direct map and kernel need separate PML4 slots");
_Static_assert(BOOT_MIN_MAPPED % PT_PD_REACH == 0, "minimum map is whole GiBs");

/* Round @v up to a multiple of the power of two @align. */
static uint64_t pt_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/**
 * uefi_pt_plan - size the page tables for a machine and a kernel image.
 * @pt: filled in
 * @mem_top: end of the highest region in the firmware memory map
 * @kernel_vaddr: link address of the image (2 MiB aligned, top 2 GiB)
 * @kernel_span: image bytes to map, a non-zero multiple of 2 MiB
 *
 * Return: UEFI_PT_OK, or why these tables cannot be built.
 */
enum uefi_pt_error uefi_pt_plan(struct uefi_pt_layout *pt, uint64_t mem_top,
				uint64_t kernel_vaddr, uint64_t kernel_span)
{
	uint64_t last;

	if (mem_top > PT_PDPT_REACH)
		return UEFI_PT_ERR_TOO_MUCH_RAM;
	if (kernel_vaddr < BOOT_KERNEL_VBASE || kernel_vaddr % PT_LARGE_PAGE ||
	    kernel_span == 0 || kernel_span % PT_LARGE_PAGE ||
	    kernel_span - 1 > UINT64_MAX - kernel_vaddr)
		return UEFI_PT_ERR_KERNEL_RANGE;

	last = kernel_vaddr + (kernel_span - 1);
	pt->map_top = pt_align_up(mem_top > BOOT_MIN_MAPPED ? mem_top : BOOT_MIN_MAPPED,
				  PT_PD_REACH);
	pt->kernel_vaddr = kernel_vaddr;
	pt->kernel_span = kernel_span;
	pt->low_pds = (unsigned int)(pt->map_top / PT_PD_REACH);
	pt->kernel_pds = (unsigned int)(PT_PDPT_INDEX(last) - PT_PDPT_INDEX(kernel_vaddr) + 1);
	pt->pages = PT_FIXED_PAGES + pt->low_pds + pt->kernel_pds;
	return UEFI_PT_OK;
}

/* Table page @n of the block, to write through. */
static uint64_t *pt_page(void *tables, unsigned int n)
{
	return (uint64_t *)((uint8_t *)tables + n * PT_PAGE_SIZE);
}

/* Clear every entry: anything not mapped below is not present. */
static void pt_zero(void *tables, unsigned int pages)
{
	uint64_t *e = tables;
	uint64_t i;

	for (i = 0; i < pages * (uint64_t)PT_ENTRIES; i++)
		e[i] = 0;
}

/* Identity map [0, map_top) and point the direct-map slot at the same PDPT. */
static void pt_map_low(const struct uefi_pt_layout *pt, void *tables,
		       uint64_t phys)
{
	uint64_t *pml4 = pt_page(tables, PT_PAGE_PML4);
	uint64_t *pdpt = pt_page(tables, PT_PAGE_LOW_PDPT);
	uint64_t pdpt_phys = phys + PT_PAGE_LOW_PDPT * PT_PAGE_SIZE;
	unsigned int g, e;

	pml4[PT_PML4_INDEX(0ULL)] = pdpt_phys | PT_TABLE_FLAGS;
	pml4[PT_PML4_INDEX(BOOT_DIRECT_MAP_BASE)] = pdpt_phys | PT_TABLE_FLAGS;
	for (g = 0; g < pt->low_pds; g++) {
		unsigned int n = PT_PAGE_LOW_PD0 + g;
		uint64_t *pd = pt_page(tables, n);

		pdpt[g] = (phys + n * PT_PAGE_SIZE) | PT_TABLE_FLAGS;
		for (e = 0; e < PT_ENTRIES; e++)
			pd[e] = (g * PT_PD_REACH + e * PT_LARGE_PAGE) | PT_LARGE_FLAGS;
	}
}

/* Map the image's link addresses to where the loader put it. */
static void pt_map_kernel(const struct uefi_pt_layout *pt, void *tables,
			  uint64_t phys, uint64_t kernel_phys)
{
	unsigned int pdpt_n = PT_PAGE_LOW_PD0 + pt->low_pds;
	uint64_t *pml4 = pt_page(tables, PT_PAGE_PML4);
	uint64_t *pdpt = pt_page(tables, pdpt_n);
	uint64_t *pd;
	uint64_t first = PT_PDPT_INDEX(pt->kernel_vaddr);
	uint64_t off, va;
	unsigned int k;

	pml4[PT_PML4_INDEX(pt->kernel_vaddr)] = (phys + pdpt_n * PT_PAGE_SIZE) | PT_TABLE_FLAGS;
	for (k = 0; k < pt->kernel_pds; k++)
		pdpt[first + k] = (phys + (pdpt_n + 1 + k) * PT_PAGE_SIZE) | PT_TABLE_FLAGS;
	for (off = 0; off < pt->kernel_span; off += PT_LARGE_PAGE) {
		va = pt->kernel_vaddr + off;
		pd = pt_page(tables, pdpt_n + 1 + (unsigned int)(PT_PDPT_INDEX(va) - first));
		pd[PT_PD_INDEX(va)] = (kernel_phys + off) | PT_LARGE_FLAGS;
	}
}

/**
 * uefi_pt_build - write the tables uefi_pt_plan() sized.
 * @pt: the plan
 * @tables: pt->pages * 4 KiB bytes, 4 KiB aligned, to write through
 * @tables_phys: the physical address of @tables (equal to it in the loader)
 * @kernel_phys: where the image's first byte is, 2 MiB aligned
 *
 * Return: the physical address of the PML4, the value for CR3.
 */
uint64_t uefi_pt_build(const struct uefi_pt_layout *pt, void *tables,
		       uint64_t tables_phys, uint64_t kernel_phys)
{
	pt_zero(tables, pt->pages);
	pt_map_low(pt, tables, tables_phys);
	pt_map_kernel(pt, tables, tables_phys, kernel_phys);
	return tables_phys + PT_PAGE_PML4 * PT_PAGE_SIZE;
}
