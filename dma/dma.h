/*
 * dma.h - the DMA API: how drivers give devices access to memory.
 *
 * The names and the rules are Linux's (Documentation/core-api/dma-api.rst
 * and dma-api-howto.rst), so what you learn here carries over:
 *
 *   coherent memory    dma_alloc_coherent()/dma_free_coherent(): buffers
 *                      CPU and device share for a driver's whole life
 *                      (queues, descriptor rings);
 *   pools              dma_pool_*(): many small coherent blocks (dma/pool.h);
 *   streaming          dma_map_single()/dma_map_page()/dma_map_sg(): lend a
 *                      buffer to the device for one transfer; ownership
 *                      moves with map (to the device), dma_sync_*_for_cpu()
 *                      and _for_device(), and unmap (back to the CPU).
 *
 * A dma_addr_t is what the *device* puts on the bus: the physical address,
 * a bounce-buffer address (swiotlb) or an IOMMU virtual address. The CPU
 * never dereferences it. Failures return DMA_MAPPING_ERROR, which drivers
 * test with dma_mapping_error(), never by comparison.
 *
 * Every device carries its constraints in struct device (kernel/device.h):
 * masks, segment limits, min_align_mask, and the backend that maps for it.
 */
#ifndef DMA_DMA_H
#define DMA_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/device.h"
#include "kernel/mm/page_alloc.h"

typedef uint64_t dma_addr_t;

#define DMA_MAPPING_ERROR  (~(dma_addr_t)0)
#define DMA_BIT_MASK(n)    ((n) >= 64 ? ~0ULL : (1ULL << (n)) - 1)

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,   /* device reads and writes */
	DMA_TO_DEVICE     = 1,   /* device only reads (CPU -> device) */
	DMA_FROM_DEVICE   = 2,   /* device only writes (device -> CPU) */
	DMA_NONE          = 3,   /* for debugging only: never valid in a call */
};

/* Attributes (bit numbers as in Linux's dma-mapping.h). */
#define DMA_ATTR_WEAK_ORDERING      (1UL << 1)
#define DMA_ATTR_WRITE_COMBINE      (1UL << 2)  /* coherent memory mapped WC for the CPU */
#define DMA_ATTR_NO_KERNEL_MAPPING  (1UL << 4)
#define DMA_ATTR_SKIP_CPU_SYNC      (1UL << 5)  /* map/unmap without the bounce copy */
#define DMA_ATTR_FORCE_CONTIGUOUS   (1UL << 6)
#define DMA_ATTR_ALLOC_SINGLE_PAGES (1UL << 7)
#define DMA_ATTR_NO_WARN            (1UL << 8)  /* allocation failure is not logged */
#define DMA_ATTR_PRIVILEGED         (1UL << 9)

/* Linux's defaults for a device nobody configured. */
#define DMA_DEFAULT_MASK         DMA_BIT_MASK(32)
#define DMA_DEFAULT_MAX_SEG_SIZE 0x10000u          /* 64 KiB */
#define DMA_DEFAULT_SEG_BOUNDARY (~0ULL)

struct scatterlist;

/* ---- the device's DMA model ---- */

/**
 * dma_device_init - the platform's facts about @dev, set once when the bus
 * finds it: the direct backend, no bus limit, no IOMMU domain (platform
 * code may then attach another backend with set_dma_ops()), plus the
 * driver defaults of dma_device_reset().
 */
void dma_device_init(struct device *dev);
/**
 * dma_device_reset - Linux's driver defaults, given on every bind: 32-bit
 * streaming and coherent masks, 64 KiB segments, no boundary, no
 * min_align_mask. The backend, bus limit and IOMMU domain stay as the
 * platform set them.
 */
void dma_device_reset(struct device *dev);

/**
 * dma_set_mask - the highest address the device can use for streaming DMA.
 * Return: 0, or -EIO if the backend cannot serve @mask (dma_supported();
 * direct: below 24 bits, or too few bounce slots under it for RAM the
 * device cannot reach). dma_set_coherent_mask() asks the same.
 */
int dma_set_mask(struct device *dev, uint64_t mask);
int dma_set_coherent_mask(struct device *dev, uint64_t mask);
/* Both at once; the usual call in a probe routine. */
int dma_set_mask_and_coherent(struct device *dev, uint64_t mask);
uint64_t dma_get_mask(const struct device *dev);

/**
 * dma_supported - can @dev's backend serve DMA for a device limited to @mask?
 * dma-api.rst Part Ic; current Linux keeps it internal to dma_set_mask().
 * Return: 1 if it can, 0 if not (no state changes, nothing is logged).
 */
int dma_supported(struct device *dev, uint64_t mask);

/* The mask the backend needs to never bounce (direct: one reaching all RAM). */
uint64_t dma_get_required_mask(const struct device *dev);
/* True if the mask or bus limit is below the required mask (so it may bounce). */
bool dma_addressing_limited(const struct device *dev);
/* Largest single mapping the backend can make for @dev. */
size_t dma_max_mapping_size(const struct device *dev);
/* Largest mapping that costs no more per byte than a small one (an IOMMU's
 * IOVA cache), never above dma_max_mapping_size(): the size to split I/O at. */
size_t dma_opt_mapping_size(const struct device *dev);
/* Boundary mask the backend merges segments across (0: it never merges);
 * a driver sizing segments to it gets them merged (NVMe, the IOMMU). */
unsigned long dma_get_merge_boundary(const struct device *dev);

int dma_set_max_seg_size(struct device *dev, unsigned int size);
unsigned int dma_get_max_seg_size(const struct device *dev);
/* Segments may not cross a multiple of (@mask + 1); @mask is 2^n - 1. */
int dma_set_seg_boundary(struct device *dev, uint64_t mask);
uint64_t dma_get_seg_boundary(const struct device *dev);
/* Address bits a bounce buffer must keep (NVMe: controller page - 1). */
void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask);
unsigned int dma_get_min_align_mask(const struct device *dev);

/* ---- coherent memory ---- */

/**
 * dma_alloc_attrs - allocate memory CPU and device share.
 * @size: bytes; rounded up to whole pages, aligned to its page order
 * @handle: set to the device's address of the buffer
 * @gfp: GFP_KERNEL (zone modifiers are ignored: the coherent mask decides)
 * @attrs: DMA_ATTR_WRITE_COMBINE, DMA_ATTR_NO_WARN
 *
 * Return: the CPU's address of zeroed memory, or NULL.
 */
void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *handle,
		      gfp_t gfp, unsigned long attrs);
/* Free it; @size, @cpu_addr and @handle must be what the allocation gave. */
void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr,
		    dma_addr_t handle, unsigned long attrs);

static inline void *dma_alloc_coherent(struct device *dev, size_t size,
				       dma_addr_t *handle, gfp_t gfp)
{
	return dma_alloc_attrs(dev, size, handle, gfp,
			       (gfp & __GFP_NOWARN) ? DMA_ATTR_NO_WARN : 0);
}

static inline void dma_free_coherent(struct device *dev, size_t size,
				     void *cpu_addr, dma_addr_t handle)
{
	dma_free_attrs(dev, size, cpu_addr, handle, 0);
}

/* ---- streaming mappings ---- */

/**
 * dma_map_page_attrs - lend [@offset, @offset + @size) of @page to the device.
 * Return: the device address, or DMA_MAPPING_ERROR (test with
 * dma_mapping_error()).
 */
dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
			      size_t size, enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs);

/* The same for a kernel virtual address (direct-mapped or kmalloc memory). */
dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);

/**
 * dma_map_sg_attrs - map a scatterlist of @nents entries.
 * Return: the number of DMA segments (possibly fewer than @nents: the
 * backend may merge), 0 on failure. Walk the result with for_each_sg()
 * over that count, using sg_dma_address() and sg_dma_len().
 */
int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
		     enum dma_data_direction dir, unsigned long attrs);
/* @nents is the value passed to dma_map_sg, not the count it returned. */
void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs);

#define dma_map_page(d, p, o, s, r)   dma_map_page_attrs(d, p, o, s, r, 0)
#define dma_unmap_page(d, a, s, r)    dma_unmap_page_attrs(d, a, s, r, 0)
#define dma_map_single(d, a, s, r)    dma_map_single_attrs(d, a, s, r, 0)
#define dma_unmap_single(d, a, s, r)  dma_unmap_single_attrs(d, a, s, r, 0)
#define dma_map_sg(d, s, n, r)        dma_map_sg_attrs(d, s, n, r, 0)
#define dma_unmap_sg(d, s, n, r)      dma_unmap_sg_attrs(d, s, n, r, 0)

/* ---- ownership: syncs (a sub-range of a mapping is allowed) ---- */

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir);
void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir);
void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir);
void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
			    enum dma_data_direction dir);

/* 0 for a good address, -ENOMEM for DMA_MAPPING_ERROR; also tells the
 * debug checker the driver looked. */
int dma_mapping_error(struct device *dev, dma_addr_t addr);

/* ---- the rest of Linux's API (dma/mapping_ext.c, dma/ops_helpers.c) ---- */

struct sg_table;

/* Sync [@addr + @offset, + @size) of a mapping made at @addr. */
static inline void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr,
						 size_t offset, size_t size,
						 enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr + offset, size, dir);
}

static inline void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr,
						    size_t offset, size_t size,
						    enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr + offset, size, dir);
}

/**
 * dma_alloc_pages - non-coherent pages the device can reach, mapped for @dir.
 * @size: bytes, rounded up to whole pages (a power-of-two block)
 * @handle: set to the device's address, DMA_MAPPING_ERROR on failure
 * @gfp: GFP_KERNEL, __GFP_NOWARN (zone modifiers are ignored: the mask decides)
 *
 * The memory is zeroed and owned by the CPU: give it to the device with
 * dma_sync_single_for_device() and take it back with
 * dma_sync_single_for_cpu(), as for a streaming mapping that is reused.
 * Return: the first page, or NULL.
 */
struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *handle,
			     enum dma_data_direction dir, gfp_t gfp);
/* Unmap and free; @size, @handle and @dir as given to dma_alloc_pages. */
void dma_free_pages(struct device *dev, size_t size, struct page *page,
		    dma_addr_t handle, enum dma_data_direction dir);
/* dma_alloc_pages() by kernel address (the pages' direct-map address). */
void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *handle,
			    enum dma_data_direction dir, gfp_t gfp);
void dma_free_noncoherent(struct device *dev, size_t size, void *cpu_addr,
			  dma_addr_t handle, enum dma_data_direction dir);

/**
 * dma_get_sgtable_attrs - describe a dma_alloc_coherent() buffer as a table
 * of pages (to map it for another device, or to export it).
 * @sgt: filled with a table the caller frees with sg_free_table()
 * @cpu_addr, @handle, @size: what the allocation gave
 * Return: 0, -ENXIO (the backend cannot, or the memory has no pages),
 * -EINVAL or -ENOMEM.
 */
int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			  dma_addr_t handle, size_t size, unsigned long attrs);
#define dma_get_sgtable(d, t, v, h, s) dma_get_sgtable_attrs(d, t, v, h, s, 0)

/**
 * dma_map_resource - let the device reach [@phys, @phys + @size) of another
 * device's MMIO (peer-to-peer). Never bounced, never synced; RAM is refused
 * (use dma_map_page). Return: the address or DMA_MAPPING_ERROR.
 */
dma_addr_t dma_map_resource(struct device *dev, uint64_t phys, size_t size,
			    enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs);

/* Must the mapping at @addr be synced at all? False lets a driver skip
 * its syncs (Linux's dma_need_sync; here true only for bounces). */
bool dma_need_sync(struct device *dev, dma_addr_t addr);

/* "DMA_TO_DEVICE", ...: the constant's name, for messages (dma/debug.c). */
const char *dma_dir_name(enum dma_data_direction dir);

#endif /* DMA_DMA_H */
