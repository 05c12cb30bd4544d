/*
 * kmalloc.h - small kernel allocations: kmalloc, kzalloc, kfree, ksize.
 *
 * Requests up to KMALLOC_MAX_SLAB_SIZE bytes are rounded up to a size
 * class (16, 32, 64, 96, 128, 192, 256, 512, 1024 or 2048 bytes) and
 * carved out of pages; larger ones get a block of whole pages from the
 * page allocator, up to KMALLOC_MAX_SIZE.
 *
 * Alignment: every object is aligned to KMALLOC_MIN_ALIGN; an object of a
 * power-of-two class to its size (a 256-byte object never crosses a
 * 256-byte boundary); 96 and 192 to 32 and 64; large allocations to a
 * page.
 *
 * Mistakes never crash: kfree() of a pointer kmalloc did not return (or
 * one pointing inside an object), or of an object already freed, is
 * logged with the address, counted in kmalloc_bad_frees() and ignored.
 *
 * Memory for devices does not come from here: use the DMA API, or
 * alloc_pages() with a zone.
 */
#ifndef KERNEL_MM_KMALLOC_H
#define KERNEL_MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/mm/page_alloc.h"

#define KMALLOC_MIN_ALIGN     16                       /* every object, at least */
#define KMALLOC_MAX_SLAB_SIZE 2048                     /* largest size class */
#define KMALLOC_MAX_SIZE      (PAGE_SIZE << MAX_ORDER) /* largest request: 4 MiB */

/**
 * kmalloc_init - set up the size classes; forget any earlier state.
 *
 * Call once at boot, after page_alloc_init(). kmalloc() before this
 * returns NULL with an error.
 */
void kmalloc_init(void);

/**
 * kmalloc - allocate @size bytes.
 * @size: bytes wanted; 0 gives NULL
 * @gfp: GFP_KERNEL, optionally with __GFP_ZERO and __GFP_NOWARN; zone
 *       flags (__GFP_DMA32) are refused
 *
 * Return: memory aligned as described at the top of this file, holding at
 * least @size bytes (ksize() says how many), or NULL if out of memory
 * (logged unless __GFP_NOWARN) or @size exceeds KMALLOC_MAX_SIZE.
 */
void *kmalloc(size_t size, gfp_t gfp);

/**
 * kzalloc - kmalloc() memory, zeroed.
 * @size: bytes wanted
 * @gfp: as for kmalloc(); __GFP_ZERO is implied
 *
 * Return: zeroed memory, or NULL.
 */
void *kzalloc(size_t size, gfp_t gfp);

/**
 * kfree - give back memory from kmalloc() or kzalloc().
 * @ptr: exactly what kmalloc returned; NULL does nothing
 *
 * Anything else (a pointer into the middle of an object, memory kmalloc
 * never handed out, an object already freed) is reported and ignored.
 */
void kfree(const void *ptr);

/**
 * ksize - how many bytes an allocation really holds.
 * @ptr: what kmalloc returned
 *
 * Return: the size class (or the page block's size) behind @ptr, which is
 * at least the size asked for; 0 for NULL or a pointer kmalloc does not
 * own (which is also reported).
 */
size_t ksize(const void *ptr);

/* Bad kfree() calls reported since boot. */
uint64_t kmalloc_bad_frees(void);

/* The size of class @index (0 is the smallest), or 0 past the last class. */
size_t kmalloc_class_size(unsigned int index);

/* What kmalloc holds right now. */
struct kmalloc_stats {
	uint64_t objects;      /* small objects allocated */
	uint64_t slabs;        /* slabs holding them */
	uint64_t slab_pages;   /* pages those slabs take */
	uint64_t large;        /* allocations served by whole pages */
	uint64_t large_pages;  /* pages they take */
};

void kmalloc_get_stats(struct kmalloc_stats *out);

#endif /* KERNEL_MM_KMALLOC_H */
