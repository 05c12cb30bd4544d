/*
 * pool_fakes.c - coherent memory, debug mode and reports for dma/pool.c's
 * host tests, installed through the pool's backend seam.
 *
 * Every allocation is remembered (a short list; tests hold at most a few
 * thousand), so a free with the wrong size or handle is caught, and memory
 * a pool deliberately keeps (destroyed with blocks in use) is still freed
 * at pool_fake_uninstall(), keeping LeakSanitizer quiet.
 *
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dma/pool_internal.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "tests/host/pool_fakes.h"

#define POOL_FAKE_REPORT_MAX 256
#define POOL_FAKE_PREFIX_MAX 64

/* One coherent allocation the fake handed out. */
struct pool_fake_alloc {
	void *base;                    /* what aligned_alloc returned */
	void *vaddr;                   /* what the pool got (base, unless skewed) */
	size_t size;                   /* bytes asked for */
	size_t span;                   /* bytes reserved: pages up to a power of two */
	dma_addr_t handle;             /* the made-up device address */
	struct pool_fake_alloc *next;
};

/* The fakes' state, reset by pool_fake_install(). */
static struct {
	bool debug;                          /* dma_debug_enabled()'s answer */
	struct pool_fake_alloc *allocs;      /* live allocations, newest first */
	unsigned long live, total, bad_frees;
	long fail_after;                     /* allocations left before failing; -1: never */
	size_t vaddr_skew;                   /* applied to the next allocation only */
	uint64_t dma_skew;
	unsigned long reports;               /* misuse reports received */
	char last_report[POOL_FAKE_REPORT_MAX];
} fake;

/* Bytes the DMA API really reserves for @size: whole pages, up to a power of two. */
static size_t pool_fake_span(size_t size)
{
	size_t span = PAGE_SIZE;

	while (span < size)
		span <<= 1;
	return span;
}

/* dma_alloc_coherent's contract: zeroed, aligned to its page order. */
static void *pool_fake_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	struct pool_fake_alloc *a;

	(void)dev, (void)gfp;
	*handle = DMA_MAPPING_ERROR;
	if (fake.fail_after == 0 || !(a = calloc(1, sizeof(*a))))
		return NULL;
	if (fake.fail_after > 0)
		fake.fail_after--;
	a->span = pool_fake_span(size);
	a->base = aligned_alloc(a->span, 2 * a->span);   /* room for a skew */
	if (!a->base) {
		free(a);
		return NULL;
	}
	memset(a->base, 0, 2 * a->span);
	a->vaddr = (char *)a->base + fake.vaddr_skew;
	a->size = size;
	a->handle = (uintptr_t)a->vaddr + POOL_FAKE_DMA_OFFSET + fake.dma_skew;
	fake.vaddr_skew = 0;
	fake.dma_skew = 0;
	a->next = fake.allocs;
	fake.allocs = a;
	fake.live++;
	fake.total++;
	*handle = a->handle;
	return a->vaddr;
}

/* Free only what matches an allocation exactly; count anything else. */
static void pool_fake_free(struct device *dev, size_t size, void *vaddr, dma_addr_t handle)
{
	struct pool_fake_alloc **p, *a;

	(void)dev;
	for (p = &fake.allocs; *p; p = &(*p)->next) {
		a = *p;
		if (a->vaddr != vaddr)
			continue;
		if (a->size != size || a->handle != handle)
			break;
		*p = a->next;
		free(a->base);
		free(a);
		fake.live--;
		return;
	}
	fake.bad_frees++;
}

static bool pool_fake_debug(void)
{
	return fake.debug;
}

/* Format like dma_debug_report(): "DMA-API: <driver> <device>: <message>". */
static void pool_fake_report(const struct device *dev, const char *msg)
{
	fake.reports++;
	snprintf(fake.last_report, sizeof(fake.last_report), "DMA-API: %s %s: %s",
		 dev && dev->driver_name ? dev->driver_name : "(no driver)", dev_name(dev), msg);
	if (getenv("HOSTTESTS_LOG"))
		fprintf(stderr, "%s\n", fake.last_report);
}

static const struct dma_pool_backend pool_fake_backend = {
	pool_fake_alloc, pool_fake_free, pool_fake_debug, pool_fake_report,
};

void pool_fake_uninstall(void)
{
	struct pool_fake_alloc *a;

	while ((a = fake.allocs)) {
		fake.allocs = a->next;
		free(a->base);
		free(a);
	}
	fake.live = 0;
	dma_pool_set_backend(NULL);
}

void pool_fake_install(bool debug)
{
	pool_fake_uninstall();
	memset(&fake, 0, sizeof(fake));
	fake.debug = debug;
	fake.fail_after = -1;
	dma_pool_set_backend(&pool_fake_backend);
}

unsigned long pool_fake_live(void)
{
	return fake.live;
}

unsigned long pool_fake_allocs(void)
{
	return fake.total;
}

unsigned long pool_fake_bad_frees(void)
{
	return fake.bad_frees;
}

bool pool_fake_owns(const void *addr, size_t len, uintptr_t *base, size_t *size)
{
	uintptr_t p = (uintptr_t)addr;
	struct pool_fake_alloc *a;

	for (a = fake.allocs; a; a = a->next) {
		uintptr_t v = (uintptr_t)a->vaddr;

		if (p >= v && p - v < a->size && len <= a->size - (p - v)) {
			*base = v;
			*size = a->size;
			return true;
		}
	}
	return false;
}

void pool_fake_fail_after(long n)
{
	fake.fail_after = n;
}

void pool_fake_skew_next(size_t vaddr_skew, uint64_t dma_skew)
{
	fake.vaddr_skew = vaddr_skew;
	fake.dma_skew = dma_skew;
}

unsigned long pool_fake_reports(void)
{
	return fake.reports;
}

const char *pool_fake_last_report(void)
{
	return fake.last_report;
}

