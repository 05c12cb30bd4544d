/*
 * pagetable.h - the 4-level page tables the kernel starts on.
 *
 * Layout of the table pages, one contiguous block the loader allocates:
 *
 *   page 0                PML4
 *   page 1                PDPT shared by the identity and direct maps
 *   pages 2 ..            one page directory per GiB of [0, map_top)
 *   then                  PDPT for the top 512 GiB (PML4[511])
 *   then                  1 or 2 page directories for the kernel image
 *
 * Pure code: the tables are built through a pointer, with every entry
 * computed from the block's physical address, so the host tests can build
 * and inspect them in ordinary memory.
 */
#ifndef BOOT_UEFI_PAGETABLE_H
#define BOOT_UEFI_PAGETABLE_H

#include <stdint.h>

#define PT_ENTRIES        512                 /* entries per table */
#define PT_PAGE_SIZE      4096ULL             /* bytes per table */
#define PT_LARGE_PAGE     (1ULL << 21)        /* what a PS page directory entry maps */
#define PT_PD_REACH       (1ULL << 30)        /* what one page directory maps */
#define PT_PDPT_REACH     (1ULL << 39)        /* what one PDPT maps: 512 GiB */

#define PT_PRESENT        (1ULL << 0)
#define PT_WRITABLE       (1ULL << 1)
#define PT_PAGE_SIZE_BIT  (1ULL << 7)         /* PS: this PD entry is a 2 MiB page */

#define PT_PML4_INDEX(va) (((va) >> 39) & (PT_ENTRIES - 1))
#define PT_PDPT_INDEX(va) (((va) >> 30) & (PT_ENTRIES - 1))
#define PT_PD_INDEX(va)   (((va) >> 21) & (PT_ENTRIES - 1))

/* How many tables, and what they map. */
struct uefi_pt_layout {
	uint64_t map_top;         /* identity and direct map cover [0, map_top) */
	uint64_t kernel_vaddr;    /* link address of the image's first byte */
	uint64_t kernel_span;     /* bytes, a multiple of PT_LARGE_PAGE */
	unsigned int low_pds;     /* page directories for [0, map_top) */
	unsigned int kernel_pds;  /* page directories for the kernel image */
	unsigned int pages;       /* table pages in all */
};

enum uefi_pt_error {
	UEFI_PT_OK = 0,
	UEFI_PT_ERR_TOO_MUCH_RAM,   /* memory reaches past one PDPT (512 GiB) */
	UEFI_PT_ERR_KERNEL_RANGE,   /* image not 2 MiB aligned in the top 2 GiB */
};

enum uefi_pt_error uefi_pt_plan(struct uefi_pt_layout *pt, uint64_t mem_top,
				uint64_t kernel_vaddr, uint64_t kernel_span);
uint64_t uefi_pt_build(const struct uefi_pt_layout *pt, void *tables,
		       uint64_t tables_phys, uint64_t kernel_phys);

#endif /* BOOT_UEFI_PAGETABLE_H */
