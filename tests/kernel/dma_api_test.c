/*
 * dma_api_test.c - the DMA API's device model and the rules it enforces,
 * on a device of our own (no DMA needs to happen to check these):
 * defaults, masks the platform cannot serve, the required mask, the
 * largest mapping, coherent memory's placement, alignment and attributes,
 * scatterlist tables and segment limits, min_align_mask through a bounce.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"

#define TABLE_ENTRIES   100
#define ALIGN_PROBE     0x234       /* an offset inside a page to preserve */
#define NVME_PAGE_MASK  0xfff       /* NVMe's min_align_mask */
#define BIG_ORDER_BYTES (64ULL << 20)  /* beyond the page allocator's largest block */
#define BOUNCE_TRIES    64

/* A fresh device with Linux's defaults, named for the log. */
static void test_device(struct device *dev)
{
	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->name, "dma_api_test", sizeof(dev->name));
	dma_device_init(dev);
}

static void defaults_are_linux(struct ktest *t)
{
	struct device dev;

	test_device(&dev);
	KT_EXPECT_UEQ(t, dma_get_mask(&dev), DMA_BIT_MASK(32));
	KT_EXPECT_UEQ(t, dev.coherent_dma_mask, DMA_BIT_MASK(32));
	KT_EXPECT_UEQ(t, dma_get_max_seg_size(&dev), 65536);
	KT_EXPECT_UEQ(t, dma_get_seg_boundary(&dev), ~0ULL);
	KT_EXPECT_EQ(t, dma_get_min_align_mask(&dev), 0);
	KT_EXPECT_TRUE(t, dev.dma_ops == &dma_direct_ops);
}

/* A mask is accepted only if RAM and the bounce pool are within reach. */
static void masks_the_platform_cannot_serve(struct ktest *t)
{
	struct device dev;
	unsigned long errs = log_count(LOG_ERR);

	test_device(&dev);
	ktest_expect_error(t, "dma_api_test: error: DMA mask 0xffff cannot be served");
	ktest_expect_error(t, "dma_api_test: error: coherent DMA mask 0xfffff cannot be served");
	ktest_expect_error(t, "dma_api_test: error: segment boundary mask 0x1000 is not");
	KT_EXPECT_EQ(t, dma_set_mask(&dev, DMA_BIT_MASK(16)), -EIO);
	KT_EXPECT_EQ(t, dma_set_coherent_mask(&dev, DMA_BIT_MASK(20)), -EIO);
	KT_EXPECT_UEQ(t, dma_get_mask(&dev), DMA_BIT_MASK(32));   /* unchanged */
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 2);
	KT_EXPECT_EQ(t, dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(28)), 0);
	KT_EXPECT_EQ(t, dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64)), 0);
	KT_EXPECT_EQ(t, dma_set_seg_boundary(&dev, 0x1000), -EINVAL);  /* not 2^n - 1 */
	KT_EXPECT_EQ(t, dma_set_max_seg_size(&dev, 0), -EINVAL);
}

/* The required mask is the smallest 2^n - 1 covering all of RAM. */
static void required_mask_covers_ram(struct ktest *t)
{
	struct device dev;
	uint64_t need = memmap_ram_end() - 1, mask;

	test_device(&dev);
	mask = dma_get_required_mask(&dev);
	KT_EXPECT_UGE(t, mask, need);
	KT_EXPECT_ULT(t, mask >> 1, need);
	KT_EXPECT_EQ(t, mask & (mask + 1), 0);
	dma_set_mask(&dev, mask);
	KT_EXPECT_FALSE(t, dma_addressing_limited(&dev));
}

/* Without bouncing there is no limit; when a device may bounce, swiotlb's is. */
static void max_mapping_size_follows_bouncing(struct ktest *t)
{
	struct device dev;
	size_t bounce_max;

	test_device(&dev);
	dma_set_mask(&dev, DMA_BIT_MASK(64));
	bounce_max = swiotlb_max_mapping_size(&dev);
	KT_EXPECT_UEQ(t, dma_max_mapping_size(&dev), swiotlb_force_bounce() ? bounce_max : SIZE_MAX);
	dma_set_mask(&dev, DMA_BIT_MASK(28));
	if (dma_addressing_limited(&dev))
		KT_EXPECT_UEQ(t, dma_max_mapping_size(&dev), bounce_max);
	KT_EXPECT_UEQ(t, bounce_max, IO_TLB_SEGSIZE * IO_TLB_SIZE);
}

/* Coherent memory: zeroed, inside the coherent mask (not the streaming
 * one), aligned to its order. */
static void coherent_placement(struct ktest *t)
{
	static const size_t sizes[] = { 1, PAGE_SIZE, 3 * PAGE_SIZE, 64 * 1024 };
	struct device dev;

	test_device(&dev);
	KT_ASSERT_EQ(t, dma_set_mask(&dev, DMA_BIT_MASK(64)), 0);
	KT_ASSERT_EQ(t, dma_set_coherent_mask(&dev, DMA_BIT_MASK(28)), 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		dma_addr_t h;
		uint8_t *p = dma_alloc_coherent(&dev, sizes[i], &h, GFP_KERNEL);
		uint64_t span = PAGE_SIZE;
		KT_ASSERT_NOT_NULL(t, p);
		while (span < sizes[i])
			span <<= 1;
		KT_EXPECT_UEQ(t, h % span, 0);
		KT_EXPECT_TRUE(t, h + span - 1 <= DMA_BIT_MASK(28));
		KT_EXPECT_UEQ(t, h, virt_to_phys(p));
		KT_EXPECT_EQ(t, p[0] | p[sizes[i] - 1], 0);
		dma_free_coherent(&dev, sizes[i], p, h);
	}
}

/* DMA_ATTR_WRITE_COMBINE changes the memory's one mapping to WC, and
 * freeing puts write-back back. */
static void coherent_write_combine(struct ktest *t)
{
	struct device dev;
	uint64_t pte = 0, size = 0;
	dma_addr_t h;
	uint8_t *p;

	test_device(&dev);
	p = dma_alloc_attrs(&dev, 2 * PAGE_SIZE, &h, GFP_KERNEL, DMA_ATTR_WRITE_COMBINE);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_TRUE(t, paging_lookup(p + PAGE_SIZE, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WC);
	memset(p, 0x5a, 2 * PAGE_SIZE);
	KT_EXPECT_EQ(t, p[2 * PAGE_SIZE - 1], 0x5a);
	dma_free_attrs(&dev, 2 * PAGE_SIZE, p, h, DMA_ATTR_WRITE_COMBINE);
	KT_ASSERT_TRUE(t, paging_lookup(p, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WB);
}

/* A failed allocation is logged unless DMA_ATTR_NO_WARN says not to. */
static void coherent_no_warn(struct ktest *t)
{
	struct device dev;
	unsigned long errs;
	dma_addr_t h = 0;

	test_device(&dev);
	errs = log_count(LOG_ERR);
	ktest_expect_error(t, "dma_alloc_coherent: no ");
	KT_EXPECT_NULL(t, dma_alloc_attrs(&dev, BIG_ORDER_BYTES, &h, GFP_KERNEL,
					  DMA_ATTR_NO_WARN));
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
	KT_EXPECT_UEQ(t, h, DMA_MAPPING_ERROR);
	KT_EXPECT_NULL(t, dma_alloc_coherent(&dev, BIG_ORDER_BYTES, &h, GFP_KERNEL));
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
}

static void sg_tables(struct ktest *t)
{
	struct sg_table table;
	struct scatterlist *s;
	unsigned count = 0;
	int i;

	KT_ASSERT_EQ(t, sg_alloc_table(&table, TABLE_ENTRIES, GFP_KERNEL), 0);
	KT_EXPECT_EQ(t, table.orig_nents, TABLE_ENTRIES);
	for (s = table.sgl; s; s = sg_next(s))
		count++;
	KT_EXPECT_EQ(t, count, TABLE_ENTRIES);
	for_each_sg(table.sgl, s, TABLE_ENTRIES, i)
		KT_EXPECT_EQ(t, s->length, 0);
	sg_free_table(&table);
	KT_EXPECT_NULL(t, table.sgl);
	KT_EXPECT_EQ(t, sg_alloc_table(&table, 0, GFP_KERNEL), -ENOMEM);
}

/* An entry longer than max_seg_size, or crossing the segment boundary,
 * is refused (unless a bounce can place it within the boundary). */
static void sg_segment_limits(struct ktest *t)
{
	struct device dev;
	struct scatterlist sg[1];
	uint8_t *buf = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	int n;

	KT_ASSERT_NOT_NULL(t, buf);
	test_device(&dev);
	dma_set_mask(&dev, DMA_BIT_MASK(64));
	dma_set_max_seg_size(&dev, 1024);
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, 2048);
	ktest_expect_error(t, "breaks the device's segment limits");
	KT_EXPECT_EQ(t, dma_map_sg(&dev, sg, 1, DMA_TO_DEVICE), 0);
	dma_set_max_seg_size(&dev, 65536);
	dma_set_seg_boundary(&dev, PAGE_SIZE - 1);
	sg_set_buf(sg, buf + PAGE_SIZE - 16, 64);     /* straddles a page boundary */
	n = dma_map_sg(&dev, sg, 1, DMA_TO_DEVICE);
	if (swiotlb_force_bounce()) {                  /* the bounce slot respects it */
		KT_ASSERT_EQ(t, n, 1);
		KT_EXPECT_UEQ(t, sg_dma_address(sg) >> 12, (sg_dma_address(sg) + 63) >> 12);
		dma_unmap_sg(&dev, sg, 1, DMA_TO_DEVICE);
	} else {
		KT_EXPECT_EQ(t, n, 0);
	}
	kfree(buf);
}

/* nents larger than the list is refused, never walked past its end. */
static void sg_nents_beyond_the_list(struct ktest *t)
{
	struct device dev;
	struct scatterlist sg[2];
	uint8_t *buf = kmalloc(256, GFP_KERNEL);
	unsigned long errs = log_count(LOG_ERR), reports = dma_debug_error_count();
	int n;

	KT_ASSERT_NOT_NULL(t, buf);
	test_device(&dev);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 128);
	sg_set_buf(&sg[1], buf + 128, 128);
	KT_EXPECT_EQ(t, sg_nents(sg), 2);
	ktest_expect_error(t, "dma_map_sg with nents 3, but the list ends after 2 entries");
	ktest_expect_error(t, "dma_map_sg with nents 0, but the list ends after 0 entries");
	ktest_expect_error(t, "dma_sync_sg_for_device with nents 5, but the list ends after 2 entries");
	ktest_expect_error(t, "syncs a scatterlist with a different entry count");
	KT_EXPECT_EQ(t, dma_map_sg(&dev, sg, 3, DMA_TO_DEVICE), 0);
	KT_EXPECT_EQ(t, dma_map_sg(&dev, sg, 0, DMA_TO_DEVICE), 0);
	n = dma_map_sg(&dev, sg, 2, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, n, 2);
	dma_sync_sg_for_device(&dev, sg, 5, DMA_TO_DEVICE);   /* refused, no fault */
	dma_unmap_sg(&dev, sg, 2, DMA_TO_DEVICE);
	/* Three refusals, one line each: through the checker when it is on
	 * (its own nents check refuses the sync before the front door's). */
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 3);
	if (dma_debug_enabled())
		KT_EXPECT_EQ(t, dma_debug_error_count(), reports + 3);
	kfree(buf);
}

/* A list whose last entry breaks a limit maps nothing: the entries mapped
 * before it are undone, bounce slots included. */
static void sg_failure_unwinds(struct ktest *t)
{
	struct device dev;
	struct scatterlist sg[3];
	struct swiotlb_stats before, after;
	uint8_t *buf = kmalloc(4 * PAGE_SIZE, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, buf);
	test_device(&dev);
	dma_set_max_seg_size(&dev, 2048);
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], buf, 512);
	sg_set_buf(&sg[1], buf + PAGE_SIZE, 1024);
	sg_set_buf(&sg[2], buf + 2 * PAGE_SIZE, 4096);   /* over max_seg_size */
	swiotlb_get_stats(&before);
	ktest_expect_error(t, "dma_api_test: error: dma_map_sg: entry 2 ");
	KT_EXPECT_EQ(t, dma_map_sg(&dev, sg, 3, DMA_TO_DEVICE), 0);
	swiotlb_get_stats(&after);
	KT_EXPECT_EQ(t, after.used, before.used);
	KT_EXPECT_EQ(t, after.mappings, before.mappings);
	kfree(buf);
}

/* A buffer whose start is within the mask but whose end is not must
 * bounce: reach is decided by the last byte, not the first. */
static void straddling_the_mask_bounces(struct ktest *t)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 1);
	struct device dev;
	uint64_t phys;
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, pg);
	phys = page_to_phys(pg);
	test_device(&dev);
	ktest_expect_error(t, "cannot be served by the");
	if (dma_set_mask(&dev, phys + PAGE_SIZE - 1)) {
		__free_pages(pg, 1);
		KT_SKIP(t, "no bounce slots below %#llx", (unsigned long long)phys);
	}
	a = dma_map_page(&dev, pg, PAGE_SIZE - 96, 192, DMA_TO_DEVICE);  /* crosses it */
	KT_EXPECT_EQ(t, dma_mapping_error(&dev, a), 0);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(a));
	KT_EXPECT_TRUE(t, a + 191 <= phys + PAGE_SIZE - 1);
	if (!dma_mapping_error(&dev, a))
		dma_unmap_page(&dev, a, 192, DMA_TO_DEVICE);
	__free_pages(pg, 1);
}

/* Through a bounce, the offset under min_align_mask survives (NVMe needs
 * its PRP offsets to). Needs a buffer the 28-bit device cannot reach. */
static void min_align_mask_survives_bounce(struct ktest *t)
{
	struct page *pages[BOUNCE_TRIES], *high = NULL;
	struct device dev;
	unsigned n = 0;
	dma_addr_t a;

	test_device(&dev);
	KT_ASSERT_EQ(t, dma_set_mask(&dev, DMA_BIT_MASK(28)), 0);
	dma_set_min_align_mask(&dev, NVME_PAGE_MASK);
	while (n < BOUNCE_TRIES && !high) {
		pages[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		if (pages[n] && page_to_phys(pages[n]) > DMA_BIT_MASK(28))
			high = pages[n];
		n++;
	}
	if (high) {
		a = dma_map_page(&dev, high, ALIGN_PROBE, 256, DMA_BIDIRECTIONAL);
		KT_EXPECT_EQ(t, dma_mapping_error(&dev, a), 0);
		KT_EXPECT_TRUE(t, is_swiotlb_buffer(a));
		KT_EXPECT_UEQ(t, a & NVME_PAGE_MASK, ALIGN_PROBE);
		if (!dma_mapping_error(&dev, a))
			dma_unmap_page(&dev, a, 256, DMA_BIDIRECTIONAL);
	}
	while (n--)
		if (pages[n])
			__free_pages(pages[n], 0);
	if (!high)
		KT_SKIP(t, "no page above 256 MiB found to force a bounce");
}

KTEST_SUITE(dma_api, KTEST_CASE(defaults_are_linux), KTEST_CASE(masks_the_platform_cannot_serve),
	    KTEST_CASE(required_mask_covers_ram), KTEST_CASE(max_mapping_size_follows_bouncing),
	    KTEST_CASE(coherent_placement), KTEST_CASE(coherent_write_combine),
	    KTEST_CASE(coherent_no_warn), KTEST_CASE(sg_tables), KTEST_CASE(sg_segment_limits),
	    KTEST_CASE(sg_nents_beyond_the_list), KTEST_CASE(sg_failure_unwinds),
	    KTEST_CASE(straddling_the_mask_bounces),
	    KTEST_CASE(min_align_mask_survives_bounce));
