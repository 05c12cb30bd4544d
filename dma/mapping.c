/*
 * mapping.c - the DMA API's front door.
 *
 * Every public call goes through here in three steps:
 *
 *   1. check the arguments (a bad direction, a zero size, a pointer the
 *      device could never use) and refuse with a message naming the
 *      device, instead of letting a device scribble somewhere;
 *   2. hand the work to the device's backend (dev->dma_ops: dma/direct.c
 *      without an IOMMU), which decides the device address and bounces
 *      through swiotlb when it must;
 *   3. tell the debug ledger (dma/debug.c) what happened and who asked,
 *      so misuse is caught even when the hardware would not notice.
 *
 * Nothing here knows about bounce buffers or page tables: that is the
 * backends' business.
 */
#include "dma/dma.h"
#include "dma/debug.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "dma/swiotlb.h"
#include "kernel/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/paging.h"

#define DMA_MIN_MASK     DMA_BIT_MASK(24)   /* narrower masks reach too little RAM */
#define CALLER()         __builtin_return_address(0)

/* ---- what the CPU really has mapped ---- */

/*
 * The direct map has holes (the VGA window, gaps between firmware regions)
 * and a bounce copy through one faults. Its ranges never change after
 * paging_init(). The largest one is cached for a two-compare check, set
 * when the first device is set up (at boot, on one CPU).
 */
static uint64_t dma_dmap_lo, dma_dmap_hi;

/* Remember the direct map's largest range. */
static void dma_dmap_cache(void)
{
	const uint64_t (*r)[2];
	unsigned n = paging_direct_ranges(&r), i;

	for (i = 0; i < n; i++)
		if (r[i][1] - r[i][0] > dma_dmap_hi - dma_dmap_lo) {
			dma_dmap_lo = r[i][0];
			dma_dmap_hi = r[i][1];
		}
}

/* Does one range of the direct map hold [@phys, @end)? (Touching ranges are merged.) */
static __attribute__((noinline)) bool dma_dmap_holds(uint64_t phys, uint64_t end)
{
	const uint64_t (*r)[2];
	unsigned n = paging_direct_ranges(&r), i;

	for (i = 0; i < n; i++)
		if (phys >= r[i][0] && end <= r[i][1])
			return true;
	return false;
}

/* Is every byte of [@phys, @phys + @size) in the direct map (where copies go)? */
static inline bool dma_phys_mapped(uint64_t phys, size_t size)
{
	uint64_t end = phys + size;

	if (phys >= dma_dmap_lo && end <= dma_dmap_hi && end >= phys)
		return true;
	return end >= phys && dma_dmap_holds(phys, end);
}

/* ---- the device's DMA model ---- */

void dma_device_init(struct device *dev)
{
	dev->bus_dma_limit = 0;
	dev->dma_ops = &dma_direct_ops;
	dev->iommu_domain = NULL;
	dma_device_reset(dev);
	if (!dma_dmap_hi)
		dma_dmap_cache();
}

void dma_device_reset(struct device *dev)
{
	dev->dma_mask = DMA_DEFAULT_MASK;
	dev->coherent_dma_mask = DMA_DEFAULT_MASK;
	dev->max_seg_size = DMA_DEFAULT_MAX_SEG_SIZE;
	dev->seg_boundary_mask = DMA_DEFAULT_SEG_BOUNDARY;
	dev->min_align_mask = 0;
}

/* The backend of @dev; a device nobody initialised gets the direct one. */
static const struct dma_map_ops *dma_ops_of(const struct device *dev)
{
	return dev->dma_ops ? dev->dma_ops : &dma_direct_ops;
}

/* Can the platform serve a device limited to @mask? It must reach some RAM
 * to allocate from, and enough bounce slots for the largest mapping must
 * lie below it (dma/swiotlb.c puts its pool low for this). */
static bool dma_mask_supported(uint64_t mask)
{
	if (mask < DMA_MIN_MASK)
		return false;
	if (mask >= memmap_ram_end() - 1)
		return true;
	return swiotlb_slots_below(mask) >= IO_TLB_SEGSIZE;
}

int dma_set_mask(struct device *dev, uint64_t mask)
{
	if (!dma_mask_supported(mask)) {
		dev_err(dev, "DMA mask %#llx cannot be served: too narrow for RAM and "
			"the bounce pool", (unsigned long long)mask);
		return -EIO;
	}
	dev->dma_mask = mask;
	return 0;
}

int dma_set_coherent_mask(struct device *dev, uint64_t mask)
{
	if (mask < DMA_MIN_MASK) {
		dev_err(dev, "coherent DMA mask %#llx is too narrow", (unsigned long long)mask);
		return -EIO;
	}
	dev->coherent_dma_mask = mask;
	return 0;
}

int dma_set_mask_and_coherent(struct device *dev, uint64_t mask)
{
	int err = dma_set_mask(dev, mask);

	return err ? err : dma_set_coherent_mask(dev, mask);
}

uint64_t dma_get_mask(const struct device *dev) { return dev->dma_mask; }

uint64_t dma_get_required_mask(const struct device *dev)
{
	uint64_t last = memmap_ram_end() - 1;
	unsigned bits = 64 - (unsigned)__builtin_clzll(last | 1);

	(void)dev;
	return DMA_BIT_MASK(bits);
}

bool dma_addressing_limited(const struct device *dev)
{
	return dma_direct_limit(dev) < memmap_ram_end() - 1;
}

size_t dma_max_mapping_size(const struct device *dev)
{
	const struct dma_map_ops *ops = dma_ops_of(dev);

	return ops->max_mapping_size ? ops->max_mapping_size(dev) : SIZE_MAX;
}

int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (!size)
		return -EINVAL;
	dev->max_seg_size = size;
	return 0;
}

unsigned int dma_get_max_seg_size(const struct device *dev) { return dev->max_seg_size; }

int dma_set_seg_boundary(struct device *dev, uint64_t mask)
{
	if (mask & (mask + 1)) {   /* must be 2^n - 1 */
		dev_err(dev, "segment boundary mask %#llx is not 2^n - 1",
			(unsigned long long)mask);
		return -EINVAL;
	}
	dev->seg_boundary_mask = mask;
	return 0;
}

uint64_t dma_get_seg_boundary(const struct device *dev) { return dev->seg_boundary_mask; }

void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	dev->min_align_mask = min_align_mask;
}

unsigned int dma_get_min_align_mask(const struct device *dev)
{
	return (unsigned int)dev->min_align_mask;
}

/* ---- argument checks shared by the streaming calls ---- */

/* A misuse the API refuses: through the checker when it is on (counted,
 * with its context), plainly otherwise. */
#define dma_refuse(dev, ...)                                   \
	do {                                                   \
		if (dma_debug_enabled())                       \
			dma_debug_report(dev, __VA_ARGS__);    \
		else                                           \
			dev_err(dev, __VA_ARGS__);             \
	} while (0)

static bool dma_valid_direction(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

/* Direction and size are sane; refuse (and say why) otherwise. */
static bool dma_check_args(struct device *dev, size_t size, enum dma_data_direction dir,
			   const char *what)
{
	if (!dma_valid_direction(dir)) {
		dma_refuse(dev, "%s with invalid direction %d", what, (int)dir);
		return false;
	}
	if (!size) {
		dma_refuse(dev, "%s of zero bytes", what);
		return false;
	}
	return true;
}

/* The physical address of a buffer given by kernel address, if it is one
 * a device may use: the direct map or the kernel image (never ioremap()ed
 * MMIO or an unmapped address). */
static bool dma_virt_to_phys(const void *ptr, size_t size, uint64_t *phys)
{
	uintptr_t v = (uintptr_t)ptr;
	uint64_t dmap_end = BOOT_DIRECT_MAP_BASE + paging_direct_map_end();

	if (v >= BOOT_DIRECT_MAP_BASE && v < dmap_end && size <= dmap_end - v) {
		*phys = v - BOOT_DIRECT_MAP_BASE;
		return true;
	}
	if (v >= (uintptr_t)__kernel_start && v < (uintptr_t)__kernel_end &&
	    size <= (uintptr_t)__kernel_end - v) {
		*phys = virt_to_phys(ptr);
		return true;
	}
	return false;
}

/* Refuse a CPU range with a hole in it, naming the call and the range. */
static bool dma_check_mapped(struct device *dev, uint64_t phys, size_t size, const char *what)
{
	if (dma_phys_mapped(phys, size))
		return true;
	dma_refuse(dev, "%s of [mem %#llx-%#llx]: not mapped memory (a hole in the "
		   "direct map)", what, (unsigned long long)phys,
		   (unsigned long long)(phys + size - 1));
	return false;
}

/* ---- coherent memory ---- */

void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *handle,
		      gfp_t gfp, unsigned long attrs)
{
	void *cpu;

	*handle = DMA_MAPPING_ERROR;
	if (!size) {
		dma_refuse(dev, "dma_alloc_coherent of zero bytes");
		return NULL;
	}
	cpu = dma_ops_of(dev)->alloc(dev, size, handle, gfp, attrs);
	if (cpu)
		debug_dma_alloc_coherent(dev, size, *handle, cpu, CALLER());
	return cpu;
}

void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t handle, unsigned long attrs)
{
	if (!cpu_addr)
		return;   /* like free(NULL) */
	debug_dma_free_coherent(dev, size, cpu_addr, handle, CALLER());
	dma_ops_of(dev)->free(dev, size, cpu_addr, handle, attrs);
}

/* ---- streaming ---- */

/* Map physical memory: the common path of map_page and map_single. */
static dma_addr_t dma_map_phys_checked(struct device *dev, const void *cpu, uint64_t phys,
				       size_t size, enum dma_data_direction dir,
				       unsigned long attrs, enum dma_debug_type type,
				       const void *caller)
{
	dma_addr_t addr = dma_ops_of(dev)->map_phys(dev, phys, size, dir, attrs);

	if (addr != DMA_MAPPING_ERROR)
		debug_dma_map(dev, type, cpu, phys, size, addr, dir, caller);
	return addr;
}

dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
			      size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	uint64_t phys;

	if (!dma_check_args(dev, size, dir, "dma_map_page"))
		return DMA_MAPPING_ERROR;
	if (!page) {
		dma_refuse(dev, "dma_map_page of a NULL page");
		return DMA_MAPPING_ERROR;
	}
	phys = page_to_phys(page) + offset;
	if (!dma_check_mapped(dev, phys, size, "dma_map_page"))
		return DMA_MAPPING_ERROR;
	return dma_map_phys_checked(dev, phys_to_virt(phys), phys, size, dir, attrs,
				    DMA_DEBUG_PAGE, CALLER());
}

dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	uint64_t phys;

	if (!dma_check_args(dev, size, dir, "dma_map_single"))
		return DMA_MAPPING_ERROR;
	if (!dma_virt_to_phys(ptr, size, &phys)) {
		dma_refuse(dev, "dma_map_single of %p (+%zu): not directly mapped memory "
			   "(MMIO, ioremap or an unmapped address?)", ptr, size);
		return DMA_MAPPING_ERROR;
	}
	if (!dma_check_mapped(dev, phys, size, "dma_map_single"))
		return DMA_MAPPING_ERROR;
	return dma_map_phys_checked(dev, ptr, phys, size, dir, attrs, DMA_DEBUG_SINGLE,
				    CALLER());
}

/* Unmap: the ledger checks the call first, then the backend undoes it. */
static void dma_unmap_checked(struct device *dev, dma_addr_t addr, size_t size,
			      enum dma_data_direction dir, unsigned long attrs,
			      enum dma_debug_type type, const void *caller)
{
	debug_dma_unmap(dev, type, addr, size, dir, caller);
	if (addr == DMA_MAPPING_ERROR || !dma_valid_direction(dir))
		return;   /* nothing was mapped; the checker has said so */
	dma_ops_of(dev)->unmap_phys(dev, addr, size, dir, attrs);
}

void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_checked(dev, addr, size, dir, attrs, DMA_DEBUG_PAGE, CALLER());
}

void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_checked(dev, addr, size, dir, attrs, DMA_DEBUG_SINGLE, CALLER());
}

/* @nents must be at least 1 and no more than the list holds: walking past
 * the SG_END entry would read whatever memory follows the array. */
static bool dma_check_nents(struct device *dev, struct scatterlist *sg, int nents,
			    const char *what)
{
	int have = sg && nents > 0 ? sg_nents(sg) : 0;

	if (nents > 0 && nents <= have)
		return true;
	dma_refuse(dev, "%s with nents %d, but the list holds %d entries", what, nents, have);
	return false;
}

/* Every piece of the list lies in mapped memory. */
static bool dma_check_sg_mapped(struct device *dev, struct scatterlist *sg, int nents)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		if (!dma_check_mapped(dev, sg_phys(s), s->length, "dma_map_sg"))
			return false;
	return true;
}

int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	int mapped;

	if (!dma_check_nents(dev, sg, nents, "dma_map_sg") ||
	    !dma_check_args(dev, 1, dir, "dma_map_sg") || !dma_check_sg_mapped(dev, sg, nents))
		return 0;
	mapped = dma_ops_of(dev)->map_sg(dev, sg, nents, dir, attrs);
	if (mapped > 0)
		debug_dma_map_sg(dev, sg, nents, mapped, dir, CALLER());
	return mapped;
}

void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	debug_dma_unmap_sg(dev, sg, nents, dir, CALLER());
	if (dma_check_nents(dev, sg, nents, "dma_unmap_sg") && dma_valid_direction(dir))
		dma_ops_of(dev)->unmap_sg(dev, sg, nents, dir, attrs);
}

/* ---- syncs ---- */

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	debug_dma_sync(dev, addr, size, dir, true, CALLER());
	if (dma_valid_direction(dir) && dma_ops_of(dev)->sync_for_cpu)
		dma_ops_of(dev)->sync_for_cpu(dev, addr, size, dir);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	debug_dma_sync(dev, addr, size, dir, false, CALLER());
	if (dma_valid_direction(dir) && dma_ops_of(dev)->sync_for_device)
		dma_ops_of(dev)->sync_for_device(dev, addr, size, dir);
}

/* Sync each mapped segment; a bounce copy is per segment. */
static void dma_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, bool for_cpu)
{
	const struct dma_map_ops *ops = dma_ops_of(dev);
	void (*sync)(struct device *, dma_addr_t, size_t, enum dma_data_direction) =
		for_cpu ? ops->sync_for_cpu : ops->sync_for_device;
	struct scatterlist *s;
	int i;

	if (!sync || !dma_valid_direction(dir) ||
	    !dma_check_nents(dev, sg, nents, for_cpu ? "dma_sync_sg_for_cpu" : "dma_sync_sg_for_device"))
		return;
	for_each_sg(sg, s, nents, i)
		if (s->dma_length)
			sync(dev, s->dma_address, s->dma_length, dir);
}

void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir)
{
	debug_dma_sync_sg(dev, sg, nents, dir, true, CALLER());
	dma_sync_sg(dev, sg, nents, dir, true);
}

void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir)
{
	debug_dma_sync_sg(dev, sg, nents, dir, false, CALLER());
	dma_sync_sg(dev, sg, nents, dir, false);
}

int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	debug_dma_mapping_error(dev, addr);
	return addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}
