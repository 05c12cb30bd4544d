/*
 * test_dma_pool.c - dma_pool (dma/pool.c) over fake coherent memory.
 *
 * The pool runs on the real kmalloc (a fake machine from host_stubs.c) and
 * gets its pages from tests/host/pool_fakes.c, whose device addresses are
 * the CPU addresses plus POOL_FAKE_DMA_OFFSET. What is proven:
 *
 *   - the geometry of every (size, align, boundary) combination against
 *     Linux's rules, restated here independently (t_reference): each block
 *     where the rules put it, aligned, inside one allocation, never across
 *     the boundary (CPU and device address alike), never overlapping
 *     another, every carved block handed out before a new page is taken;
 *   - Linux's own examples (64/64/4096 gives 64 blocks a page, NVMe's PRP
 *     pool 4096/4096/4096) and every refused argument, with its message;
 *   - O(1): alloc and free touch no more than a fixed number of records,
 *     with 1 or 1000 pages, while the pool churns;
 *   - every misuse report in debug mode, word for word, none without it,
 *     and a pool that stays consistent either way;
 *   - destroy with busy blocks keeps exactly the pages they sit in;
 *   - zalloc zeroes, debug mode poisons, allocation failures are clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot/boot_info.h"
#include "dma/pool.h"
#include "dma/pool_internal.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "tests/host/host_stubs.h"
#include "tests/host/pool_fakes.h"

#define N(a)              ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define T_INT_MAX         0x7fffffffULL
#define T_MIN_BLOCK       16                 /* Linux's smallest block */
#define T_MAX_BLOCKS      (PAGE_SIZE / T_MIN_BLOCK)
#define T_MATRIX_PAGES    2                  /* fill two pages, then one more block */
#define T_MAX_ALIGN_SHIFT 12                 /* aligns 1..4096 */
#define T_MIN_BOUND_SHIFT 4                  /* boundaries 16..8192 */
#define T_MAX_BOUND_SHIFT 13
#define T_POISON_FREE     0xa7               /* what pool.c documents */
#define T_POISON_ALLOC    0xa9
#define T_SEED            0xd1a5ee7ULL
#define T_CHURN_OPS       20000
#define T_GROWTH_PAGES    5000
#define T_MAX_PROBE       8                  /* POOL_INDEX_MAX_PROBE */
/* alloc: the head page, at most 4 bitmap words, unlinking a page it filled */
#define T_ALLOC_STEP_BOUND (1 + PAGE_SIZE / T_MIN_BLOCK / 64 + 1)
/* free: the index probes, the block's bitmap word, relinking a page that was full */
#define T_FREE_STEP_BOUND  (T_MAX_PROBE + 1 + 1)
#define T_JUNK            0x5a
#define T_VICTIM_BYTE     7

/* 64 MiB of RAM for kmalloc, which holds the pool's records. */
static const struct boot_mem_region machine[] = {
	{ 0x100000, 63 * HOST_MIB, BOOT_MEM_USABLE, 0 },
};

static struct device t_dev = { .name = "0000:00:04.0", .driver_name = "pooltest" };

static uint64_t rnd_state;

/* One block as the test keeps it. */
struct t_block {
	unsigned char *v;
	dma_addr_t dma;
};

/* What Linux's rules make of the arguments (facts, section 2.2). */
struct t_ref {
	size_t size, allocation, boundary;
	unsigned int n;                    /* blocks per page */
	size_t offset[T_MAX_BLOCKS];       /* where each starts in its page */
};

static uint64_t rnd(void)
{
	return host_xorshift(&rnd_state);
}

/* A fresh machine and fresh fakes for each case. */
static int t_setup(bool debug)
{
	rnd_state = T_SEED;
	pool_fake_install(debug);
	return host_mm_boot(machine, N(machine), 2 * HOST_MIB, HOST_MIB, NULL);
}

static unsigned long long t_hex(const void *p)
{
	return (unsigned long long)(uintptr_t)p;
}

/* The rules restated apart from pool.c: normalise, then walk a page. */
static bool t_reference(struct t_ref *r, size_t size, size_t align, size_t boundary)
{
	size_t off, next;

	align = align ? align : 1;
	if ((align & (align - 1)) || size == 0 || size > T_INT_MAX)
		return false;
	size = size < T_MIN_BLOCK ? T_MIN_BLOCK : size;
	size = (size + align - 1) / align * align;
	r->allocation = size > PAGE_SIZE ? size : PAGE_SIZE;
	if (!boundary)
		boundary = r->allocation;
	else if (boundary < size || (boundary & (boundary - 1)))
		return false;
	r->boundary = boundary < r->allocation ? boundary : r->allocation;
	r->size = size;
	r->n = 0;
	for (off = 0, next = r->boundary; off + size <= r->allocation;) {
		if (off + size > next) {
			off = next;
			next += r->boundary;
			continue;
		}
		r->offset[r->n++] = off;
		off += size;
	}
	return true;
}

/* [a, a + len) crosses no multiple of @b (b == 0: no boundary asked). */
static bool t_within(uint64_t a, size_t len, size_t b)
{
	return !b || a / b == (a + len - 1) / b;
}

/* Check block @k of a pool filled from empty: place, alignment, boundary, handle. */
static void t_check_block(struct ktest *t, const struct t_ref *r, size_t align,
			  size_t boundary, unsigned int k, const struct t_block *b)
{
	uintptr_t base;
	size_t asize;

	align = align ? align : 1;
	KT_ASSERT_TRUE(t, pool_fake_owns(b->v, r->size, &base, &asize));
	KT_ASSERT_UEQ(t, asize, r->allocation);
	KT_ASSERT_UEQ(t, (uintptr_t)b->v - base, r->offset[k % r->n]);
	KT_ASSERT_UEQ(t, (uintptr_t)b->v % align, 0);
	KT_ASSERT_UEQ(t, b->dma % align, 0);
	KT_ASSERT_TRUE(t, t_within((uintptr_t)b->v, r->size, boundary));
	KT_ASSERT_TRUE(t, t_within(b->dma, r->size, boundary));
	KT_ASSERT_UEQ(t, b->dma, (uintptr_t)b->v + POOL_FAKE_DMA_OFFSET);
}

/* Fill @nr blocks from an empty pool; a new page only once the last is used up. */
static void t_fill(struct ktest *t, struct dma_pool *pool, const struct t_ref *r,
		   size_t align, size_t boundary, struct t_block *b, unsigned int nr)
{
	struct dma_pool_stats st;
	unsigned int k;

	for (k = 0; k < nr; k++) {
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
		dma_pool_get_stats(pool, &st);
		KT_ASSERT_UEQ(t, st.pages, k / r->n + 1);
		KT_ASSERT_UEQ(t, st.active, k + 1);
		t_check_block(t, r, align, boundary, k, &b[k]);
		if (t->status != KTEST_PASS)
			return;
		memset(b[k].v, (int)(k % 251 + 1), r->size);
	}
}

/* Every block still holds its own pattern: no two blocks overlap. */
static void t_check_patterns(struct ktest *t, const struct t_block *b, unsigned int nr,
			     size_t size)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < nr; k++)
		for (i = 0; i < size; i++)
			if (b[k].v[i] != (unsigned char)(k % 251 + 1))
				KT_FAIL(t, "block %u byte %zu overwritten", k, i);
}

/* One combination, in debug mode: refused exactly when Linux refuses it, else correct. */
static void t_combination(struct ktest *t, size_t size, size_t align, size_t boundary)
{
	static struct t_block b[T_MATRIX_PAGES * T_MAX_BLOCKS + 1];
	struct dma_pool_counters c;
	struct dma_pool *pool;
	struct t_ref r;
	bool valid = t_reference(&r, size, align, boundary);
	unsigned int k, nr;

	memset(b, 0, sizeof(b));
	pool = dma_pool_create("combo", &t_dev, size, align, boundary);
	if (!valid) {
		KT_EXPECT_NULL(t, pool);
		return;
	}
	KT_ASSERT_NOT_NULL(t, pool);
	dma_pool_get_counters(pool, &c);
	KT_EXPECT_UEQ(t, c.blocks_per_page, r.n);
	KT_EXPECT_UEQ(t, c.allocation, r.allocation);
	nr = T_MATRIX_PAGES * r.n + 1;
	t_fill(t, pool, &r, align, boundary, b, nr);
	if (t->status == KTEST_PASS)
		t_check_patterns(t, b, nr, r.size);
	for (k = 0; k < nr && b[k].v; k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	KT_EXPECT_UEQ(t, pool_fake_bad_frees(), 0);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	if (t->status != KTEST_PASS)
		ktest_printf("    # failed at size %zu align %zu boundary %zu\n", size, align,
			     boundary);
}

static const size_t t_sizes[] = {
	1, 2, 3, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 96, 100, 127, 128,
	129, 200, 255, 256, 257, 500, 511, 512, 513, 1000, 1024, 1025, 1500, 2048, 2049,
	3000, 4095, 4096, 4097, 5000, 6144, 8191, 8192,
};

/* Sizes 1..8192 x aligns 0, 1..4096 x boundaries 0, 16..8192 and some bad ones. */
static void geometry_matrix(struct ktest *t)
{
	static const size_t odd_bounds[] = { 3, 100, 3000 };
	unsigned int s, a, b;
	size_t align;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	for (s = 0; s < N(t_sizes); s++) {
		for (a = 0; a <= T_MAX_ALIGN_SHIFT + 1; a++) {
			align = a ? (size_t)1 << (a - 1) : 0;
			t_combination(t, t_sizes[s], align, 0);
			for (b = T_MIN_BOUND_SHIFT; b <= T_MAX_BOUND_SHIFT; b++)
				t_combination(t, t_sizes[s], align, (size_t)1 << b);
			for (b = 0; b < N(odd_bounds); b++)
				t_combination(t, t_sizes[s], align, odd_bounds[b]);
			if (t->status != KTEST_PASS)
				goto out;
		}
	}
out:
	pool_fake_uninstall();
}

/* The pool's normalised numbers for one set of arguments. */
static void t_expect_geometry(struct ktest *t, size_t size, size_t align, size_t boundary,
			      size_t block, unsigned int per_page, size_t allocation)
{
	struct dma_pool *pool = dma_pool_create("linux", &t_dev, size, align, boundary);
	struct dma_pool_counters c;
	struct dma_pool_stats st;

	KT_ASSERT_NOT_NULL(t, pool);
	dma_pool_get_stats(pool, &st);
	dma_pool_get_counters(pool, &c);
	KT_EXPECT_UEQ(t, st.block_size, block);
	KT_EXPECT_UEQ(t, c.blocks_per_page, per_page);
	KT_EXPECT_UEQ(t, c.allocation, allocation);
	KT_EXPECT_UEQ(t, st.pages, 0);   /* no page until the first block */
	dma_pool_destroy(pool);
}

/* Linux's own examples and corner cases, with the numbers written out. */
static void linux_normalisation(struct ktest *t)
{
	KT_ASSERT_EQ(t, t_setup(true), 0);
	t_expect_geometry(t, 64, 64, 4096, 64, 64, PAGE_SIZE);
	t_expect_geometry(t, 4096, 4096, 4096, 4096, 1, PAGE_SIZE);   /* NVMe PRP lists */
	t_expect_geometry(t, 256, 256, 0, 256, 16, PAGE_SIZE);        /* NVMe small PRP */
	t_expect_geometry(t, 1, 0, 0, 16, 256, PAGE_SIZE);            /* minimum block */
	t_expect_geometry(t, 1, 1, 16, 16, 256, PAGE_SIZE);
	t_expect_geometry(t, 24, 0, 0, 24, 170, PAGE_SIZE);
	t_expect_geometry(t, 48, 0, 128, 48, 64, PAGE_SIZE);          /* 2 per 128-byte window */
	t_expect_geometry(t, 100, 8, 0, 104, 39, PAGE_SIZE);
	t_expect_geometry(t, 3000, 0, 4096, 3000, 1, PAGE_SIZE);
	t_expect_geometry(t, 2048, 0, 8192, 2048, 2, PAGE_SIZE);      /* boundary above a page */
	t_expect_geometry(t, 5000, 8, 0, 5000, 1, 5000);              /* allocation = size */
	t_expect_geometry(t, 16, 8192, 0, 8192, 1, 8192);             /* align above a page */
	KT_EXPECT_UEQ(t, pool_fake_allocs(), 0);
	pool_fake_uninstall();
}

/* @args refused, with "dma_pool <name>: <why>" logged against the device. */
static void t_expect_refused(struct ktest *t, struct device *dev, const char *name,
			     size_t size, size_t align, size_t boundary, const char *why)
{
	unsigned long errs = log_count(LOG_ERR);
	char want[256];

	KT_EXPECT_NULL(t, dma_pool_create(name, dev, size, align, boundary));
	KT_EXPECT_UEQ(t, log_count(LOG_ERR), errs + 1);
	snprintf(want, sizeof(want), "%s: error: dma_pool %s: %s",
		 dev ? "pooltest 0000:00:04.0" : "(no device)", name ? name : "(null)", why);
	KT_EXPECT_STREQ(t, host_log_last(), want);
}

/* Every argument Linux refuses, and the message naming pool, device and reason. */
static void bad_arguments(struct ktest *t)
{
	KT_ASSERT_EQ(t, t_setup(true), 0);
	t_expect_refused(t, &t_dev, "bad", 64, 3, 0, "alignment 3 is not a power of two");
	t_expect_refused(t, &t_dev, "bad", 64, 48, 0, "alignment 48 is not a power of two");
	t_expect_refused(t, &t_dev, "bad", 0, 8, 0, "block size 0 is not in 1..2147483647");
	t_expect_refused(t, &t_dev, "bad", T_INT_MAX + 1, 8, 0,
			 "block size 2147483648 is not in 1..2147483647");
	t_expect_refused(t, &t_dev, "bad", T_INT_MAX, 4096, 0,
			 "block size aligned to 4096 is above 2147483647");
	t_expect_refused(t, &t_dev, "bad", 64, 0, 3000, "boundary 3000 is not a power of two");
	t_expect_refused(t, &t_dev, "bad", 64, 0, 32, "boundary 32 is below the block size 64");
	t_expect_refused(t, &t_dev, "bad", 16, 64, 32, "boundary 32 is below the block size 64");
	t_expect_refused(t, &t_dev, "bad", 8192, 0, 4096,
			 "boundary 4096 is below the block size 8192");
	t_expect_refused(t, NULL, "nodev", 64, 0, 0, "no device given");
	t_expect_refused(t, &t_dev, NULL, 64, 0, 0, "no name given");
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);   /* bad arguments are errors, not misuse */
	pool_fake_uninstall();
}

/* Allocate @nr blocks into @b; a case fails if any is NULL. */
static void t_alloc_many(struct ktest *t, struct dma_pool *pool, struct t_block *b,
			 unsigned int nr)
{
	unsigned int k;

	for (k = 0; k < nr; k++) {
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
	}
}

/* Free a random block and allocate one, @ops times: the pool's steady state. */
static void t_churn(struct ktest *t, struct dma_pool *pool, struct t_block *b,
		    unsigned int nr, unsigned int ops)
{
	unsigned int k, op;

	for (op = 0; op < ops; op++) {
		k = (unsigned int)(rnd() % nr);
		dma_pool_free(pool, b[k].v, b[k].dma);
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
	}
}

/* The most steps any alloc and free took, for a pool of @pages pages. */
static void t_steps_at(struct ktest *t, size_t size, unsigned int pages,
		       unsigned int *alloc_max, unsigned int *free_max)
{
	struct dma_pool *pool = dma_pool_create("o1", &t_dev, size, 0, 0);
	struct dma_pool_counters c;
	struct t_block *b;
	unsigned int nr, k;

	KT_ASSERT_NOT_NULL(t, pool);
	dma_pool_get_counters(pool, &c);
	nr = pages * c.blocks_per_page;
	b = calloc(nr, sizeof(*b));
	KT_ASSERT_NOT_NULL(t, b);
	t_alloc_many(t, pool, b, nr);
	t_churn(t, pool, b, nr, T_CHURN_OPS);
	dma_pool_get_counters(pool, &c);
	*alloc_max = c.alloc_steps_max;
	*free_max = c.free_steps_max;
	KT_EXPECT_LE(t, c.index_max_probe, T_MAX_PROBE);
	for (k = 0; k < nr; k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_destroy(pool);
	free(b);
}

/* Alloc and free touch a bounded number of records, whether 1 or 1000 pages. */
static void alloc_and_free_are_o1(struct ktest *t)
{
	static const unsigned int pages[] = { 1, 10, 100, 1000 };
	static const size_t sizes[] = { 16, 64, 4096 };
	unsigned int s, p, alloc_max, free_max;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	for (s = 0; s < N(sizes); s++) {
		for (p = 0; p < N(pages); p++) {
			alloc_max = free_max = ~0u;
			t_steps_at(t, sizes[s], pages[p], &alloc_max, &free_max);
			ktest_printf("    # size %zu, %u pages: alloc <= %u steps, "
				     "free <= %u steps\n", sizes[s], pages[p], alloc_max, free_max);
			KT_EXPECT_LE(t, alloc_max, T_ALLOC_STEP_BOUND);
			KT_EXPECT_LE(t, free_max, T_FREE_STEP_BOUND);
		}
	}
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	pool_fake_uninstall();
}

/* Thousands of pages: the index doubles, every block is still found. */
static void index_grows(struct ktest *t)
{
	struct t_block *b = calloc(T_GROWTH_PAGES, sizeof(*b));
	struct dma_pool_counters c;
	struct dma_pool *pool;
	unsigned int k, j;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	KT_ASSERT_NOT_NULL(t, b);
	pool = dma_pool_create("grow", &t_dev, 4096, 4096, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	t_alloc_many(t, pool, b, T_GROWTH_PAGES);
	for (k = T_GROWTH_PAGES - 1; k > 0; k--) {   /* free in random order */
		struct t_block tmp = b[k];

		j = (unsigned int)(rnd() % (k + 1));
		b[k] = b[j];
		b[j] = tmp;
	}
	for (k = 0; k < T_GROWTH_PAGES; k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_get_counters(pool, &c);
	KT_EXPECT_UEQ(t, c.refused, 0);
	KT_EXPECT_GT(t, c.index_rebuilds, 8);
	KT_EXPECT_UGE(t, c.index_slots, 2 * T_GROWTH_PAGES);
	KT_EXPECT_LE(t, c.index_max_probe, T_MAX_PROBE);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	free(b);
	pool_fake_uninstall();
}

/* Freed blocks come back before any new page, and the stats follow. */
static void reuse_before_new_pages(struct ktest *t)
{
	static struct t_block b[3 * 64];
	struct dma_pool_stats st;
	struct dma_pool *pool;
	unsigned int k;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	pool = dma_pool_create("reuse", &t_dev, 64, 64, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	t_alloc_many(t, pool, b, N(b));
	for (k = 0; k < N(b); k += 3)   /* a third of every page */
		dma_pool_free(pool, b[k].v, b[k].dma);
	for (k = 0; k < N(b); k += 3)
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
	dma_pool_get_stats(pool, &st);
	KT_EXPECT_UEQ(t, st.pages, 3);
	KT_EXPECT_UEQ(t, st.blocks, 3 * 64);
	KT_EXPECT_UEQ(t, st.active, 3 * 64);
	KT_EXPECT_UEQ(t, st.block_size, 64);
	for (k = 0; k < N(b); k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_get_stats(pool, &st);
	KT_EXPECT_UEQ(t, st.active, 0);
	KT_EXPECT_UEQ(t, st.pages, 3);   /* pages stay until destroy, as in Linux */
	KT_EXPECT_UEQ(t, st.errors, 0);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	pool_fake_uninstall();
}

/* The first byte of @p that is not @c, or @n. */
static size_t t_first_not(const unsigned char *p, int c, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] == (unsigned char)c; i++)
		;
	return i;
}

/* zalloc zeroes; debug mode poisons fresh and freed blocks; without it, nothing does. */
static void zalloc_and_poison(struct ktest *t)
{
	struct dma_pool *pool;
	unsigned char *v;
	dma_addr_t h;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	pool = dma_pool_create("zero", &t_dev, 200, 8, 0);
	KT_ASSERT_NOT_NULL(t, pool);
	v = dma_pool_alloc(pool, GFP_KERNEL, &h);
	KT_ASSERT_NOT_NULL(t, v);
	KT_EXPECT_UEQ(t, t_first_not(v, T_POISON_ALLOC, 200), 200);
	memset(v, T_JUNK, 200);
	dma_pool_free(pool, v, h);
	KT_EXPECT_UEQ(t, t_first_not(v, T_POISON_FREE, 200), 200);
	KT_ASSERT_TRUE(t, dma_pool_zalloc(pool, GFP_KERNEL, &h) == v);
	KT_EXPECT_UEQ(t, t_first_not(v, 0, 200), 200);
	memset(v, T_JUNK, 200);
	KT_ASSERT_TRUE(t, dma_pool_alloc(pool, GFP_KERNEL | __GFP_ZERO, &h) != v);
	dma_pool_destroy(pool);   /* busy: reported, tested elsewhere */
	pool_fake_install(false);
	pool = dma_pool_create("zero", &t_dev, 200, 8, 0);
	KT_ASSERT_NOT_NULL(t, pool);
	v = dma_pool_alloc(pool, GFP_KERNEL, &h);
	KT_ASSERT_NOT_NULL(t, v);
	KT_EXPECT_UEQ(t, t_first_not(v, 0, 200), 200);   /* fresh coherent memory is zeroed */
	memset(v, T_JUNK, 200);
	dma_pool_free(pool, v, h);
	KT_ASSERT_TRUE(t, dma_pool_alloc(pool, GFP_KERNEL, &h) == v);
	KT_EXPECT_UEQ(t, t_first_not(v, T_JUNK, 200), 200);   /* no poison without debug */
	dma_pool_free(pool, v, h);
	KT_ASSERT_TRUE(t, dma_pool_zalloc(pool, GFP_KERNEL, &h) == v);
	KT_EXPECT_UEQ(t, t_first_not(v, 0, 200), 200);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	pool_fake_uninstall();
}

/* The last report is exactly "DMA-API: pooltest 0000:00:04.0: dma_pool <name>: <what>". */
static void t_expect_report(struct ktest *t, unsigned long before, const char *pool_name,
			    const char *what)
{
	char want[256];

	snprintf(want, sizeof(want), "DMA-API: pooltest 0000:00:04.0: dma_pool %s: %s",
		 pool_name, what);
	KT_EXPECT_UEQ(t, pool_fake_reports(), before + 1);
	KT_EXPECT_STREQ(t, pool_fake_last_report(), want);
}

/* Two pools and one block each: the stage for the misuse cases. */
struct t_stage {
	struct dma_pool *a, *b;
	struct t_block x[3], y;
};

static void t_stage_up(struct ktest *t, struct t_stage *s, bool debug)
{
	memset(s, 0, sizeof(*s));
	KT_ASSERT_EQ(t, t_setup(debug), 0);
	s->a = dma_pool_create("alpha", &t_dev, 48, 16, 128);
	s->b = dma_pool_create("beta", &t_dev, 5000, 8, 0);
	KT_ASSERT_NOT_NULL(t, s->a);
	KT_ASSERT_NOT_NULL(t, s->b);
	t_alloc_many(t, s->a, s->x, N(s->x));
	t_alloc_many(t, s->b, &s->y, 1);
}

/* Both pools empty again, destroyed, and all their memory back. */
static void t_stage_down(struct ktest *t, struct t_stage *s, unsigned long active_a)
{
	struct dma_pool_stats st;

	dma_pool_get_stats(s->a, &st);
	KT_EXPECT_UEQ(t, st.active, active_a);
	dma_pool_destroy(s->a);
	dma_pool_destroy(s->b);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	KT_EXPECT_UEQ(t, pool_fake_bad_frees(), 0);
	pool_fake_uninstall();
}

/* A write into a free block is reported when it is handed out again, byte and value. */
static void misuse_write_after_free(struct ktest *t)
{
	struct dma_pool_stats st;
	struct t_stage s;
	char what[128];
	unsigned long before;

	t_stage_up(t, &s, true);
	KT_ASSERT_EQ(t, t->status, KTEST_PASS);
	dma_pool_free(s.b, s.y.v, s.y.dma);
	dma_pool_free(s.a, s.x[0].v, s.x[0].dma);
	s.x[0].v[T_VICTIM_BYTE] = T_JUNK;
	before = pool_fake_reports();
	KT_ASSERT_TRUE(t, dma_pool_alloc(s.a, GFP_KERNEL, &s.x[0].dma) == s.x[0].v);
	snprintf(what, sizeof(what), "block 0x%llx was written after free (byte 7 is 0x5a)",
		 t_hex(s.x[0].v));
	t_expect_report(t, before, "alpha", what);
	dma_pool_get_stats(s.a, &st);
	KT_EXPECT_UEQ(t, st.errors, 1);
	/* ... and at destroy, for a block nobody took again */
	dma_pool_free(s.a, s.x[0].v, s.x[0].dma);
	dma_pool_free(s.a, s.x[2].v, s.x[2].dma);
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);
	s.x[1].v[0] = T_JUNK;
	before = pool_fake_reports();
	dma_pool_destroy(s.a);
	snprintf(what, sizeof(what), "block 0x%llx was written after free (byte 0 is 0x5a)",
		 t_hex(s.x[1].v));
	t_expect_report(t, before, "alpha", what);
	dma_pool_destroy(s.b);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	pool_fake_uninstall();
}

/* A double free is reported and ignored: the block is not handed out twice. */
static void misuse_double_free(struct ktest *t)
{
	struct dma_pool_counters c;
	struct t_stage s;
	char what[128];
	unsigned long before;
	struct t_block n1, n2;

	t_stage_up(t, &s, true);
	KT_ASSERT_EQ(t, t->status, KTEST_PASS);
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);
	before = pool_fake_reports();
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);
	snprintf(what, sizeof(what), "block 0x%llx is already free (double free) [dma 0x%llx]",
		 t_hex(s.x[1].v), (unsigned long long)s.x[1].dma);
	t_expect_report(t, before, "alpha", what);
	dma_pool_get_counters(s.a, &c);
	KT_EXPECT_UEQ(t, c.refused, 1);
	n1.v = dma_pool_alloc(s.a, GFP_KERNEL, &n1.dma);
	n2.v = dma_pool_alloc(s.a, GFP_KERNEL, &n2.dma);
	KT_EXPECT_TRUE(t, n1.v == s.x[1].v);
	KT_EXPECT_TRUE(t, n2.v != n1.v);
	dma_pool_free(s.a, n1.v, n1.dma);
	dma_pool_free(s.a, n2.v, n2.dma);
	dma_pool_free(s.a, s.x[0].v, s.x[0].dma);
	dma_pool_free(s.a, s.x[2].v, s.x[2].dma);
	dma_pool_free(s.b, s.y.v, s.y.dma);
	t_stage_down(t, &s, 0);
}

/* A wrong handle is reported; the block at the CPU address is freed all the same. */
static void misuse_wrong_handle(struct ktest *t)
{
	struct t_stage s;
	char what[160];
	unsigned long before;

	t_stage_up(t, &s, true);
	KT_ASSERT_EQ(t, t->status, KTEST_PASS);
	before = pool_fake_reports();
	dma_pool_free(s.a, s.x[0].v, s.x[1].dma);
	snprintf(what, sizeof(what),
		 "block 0x%llx freed with dma 0x%llx, but its dma address is 0x%llx",
		 t_hex(s.x[0].v), (unsigned long long)s.x[1].dma,
		 (unsigned long long)s.x[0].dma);
	t_expect_report(t, before, "alpha", what);
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);
	dma_pool_free(s.a, s.x[2].v, s.x[2].dma);
	dma_pool_free(s.b, s.y.v, s.y.dma);
	t_stage_down(t, &s, 0);
}

/* Frees of what is not a block of the pool: each reported with its reason, all ignored. */
static void misuse_foreign_addresses(struct ktest *t)
{
	unsigned char outside[64];
	struct dma_pool_counters c;
	struct t_stage s;
	char what[160];
	unsigned long before;

	t_stage_up(t, &s, true);
	KT_ASSERT_EQ(t, t->status, KTEST_PASS);
	before = pool_fake_reports();
	dma_pool_free(s.a, s.y.v, s.y.dma);
	snprintf(what, sizeof(what), "0x%llx belongs to dma_pool beta, not to this one",
		 t_hex(s.y.v));
	t_expect_report(t, before, "alpha", what);
	before = pool_fake_reports();
	dma_pool_free(s.a, outside, 0x1234);
	snprintf(what, sizeof(what), "0x%llx [dma 0x1234] is not a block of this pool",
		 t_hex(outside));
	t_expect_report(t, before, "alpha", what);
	before = pool_fake_reports();
	dma_pool_free(s.a, s.x[0].v + 1, s.x[0].dma + 1);
	snprintf(what, sizeof(what), "0x%llx is not the start of a block", t_hex(s.x[0].v + 1));
	t_expect_report(t, before, "alpha", what);
	before = pool_fake_reports();   /* offset 96: the unused tail of a 128-byte window */
	dma_pool_free(s.a, s.x[0].v + 96, s.x[0].dma + 96);
	snprintf(what, sizeof(what), "0x%llx is not the start of a block", t_hex(s.x[0].v + 96));
	t_expect_report(t, before, "alpha", what);
	before = pool_fake_reports();   /* beyond beta's 5000 bytes, inside its 8 KiB span */
	dma_pool_free(s.b, s.y.v + 6000, s.y.dma + 6000);
	snprintf(what, sizeof(what), "0x%llx [dma 0x%llx] is not a block of this pool",
		 t_hex(s.y.v + 6000), (unsigned long long)s.y.dma + 6000);
	t_expect_report(t, before, "beta", what);
	dma_pool_get_counters(s.a, &c);
	KT_EXPECT_UEQ(t, c.refused, 4);
	dma_pool_free(s.b, s.y.v, s.y.dma);
	for (unsigned int k = 0; k < N(s.x); k++)
		dma_pool_free(s.a, s.x[k].v, s.x[k].dma);
	t_stage_down(t, &s, 0);
}

/* Destroy with busy blocks: reported, and exactly the pages holding them are kept. */
static void destroy_busy_keeps_pages(struct ktest *t)
{
	static struct t_block b[3 * 64];
	struct dma_pool *pool;
	char what[160];
	unsigned long before;
	unsigned int k;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	pool = dma_pool_create("busy", &t_dev, 64, 64, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	t_alloc_many(t, pool, b, N(b));
	for (k = 0; k < N(b); k++)
		if (k != 70 && k != 100)   /* two blocks of the second page stay busy */
			dma_pool_free(pool, b[k].v, b[k].dma);
	before = pool_fake_reports();
	dma_pool_destroy(pool);
	snprintf(what, sizeof(what), "destroyed with 2 blocks still allocated (first 0x%llx); "
		 "keeping 1 of 3 pages", t_hex(b[70].v));
	t_expect_report(t, before, "busy", what);
	KT_ASSERT_UEQ(t, pool_fake_live(), 1);
	KT_EXPECT_UEQ(t, pool_fake_bad_frees(), 0);
	memset(b[70].v, T_JUNK, 64);   /* still ours to touch: the page was not freed */
	pool_fake_uninstall();
}

/* Without dma_debug: the same mistakes make no report, and the pool stays sound. */
static void misuse_without_debug_is_quiet(struct ktest *t)
{
	unsigned char outside[64];
	struct dma_pool_counters c;
	struct dma_pool_stats st;
	struct t_stage s;
	unsigned long errs;
	struct t_block n1, n2;

	t_stage_up(t, &s, false);
	KT_ASSERT_EQ(t, t->status, KTEST_PASS);
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);
	dma_pool_free(s.a, s.x[1].v, s.x[1].dma);       /* double */
	dma_pool_free(s.a, s.y.v, s.y.dma);             /* another pool's */
	dma_pool_free(s.a, outside, 0);                 /* not a pool's */
	dma_pool_free(s.a, s.x[0].v + 8, s.x[0].dma);   /* inside a block */
	dma_pool_free(s.a, s.x[2].v, s.x[0].dma);       /* wrong handle: freed */
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	dma_pool_get_stats(s.a, &st);
	dma_pool_get_counters(s.a, &c);
	KT_EXPECT_UEQ(t, st.errors, 0);
	KT_EXPECT_UEQ(t, st.active, 1);
	KT_EXPECT_UEQ(t, c.refused, 4);
	n1.v = dma_pool_alloc(s.a, GFP_KERNEL, &n1.dma);
	n2.v = dma_pool_alloc(s.a, GFP_KERNEL, &n2.dma);
	KT_EXPECT_TRUE(t, n1.v && n2.v && n1.v != n2.v && n1.v != s.x[0].v && n2.v != s.x[0].v);
	dma_pool_free(s.a, s.x[0].v, s.x[0].dma);
	dma_pool_free(s.a, n1.v, n1.dma);
	errs = log_count(LOG_ERR);
	dma_pool_destroy(s.a);   /* n2 still busy: a log line, no report */
	KT_EXPECT_UEQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, host_log_last(), "dma_pool alpha: destroyed with 1 blocks");
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	KT_EXPECT_UEQ(t, pool_fake_live(), 2);   /* alpha's page, beta's block */
	dma_pool_free(s.b, s.y.v, s.y.dma);
	dma_pool_destroy(s.b);
	KT_EXPECT_UEQ(t, pool_fake_live(), 1);
	pool_fake_uninstall();
}

/* No memory for a page: NULL, DMA_MAPPING_ERROR, a log line unless __GFP_NOWARN. */
static void allocation_failures(struct ktest *t)
{
	struct dma_pool *pool;
	unsigned long errs;
	dma_addr_t h = 0;
	void *v;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	pool = dma_pool_create("fail", &t_dev, 4096, 4096, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	pool_fake_fail_after(0);
	errs = log_count(LOG_ERR);
	KT_EXPECT_NULL(t, dma_pool_alloc(pool, GFP_KERNEL, &h));
	KT_EXPECT_UEQ(t, h, DMA_MAPPING_ERROR);
	KT_EXPECT_UEQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_STREQ(t, host_log_last(), "pooltest 0000:00:04.0: error: dma_pool fail: "
			"no memory for another page of 4096 bytes");
	KT_EXPECT_NULL(t, dma_pool_alloc(pool, GFP_KERNEL | __GFP_NOWARN, &h));
	KT_EXPECT_UEQ(t, log_count(LOG_ERR), errs + 1);
	pool_fake_fail_after(-1);
	pool_fake_skew_next(0, 512);   /* a handle off the page: refused, given back */
	KT_EXPECT_NULL(t, dma_pool_alloc(pool, GFP_KERNEL | __GFP_NOWARN, &h));
	KT_EXPECT_SUBSTR(t, host_log_last(),
			 "is not aligned as promised (CPU to 4096, device to 4096 bytes)");
	pool_fake_skew_next(64, 0);    /* a CPU address off the page: the same */
	KT_EXPECT_NULL(t, dma_pool_alloc(pool, GFP_KERNEL | __GFP_NOWARN, &h));
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	KT_EXPECT_UEQ(t, pool_fake_bad_frees(), 0);
	v = dma_pool_alloc(pool, GFP_KERNEL, &h);   /* and then it works */
	KT_EXPECT_NOT_NULL(t, v);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	pool_fake_uninstall();
}

/* NULL pools and NULL blocks are harmless, as in Linux. */
static void null_is_harmless(struct ktest *t)
{
	struct dma_pool_stats st;
	dma_addr_t h = 0;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	dma_pool_destroy(NULL);
	dma_pool_free(NULL, &h, 0);
	KT_EXPECT_NULL(t, dma_pool_alloc(NULL, GFP_KERNEL, &h));
	KT_EXPECT_UEQ(t, h, DMA_MAPPING_ERROR);
	dma_pool_get_stats(NULL, &st);
	KT_EXPECT_UEQ(t, st.block_size, 0);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	pool_fake_uninstall();
}

/* Random allocs and frees, each block holding its own pattern: no overlap, no report. */
static void random_churn_with_patterns(struct ktest *t)
{
	enum { LIVE = 3000, OPS = 100000 };
	static struct t_block b[LIVE];
	struct dma_pool_stats st;
	struct dma_pool *pool;
	unsigned int k, op, live = 0;

	KT_ASSERT_EQ(t, t_setup(true), 0);
	pool = dma_pool_create("churn", &t_dev, 48, 16, 128);
	KT_ASSERT_NOT_NULL(t, pool);
	memset(b, 0, sizeof(b));
	for (op = 0; op < OPS && t->status == KTEST_PASS; op++) {
		k = (unsigned int)(rnd() % LIVE);
		if (b[k].v) {
			KT_EXPECT_UEQ(t, t_first_not(b[k].v, (int)(k & 0xff), 48), 48);
			dma_pool_free(pool, b[k].v, b[k].dma);
			b[k].v = NULL;
			live--;
			continue;
		}
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
		KT_EXPECT_UEQ(t, b[k].dma, (uintptr_t)b[k].v + POOL_FAKE_DMA_OFFSET);
		memset(b[k].v, (int)(k & 0xff), 48);
		live++;
	}
	dma_pool_get_stats(pool, &st);
	KT_EXPECT_UEQ(t, st.active, live);
	KT_EXPECT_LE(t, st.pages, LIVE / 64 + 1);   /* 64 blocks a page: no page wasted */
	for (k = 0; k < LIVE; k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, pool_fake_reports(), 0);
	KT_EXPECT_UEQ(t, pool_fake_live(), 0);
	pool_fake_uninstall();
}

KTEST_SUITE(dma_pool,
	    KTEST_CASE(geometry_matrix),
	    KTEST_CASE(linux_normalisation),
	    KTEST_CASE(bad_arguments),
	    KTEST_CASE(alloc_and_free_are_o1),
	    KTEST_CASE(index_grows),
	    KTEST_CASE(reuse_before_new_pages),
	    KTEST_CASE(zalloc_and_poison),
	    KTEST_CASE(misuse_write_after_free),
	    KTEST_CASE(misuse_double_free),
	    KTEST_CASE(misuse_wrong_handle),
	    KTEST_CASE(misuse_foreign_addresses),
	    KTEST_CASE(destroy_busy_keeps_pages),
	    KTEST_CASE(misuse_without_debug_is_quiet),
	    KTEST_CASE(allocation_failures),
	    KTEST_CASE(null_is_harmless),
	    KTEST_CASE(random_churn_with_patterns));
