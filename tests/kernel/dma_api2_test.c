/*
 * dma_api2_test.c - the rest of Linux's DMA API with edu doing the DMA:
 * non-coherent pages, sg tables (from pages, of coherent buffers, chained),
 * range syncs, dma_need_sync and peer-to-peer MMIO.
 *
 * Every case checks bytes edu moved. Where a mapping bounces (swiotlb=force)
 * a missing sync must show stale bytes and dma_need_sync() must say so;
 * where it does not, the bytes are there without the sync. The peer-to-peer
 * case needs a second edu created with dma_mask=0xffffffff
 * (`ktest.edu1_bits=32`): edu's own mask cannot reach another BAR.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

#define T_LEN        2048            /* bytes of most transfers */
#define T_CHUNK      4000            /* at most this per edu transfer */
#define T_SEED_A     0x21
#define T_SEED_B     0x77
#define T_RUN_ORDER  2               /* 4 physically consecutive pages */
#define T_REG_ID     0x00            /* edu registers the peer case reaches */
#define T_REG_LIVENESS 0x04
#define T_PEER_VALUE 0x1234abcdu

static struct edu *edu0(void) { return edu_get(0); }

static const char *api2_skip(void)
{
	return edu0() ? NULL : "no edu device in this scenario";
}

static void t_fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 5 + (i >> 7));
}

/* Is every byte of @p @v? */
static bool t_all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Coherent scratch memory: edu's buffer goes in and out through it. */
struct t_coh {
	uint8_t *cpu;
	dma_addr_t h;
};

static bool t_coh_get(struct device *dev, struct t_coh *c, size_t len)
{
	c->cpu = dma_alloc_coherent(dev, len, &c->h, GFP_KERNEL);
	return c->cpu != NULL;
}

/* Load edu's buffer [@off, +@len) with @len bytes of seed @seed. */
static int t_load_edu(struct edu *edu, struct t_coh *c, unsigned off, size_t len, uint8_t seed)
{
	t_fill(c->cpu, len, seed);
	return edu_dma(edu, c->h, off, len, DMA_TO_DEVICE, false);
}

/* Copy edu's buffer [@off, +@len) into @out. */
static int t_read_edu(struct edu *edu, struct t_coh *c, unsigned off, size_t len, uint8_t *out)
{
	int err = edu_dma(edu, c->h, off, len, DMA_FROM_DEVICE, false);

	memcpy(out, c->cpu, len);
	return err;
}

/* ---- non-coherent pages ---- */

/*
 * dma_alloc_pages: zeroed, reachable, recorded by the checker; edu writes
 * the pages and the CPU sees it after dma_sync_single_for_cpu; the CPU
 * writes and edu sees it after dma_sync_single_for_device.
 */
static void alloc_pages_round_trip(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t want[T_LEN], seen[T_LEN], *cpu;
	unsigned long live;
	struct t_coh c;
	struct page *pg;
	dma_addr_t h;

	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_LEN));
	live = dma_debug_entry_count(dev);
	/* dirty a block the allocator will likely hand out next: zeroing must be real */
	pg = alloc_pages_limit(GFP_KERNEL, 1, dma_get_mask(dev));
	KT_ASSERT_NOT_NULL(t, pg);
	memset(page_address(pg), 0xa5, 2 * PAGE_SIZE);
	__free_pages(pg, 1);
	pg = dma_alloc_pages(dev, 2 * PAGE_SIZE, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, pg);
	cpu = page_address(pg);
	KT_EXPECT_TRUE(t, t_all(cpu, 2 * PAGE_SIZE, 0));
	KT_EXPECT_TRUE(t, h + 2 * PAGE_SIZE - 1 <= dma_get_mask(dev));
	KT_EXPECT_TRUE(t, page_to_phys(pg) + 2 * PAGE_SIZE - 1 <= dma_get_mask(dev));
	KT_EXPECT_EQ(t, is_swiotlb_buffer(h), swiotlb_force_bounce());
	if (dma_debug_enabled())
		KT_EXPECT_EQ(t, dma_debug_entry_count(dev), live + 1);
	/* device -> pages (second page) */
	KT_EXPECT_EQ(t, t_load_edu(edu, &c, 0, T_LEN, T_SEED_A), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, h + PAGE_SIZE, 0, T_LEN, DMA_FROM_DEVICE, false), 0);
	dma_sync_single_for_cpu(dev, h, 2 * PAGE_SIZE, DMA_BIDIRECTIONAL);
	t_fill(want, T_LEN, T_SEED_A);
	KT_EXPECT_MEMEQ(t, cpu + PAGE_SIZE, want, T_LEN);
	KT_EXPECT_TRUE(t, t_all(cpu, PAGE_SIZE, 0));              /* first page untouched */
	/* pages -> device */
	t_fill(cpu, T_LEN, T_SEED_B);
	dma_sync_single_for_device(dev, h, 2 * PAGE_SIZE, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, edu_dma(edu, h, 0, T_LEN, DMA_TO_DEVICE, false), 0);
	KT_EXPECT_EQ(t, t_read_edu(edu, &c, 0, T_LEN, seen), 0);
	t_fill(want, T_LEN, T_SEED_B);
	KT_EXPECT_MEMEQ(t, seen, want, T_LEN);
	dma_free_pages(dev, 2 * PAGE_SIZE, pg, h, DMA_BIDIRECTIONAL);
	if (dma_debug_enabled())
		KT_EXPECT_EQ(t, dma_debug_entry_count(dev), live);
	dma_free_coherent(dev, T_LEN, c.cpu, c.h);
}

/*
 * dma_alloc_noncoherent with range syncs: only [@off, +@len) moves. When
 * the mapping bounces, bytes outside the synced range stay as they were on
 * the other side; when it does not, everything is already there.
 */
static void noncoherent_range_syncs(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	const size_t off = 512, len = 1024;
	uint8_t want[T_LEN], seen[T_LEN], *cpu;
	struct t_coh c;
	dma_addr_t h;
	bool bounced;

	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_LEN));
	cpu = dma_alloc_noncoherent(dev, T_LEN, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, cpu);
	bounced = dma_need_sync(dev, h);
	KT_EXPECT_EQ(t, bounced, swiotlb_force_bounce());
	/* device writes all T_LEN bytes; the CPU takes back only the range */
	KT_EXPECT_EQ(t, t_load_edu(edu, &c, 0, T_LEN, T_SEED_A), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, h, 0, T_LEN, DMA_FROM_DEVICE, false), 0);
	dma_sync_single_range_for_cpu(dev, h, off, len, DMA_BIDIRECTIONAL);
	t_fill(want, T_LEN, T_SEED_A);
	KT_EXPECT_MEMEQ(t, cpu + off, want + off, len);
	if (bounced) {
		KT_EXPECT_TRUE(t, t_all(cpu, off, 0));                      /* not synced */
		KT_EXPECT_TRUE(t, t_all(cpu + off + len, T_LEN - off - len, 0));
	} else {
		KT_EXPECT_MEMEQ(t, cpu, want, T_LEN);
	}
	/* the CPU writes all; the device gets only the range */
	t_fill(cpu, T_LEN, T_SEED_B);
	dma_sync_single_range_for_device(dev, h, off, len, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, edu_dma(edu, h, 0, T_LEN, DMA_TO_DEVICE, false), 0);
	KT_EXPECT_EQ(t, t_read_edu(edu, &c, 0, T_LEN, seen), 0);
	t_fill(want, T_LEN, T_SEED_B);
	KT_EXPECT_MEMEQ(t, seen + off, want + off, len);
	if (bounced) {
		t_fill(want, T_LEN, T_SEED_A);                     /* the bounce kept edu's bytes */
		KT_EXPECT_MEMEQ(t, seen, want, off);
		KT_EXPECT_MEMEQ(t, seen + off + len, want + off + len, T_LEN - off - len);
	} else {
		KT_EXPECT_MEMEQ(t, seen, want, T_LEN);
	}
	dma_free_noncoherent(dev, T_LEN, cpu, h, DMA_BIDIRECTIONAL);
	dma_free_coherent(dev, T_LEN, c.cpu, c.h);
}

/*
 * A free of the wrong size is refused by the page allocator and then
 * changes nothing: the pages stay mapped (edu still reaches them) and the
 * correct free afterwards gives everything back. (With the checker on it
 * reports the size itself, before the backend: dma_debug's cases.)
 */
static void free_pages_wrong_size_changes_nothing(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint64_t bad = page_alloc_bad_frees();
	struct swiotlb_stats before, after;
	uint8_t want[T_LEN];
	struct t_coh c;
	struct page *pg;
	dma_addr_t h;

	if (dma_debug_enabled())
		KT_SKIP(t, "the checker reports a wrong size first (run with dma_debug off)");
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_LEN));
	pg = dma_alloc_pages(dev, PAGE_SIZE, &h, DMA_FROM_DEVICE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, pg);
	swiotlb_get_stats(&before);
	ktest_expect_error(t, "bad free");
	ktest_expect_error(t, "refused the pages");
	dma_free_pages(dev, 4 * PAGE_SIZE, pg, h, DMA_FROM_DEVICE);
	swiotlb_get_stats(&after);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 1);
	KT_EXPECT_EQ(t, after.mappings, before.mappings);           /* still mapped */
	KT_EXPECT_EQ(t, t_load_edu(edu, &c, 0, T_LEN, T_SEED_A), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, h, 0, T_LEN, DMA_FROM_DEVICE, false), 0);
	dma_sync_single_for_cpu(dev, h, PAGE_SIZE, DMA_FROM_DEVICE);
	t_fill(want, T_LEN, T_SEED_A);
	KT_EXPECT_MEMEQ(t, page_address(pg), want, T_LEN);
	dma_free_pages(dev, PAGE_SIZE, pg, h, DMA_FROM_DEVICE);
	swiotlb_get_stats(&after);
	KT_EXPECT_EQ(t, after.mappings + (is_swiotlb_buffer(h) ? 1 : 0), before.mappings);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 1);
	dma_free_coherent(dev, T_LEN, c.cpu, c.h);
}

/* ---- sg tables ---- */

/* edu writes @len bytes of its buffer (loaded with seed @seed) into each
 * DMA segment of @sgt, at most T_CHUNK per transfer. */
static void t_edu_fill_segments(struct ktest *t, struct edu *edu, struct sg_table *sgt)
{
	struct scatterlist *s;
	int i;

	for_each_sgtable_dma_sg(sgt, s, i)
		for (unsigned done = 0; done < sg_dma_len(s); done += T_CHUNK) {
			unsigned n = sg_dma_len(s) - done < T_CHUNK ? sg_dma_len(s) - done : T_CHUNK;

			KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s) + done, 0, n,
						DMA_FROM_DEVICE, false), 0);
		}
}

/*
 * Four consecutive pages given out of order become three entries
 * (merged where consecutive); mapped with dma_map_sgtable, edu writes
 * every segment, and after dma_unmap_sgtable each piece holds edu's bytes.
 */
static void from_pages_sgtable_round_trip(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	const unsigned off = 100, size = 4 * PAGE_SIZE - off - 60;
	struct page *blk, *pages[4];
	uint8_t want[T_CHUNK];
	struct scatterlist *s;
	struct sg_table sgt;
	struct t_coh c;
	int i;

	blk = alloc_pages(GFP_DMA32, T_RUN_ORDER);
	KT_ASSERT_NOT_NULL(t, blk);
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_CHUNK));
	pages[0] = blk;
	pages[1] = phys_to_page(page_to_phys(blk) + PAGE_SIZE);
	pages[2] = phys_to_page(page_to_phys(blk) + 3 * PAGE_SIZE);
	pages[3] = phys_to_page(page_to_phys(blk) + 2 * PAGE_SIZE);
	memset(page_address(blk), 0, 4 * PAGE_SIZE);
	KT_ASSERT_EQ(t, sg_alloc_table_from_pages_segment(&sgt, pages, 4, off, size,
							  dma_get_max_seg_size(dev), GFP_KERNEL), 0);
	KT_EXPECT_EQ(t, sgt.orig_nents, 3);
	KT_ASSERT_EQ(t, dma_map_sgtable(dev, &sgt, DMA_FROM_DEVICE, 0), 0);
	KT_EXPECT_UGE(t, sgt.nents, 1);
	KT_EXPECT_EQ(t, t_load_edu(edu, &c, 0, T_CHUNK, T_SEED_A), 0);
	t_edu_fill_segments(t, edu, &sgt);
	dma_unmap_sgtable(dev, &sgt, DMA_FROM_DEVICE, 0);
	t_fill(want, T_CHUNK, T_SEED_A);
	for_each_sgtable_sg(&sgt, s, i)          /* each piece starts with edu's bytes */
		KT_EXPECT_MEMEQ(t, sg_virt(s), want, s->length < T_CHUNK ? s->length : T_CHUNK);
	KT_EXPECT_TRUE(t, t_all(page_address(blk), off, 0));         /* before the range */
	sg_free_table(&sgt);
	dma_free_coherent(dev, T_CHUNK, c.cpu, c.h);
	__free_pages(blk, T_RUN_ORDER);
}

/*
 * dma_get_sgtable describes a coherent buffer as its pages; mapped for
 * edu with dma_map_sgtable, edu reads the buffer's bytes through it, and
 * dma_sync_sgtable_for_device is what brings late CPU writes along.
 */
static void get_sgtable_of_coherent(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t want[T_LEN], seen[T_LEN], *buf;
	struct sg_table sgt;
	struct t_coh c;
	dma_addr_t h;

	buf = dma_alloc_coherent(dev, T_LEN, &h, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, buf);
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_LEN));
	KT_ASSERT_EQ(t, dma_get_sgtable(dev, &sgt, buf, h, T_LEN), 0);
	KT_EXPECT_EQ(t, sgt.orig_nents, 1);
	KT_EXPECT_UEQ(t, sg_phys(sgt.sgl), h);
	KT_EXPECT_EQ(t, sgt.sgl->length, PAGE_ALIGN(T_LEN));
	t_fill(buf, T_LEN, T_SEED_A);
	KT_ASSERT_EQ(t, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, 0), 0);
	t_fill(buf, T_LEN, T_SEED_B);                               /* after the map */
	dma_sync_sgtable_for_device(dev, &sgt, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(sgt.sgl), 0, T_LEN, DMA_TO_DEVICE, false), 0);
	dma_sync_sgtable_for_cpu(dev, &sgt, DMA_TO_DEVICE);
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	KT_EXPECT_EQ(t, t_read_edu(edu, &c, 0, T_LEN, seen), 0);
	t_fill(want, T_LEN, T_SEED_B);
	KT_EXPECT_MEMEQ(t, seen, want, T_LEN);
	sg_free_table(&sgt);
	/* refused: a handle of another buffer, memory not from the page allocator */
	ktest_expect_error(t, "the handle is not this buffer's");
	KT_EXPECT_EQ(t, dma_get_sgtable(dev, &sgt, buf, c.h, T_LEN), -EINVAL);
	ktest_expect_error(t, "not the start of page-allocator memory");
	KT_EXPECT_EQ(t, dma_get_sgtable(dev, &sgt, buf + 64, h + 64, 64), -ENXIO);
	dma_free_coherent(dev, T_LEN, buf, h);
	dma_free_coherent(dev, T_LEN, c.cpu, c.h);
}

/* Two arrays joined by sg_chain map as one list of their pieces. */
static void chained_list_round_trip(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	struct scatterlist a[3], b[2], *s;           /* a[2] is the link */
	uint8_t *buf = kmalloc(4 * 512, GFP_KERNEL), seen[4 * 512], want[4 * 512];
	struct t_coh c;
	int n, i;

	KT_ASSERT_NOT_NULL(t, buf);
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, sizeof(seen)));
	sg_init_table(a, 3);
	sg_init_table(b, 2);
	sg_chain(a, 3, b);
	t_fill(buf, sizeof(want), T_SEED_A);
	memcpy(want, buf, sizeof(want));
	i = 0;
	for (s = a; s; s = sg_next(s), i++)
		sg_set_buf(s, buf + i * 512, 512);
	KT_EXPECT_EQ(t, i, 4);
	n = dma_map_sg(dev, a, 4, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, n, 4);
	for_each_sg(a, s, n, i)
		KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s), i * 512, sg_dma_len(s),
					DMA_TO_DEVICE, false), 0);
	dma_unmap_sg(dev, a, 4, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, t_read_edu(edu, &c, 0, sizeof(seen), seen), 0);
	KT_EXPECT_MEMEQ(t, seen, want, sizeof(want));
	dma_free_coherent(dev, sizeof(seen), c.cpu, c.h);
	kfree(buf);
}

/* ---- dma_need_sync ---- */

/* Its answer is the truth: when it says no, edu's bytes are visible
 * without a sync; when it says yes, they are not until the sync. */
static void need_sync_tells_the_truth(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t *buf = kmalloc(T_LEN, GFP_KERNEL), want[T_LEN];
	struct t_coh c;
	dma_addr_t a;
	bool need;

	KT_ASSERT_NOT_NULL(t, buf);
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, T_LEN));
	memset(buf, 0xee, T_LEN);
	a = dma_map_single(dev, buf, T_LEN, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	need = dma_need_sync(dev, a);
	KT_EXPECT_EQ(t, need, is_swiotlb_buffer(a));
	KT_EXPECT_EQ(t, t_load_edu(edu, &c, 0, T_LEN, T_SEED_A), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, T_LEN, DMA_FROM_DEVICE, false), 0);
	t_fill(want, T_LEN, T_SEED_A);
	if (need)
		KT_EXPECT_TRUE(t, t_all(buf, T_LEN, 0xee));
	else
		KT_EXPECT_MEMEQ(t, buf, want, T_LEN);
	dma_sync_single_for_cpu(dev, a, T_LEN, DMA_FROM_DEVICE);
	KT_EXPECT_MEMEQ(t, buf, want, T_LEN);
	dma_unmap_single(dev, a, T_LEN, DMA_FROM_DEVICE);
	dma_free_coherent(dev, T_LEN, c.cpu, c.h);
	kfree(buf);
}

/* ---- peer-to-peer ---- */

/* RAM, or a range that wraps, is never a resource. */
static void map_resource_refuses_ram(struct ktest *t)
{
	struct device *dev = edu_dev(edu0());
	/* inside the mask, so only the RAM check can refuse it */
	struct page *pg = alloc_pages_limit(GFP_KERNEL, 0, dma_get_mask(dev));
	uint8_t *buf = pg ? page_address(pg) : NULL;

	KT_ASSERT_NOT_NULL(t, buf);
	ktest_expect_error(t, "RAM, not a device's MMIO");
	KT_EXPECT_UEQ(t, dma_map_resource(dev, virt_to_phys(buf), 64, DMA_FROM_DEVICE, 0),
		      DMA_MAPPING_ERROR);
	ktest_expect_error(t, "with invalid direction");
	KT_EXPECT_UEQ(t, dma_map_resource(dev, virt_to_phys(buf), 64, DMA_NONE, 0),
		      DMA_MAPPING_ERROR);
	__free_pages(pg, 0);
}

/*
 * edu 1 reaches edu 0's registers through dma_map_resource: it writes
 * edu 0's liveness register (which then reads back inverted) and reads
 * edu 0's ID register. Never bounced, even under swiotlb=force. First,
 * with edu's own 28-bit mask, a BAR above it is refused.
 */
static void map_resource_peer_to_peer(struct ktest *t)
{
	struct edu *e0 = edu0(), *e1 = edu_get(1);
	struct device *dev;
	uint64_t bits = 0, bar;
	uint8_t seen[4];
	struct t_coh c;
	uint32_t id;
	dma_addr_t a;

	if (cmdline_get_u64(&kernel_cmdline, "ktest.edu1_bits", &bits) || !e1)
		KT_SKIP(t, "no second edu with a wider mask (ktest.edu1_bits)");
	dev = edu_dev(e1);
	bar = e0->pdev->bar[0].base;
	KT_ASSERT_TRUE(t, bar && bar + e0->pdev->bar[0].size - 1 <= DMA_BIT_MASK(bits));
	if (bar + T_REG_LIVENESS + 3 > dma_get_mask(dev)) {
		ktest_expect_error(t, "beyond the device's reach");
		KT_EXPECT_UEQ(t, dma_map_resource(dev, bar + T_REG_LIVENESS, 4, DMA_FROM_DEVICE, 0),
			      DMA_MAPPING_ERROR);
	}
	KT_ASSERT_EQ(t, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits)), 0);
	KT_ASSERT_TRUE(t, t_coh_get(dev, &c, 64));
	/* edu 1 writes T_PEER_VALUE into edu 0's liveness register */
	a = dma_map_resource(dev, bar + T_REG_LIVENESS, 4, DMA_FROM_DEVICE, 0);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_UEQ(t, a, bar + T_REG_LIVENESS);                  /* not bounced */
	memcpy(c.cpu, &(uint32_t){ T_PEER_VALUE }, 4);
	KT_EXPECT_EQ(t, edu_dma(e1, c.h, 0, 4, DMA_TO_DEVICE, false), 0);
	KT_EXPECT_EQ(t, edu_dma(e1, a, 0, 4, DMA_FROM_DEVICE, false), 0);
	KT_EXPECT_UEQ(t, e0->regs[T_REG_LIVENESS / 4], ~T_PEER_VALUE);
	dma_unmap_resource(dev, a, 4, DMA_FROM_DEVICE, 0);
	/* edu 1 reads edu 0's ID register */
	a = dma_map_resource(dev, bar + T_REG_ID, 4, DMA_TO_DEVICE, 0);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_EQ(t, edu_dma(e1, a, 8, 4, DMA_TO_DEVICE, false), 0);
	KT_EXPECT_EQ(t, t_read_edu(e1, &c, 8, 4, seen), 0);
	id = e0->regs[T_REG_ID / 4];
	KT_EXPECT_MEMEQ(t, seen, &id, 4);
	dma_unmap_resource(dev, a, 4, DMA_TO_DEVICE, 0);
	dma_free_coherent(dev, 64, c.cpu, c.h);
	dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
}

KTEST_SUITE_EXT(dma_api2, 0, api2_skip, KTEST_CASE(alloc_pages_round_trip),
		KTEST_CASE(noncoherent_range_syncs),
		KTEST_CASE(free_pages_wrong_size_changes_nothing),
		KTEST_CASE(from_pages_sgtable_round_trip), KTEST_CASE(get_sgtable_of_coherent),
		KTEST_CASE(chained_list_round_trip), KTEST_CASE(need_sync_tells_the_truth),
		KTEST_CASE(map_resource_refuses_ram), KTEST_CASE(map_resource_peer_to_peer));
