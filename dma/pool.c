/*
 * pool.c - dma_pool: many small blocks of coherent DMA memory.
 *
 * A device often needs lots of small buffers it shares with the CPU for
 * their whole life: NVMe PRP lists, descriptor rings, command blocks.
 * dma_alloc_coherent() works in whole pages, so a pool asks it for one
 * "page" (allocation bytes: max(block size, PAGE_SIZE)) at a time and cuts
 * it into blocks of one size. Every block is aligned, and none crosses a
 * multiple of the pool's boundary, in CPU and in device addresses alike.
 *
 * Cutting a page. Offsets run in windows of `boundary` bytes (boundary is
 * at most the allocation); each window holds floor(boundary / size) blocks
 * from its start, and its tail is left unused:
 *
 *   size 48, boundary 128, one 4 KiB page
 *   | blk 0 | blk 1 | 32 unused | blk 2 | blk 3 | 32 unused | ...
 *   0       48      96          128     176     224         256
 *
 * Every page of a pool is cut the same way, so a block's number and its
 * offset convert both ways by arithmetic (pool_block_offset/_index). A
 * block's device address is its page's handle plus its offset: the pool
 * never stores a handle per block, so the pair it hands out always agrees.
 *
 * Bookkeeping lives outside the blocks. Linux threads its free list
 * through the free blocks themselves; here no pointer is ever stored in
 * device-visible memory, because a device that writes a block after it
 * was freed (a late completion, a buggy driver) would otherwise redirect
 * the kernel's allocator. Instead each page has a record (struct
 * pool_page) with one bit per block, set while the block is allocated.
 *
 * The invariants, true between calls:
 *   - every page is on pool->pages, and in pool->index under its address;
 *   - a page is on pool->free_pages if and only if nr_free > 0, and
 *     nr_free is the number of clear bits among its blocks_per_page bits;
 *   - the bits past blocks_per_page are always set (never handed out);
 *   - nr_active = nr_blocks - (sum of nr_free), nr_blocks =
 *     nr_pages * blocks_per_page;
 *   - pages are kept until dma_pool_destroy(), as Linux does: a pool that
 *     once needed N pages will need them again.
 *
 * Why it is O(1):
 *   alloc  takes the first page on free_pages (most recently freed into
 *          first) and the first clear bit of its bitmap: at most
 *          POOL_BITMAP_WORDS words, since a page holds at most 256 blocks.
 *          A page left with no free block leaves the list.
 *   free   finds the page from the block's address through pool->index,
 *          an open-addressing hash of page addresses in which no page sits
 *          more than POOL_INDEX_MAX_PROBE slots from where its hash points,
 *          then clears one bit; a page that was full rejoins the list.
 * Only taking a new page costs more: the index sometimes doubles, and
 * rebuilding it touches every page (amortised O(1) per page).
 * dma_pool_get_counters() (dma/pool_internal.h) exposes step counts so the
 * tests can prove the bounds.
 *
 * Coherent allocations are aligned to their page order (the DMA API's
 * promise), so a block's page starts at its address rounded down to that
 * power of two, `span`: that is the key the index is searched by.
 *
 * Debug mode (dma_debug=on when the pool was created): free blocks are
 * filled with POOL_POISON_FREE and checked when handed out again (and at
 * destroy), fresh blocks with POOL_POISON_ALLOC unless zeroing was asked;
 * double frees, wrong handles, addresses inside or outside a block, and
 * blocks of another pool are reported through dma_debug_report(). Those
 * frees are refused in any mode (silently without debug), since honouring
 * them would hand one block out twice. Destroying a pool with blocks still
 * allocated reports, and keeps the pages those blocks sit in: a device may
 * still be using them.
 *
 * No lock: the kernel runs on one CPU and no interrupt handler uses a pool
 * yet. When one does, every entry point needs interrupts off.
 */
#include "dma/debug.h"
#include "dma/pool.h"
#include "dma/pool_internal.h"
#include "kernel/device.h"
#include "kernel/errno.h"
#include "kernel/mm/kmalloc.h"
#ifdef KTEST_HOST
#include <stdio.h>
#include <string.h>
#else
#include "kernel/printf.h"
#include "kernel/string.h"
#endif

#define POOL_MAX_SIZE         0x7fffffffu   /* INT_MAX, Linux's largest block */
#define POOL_INDEX_MIN_BITS   4             /* the first index has 16 slots */
#define POOL_INDEX_MAX_BITS   24            /* beyond 16 M slots, accept longer probes */
#define POOL_INDEX_MAX_PROBE  8             /* slots a lookup may look at */
#define POOL_INDEX_LOAD_SHIFT 1             /* at most 1/2 of the slots in use */
#define POOL_HASH_MULT        0x9e3779b97f4a7c15ULL  /* 2^64 / golden ratio: spreads keys */

/* ---- the backend seam ---- */

#ifdef KTEST_HOST
/* Host builds link without the DMA API: no memory until a test sets a backend. */
static void *pool_none_alloc(struct device *dev, size_t size, dma_addr_t *handle,
			     gfp_t gfp)
{
	(void)dev, (void)size, (void)gfp;
	*handle = DMA_MAPPING_ERROR;
	return NULL;
}

static void pool_none_free(struct device *dev, size_t size, void *vaddr, dma_addr_t handle)
{
	(void)dev, (void)size, (void)vaddr, (void)handle;
}

/* No debug mode and no reports until a test installs its own backend. */
static bool pool_none_debug(void)
{
	return false;
}

static void pool_none_report(const struct device *dev, const char *msg)
{
	(void)dev, (void)msg;
}

static const struct dma_pool_backend pool_default_backend = {
	pool_none_alloc, pool_none_free, pool_none_debug, pool_none_report,
};
#else
/* The kernel's pages: the device's coherent memory, through the DMA API. */
static void *pool_dma_alloc(struct device *dev, size_t size, dma_addr_t *handle,
			    gfp_t gfp)
{
	return dma_alloc_coherent(dev, size, handle, gfp);
}

static void pool_dma_free(struct device *dev, size_t size, void *vaddr, dma_addr_t handle)
{
	dma_free_coherent(dev, size, vaddr, handle);
}

/* Reports go to the DMA-API checker, which counts and prints them. */
static void pool_dma_report(const struct device *dev, const char *msg)
{
	dma_debug_report(dev, "%s", msg);
}

static const struct dma_pool_backend pool_default_backend = {
	pool_dma_alloc, pool_dma_free, dma_debug_enabled, pool_dma_report,
};
#endif

static const struct dma_pool_backend *pool_backend = &pool_default_backend;

/* Tests swap the seam; pools keep the backend they were created with. */
const struct dma_pool_backend *dma_pool_set_backend(const struct dma_pool_backend *backend)
{
	const struct dma_pool_backend *old = pool_backend;

	pool_backend = backend ? backend : &pool_default_backend;
	return old;
}

/* ---- small helpers ---- */

/* Alignments and boundaries must be powers of two (and 0 is not one). */
static bool pool_is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

/* log2 of the smallest power of two >= @x (x >= 1). */
static unsigned int pool_log2_up(size_t x)
{
	unsigned int shift = 0;

	while (((size_t)1 << shift) < x)
		shift++;
	return shift;
}

/* Keep the last and the largest step count of one kind of call. */
static void pool_note_steps(unsigned int steps, unsigned int *last, unsigned int *max)
{
	*last = steps;
	if (steps > *max)
		*max = steps;
}

/* ---- geometry: Linux's normalisation, then the layout of a page ---- */

/* Say why the arguments are refused; always false, for `return pool_why(...)`. */
static __attribute__((format(printf, 3, 4)))
bool pool_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

/* Linux's rules for the block size: at least 16, a multiple of @align. */
static bool pool_block_size(size_t *size, size_t align, char *why, size_t len)
{
	if (!pool_is_pow2(align))
		return pool_why(why, len, "alignment %zu is not a power of two", align);
	if (*size == 0 || *size > POOL_MAX_SIZE)
		return pool_why(why, len, "block size %zu is not in 1..%u", *size, POOL_MAX_SIZE);
	if (*size < POOL_MIN_BLOCK)
		*size = POOL_MIN_BLOCK;
	*size = (*size + align - 1) & ~(align - 1);
	if (*size > POOL_MAX_SIZE)
		return pool_why(why, len, "block size aligned to %zu is above %u", align,
				POOL_MAX_SIZE);
	return true;
}

/* Linux's rules for the boundary: 0 (none), or a power of two a block fits under. */
static bool pool_boundary_ok(size_t boundary, size_t size, char *why, size_t len)
{
	if (boundary && !pool_is_pow2(boundary))
		return pool_why(why, len, "boundary %zu is not a power of two", boundary);
	if (boundary && boundary < size)
		return pool_why(why, len, "boundary %zu is below the block size %zu",
				boundary, size);
	return true;
}

/*
 * Everything else follows from the checked arguments: the allocation, the
 * windows and how many blocks a page holds. The windows tile the allocation
 * exactly: a boundary below the allocation is a power of two, and the
 * allocation is then PAGE_SIZE (a block above a page makes the window the
 * whole allocation).
 */
static void pool_layout(struct pool_geometry *geo, size_t size, size_t align, size_t boundary)
{
	size_t span;

	geo->size = size;
	geo->allocation = size > PAGE_SIZE ? size : PAGE_SIZE;
	geo->boundary = boundary && boundary < geo->allocation ? boundary : geo->allocation;
	geo->per_window = (unsigned int)(geo->boundary / size);
	geo->blocks_per_page = (unsigned int)(geo->allocation / geo->boundary) * geo->per_window;
	geo->span_shift = pool_log2_up(PAGE_ALIGN(geo->allocation));
	/* The handle must keep the windows, and a caller's larger boundary, intact. */
	span = (size_t)1 << geo->span_shift;
	geo->dma_align = boundary > align ? boundary : align;
	geo->dma_align = geo->dma_align < span ? geo->dma_align : span;
}

/* Offset of block @i in its page. */
size_t pool_block_offset(const struct pool_geometry *geo, unsigned int i)
{
	return (size_t)(i / geo->per_window) * geo->boundary +
	       (size_t)(i % geo->per_window) * geo->size;
}

/* Number of the block starting at @offset, or POOL_NO_BLOCK if none starts there. */
int pool_block_index(const struct pool_geometry *geo, size_t offset)
{
	size_t window = offset / geo->boundary, within = offset % geo->boundary;
	size_t i = window * geo->per_window + within / geo->size;

	if (offset >= geo->allocation || within % geo->size ||
	    within / geo->size >= geo->per_window || i >= geo->blocks_per_page)
		return POOL_NO_BLOCK;
	return (int)i;
}

/* ---- the page index ---- */

/* Home slot of the page starting at @base in a table of 2^@bits slots. */
static unsigned int pool_home(const struct dma_pool *pool, uintptr_t base, unsigned int bits)
{
	uint64_t key = (uint64_t)base >> pool->geo.span_shift;

	return (unsigned int)((key * POOL_HASH_MULT) >> (64 - bits));
}

/* First empty slot for @base, probing from home; *@probes counts slots looked at. */
static unsigned int pool_index_hole(const struct dma_pool *pool, struct pool_page **slot,
				    unsigned int bits, uintptr_t base, unsigned int *probes)
{
	unsigned int mask = (1u << bits) - 1;
	unsigned int i = pool_home(pool, base, bits);

	for (*probes = 1; slot[i]; (*probes)++)
		i = (i + 1) & mask;
	return i;
}

/* A new table of 2^@bits slots holding every page of the pool. */
static int pool_index_rebuild(struct dma_pool *pool, unsigned int bits)
{
	struct pool_page **slot = kzalloc(sizeof(*slot) << bits, GFP_KERNEL);
	struct pool_index fresh = { slot, bits, 0, 0 };
	struct pool_page *page;
	unsigned int i, probes;

	if (!slot)
		return -ENOMEM;
	for (page = pool->pages; page; page = page->next_page, fresh.used++) {
		i = pool_index_hole(pool, slot, bits, page->vaddr, &probes);
		slot[i] = page;
		if (probes > fresh.max_probe)
			fresh.max_probe = probes;
	}
	kfree(pool->index.slot);
	pool->index = fresh;
	pool->count.index_rebuilds++;
	return 0;
}

/* Index @page, which is already on pool->pages: in place, or by doubling the table. */
static int pool_index_add(struct dma_pool *pool, struct pool_page *page)
{
	struct pool_index *ix = &pool->index;
	unsigned int bits = ix->bits ? ix->bits + 1 : POOL_INDEX_MIN_BITS;
	unsigned int i, probes;
	bool placed = false;

	if (ix->slot && ((ix->used + 1) << POOL_INDEX_LOAD_SHIFT) <= (1u << ix->bits)) {
		i = pool_index_hole(pool, ix->slot, ix->bits, page->vaddr, &probes);
		if (probes <= POOL_INDEX_MAX_PROBE || ix->bits >= POOL_INDEX_MAX_BITS) {
			ix->slot[i] = page;
			ix->used++;
			ix->max_probe = probes > ix->max_probe ? probes : ix->max_probe;
			return 0;
		}
	}
	do {
		if (pool_index_rebuild(pool, bits++) != 0)
			return placed ? 0 : -ENOMEM;   /* a longer probe beats losing the page */
		placed = true;
	} while (ix->max_probe > POOL_INDEX_MAX_PROBE && ix->bits < POOL_INDEX_MAX_BITS);
	return 0;
}

/* The page of @pool holding @addr, or NULL; at most index.max_probe slots looked at. */
struct pool_page *pool_index_find(const struct dma_pool *pool, uintptr_t addr,
					 unsigned int *steps)
{
	const struct pool_index *ix = &pool->index;
	uintptr_t base = addr & ~(((uintptr_t)1 << pool->geo.span_shift) - 1);
	unsigned int i, n;

	if (!ix->slot)
		return NULL;
	i = pool_home(pool, base, ix->bits);
	for (n = 0; n < ix->max_probe; n++, i = (i + 1) & ((1u << ix->bits) - 1)) {
		(*steps)++;
		if (!ix->slot[i])
			return NULL;
		if (ix->slot[i]->vaddr == base)
			return addr - base < pool->geo.allocation ? ix->slot[i] : NULL;
	}
	return NULL;
}

/* ---- the list of pages with a free block ---- */

/* Put @page first on free_pages: its free blocks are the next to go. */
static void pool_free_list_push(struct dma_pool *pool, struct pool_page *page)
{
	page->prev_free = NULL;
	page->next_free = pool->free_pages;
	if (pool->free_pages)
		pool->free_pages->prev_free = page;
	pool->free_pages = page;
	pool->steps++;
}

/* Take @page off free_pages: its last free block was just taken. */
static void pool_free_list_unlink(struct dma_pool *pool, struct pool_page *page)
{
	if (page->prev_free)
		page->prev_free->next_free = page->next_free;
	else
		pool->free_pages = page->next_free;
	if (page->next_free)
		page->next_free->prev_free = page->prev_free;
	page->next_free = page->prev_free = NULL;
	pool->steps++;
}

/* ---- pages ---- */

/* Set up the record of a fresh allocation: all blocks free, poisoned in debug mode. */
static void pool_carve(struct dma_pool *pool, struct pool_page *page, void *vaddr,
		       dma_addr_t dma)
{
	unsigned int i;

	page->vaddr = (uintptr_t)vaddr;
	page->dma = dma;
	page->nr_free = pool->geo.blocks_per_page;
	for (i = pool->geo.blocks_per_page; i < POOL_MAX_BLOCKS; i++)
		page->busy[i / POOL_BITS_PER_WORD] |= 1ULL << (i % POOL_BITS_PER_WORD);
	if (pool->debug)
		memset(vaddr, POOL_POISON_FREE, pool->geo.allocation);
}

/* The index rounds addresses down to the span; the device needs the handle aligned too. */
static bool pool_page_aligned(const struct dma_pool *pool, const void *vaddr, dma_addr_t dma)
{
	uintptr_t span = (uintptr_t)1 << pool->geo.span_shift;

	if (((uintptr_t)vaddr & (span - 1)) == 0 && (dma & (pool->geo.dma_align - 1)) == 0)
		return true;
	dev_err(pool->dev, "dma_pool %s: coherent memory at 0x%llx [dma 0x%llx] is not aligned "
		"as promised (CPU to %zu, device to %zu bytes); not using it", pool->name,
		pool_hex((uintptr_t)vaddr), (unsigned long long)dma, (size_t)span,
		pool->geo.dma_align);
	return false;
}

/* One more coherent allocation: carved, indexed and listed as having free blocks. */
static int pool_add_page(struct dma_pool *pool, gfp_t gfp)
{
	struct pool_page *page = kzalloc(sizeof(*page), gfp & __GFP_NOWARN);
	dma_addr_t dma;
	void *vaddr;

	if (!page)
		goto fail;
	vaddr = pool->backend->alloc(pool->dev, pool->geo.allocation, &dma, gfp & ~__GFP_ZERO);
	if (!vaddr)
		goto fail_record;
	if (!pool_page_aligned(pool, vaddr, dma)) {
		gfp |= __GFP_NOWARN;   /* it said why already */
		goto fail_memory;
	}
	pool_carve(pool, page, vaddr, dma);
	page->next_page = pool->pages;
	pool->pages = page;
	if (pool_index_add(pool, page) != 0)
		goto fail_unlist;
	pool_free_list_push(pool, page);
	pool->nr_pages++;
	pool->nr_blocks += pool->geo.blocks_per_page;
	return 0;
fail_unlist:
	pool->pages = page->next_page;
fail_memory:
	pool->backend->free(pool->dev, pool->geo.allocation, vaddr, dma);
fail_record:
	kfree(page);
fail:
	if (!(gfp & __GFP_NOWARN))
		dev_err(pool->dev, "dma_pool %s: no memory for another page of %zu bytes",
			pool->name, pool->geo.allocation);
	return -ENOMEM;
}

/* ---- blocks ---- */

/* Take the lowest free block of the first page with one: at most POOL_BITMAP_WORDS words. */
static unsigned int pool_take_block(struct dma_pool *pool, struct pool_page *page)
{
	unsigned int w = 0, bit;

	pool->steps++;   /* the page, from the head of free_pages */
	for (pool->steps++; page->busy[w] == ~0ULL; pool->steps++)
		w++;
	bit = (unsigned int)__builtin_ctzll(~page->busy[w]);
	page->busy[w] |= 1ULL << bit;
	if (--page->nr_free == 0)
		pool_free_list_unlink(pool, page);
	pool->nr_active++;
	return w * POOL_BITS_PER_WORD + bit;
}

/**
 * dma_pool_alloc - take a block from @pool.
 * @pool: the pool (NULL gives NULL)
 * @gfp: GFP_KERNEL, with __GFP_ZERO to zero the block, __GFP_NOWARN to stay
 *       quiet if no memory is left; passed on when a new page is needed
 * @handle: set to the block's device address (may be NULL if unwanted)
 *
 * O(1) while a page has a free block; otherwise one dma_alloc_coherent().
 * In debug mode the block is checked for writes made while it was free and
 * filled with POOL_POISON_ALLOC unless zeroed.
 *
 * Return: the block's CPU address, or NULL (*@handle is then
 * DMA_MAPPING_ERROR).
 */
void *dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	struct pool_page *page;
	unsigned char *block;
	size_t offset;

	if (handle)
		*handle = DMA_MAPPING_ERROR;
	if (!pool || (!pool->free_pages && pool_add_page(pool, gfp) != 0))
		return NULL;
	pool->steps = 0;
	page = pool->free_pages;
	offset = pool_block_offset(&pool->geo, pool_take_block(pool, page));
	pool_note_steps(pool->steps, &pool->count.alloc_steps, &pool->count.alloc_steps_max);
	block = (unsigned char *)(page->vaddr + offset);
	if (pool->debug)
		pool_check_poison(pool, block);
	if (gfp & __GFP_ZERO)
		memset(block, 0, pool->geo.size);
	else if (pool->debug)
		memset(block, POOL_POISON_ALLOC, pool->geo.size);
	if (handle)
		*handle = page->dma + offset;
	return block;
}

/**
 * dma_pool_zalloc - dma_pool_alloc() of a zeroed block.
 * @pool: the pool
 * @gfp: as for dma_pool_alloc(); __GFP_ZERO is implied
 * @handle: set to the block's device address
 *
 * Return: the block's CPU address, or NULL.
 */
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	return dma_pool_alloc(pool, gfp | __GFP_ZERO, handle);
}

/* Mark block @i of @page free; a page that was full rejoins free_pages. */
static void pool_put_block(struct dma_pool *pool, struct pool_page *page, unsigned int i)
{
	page->busy[i / POOL_BITS_PER_WORD] &= ~(1ULL << (i % POOL_BITS_PER_WORD));
	if (page->nr_free++ == 0)
		pool_free_list_push(pool, page);
	pool->nr_active--;
	if (pool->debug)
		memset((void *)(page->vaddr + pool_block_offset(&pool->geo, i)),
		       POOL_POISON_FREE, pool->geo.size);
}

/**
 * dma_pool_free - give a block back to @pool.
 * @pool: the pool it came from (NULL does nothing)
 * @vaddr: the block's CPU address, as dma_pool_alloc returned it (NULL does
 *         nothing)
 * @dma: its device address, as dma_pool_alloc gave it
 *
 * O(1). A block freed twice, an address that is not the start of one of
 * this pool's blocks, is ignored (and reported in debug mode); a wrong
 * @dma is reported, and the block at @vaddr freed. In debug mode the block
 * is filled with POOL_POISON_FREE.
 */
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	struct pool_page *page = NULL;
	int i;

	if (!pool || !vaddr)
		return;
	pool->steps = 0;
	i = pool_find_busy(pool, (uintptr_t)vaddr, dma, &page);
	if (i != POOL_NO_BLOCK)
		pool_put_block(pool, page, (unsigned int)i);
	pool_note_steps(pool->steps, &pool->count.free_steps, &pool->count.free_steps_max);
}

/* ---- creation and destruction ---- */

/**
 * dma_pool_create - a pool of @size-byte blocks of @dev's coherent memory.
 * @name: for messages (the first POOL_NAME_MAX - 1 bytes are kept)
 * @dev: the device the memory is for
 * @size: bytes per block; rounded up to 16, then to @align
 * @align: block alignment, a power of two (0 means 1)
 * @boundary: no block crosses a multiple of it: a power of two >= the block
 *            size, or 0 for none (beyond the allocation itself)
 *
 * Pages (max(size, PAGE_SIZE) bytes each) are taken on demand, not here.
 * Return: the pool, or NULL after logging the pool, the device and the
 * reason.
 */
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
				 size_t align, size_t boundary)
{
	char why[POOL_MSG_MAX];
	struct pool_geometry geo;
	struct dma_pool *pool;

	if (!name || !dev) {
		pool_why(why, sizeof(why), "no %s given", name ? "device" : "name");
		goto fail;
	}
	align = align ? align : 1;
	if (!pool_block_size(&size, align, why, sizeof(why)) ||
	    !pool_boundary_ok(boundary, size, why, sizeof(why)))
		goto fail;
	pool_layout(&geo, size, align, boundary);
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool) {
		pool_why(why, sizeof(why), "no memory for the pool");
		goto fail;
	}
	snprintf(pool->name, sizeof(pool->name), "%s", name);
	pool->dev = dev;
	pool->backend = pool_backend;
	pool->debug = pool_backend->debug_enabled();
	pool->geo = geo;
	pool_register(pool);
	return pool;
fail:
	dev_err(dev, "dma_pool %s: %s", name ? name : "(null)", why);
	return NULL;
}

/* Give back every page no block is in use in, and every record. */
static void pool_release_pages(struct dma_pool *pool)
{
	struct pool_page *page, *next;

	for (page = pool->pages; page; page = next) {
		next = page->next_page;
		if (page->nr_free == pool->geo.blocks_per_page)
			pool->backend->free(pool->dev, pool->geo.allocation,
					    (void *)page->vaddr, page->dma);
		kfree(page);
	}
	pool->pages = pool->free_pages = NULL;
}

/**
 * dma_pool_destroy - free @pool and its pages.
 * @pool: the pool (NULL does nothing)
 *
 * Blocks still allocated are a driver bug: they are reported (through the
 * DMA-API checker in debug mode, the log otherwise), and the pages holding
 * them are never given back, since the device may still use them. In debug
 * mode, free blocks written after they were freed are reported too.
 */
void dma_pool_destroy(struct dma_pool *pool)
{
	if (!pool)
		return;
	if (pool->debug)
		pool_check_free_blocks(pool);
	if (pool->nr_active)
		pool_report_busy(pool);
	pool_release_pages(pool);
	pool_unregister(pool);
	kfree(pool->index.slot);
	kfree(pool);
}

/* ---- statistics ---- */

/**
 * dma_pool_get_stats - what @pool holds now (all zero for a NULL pool).
 * @pool: the pool
 * @out: filled with the block size, blocks, active blocks, pages and the
 *       misuse reports made so far
 */
void dma_pool_get_stats(const struct dma_pool *pool, struct dma_pool_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!pool)
		return;
	out->block_size = pool->geo.size;
	out->blocks = pool->nr_blocks;
	out->active = pool->nr_active;
	out->pages = pool->nr_pages;
	out->errors = pool->errors;
}

/* The O(1) evidence and the layout, for tests (dma/pool_internal.h). */
void dma_pool_get_counters(const struct dma_pool *pool, struct dma_pool_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (!pool)
		return;
	*out = pool->count;
	out->index_slots = pool->index.slot ? 1u << pool->index.bits : 0;
	out->index_max_probe = pool->index.max_probe;
	out->blocks_per_page = pool->geo.blocks_per_page;
	out->allocation = pool->geo.allocation;
	out->boundary = pool->geo.boundary;
}
