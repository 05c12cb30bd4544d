/*
 * swiotlb.c - the bounce pool: memory every device can reach, lent out in
 * 2 KiB slots to stand in for buffers a device cannot reach.
 *
 * Why. A device with a 32-bit (or QEMU edu's 28-bit) DMA mask cannot put
 * an address above 4 GiB (256 MiB) on the bus. When a driver maps a buffer
 * that lies higher, dma/direct.c calls swiotlb_tbl_map(): the buffer is
 * copied into slots below the device's limit and the device gets the
 * slots' address. The copy is the whole trick, so *when* it happens is
 * the contract (docs/swiotlb.md has the long version):
 *
 *   map                   original -> bounce, always, whatever the
 *                         direction and even with DMA_ATTR_SKIP_CPU_SYNC.
 *                         The slots still hold whatever their last user
 *                         left; a FROM_DEVICE device that writes only part
 *                         of the buffer would otherwise have that stranger's
 *                         data copied back over the bytes it did not write
 *                         (Linux's 2022 info-leak fix).
 *   sync_for_device       original -> bounce for TO_DEVICE, BIDIRECTIONAL
 *   sync_for_cpu          bounce -> original for FROM_DEVICE, BIDIRECTIONAL
 *   unmap                 bounce -> original for FROM_DEVICE, BIDIRECTIONAL,
 *                         unless DMA_ATTR_SKIP_CPU_SYNC; then the slots
 *                         are free again
 *
 * A sync may cover part of a mapping: the slots' metadata find the
 * original and the offset. On x86 the caches are coherent with DMA, so
 * without bouncing a forgotten sync goes unnoticed; here it means the CPU
 * reads stale data or the device sends it. `swiotlb=force` bounces every
 * streaming mapping, which makes such bugs show in tests.
 *
 * Where the pool lives, and how `swiotlb=` is read: dma/swiotlb_init.c.
 *
 * The slot allocator (dma/swiotlb_slots.c, pure and host-tested). Each
 * slot has 24 bytes of metadata, struct swiotlb_slot:
 *
 *   free slot    free_run = how many free slots start here, counting up
 *                to the next used slot or the area's end, capped at
 *                IO_TLB_SEGSIZE (128). A mapping of k <= 128 slots fits
 *                at i exactly when free_run[i] >= k: one comparison.
 *   used slot    free_run = 0; head_dist = distance back to the first
 *                slot of its mapping, the head, which also records the
 *                original's address, the size mapped, the pad (bytes
 *                from the head slot's start to the bounce address) and
 *                the device that mapped it.
 *
 *        slot:      0   1   2   3   4   5   6   7   8
 *        used by:   -   -   A   A   A   -   -   -   B ...
 *        free_run:  2   1   0   0   0   3   2   1   0
 *        head_dist: -   -   0   1   2   -   -   -   0
 *
 * Invariants, checked by swiotlb_pool_check() in the host tests: every
 * free slot's free_run equals its capped run; every used slot's head lies
 * in the same area, is a head (head_dist 0), and covers it; the slots of
 * a mapping are contiguous and all in use; the per-area and pool counts
 * of used slots and mappings match the metadata. Mapping k slots sets the
 * run to used and recounts at most 127 free slots before it (further back
 * the counts are already capped); freeing recounts the run and the same
 * slots before it, which is how free space merges with its neighbours.
 *
 * Placement within an area is first fit over the candidate starts: a
 * start must keep the original's address bits under the device's
 * min_align_mask (NVMe: 4095, so a PRP keeps its offset in the controller
 * page). Bits inside a slot are kept by starting the copy pad bytes into
 * its first slot; bits above a slot restrict the start to every (mask + 1)
 * bytes. The slot run must also end at or below the device's limit and
 * the copy must not cross the device's segment boundary.
 *
 * Errors never corrupt anything: a full pool, a mapping over 256 KiB, a
 * limit below every slot, an unmap of an address that is not a mapping's
 * start: each is reported with dev_err() naming the device, and the pool
 * is left as it was. An unmap at a mapping's start with another size is
 * reported too, but unmaps the mapping with the size recorded at map time
 * (Linux, too, frees the slots it recorded): refusing would leak the slots
 * forever, while the DMA-API checker, which also reports it, retires the
 * mapping, so nothing would point at them any more. An unmap or sync by a
 * device other than the one that mapped (a stale handle whose slots were
 * handed to another device) is refused and changes nothing: it must not
 * free or overwrite another device's bounce.
 *
 * Interrupt handlers may unmap (a completion path), so every change to
 * the pool runs with interrupts off. The copies go through the direct map
 * (phys_to_virt); host builds go through the memory manager's window
 * instead, which is backed by ordinary host memory (dma/platform.h).
 */
#define LOG_PREFIX "swiotlb"
#include "dma/ratelimit.h"
#include "dma/swiotlb.h"
#include "dma/swiotlb_slots.h"
#include "dma/swiotlb_state.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "dma/platform.h"

/* Everything the bounce pool knows (dma/swiotlb_state.h). */
struct swiotlb_state swiotlb;

/* ---- seams: memory and interrupts ---- */

/* Where the CPU reaches physical address @phys. */
static void *swiotlb_virt(uint64_t phys)
{
	return dma_plat_phys_to_virt(phys);
}

/* Keep interrupt handlers (which may unmap) out while the pool changes. */
uint64_t swiotlb_lock(void)
{
	return dma_plat_irq_save();
}

/* The clock the map-failure messages are rate-limited by. Host tests count
 * every message, so there each one opens a window of its own. */
static uint64_t swiotlb_now_ns(void)
{
	return dma_plat_now_ns();
}

/* Let them in again if they were allowed before. */
void swiotlb_unlock(uint64_t flags)
{
	dma_plat_irq_restore(flags);
}

/* ---- questions ---- */

/* `swiotlb=force`: direct.c bounces everything (read inline, dma/internal.h). */
bool swiotlb_force_on;

/* Cheap range test first, then the search over the areas. */
bool is_swiotlb_buffer(uint64_t phys)
{
	return swiotlb.ready && phys >= swiotlb.base && phys < swiotlb.end &&
	       swiotlb_pool_contains(&swiotlb.pool, phys);
}

/* Could @phys be a live bounce? With nothing mapped the search is skipped:
 * direct.c asks on every unmap and sync of a device that has bounced. */
bool swiotlb_is_live_bounce(uint64_t phys)
{
	return swiotlb.pool.mappings && is_swiotlb_buffer(phys);
}

/**
 * swiotlb_max_mapping_size - what @dev may map in one piece when it bounces.
 * @dev: the device (NULL: no min_align_mask)
 *
 * Return: 256 KiB less its min_align_mask rounded up to whole slots, as in
 * Linux: 262144 bytes without a mask, 258048 (63 pages) for NVMe's 0xfff.
 */
size_t swiotlb_max_mapping_size(const struct device *dev)
{
	return swiotlb_slots_max_size(dev ? dev->min_align_mask : 0);
}

/* Lets the DMA layer judge whether a narrow mask can bounce at all. */
unsigned long swiotlb_slots_below(uint64_t limit)
{
	return swiotlb.ready ? swiotlb_pool_slots_below(&swiotlb.pool, limit) : 0;
}

/* A snapshot of the counters, for tests and for anyone hunting a leak. */
void swiotlb_get_stats(struct swiotlb_stats *out)
{
	const struct swiotlb_pool *p = &swiotlb.pool;

	*out = (struct swiotlb_stats){
		.base = swiotlb.base, .end = swiotlb.end, .nslots = p->nslots,
		.used = p->used, .high_water = p->high_water, .mappings = p->mappings,
		.full = p->full,
	};
}

/* ---- copies ---- */

/* The device may have written the bounce copy: the CPU's view needs it. */
static bool swiotlb_dir_from_device(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* The device will read the bounce copy: it needs the CPU's latest bytes. */
static bool swiotlb_dir_to_device(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* Copy @size bytes at offset @off of mapping @m, into the slots or back out. */
static void swiotlb_copy(const struct swiotlb_mapping *m, size_t off, size_t size,
			 bool to_bounce)
{
	void *orig = swiotlb_virt(m->orig + off);
	void *tlb = swiotlb_virt(m->tlb + off);

	if (to_bounce)
		memcpy(tlb, orig, size);
	else
		memcpy(orig, tlb, size);
}

/* ---- map ---- */

/*
 * May a map failure be logged? Not with DMA_ATTR_NO_WARN (the caller has a
 * fallback), and at most DMA_RATELIMIT_BURST times per interval: a driver
 * retrying in a loop must not drown the console.
 */
static bool swiotlb_may_warn(struct device *dev, unsigned long attrs)
{
	static struct dma_ratelimit rs;

	return dma_map_may_warn(&rs, dev, attrs, swiotlb_now_ns());
}

/* Explain why no slots could be found, in terms of the request. */
static void swiotlb_map_failed(struct device *dev, const struct swiotlb_req *req, int err,
			       unsigned long attrs)
{
	const struct swiotlb_pool *p = &swiotlb.pool;
	unsigned long k = swiotlb_slots_needed(req);

	if (!swiotlb_may_warn(dev, attrs))
		return;
	if (err == -ENOSPC)
		dev_err(dev, "swiotlb: buffer full: need %lu slots for %zu bytes, %lu of %lu "
			"slots used (%lu at or below the device's limit %#llx)", k, req->size,
			p->used, p->nslots, swiotlb_pool_slots_below(p, req->limit),
			(unsigned long long)req->limit);
	else if (err == -E2BIG)
		dev_err(dev, "swiotlb: cannot bounce %zu bytes at %#llx: the largest mapping "
			"is %zu bytes with min_align_mask %#llx", req->size,
			(unsigned long long)req->orig, swiotlb_slots_max_size(req->min_align_mask),
			(unsigned long long)req->min_align_mask);
	else if (err == -ERANGE)
		dev_err(dev, "swiotlb: no slot of the pool [%#llx-%#llx] can hold %zu bytes at "
			"or below %#llx with min_align_mask %#llx and boundary mask %#llx",
			(unsigned long long)swiotlb.base, (unsigned long long)swiotlb.end - 1,
			req->size, (unsigned long long)req->limit,
			(unsigned long long)req->min_align_mask,
			(unsigned long long)req->boundary_mask);
	else if (err == -EINVAL && req->size)
		dev_err(dev, "swiotlb: alloc_align_mask %#llx is over %#llx",
			(unsigned long long)req->alloc_align_mask, SWIOTLB_ALLOC_ALIGN_MAX);
	else
		dev_err(dev, "swiotlb: cannot bounce a mapping of 0 bytes");
}

/* Check what the pool cannot: that there is one and that the original is sane. */
static bool swiotlb_map_possible(struct device *dev, uint64_t orig, size_t size,
				 unsigned long attrs)
{
	if (!swiotlb.ready) {
		if (swiotlb_may_warn(dev, attrs))
			dev_err(dev, "swiotlb: no bounce pool: cannot bounce %zu bytes at %#llx",
				size, (unsigned long long)orig);
		return false;
	}
	if (size && orig + size - 1 < orig) {
		dev_err(dev, "swiotlb: buffer at %#llx of %zu bytes wraps around",
			(unsigned long long)orig, size);
		return false;
	}
	return true;
}

/* Linux's rule: a bounce of a page or more starts on a page when nothing else is asked. */
static uint64_t swiotlb_default_align(const struct device *dev, size_t size,
				      uint64_t alloc_align_mask)
{
	if (!alloc_align_mask && !(dev && dev->min_align_mask) && size >= PAGE_SIZE)
		return PAGE_SIZE - 1;
	return alloc_align_mask;
}

/**
 * swiotlb_tbl_map_aligned - bounce [@orig, @orig + @size) for @dev (dma/internal.h).
 * Copies the original into the slots whatever @dir and @attrs say: the
 * slots hold a previous user's data otherwise. A nonzero @alloc_align_mask
 * makes the slot run start and end on a multiple of it plus one (an IOMMU
 * maps whole granules); without it, a bounce of a page or more is page
 * aligned unless the device has a min_align_mask (Linux's rule).
 * Return: the bounce copy's physical address, or DMA_MAPPING_ERROR (logged
 * unless DMA_ATTR_NO_WARN, rate-limited).
 */
uint64_t swiotlb_tbl_map_aligned(struct device *dev, uint64_t orig, size_t size,
				 uint64_t limit, uint64_t alloc_align_mask,
				 enum dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb_req req = {
		.orig = orig, .size = size, .limit = limit,
		.min_align_mask = dev ? dev->min_align_mask : 0,
		.boundary_mask = dev ? dev->seg_boundary_mask : 0,
		.alloc_align_mask = swiotlb_default_align(dev, size, alloc_align_mask),
		.owner = dev,
	};
	struct swiotlb_mapping m;
	uint64_t flags;
	int err;

	(void)dir;
	if (!swiotlb_map_possible(dev, orig, size, attrs))
		return DMA_MAPPING_ERROR;
	flags = swiotlb_lock();
	err = swiotlb_pool_alloc(&swiotlb.pool, &req, &m);
	swiotlb_unlock(flags);
	if (err) {
		swiotlb_map_failed(dev, &req, err, attrs);
		return DMA_MAPPING_ERROR;
	}
	swiotlb_copy(&m, 0, size, true);
	if (dev)
		dev->dma_skip_sync = false;   /* its unmaps and syncs now have work to do */
	return m.tlb;
}

/* The usual bounce: no alignment asked beyond Linux's default (dma/internal.h). */
uint64_t swiotlb_tbl_map(struct device *dev, uint64_t orig, size_t size,
			 uint64_t limit, enum dma_data_direction dir, unsigned long attrs)
{
	return swiotlb_tbl_map_aligned(dev, orig, size, limit, 0, dir, attrs);
}

/* ---- unmap and sync ---- */

/* Explain a refused unmap; nothing was freed. */
static void swiotlb_unmap_refused(struct device *dev, uint64_t tlb, size_t size, int err,
				  const struct swiotlb_mapping *m)
{
	if (err == -EBUSY)
		dev_err(dev, "swiotlb: unmap of %#llx (%zu bytes): the slots are mapped by %s, "
			"not this device (unmapped twice?); not unmapped", (unsigned long long)tlb,
			size, dev_name(m->owner));
	else if (err == -ERANGE)
		dev_err(dev, "swiotlb: unmap of %#llx: inside the mapping at %#llx (%zu bytes), "
			"not its start; not unmapped", (unsigned long long)tlb,
			(unsigned long long)m->tlb, m->size);
	else
		dev_err(dev, "swiotlb: unmap of %#llx (%zu bytes): %s; nothing to unmap",
			(unsigned long long)tlb, size, err == -EFAULT ?
			"not an address in the bounce pool" : "no bounce mapping there (unmapped twice?)");
}

/* @err, or -EBUSY if the mapping found (@err 0, a size or range mismatch) is
 * another device's: its slots are busy with that device. */
static int swiotlb_owned(const struct device *dev, int err, const struct swiotlb_mapping *m)
{
	if ((!err || err == -EINVAL || err == -ERANGE) && m->owner != dev)
		return -EBUSY;
	return err;
}

/* The bytes an unmap copies back: the caller's, never past the mapping (Linux's clamp). */
static size_t swiotlb_unmap_copy_size(size_t size, const struct swiotlb_mapping *m)
{
	return size < m->size ? size : m->size;
}

/* A wrong size is the driver's bug, but the slots are still the mapping's: say so, free them. */
static void swiotlb_unmap_size_mismatch(struct device *dev, uint64_t tlb, size_t size,
					const struct swiotlb_mapping *m)
{
	dev_err(dev, "swiotlb: unmap of %#llx with %zu bytes, but it was mapped with %zu bytes; "
		"copied back %zu, unmapped the %zu bytes mapped", (unsigned long long)tlb, size,
		m->size, swiotlb_unmap_copy_size(size, m), m->size);
}

/* Copy back what the device may have written (the caller's @size, clamped to the
 * mapping), then free the slots. Lock held. */
static void swiotlb_release(const struct swiotlb_mapping *m, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb_mapping freed;

	if (swiotlb_dir_from_device(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		swiotlb_copy(m, 0, swiotlb_unmap_copy_size(size, m), false);
	swiotlb_pool_free(&swiotlb.pool, m->tlb, m->size, &freed);
}

/**
 * swiotlb_tbl_unmap - end a bounce mapping (dma/internal.h): copy back for
 * FROM_DEVICE and BIDIRECTIONAL unless DMA_ATTR_SKIP_CPU_SYNC, free the
 * slots. @tlb must be what swiotlb_tbl_map() gave. A @size other than the
 * one mapped is reported; then, as in Linux, @size bytes are copied back
 * (never more than were mapped) and the recorded slots are freed: they
 * must not leak. Any other @tlb is reported and changes nothing.
 */
void swiotlb_tbl_unmap(struct device *dev, uint64_t tlb, size_t size,
		       enum dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb_mapping m;
	uint64_t flags = swiotlb_lock();
	int err = swiotlb_owned(dev, swiotlb_pool_check_free(&swiotlb.pool, tlb, size, &m), &m);

	if (!err || err == -EINVAL)
		swiotlb_release(&m, size, dir, attrs);
	swiotlb_unlock(flags);
	if (err == -EINVAL)
		swiotlb_unmap_size_mismatch(dev, tlb, size, &m);
	else if (err)
		swiotlb_unmap_refused(dev, tlb, size, err, &m);
}

/* One sync: find the mapping holding the range, copy the way @for_cpu and @dir say. */
static void swiotlb_sync(struct device *dev, uint64_t tlb, size_t size,
			 enum dma_data_direction dir, bool for_cpu)
{
	struct swiotlb_mapping m;
	uint64_t flags = swiotlb_lock();
	int err = swiotlb_owned(dev, swiotlb_pool_find(&swiotlb.pool, tlb, size, &m), &m);

	if (!err && for_cpu && swiotlb_dir_from_device(dir))
		swiotlb_copy(&m, tlb - m.tlb, size, false);
	else if (!err && !for_cpu && swiotlb_dir_to_device(dir))
		swiotlb_copy(&m, tlb - m.tlb, size, true);
	swiotlb_unlock(flags);
	if (err == -EBUSY)
		dev_err(dev, "swiotlb: sync_for_%s of %#llx (%zu bytes): the slots are mapped by "
			"%s, not this device; nothing copied", for_cpu ? "cpu" : "device",
			(unsigned long long)tlb, size, dev_name(m.owner));
	else if (err == -ERANGE)
		dev_err(dev, "swiotlb: sync_for_%s of [%#llx, +%zu) is not inside the mapping "
			"at %#llx (%zu bytes); nothing copied", for_cpu ? "cpu" : "device",
			(unsigned long long)tlb, size, (unsigned long long)m.tlb, m.size);
	else if (err)
		dev_err(dev, "swiotlb: sync_for_%s of %#llx (%zu bytes): %s; nothing copied",
			for_cpu ? "cpu" : "device", (unsigned long long)tlb, size,
			err == -EFAULT ? "not an address in the bounce pool" : "no bounce mapping there");
}

/* Hand [@tlb, @tlb + @size) of a mapping back to the CPU (dma/internal.h). */
void swiotlb_sync_for_cpu(struct device *dev, uint64_t tlb, size_t size,
			  enum dma_data_direction dir)
{
	swiotlb_sync(dev, tlb, size, dir, true);
}

/* Hand [@tlb, @tlb + @size) of a mapping to the device (dma/internal.h). */
void swiotlb_sync_for_device(struct device *dev, uint64_t tlb, size_t size,
			     enum dma_data_direction dir)
{
	swiotlb_sync(dev, tlb, size, dir, false);
}
