/*
 * dma_fixes_test.c - the DMA core's second-pass bugs (issue 10), each
 * provoked through the public API on the machine that booted:
 *
 *   holes      a CPU address in a hole of the direct map is refused by
 *              every mapping call (it used to fault in the bounce copy,
 *              or hand the device an unmapped address)
 *   no_warn    DMA_ATTR_NO_WARN silences map failures, and the rest are
 *              rate-limited
 *   alignment  a bounce of a page or more starts on a page (edu moves the
 *              data through it under swiotlb=force)
 *
 * The device is a struct device of our own unless a case says edu.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/ratelimit.h"
#include "dma/scatterlist.h"
#include "drivers/edu.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"

#define T_DEVICE      "dma-fixes-test"
#define T_SMALL       64
#define T_CAPTURE     1024
#define T_HALF_PAGE   (PAGE_SIZE / 2)
#define T_SEG_LIMIT   1024u        /* max_seg_size of the failing sg device */
#define T_SEED        0x6d

static struct device t_device;

/* A fresh device of our own with Linux's defaults and the given mask. */
static struct device *t_dev(uint64_t mask)
{
	memset(&t_device, 0, sizeof(t_device));
	strlcpy(t_device.name, T_DEVICE, sizeof(t_device.name));
	dma_device_init(&t_device);
	dma_set_mask_and_coherent(&t_device, mask);
	return &t_device;
}

/* Is @phys without a mapping in the kernel's page tables (a hole)? */
static bool t_unmapped(uint64_t phys)
{
	uint64_t pte, page_size;

	return !paging_lookup(phys_to_virt(phys), &pte, &page_size);
}

/* Map @len bytes at @phys (in a hole) every way; each must be refused, naming the device. */
static void t_expect_refused(struct ktest *t, struct device *dev, uint64_t phys, size_t len)
{
	char cap[T_CAPTURE];
	struct scatterlist sg[2];
	uint8_t *good = kmalloc(T_SMALL, GFP_KERNEL);
	struct swiotlb_stats before, after;

	KT_ASSERT_NOT_NULL(t, good);
	swiotlb_get_stats(&before);
	console_capture_start(cap, sizeof(cap));
	KT_EXPECT_UEQ(t, dma_map_single(dev, phys_to_virt(phys), len, DMA_TO_DEVICE),
		      DMA_MAPPING_ERROR);
	console_capture_stop();
	KT_EXPECT_SUBSTR(t, cap, T_DEVICE ": ");
	KT_EXPECT_SUBSTR(t, cap, "not mapped memory");
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], good, T_SMALL);            /* a good entry first: nothing may leak */
	sg_set_buf(&sg[1], phys_to_virt(phys), (unsigned int)len);
	KT_EXPECT_EQ(t, dma_map_sg(dev, sg, 2, DMA_BIDIRECTIONAL), 0);
	swiotlb_get_stats(&after);
	KT_EXPECT_UEQ(t, after.used, before.used);
	kfree(good);
}

/*
 * Bug 1: an address inside the direct map's range but in one of its holes
 * (the VGA window, the gap above RAM on a small machine) is refused by
 * dma_map_single and dma_map_sg, whole or straddling the hole's start,
 * for a device that reaches it and for one that must bounce it (the copy
 * used to fault). Each hole is confirmed by walking the page tables.
 */
static void hole_in_direct_map_refused(struct ktest *t)
{
	const uint64_t (*r)[2];
	unsigned n = paging_direct_ranges(&r), i, holes = 0;
	uint64_t hole;

	ktest_expect_error(t, "not mapped memory (a hole in the direct map)");
	for (i = 0; i + 1 < n; i++) {
		hole = r[i][1];
		KT_ASSERT_TRUE(t, t_unmapped(hole) && !t_unmapped(hole - 1));
		ktest_printf("    # %s: hole of the direct map at %#llx\n", t->name,
			     (unsigned long long)hole);
		t_expect_refused(t, t_dev(DMA_BIT_MASK(64)), hole, T_SMALL);
		t_expect_refused(t, &t_device, hole - T_SMALL / 2, T_SMALL);  /* runs into it */
		t_expect_refused(t, t_dev(DMA_BIT_MASK(28)), hole, T_SMALL); /* may bounce */
		holes++;
	}
	if (!holes)
		KT_SKIP(t, "the direct map has no hole on this machine");
}

/* A list of one entry longer than the device's segments: the direct backend refuses it. */
static int t_map_too_long(struct device *dev, struct scatterlist *sg, void *buf,
			  unsigned long attrs)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, 2 * T_SEG_LIMIT);
	return dma_map_sg_attrs(dev, sg, 1, DMA_TO_DEVICE, attrs);
}

/*
 * Bug 5: a map failure with DMA_ATTR_NO_WARN is not logged; without it, a
 * driver failing in a loop gets at most DMA_RATELIMIT_BURST lines per
 * interval (earlier cases may have used some of this interval's).
 */
static void map_failures_no_warn_and_ratelimited(struct ktest *t)
{
	struct device *dev = t_dev(DMA_BIT_MASK(64));
	uint8_t *buf = kmalloc(2 * T_SEG_LIMIT, GFP_KERNEL);
	struct scatterlist sg[1];
	unsigned long errs;
	unsigned int i;

	KT_ASSERT_NOT_NULL(t, buf);
	dma_set_max_seg_size(dev, T_SEG_LIMIT);
	errs = log_count(LOG_ERR);
	for (i = 0; i < 3 * DMA_RATELIMIT_BURST; i++)
		KT_EXPECT_EQ(t, t_map_too_long(dev, sg, buf, DMA_ATTR_NO_WARN), 0);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
	ktest_expect_error(t, "breaks the device's segment limits");
	for (i = 0; i < 3 * DMA_RATELIMIT_BURST; i++)
		KT_EXPECT_EQ(t, t_map_too_long(dev, sg, buf, 0), 0);
	KT_EXPECT_LE(t, log_count(LOG_ERR) - errs, DMA_RATELIMIT_BURST);
	kfree(buf);
}

static struct edu *edu0(void) { return edu_get(0); }

/* Fill @len bytes with a pattern that differs per byte. */
static void t_fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 5 + (i >> 7));
}

/* Hold the bounce slot at the start of the next free page so that the
 * next free slot is the second half of a page; returns its mapping. */
static dma_addr_t t_take_half_page(struct device *dev, void *buf)
{
	return dma_map_single(dev, buf, T_HALF_PAGE, DMA_TO_DEVICE);
}

/*
 * Bug 6: under swiotlb=force a page mapped from the middle of a buffer
 * bounces to a page-aligned address, never straddling two pages, even
 * when the first free slot is half a page in; edu reads it and writes it
 * back, and the data survives the round trip.
 */
static void page_bounce_is_page_aligned(struct ktest *t)
{
	struct edu *edu = edu0();
	struct device *dev;
	uint8_t *buf, *back;
	dma_addr_t half, a;

	if (!edu || !swiotlb_force_bounce())
		KT_SKIP(t, "needs edu and swiotlb=force");
	dev = edu_dev(edu);
	buf = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	back = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_TRUE(t, buf && back);
	t_fill(buf, 3 * PAGE_SIZE, T_SEED);
	half = t_take_half_page(dev, buf);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, half), 0);
	a = dma_map_single(dev, buf + T_HALF_PAGE, PAGE_SIZE, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_UEQ(t, a & (PAGE_SIZE - 1), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, EDU_DMA_MAX_END, DMA_TO_DEVICE, false), 0);
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	a = dma_map_single(dev, back + T_HALF_PAGE, PAGE_SIZE, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_UEQ(t, a & (PAGE_SIZE - 1), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, EDU_DMA_MAX_END, DMA_FROM_DEVICE, false), 0);
	dma_unmap_single(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	dma_unmap_single(dev, half, T_HALF_PAGE, DMA_TO_DEVICE);
	KT_EXPECT_MEMEQ(t, back + T_HALF_PAGE, buf + T_HALF_PAGE, EDU_DMA_MAX_END);
	kfree(buf);
	kfree(back);
}

KTEST_SUITE(dma_fixes, KTEST_CASE(hole_in_direct_map_refused),
	    KTEST_CASE(map_failures_no_warn_and_ratelimited),
	    KTEST_CASE(page_bounce_is_page_aligned));
