/*
 * memmap.h - the physical memory map: what RAM exists and who owns it.
 *
 * The boot path hands over the firmware's map in struct boot_info, as the
 * firmware wrote it: possibly unsorted, overlapping, with empty entries and
 * regions that end in the middle of a page. memmap_init() turns it into
 * the one map the rest of the memory manager trusts:
 *
 *   - sorted by address, no overlaps (where two regions overlap, the more
 *     restrictive type wins: reserved beats ACPI beats loader beats usable);
 *   - neighbours of the same type merged;
 *   - usable and loader RAM trimmed to whole 4 KiB pages;
 *   - the kernel's own claims marked in it: the first MiB, the kernel
 *     image, and later the page allocator's struct page array.
 *
 * A claim changes the type of the RAM it covers (and only RAM: a claim
 * never turns a hole into memory). The page allocator then simply frees
 * what is still BOOT_MEM_USABLE, and BOOT_MEM_LOADER once the loader's
 * data is no longer needed.
 */
#ifndef KERNEL_MM_MEMMAP_H
#define KERNEL_MM_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "boot/boot_info.h"

/*
 * N overlapping firmware regions cut each other into at most 2N - 1
 * pieces; the map keeps room for that.
 */
#define MEMMAP_MAX_REGIONS   (2 * BOOT_MEMMAP_MAX)
#define MEMMAP_LOW_MEMORY_END 0x100000ULL   /* the first MiB stays reserved */

/* Region types the kernel adds to the firmware's enum boot_mem_type. */
enum memmap_kernel_type {
	MEMMAP_LOW_MEMORY = 16,  /* the first MiB: real-mode and BIOS leftovers */
	MEMMAP_PAGE_ARRAY = 17,  /* the page allocator's struct page array */
	MEMMAP_KERNEL     = 18,  /* the kernel image, [kernel_phys, + kernel_size) */
};

/* One region of the sanitized map. */
struct memmap_region {
	uint64_t base;  /* first byte */
	uint64_t end;   /* one past the last byte */
	uint32_t type;  /* enum boot_mem_type or enum memmap_kernel_type */
};

/**
 * memmap_init - sanitize the boot memory map, claim the kernel's regions, log.
 * @bi: the boot hand-off; only its memory map and kernel range are read
 *
 * Claims the first MiB and the kernel image. May be called again (host
 * tests do): each call starts from scratch.
 *
 * Return: 0, or -ENOMEM if the map holds no usable RAM at all.
 */
int memmap_init(const struct boot_info *bi);

/**
 * memmap_ram_end - end of the highest region of RAM.
 *
 * RAM here is usable, loader, ACPI and kernel-claimed memory: everything
 * the direct map must reach. Reserved and unusable regions do not count.
 *
 * Return: one past the last byte, page-aligned; 0 before memmap_init().
 */
uint64_t memmap_ram_end(void);

/* Number of regions in the sanitized map. */
uint32_t memmap_count(void);

/* Region @i of the sanitized map (sorted by base), NULL past the end. */
const struct memmap_region *memmap_get(uint32_t i);

/**
 * memmap_claim - mark RAM in [@base, @base + @size) as the kernel's.
 * @base: first byte; rounded down to a page
 * @size: bytes; the end is rounded up to a page
 * @type: an enum memmap_kernel_type
 *
 * Only usable and loader RAM changes type; holes, firmware and ACPI
 * regions inside the range are left as they are.
 *
 * Return: 0, -EINVAL for a type that is not the kernel's, -E2BIG if the
 * map ran out of room (the highest regions were dropped and logged).
 */
int memmap_claim(uint64_t base, uint64_t size, uint32_t type);

/**
 * memmap_alloc_early - claim @size bytes of usable RAM below @below.
 * @size: bytes, rounded up to whole pages
 * @below: the block ends at or below this address (e.g. the mapped limit)
 * @type: the claim's type, an enum memmap_kernel_type
 * @phys: set to the block's page-aligned physical address
 *
 * For memory needed before the page allocator exists. Takes the highest
 * fitting block, leaving low memory to devices with narrow DMA masks.
 *
 * Return: 0, or -ENOMEM if no usable region has room.
 */
int memmap_alloc_early(uint64_t size, uint64_t below, uint32_t type, uint64_t *phys);

/* Bytes of the map of type @type inside [@lo, @hi). */
uint64_t memmap_bytes(uint32_t type, uint64_t lo, uint64_t hi);

/* A short human name for a region type ("usable", "ACPI NVS", ...). */
const char *memmap_type_name(uint32_t type);

/* Log the map, one line per region. */
void memmap_log(const char *title);

#endif /* KERNEL_MM_MEMMAP_H */
