/*
 * memmap.c - convert the final UEFI memory map into boot_info.mem[].
 *
 * GetMemoryMap() (UEFI 2.x, "Boot Services > Memory Allocation Services")
 * returns an array of EFI_MEMORY_DESCRIPTORs, each DescriptorSize bytes
 * apart - OVMF reports 48 while the structure it describes is 40 bytes -
 * in no promised order. The kernel wants few, sorted regions in the
 * boot_info vocabulary, so this file maps each type, emits descriptors in
 * base order and merges neighbours that touch and share a type.
 *
 * Sorting needs no scratch memory: each step scans the map for the next
 * descriptor in (base, position) order. That is quadratic, but a firmware
 * map has a few hundred entries and this runs once.
 */
#include "boot/uefi/efi_types.h"
#include "boot/uefi/memmap.h"

/* A map as GetMemoryMap() left it: descriptors @stride bytes apart. */
struct uefi_map_view {
	const uint8_t *bytes;
	size_t count;
	size_t stride;
};

/* Copy descriptor @i out bytewise: a stride need not keep it aligned. */
static void uefi_map_read(const struct uefi_map_view *v, size_t i,
			  struct efi_memory_descriptor *desc)
{
	const uint8_t *src = v->bytes + i * v->stride;
	uint8_t *dst = (uint8_t *)desc;
	size_t n;

	for (n = 0; n < sizeof(*desc); n++)
		dst[n] = src[n];
}

/* Describe the map; a stride too small to hold a descriptor means no map. */
static struct uefi_map_view uefi_map_view(const void *map, size_t map_size,
					  size_t desc_size)
{
	struct uefi_map_view v = { map, 0, desc_size };

	if (map && desc_size >= sizeof(struct efi_memory_descriptor))
		v.count = map_size / desc_size;
	return v;
}

/* Length in bytes, or 0 for an empty or wrapping descriptor (skipped). */
static uint64_t uefi_desc_length(const struct efi_memory_descriptor *d)
{
	uint64_t room = UINT64_MAX - d->physical_start;

	if (d->number_of_pages == 0 || d->number_of_pages > (room >> EFI_PAGE_SHIFT))
		return 0;
	return d->number_of_pages << EFI_PAGE_SHIFT;
}

/**
 * uefi_memmap_type - translate an EFI_MEMORY_TYPE into enum boot_mem_type.
 * @efi_type: the descriptor's type field
 *
 * Boot services memory is free once ExitBootServices() returned; loader
 * memory holds the image, boot_info and page tables; firmware runtime
 * memory, MMIO and anything unknown must be left alone.
 *
 * Return: a BOOT_MEM_* value.
 */
uint32_t uefi_memmap_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return BOOT_MEM_USABLE;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
		return BOOT_MEM_LOADER;
	case EFI_ACPI_RECLAIM_MEMORY:
		return BOOT_MEM_ACPI_RECLAIM;
	case EFI_ACPI_MEMORY_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return BOOT_MEM_UNUSABLE;
	default:    /* reserved, runtime, MMIO, PAL, persistent, unaccepted */
		return BOOT_MEM_RESERVED;
	}
}

/* True if (base_a, at a) sorts before (base_b, at b): by base, then position. */
static bool uefi_map_before(uint64_t base_a, size_t a, uint64_t base_b, size_t b)
{
	return base_a < base_b || (base_a == base_b && a < b);
}

/* Find the descriptor after position @prev in sorted order (all if !@have_prev). */
static bool uefi_map_next(const struct uefi_map_view *v, bool have_prev,
			  size_t prev, size_t *next)
{
	struct efi_memory_descriptor d;
	uint64_t prev_base = 0, best_base = 0;
	bool found = false;
	size_t i;

	if (have_prev) {
		uefi_map_read(v, prev, &d);
		prev_base = d.physical_start;
	}
	for (i = 0; i < v->count; i++) {
		uefi_map_read(v, i, &d);
		if (have_prev && !uefi_map_before(prev_base, prev, d.physical_start, i))
			continue;
		if (!found || uefi_map_before(d.physical_start, i, best_base, *next)) {
			found = true;
			best_base = d.physical_start;
			*next = i;
		}
	}
	return found;
}

/* Append @r to @out, or grow the last region if @r continues it. */
static bool uefi_region_add(struct boot_mem_region *out, uint32_t *count,
			    uint32_t out_max, const struct boot_mem_region *r)
{
	struct boot_mem_region *last = *count ? &out[*count - 1] : NULL;

	if (last && last->type == r->type && last->base + last->length == r->base) {
		last->length += r->length;
		return true;
	}
	if (*count == out_max)
		return false;
	out[(*count)++] = *r;
	return true;
}

/**
 * uefi_memmap_convert - sort, translate and merge a UEFI memory map.
 * @map: the descriptors GetMemoryMap() wrote
 * @map_size: bytes of @map in use (the MemoryMapSize it returned)
 * @desc_size: the DescriptorSize it returned: the stride between entries
 * @out: regions to fill, sorted by base
 * @out_max: capacity of @out (BOOT_MEMMAP_MAX for boot_info.mem)
 * @truncated: set to whether regions were dropped for lack of room
 *
 * Regions that touch and have the same boot type are merged. When @out
 * fills up, the lowest regions are kept. Empty descriptors, and ones whose
 * end would pass 2^64, are skipped.
 *
 * Return: the number of regions written.
 */
uint32_t uefi_memmap_convert(const void *map, size_t map_size, size_t desc_size,
			     struct boot_mem_region *out, uint32_t out_max,
			     bool *truncated)
{
	struct uefi_map_view v = uefi_map_view(map, map_size, desc_size);
	struct efi_memory_descriptor d;
	struct boot_mem_region r;
	uint32_t count = 0;
	size_t i = 0;
	bool more;

	*truncated = false;
	for (more = uefi_map_next(&v, false, 0, &i); more;
	     more = uefi_map_next(&v, true, i, &i)) {
		uefi_map_read(&v, i, &d);
		r.base = d.physical_start;
		r.length = uefi_desc_length(&d);
		r.type = uefi_memmap_type(d.type);
		r.flags = 0;
		if (r.length == 0)
			continue;
		if (!uefi_region_add(out, &count, out_max, &r)) {
			*truncated = true;
			break;
		}
	}
	return count;
}

/**
 * uefi_memmap_top - one past the highest address any descriptor covers.
 * @map: the descriptors GetMemoryMap() wrote
 * @map_size: bytes of @map in use
 * @desc_size: the stride between entries
 *
 * The loader identity-maps everything below this (and at least 4 GiB).
 *
 * Return: the end of the highest region, 0 for an empty map.
 */
uint64_t uefi_memmap_top(const void *map, size_t map_size, size_t desc_size)
{
	struct uefi_map_view v = uefi_map_view(map, map_size, desc_size);
	struct efi_memory_descriptor d;
	uint64_t top = 0, len;
	size_t i;

	for (i = 0; i < v.count; i++) {
		uefi_map_read(&v, i, &d);
		len = uefi_desc_length(&d);
		if (len && d.physical_start + len > top)
			top = d.physical_start + len;
	}
	return top;
}
