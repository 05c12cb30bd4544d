/*
 * debug_platform.c - the kernel's answers to the DMA-API checker's
 * questions (dma/debug_seam.h): is a range on a kernel stack, in kernel
 * code or read-only data, in RAM at all; a device's segment limits; the
 * function holding a code address; memory to grow the ledger by.
 *
 * Kernel build only. The host tests link tests/host/dma_debug_host.c
 * instead, which answers "nothing is special" until a test installs a
 * table of its own with dma_debug_set_platform().
 */
#include "dma/debug_seam.h"
#include "dma/internal.h"
#include "kernel/gdt.h"
#include "kernel/ksyms.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"

#define WORD_BYTES 8   /* what kernel_stack_contains() probes */

/* The kernel image's own address of physical @phys, 0 if the image does not hold it. */
static uintptr_t image_alias(uint64_t phys)
{
	uint64_t size = (uintptr_t)__kernel_end - (uintptr_t)__kernel_start;

	if (phys < kernel_phys_base || phys - kernel_phys_base >= size)
		return 0;
	return (uintptr_t)__kernel_start + (uintptr_t)(phys - kernel_phys_base);
}

/* Stacks are whole buffers' homes, so probing both ends of the range suffices. */
static bool va_on_stack(uintptr_t va, size_t size)
{
	uintptr_t last = size > WORD_BYTES ? va + size - WORD_BYTES : va;

	return kernel_stack_contains(va) || kernel_stack_contains(last);
}

/* Both views of the range: the image's (today's stacks, in .bss) and the
 * direct map's (stacks from the page allocator, should there be any). */
static bool kernel_on_stack(uint64_t phys, size_t size)
{
	uintptr_t img = image_alias(phys);

	if (img && va_on_stack(img, size))
		return true;
	return va_on_stack((uintptr_t)phys_to_virt(phys), size);
}

/* Code and read-only data: [__text_start, __data_start) of the image. */
static bool kernel_in_ro(uint64_t phys, size_t size)
{
	uint64_t lo = virt_to_phys(__text_start), hi = virt_to_phys(__data_start);

	return phys < hi && phys + size > lo;
}

/* RAM a device may be lent: free or loader RAM, or RAM the kernel claimed
 * (memmap claims only ever retype RAM, so every claim type counts). */
static bool ram_type(uint32_t type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_LOADER || type >= MEMMAP_LOW_MEMORY;
}

/* Walk the sorted memory map: every byte of the range must be RAM. */
static bool kernel_is_ram(uint64_t phys, size_t size)
{
	const struct memmap_region *r;
	uint64_t cur = phys, end = phys + size;

	if (memmap_count() == 0)
		return true;   /* no map yet: nothing to judge by */
	for (uint32_t i = 0; (r = memmap_get(i)) != NULL && cur < end; i++) {
		if (r->end <= cur)
			continue;
		if (r->base > cur || !ram_type(r->type))
			return false;
		cur = r->end;
	}
	return cur >= end;
}

/* Chunks come from kmalloc (whole pages at this size); quietly: the ledger
 * says itself what a failure means. */
static void *kernel_chunk_alloc(size_t bytes)
{
	return kmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
}

static void kernel_chunk_free(void *chunk) { kfree(chunk); }

const struct dma_debug_platform dma_debug_default_platform = {
	.chunk_alloc = kernel_chunk_alloc,
	.chunk_free = kernel_chunk_free,
	.on_stack = kernel_on_stack,
	.in_kernel_ro = kernel_in_ro,
	.is_ram = kernel_is_ram,
	.sg_phys = sg_phys,
	.max_seg_size = dma_get_max_seg_size,
	.seg_boundary = dma_get_seg_boundary,
	.symbolize = ksym_lookup,
};
