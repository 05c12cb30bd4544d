/*
 * direct.c - the DMA backend without an IOMMU: the device sees physical
 * addresses.
 *
 * A device address is simply the physical address, as long as the device
 * can reach it: the whole buffer must lie at or below the device's mask
 * (and the bus limit, if the platform has one). When it does not, or when
 * `swiotlb=force` asks for it, the buffer is bounced: swiotlb copies it to
 * slots the device can reach and the device gets the slots' address.
 *
 * Coherent memory is page-allocator memory inside the coherent mask,
 * zeroed and aligned to its page order. On x86 DMA snoops the caches, so
 * no cache maintenance is ever needed: syncs matter only for bounces.
 */
#include "dma/internal.h"
#include "dma/ratelimit.h"
#include "dma/swiotlb.h"
#include "kernel/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/paging.h"
#include "kernel/time.h"

#define DIRECT_MIN_MASK  DMA_BIT_MASK(24)   /* narrower masks reach too little RAM */

/* Coherent allocations must sit under the coherent mask and the bus limit. */
static uint64_t direct_coherent_limit(const struct device *dev)
{
	uint64_t limit = dev->coherent_dma_mask;

	if (dev->bus_dma_limit && dev->bus_dma_limit < limit)
		limit = dev->bus_dma_limit;
	return limit;
}

/* Smallest page order holding @size bytes. */
static unsigned int direct_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size && order <= MAX_ORDER)
		order++;
	return order;
}

static void *direct_alloc(struct device *dev, size_t size, dma_addr_t *handle,
			  gfp_t gfp, unsigned long attrs)
{
	unsigned int order = direct_order(size);
	bool warn = !(attrs & DMA_ATTR_NO_WARN);
	struct page *pg = NULL;
	void *cpu;

	(void)gfp;   /* zone modifiers do not apply: the coherent mask decides */
	if (order <= MAX_ORDER)
		pg = alloc_pages_limit(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order,
				       direct_coherent_limit(dev));
	if (!pg) {
		if (warn)
			dev_err(dev, "dma_alloc_coherent: no %zu bytes of memory below %#llx",
				size, (unsigned long long)direct_coherent_limit(dev));
		return NULL;
	}
	cpu = page_address(pg);
	if ((attrs & DMA_ATTR_WRITE_COMBINE) &&
	    paging_set_cache(cpu, PAGE_SIZE << order, PAGE_CACHE_WC)) {
		__free_pages(pg, order);
		if (warn)
			dev_err(dev, "dma_alloc_coherent: cannot map %zu bytes write-combining", size);
		return NULL;
	}
	*handle = page_to_phys(pg);
	return cpu;
}

/* Pages go back to the allocator write-back, whatever attributes the
 * caller repeats (or forgets) at free: read the type from the PTE. */
static void direct_restore_write_back(void *cpu_addr, size_t bytes)
{
	uint64_t pte, page_size;

	if (paging_lookup(cpu_addr, &pte, &page_size) &&
	    pt_entry_cache(pte, page_size) != PAGE_CACHE_WB)
		paging_set_cache(cpu_addr, bytes, PAGE_CACHE_WB);
}

static void direct_free(struct device *dev, size_t size, void *cpu_addr,
			dma_addr_t handle, unsigned long attrs)
{
	struct page *pg = virt_to_page(cpu_addr);
	unsigned int order = direct_order(size);

	/* A wrong pointer or handle must not free someone else's memory. */
	if (!pg || page_to_phys(pg) != handle || (uintptr_t)cpu_addr & ~PAGE_MASK) {
		dev_err(dev, "dma_free_coherent(%p, handle %#llx): not a coherent "
			"allocation of this address; not freed", cpu_addr,
			(unsigned long long)handle);
		return;
	}
	if (!page_block_freeable(pg, order)) {   /* before the cache type changes */
		dev_err(dev, "dma_free_coherent(%p, %zu bytes): not the size it was "
			"allocated with; not freed", cpu_addr, size);
		return;
	}
	(void)attrs;
	direct_restore_write_back(cpu_addr, PAGE_SIZE << order);
	__free_pages(pg, order);
}

static dma_addr_t direct_map_phys(struct device *dev, uint64_t phys, size_t size,
				  enum dma_data_direction dir, unsigned long attrs)
{
	if (dma_direct_reachable(dev, phys, size) && phys + size > phys)
		return phys;
	return swiotlb_tbl_map(dev, phys, size, dma_direct_limit(dev), dir, attrs);
}

static void direct_unmap_phys(struct device *dev, dma_addr_t addr, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	if (swiotlb_is_live_bounce(addr))
		swiotlb_tbl_unmap(dev, addr, size, dir, attrs);
}

static void direct_sync_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	if (swiotlb_is_live_bounce(addr))
		swiotlb_sync_for_cpu(dev, addr, size, dir);
}

static void direct_sync_for_device(struct device *dev, dma_addr_t addr, size_t size,
				   enum dma_data_direction dir)
{
	if (swiotlb_is_live_bounce(addr))
		swiotlb_sync_for_device(dev, addr, size, dir);
}

/* Sync each mapped segment: a bounce copy is per segment. */
static void direct_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
			   enum dma_data_direction dir, bool for_cpu)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		if (s->dma_length && swiotlb_is_live_bounce(s->dma_address))
			(for_cpu ? swiotlb_sync_for_cpu : swiotlb_sync_for_device)
				(dev, s->dma_address, s->dma_length, dir);
}

static void direct_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
				   enum dma_data_direction dir)
{
	direct_sync_sg(dev, sg, nents, dir, true);
}

static void direct_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
				      enum dma_data_direction dir)
{
	direct_sync_sg(dev, sg, nents, dir, false);
}

/* Only a bounce needs a sync: DMA on x86 snoops the caches. */
static bool direct_need_sync(struct device *dev, dma_addr_t addr)
{
	(void)dev;
	return swiotlb_is_live_bounce(addr);
}

/* Does the mapped entry respect the device's segment limits? Say why not
 * (unless DMA_ATTR_NO_WARN; rate-limited, as every map failure). */
static bool direct_segment_ok(struct device *dev, const struct scatterlist *s, int i,
			      unsigned long attrs)
{
	static struct dma_ratelimit rs;

	if (dma_segment_fits(dev, s->dma_address, s->length))
		return true;
	if (!dma_map_may_warn(&rs, dev, attrs, time_ns()))
		return false;
	dev_err(dev, "dma_map_sg: entry %d [%#llx +%u] breaks the device's segment limits "
		"(max_seg_size %u, boundary mask %#llx)", i,
		(unsigned long long)s->dma_address, s->length, dev->max_seg_size,
		(unsigned long long)dev->seg_boundary_mask);
	return false;
}

/* Undo the first @count entries of a list. */
static void direct_unmap_entries(struct device *dev, struct scatterlist *sg, int count,
				 enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, count, i)
		direct_unmap_phys(dev, s->dma_address, s->length, dir, attrs);
}

/* Each entry maps on its own (no merging without an IOMMU, as in Linux). */
static int direct_map_sg(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i) {
		s->dma_length = 0;
		if (!s->length) {
			dev_err(dev, "dma_map_sg: entry %d has no bytes", i);
			goto unwind;
		}
		s->dma_address = direct_map_phys(dev, sg_phys(s), s->length, dir, attrs);
		if (s->dma_address == DMA_MAPPING_ERROR)
			goto unwind;
		if (!direct_segment_ok(dev, s, i, attrs)) {
			direct_unmap_phys(dev, s->dma_address, s->length, dir,
					  attrs | DMA_ATTR_SKIP_CPU_SYNC);
			goto unwind;
		}
		s->dma_length = s->length;
	}
	return nents;
unwind:
	/* Nothing was transferred: no bounce data may be copied back. */
	direct_unmap_entries(dev, sg, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return 0;
}

static void direct_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir, unsigned long attrs)
{
	direct_unmap_entries(dev, sg, nents, dir, attrs);
}

/* A mask is served if it reaches some RAM to allocate from (ZONE_DMA's
 * 24 bits) and, unless it reaches all of RAM, enough bounce slots lie
 * below it for the largest mapping (dma/swiotlb.c puts its pool low). */
static bool direct_dma_supported(const struct device *dev, uint64_t mask)
{
	(void)dev;
	if (mask < DIRECT_MIN_MASK)
		return false;
	if (mask >= memmap_ram_end() - 1)
		return true;
	return swiotlb_slots_below(mask) >= IO_TLB_SEGSIZE;
}

/* The mask that reaches all of RAM: what a device needs to never bounce. */
static uint64_t direct_get_required_mask(const struct device *dev)
{
	uint64_t last = memmap_ram_end() - 1;
	unsigned bits = 64 - (unsigned)__builtin_clzll(last | 1);

	(void)dev;
	return DMA_BIT_MASK(bits);
}

/* Bouncing caps a mapping at what swiotlb can hold; otherwise no limit. */
static size_t direct_max_mapping_size(const struct device *dev)
{
	if (swiotlb_force_bounce() || dma_direct_limit(dev) < memmap_ram_end() - 1)
		return swiotlb_max_mapping_size(dev);
	return SIZE_MAX;
}

const struct dma_map_ops dma_direct_ops = {
	.name = "direct",
	.alloc = direct_alloc,
	.free = direct_free,
	.map_phys = direct_map_phys,
	.unmap_phys = direct_unmap_phys,
	.map_sg = direct_map_sg,
	.unmap_sg = direct_unmap_sg,
	.sync_for_cpu = direct_sync_for_cpu,
	.sync_for_device = direct_sync_for_device,
	.sync_sg_for_cpu = direct_sync_sg_for_cpu,
	.sync_sg_for_device = direct_sync_sg_for_device,
	.need_sync = direct_need_sync,
	.dma_supported = direct_dma_supported,
	.get_required_mask = direct_get_required_mask,
	.max_mapping_size = direct_max_mapping_size,
	/* opt_mapping_size, get_merge_boundary: none (it never merges), as in Linux */
	.alloc_pages = dma_common_alloc_pages,	/* dma/ops_helpers.c */
	.free_pages = dma_common_free_pages,
	.get_sgtable = dma_direct_get_sgtable,
	.map_resource = dma_direct_map_resource,
};
