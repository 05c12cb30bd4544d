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
#include "kernel/errno.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"

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

/*
 * The fast path, Linux's dma_map_direct(): with the checker off and the
 * direct backend, a mapping the device reaches is its physical address,
 * decided inline with no call; a device that never bounced
 * (dma_skip_sync) has nothing to undo at unmap and nothing to copy at a
 * sync, so those return at once (a list's nents is still checked: a walk
 * of at most nents entries' flags).
 */
static inline bool dma_go_direct(const struct device *dev)
{
	return !dma_debug_on && dev->dma_ops == &dma_direct_ops;
}

/* Syncs (and direct unmaps) of @dev have nothing to do. */
static inline bool dma_nothing_to_sync(const struct device *dev)
{
	return !dma_debug_on && dev->dma_skip_sync;
}

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
	dev->dma_skip_sync = get_dma_ops(dev)->need_sync != NULL;   /* nothing mapped yet */
	dev->dma_mask = DMA_DEFAULT_MASK;
	dev->coherent_dma_mask = DMA_DEFAULT_MASK;
	dev->max_seg_size = DMA_DEFAULT_MAX_SEG_SIZE;
	dev->seg_boundary_mask = DMA_DEFAULT_SEG_BOUNDARY;
	dev->min_align_mask = 0;
}


int dma_supported(struct device *dev, uint64_t mask)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	return !ops->dma_supported || ops->dma_supported(dev, mask);
}

int dma_set_mask(struct device *dev, uint64_t mask)
{
	if (!dma_supported(dev, mask)) {
		dev_err(dev, "DMA mask %#llx cannot be served by the %s backend",
			(unsigned long long)mask, get_dma_ops(dev)->name);
		return -EIO;
	}
	dev->dma_mask = mask;
	return 0;
}

int dma_set_coherent_mask(struct device *dev, uint64_t mask)
{
	if (!dma_supported(dev, mask)) {
		dev_err(dev, "coherent DMA mask %#llx cannot be served by the %s backend",
			(unsigned long long)mask, get_dma_ops(dev)->name);
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

/* Linux's default for a backend that does not say: 32 bits. */
uint64_t dma_get_required_mask(const struct device *dev)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	return ops->get_required_mask ? ops->get_required_mask(dev) : DMA_BIT_MASK(32);
}

/* The tighter of mask and bus limit is below what the backend needs. */
bool dma_addressing_limited(const struct device *dev)
{
	uint64_t reach = dev->dma_mask;

	if (dev->bus_dma_limit && dev->bus_dma_limit < reach)
		reach = dev->bus_dma_limit;
	return reach < dma_get_required_mask(dev);
}

size_t dma_max_mapping_size(const struct device *dev)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	return ops->max_mapping_size ? ops->max_mapping_size(dev) : SIZE_MAX;
}

size_t dma_opt_mapping_size(const struct device *dev)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);
	size_t opt = ops->opt_mapping_size ? ops->opt_mapping_size(dev) : SIZE_MAX;
	size_t max = dma_max_mapping_size(dev);

	return opt < max ? opt : max;
}

unsigned long dma_get_merge_boundary(const struct device *dev)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);

	return ops->get_merge_boundary ? ops->get_merge_boundary(dev) : 0;
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

/* Say why the direction or size is bad (out of line: the cold path). */
__attribute__((noinline, cold)) bool dma_bad_args(struct device *dev, size_t size,
						  enum dma_data_direction dir, const char *what)
{
	if (!dma_valid_direction(dir))
		dma_refuse(dev, "%s with invalid direction %d", what, (int)dir);
	else if (!size)
		dma_refuse(dev, "%s of zero bytes", what);
	return false;
}

/* The physical address of a buffer given by kernel address, if it is one
 * a device may use: the direct map or the kernel image (never ioremap()ed
 * MMIO or an unmapped address). */
static __attribute__((noinline)) bool dma_virt_to_phys_slow(const void *ptr, size_t size,
								 uint64_t *phys)
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

/* The same, inline for the direct map's largest range (dma_phys_mapped()
 * then checks the size against it). */
static inline bool dma_virt_to_phys(const void *ptr, size_t size, uint64_t *phys)
{
	uintptr_t v = (uintptr_t)ptr;

	if (v >= BOOT_DIRECT_MAP_BASE && v - BOOT_DIRECT_MAP_BASE < dma_dmap_hi) {
		*phys = v - BOOT_DIRECT_MAP_BASE;
		return true;
	}
	return dma_virt_to_phys_slow(ptr, size, phys);
}

/* Refuse a CPU range with a hole in it, naming the call and the range. */
static __attribute__((noinline, cold)) bool dma_hole(struct device *dev, uint64_t phys,
						     size_t size, const char *what)
{
	dma_refuse(dev, "%s of [mem %#llx-%#llx]: not mapped memory (a hole in the "
		   "direct map)", what, (unsigned long long)phys,
		   (unsigned long long)(phys + size - 1));
	return false;
}

/* Is [@phys, @phys + @size) mapped memory? Refuse (and say so) if not. */
static inline bool dma_check_mapped(struct device *dev, uint64_t phys, size_t size,
				    const char *what)
{
	if (__builtin_expect(dma_phys_mapped(phys, size), 1))
		return true;
	return dma_hole(dev, phys, size, what);
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
	cpu = get_dma_ops(dev)->alloc(dev, size, handle, gfp, attrs);
	if (cpu)
		debug_dma_alloc_coherent(dev, size, *handle, cpu, CALLER());
	return cpu;
}

void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t handle, unsigned long attrs)
{
	if (!cpu_addr)
		return;   /* like free(NULL) */
	if (!debug_dma_free_coherent(dev, size, cpu_addr, handle, CALLER()))
		return;   /* refused and reported: the allocation stays */
	get_dma_ops(dev)->free(dev, size, cpu_addr, handle, attrs);
}

/* ---- streaming ---- */

/* Map checked physical memory: the common path of map_page and map_single.
 * @cpu may be NULL: the direct map's address of @phys, for the checker. */
static inline dma_addr_t dma_map_phys_checked(struct device *dev, const void *cpu,
					      uint64_t phys, size_t size,
					      enum dma_data_direction dir, unsigned long attrs,
					      enum dma_debug_type type, const void *caller)
{
	dma_addr_t addr;

	if (dma_go_direct(dev) && dma_direct_reachable(dev, phys, size))
		return phys;   /* the fast path: no call at all */
	addr = get_dma_ops(dev)->map_phys(dev, phys, size, dir, attrs);
	if (addr != DMA_MAPPING_ERROR && !cpu)
		cpu = phys_to_virt(phys);
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
	return dma_map_phys_checked(dev, NULL, phys, size, dir, attrs, DMA_DEBUG_PAGE,
				    CALLER());
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

/* Unmap: the ledger checks the call first, then the backend undoes it,
 * unless the ledger refused (it has reported and changed nothing). */
static inline void dma_unmap_checked(struct device *dev, dma_addr_t addr, size_t size,
				     enum dma_data_direction dir, unsigned long attrs,
				     enum dma_debug_type type, const void *caller)
{
	if (dma_go_direct(dev) && dev->dma_skip_sync)
		return;   /* the fast path: nothing was bounced, nothing to undo */
	if (!debug_dma_unmap(dev, type, addr, size, dir, caller))
		return;   /* the checker knows no such mapping: the backend must not act */
	if (addr == DMA_MAPPING_ERROR || !dma_valid_direction(dir))
		return;   /* nothing was mapped; the checker has said so */
	get_dma_ops(dev)->unmap_phys(dev, addr, size, dir, attrs);
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
 * the SG_END entry would read whatever memory follows the array. Walks at
 * most @nents entries, never the rest of a longer list; @map also checks
 * that each lies in mapped memory, in the same walk. */
static bool dma_check_nents(struct device *dev, struct scatterlist *sg, int nents,
			    const char *what, bool map)
{
	struct scatterlist *s = sg;
	int have = 0;

	for (; s && have < nents; s = sg_next(s), have++)
		if (map && !dma_check_mapped(dev, sg_phys(s), s->length, what))
			return false;
	if (nents > 0 && have == nents)
		return true;
	dma_refuse(dev, "%s with nents %d, but the list ends after %d entries", what, nents,
		   have);
	return false;
}

int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
		     enum dma_data_direction dir, unsigned long attrs)
{
	int mapped;

	if (!dma_check_args(dev, 1, dir, "dma_map_sg") ||
	    !dma_check_nents(dev, sg, nents, "dma_map_sg", true))
		return 0;
	mapped = get_dma_ops(dev)->map_sg(dev, sg, nents, dir, attrs);
	if (mapped > 0)
		debug_dma_map_sg(dev, sg, nents, mapped, dir, CALLER());
	return mapped;
}

void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	if (!dma_check_nents(dev, sg, nents, "dma_unmap_sg", false))
		return;   /* refused before the checker or the backend act */
	if (dma_go_direct(dev) && dev->dma_skip_sync)
		return;   /* the fast path: nothing was bounced, nothing to undo */
	if (!debug_dma_unmap_sg(dev, sg, nents, dir, CALLER()))
		return;   /* reported; nothing retired, nothing undone */
	if (dma_valid_direction(dir))
		get_dma_ops(dev)->unmap_sg(dev, sg, nents, dir, attrs);
}

/* ---- syncs ---- */

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	if (dma_nothing_to_sync(dev))
		return;   /* the fast path */
	if (!debug_dma_sync(dev, addr, size, dir, true, CALLER()))
		return;
	if (dma_valid_direction(dir) && get_dma_ops(dev)->sync_for_cpu)
		get_dma_ops(dev)->sync_for_cpu(dev, addr, size, dir);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	if (dma_nothing_to_sync(dev))
		return;   /* the fast path */
	if (!debug_dma_sync(dev, addr, size, dir, false, CALLER()))
		return;
	if (dma_valid_direction(dir) && get_dma_ops(dev)->sync_for_device)
		get_dma_ops(dev)->sync_for_device(dev, addr, size, dir);
}

/* The backend syncs the list's mapped segments (none to do if it has no op).
 * A bad @nents is refused before the checker or the backend act. */
static void dma_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, bool for_cpu, const void *caller)
{
	const struct dma_map_ops *ops = get_dma_ops(dev);
	void (*sync)(struct device *, struct scatterlist *, int, enum dma_data_direction) =
		for_cpu ? ops->sync_sg_for_cpu : ops->sync_sg_for_device;

	if (!dma_check_nents(dev, sg, nents,
			     for_cpu ? "dma_sync_sg_for_cpu" : "dma_sync_sg_for_device", false))
		return;
	if (dma_nothing_to_sync(dev))
		return;   /* the fast path: nothing bounced, nothing to copy */
	if (!debug_dma_sync_sg(dev, sg, nents, dir, for_cpu, caller))
		return;
	if (sync && dma_valid_direction(dir))
		sync(dev, sg, nents, dir);
}

void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir)
{
	dma_sync_sg(dev, sg, nents, dir, true, CALLER());
}

void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir)
{
	dma_sync_sg(dev, sg, nents, dir, false, CALLER());
}

int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	debug_dma_mapping_error(dev, addr);
	return addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}
