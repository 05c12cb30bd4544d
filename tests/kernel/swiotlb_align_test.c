/*
 * swiotlb_align_test.c - bounces with an allocation alignment mask, in the
 * pool the kernel built.
 *
 * An IOMMU maps whole granules: a bounce it hands a device must not share
 * a granule with another mapping, or the device could reach that other
 * mapping's bytes. swiotlb_tbl_map_aligned() makes the slot run start and
 * end on the granule. The host tests (tests/host/test_swiotlb.c) prove the
 * slot arithmetic; these prove it on the real pool: the slots taken are
 * whole granules, no two live bounces share one, the copies in and out
 * are right, and the pool gets every slot back.
 */
#include "dma/swiotlb.h"
#include "kernel/device.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

#define A_GRANULE_MASK   0xfffULL          /* a 4 KiB IOMMU page */
#define A_SLOTS_PER_GRAN ((A_GRANULE_MASK + 1) / IO_TLB_SIZE)
#define A_NVME_MASK      0xfffULL          /* min_align_mask kept inside the granule */
#define A_LIMIT          DMA_BIT_MASK(32)
#define A_COUNT          4
#define A_DEV_BYTE       0x6e              /* what the "device" writes into a bounce */

/* Sizes below, at and across a granule, and at odd offsets. */
static const size_t a_sizes[A_COUNT] = { 100, 700, 4096, 5000 };
static const size_t a_offsets[A_COUNT] = { 0x10, 0x800, 0, 0x9ff };

static const char *swiotlb_align_skip(void)
{
	return swiotlb_slots_below(~0ULL) ? NULL : "no bounce pool (swiotlb_init failed)";
}

static void a_dev(struct device *dev, uint64_t min_align_mask)
{
	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->name, "swiotlb-align", sizeof(dev->name));
	dev->dma_mask = dev->coherent_dma_mask = A_LIMIT;
	dev->seg_boundary_mask = ~0ULL;
	dev->min_align_mask = min_align_mask;
}

static void a_fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 5);
}

/* Granules a bounce of @len bytes at granule offset @pad takes. */
static unsigned long a_granules(size_t pad, size_t len)
{
	return (unsigned long)((pad + len + A_GRANULE_MASK) / (A_GRANULE_MASK + 1));
}

/* Map every buffer with @mask kept; check the granules taken and the copies. */
static void a_map_all(struct ktest *t, struct device *dev, uint8_t **buf, uint64_t *tlb)
{
	struct swiotlb_stats before, after;
	unsigned long want = 0;

	swiotlb_get_stats(&before);
	for (int i = 0; i < A_COUNT; i++) {
		uint8_t *orig = buf[i] + a_offsets[i];

		a_fill(orig, a_sizes[i], (unsigned)i);
		tlb[i] = swiotlb_tbl_map_aligned(dev, virt_to_phys(orig), a_sizes[i], A_LIMIT,
						 A_GRANULE_MASK, DMA_BIDIRECTIONAL, 0);
		KT_ASSERT_TRUE(t, tlb[i] != DMA_MAPPING_ERROR);
		KT_EXPECT_MEMEQ(t, phys_to_virt(tlb[i]), orig, a_sizes[i]);   /* copied in */
		KT_EXPECT_UEQ(t, tlb[i] & dev->min_align_mask,
			      virt_to_phys(orig) & dev->min_align_mask);
		want += a_granules(tlb[i] & A_GRANULE_MASK, a_sizes[i]);
	}
	swiotlb_get_stats(&after);
	KT_EXPECT_UEQ(t, after.used - before.used, want * A_SLOTS_PER_GRAN);   /* whole granules */
}

/* No two live bounces have a byte in the same granule. */
static void a_no_shared_granule(struct ktest *t, const uint64_t *tlb)
{
	for (int i = 0; i < A_COUNT; i++)
		for (int j = 0; j < A_COUNT; j++) {
			uint64_t first = tlb[j] & ~A_GRANULE_MASK;
			uint64_t last = (tlb[j] + a_sizes[j] - 1) | A_GRANULE_MASK;

			if (i != j)
				KT_EXPECT_FALSE(t, tlb[i] + a_sizes[i] - 1 >= first &&
						   tlb[i] <= last);
		}
}

/* Granule-aligned bounces, with and without NVMe's min_align_mask. */
static void aligned_bounces_take_whole_granules(struct ktest *t)
{
	static const uint64_t masks[] = { 0, A_NVME_MASK };
	uint8_t *buf[A_COUNT];
	uint64_t tlb[A_COUNT];
	struct swiotlb_stats start, end;
	struct device dev;

	swiotlb_get_stats(&start);
	for (int i = 0; i < A_COUNT; i++) {
		buf[i] = kmalloc(a_sizes[i] + a_offsets[i], GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, buf[i]);
	}
	for (unsigned m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
		a_dev(&dev, masks[m]);
		a_map_all(t, &dev, buf, tlb);
		a_no_shared_granule(t, tlb);
		for (int i = 0; i < A_COUNT; i++) {
			memset(phys_to_virt(tlb[i]), A_DEV_BYTE, a_sizes[i]);   /* the device writes */
			swiotlb_tbl_unmap(&dev, tlb[i], a_sizes[i], DMA_BIDIRECTIONAL, 0);
			KT_EXPECT_EQ(t, buf[i][a_offsets[i]], A_DEV_BYTE);     /* copied back */
			KT_EXPECT_EQ(t, buf[i][a_offsets[i] + a_sizes[i] - 1], A_DEV_BYTE);
		}
	}
	swiotlb_get_stats(&end);
	KT_EXPECT_UEQ(t, end.used, start.used);
	KT_EXPECT_UEQ(t, end.mappings, start.mappings);
	for (int i = 0; i < A_COUNT; i++)
		kfree(buf[i]);
}

KTEST_SUITE_EXT(swiotlb_align, 0, swiotlb_align_skip,
		KTEST_CASE(aligned_bounces_take_whole_granules));
