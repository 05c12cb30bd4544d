/*
 * pool_fakes.h - what dma/pool.c needs from the rest of the kernel, faked
 * for its host tests (tests/host/pool_fakes.c).
 *
 * The pool reaches the DMA API and the DMA-API checker only through its
 * backend seam (dma/pool_internal.h), so these fakes never collide with
 * the real dma/mapping.c or the checker (dma/debug_*.c), whether or not the host build
 * links them. Coherent memory comes from aligned_alloc(), aligned to its
 * page order as dma_alloc_coherent() promises, with a made-up device
 * address: the CPU address plus POOL_FAKE_DMA_OFFSET.
 */
#ifndef TESTS_HOST_POOL_FAKES_H
#define TESTS_HOST_POOL_FAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/dma.h"

/* Device address = CPU address + this: far from any real address, and a
 * multiple of every alignment a pool can ask for. */
#define POOL_FAKE_DMA_OFFSET (1ULL << 44)

/* Make pools created from now on use the fakes; forget earlier counts.
 * @debug: what dma_debug_enabled() answers. */
void pool_fake_install(bool debug);
/* Back to the default backend; frees whatever coherent memory is still out. */
void pool_fake_uninstall(void);

/* Coherent allocations handed out and not freed. */
unsigned long pool_fake_live(void);
/* Coherent allocations ever handed out since pool_fake_install(). */
unsigned long pool_fake_allocs(void);
/* Frees whose size or handle did not match the allocation (a pool bug). */
unsigned long pool_fake_bad_frees(void);
/* True if [@addr, @addr + @len) lies inside one live allocation; its start in *@base. */
bool pool_fake_owns(const void *addr, size_t len, uintptr_t *base, size_t *size);

/* Allow @n more allocations, then fail them all (-1: never fail). */
void pool_fake_fail_after(long n);
/* Shift the next allocation's CPU and device addresses off their alignment. */
void pool_fake_skew_next(size_t vaddr_skew, uint64_t dma_skew);

/* Misuse reports made through the backend, and the last one, formatted as
 * dma_debug_report() prints it: "DMA-API: <driver> <device>: <message>". */
unsigned long pool_fake_reports(void);
const char *pool_fake_last_report(void);

#endif /* TESTS_HOST_POOL_FAKES_H */
