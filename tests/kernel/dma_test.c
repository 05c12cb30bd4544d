/*
 * dma_test.c - the DMA API with a real device doing real DMA: QEMU's edu.
 *
 * Every case moves data through edu's DMA engine (memory -> its 4 KiB
 * buffer -> memory) and checks the bytes on the way back, so a wrong
 * address, a missing bounce copy or a missing sync shows up as wrong data,
 * not as a log line. What runs depends on the machine:
 *
 *   any scenario with -device edu     coherent, single, sg, interrupts
 *   RAM above 4 GiB (-m 6G)           buffers up there bounce for a 28-bit
 *                                     and a 32-bit device and come back intact
 *   swiotlb=force                     skipping dma_sync_single_for_cpu leaves
 *                                     stale data visible; syncing fixes it
 *
 * Scenarios with a second edu created with dma_mask=0xffffffff say so with
 * `ktest.edu1_bits=32`.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/string.h"

#define FOUR_GIB        0x100000000ULL
#define PATTERN_A       0x3c
#define STALE_BYTE      0xaa
#define SG_PIECES       3
#define XFER            EDU_DMA_MAX_END   /* the largest transfer edu takes */
#define SOME_RAM_ADDR   0x100000          /* a valid address; the checks fail first */

/* Fill @buf with a pattern that differs per byte and per @seed. */
static void fill(void *buf, size_t len, uint8_t seed)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static struct edu *edu0(void) { return edu_get(0); }

static const char *dma_skip(void)
{
	return edu0() ? NULL : "no edu device in this scenario";
}

/* The device was given an address it can use: below its mask. */
static void expect_reachable(struct ktest *t, struct device *dev, dma_addr_t a, size_t len)
{
	KT_EXPECT_ULT(t, a, DMA_MAPPING_ERROR);
	KT_EXPECT_TRUE(t, a + len - 1 <= dma_get_mask(dev));
}

/* Coherent memory: write pattern, DMA to the device and back, compare. */
static void coherent_round_trip(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	dma_addr_t ha, hb;
	uint8_t *a = dma_alloc_coherent(dev, EDU_BUFFER_SIZE, &ha, GFP_KERNEL);
	uint8_t *b = dma_alloc_coherent(dev, EDU_BUFFER_SIZE, &hb, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_TRUE(t, hb + EDU_BUFFER_SIZE - 1 <= dev->coherent_dma_mask);
	KT_EXPECT_EQ(t, b[100], 0);                        /* coherent memory is zeroed */
	fill(a, EDU_BUFFER_SIZE, PATTERN_A);
	KT_EXPECT_EQ(t, edu_dma(edu, ha, 0, XFER, DMA_TO_DEVICE, false), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, hb, 0, XFER, DMA_FROM_DEVICE, false), 0);
	KT_EXPECT_MEMEQ(t, b, a, XFER);
	KT_EXPECT_EQ(t, b[XFER], 0);                       /* one past: untouched */
	dma_free_coherent(dev, EDU_BUFFER_SIZE, a, ha);
	dma_free_coherent(dev, EDU_BUFFER_SIZE, b, hb);
}

/* Streaming: kmalloc buffers at odd offsets, mapped one way each. */
static void single_round_trip(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t *src = kmalloc(2048, GFP_KERNEL), *dst = kzalloc(2048, GFP_KERNEL);
	const size_t len = 1000, off = 13;
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, src);
	KT_ASSERT_NOT_NULL(t, dst);
	fill(src, 2048, 0x11);
	a = dma_map_single(dev, src + off, len, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	expect_reachable(t, dev, a, len);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 100, len, DMA_TO_DEVICE, false), 0);
	dma_unmap_single(dev, a, len, DMA_TO_DEVICE);
	a = dma_map_single(dev, dst + off, len, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 100, len, DMA_FROM_DEVICE, false), 0);
	dma_unmap_single(dev, a, len, DMA_FROM_DEVICE);
	KT_EXPECT_MEMEQ(t, dst + off, src + off, len);
	KT_EXPECT_EQ(t, dst[off - 1], 0);                  /* nothing outside the range */
	KT_EXPECT_EQ(t, dst[off + len], 0);
	kfree(src);
	kfree(dst);
}

/* A scatterlist of three pieces in, another of three pieces out. */
static void sg_round_trip(struct ktest *t)
{
	static const unsigned sizes[SG_PIECES] = { 512, 1024, 700 };
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	struct scatterlist in[SG_PIECES], out[SG_PIECES], *s;
	uint8_t *src[SG_PIECES], *dst[SG_PIECES];
	unsigned offset = 0;
	int n, i;

	sg_init_table(in, SG_PIECES);
	sg_init_table(out, SG_PIECES);
	for (i = 0; i < SG_PIECES; i++) {
		src[i] = kmalloc(sizes[i], GFP_KERNEL);
		dst[i] = kzalloc(sizes[i], GFP_KERNEL);
		KT_ASSERT_TRUE(t, src[i] && dst[i]);
		fill(src[i], sizes[i], (uint8_t)(0x40 + i));
		sg_set_buf(&in[i], src[i], sizes[i]);
		sg_set_buf(&out[i], dst[i], sizes[i]);
	}
	n = dma_map_sg(dev, in, SG_PIECES, DMA_TO_DEVICE);
	KT_ASSERT_GT(t, n, 0);
	for_each_sg(in, s, n, i) {
		expect_reachable(t, dev, sg_dma_address(s), sg_dma_len(s));
		KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s), offset, sg_dma_len(s),
					DMA_TO_DEVICE, false), 0);
		offset += sg_dma_len(s);
	}
	dma_unmap_sg(dev, in, SG_PIECES, DMA_TO_DEVICE);
	n = dma_map_sg(dev, out, SG_PIECES, DMA_FROM_DEVICE);
	KT_ASSERT_GT(t, n, 0);
	offset = 0;
	for_each_sg(out, s, n, i) {
		KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s), offset, sg_dma_len(s),
					DMA_FROM_DEVICE, false), 0);
		offset += sg_dma_len(s);
	}
	dma_unmap_sg(dev, out, SG_PIECES, DMA_FROM_DEVICE);
	for (i = 0; i < SG_PIECES; i++) {
		KT_EXPECT_MEMEQ(t, dst[i], src[i], sizes[i]);
		kfree(src[i]);
		kfree(dst[i]);
	}
}

/* Completion signalled by the device's MSI instead of polling. */
static void completion_by_interrupt(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint64_t irqs = edu->irq_count;
	dma_addr_t h;
	uint8_t *buf = dma_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, buf);
	KT_EXPECT_EQ(t, edu_dma(edu, h, 0, 64, DMA_TO_DEVICE, true), 0);
	KT_EXPECT_GT(t, edu->irq_count, irqs);
	KT_EXPECT_UEQ(t, edu->irq_status & EDU_IRQ_DMA_DONE, EDU_IRQ_DMA_DONE);
	dma_free_coherent(dev, PAGE_SIZE, buf, h);
}

/* The driver refuses what the hardware would get wrong. */
static void device_limits_enforced(struct ktest *t)
{
	struct edu *edu = edu0();
	uint64_t mask = dma_get_mask(edu_dev(edu));

	ktest_expect_error(t, "is beyond the device's mask");
	ktest_expect_error(t, "must end within the first");
	ktest_expect_error(t, "DMA direction must be to or from the device");
	KT_EXPECT_EQ(t, edu_dma(edu, mask + 1, 0, 64, DMA_TO_DEVICE, false), -EINVAL);
	KT_EXPECT_EQ(t, edu_dma(edu, mask - 10, 0, 64, DMA_TO_DEVICE, false), -EINVAL);
	KT_EXPECT_EQ(t, edu_dma(edu, SOME_RAM_ADDR, EDU_BUFFER_SIZE - 8, 64, DMA_TO_DEVICE,
				false), -EINVAL);
	KT_EXPECT_EQ(t, edu_dma(edu, SOME_RAM_ADDR, 0, EDU_BUFFER_SIZE, DMA_TO_DEVICE, false),
		     -EINVAL);                             /* QEMU 7.2 would abort */
	KT_EXPECT_EQ(t, edu_dma(edu, SOME_RAM_ADDR, 0, 64, DMA_BIDIRECTIONAL, false), -EINVAL);
}

/* A page above 4 GiB, or NULL when the machine has none. */
static struct page *high_page(void)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);

	if (pg && page_to_phys(pg) < FOUR_GIB) {
		__free_pages(pg, 0);
		return NULL;   /* GFP_KERNEL takes ZONE_NORMAL first: none there */
	}
	return pg;
}

/* Round-trip data between pages above 4 GiB through @edu: both mappings
 * must bounce below the device's mask, and the data must come back. */
static void bounce_round_trip(struct ktest *t, struct edu *edu)
{
	struct device *dev = edu_dev(edu);
	struct page *pa = high_page(), *pb = high_page();
	uint8_t *a, *b;
	dma_addr_t da, db;

	KT_ASSERT_TRUE(t, pa && pb);
	a = page_address(pa);
	b = page_address(pb);
	fill(a, PAGE_SIZE, 0x77);
	memset(b, 0, PAGE_SIZE);
	da = dma_map_page(dev, pa, 256, 2048, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, da), 0);
	expect_reachable(t, dev, da, 2048);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(da));
	KT_EXPECT_EQ(t, edu_dma(edu, da, 0, 2048, DMA_TO_DEVICE, false), 0);
	dma_unmap_page(dev, da, 2048, DMA_TO_DEVICE);
	db = dma_map_page(dev, pb, 256, 2048, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, db), 0);
	expect_reachable(t, dev, db, 2048);
	KT_EXPECT_EQ(t, edu_dma(edu, db, 0, 2048, DMA_FROM_DEVICE, false), 0);
	dma_unmap_page(dev, db, 2048, DMA_FROM_DEVICE);
	KT_EXPECT_MEMEQ(t, b + 256, a + 256, 2048);
	__free_pages(pa, 0);
	__free_pages(pb, 0);
}

static void high_memory_bounces_28bit(struct ktest *t)
{
	struct page *probe = high_page();

	if (!probe)
		KT_SKIP(t, "no RAM above 4 GiB");
	__free_pages(probe, 0);
	KT_ASSERT_UEQ(t, dma_get_mask(edu_dev(edu0())), DMA_BIT_MASK(EDU_DMA_BITS));
	bounce_round_trip(t, edu0());
}

/* The second edu, created with dma_mask=0xffffffff, gets a 32-bit mask. */
static void high_memory_bounces_32bit(struct ktest *t)
{
	uint64_t bits = 0;
	struct edu *edu1 = edu_get(1);
	struct page *probe;

	if (cmdline_get_u64(&kernel_cmdline, "ktest.edu1_bits", &bits) || !edu1)
		KT_SKIP(t, "no second edu with a wider mask (ktest.edu1_bits)");
	probe = high_page();
	if (!probe)
		KT_SKIP(t, "no RAM above 4 GiB");
	__free_pages(probe, 0);
	KT_ASSERT_EQ(t, dma_set_mask_and_coherent(edu_dev(edu1), DMA_BIT_MASK(bits)), 0);
	bounce_round_trip(t, edu1);
	dma_set_mask_and_coherent(edu_dev(edu1), DMA_BIT_MASK(EDU_DMA_BITS));
}

/*
 * With every mapping bounced, the CPU sees what the device wrote only
 * after dma_sync_single_for_cpu() (or unmap): skipping it leaves the old
 * bytes visible. This is the bug the sync rules exist to prevent.
 */
static void missing_sync_leaves_stale_data(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t *buf = kmalloc(PAGE_SIZE, GFP_KERNEL), *pattern;
	dma_addr_t hp, a;

	if (!swiotlb_force_bounce())
		KT_SKIP(t, "needs swiotlb=force");
	pattern = dma_alloc_coherent(dev, PAGE_SIZE, &hp, GFP_KERNEL);
	KT_ASSERT_TRUE(t, buf && pattern);
	fill(pattern, 512, 0x5e);
	KT_ASSERT_EQ(t, edu_dma(edu, hp, 0, 512, DMA_TO_DEVICE, false), 0);
	memset(buf, STALE_BYTE, PAGE_SIZE);
	a = dma_map_single(dev, buf, 512, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(a));
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, 512, DMA_FROM_DEVICE, false), 0);
	KT_EXPECT_EQ(t, buf[0], STALE_BYTE);              /* no sync: the old data */
	KT_EXPECT_EQ(t, buf[511], STALE_BYTE);
	dma_sync_single_for_cpu(dev, a, 512, DMA_FROM_DEVICE);
	KT_EXPECT_MEMEQ(t, buf, pattern, 512);             /* synced: the device's data */
	dma_unmap_single(dev, a, 512, DMA_FROM_DEVICE);
	dma_free_coherent(dev, PAGE_SIZE, pattern, hp);
	kfree(buf);
}

/* The same for a scatterlist: each bounced segment reaches its piece only
 * after dma_sync_sg_for_cpu(). */
static void missing_sg_sync_leaves_stale_data(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	struct scatterlist sg[2], *s;
	uint8_t *a = kmalloc(256, GFP_KERNEL), *b = kmalloc(256, GFP_KERNEL), *pattern;
	dma_addr_t hp;
	unsigned off = 0;
	int n, i;

	if (!swiotlb_force_bounce())
		KT_SKIP(t, "needs swiotlb=force");
	pattern = dma_alloc_coherent(dev, PAGE_SIZE, &hp, GFP_KERNEL);
	KT_ASSERT_TRUE(t, a && b && pattern);
	fill(pattern, 512, 0x2b);
	KT_ASSERT_EQ(t, edu_dma(edu, hp, 0, 512, DMA_TO_DEVICE, false), 0);
	memset(a, STALE_BYTE, 256);
	memset(b, STALE_BYTE, 256);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], a, 256);
	sg_set_buf(&sg[1], b, 256);
	n = dma_map_sg(dev, sg, 2, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, n, 2);
	for_each_sg(sg, s, n, i) {
		KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s), off, 256, DMA_FROM_DEVICE,
					false), 0);
		off += 256;
	}
	KT_EXPECT_EQ(t, b[0], STALE_BYTE);                /* no sync: the old data */
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_FROM_DEVICE);
	KT_EXPECT_MEMEQ(t, a, pattern, 256);
	KT_EXPECT_MEMEQ(t, b, pattern + 256, 256);
	dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
	dma_free_coherent(dev, PAGE_SIZE, pattern, hp);
	kfree(a);
	kfree(b);
}

/* A driver removed with a mapping still live is reported, naming the
 * driver, the device and where the mapping was made. */
static void leak_reported_at_driver_removal(struct ktest *t)
{
	static char leak_report[2048];
	struct edu *edu = edu0();
	struct pci_dev *pdev = edu->pdev;
	struct device *dev = edu_dev(edu);
	uint8_t *buf = kmalloc(256, GFP_KERNEL);
	unsigned long errs = dma_debug_error_count();
	dma_addr_t a;

	if (!dma_debug_enabled())
		KT_SKIP(t, "needs dma_debug=on");
	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, 256, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	ktest_expect_error(t, "DMA-API: edu 0000:");
	console_capture_start(leak_report, sizeof(leak_report));
	pci_release_driver(pdev);                         /* forgets the mapping */
	console_capture_stop();
	KT_EXPECT_GT(t, dma_debug_error_count(), errs);
	KT_EXPECT_SUBSTR(t, leak_report, "DMA-API: edu 0000:");
	KT_EXPECT_SUBSTR(t, leak_report, "[mapped as single] mapped at "
			 "leak_reported_at_driver_removal+0x");
	dma_unmap_single(dev, a, 256, DMA_TO_DEVICE);     /* clean up, then rebind */
	kfree(buf);
	KT_EXPECT_EQ(t, dma_debug_entry_count(dev), 0);
	KT_EXPECT_EQ(t, pci_attach_driver(pdev), 0);
	KT_EXPECT_NOT_NULL(t, edu_get(0));
}

/* After the suite: nothing of the test device left in the ledger or swiotlb. */
static void state_clean(struct ktest *t)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	ktest_printf("    # state_clean: swiotlb %lu slots, %lu used, high water %lu, "
		     "%lu refused\n", st.nslots, st.used, st.high_water, st.full);
	KT_EXPECT_EQ(t, st.used, 0);
	KT_EXPECT_EQ(t, st.mappings, 0);
	if (dma_debug_enabled())
		KT_EXPECT_EQ(t, dma_debug_check_leaks(edu_dev(edu0())), 0);
}

KTEST_SUITE_EXT(dma, 0, dma_skip, KTEST_CASE(coherent_round_trip),
		KTEST_CASE(single_round_trip), KTEST_CASE(sg_round_trip),
		KTEST_CASE(completion_by_interrupt), KTEST_CASE(device_limits_enforced),
		KTEST_CASE(high_memory_bounces_28bit), KTEST_CASE(high_memory_bounces_32bit),
		KTEST_CASE(missing_sync_leaves_stale_data),
		KTEST_CASE(missing_sg_sync_leaves_stale_data),
		KTEST_CASE(leak_reported_at_driver_removal), KTEST_CASE(state_clean));
