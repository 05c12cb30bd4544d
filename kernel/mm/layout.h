/*
 * layout.h - where things live in the kernel's address space.
 *
 *   0xffff888000000000  direct map: physical address P is readable at
 *                       BOOT_DIRECT_MAP_BASE + P (at least the first 4 GiB
 *                       at boot; the memory manager extends it to all RAM)
 *   0xffffffff80200000  the kernel image, wherever it sits physically
 *
 * Both boot paths set this up before the kernel's first instruction
 * (boot/boot_info.h states the contract).
 */
#ifndef KERNEL_MM_LAYOUT_H
#define KERNEL_MM_LAYOUT_H

#include <stdint.h>
#include "boot/boot_info.h"

/* Linker symbols bounding the image and its parts. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __data_start[];
extern char __bss_start[], __bss_end[];

/* Physical address the image was loaded at (set once, from boot_info). */
extern uint64_t kernel_phys_base;

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(uintptr_t)(phys + BOOT_DIRECT_MAP_BASE);
}

/* Physical address of a kernel-image or direct-map pointer. */
static inline uint64_t virt_to_phys(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	if (v >= (uintptr_t)__kernel_start)
		return v - (uintptr_t)__kernel_start + kernel_phys_base;
	return v - BOOT_DIRECT_MAP_BASE;
}

#endif /* KERNEL_MM_LAYOUT_H */
