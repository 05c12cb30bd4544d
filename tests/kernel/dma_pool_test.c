/*
 * dma_pool_test.c - dma_pool on the machine it booted on.
 *
 * The host tests (tests/host/test_dma_pool.c) prove the geometry, the O(1)
 * bounds and every report over fake memory; these prove the integration:
 * pages from the real dma_alloc_coherent(), handles that are physical
 * addresses under the direct backend, blocks the CPU can fill, reports
 * through the real DMA-API checker, and nothing left in its ledger once
 * the pools are gone. Cases that provoke misuse need dma_debug=on (every
 * scenario sets it) and skip without it.
 */
#include "dma/debug.h"
#include "dma/pool.h"
#include "dma/pool_internal.h"
#include "kernel/ktest.h"
#include "kernel/mm/layout.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define KT_PAGES          3                 /* pages each pattern test fills */
#define KT_MAX_BLOCKS     (KT_PAGES * 256 + 1)
#define KT_O1_PAGES       1000              /* 4 MiB of coherent memory */
#define KT_MAX_PROBE      8                 /* POOL_INDEX_MAX_PROBE */
#define KT_ALLOC_STEPS    6                 /* head page, 4 bitmap words, unlink */
#define KT_FREE_STEPS     (KT_MAX_PROBE + 2)/* probes, bitmap word, relink */
#define KT_JUNK           0x5a
#define KT_VICTIM_BYTE    7
#define KT_MSG            192

/* The devices the pools are for: fresh DMA defaults, the direct backend. */
static struct device kt_dev = { .name = "pool-test", .driver_name = "dma_pool_test" };
static struct device kt_leak_dev = { .name = "pool-leak", .driver_name = "dma_pool_test" };

/* One block as the tests keep it. */
struct kt_block {
	unsigned char *v;
	dma_addr_t dma;
};

static struct kt_block kt_blocks[KT_O1_PAGES];   /* big: not on the stack */

/* Both devices back to Linux's defaults before each case. */
static void kt_devices_init(void)
{
	dma_device_init(&kt_dev);
	dma_device_init(&kt_leak_dev);
}

static unsigned long long kt_hex(const void *p)
{
	return (unsigned long long)(uintptr_t)p;
}

/* [a, a + len) crosses no multiple of @b (0: none asked). */
static bool kt_within(uint64_t a, size_t len, size_t b)
{
	return !b || a / b == (a + len - 1) / b;
}

/* A byte pattern of its own for block @k. */
static unsigned char kt_pattern(unsigned int k)
{
	return (unsigned char)(k % 251 + 1);
}

/* Fill @nr blocks, checking each block's handle, alignment and boundary. */
static void kt_fill(struct ktest *t, struct dma_pool *pool, size_t size, size_t align,
		    size_t boundary, struct kt_block *b, unsigned int nr)
{
	unsigned int k;

	align = align ? align : 1;
	for (k = 0; k < nr; k++) {
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
		KT_ASSERT_UEQ(t, b[k].dma, virt_to_phys(b[k].v));   /* direct, never bounced */
		KT_ASSERT_TRUE(t, b[k].dma + size - 1 <= kt_dev.coherent_dma_mask);
		KT_ASSERT_UEQ(t, b[k].dma % align, 0);
		KT_ASSERT_TRUE(t, kt_within(b[k].dma, size, boundary));
		memset(b[k].v, kt_pattern(k), size);
	}
}

/* Every block still holds its pattern: no block overlaps another. */
static void kt_check_patterns(struct ktest *t, const struct kt_block *b, unsigned int nr,
			      size_t size)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < nr; k++)
		for (i = 0; i < size; i++)
			if (b[k].v[i] != kt_pattern(k))
				KT_FAIL(t, "block %u (dma %#llx) byte %zu is %#x", k,
					(unsigned long long)b[k].dma, i, b[k].v[i]);
}

/* Fill KT_PAGES pages and one block more, check, free all, and leave no trace. */
static void kt_pool_roundtrip(struct ktest *t, const char *name, size_t size, size_t align,
			      size_t boundary, unsigned int per_page)
{
	static struct kt_block b[KT_MAX_BLOCKS];
	struct dma_pool *pool = dma_pool_create(name, &kt_dev, size, align, boundary);
	struct dma_pool_stats st;
	unsigned int k, nr = KT_PAGES * per_page + 1;

	KT_ASSERT_NOT_NULL(t, pool);
	memset(b, 0, sizeof(b));
	kt_fill(t, pool, size, align, boundary, b, nr);
	if (t->status == KTEST_PASS)
		kt_check_patterns(t, b, nr, size);
	dma_pool_get_stats(pool, &st);
	KT_EXPECT_UEQ(t, st.pages, KT_PAGES + 1);
	KT_EXPECT_UEQ(t, st.blocks, (KT_PAGES + 1) * per_page);
	for (k = 0; k < nr && b[k].v; k++)
		dma_pool_free(pool, b[k].v, b[k].dma);
	dma_pool_get_stats(pool, &st);
	KT_EXPECT_UEQ(t, st.active, 0);
	KT_EXPECT_UEQ(t, st.errors, 0);
	dma_pool_destroy(pool);
}

/* The pools an NVMe driver and a descriptor ring would make, on real memory. */
static void blocks_on_real_memory(struct ktest *t)
{
	unsigned long errors = dma_debug_error_count();

	kt_devices_init();
	kt_pool_roundtrip(t, "prp-list", 4096, 4096, 4096, 1);
	kt_pool_roundtrip(t, "prp-small", 256, 256, 0, 16);
	kt_pool_roundtrip(t, "linux-64", 64, 64, 4096, 64);
	kt_pool_roundtrip(t, "desc", 48, 16, 128, 64);
	kt_pool_roundtrip(t, "tiny", 1, 0, 0, 256);
	KT_EXPECT_UEQ(t, dma_debug_error_count(), errors);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_dev), 0);
}

/* zalloc zeroes a block that held data; debug mode poisons fresh blocks. */
static void zalloc_zeroes(struct ktest *t)
{
	struct dma_pool *pool;
	dma_addr_t h;
	unsigned char *v;
	size_t i;

	kt_devices_init();
	pool = dma_pool_create("zero", &kt_dev, 200, 8, 0);
	KT_ASSERT_NOT_NULL(t, pool);
	v = dma_pool_alloc(pool, GFP_KERNEL, &h);
	KT_ASSERT_NOT_NULL(t, v);
	memset(v, KT_JUNK, 200);
	dma_pool_free(pool, v, h);
	KT_ASSERT_TRUE(t, dma_pool_zalloc(pool, GFP_KERNEL, &h) == v);
	for (i = 0; i < 200; i++)
		KT_ASSERT_UEQ(t, v[i], 0);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_dev), 0);
}

/* 1000 pages of real coherent memory: alloc and free still take a few steps. */
static void o1_with_1000_pages(struct ktest *t)
{
	struct dma_pool *pool;
	struct dma_pool_counters c;
	unsigned int k, j;

	kt_devices_init();
	pool = dma_pool_create("o1", &kt_dev, 4096, 4096, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	for (k = 0; k < KT_O1_PAGES; k++) {
		kt_blocks[k].v = dma_pool_alloc(pool, GFP_KERNEL, &kt_blocks[k].dma);
		KT_ASSERT_NOT_NULL(t, kt_blocks[k].v);
	}
	for (k = 0, j = 0; k < 4 * KT_O1_PAGES; k++, j = (j + 379) % KT_O1_PAGES) {
		dma_pool_free(pool, kt_blocks[j].v, kt_blocks[j].dma);
		kt_blocks[j].v = dma_pool_alloc(pool, GFP_KERNEL, &kt_blocks[j].dma);
		KT_ASSERT_NOT_NULL(t, kt_blocks[j].v);
	}
	dma_pool_get_counters(pool, &c);
	ktest_printf("    # %u pages: alloc <= %u steps, free <= %u steps, index %u slots\n",
		     KT_O1_PAGES, c.alloc_steps_max, c.free_steps_max, c.index_slots);
	KT_EXPECT_LE(t, c.alloc_steps_max, KT_ALLOC_STEPS);
	KT_EXPECT_LE(t, c.free_steps_max, KT_FREE_STEPS);
	KT_EXPECT_LE(t, c.index_max_probe, KT_MAX_PROBE);
	for (k = 0; k < KT_O1_PAGES; k++)
		dma_pool_free(pool, kt_blocks[k].v, kt_blocks[k].dma);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_dev), 0);
}

/* The checker counted exactly one report since @before, and its text has @what. */
static void kt_expect_report(struct ktest *t, unsigned long before, const char *what)
{
	KT_EXPECT_UEQ(t, dma_debug_error_count(), before + 1);
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), what);
}

/* The cases below provoke misuse on purpose; they need the checker on. */
static bool kt_need_debug(struct ktest *t)
{
	if (dma_debug_enabled())
		return true;
	ktest_skip(t, "needs dma_debug=on");
	return false;
}

/* Write after free, double free, wrong handle: each reported by the checker. */
static void misuse_reported(struct ktest *t)
{
	struct kt_block b[2];
	struct dma_pool *pool;
	char what[KT_MSG];
	unsigned long before;

	if (!kt_need_debug(t))
		return;
	kt_devices_init();
	ktest_expect_error(t, "dma_pool_test pool-test: error: dma_pool kt-alpha: ");
	pool = dma_pool_create("kt-alpha", &kt_dev, 64, 64, 4096);
	KT_ASSERT_NOT_NULL(t, pool);
	b[0].v = dma_pool_alloc(pool, GFP_KERNEL, &b[0].dma);
	b[1].v = dma_pool_alloc(pool, GFP_KERNEL, &b[1].dma);
	KT_ASSERT_TRUE(t, b[0].v && b[1].v);
	dma_pool_free(pool, b[0].v, b[0].dma);
	b[0].v[KT_VICTIM_BYTE] = KT_JUNK;
	before = dma_debug_error_count();
	KT_ASSERT_TRUE(t, dma_pool_alloc(pool, GFP_KERNEL, &b[0].dma) == b[0].v);
	snprintf(what, sizeof(what), "dma_pool kt-alpha: block 0x%llx was written after free "
		 "(byte 7 is 0x5a)", kt_hex(b[0].v));
	kt_expect_report(t, before, what);
	dma_pool_free(pool, b[1].v, b[1].dma);
	before = dma_debug_error_count();
	dma_pool_free(pool, b[1].v, b[1].dma);
	snprintf(what, sizeof(what), "dma_pool kt-alpha: block 0x%llx is already free "
		 "(double free) [dma 0x%llx]", kt_hex(b[1].v), (unsigned long long)b[1].dma);
	kt_expect_report(t, before, what);
	before = dma_debug_error_count();
	dma_pool_free(pool, b[0].v, b[0].dma + 64);
	snprintf(what, sizeof(what), "dma_pool kt-alpha: block 0x%llx freed with dma 0x%llx, "
		 "but its dma address is 0x%llx", kt_hex(b[0].v),
		 (unsigned long long)b[0].dma + 64, (unsigned long long)b[0].dma);
	kt_expect_report(t, before, what);
	dma_pool_destroy(pool);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_dev), 0);
}

/* Frees of another pool's block, or of memory no pool owns: reported, ignored. */
static void foreign_frees_reported(struct ktest *t)
{
	static unsigned char outside[64];
	struct dma_pool *a, *b;
	struct kt_block x, y;
	char what[KT_MSG];
	unsigned long before;

	if (!kt_need_debug(t))
		return;
	kt_devices_init();
	ktest_expect_error(t, "dma_pool_test pool-test: error: dma_pool kt-alpha: ");
	a = dma_pool_create("kt-alpha", &kt_dev, 64, 0, 0);
	b = dma_pool_create("kt-beta", &kt_dev, 512, 0, 0);
	KT_ASSERT_TRUE(t, a && b);
	x.v = dma_pool_alloc(a, GFP_KERNEL, &x.dma);
	y.v = dma_pool_alloc(b, GFP_KERNEL, &y.dma);
	KT_ASSERT_TRUE(t, x.v && y.v);
	before = dma_debug_error_count();
	dma_pool_free(a, y.v, y.dma);
	snprintf(what, sizeof(what), "dma_pool kt-alpha: 0x%llx belongs to dma_pool kt-beta, "
		 "not to this one", kt_hex(y.v));
	kt_expect_report(t, before, what);
	before = dma_debug_error_count();
	dma_pool_free(a, outside, virt_to_phys(outside));
	snprintf(what, sizeof(what), "dma_pool kt-alpha: 0x%llx [dma 0x%llx] is not a block of "
		 "this pool", kt_hex(outside), (unsigned long long)virt_to_phys(outside));
	kt_expect_report(t, before, what);
	before = dma_debug_error_count();
	dma_pool_free(a, x.v + 8, x.dma + 8);
	snprintf(what, sizeof(what), "dma_pool kt-alpha: 0x%llx is not the start of a block",
		 kt_hex(x.v + 8));
	kt_expect_report(t, before, what);
	dma_pool_free(a, x.v, x.dma);
	dma_pool_free(b, y.v, y.dma);
	dma_pool_destroy(a);
	dma_pool_destroy(b);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_dev), 0);
}

/* Destroy with a block in use: reported, and only its page stays with the device. */
static void destroy_busy_keeps_page(struct ktest *t)
{
	struct dma_pool *pool;
	struct kt_block b[2 * 64];
	char what[KT_MSG];
	unsigned long before;
	unsigned int k;

	if (!kt_need_debug(t))
		return;
	kt_devices_init();
	ktest_expect_error(t, "dma_pool_test pool-leak: error: dma_pool kt-busy: destroyed with");
	pool = dma_pool_create("kt-busy", &kt_leak_dev, 64, 64, 0);
	KT_ASSERT_NOT_NULL(t, pool);
	for (k = 0; k < 2 * 64; k++) {
		b[k].v = dma_pool_alloc(pool, GFP_KERNEL, &b[k].dma);
		KT_ASSERT_NOT_NULL(t, b[k].v);
	}
	for (k = 0; k < 2 * 64; k++)
		if (k != 100)
			dma_pool_free(pool, b[k].v, b[k].dma);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_leak_dev), 2);
	before = dma_debug_error_count();
	dma_pool_destroy(pool);
	snprintf(what, sizeof(what), "dma_pool kt-busy: destroyed with 1 blocks still allocated "
		 "(first 0x%llx); keeping 1 of 2 pages", kt_hex(b[100].v));
	kt_expect_report(t, before, what);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_leak_dev), 1);
	/* The "driver" knows its device is idle now, and frees the page itself. */
	dma_free_coherent(&kt_leak_dev, PAGE_SIZE, (void *)((uintptr_t)b[100].v & PAGE_MASK),
			  b[100].dma & PAGE_MASK);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&kt_leak_dev), 0);
}

KTEST_SUITE(dma_pool,
	    KTEST_CASE(blocks_on_real_memory),
	    KTEST_CASE(zalloc_zeroes),
	    KTEST_CASE(o1_with_1000_pages),
	    KTEST_CASE(misuse_reported),
	    KTEST_CASE(foreign_frees_reported),
	    KTEST_CASE(destroy_busy_keeps_page));
