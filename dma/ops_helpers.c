/*
 * ops_helpers.c - operations a backend can take as they are, after
 * Linux's kernel/dma/ops_helpers.c, and the direct backend's own
 * versions of the newer operations.
 *
 *   dma_common_get_sgtable   a coherent buffer in the direct map described
 *                            as one table entry of whole pages
 *   dma_common_alloc_pages   zeroed pages from the page allocator inside
 *                            the device's streaming reach, mapped through
 *                            the device's own backend (map_phys) with
 *                            DMA_ATTR_SKIP_CPU_SYNC; freed if that fails
 *   dma_common_free_pages    the reverse
 *
 * Because the pages are mapped through the backend, whatever the backend
 * does to a streaming mapping happens to them: under `swiotlb=force` they
 * bounce, and the driver's syncs move the data (Linux's direct backend
 * would not bounce them; here the sync rules are exercised instead).
 * An IOMMU backend can use the same helpers and map the pages its way.
 */
#include "dma/internal.h"
#include "dma/ratelimit.h"
#include "kernel/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/time.h"

/* Smallest page order holding @size bytes (MAX_ORDER + 1 if none does). */
static unsigned int dma_pages_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size && order <= MAX_ORDER)
		order++;
	return order;
}

/* ---- sg tables of coherent buffers ---- */

int dma_common_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t handle, size_t size, unsigned long attrs)
{
	struct page *page = virt_to_page(cpu_addr);
	int err;

	(void)handle;
	(void)attrs;
	if (!page || page_address(page) != cpu_addr) {
		dev_err(dev, "dma_get_sgtable(%p): not the start of page-allocator memory "
			"in the direct map", cpu_addr);
		return -ENXIO;
	}
	err = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (!err)
		sg_set_page(sgt->sgl, page, PAGE_ALIGN(size), 0);
	return err;
}

/* Without an IOMMU a coherent buffer's handle is its physical address. */
int dma_direct_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t handle, size_t size, unsigned long attrs)
{
	if (virt_to_page(cpu_addr) && virt_to_phys(cpu_addr) != handle) {
		dev_err(dev, "dma_get_sgtable(%p, handle %#llx): the handle is not this "
			"buffer's", cpu_addr, (unsigned long long)handle);
		return -EINVAL;
	}
	return dma_common_get_sgtable(dev, sgt, cpu_addr, handle, size, attrs);
}

/* ---- non-coherent pages ---- */

struct page *dma_common_alloc_pages(struct device *dev, size_t size, dma_addr_t *handle,
				    enum dma_data_direction dir, gfp_t gfp)
{
	unsigned int order = dma_pages_order(size);
	uint64_t limit = dma_direct_limit(dev);
	struct page *page = NULL;

	if (order <= MAX_ORDER)   /* zone modifiers do not apply: the mask decides */
		page = alloc_pages_limit((gfp & ~__GFP_DMA32) | __GFP_ZERO | __GFP_NOWARN,
					 order, limit);
	if (!page) {
		if (!(gfp & __GFP_NOWARN))
			dev_err(dev, "dma_alloc_pages: no %zu bytes of memory below %#llx",
				size, (unsigned long long)limit);
		return NULL;
	}
	/* Zeroed before mapping, so a bounce copy starts zeroed too. */
	*handle = get_dma_ops(dev)->map_phys(dev, page_to_phys(page), size, dir,
					     DMA_ATTR_SKIP_CPU_SYNC |
					     ((gfp & __GFP_NOWARN) ? DMA_ATTR_NO_WARN : 0));
	if (*handle == DMA_MAPPING_ERROR) {
		__free_pages(page, order);
		return NULL;
	}
	return page;
}

/*
 * The pages go back first: the allocator refuses a wrong size (and says
 * so), and then the call must change nothing, so the mapping stays for
 * the correct free. Unmapping afterwards is safe: with SKIP_CPU_SYNC the
 * unmap never touches the pages, only the backend's own state.
 */
void dma_common_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t handle, enum dma_data_direction dir)
{
	uint64_t bad_before = page_alloc_bad_frees();

	__free_pages(page, dma_pages_order(size));
	if (page_alloc_bad_frees() != bad_before) {
		dev_err(dev, "dma_free_pages(handle %#llx, %zu bytes): the page allocator "
			"refused the pages; they stay allocated and mapped",
			(unsigned long long)handle, size);
		return;
	}
	get_dma_ops(dev)->unmap_phys(dev, handle, size, dir, DMA_ATTR_SKIP_CPU_SYNC);
}

/* ---- the direct backend's MMIO and sync answers ---- */

/* Peer-to-peer without an IOMMU: the device uses the bus address as it
 * is. MMIO cannot bounce, so an address out of reach is a plain failure. */
dma_addr_t dma_direct_map_resource(struct device *dev, uint64_t phys, size_t size,
				   enum dma_data_direction dir, unsigned long attrs)
{
	static struct dma_ratelimit rs;
	uint64_t last = phys + size - 1;

	(void)dir;
	if (last >= phys && last <= dma_direct_limit(dev))
		return phys;
	if (dma_map_may_warn(&rs, dev, attrs, time_ns()))
		dev_err(dev, "dma_map_resource of [mem %#llx-%#llx]: beyond the device's "
			"reach (mask %#llx, bus limit %#llx); MMIO cannot bounce",
			(unsigned long long)phys, (unsigned long long)last,
			(unsigned long long)dev->dma_mask,
			(unsigned long long)dev->bus_dma_limit);
	return DMA_MAPPING_ERROR;
}
