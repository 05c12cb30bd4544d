/*
 * mapping_ext.c - the front door of the rest of Linux's DMA API:
 * non-coherent pages (dma_alloc_pages, dma_alloc_noncoherent), sg tables
 * of coherent buffers (dma_get_sgtable), peer-to-peer MMIO
 * (dma_map_resource) and dma_need_sync.
 *
 * The same three steps as dma/mapping.c: check the arguments and refuse
 * with a message naming the device; hand the work to the device's backend
 * through struct dma_map_ops (the direct backend takes dma/ops_helpers.c);
 * tell the debug ledger. Non-coherent pages are recorded as page mappings
 * (Linux does the same); resource mappings are not recorded: MMIO is not
 * RAM and the checker's memory checks would refuse it.
 */
#include "dma/debug.h"
#include "dma/internal.h"
#include "kernel/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"

#define CALLER()         __builtin_return_address(0)

/* ---- non-coherent pages ---- */

/* Allocate and record; @caller is the driver's code. */
static struct page *ext_alloc_pages(struct device *dev, size_t size, dma_addr_t *handle,
				    enum dma_data_direction dir, gfp_t gfp, const void *caller)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);
	struct page *page;

	*handle = DMA_MAPPING_ERROR;
	if (!dma_check_args(dev, size, dir, "dma_alloc_pages"))
		return NULL;
	if (!ops->alloc_pages) {
		dev_err(dev, "dma_alloc_pages: the %s backend has no non-coherent pages",
			ops->name);
		return NULL;
	}
	size = PAGE_ALIGN(size);
	page = ops->alloc_pages(dev, size, handle, dir, gfp);
	if (!page)
		return NULL;
	debug_dma_map(dev, DMA_DEBUG_PAGE, page_address(page), page_to_phys(page), size,
		      *handle, dir, caller);
	/* Failure is a NULL page, so no dma_mapping_error() check is owed. */
	debug_dma_mapping_error(dev, *handle);
	return page;
}

static void ext_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t handle, enum dma_data_direction dir, const void *caller)
{
	size = PAGE_ALIGN(size);
	if (!dma_check_args(dev, size, dir, "dma_free_pages") || handle == DMA_MAPPING_ERROR)
		return;
	/* The checker knows this mapping is not live: the pages are not ours. */
	if (!debug_dma_unmap(dev, DMA_DEBUG_PAGE, handle, size, dir, caller))
		return;
	get_dma_ops(dev)->free_pages(dev, size, page, handle, dir);
}

struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *handle,
			     enum dma_data_direction dir, gfp_t gfp)
{
	return ext_alloc_pages(dev, size, handle, dir, gfp, CALLER());
}

void dma_free_pages(struct device *dev, size_t size, struct page *page,
		    dma_addr_t handle, enum dma_data_direction dir)
{
	if (page)   /* like free(NULL) */
		ext_free_pages(dev, size, page, handle, dir, CALLER());
}

void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *handle,
			    enum dma_data_direction dir, gfp_t gfp)
{
	struct page *page = ext_alloc_pages(dev, size, handle, dir, gfp, CALLER());

	return page ? page_address(page) : NULL;
}

void dma_free_noncoherent(struct device *dev, size_t size, void *cpu_addr,
			  dma_addr_t handle, enum dma_data_direction dir)
{
	struct page *page = virt_to_page(cpu_addr);

	if (!cpu_addr)
		return;
	if (!page || page_address(page) != cpu_addr) {
		dma_refuse(dev, "dma_free_noncoherent(%p): not an address dma_alloc_noncoherent "
			   "gave; not freed", cpu_addr);
		return;
	}
	ext_free_pages(dev, size, page, handle, dir, CALLER());
}

/* ---- sg tables of coherent buffers ---- */

int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			  dma_addr_t handle, size_t size, unsigned long attrs)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	if (!cpu_addr || !size) {
		dma_refuse(dev, "dma_get_sgtable of %zu bytes at %p", size, cpu_addr);
		return -EINVAL;
	}
	if (!ops->get_sgtable) {
		dev_err(dev, "dma_get_sgtable: the %s backend cannot describe its buffers",
			ops->name);
		return -ENXIO;
	}
	return ops->get_sgtable(dev, sgt, cpu_addr, handle, size, attrs);
}

/* ---- peer-to-peer MMIO ---- */

/* Does [@phys, @end) touch RAM of any kind (everything the firmware map
 * does not call reserved)? */
static bool ext_overlaps_ram(uint64_t phys, uint64_t end)
{
	uint32_t i, n = memmap_count();

	for (i = 0; i < n; i++) {
		const struct memmap_region *r = memmap_get(i);

		if (r->type != BOOT_MEM_RESERVED && r->base < end && phys < r->end)
			return true;
	}
	return false;
}

dma_addr_t dma_map_resource(struct device *dev, uint64_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	if (!dma_check_args(dev, size, dir, "dma_map_resource"))
		return DMA_MAPPING_ERROR;
	if (phys + size < phys || ext_overlaps_ram(phys, phys + size)) {
		dma_refuse(dev, "dma_map_resource of [mem %#llx-%#llx]: RAM, not a device's "
			   "MMIO (map RAM with dma_map_page)", (unsigned long long)phys,
			   (unsigned long long)(phys + size - 1));
		return DMA_MAPPING_ERROR;
	}
	if (!ops->map_resource) {
		dev_err(dev, "dma_map_resource: the %s backend cannot map MMIO", ops->name);
		return DMA_MAPPING_ERROR;
	}
	return ops->map_resource(dev, phys, size, dir, attrs);
}

void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	if (!dma_check_args(dev, size, dir, "dma_unmap_resource") || addr == DMA_MAPPING_ERROR)
		return;
	if (ops->unmap_resource)   /* NULL: nothing was set up (direct) */
		ops->unmap_resource(dev, addr, size, dir, attrs);
}

/* ---- sync needs ---- */

bool dma_need_sync(struct device *dev, dma_addr_t addr)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	if (ops->need_sync)
		return ops->need_sync(dev, addr);
	return ops->sync_for_cpu || ops->sync_for_device;
}
