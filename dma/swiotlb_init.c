/*
 * swiotlb_init.c - building the bounce pool at boot, and `swiotlb=`.
 *
 * The pool is IO_TLB_DEFAULT_SIZE (64 MiB) unless `swiotlb=<size>` says
 * otherwise. The buddy allocator's largest block is
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
 * The pool's state (struct swiotlb_state) is shared with dma/swiotlb.c,
 * which maps, unmaps and syncs through it.
 */
#define LOG_PREFIX "swiotlb"
#include "dma/swiotlb.h"
#include "dma/swiotlb_slots.h"
#include "dma/swiotlb_state.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "dma/platform.h"

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
	swiotlb_force_on = false;
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
		swiotlb_force_on ? "on: every streaming mapping bounces" : "off");
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
	swiotlb_force_on = force;
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
