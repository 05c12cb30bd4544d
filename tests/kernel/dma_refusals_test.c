/*
 * dma_refusals_test.c - a refused DMA call changes no state (issue 10,
 * bugs 2-4, the front door's and swiotlb's side).
 *
 *   - dma_unmap_sg/dma_sync_sg_* with nents past the end of the list are
 *     refused before the checker or the backend act: the bounces stay
 *     mapped, the ledger keeps its entries, one misuse is one report;
 *   - a dma_free_coherent with the wrong size is refused before the cache
 *     type is restored or the pages are freed (checker off: with it on,
 *     the checker refuses first);
 *   - a stale unmap or sync, whose slots were handed to another device,
 *     does not touch the other device's bounce.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "dma/swiotlb.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/pgtable.h"
#include "kernel/string.h"

#define R_MASK        DMA_BIT_MASK(24)   /* narrow: a page above it must bounce */
#define R_PIECE       256
#define R_PIECES      2
#define R_TRIES       16                 /* blocks tried to find one above R_MASK */
#define R_DEV_BYTE    0xd7               /* what the "device" writes into a bounce */
#define R_CPU_BYTE    0x3e
#define R_COH_ORDER   2                  /* a 16 KiB coherent buffer */
#define R_LEN         512

static void r_dev(struct device *dev, const char *name)
{
	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->name, name, sizeof(dev->name));
	dma_device_init(dev);
}

/* A block of 2^MAX_ORDER pages above @limit, or NULL. Small blocks come
 * from fragments low in memory; the allocator hands out its highest
 * 4 MiB blocks first. Blocks still too low are given back. */
static struct page *r_block_above(uint64_t limit)
{
	struct page *low[R_TRIES], *pg = NULL;
	int n = 0;

	while (n < R_TRIES && (pg = alloc_pages(GFP_KERNEL, MAX_ORDER)) &&
	       page_to_phys(pg) <= limit)
		low[n++] = pg;
	while (n--)
		__free_pages(low[n], MAX_ORDER);
	return pg && page_to_phys(pg) > limit ? pg : NULL;
}

static unsigned long r_slots_used(void)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	return st.used;
}

/* Misuse reports: the checker's count when it is on, the error log otherwise. */
static unsigned long r_reports(void)
{
	return dma_debug_enabled() ? dma_debug_error_count() : log_count(LOG_ERR);
}

/*
 * A bounced list of two entries: unmap and sync with nents 3 are refused
 * with one report each and change nothing; the right calls then work.
 */
static void sg_nents_past_end_changes_nothing(struct ktest *t)
{
	struct device dev;
	struct scatterlist sg[R_PIECES];
	struct page *pg;
	uint8_t *buf;
	unsigned long used, reports, entries;

	r_dev(&dev, "dma_refusals");
	if (dma_set_mask(&dev, R_MASK))
		KT_SKIP(t, "no bounce slots below 16 MiB on this machine");
	pg = r_block_above(R_MASK);
	if (!pg)
		KT_SKIP(t, "no page above 16 MiB");
	buf = page_address(pg);
	memset(buf, R_CPU_BYTE, PAGE_SIZE);
	sg_init_table(sg, R_PIECES);
	sg_set_buf(&sg[0], buf, R_PIECE);
	sg_set_buf(&sg[1], buf + 2 * R_PIECE, R_PIECE);
	used = r_slots_used();
	KT_ASSERT_EQ(t, dma_map_sg(&dev, sg, R_PIECES, DMA_BIDIRECTIONAL), R_PIECES);
	KT_ASSERT_TRUE(t, is_swiotlb_buffer(sg_dma_address(&sg[0])));
	entries = dma_debug_entry_count(&dev);
	memset(phys_to_virt(sg_dma_address(&sg[0])), R_DEV_BYTE, R_PIECE);   /* the device writes */

	ktest_expect_error(t, "but the list ends after 2 entries");
	reports = r_reports();
	dma_unmap_sg(&dev, sg, R_PIECES + 1, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, r_reports(), reports + 1);                         /* one misuse, one report */
	dma_sync_sg_for_cpu(&dev, sg, R_PIECES + 1, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, r_reports(), reports + 2);
	KT_EXPECT_EQ(t, buf[0], R_CPU_BYTE);                               /* nothing copied back */
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev), entries);            /* ledger unchanged */
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(sg_dma_address(&sg[0])));

	dma_sync_sg_for_cpu(&dev, sg, R_PIECES, DMA_BIDIRECTIONAL);        /* the right calls */
	KT_EXPECT_EQ(t, buf[0], R_DEV_BYTE);
	dma_unmap_sg(&dev, sg, R_PIECES, DMA_BIDIRECTIONAL);
	KT_EXPECT_UEQ(t, r_slots_used(), used);                            /* every slot back */
	KT_EXPECT_EQ(t, r_reports(), reports + 2);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev), 0);
	__free_pages(pg, MAX_ORDER);
}

/* The memory type the CPU maps @p with. */
static enum page_cache r_cache_of(const void *p)
{
	uint64_t pte, page_size;

	return paging_lookup(p, &pte, &page_size) ? pt_entry_cache(pte, page_size) : PAGE_CACHE_UC;
}

/*
 * A write-combining 16 KiB buffer freed as 4 KiB: refused, the pages stay
 * allocated and write-combining, the allocator sees no bad free; the right
 * free then works.
 */
static void wrong_size_coherent_free_changes_nothing(struct ktest *t)
{
	struct device dev;
	size_t bytes = PAGE_SIZE << R_COH_ORDER;
	uint64_t bad = page_alloc_bad_frees();
	dma_addr_t h;
	uint8_t *cpu;

	if (dma_debug_enabled())
		KT_SKIP(t, "with dma_debug=on the checker refuses first (the dma_debug suite)");
	r_dev(&dev, "dma_refusals");
	cpu = dma_alloc_attrs(&dev, bytes, &h, GFP_KERNEL, DMA_ATTR_WRITE_COMBINE);
	KT_ASSERT_NOT_NULL(t, cpu);
	KT_ASSERT_EQ(t, r_cache_of(cpu), PAGE_CACHE_WC);
	memset(cpu, R_CPU_BYTE, bytes);
	ktest_expect_error(t, "not the size it was allocated with; not freed");
	dma_free_attrs(&dev, PAGE_SIZE, cpu, h, DMA_ATTR_WRITE_COMBINE);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad);                     /* refused before the allocator */
	KT_EXPECT_EQ(t, r_cache_of(cpu), PAGE_CACHE_WC);                   /* no write-back restore */
	KT_EXPECT_EQ(t, r_cache_of(cpu + bytes - 1), PAGE_CACHE_WC);
	KT_EXPECT_TRUE(t, page_block_freeable(virt_to_page(cpu), R_COH_ORDER));  /* still allocated */
	KT_EXPECT_EQ(t, cpu[bytes - 1], R_CPU_BYTE);
	dma_free_attrs(&dev, bytes, cpu, h, DMA_ATTR_WRITE_COMBINE);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad);
	KT_EXPECT_EQ(t, r_cache_of(cpu), PAGE_CACHE_WB);
}

/*
 * Device A unmaps a bounce, the slots go to device B, A unmaps and syncs
 * its stale handle again: refused, B's bounce stays mapped and intact,
 * and B's unmap copies B's data back.
 */
static void stale_unmap_spares_other_device(struct ktest *t)
{
	struct device a, b;
	uint8_t *abuf = kmalloc(R_LEN, GFP_KERNEL), *bbuf = kmalloc(R_LEN, GFP_KERNEL);
	struct swiotlb_stats st0, st1;
	uint64_t ta, tb;

	KT_ASSERT_TRUE(t, abuf && bbuf);
	r_dev(&a, "swiotlb-a");
	r_dev(&b, "swiotlb-b");
	memset(abuf, R_CPU_BYTE, R_LEN);
	memset(bbuf, R_CPU_BYTE, R_LEN);
	ta = swiotlb_tbl_map(&a, virt_to_phys(abuf), R_LEN, DMA_BIT_MASK(32), DMA_BIDIRECTIONAL, 0);
	KT_ASSERT_TRUE(t, ta != DMA_MAPPING_ERROR);
	swiotlb_tbl_unmap(&a, ta, R_LEN, DMA_BIDIRECTIONAL, 0);
	tb = swiotlb_tbl_map(&b, virt_to_phys(bbuf), R_LEN, DMA_BIT_MASK(32), DMA_BIDIRECTIONAL, 0);
	KT_ASSERT_TRUE(t, tb != DMA_MAPPING_ERROR);
	KT_ASSERT_UEQ(t, tb, ta);                                          /* first fit: the same slots */
	memset(phys_to_virt(tb), R_DEV_BYTE, R_LEN);                       /* B's device writes */
	swiotlb_get_stats(&st0);

	ktest_expect_error(t, "the slots are mapped by swiotlb-b, not this device");
	swiotlb_tbl_unmap(&a, ta, R_LEN, DMA_BIDIRECTIONAL, 0);
	swiotlb_sync_for_device(&a, ta, R_LEN, DMA_BIDIRECTIONAL);
	swiotlb_get_stats(&st1);
	KT_EXPECT_UEQ(t, st1.mappings, st0.mappings);                      /* B's still mapped */
	KT_EXPECT_UEQ(t, st1.used, st0.used);
	KT_EXPECT_EQ(t, abuf[0], R_CPU_BYTE);                              /* nothing copied to A */
	KT_EXPECT_EQ(t, ((uint8_t *)phys_to_virt(tb))[0], R_DEV_BYTE);     /* nor over B's bounce */

	swiotlb_tbl_unmap(&b, tb, R_LEN, DMA_BIDIRECTIONAL, 0);
	KT_EXPECT_EQ(t, bbuf[0], R_DEV_BYTE);                              /* B's data came back */
	KT_EXPECT_EQ(t, bbuf[R_LEN - 1], R_DEV_BYTE);
	swiotlb_get_stats(&st1);
	KT_EXPECT_UEQ(t, st1.mappings, st0.mappings - 1);
	kfree(abuf);
	kfree(bbuf);
}

static const char *refusals_skip(void)
{
	return swiotlb_slots_below(~0ULL) ? NULL : "no bounce pool (swiotlb_init failed)";
}

KTEST_SUITE_EXT(dma_refusals, 0, refusals_skip, KTEST_CASE(sg_nents_past_end_changes_nothing),
		KTEST_CASE(wrong_size_coherent_free_changes_nothing),
		KTEST_CASE(stale_unmap_spares_other_device));
