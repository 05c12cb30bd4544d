/*
 * internal.h - between the DMA API (dma/mapping.c) and its parts.
 *
 *   mapping.c   the public API: argument checks, then the device's backend,
 *               with the debug ledger told about every step
 *   direct.c    the backend without an IOMMU: device address = physical
 *               address, or a bounce slot when the device cannot reach it
 *   swiotlb.c   the bounce pool
 *   debug.c     the ledger and its checks
 *
 * The IOMMU issue adds a second backend (dma/iommu.c) with the same ops;
 * struct dma_map_ops already names every operation it and the API need.
 */
#ifndef DMA_INTERNAL_H
#define DMA_INTERNAL_H

#include <stdbool.h>
#include "dma/dma.h"
#include "dma/scatterlist.h"

/* ---- backends ---- */

/*
 * A backend's operations, after Linux's struct dma_map_ops. A NULL member
 * means "not provided": the front door (dma/mapping.c) then uses the
 * default named beside it, or refuses the call.
 */
struct dma_map_ops {
	const char *name;
	/* Coherent memory: zeroed, page-order aligned, inside the coherent mask. Required. */
	void *(*alloc)(struct device *dev, size_t size, dma_addr_t *handle,
		       gfp_t gfp, unsigned long attrs);
	void (*free)(struct device *dev, size_t size, void *cpu_addr,
		     dma_addr_t handle, unsigned long attrs);
	/* Non-coherent pages (dma_alloc_pages, dma_alloc_noncoherent): zeroed,
	 * mapped for @dir; ownership moves by syncs. NULL: the calls fail. */
	struct page *(*alloc_pages)(struct device *dev, size_t size, dma_addr_t *handle,
				    enum dma_data_direction dir, gfp_t gfp);
	void (*free_pages)(struct device *dev, size_t size, struct page *page,
			   dma_addr_t handle, enum dma_data_direction dir);
	/* Describe a coherent buffer as a table of pages (dma_get_sgtable).
	 * Return 0 or -errno. NULL: -ENXIO. */
	int (*get_sgtable)(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t handle, size_t size, unsigned long attrs);
	/* Streaming: [phys, phys + size) of RAM for one transfer. Required. */
	dma_addr_t (*map_phys)(struct device *dev, uint64_t phys, size_t size,
			       enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_phys)(struct device *dev, dma_addr_t addr, size_t size,
			   enum dma_data_direction dir, unsigned long attrs);
	/* Returns the DMA segment count, 0 on failure (nothing left mapped). Required. */
	int (*map_sg)(struct device *dev, struct scatterlist *sg, int nents,
		      enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_sg)(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir, unsigned long attrs);
	/* MMIO of another device (peer-to-peer): never bounced, no struct page.
	 * NULL: dma_map_resource fails with DMA_MAPPING_ERROR. */
	dma_addr_t (*map_resource)(struct device *dev, uint64_t phys, size_t size,
				   enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_resource)(struct device *dev, dma_addr_t addr, size_t size,
			       enum dma_data_direction dir, unsigned long attrs);
	/* Ownership moves of one mapping. NULL: nothing to do (coherent, no bounce). */
	void (*sync_for_cpu)(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir);
	void (*sync_for_device)(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir);
	/* The same for the mapped segments among the first @nents entries of
	 * a list. NULL: nothing to do (as in Linux). */
	void (*sync_sg_for_cpu)(struct device *dev, struct scatterlist *sg, int nents,
				enum dma_data_direction dir);
	void (*sync_sg_for_device)(struct device *dev, struct scatterlist *sg, int nents,
				   enum dma_data_direction dir);
	/* Must a mapping at @addr be synced (is it bounced)? A backend that
	 * provides it promises that only mappings it bounced through swiotlb
	 * (which clears dev->dma_skip_sync) need syncs, so the front door
	 * skips syncs, and the direct backend's unmaps, of a device that never
	 * bounced. NULL: every sync reaches the backend. */
	bool (*need_sync)(struct device *dev, dma_addr_t addr);
	/* Can the backend serve a device limited to @mask? NULL: any mask. */
	bool (*dma_supported)(const struct device *dev, uint64_t mask);
	/* The mask that reaches everything the backend may map without
	 * bouncing. NULL: 32 bits (Linux's default). */
	uint64_t (*get_required_mask)(const struct device *dev);
	/* Largest single mapping. NULL: SIZE_MAX. */
	size_t (*max_mapping_size)(const struct device *dev);
	/* Largest mapping that costs no more per byte than a small one
	 * (an IOMMU's IOVA cache). NULL: SIZE_MAX (then capped by max_mapping_size). */
	size_t (*opt_mapping_size)(const struct device *dev);
	/* Boundary mask (2^n - 1) the backend can merge segments across
	 * (an IOMMU's granule - 1). NULL: 0, it never merges. */
	unsigned long (*get_merge_boundary)(const struct device *dev);
};

extern const struct dma_map_ops dma_direct_ops;

/* Attach @ops as @dev's backend (platform code, before a driver binds:
 * binding keeps it). Linux's set_dma_ops(). */
static inline void set_dma_ops(struct device *dev, const struct dma_map_ops *ops)
{
	dev->dma_ops = ops;
	dev->dma_skip_sync = ops && ops->need_sync;   /* nothing mapped through it yet */
}

/* Does the DMA segment [addr, addr + len) respect @dev's max_seg_size and
 * segment boundary? (dma/scatterlist.c, pure) */
bool dma_segment_fits(const struct device *dev, dma_addr_t addr, unsigned int len);
/* Index of the first mapped segment of @sg that does not fit, or -1. */
int dma_sg_first_unfit(const struct device *dev, struct scatterlist *sg, int count);

/* The highest address @dev can reach for streaming DMA (mask and bus limit). */
static inline uint64_t dma_direct_limit(const struct device *dev)
{
	uint64_t limit = dev->dma_mask;

	if (dev->bus_dma_limit && dev->bus_dma_limit < limit)
		limit = dev->bus_dma_limit;
	return limit;
}

/* `swiotlb=force` is on: every mapping bounces. */
extern bool swiotlb_force_on;
static inline bool swiotlb_force_bounce(void) { return swiotlb_force_on; }

/* Can @dev reach [@phys, @phys + @size) without a bounce? (@size > 0, no wrap) */
static inline bool dma_direct_reachable(const struct device *dev, uint64_t phys, size_t size)
{
	return !swiotlb_force_bounce() && phys + size - 1 <= dma_direct_limit(dev);
}

/* ---- argument checks shared by the front door's calls (dma/mapping.c) ---- */

/* A misuse the API refuses: through the checker when it is on (counted,
 * with its context), plainly otherwise. */
#define dma_refuse(dev, ...)                                   \
	do {                                                   \
		if (dma_debug_enabled())                       \
			dma_debug_report(dev, __VA_ARGS__);    \
		else                                           \
			dev_err(dev, __VA_ARGS__);             \
	} while (0)

static inline bool dma_valid_direction(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

/* Report which of direction and size is bad; always false. */
bool dma_bad_args(struct device *dev, size_t size, enum dma_data_direction dir,
		  const char *what);

/* Direction and size are sane; refuse (and say why) otherwise. */
static inline bool dma_check_args(struct device *dev, size_t size,
				  enum dma_data_direction dir, const char *what)
{
	if (__builtin_expect(dma_valid_direction(dir) && size, 1))
		return true;
	return dma_bad_args(dev, size, dir, what);
}

/* ---- helpers any backend can use (dma/ops_helpers.c) ---- */

/* @dev's backend; a device nobody initialised gets the direct one (Linux). */
static inline const struct dma_map_ops *get_dma_ops(const struct device *dev)
{
	return dev->dma_ops ? dev->dma_ops : &dma_direct_ops;
}

/* A coherent buffer in the direct map as one entry of whole pages. */
int dma_common_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t handle, size_t size, unsigned long attrs);
/* Zeroed pages inside @dev's streaming reach, mapped through @dev's own
 * map_phys with DMA_ATTR_SKIP_CPU_SYNC; freed again if the map fails. */
struct page *dma_common_alloc_pages(struct device *dev, size_t size, dma_addr_t *handle,
				    enum dma_data_direction dir, gfp_t gfp);
void dma_common_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t handle, enum dma_data_direction dir);
/* The direct backend's own: handle = physical address checks, MMIO by
 * its bus address, syncs only for bounces. */
int dma_direct_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			   dma_addr_t handle, size_t size, unsigned long attrs);
dma_addr_t dma_direct_map_resource(struct device *dev, uint64_t phys, size_t size,
				   enum dma_data_direction dir, unsigned long attrs);

/* ---- swiotlb: the bounce pool (dma/swiotlb.c) ---- */

#define IO_TLB_SHIFT    11                      /* 2 KiB slots */
#define IO_TLB_SIZE     (1u << IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE  128                     /* slots in the largest mapping */
#define IO_TLB_DEFAULT_SIZE (64ULL << 20)       /* 64 MiB */

/**
 * swiotlb_init - carve the bounce pool out of memory below 4 GiB.
 * @size: bytes (from the command line; IO_TLB_DEFAULT_SIZE otherwise)
 * @force: bounce every streaming mapping (`swiotlb=force`)
 * Return: 0, or -ENOMEM (streaming DMA to unreachable memory then fails).
 */
int swiotlb_init(uint64_t size, bool force);
/* True if @phys lies inside the bounce pool. */
bool is_swiotlb_buffer(uint64_t phys);
/* True if @phys may be a live bounce: false at once while nothing is mapped. */
bool swiotlb_is_live_bounce(uint64_t phys);

/**
 * swiotlb_tbl_map - bounce [@orig, @orig + @size) through free slots.
 * Copies the original into the slots (always, so a device that writes
 * only part of the buffer cannot read stale bounce data), keeping the
 * address bits under @dev's min_align_mask. The slots lie below @limit.
 * Return: the physical address of the bounce copy, or DMA_MAPPING_ERROR
 * after logging (pool full, too large, pool absent), unless @attrs has
 * DMA_ATTR_NO_WARN; the logging is rate-limited. A bounce of a page or
 * more starts on a page when the device has no min_align_mask (Linux).
 * A bounce clears @dev->dma_skip_sync.
 */
uint64_t swiotlb_tbl_map(struct device *dev, uint64_t orig, size_t size,
			 uint64_t limit, enum dma_data_direction dir, unsigned long attrs);
/* The same with the slot run starting and ending on a multiple of
 * @alloc_align_mask + 1 (an IOMMU's granule); 0 asks nothing. */
uint64_t swiotlb_tbl_map_aligned(struct device *dev, uint64_t orig, size_t size,
				 uint64_t limit, uint64_t alloc_align_mask,
				 enum dma_data_direction dir, unsigned long attrs);
/* Copy @size bytes back for FROM_DEVICE/BIDIRECTIONAL (unless SKIP_CPU_SYNC; never
 * more than were mapped), free the slots. */
void swiotlb_tbl_unmap(struct device *dev, uint64_t tlb, size_t size,
		       enum dma_data_direction dir, unsigned long attrs);
/* Copy [tlb, tlb + size) back to the original (FROM_DEVICE, BIDIRECTIONAL). */
void swiotlb_sync_for_cpu(struct device *dev, uint64_t tlb, size_t size,
			  enum dma_data_direction dir);
/* Copy the original into the bounce slots (TO_DEVICE, BIDIRECTIONAL). */
void swiotlb_sync_for_device(struct device *dev, uint64_t tlb, size_t size,
			     enum dma_data_direction dir);
/* Largest mapping: 256 KiB, less what min_align_mask may cost. */
size_t swiotlb_max_mapping_size(const struct device *dev);

struct swiotlb_stats {
	uint64_t base, end;        /* the pool's physical range */
	unsigned long nslots;      /* slots in the pool */
	unsigned long used;        /* slots in use now */
	unsigned long high_water;  /* most slots ever in use at once */
	unsigned long mappings;    /* live bounce mappings */
	unsigned long full;        /* mappings refused for lack of room */
};
void swiotlb_get_stats(struct swiotlb_stats *out);

/*
 * ---- the debug ledger (dma/debug.c); no-ops unless dma_debug=on ----
 * Every unmap, free and sync hook runs BEFORE the backend and returns true
 * if the backend may proceed. False means the checker has reported the
 * misuse and changed nothing: the caller returns without the backend.
 * With checking off every hook returns true.
 */

enum dma_debug_type {
	DMA_DEBUG_SINGLE,     /* dma_map_single */
	DMA_DEBUG_PAGE,       /* dma_map_page */
	DMA_DEBUG_SG,         /* dma_map_sg */
	DMA_DEBUG_COHERENT,   /* dma_alloc_coherent */
};

/* @caller: the driver code that called the API (for "mapped at ..."). */
void debug_dma_map(struct device *dev, enum dma_debug_type type, const void *cpu_addr,
		   uint64_t phys, size_t size, dma_addr_t addr,
		   enum dma_data_direction dir, const void *caller);
bool debug_dma_unmap(struct device *dev, enum dma_debug_type type, dma_addr_t addr,
		     size_t size, enum dma_data_direction dir, const void *caller);
void debug_dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
		      int mapped, enum dma_data_direction dir, const void *caller);
bool debug_dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, const void *caller);
void debug_dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t addr,
			      void *cpu_addr, const void *caller);
bool debug_dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
			     dma_addr_t addr, const void *caller);
bool debug_dma_sync(struct device *dev, dma_addr_t addr, size_t size,
		    enum dma_data_direction dir, bool for_cpu, const void *caller);
bool debug_dma_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
		       enum dma_data_direction dir, bool for_cpu, const void *caller);
void debug_dma_mapping_error(struct device *dev, dma_addr_t addr);

#endif /* DMA_INTERNAL_H */
