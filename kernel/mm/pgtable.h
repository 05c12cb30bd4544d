/*
 * pgtable.h - x86-64 4-level page tables, built and walked through a seam.
 *
 * Intel SDM Vol. 3A, 5.5 "4-Level Paging and 5-Level Paging": a 48-bit
 * virtual address is split 9/9/9/9/12 into indexes into the PML4, PDPT,
 * PD and PT, each a 4 KiB page of 512 eight-byte entries. An entry in a
 * PDPT or PD with PS set maps a 1 GiB or 2 MiB page directly.
 *
 * The code here never touches physical memory by itself: a struct
 * pt_ops supplies "give me a zeroed table page" and "where can I read the
 * table at this physical address". The kernel plugs in the page allocator
 * and the direct map; host tests plug in malloc'd memory. The VT-d
 * second-level tables will follow the same pattern.
 */
#ifndef KERNEL_MM_PGTABLE_H
#define KERNEL_MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Entry bits (SDM Vol. 3A, Tables 5-15 to 5-20). */
#define PTE_PRESENT    (1ULL << 0)
#define PTE_WRITE      (1ULL << 1)
#define PTE_USER       (1ULL << 2)
#define PTE_PWT        (1ULL << 3)    /* PAT index bit 0 */
#define PTE_PCD        (1ULL << 4)    /* PAT index bit 1 */
#define PTE_ACCESSED   (1ULL << 5)
#define PTE_DIRTY      (1ULL << 6)
#define PTE_HUGE       (1ULL << 7)    /* PS in a PDPT/PD entry */
#define PTE_PAT_4K     (1ULL << 7)    /* PAT index bit 2 in a 4 KiB PTE */
#define PTE_GLOBAL     (1ULL << 8)
#define PTE_PAT_LARGE  (1ULL << 12)   /* PAT index bit 2 in a 2 MiB/1 GiB entry */
#define PTE_NX         (1ULL << 63)   /* no execute (needs EFER.NXE) */
#define PTE_ADDR_MASK  0x000ffffffffff000ULL

#define PT_ENTRIES     512
#define PT_LEVELS      4
#define PT_SIZE_4K     (1ULL << 12)
#define PT_SIZE_2M     (1ULL << 21)
#define PT_SIZE_1G     (1ULL << 30)

/*
 * Memory types, through the PAT (SDM Vol. 3A, 13.12). The kernel programs
 * IA32_PAT so that the index (PAT, PCD, PWT) selects:
 *   0 WB  1 WC  2 UC-  3 UC  4 WB  5 WP  6 UC-  7 WT
 */
enum page_cache {
	PAGE_CACHE_WB,        /* write-back: normal RAM */
	PAGE_CACHE_WC,        /* write-combining: framebuffers, doorbell batches */
	PAGE_CACHE_UC_MINUS,  /* uncached, MTRR may override to WC */
	PAGE_CACHE_UC,        /* strongly uncached: device registers */
	PAGE_CACHE_WT,        /* write-through */
	PAGE_CACHE_WP,        /* write-protected */
};

#define PAT_MSR_VALUE  0x0407050600070106ULL  /* the table above, as IA32_PAT */

/* Mapping permissions, independent of the page size. */
#define PT_MAP_WRITE   0x1u    /* writable */
#define PT_MAP_EXEC    0x2u    /* executable (otherwise NX) */
#define PT_MAP_GLOBAL  0x4u    /* survives CR3 reloads */
#define PT_MAP_4K_ONLY 0x8u    /* never use 2 MiB / 1 GiB pages */

struct pt_ops {
	/* A zeroed 4 KiB table page: its physical address, or 0 if none. */
	uint64_t (*alloc_table)(void *ctx);
	/* Where the CPU can read/write the table page at @phys. */
	uint64_t *(*table_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

struct page_table {
	uint64_t root;                /* physical address of the PML4 */
	const struct pt_ops *ops;
	bool allow_1g;                /* CPU supports 1 GiB pages (pdpe1gb) */
	bool use_nx;                  /* CPU has NX and EFER.NXE is on */
};

/* Create an empty table (allocates the PML4). 0 or -ENOMEM.
 * NX bits are used only when @use_nx: without EFER.NXE they are reserved. */
int pt_init(struct page_table *pt, const struct pt_ops *ops, bool allow_1g, bool use_nx);

/**
 * pt_map - map [virt, virt+size) to [phys, phys+size).
 * @flags: PT_MAP_* permissions
 * @cache: memory type
 *
 * Uses the largest pages that alignment allows (unless PT_MAP_4K_ONLY).
 * Return: 0; -EINVAL for unaligned or non-canonical input or a range that
 * overlaps an existing mapping; -ENOMEM if a table page could not be had
 * (what was mapped before the failure stays mapped).
 */
int pt_map(struct page_table *pt, uint64_t virt, uint64_t phys, uint64_t size,
	   unsigned flags, enum page_cache cache);

/**
 * pt_unmap - remove 4 KiB mappings in [virt, virt+size).
 * Return: 0, or -EINVAL if a page in the range is unmapped or part of a
 * larger page. The caller flushes the TLB.
 */
int pt_unmap(struct page_table *pt, uint64_t virt, uint64_t size);

/**
 * pt_lookup - walk to the entry that maps @virt.
 * @pte: the leaf entry
 * @page_size: PT_SIZE_4K, PT_SIZE_2M or PT_SIZE_1G
 * Return: true if @virt is mapped.
 */
bool pt_lookup(const struct page_table *pt, uint64_t virt, uint64_t *pte,
	       uint64_t *page_size);

/**
 * pt_set_cache - change the memory type of [virt, virt+size).
 * Large pages that the range covers only in part are split into smaller
 * ones with the same attributes first. The caller flushes TLB and caches.
 * Return: 0; -EINVAL if a page in the range is unmapped or the range is
 * not page-aligned; -ENOMEM if a split needed a table page (pages already
 * changed stay changed).
 */
int pt_set_cache(struct page_table *pt, uint64_t virt, uint64_t size, enum page_cache cache);

/* The memory type a leaf entry selects, given its page size. */
enum page_cache pt_entry_cache(uint64_t pte, uint64_t page_size);
/* Physical address @virt translates to through @pte. */
uint64_t pt_entry_phys(uint64_t pte, uint64_t page_size, uint64_t virt);

#endif /* KERNEL_MM_PGTABLE_H */
