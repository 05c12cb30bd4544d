/*
 * pool_internal.h - what dma/pool.c (the allocator) and dma/pool_debug.c
 * (its checks and reports) share, and what they show their tests.
 *
 * The pool's records and layout; the backend seam, through which a pool gets its coherent
 * memory and files its misuse reports (the kernel's DMA API by default, a
 * fake in the host tests, so that the host build links without dma/mapping.c
 * or the checker, dma/debug_*.c), and the counters that prove allocation and free are O(1)
 * (docs/dma-pool.md, "Proving O(1)").
 */
#ifndef DMA_POOL_INTERNAL_H
#define DMA_POOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/pool.h"

/* Where a pool's memory comes from and where its reports go. */
struct dma_pool_backend {
	/* Coherent memory: zeroed, aligned to its page order (dma_alloc_coherent). */
	void *(*alloc)(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
	/* Give it back, with the size, address and handle alloc gave. */
	void (*free)(struct device *dev, size_t size, void *vaddr, dma_addr_t handle);
	/* Debug mode (dma_debug=on): poisoning and misuse reports. */
	bool (*debug_enabled)(void);
	/* Count and print one misuse report (dma_debug_report). */
	void (*report)(const struct device *dev, const char *msg);
};

/**
 * dma_pool_set_backend - make pools created from now on use @backend.
 * @backend: the seam to use, or NULL for the default (the DMA API in the
 *           kernel; in a host build, a backend with no memory)
 *
 * A pool keeps the backend it was created with for its whole life.
 * Return: the backend in use before the call.
 */
const struct dma_pool_backend *dma_pool_set_backend(const struct dma_pool_backend *backend);

/*
 * The work one call did, in "steps": a step is one record read or written
 * by the pool's own bookkeeping (a page taken from or put on the list of
 * pages with free blocks, a word of a page's block bitmap, a slot of the
 * page index probed). Copying or checking a block's bytes is not a step: it
 * depends on the block size, never on the number of pages.
 */
struct dma_pool_counters {
	unsigned int alloc_steps;       /* the last dma_pool_alloc that found a free block */
	unsigned int alloc_steps_max;   /* the most any such call took */
	unsigned int free_steps;        /* the last dma_pool_free */
	unsigned int free_steps_max;    /* the most any dma_pool_free took */
	unsigned int index_slots;       /* slots in the page index (a power of two) */
	unsigned int index_max_probe;   /* slots the longest lookup may probe */
	unsigned long index_rebuilds;   /* times the index doubled (on a new page) */
	unsigned long refused;          /* frees ignored because they would corrupt the pool */
	unsigned int blocks_per_page;   /* blocks carved from each coherent allocation */
	size_t allocation;              /* bytes of each coherent allocation */
	size_t boundary;                /* the window no block crosses, after normalisation */
};

void dma_pool_get_counters(const struct dma_pool *pool, struct dma_pool_counters *out);

#define POOL_MIN_BLOCK        16u           /* Linux's smallest block: same block counts */
#define POOL_NAME_MAX         32            /* bytes kept of a pool's name, with the NUL */
#define POOL_MSG_MAX          192           /* one report or error message */
#define POOL_BITS_PER_WORD    64
#define POOL_MAX_BLOCKS       (PAGE_SIZE / POOL_MIN_BLOCK)       /* per page: 256 */
#define POOL_BITMAP_WORDS     (POOL_MAX_BLOCKS / POOL_BITS_PER_WORD)
#define POOL_POISON_FREE      0xa7          /* a free block in debug mode (Linux's value) */
#define POOL_POISON_ALLOC     0xa9          /* a fresh, not zeroed block in debug mode */
#define POOL_NO_BLOCK         (-1)

_Static_assert(POOL_MAX_BLOCKS % POOL_BITS_PER_WORD == 0, "bitmap words must be whole");

/* One coherent allocation and the state of its blocks. */
struct pool_page {
	uintptr_t vaddr;                   /* CPU address of the allocation */
	dma_addr_t dma;                    /* its device address */
	struct pool_page *next_free;       /* pool->free_pages: pages with a free block */
	struct pool_page *prev_free;
	struct pool_page *next_page;       /* pool->pages: every page, for destroy */
	unsigned int nr_free;              /* clear bits among the first blocks_per_page */
	uint64_t busy[POOL_BITMAP_WORDS];  /* bit i set: block i allocated, or past the end */
};

/* Page address -> record: linear probing over 2^bits slots. */
struct pool_index {
	struct pool_page **slot;   /* NULL: empty; NULL array until the first page */
	unsigned int bits;         /* log2 of the slot count */
	unsigned int used;         /* pages indexed */
	unsigned int max_probe;    /* no page is further than this many slots from home */
};

/* What the creation arguments come to, fixed for the pool's life. */
struct pool_geometry {
	size_t size;                   /* block size: a multiple of the alignment */
	size_t allocation;             /* bytes asked of dma_alloc_coherent per page */
	size_t boundary;               /* window no block crosses, <= allocation */
	size_t dma_align;              /* a page's handle must be a multiple of this */
	unsigned int span_shift;       /* a page's address is a multiple of 2^span_shift */
	unsigned int per_window;       /* blocks in one boundary window */
	unsigned int blocks_per_page;  /* blocks in one allocation */
};

struct dma_pool {
	char name[POOL_NAME_MAX];                /* for messages */
	struct device *dev;                      /* owner of the coherent memory */
	const struct dma_pool_backend *backend;  /* chosen at creation, kept for life */
	bool debug;                              /* dma_debug was on at creation */
	struct pool_geometry geo;                /* sizes and layout of every page */
	struct pool_page *free_pages;            /* pages with a free block, LIFO */
	struct pool_page *pages;                 /* every page, newest first */
	struct pool_index index;                 /* finds a block's page */
	unsigned long nr_blocks;                 /* blocks in all pages */
	unsigned long nr_active;                 /* blocks allocated */
	unsigned long nr_pages;                  /* coherent allocations held */
	unsigned long errors;                    /* misuse reports made */
	unsigned int steps;                      /* work of the call under way */
	struct dma_pool_counters count;          /* steps, rebuilds, refusals */
	struct dma_pool *next, *prev;            /* pool_list */
};

/* Hex for messages, the same on the host as in the kernel (unlike %p). */
static inline unsigned long long pool_hex(uintptr_t addr)
{
	return (unsigned long long)addr;
}

/* Is block @i of @page allocated? */
static inline bool pool_block_busy(const struct pool_page *page, unsigned int i)
{
	return page->busy[i / POOL_BITS_PER_WORD] & (1ULL << (i % POOL_BITS_PER_WORD));
}

/* The allocator, for the debug side (dma/pool.c). */
size_t pool_block_offset(const struct pool_geometry *geo, unsigned int i);
int pool_block_index(const struct pool_geometry *geo, size_t offset);
struct pool_page *pool_index_find(const struct dma_pool *pool, uintptr_t addr,
				  unsigned int *steps);

/* The debug side: reports, poison, the checks of a free (dma/pool_debug.c). */
__attribute__((format(printf, 2, 3)))
void pool_report(struct dma_pool *pool, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int pool_refuse(struct dma_pool *pool, const char *fmt, ...);
void pool_check_poison(struct dma_pool *pool, const unsigned char *block);
int pool_find_busy(struct dma_pool *pool, uintptr_t addr, dma_addr_t dma,
		   struct pool_page **pagep);
void pool_register(struct dma_pool *pool);
void pool_unregister(struct dma_pool *pool);
void pool_check_free_blocks(struct dma_pool *pool);
void pool_report_busy(struct dma_pool *pool);

#endif /* DMA_POOL_INTERNAL_H */
