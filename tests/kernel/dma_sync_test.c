/*
 * dma_sync_test.c - handing a buffer back to the device, seen by the device.
 *
 * Under swiotlb=force every streaming mapping bounces, so what edu reads
 * is the bounce copy: data the CPU writes after dma_map_*() reaches the
 * device only through dma_sync_*_for_device(). Each case writes new bytes
 * after mapping, lets edu read the mapping into its own buffer, and reads
 * that buffer back through coherent memory (which never bounces): with
 * the sync edu has the new bytes, without it the old ones. These are the
 * tests that kill a sync_for_device (front door, direct backend or
 * swiotlb copy) that does nothing.
 */
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "drivers/edu.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/string.h"

#define T_LEN       512            /* bytes per transfer */
#define T_OLD       0x11           /* pattern seeds: before and after the map */
#define T_NEW       0x99
#define T_PIECES    2

static struct edu *edu0(void) { return edu_get(0); }

static const char *dma_sync_skip(void)
{
	if (!edu0())
		return "no edu device in this scenario";
	return swiotlb_force_bounce() ? NULL : "needs swiotlb=force (every mapping bounces)";
}

static void t_fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 3 + (i >> 6));
}

/* What edu holds at [@off, @off + @len) of its buffer, copied into @out
 * through coherent memory (@coh at @hc). */
static int t_read_back(struct edu *edu, uint8_t *coh, dma_addr_t hc, unsigned off,
		       size_t len, uint8_t *out)
{
	int err = edu_dma(edu, hc, off, len, DMA_FROM_DEVICE, false);

	memcpy(out, coh, len);
	return err;
}

/*
 * Map @buf (old bytes) for the device in @dir, write new bytes, sync for
 * the device if @sync, let edu read the mapping; edu's copy is returned
 * in @seen.
 */
static void t_single(struct ktest *t, enum dma_data_direction dir, bool sync, uint8_t *seen)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	uint8_t *buf = kmalloc(T_LEN, GFP_KERNEL), *coh;
	dma_addr_t a, hc;

	coh = dma_alloc_coherent(dev, T_LEN, &hc, GFP_KERNEL);
	KT_ASSERT_TRUE(t, buf && coh);
	t_fill(buf, T_LEN, T_OLD);
	a = dma_map_single(dev, buf, T_LEN, dir);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(a));
	t_fill(buf, T_LEN, T_NEW);                       /* the CPU writes after the map */
	if (sync)
		dma_sync_single_for_device(dev, a, T_LEN, dir);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, T_LEN, DMA_TO_DEVICE, false), 0);
	dma_unmap_single(dev, a, T_LEN, dir);
	KT_EXPECT_EQ(t, t_read_back(edu, coh, hc, 0, T_LEN, seen), 0);
	dma_free_coherent(dev, T_LEN, coh, hc);
	kfree(buf);
}

/* dma_sync_single_for_device: edu sees the new bytes after it, the old without it. */
static void single_for_device_reaches_edu(struct ktest *t)
{
	static const enum dma_data_direction dirs[] = { DMA_TO_DEVICE, DMA_BIDIRECTIONAL };
	uint8_t seen[T_LEN], old[T_LEN], new[T_LEN];

	t_fill(old, T_LEN, T_OLD);
	t_fill(new, T_LEN, T_NEW);
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		t_single(t, dirs[i], false, seen);
		KT_EXPECT_MEMEQ(t, seen, old, T_LEN);     /* no sync: the stale bounce copy */
		t_single(t, dirs[i], true, seen);
		KT_EXPECT_MEMEQ(t, seen, new, T_LEN);     /* synced: what the CPU wrote */
	}
}

/* The scatterlist form: two pieces, each its own bounce. */
static void t_sg(struct ktest *t, bool sync, uint8_t *seen)
{
	struct edu *edu = edu0();
	struct device *dev = edu_dev(edu);
	struct scatterlist sg[T_PIECES], *s;
	uint8_t *buf = kmalloc(T_PIECES * T_LEN, GFP_KERNEL), *coh;
	dma_addr_t hc;
	int n, i;

	coh = dma_alloc_coherent(dev, T_PIECES * T_LEN, &hc, GFP_KERNEL);
	KT_ASSERT_TRUE(t, buf && coh);
	t_fill(buf, T_PIECES * T_LEN, T_OLD);
	sg_init_table(sg, T_PIECES);
	for (i = 0; i < T_PIECES; i++)
		sg_set_buf(&sg[i], buf + i * T_LEN, T_LEN);
	n = dma_map_sg(dev, sg, T_PIECES, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, n, T_PIECES);
	t_fill(buf, T_PIECES * T_LEN, T_NEW);
	if (sync)
		dma_sync_sg_for_device(dev, sg, T_PIECES, DMA_TO_DEVICE);
	for_each_sg(sg, s, n, i)
		KT_EXPECT_EQ(t, edu_dma(edu, sg_dma_address(s), i * T_LEN, sg_dma_len(s),
					DMA_TO_DEVICE, false), 0);
	dma_unmap_sg(dev, sg, T_PIECES, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, t_read_back(edu, coh, hc, 0, T_PIECES * T_LEN, seen), 0);
	dma_free_coherent(dev, T_PIECES * T_LEN, coh, hc);
	kfree(buf);
}

/* dma_sync_sg_for_device: every segment's bounce gets the new bytes. */
static void sg_for_device_reaches_edu(struct ktest *t)
{
	uint8_t seen[T_PIECES * T_LEN], old[T_PIECES * T_LEN], new[T_PIECES * T_LEN];

	t_fill(old, sizeof(old), T_OLD);
	t_fill(new, sizeof(new), T_NEW);
	t_sg(t, false, seen);
	KT_EXPECT_MEMEQ(t, seen, old, sizeof(old));
	t_sg(t, true, seen);
	KT_EXPECT_MEMEQ(t, seen, new, sizeof(new));
}

KTEST_SUITE_EXT(dma_sync, 0, dma_sync_skip, KTEST_CASE(single_for_device_reaches_edu),
		KTEST_CASE(sg_for_device_reaches_edu));
