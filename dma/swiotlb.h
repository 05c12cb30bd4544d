/*
 * swiotlb.h - what dma/swiotlb.c offers beyond the backends' contract.
 *
 * The bounce pool's map/unmap/sync functions, swiotlb_init() and the
 * statistics are declared in dma/internal.h, for the DMA backends. This
 * header adds what boot code and tests need: reading `swiotlb=` from the
 * command line, asking which slots a narrow device can reach, and (for
 * host tests) giving the pool back.
 */
#ifndef DMA_SWIOTLB_H
#define DMA_SWIOTLB_H

#include <stdbool.h>
#include <stdint.h>
#include "dma/internal.h"
#include "kernel/cmdline.h"

#define SWIOTLB_MIN_SIZE  ((uint64_t)IO_TLB_SEGSIZE * IO_TLB_SIZE)  /* 256 KiB: one largest mapping */
#define SWIOTLB_MAX_SIZE  (1ULL << 30)   /* 1 GiB: more would starve ZONE_DMA32 */

/**
 * swiotlb_parse_cmdline - read the value of `swiotlb=`.
 * @value: "force", "<size>" or "<size>,force"; a size is decimal or 0x-hex
 *         bytes with an optional K, M or G suffix ("64M", "0x4000000")
 * @size: set to the size when @value gives one, else left as it is
 * @force: set to whether @value says force
 *
 * Return: 0; -EINVAL if @value is malformed; -ERANGE if the size is below
 * SWIOTLB_MIN_SIZE or above SWIOTLB_MAX_SIZE. On error nothing is set.
 */
int swiotlb_parse_cmdline(const char *value, uint64_t *size, bool *force);

/**
 * swiotlb_init_from_cmdline - swiotlb_init() with what `swiotlb=` in @cl says.
 * A malformed value is reported and the defaults (IO_TLB_DEFAULT_SIZE, no
 * force) are used. Call once at boot, after kmalloc_init() and after
 * page_alloc_extend(): the pool comes from ZONE_DMA32.
 * Return: what swiotlb_init() returns.
 */
int swiotlb_init_from_cmdline(const struct cmdline *cl);

/* Slots lying wholly at or below @limit: 0 means a device limited to @limit cannot bounce. */
unsigned long swiotlb_slots_below(uint64_t limit);

/* Give the pool's memory back and forget it (host tests; live mappings are lost). */
void swiotlb_exit(void);

#endif /* DMA_SWIOTLB_H */
