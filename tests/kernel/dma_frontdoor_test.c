/*
 * dma_frontdoor_test.c - the DMA API's front door (dma/mapping.c) in
 * front of a backend it does not know.
 *
 * A counting backend (every operation forwards to the direct one and
 * counts) stands in for an IOMMU: attached when the device is found, it
 * must survive a driver binding, and every public question (mask support,
 * mapping sizes, merge boundary, sync needs) must reach it.
 */
#include "dma/debug.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "dma/swiotlb.h"
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

#define T_LEN         256
#define T_SEED        0x5a
#define T_BUS_LIMIT   DMA_BIT_MASK(40)   /* a platform fact wider than edu's mask */
#define T_STALE_ALIGN 0xfff              /* a driver setting bind must clear */

/* ---- the counting backend ---- */

static struct {
	unsigned alloc, free, map, unmap;
} t_calls;

static void *t_alloc(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp,
		     unsigned long attrs)
{
	t_calls.alloc++;
	return dma_direct_ops.alloc(dev, size, handle, gfp, attrs);
}

static void t_free(struct device *dev, size_t size, void *cpu, dma_addr_t handle,
		   unsigned long attrs)
{
	t_calls.free++;
	dma_direct_ops.free(dev, size, cpu, handle, attrs);
}

static dma_addr_t t_map_phys(struct device *dev, uint64_t phys, size_t size,
			     enum dma_data_direction dir, unsigned long attrs)
{
	t_calls.map++;
	return dma_direct_ops.map_phys(dev, phys, size, dir, attrs);
}

static void t_unmap_phys(struct device *dev, dma_addr_t addr, size_t size,
			 enum dma_data_direction dir, unsigned long attrs)
{
	t_calls.unmap++;
	dma_direct_ops.unmap_phys(dev, addr, size, dir, attrs);
}

static struct dma_map_ops t_ops;

/* The direct backend with the counted operations swapped in. */
static const struct dma_map_ops *t_backend(void)
{
	t_ops = dma_direct_ops;
	t_ops.name = "frontdoor-test";
	t_ops.alloc = t_alloc;
	t_ops.free = t_free;
	t_ops.map_phys = t_map_phys;
	t_ops.unmap_phys = t_unmap_phys;
	return &t_ops;
}

static struct edu *edu0(void) { return edu_get(0); }

static void t_fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Unbind edu, let @setup change the platform's facts, bind it again. */
static int t_rebind(struct pci_dev *pdev, void (*setup)(struct device *))
{
	pci_release_driver(pdev);
	setup(&pdev->dev);
	return pci_attach_driver(pdev);
}

static int t_domain;   /* stands in for an IOMMU domain */

/* What platform code attaching an IOMMU does, plus a stale driver setting. */
static void t_attach_counting(struct device *dev)
{
	set_dma_ops(dev, t_backend());
	dev->iommu_domain = &t_domain;
	dev->bus_dma_limit = T_BUS_LIMIT;
	dev->min_align_mask = T_STALE_ALIGN;
}

static void t_attach_direct(struct device *dev)
{
	set_dma_ops(dev, &dma_direct_ops);
	dev->iommu_domain = NULL;
	dev->bus_dma_limit = 0;
}

/* edu copies @len bytes of @buf into its buffer and back into coherent
 * memory: the data must arrive through the device's backend. */
static void t_round_trip(struct ktest *t, struct edu *edu, uint8_t *buf, size_t len)
{
	struct device *dev = edu_dev(edu);
	dma_addr_t a, hc;
	uint8_t *coh = dma_alloc_coherent(dev, len, &hc, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, coh);
	a = dma_map_single(dev, buf, len, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, a, 0, len, DMA_TO_DEVICE, false), 0);
	dma_unmap_single(dev, a, len, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, edu_dma(edu, hc, 0, len, DMA_FROM_DEVICE, false), 0);
	KT_EXPECT_MEMEQ(t, coh, buf, len);
	dma_free_coherent(dev, len, coh, hc);
}

/*
 * A backend attached when the device is found (as an IOMMU will be) and
 * the bus limit survive a driver binding; the driver's settings do not.
 */
static void backend_survives_bind(struct ktest *t)
{
	struct pci_dev *pdev;
	uint8_t *buf;
	struct edu *edu;

	if (!edu0())
		KT_SKIP(t, "no edu device in this scenario");
	pdev = edu0()->pdev;
	buf = kmalloc(T_LEN, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, buf);
	memset(&t_calls, 0, sizeof(t_calls));
	KT_ASSERT_EQ(t, t_rebind(pdev, t_attach_counting), 0);
	edu = edu0();
	KT_ASSERT_NOT_NULL(t, edu);
	KT_EXPECT_TRUE(t, pdev->dev.dma_ops == &t_ops);
	KT_EXPECT_UEQ(t, pdev->dev.bus_dma_limit, T_BUS_LIMIT);
	KT_EXPECT_TRUE(t, pdev->dev.iommu_domain == &t_domain);
	KT_EXPECT_UEQ(t, dma_get_min_align_mask(&pdev->dev), 0);   /* reset on bind */
	t_fill(buf, T_LEN, T_SEED);
	t_round_trip(t, edu, buf, T_LEN);
	KT_EXPECT_EQ(t, t_calls.map, 1);
	KT_EXPECT_EQ(t, t_calls.unmap, 1);
	KT_EXPECT_EQ(t, t_calls.alloc, 1);
	KT_EXPECT_EQ(t, t_calls.free, 1);
	KT_EXPECT_EQ(t, t_rebind(pdev, t_attach_direct), 0);
	KT_EXPECT_TRUE(t, pdev->dev.dma_ops == &dma_direct_ops);
	kfree(buf);
}

/* ---- a backend with answers of its own (no DMA happens) ---- */

#define Q_MIN_MASK   DMA_BIT_MASK(40)    /* the narrowest mask it serves */
#define Q_REQUIRED   DMA_BIT_MASK(48)    /* what it needs to never bounce */
#define Q_MAX_SIZE   (1u << 20)
#define Q_MERGE      0xfffUL             /* a 4 KiB granule */

static size_t q_opt = 128u << 10;        /* changed by a case: capped by Q_MAX_SIZE */
static unsigned q_sync_sg_nents;

static bool q_supported(const struct device *dev, uint64_t mask)
{
	(void)dev;
	return mask >= Q_MIN_MASK;
}

static uint64_t q_required(const struct device *dev) { (void)dev; return Q_REQUIRED; }
static size_t q_max(const struct device *dev) { (void)dev; return Q_MAX_SIZE; }
static size_t q_opt_size(const struct device *dev) { (void)dev; return q_opt; }
static unsigned long q_merge(const struct device *dev) { (void)dev; return Q_MERGE; }

static void q_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
		      enum dma_data_direction dir)
{
	(void)dev; (void)sg; (void)dir;
	q_sync_sg_nents += (unsigned)nents;
}

/* Device address = physical address, nothing else (a backend in one line). */
static int q_map_sg(struct device *dev, struct scatterlist *sg, int nents,
		    enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *s;
	int i;

	(void)dev; (void)dir; (void)attrs;
	for_each_sg(sg, s, nents, i) {
		s->dma_address = sg_phys(s);
		s->dma_length = s->length;
	}
	return nents;
}

static void q_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
		       enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev; (void)sg; (void)nents; (void)dir; (void)attrs;
}

static const struct dma_map_ops q_ops = {
	.name = "frontdoor-answers",
	.map_sg = q_map_sg,
	.unmap_sg = q_unmap_sg,
	.dma_supported = q_supported,
	.get_required_mask = q_required,
	.max_mapping_size = q_max,
	.opt_mapping_size = q_opt_size,
	.get_merge_boundary = q_merge,
	.sync_sg_for_cpu = q_sync_sg,
	.sync_sg_for_device = q_sync_sg,
};

static const struct dma_map_ops q_ops_silent = { .name = "frontdoor-silent" };

static void q_device(struct device *dev, const struct dma_map_ops *ops)
{
	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->name, "dma_frontdoor", sizeof(dev->name));
	dma_device_init(dev);
	set_dma_ops(dev, ops);
}

/* dma_supported() and both mask setters take the backend's word. */
static void mask_support_asks_backend(struct ktest *t)
{
	struct device dev;

	q_device(&dev, &q_ops);
	KT_EXPECT_EQ(t, dma_supported(&dev, DMA_BIT_MASK(32)), 0);
	KT_EXPECT_EQ(t, dma_supported(&dev, Q_MIN_MASK), 1);
	ktest_expect_error(t, "cannot be served by the frontdoor-answers backend");
	KT_EXPECT_EQ(t, dma_set_mask(&dev, DMA_BIT_MASK(39)), -EIO);
	KT_EXPECT_EQ(t, dma_set_coherent_mask(&dev, DMA_BIT_MASK(39)), -EIO);
	KT_EXPECT_UEQ(t, dma_get_mask(&dev), DMA_DEFAULT_MASK);       /* refused: unchanged */
	KT_EXPECT_UEQ(t, dev.coherent_dma_mask, DMA_DEFAULT_MASK);
	KT_EXPECT_EQ(t, dma_set_mask_and_coherent(&dev, Q_MIN_MASK), 0);
	KT_EXPECT_UEQ(t, dma_get_mask(&dev), Q_MIN_MASK);
	q_device(&dev, &q_ops_silent);                                /* no op: any mask */
	KT_EXPECT_EQ(t, dma_supported(&dev, DMA_BIT_MASK(12)), 1);
	q_device(&dev, &dma_direct_ops);                              /* direct: 24-bit floor */
	KT_EXPECT_EQ(t, dma_supported(&dev, DMA_BIT_MASK(23)), 0);
	KT_EXPECT_EQ(t, dma_supported(&dev, DMA_BIT_MASK(64)), 1);
}

/* Addressing limits: the mask (or bus limit) against the backend's required mask. */
static void addressing_limits_ask_backend(struct ktest *t)
{
	struct device dev;

	q_device(&dev, &q_ops);
	KT_EXPECT_UEQ(t, dma_get_required_mask(&dev), Q_REQUIRED);
	KT_ASSERT_EQ(t, dma_set_mask(&dev, DMA_BIT_MASK(44)), 0);
	KT_EXPECT_TRUE(t, dma_addressing_limited(&dev));
	KT_ASSERT_EQ(t, dma_set_mask(&dev, Q_REQUIRED), 0);
	KT_EXPECT_FALSE(t, dma_addressing_limited(&dev));
	dev.bus_dma_limit = DMA_BIT_MASK(42);                         /* the bus is narrower */
	KT_EXPECT_TRUE(t, dma_addressing_limited(&dev));
	q_device(&dev, &q_ops_silent);
	KT_EXPECT_UEQ(t, dma_get_required_mask(&dev), DMA_BIT_MASK(32));   /* Linux's default */
}

/* Mapping sizes and the merge boundary are the backend's; opt never above max. */
static void mapping_sizes_ask_backend(struct ktest *t)
{
	struct device dev;

	q_device(&dev, &q_ops);
	q_opt = 128u << 10;
	KT_EXPECT_UEQ(t, dma_max_mapping_size(&dev), Q_MAX_SIZE);
	KT_EXPECT_UEQ(t, dma_opt_mapping_size(&dev), 128u << 10);
	q_opt = 4u << 20;
	KT_EXPECT_UEQ(t, dma_opt_mapping_size(&dev), Q_MAX_SIZE);
	KT_EXPECT_UEQ(t, dma_get_merge_boundary(&dev), Q_MERGE);
	q_device(&dev, &q_ops_silent);
	KT_EXPECT_UEQ(t, dma_max_mapping_size(&dev), SIZE_MAX);
	KT_EXPECT_UEQ(t, dma_opt_mapping_size(&dev), SIZE_MAX);
	KT_EXPECT_UEQ(t, dma_get_merge_boundary(&dev), 0);
	q_device(&dev, &dma_direct_ops);                              /* direct never merges */
	KT_EXPECT_UEQ(t, dma_get_merge_boundary(&dev), 0);
	KT_EXPECT_UEQ(t, dma_opt_mapping_size(&dev), dma_max_mapping_size(&dev));
}

/* A list sync is the backend's sync_sg op, once, with the caller's nents. */
static void sg_sync_asks_backend(struct ktest *t)
{
	struct device dev;
	struct scatterlist sg[3];
	static uint8_t piece[3][64];

	q_device(&dev, &q_ops);
	sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++)
		sg_set_buf(&sg[i], piece[i], sizeof(piece[i]));
	KT_ASSERT_EQ(t, dma_map_sg(&dev, sg, 3, DMA_BIDIRECTIONAL), 3);
	q_sync_sg_nents = 0;
	dma_sync_sg_for_cpu(&dev, sg, 3, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, q_sync_sg_nents, 3);
	dma_sync_sg_for_device(&dev, sg, 3, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, q_sync_sg_nents, 6);
	dma_unmap_sg(&dev, sg, 3, DMA_BIDIRECTIONAL);
}

/*
 * The fast path's dma_skip_sync: set while nothing of the device bounced,
 * cleared by its first bounce, after which syncs reach swiotlb again.
 */
static void skip_sync_until_first_bounce(struct ktest *t)
{
	struct device dev;
	uint8_t *buf = kmalloc(T_LEN, GFP_KERNEL);
	dma_addr_t a;
	uint64_t tlb;

	KT_ASSERT_NOT_NULL(t, buf);
	q_device(&dev, &q_ops);
	KT_EXPECT_FALSE(t, dev.dma_skip_sync);            /* no need_sync op: always sync */
	q_device(&dev, &dma_direct_ops);
	KT_EXPECT_TRUE(t, dev.dma_skip_sync);
	a = dma_map_single(&dev, buf, T_LEN, DMA_BIDIRECTIONAL);
	KT_ASSERT_EQ(t, dma_mapping_error(&dev, a), 0);
	KT_EXPECT_EQ(t, dev.dma_skip_sync, !is_swiotlb_buffer(a));   /* bounced: cleared */
	t_fill(buf, T_LEN, T_SEED);
	tlb = swiotlb_tbl_map(&dev, virt_to_phys(buf), T_LEN, DMA_BIT_MASK(32),
			      DMA_BIDIRECTIONAL, 0);
	KT_ASSERT_TRUE(t, tlb != DMA_MAPPING_ERROR);
	KT_EXPECT_FALSE(t, dev.dma_skip_sync);
	if (!dma_debug_enabled()) {                       /* the checker knows no such mapping */
		memset(phys_to_virt(tlb), T_SEED, T_LEN);     /* the device writes */
		dma_sync_single_for_cpu(&dev, tlb, T_LEN, DMA_BIDIRECTIONAL);
		KT_EXPECT_EQ(t, buf[T_LEN - 1], T_SEED);      /* the sync was not skipped */
	}
	swiotlb_tbl_unmap(&dev, tlb, T_LEN, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	dma_unmap_single(&dev, a, T_LEN, DMA_BIDIRECTIONAL);
	kfree(buf);
}

KTEST_SUITE(dma_frontdoor, KTEST_CASE(skip_sync_until_first_bounce), KTEST_CASE(backend_survives_bind),
		KTEST_CASE(mask_support_asks_backend), KTEST_CASE(addressing_limits_ask_backend),
		KTEST_CASE(mapping_sizes_ask_backend), KTEST_CASE(sg_sync_asks_backend));
