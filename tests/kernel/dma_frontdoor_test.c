/*
 * dma_frontdoor_test.c - the DMA API's front door (dma/mapping.c) in
 * front of a backend it does not know.
 *
 * A counting backend (every operation forwards to the direct one and
 * counts) stands in for an IOMMU: attached when the device is found, it
 * must survive a driver binding, and every public question (mask support,
 * mapping sizes, merge boundary, sync needs) must reach it.
 */
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
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

static const char *frontdoor_skip(void)
{
	return edu0() ? NULL : "no edu device in this scenario";
}

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

/* What platform code attaching an IOMMU does, plus a stale driver setting. */
static void t_attach_counting(struct device *dev)
{
	set_dma_ops(dev, t_backend());
	dev->bus_dma_limit = T_BUS_LIMIT;
	dev->min_align_mask = T_STALE_ALIGN;
}

static void t_attach_direct(struct device *dev)
{
	set_dma_ops(dev, &dma_direct_ops);
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
	struct pci_dev *pdev = edu0()->pdev;
	uint8_t *buf = kmalloc(T_LEN, GFP_KERNEL);
	struct edu *edu;

	KT_ASSERT_NOT_NULL(t, buf);
	memset(&t_calls, 0, sizeof(t_calls));
	KT_ASSERT_EQ(t, t_rebind(pdev, t_attach_counting), 0);
	edu = edu0();
	KT_ASSERT_NOT_NULL(t, edu);
	KT_EXPECT_TRUE(t, pdev->dev.dma_ops == &t_ops);
	KT_EXPECT_UEQ(t, pdev->dev.bus_dma_limit, T_BUS_LIMIT);
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

KTEST_SUITE_EXT(dma_frontdoor, 0, frontdoor_skip, KTEST_CASE(backend_survives_bind));
