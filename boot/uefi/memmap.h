/*
 * memmap.h - the UEFI memory map, turned into boot_info regions.
 *
 * Pure code (no firmware calls): the loader runs it after
 * ExitBootServices(), when no firmware call is allowed anyway, and the
 * host tests (tests/host/test_uefi_memmap.c) run it on hand-made maps.
 */
#ifndef BOOT_UEFI_MEMMAP_H
#define BOOT_UEFI_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot/boot_info.h"

uint32_t uefi_memmap_type(uint32_t efi_type);
uint32_t uefi_memmap_convert(const void *map, size_t map_size, size_t desc_size,
			     struct boot_mem_region *out, uint32_t out_max,
			     bool *truncated);
uint64_t uefi_memmap_top(const void *map, size_t map_size, size_t desc_size);

#endif /* BOOT_UEFI_MEMMAP_H */
