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
 * Where the pool lives. The pool is IO_TLB_DEFAULT_SIZE (64 MiB) unless
 * `swiotlb=<size>` says otherwise. The buddy allocator's largest block is
 * 4 MiB (MAX_ORDER), so the pool is a set of *areas*, each one block of
 * ZONE_DMA32, usually 4 MiB (smaller blocks only if memory is fragmented).
 * Areas need not touch: a mapping never spans two of them, and at most
 * 256 KiB it fits in any area. The first SWIOTLB_LOW_SHARE bytes are taken
 * as low as possible (a ladder of limits: 16 MiB, 32 MiB, ... 4 GiB), so
 * that devices with narrow masks find slots; the rest where the page
 * allocator naturally gives ZONE_DMA32 blocks (high), so that a big pool
 * does not eat the low memory those same devices need for coherent
 * buffers. Mappings, in turn, take the highest area that can serve them,
 * so that low slots stay free for the devices that need them.
 *
 * The slot allocator (dma/swiotlb_slots.c, pure and host-tested). Each
 * slot has 16 bytes of metadata, struct swiotlb_slot:
 *
 *   free slot    free_run = how many free slots start here, counting up
 *                to the next used slot or the area's end, capped at
 *                IO_TLB_SEGSIZE (128). A mapping of k <= 128 slots fits
 *                at i exactly when free_run[i] >= k: one comparison.
 *   used slot    free_run = 0; head_dist = distance back to the first
 *                slot of its mapping, the head, which also records the
 *                original's address, the size mapped and the pad (bytes
 *                from the head slot's start to the bounce address).
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
 * mapping, so nothing would point at them any more.
 *
 * Interrupt handlers may unmap (a completion path), so every change to
 * the pool runs with interrupts off. The copies go through the direct map
 * (phys_to_virt); host builds (KTEST_HOST) go through the memory
 * manager's window instead, which is backed by ordinary host memory.
 */
#define LOG_PREFIX "swiotlb"
#include "dma/ratelimit.h"
#include "dma/swiotlb.h"
#include "dma/swiotlb_slots.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#ifdef KTEST_HOST
#include <string.h>
#include "kernel/mm/page_alloc_internal.h"
#else
#include "kernel/mm/layout.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#endif

#define SWIOTLB_AREA_MAX_ORDER  MAX_ORDER   /* 4 MiB: the buddy's largest block */
#define SWIOTLB_AREA_MIN_ORDER  6           /* 256 KiB: the largest mapping */
#define SWIOTLB_LOW_FIRST       (16ULL << 20)   /* first placement limit tried */
#define SWIOTLB_LOW_SHARE       (16ULL << 20)   /* placed as low as possible: 64 of
                                                   the largest mappings for narrow masks */
#define SWIOTLB_FOUR_GIB        (DMA32_LIMIT + 1)
#define SWIOTLB_DMA32_SHARE     2           /* take at most 1/2 of free ZONE_DMA32 */
#define SWIOTLB_MIB_SHIFT       20
#define SWIOTLB_KIB_SHIFT       10
#define SWIOTLB_FORCE_WORD      "force"

_Static_assert((PAGE_SIZE << SWIOTLB_AREA_MIN_ORDER) == SWIOTLB_MIN_SIZE,
	       "the smallest area holds exactly one largest mapping");

/* Everything the bounce pool knows. */
static struct {
	struct swiotlb_pool pool;     /* the slot allocator over areas[] */
	struct swiotlb_area *areas;   /* kmalloc'd; pool.nareas of them in use */
	unsigned int max_areas;       /* capacity of areas[] */
	uint64_t base, end;           /* lowest area's start, highest area's end */
	bool force;                   /* swiotlb=force: every streaming mapping bounces */
	bool ready;                   /* swiotlb_init() succeeded */
} swiotlb;

/* ---- seams: memory and interrupts ---- */

/* Where the CPU reaches physical address @phys. */
static void *swiotlb_virt(uint64_t phys)
{
#ifdef KTEST_HOST
	return mm_phys_to_virt(phys);
#else
	return phys_to_virt(phys);
#endif
}

/* Keep interrupt handlers (which may unmap) out while the pool changes. */
static uint64_t swiotlb_lock(void)
{
#ifdef KTEST_HOST
	return 0;
#else
	uint64_t flags = read_rflags();

	irq_disable();
	return flags;
#endif
}

/* The clock the map-failure messages are rate-limited by. Host tests count
 * every message, so there each one opens a window of its own. */
static uint64_t swiotlb_now_ns(void)
{
#ifdef KTEST_HOST
	static uint64_t fake_ns;

	return fake_ns += DMA_RATELIMIT_INTERVAL_NS;
#else
	return time_ns();
#endif
}

/* Let them in again if they were allowed before. */
static void swiotlb_unlock(uint64_t flags)
{
#ifdef KTEST_HOST
	(void)flags;
#else
	if (flags & X86_RFLAGS_IF)
		irq_enable();
#endif
}

/* ---- the command line ---- */

/* Does [@s, @end) spell exactly @word? */
static bool swiotlb_word_is(const char *s, const char *end, const char *word)
{
	while (s < end && *word && *s == *word)
		s++, word++;
	return s == end && !*word;
}

/**
 * swiotlb_parse_cmdline - read the value of `swiotlb=`: "force", "<size>"
 * or "<size>,force" (see dma/swiotlb.h).
 * Return: 0, -EINVAL (malformed) or -ERANGE (size out of bounds).
 */
int swiotlb_parse_cmdline(const char *value, uint64_t *size, bool *force)
{
	const char *comma, *end;
	uint64_t v;
	int err;

	if (!value)
		return -EINVAL;
	for (end = value; *end; end++)
		;
	for (comma = value; comma < end && *comma != ','; comma++)
		;
	if (comma == end && swiotlb_word_is(value, end, SWIOTLB_FORCE_WORD)) {
		*force = true;
		return 0;
	}
	if (comma < end && !swiotlb_word_is(comma + 1, end, SWIOTLB_FORCE_WORD))
		return -EINVAL;
	err = cmdline_parse_size(value, (size_t)(comma - value), &v);
	if (err)
		return err;
	if (v < SWIOTLB_MIN_SIZE || v > SWIOTLB_MAX_SIZE)
		return -ERANGE;
	*size = v;
	*force = comma < end;
	return 0;
}

/* ---- building the pool ---- */

/* How much to take: rounded to whole 256 KiB, at most half of what ZONE_DMA32 has free. */
static uint64_t swiotlb_pick_size(uint64_t size)
{
	struct zone_stats dma;
	uint64_t spare;

	if (!size)
		size = IO_TLB_DEFAULT_SIZE;
	if (size > SWIOTLB_MAX_SIZE)
		size = SWIOTLB_MAX_SIZE;
	size = (size + SWIOTLB_MIN_SIZE - 1) / SWIOTLB_MIN_SIZE * SWIOTLB_MIN_SIZE;
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	spare = (dma.free_pages << PAGE_SHIFT) / SWIOTLB_DMA32_SHARE;
	spare -= spare % SWIOTLB_MIN_SIZE;
	if (size > spare) {
		pr_warn("%llu KiB asked for, but ZONE_DMA32 has %llu KiB free: taking %llu KiB",
			(unsigned long long)(size >> SWIOTLB_KIB_SHIFT),
			(unsigned long long)(dma.free_pages << PAGE_SHIFT >> SWIOTLB_KIB_SHIFT),
			(unsigned long long)(spare >> SWIOTLB_KIB_SHIFT));
		size = spare;
	}
	return size;
}

/* The largest area order whose block fits in @bytes (a multiple of 256 KiB). */
static unsigned int swiotlb_area_order(uint64_t bytes)
{
	unsigned int order = SWIOTLB_AREA_MIN_ORDER;

	while (order < SWIOTLB_AREA_MAX_ORDER && (PAGE_SIZE << (order + 1)) <= bytes)
		order++;
	return order;
}

/* A block of 2^@order pages below 4 GiB: as low as a ladder of limits finds
 * one for the low share (@low), else wherever ZONE_DMA32 has one. */
static struct page *swiotlb_alloc_block(unsigned int order, bool low)
{
	uint64_t limit;
	struct page *pg;

	if (!low)
		return alloc_pages(GFP_DMA32 | __GFP_NOWARN, order);
	for (limit = SWIOTLB_LOW_FIRST; limit <= SWIOTLB_FOUR_GIB; limit <<= 1) {
		pg = alloc_pages_limit(GFP_DMA32 | __GFP_NOWARN, order, limit - 1);
		if (pg)
			return pg;
	}
	return NULL;
}

/* One more area of 2^@order pages, with its metadata; false if memory ran out. */
static bool swiotlb_add_area(unsigned int order, bool low)
{
	unsigned int nslots = (unsigned int)((PAGE_SIZE << order) >> IO_TLB_SHIFT);
	struct swiotlb_slot *slots = kmalloc(nslots * sizeof(*slots), GFP_KERNEL | __GFP_NOWARN);
	struct page *pg;

	if (!slots)
		return false;
	pg = swiotlb_alloc_block(order, low);
	if (!pg) {
		kfree(slots);
		return false;
	}
	swiotlb_area_setup(&swiotlb.areas[swiotlb.pool.nareas++], page_to_phys(pg), nslots, slots);
	return true;
}

/* Fill @want bytes with areas: 4 MiB blocks, smaller ones if those run out. */
static uint64_t swiotlb_alloc_areas(uint64_t want)
{
	unsigned int order = SWIOTLB_AREA_MAX_ORDER;
	uint64_t got = 0;

	while (got < want && swiotlb.pool.nareas < swiotlb.max_areas) {
		if (order > swiotlb_area_order(want - got))
			order = swiotlb_area_order(want - got);
		if (swiotlb_add_area(order, got < SWIOTLB_LOW_SHARE)) {
			got += PAGE_SIZE << order;
			continue;
		}
		if (order == SWIOTLB_AREA_MIN_ORDER)
			break;
		order--;
	}
	return got;
}

/* Give every area and its metadata back. */
static void swiotlb_free_areas(void)
{
	struct swiotlb_area *a;
	unsigned int i, order;

	for (i = 0; i < swiotlb.pool.nareas; i++) {
		a = &swiotlb.areas[i];
		order = (unsigned int)__builtin_ctzll(((uint64_t)a->nslots << IO_TLB_SHIFT) >>
						       PAGE_SHIFT);
		__free_pages(phys_to_page(a->base), order);
		kfree(a->slots);
	}
	kfree(swiotlb.areas);
	memset(&swiotlb, 0, sizeof(swiotlb));
}

/* Say where the pool is and how it is cut, once, at boot (the summary last). */
static void swiotlb_log_pool(uint64_t want)
{
	const struct swiotlb_pool *p = &swiotlb.pool;
	uint64_t bytes = (uint64_t)p->nslots << IO_TLB_SHIFT;
	unsigned int i;

	for (i = 0; i < p->nareas; i++)
		pr_debug("area %u: [mem %#018llx-%#018llx] %u slots", i,
			 (unsigned long long)p->areas[i].base,
			 (unsigned long long)(p->areas[i].base +
					      ((uint64_t)p->areas[i].nslots << IO_TLB_SHIFT) - 1),
			 p->areas[i].nslots);
	if (bytes < want)
		pr_warn("only %llu of the %llu KiB asked for were available",
			(unsigned long long)(bytes >> SWIOTLB_KIB_SHIFT),
			(unsigned long long)(want >> SWIOTLB_KIB_SHIFT));
	pr_info("bounce pool [mem %#018llx-%#018llx] %llu MiB%s, %u areas, %lu slots of %u bytes, "
		"largest mapping %zu KiB; force %s",
		(unsigned long long)swiotlb.base, (unsigned long long)swiotlb.end - 1,
		(unsigned long long)(bytes >> SWIOTLB_MIB_SHIFT),
		swiotlb.end - swiotlb.base == bytes ? " contiguous" : " with gaps",
		p->nareas, p->nslots, IO_TLB_SIZE, SWIOTLB_MAX_BYTES >> SWIOTLB_KIB_SHIFT,
		swiotlb.force ? "on: every streaming mapping bounces" : "off");
}

/**
 * swiotlb_init - carve the bounce pool out of ZONE_DMA32 (dma/internal.h).
 * @size: bytes; 0 means IO_TLB_DEFAULT_SIZE; rounded up to 256 KiB
 * @force: bounce every streaming mapping
 * Return: 0, -EBUSY if already done, -ENOMEM if not even 256 KiB was free.
 */
int swiotlb_init(uint64_t size, bool force)
{
	uint64_t want;

	if (swiotlb.ready) {
		pr_err("swiotlb_init called twice; keeping the pool there is");
		return -EBUSY;
	}
	want = swiotlb_pick_size(size);
	swiotlb.max_areas = (unsigned int)(want / SWIOTLB_MIN_SIZE);
	swiotlb.areas = want ? kzalloc(swiotlb.max_areas * sizeof(*swiotlb.areas), GFP_KERNEL) : NULL;
	if (!swiotlb.areas || !swiotlb_alloc_areas(want)) {
		pr_err("no memory below 4 GiB for a bounce pool; devices that cannot reach "
		       "a buffer will fail to map it%s", force ? ", and swiotlb=force is ignored" : "");
		swiotlb_free_areas();
		return -ENOMEM;
	}
	swiotlb_pool_init(&swiotlb.pool, swiotlb.areas, swiotlb.pool.nareas);
	swiotlb.base = swiotlb.areas[0].base;
	swiotlb.end = swiotlb.areas[swiotlb.pool.nareas - 1].base +
		      ((uint64_t)swiotlb.areas[swiotlb.pool.nareas - 1].nslots << IO_TLB_SHIFT);
	swiotlb.force = force;
	swiotlb.ready = true;
	swiotlb_log_pool(want);
	return 0;
}

CMDLINE_PARAM(swiotlb, "swiotlb", CMDLINE_STRING, "bounce pool: <size>, force, or <size>,force");
/* Boot's one call: `swiotlb=` read, reported if malformed, then the pool built. */
int swiotlb_init_from_cmdline(const struct cmdline *cl)
{
	const char *value = cmdline_get(cl, "swiotlb");
	uint64_t size = IO_TLB_DEFAULT_SIZE;
	bool force = false;
	int err = value ? swiotlb_parse_cmdline(value, &size, &force) : 0;

	if (err)
		pr_err("swiotlb=%s: %s; using %llu MiB without force", value,
		       err == -ERANGE ? "the size must be 256K to 1G" :
		       "expected force, <size>[K|M|G] or <size>,force",
		       (unsigned long long)(IO_TLB_DEFAULT_SIZE >> SWIOTLB_MIB_SHIFT));
	return swiotlb_init(size, force);
}

/* Host tests rebuild the pool for each fake machine; the kernel never calls this. */
void swiotlb_exit(void)
{
	uint64_t flags = swiotlb_lock();

	swiotlb_free_areas();
	swiotlb_unlock(flags);
}

/* ---- questions ---- */

/* direct.c bounces everything when this says so. */
bool swiotlb_force_bounce(void)
{
	return swiotlb.force;
}

/* Cheap range test first: direct.c asks this on every unmap and sync. */
bool is_swiotlb_buffer(uint64_t phys)
{
	return swiotlb.ready && phys >= swiotlb.base && phys < swiotlb.end &&
	       swiotlb_pool_contains(&swiotlb.pool, phys);
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
	if (err == -ERANGE)
		dev_err(dev, "swiotlb: unmap of %#llx: inside the mapping at %#llx (%zu bytes), "
			"not its start; not unmapped", (unsigned long long)tlb,
			(unsigned long long)m->tlb, m->size);
	else
		dev_err(dev, "swiotlb: unmap of %#llx (%zu bytes): %s; nothing to unmap",
			(unsigned long long)tlb, size, err == -EFAULT ?
			"not an address in the bounce pool" : "no bounce mapping there (unmapped twice?)");
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
	int err = swiotlb_pool_check_free(&swiotlb.pool, tlb, size, &m);

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
	int err = swiotlb_pool_find(&swiotlb.pool, tlb, size, &m);

	if (!err && for_cpu && swiotlb_dir_from_device(dir))
		swiotlb_copy(&m, tlb - m.tlb, size, false);
	else if (!err && !for_cpu && swiotlb_dir_to_device(dir))
		swiotlb_copy(&m, tlb - m.tlb, size, true);
	swiotlb_unlock(flags);
	if (err == -ERANGE)
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
