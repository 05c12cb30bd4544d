/*
 * paging.h - the kernel's own page tables and MMIO mappings.
 *
 * After paging_init() the kernel runs on tables it built itself:
 *
 *   direct map   BOOT_DIRECT_MAP_BASE + phys, for every region of the
 *                firmware memory map below 4 GiB and all RAM above it,
 *                write-back, never executable, largest pages possible
 *   image        .text read+execute, .rodata read-only, .data/.bss
 *                read+write, 4 KiB pages (W^X: nothing is both)
 *   guard        the page under the boot stack is left unmapped
 *   ioremap      MMIO windows at IOREMAP_BASE, 4 KiB pages, with the
 *                memory type the caller asks for (through the PAT); never
 *                two types for one physical page
 *
 * The boot paths' identity map is gone: a stray low pointer now faults.
 */
#ifndef KERNEL_MM_PAGING_H
#define KERNEL_MM_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/mm/pgtable.h"

#define IOREMAP_BASE 0xffffc90000000000ULL  /* start of the MMIO window area */
#define IOREMAP_SIZE (64ULL << 30)          /* 64 GiB of virtual space */

extern char boot_stack_guard[];

/**
 * paging_init - build the kernel's page tables and switch CR3 to them.
 * Needs cpu_init() (NX, PAT) and a working alloc_pages() for table pages.
 * Return: 0, or -ENOMEM (the boot tables stay in use).
 */
int paging_init(void);

/* End of the direct map: physical addresses below it have a direct mapping
 * if the firmware map described them. */
uint64_t paging_direct_map_end(void);
/* The direct map's physical ranges, [start, end) sorted, through @ranges:
 * fixed after paging_init(). Return: how many (0 before). */
unsigned paging_direct_ranges(const uint64_t (**ranges)[2]);

/**
 * ioremap - map device memory into the kernel's address space.
 * @phys: physical address of the registers (need not be page aligned)
 * @size: bytes
 * @cache: memory type: PAGE_CACHE_UC for registers, PAGE_CACHE_WC for
 *         write-combining buffers, ...
 *
 * One physical page never gets two memory types: a window that would
 * overlap a live window of another type is refused, and where the direct
 * map also covers the range (firmware-reserved memory below 4 GiB) that
 * mapping is switched to the same type. Also refuses RAM (use the direct
 * map), zero sizes and overflowing ranges.
 * Return: the virtual address of @phys, or NULL after logging why.
 */
void *ioremap(uint64_t phys, size_t size, enum page_cache cache);

/* Undo ioremap(); @addr is the value it returned. Unknown addresses are
 * reported and ignored. */
void iounmap(void *addr);

/**
 * paging_set_cache - change the memory type of kernel memory in place.
 * @virt: page-aligned start, in the direct map (e.g. coherent DMA memory)
 * @size: bytes, a multiple of the page size
 *
 * The one mapping of the memory changes (no second, differently cached
 * alias is ever made: x86 forbids mixing types on one page). Flushes the
 * caches and the TLB. Return: 0 or -errno.
 */
int paging_set_cache(void *virt, size_t size, enum page_cache cache);

/* Walk the kernel's tables for @virt (tests read PTEs back with it). */
bool paging_lookup(const void *virt, uint64_t *pte, uint64_t *page_size);

#endif /* KERNEL_MM_PAGING_H */
