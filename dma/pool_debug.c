/*
 * pool_debug.c - dma_pool's checks and reports (dma/pool.c is the allocator).
 */
#include "dma/pool.h"
#include "dma/pool_internal.h"
#include "kernel/device.h"
#ifdef KTEST_HOST
#include <stdio.h>
#include <string.h>
#else
#include "kernel/printf.h"
#include "kernel/string.h"
#endif

static struct dma_pool *pool_list;   /* every live pool: whose block is it? */

/* ---- reports ---- */

/* Debug mode: count a misuse and send "dma_pool <name>: <what>" to the checker. */
static void pool_vreport(struct dma_pool *pool, const char *fmt, va_list ap)
{
	char msg[POOL_MSG_MAX];
	int n;

	if (!pool->debug)
		return;
	pool->errors++;
	n = snprintf(msg, sizeof(msg), "dma_pool %s: ", pool->name);
	if (n > 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	pool->backend->report(pool->dev, msg);
}

/* The same, for callers with arguments rather than a va_list. */
void pool_report(struct dma_pool *pool, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pool_vreport(pool, fmt, ap);
	va_end(ap);
}

/* A free that would corrupt the pool: report it (debug mode), count it, ignore it. */
int pool_refuse(struct dma_pool *pool, const char *fmt, ...)
{
	va_list ap;

	pool->count.refused++;
	va_start(ap, fmt);
	pool_vreport(pool, fmt, ap);
	va_end(ap);
	return POOL_NO_BLOCK;
}

/* Debug mode: a free block holds only POOL_POISON_FREE; report the first byte that does not. */
void pool_check_poison(struct dma_pool *pool, const unsigned char *block)
{
	size_t i;

	for (i = 0; i < pool->geo.size; i++) {
		if (block[i] != POOL_POISON_FREE) {
			pool_report(pool, "block 0x%llx was written after free "
				    "(byte %zu is 0x%02x)", pool_hex((uintptr_t)block), i, block[i]);
			return;
		}
	}
}

/* The pool other than @pool that owns @addr, or NULL (debug mode: O(pools)). */
static const struct dma_pool *pool_owner_of(const struct dma_pool *pool, uintptr_t addr)
{
	const struct dma_pool *other;
	unsigned int steps = 0;

	for (other = pool_list; other; other = other->next)
		if (other != pool && pool_index_find(other, addr, &steps))
			return other;
	return NULL;
}

/* Refuse a free of @addr that no page of @pool holds, naming its owner if there is one. */
static int pool_refuse_foreign(struct dma_pool *pool, uintptr_t addr, dma_addr_t dma)
{
	const struct dma_pool *owner = pool->debug ? pool_owner_of(pool, addr) : NULL;

	if (owner)
		return pool_refuse(pool, "0x%llx belongs to dma_pool %s, not to this one",
				   pool_hex(addr), owner->name);
	return pool_refuse(pool, "0x%llx [dma 0x%llx] is not a block of this pool",
			   pool_hex(addr), (unsigned long long)dma);
}

/* The busy block at @addr: its number and page, or POOL_NO_BLOCK after refusing. */
int pool_find_busy(struct dma_pool *pool, uintptr_t addr, dma_addr_t dma,
			  struct pool_page **pagep)
{
	struct pool_page *page = pool_index_find(pool, addr, &pool->steps);
	dma_addr_t expected;
	int i;

	if (!page)
		return pool_refuse_foreign(pool, addr, dma);
	i = pool_block_index(&pool->geo, addr - page->vaddr);
	if (i == POOL_NO_BLOCK)
		return pool_refuse(pool, "0x%llx is not the start of a block", pool_hex(addr));
	pool->steps++;   /* the block's bitmap word */
	if (!pool_block_busy(page, (unsigned int)i))
		return pool_refuse(pool, "block 0x%llx is already free (double free) "
				   "[dma 0x%llx]", pool_hex(addr), (unsigned long long)dma);
	expected = page->dma + (addr - page->vaddr);
	if (dma != expected)
		pool_report(pool, "block 0x%llx freed with dma 0x%llx, but its dma address "
			    "is 0x%llx", pool_hex(addr), (unsigned long long)dma,
			    (unsigned long long)expected);
	*pagep = page;
	return i;
}

/* Put @pool on pool_list, so a block freed into the wrong pool can be named. */
void pool_register(struct dma_pool *pool)
{
	pool->prev = NULL;
	pool->next = pool_list;
	if (pool_list)
		pool_list->prev = pool;
	pool_list = pool;
}

/* Take @pool off pool_list before it is freed. */
void pool_unregister(struct dma_pool *pool)
{
	if (pool->prev)
		pool->prev->next = pool->next;
	else
		pool_list = pool->next;
	if (pool->next)
		pool->next->prev = pool->prev;
}

/* Debug mode, at destroy: any free block written since it was freed. */
void pool_check_free_blocks(struct dma_pool *pool)
{
	struct pool_page *page;
	unsigned int i;

	for (page = pool->pages; page; page = page->next_page)
		for (i = 0; i < pool->geo.blocks_per_page; i++)
			if (!pool_block_busy(page, i))
				pool_check_poison(pool, (const unsigned char *)page->vaddr +
						  pool_block_offset(&pool->geo, i));
}

/* Destroying with blocks in use: say so, with the first one (the driver's leak). */
void pool_report_busy(struct dma_pool *pool)
{
	unsigned long kept = 0;
	uintptr_t first = 0;
	struct pool_page *page;
	unsigned int i;

	for (page = pool->pages; page; page = page->next_page) {
		if (page->nr_free == pool->geo.blocks_per_page)
			continue;
		kept++;
		for (i = 0; !first && i < pool->geo.blocks_per_page; i++)
			if (pool_block_busy(page, i))
				first = page->vaddr + pool_block_offset(&pool->geo, i);
	}
	if (pool->debug)
		pool_report(pool, "destroyed with %lu blocks still allocated (first 0x%llx); "
			    "keeping %lu of %lu pages", pool->nr_active, pool_hex(first), kept,
			    pool->nr_pages);
	else
		dev_err(pool->dev, "dma_pool %s: destroyed with %lu blocks still allocated; "
			"keeping %lu of %lu pages", pool->name, pool->nr_active, kept,
			pool->nr_pages);
}
