/*
 * swiotlb_slots.c - which bounce slots are free, and who owns the others.
 *
 * Pure bookkeeping over struct swiotlb_slot arrays (dma/swiotlb_slots.h):
 * no memory is read or written but the metadata, nothing is logged. The
 * prose explaining the structure is at the top of dma/swiotlb.c; in short,
 * per area:
 *
 *   free_run[i]   for a free slot: min(SWIOTLB_RUN_CAP, number of free
 *                 slots from i to the next used slot or the area's end);
 *                 0 for a slot in use. So "can a mapping of k slots start
 *                 at i?" is one comparison, free_run[i] >= k, because no
 *                 mapping needs more than SWIOTLB_RUN_CAP slots.
 *   head_dist[i]  for a slot in use: i minus the index of its mapping's
 *                 first slot (the head), which holds orig, size and pad.
 *
 * Taking or freeing a run of slots changes free_run only in the run itself
 * and in at most SWIOTLB_RUN_CAP - 1 free slots just before it (further
 * back, the counts were already at the cap), so both are O(IO_TLB_SEGSIZE).
 */
#include "dma/swiotlb_slots.h"
#include "kernel/errno.h"

/* Candidate start slots for one request in one area: first, step, last. */
struct slot_grid {
	uint64_t first;   /* lowest index whose address keeps the aligned bits */
	uint64_t stride;  /* distance between such indices */
	uint64_t last;    /* highest index whose run still ends at or below the limit */
	bool any;         /* false if no index qualifies at all */
};

/* Bytes an area covers. */
static uint64_t area_bytes(const struct swiotlb_area *a)
{
	return (uint64_t)a->nslots << IO_TLB_SHIFT;
}

/* Physical address of slot @i of @a. */
static uint64_t slot_addr(const struct swiotlb_area *a, uint64_t i)
{
	return a->base + (i << IO_TLB_SHIFT);
}

/* The smallest 2^n - 1 covering @m: alignment masks are used in that form. */
static uint64_t mask_fill(uint64_t m)
{
	m |= m >> 1;
	m |= m >> 2;
	m |= m >> 4;
	m |= m >> 8;
	m |= m >> 16;
	m |= m >> 32;
	return m;
}

/* Does [@start, @start + @size) cross a multiple of @bmask + 1? (0: no boundary) */
static bool crosses_boundary(uint64_t start, size_t size, uint64_t bmask)
{
	return bmask && ((start ^ (start + size - 1)) & ~bmask) != 0;
}

/* The run's alignment above a slot (0: none beyond a slot). */
static uint64_t alloc_align_hi(uint64_t alloc_align_mask)
{
	return mask_fill(alloc_align_mask) & ~SWIOTLB_SLOT_MASK;
}

/* Bits inside a slot (or an aligned run's unit) are kept by starting the copy this far in. */
unsigned int swiotlb_align_pad(uint64_t orig, uint64_t min_align_mask, uint64_t alloc_align_mask)
{
	return (unsigned int)(orig & mask_fill(min_align_mask) &
			      (alloc_align_hi(alloc_align_mask) | SWIOTLB_SLOT_MASK));
}

/* The pad plus the bytes, in whole slots, rounded up to whole alignment units. */
unsigned long swiotlb_slots_needed(const struct swiotlb_req *req)
{
	uint64_t unit = alloc_align_hi(req->alloc_align_mask) | SWIOTLB_SLOT_MASK;
	uint64_t bytes = (uint64_t)swiotlb_align_pad(req->orig, req->min_align_mask,
						     req->alloc_align_mask) + req->size;

	if (bytes < req->size || bytes + unit < bytes)   /* wrapped: far too big anyway */
		return ~0UL;
	return (unsigned long)(((bytes + unit) & ~unit) >> IO_TLB_SHIFT);
}

/* Slots the copy itself covers, without the alignment tail. */
static unsigned int data_nslots(uint64_t pad, uint64_t size)
{
	return (unsigned int)((pad + size + SWIOTLB_SLOT_MASK) >> IO_TLB_SHIFT);
}

/*
 * Linux's rule: 256 KiB less the mask rounded up to whole slots. The result
 * is a whole number of the device's alignment units (NVMe: 63 controller
 * pages), and it fits whatever the original's address even in an area of
 * 128 slots, where the bits above a slot may put the first slot up to one
 * unit less one slot into the area. A mask spanning a whole mapping
 * (2^18 - 1 or more: no real device) would leave nothing, so it gets one
 * slot, with no promise.
 */
size_t swiotlb_slots_max_size(uint64_t min_align_mask)
{
	uint64_t mask = mask_fill(min_align_mask);

	if (!mask)
		return SWIOTLB_MAX_BYTES;
	if (mask >= SWIOTLB_MAX_BYTES - 1)
		return IO_TLB_SIZE;
	return SWIOTLB_MAX_BYTES - (size_t)((mask | SWIOTLB_SLOT_MASK) + 1);
}

/* Slots a recorded mapping holds, from its head's metadata. */
static unsigned int head_nslots(const struct swiotlb_slot *head)
{
	return data_nslots(head->pad, head->size) + head->tail;
}

/* The capped count a free slot gets when @after free slots follow it. */
static uint8_t run_after(unsigned int after)
{
	return (uint8_t)(after + 1 < SWIOTLB_RUN_CAP ? after + 1 : SWIOTLB_RUN_CAP);
}

/* All free: each slot's run reaches the area's end, capped. */
void swiotlb_area_setup(struct swiotlb_area *area, uint64_t base, unsigned int nslots,
			struct swiotlb_slot *slots)
{
	unsigned int i;

	area->base = base;
	area->nslots = nslots;
	area->used = 0;
	area->slots = slots;
	for (i = nslots; i-- > 0;)
		slots[i] = (struct swiotlb_slot){ .free_run = run_after(nslots - 1 - i) };
}

/* Insertion sort by base: a pool has a few hundred areas at most, once. */
static void sort_areas(struct swiotlb_area *areas, unsigned int n)
{
	unsigned int i, j;
	struct swiotlb_area key;

	for (i = 1; i < n; i++) {
		key = areas[i];
		for (j = i; j > 0 && areas[j - 1].base > key.base; j--)
			areas[j] = areas[j - 1];
		areas[j] = key;
	}
}

/* Sorted areas make address lookups a binary search. */
void swiotlb_pool_init(struct swiotlb_pool *pool, struct swiotlb_area *areas,
		       unsigned int nareas)
{
	unsigned int i;

	*pool = (struct swiotlb_pool){ .areas = areas, .nareas = nareas };
	sort_areas(areas, nareas);
	for (i = 0; i < nareas; i++)
		pool->nslots += areas[i].nslots;
}

/* ---- finding slots ---- */

/*
 * The candidate starts of a run of @k slots for @req in @a. Aligned bits
 * are the min_align_mask's bits above a slot: a start must share them with
 * the original, except those under alloc_align_mask, which must be 0 (the
 * pad keeps those). Both happen once every (the wider mask + 1) bytes.
 */
static struct slot_grid area_grid(const struct swiotlb_area *a, const struct swiotlb_req *req,
				  unsigned long k)
{
	uint64_t al = alloc_align_hi(req->alloc_align_mask);
	uint64_t hi = mask_fill(req->min_align_mask) & ~SWIOTLB_SLOT_MASK;
	uint64_t target = req->orig & hi & ~al, grid = hi | al;
	struct slot_grid g = { .first = ((target - a->base) & grid) >> IO_TLB_SHIFT,
			       .stride = (grid >> IO_TLB_SHIFT) + 1 };
	uint64_t room;

	if (k > a->nslots || req->limit < a->base)
		return g;
	room = req->limit - a->base;   /* bytes up to the limit, less one */
	if (room >= area_bytes(a) - 1)
		g.last = a->nslots - k;
	else if (((room + 1) >> IO_TLB_SHIFT) >= k)
		g.last = ((room + 1) >> IO_TLB_SHIFT) - k;
	else
		return g;
	g.any = g.first <= g.last;
	return g;
}

/* The first index at or after @to on the grid that starts at @from. */
static uint64_t grid_next(const struct slot_grid *g, uint64_t from, uint64_t to)
{
	uint64_t steps = (to - from + g->stride - 1) / g->stride;

	return from + (steps ? steps : 1) * g->stride;
}

/* Past what surely cannot start a run of @k at @i: the free run, or the mapping there. */
static uint64_t skip_from(const struct swiotlb_area *a, uint64_t i)
{
	const struct swiotlb_slot *s = &a->slots[i];
	uint64_t head;

	if (s->free_run)
		return i + s->free_run + 1;   /* the slot after the run is in use */
	head = i - s->head_dist;
	return head + head_nslots(&a->slots[head]);
}

/*
 * First start index in @a for @req, or -1. With @any, occupancy is
 * ignored: the question is then "could this area ever serve @req?".
 */
static long area_find(const struct swiotlb_area *a, const struct swiotlb_req *req,
		      unsigned int pad, unsigned long k, bool any)
{
	struct slot_grid g = area_grid(a, req, k);
	uint64_t i = g.first;

	while (g.any && i <= g.last) {
		if (crosses_boundary(slot_addr(a, i) + pad, req->size, req->boundary_mask)) {
			i += g.stride;
			continue;
		}
		if (any || a->slots[i].free_run >= k)
			return (long)i;
		i = grid_next(&g, i, skip_from(a, i));
	}
	return -1;
}

/* ---- taking and giving back ---- */

/* Free slots before @start now run into @start's state: recount them. */
static void recount_before(struct swiotlb_area *a, unsigned int start, unsigned int after)
{
	unsigned int j = start;
	uint8_t run;

	while (j-- > 0 && a->slots[j].free_run) {
		run = run_after(after + (start - 1 - j));
		if (a->slots[j].free_run == run)
			break;   /* from here back, nothing changes */
		a->slots[j].free_run = run;
	}
}

/* Mark [@start, @start + @k) as the mapping @req, @pad bytes into the first slot. */
static void area_claim(struct swiotlb_area *a, unsigned int start, unsigned int k,
		       const struct swiotlb_req *req, unsigned int pad)
{
	unsigned int i;

	for (i = 0; i < k; i++)
		a->slots[start + i] = (struct swiotlb_slot){ .head_dist = (uint8_t)i };
	a->slots[start].orig = req->orig;
	a->slots[start].size = (uint32_t)req->size;
	a->slots[start].pad = (uint16_t)pad;
	a->slots[start].tail = (uint8_t)(k - data_nslots(pad, req->size));
	a->used += k;
	recount_before(a, start, 0);
}

/* Make [@start, @start + @k) free again, merging with free neighbours. */
static void area_release(struct swiotlb_area *a, unsigned int start, unsigned int k)
{
	unsigned int end = start + k, i = end;
	unsigned int after = end < a->nslots ? a->slots[end].free_run : 0;

	while (i-- > start) {
		a->slots[i] = (struct swiotlb_slot){ .free_run = run_after(after) };
		after = a->slots[i].free_run;
	}
	a->used -= k;
	recount_before(a, start, after);
}

/* Describe the mapping whose head is slot @head of @a. */
static void describe(const struct swiotlb_area *a, unsigned int head, struct swiotlb_mapping *m)
{
	const struct swiotlb_slot *h = &a->slots[head];

	m->orig = h->orig;
	m->size = h->size;
	m->nslots = head_nslots(h);
	m->slot_base = slot_addr(a, head);
	m->tlb = m->slot_base + h->pad;
}

/* Is there a slot anywhere that @req could ever use? Decides -ERANGE from -ENOSPC. */
static bool pool_reachable(const struct swiotlb_pool *pool, const struct swiotlb_req *req,
			   unsigned int pad, unsigned long k)
{
	unsigned int i;

	for (i = 0; i < pool->nareas; i++)
		if (area_find(&pool->areas[i], req, pad, k, true) >= 0)
			return true;
	return false;
}

/* Highest area first, first fit inside it; -ERANGE only if even an empty pool could not. */
int swiotlb_pool_alloc(struct swiotlb_pool *pool, const struct swiotlb_req *req,
		       struct swiotlb_mapping *out)
{
	unsigned int pad = swiotlb_align_pad(req->orig, req->min_align_mask,
					     req->alloc_align_mask), i;
	unsigned long k = swiotlb_slots_needed(req);
	long start;

	if (!req->size || req->alloc_align_mask > SWIOTLB_ALLOC_ALIGN_MAX)
		return -EINVAL;
	if (k > IO_TLB_SEGSIZE)
		return -E2BIG;
	for (i = pool->nareas; i-- > 0;) {   /* highest first: low slots stay for narrow devices */
		start = area_find(&pool->areas[i], req, pad, k, false);
		if (start < 0)
			continue;
		area_claim(&pool->areas[i], (unsigned int)start, (unsigned int)k, req, pad);
		pool->used += k;
		pool->mappings++;
		if (pool->used > pool->high_water)
			pool->high_water = pool->used;
		describe(&pool->areas[i], (unsigned int)start, out);
		return 0;
	}
	if (!pool_reachable(pool, req, pad, k))
		return -ERANGE;
	pool->full++;
	return -ENOSPC;
}

/* ---- looking mappings up ---- */

/* Index of the area holding @phys, or -1 (binary search: areas are sorted). */
static long pool_area_of(const struct swiotlb_pool *pool, uint64_t phys)
{
	unsigned int lo = 0, hi = pool->nareas, mid;
	const struct swiotlb_area *a;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		a = &pool->areas[mid];
		if (phys < a->base)
			hi = mid;
		else if (phys - a->base >= area_bytes(a))
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* The mapping whose slots hold @tlb: its area and head, or -EFAULT / -ENOENT. */
static int pool_locate(const struct swiotlb_pool *pool, uint64_t tlb, unsigned int *area,
		       unsigned int *head, struct swiotlb_mapping *m)
{
	long ai = pool_area_of(pool, tlb);
	const struct swiotlb_area *a;
	unsigned int slot;

	if (ai < 0)
		return -EFAULT;
	a = &pool->areas[ai];
	slot = (unsigned int)((tlb - a->base) >> IO_TLB_SHIFT);
	if (a->slots[slot].free_run)
		return -ENOENT;
	*area = (unsigned int)ai;
	*head = slot - a->slots[slot].head_dist;
	describe(a, *head, m);
	return 0;
}

/* For syncs: the range must lie inside the mapping its first byte belongs to. */
int swiotlb_pool_find(const struct swiotlb_pool *pool, uint64_t tlb, size_t size,
		      struct swiotlb_mapping *out)
{
	unsigned int area, head;
	int err = pool_locate(pool, tlb, &area, &head, out);

	if (err)
		return err;
	if (tlb < out->tlb || tlb - out->tlb > out->size || size > out->size - (tlb - out->tlb))
		return -ERANGE;
	return 0;
}

/* The checks of swiotlb_pool_check_free(), also giving the mapping's area and head. */
static int check_free_at(const struct swiotlb_pool *pool, uint64_t tlb, size_t size,
			 unsigned int *area, unsigned int *head, struct swiotlb_mapping *out)
{
	int err = pool_locate(pool, tlb, area, head, out);

	if (err)
		return err;
	if (tlb != out->tlb)
		return -ERANGE;
	return size == out->size ? 0 : -EINVAL;
}

/* Lets the caller copy back before the slots are given up. */
int swiotlb_pool_check_free(const struct swiotlb_pool *pool, uint64_t tlb, size_t size,
			    struct swiotlb_mapping *out)
{
	unsigned int area, head;

	return check_free_at(pool, tlb, size, &area, &head, out);
}

/* Only an exact (start, size) pair frees: anything else would free someone else's slots. */
int swiotlb_pool_free(struct swiotlb_pool *pool, uint64_t tlb, size_t size,
		      struct swiotlb_mapping *out)
{
	unsigned int area, head;
	int err = check_free_at(pool, tlb, size, &area, &head, out);

	if (err)
		return err;
	area_release(&pool->areas[area], head, out->nslots);
	pool->used -= out->nslots;
	pool->mappings--;
	return 0;
}

/* Is this a bounce address at all? */
bool swiotlb_pool_contains(const struct swiotlb_pool *pool, uint64_t phys)
{
	return pool_area_of(pool, phys) >= 0;
}

/* How much of the pool a device limited to @limit can use. */
unsigned long swiotlb_pool_slots_below(const struct swiotlb_pool *pool, uint64_t limit)
{
	unsigned long n = 0;
	unsigned int i;
	const struct swiotlb_area *a;

	for (i = 0; i < pool->nareas; i++) {
		a = &pool->areas[i];
		if (limit >= a->base + area_bytes(a) - 1)
			n += a->nslots;
		else if (limit >= a->base)
			n += (unsigned long)((limit - a->base + 1) >> IO_TLB_SHIFT);
	}
	return n;
}

/* ---- consistency, for tests ---- */

/* The free-run count slot @i must have, computed from scratch. */
static unsigned int expected_run(const struct swiotlb_area *a, unsigned int i)
{
	unsigned int n = 0;

	while (i + n < a->nslots && n < SWIOTLB_RUN_CAP && a->slots[i + n].free_run)
		n++;
	return n;
}

/* Check one slot in use: its head exists and describes a mapping covering it. */
static const char *check_used_slot(const struct swiotlb_area *a, unsigned int i)
{
	const struct swiotlb_slot *s = &a->slots[i], *h;

	if (s->head_dist > i)
		return "a slot's head lies before its area";
	h = &a->slots[i - s->head_dist];
	if (h->free_run || h->head_dist)
		return "a slot's head is not the head of a mapping";
	if (!h->size || head_nslots(h) > IO_TLB_SEGSIZE)
		return "a mapping's head holds an impossible size or pad";
	if (s->head_dist >= head_nslots(h))
		return "a slot lies past the end of its mapping";
	if (s->head_dist && (s->orig || s->size || s->pad || s->tail))
		return "a slot that is not a head carries mapping data";
	return NULL;
}

/* Check one area's slots; add its used slots and heads to the totals. */
static const char *check_area(const struct swiotlb_area *a, unsigned long *used,
			      unsigned long *heads)
{
	unsigned int i, in_use = 0;
	const char *why;

	for (i = 0; i < a->nslots; i++) {
		if (a->slots[i].free_run) {
			if (a->slots[i].free_run != expected_run(a, i))
				return "a free slot's run count is wrong";
			if (a->slots[i].head_dist || a->slots[i].size || a->slots[i].orig ||
			    a->slots[i].pad || a->slots[i].tail)
				return "a free slot carries mapping data";
			continue;
		}
		why = check_used_slot(a, i);
		if (why)
			return why;
		in_use++;
		*heads += a->slots[i].head_dist == 0;
	}
	*used += in_use;
	return in_use == a->used ? NULL : "an area's used count is wrong";
}

/* Every invariant, area by area, then the pool's totals. */
const char *swiotlb_pool_check(const struct swiotlb_pool *pool)
{
	unsigned long used = 0, heads = 0, nslots = 0;
	const char *why;
	unsigned int i;

	for (i = 0; i < pool->nareas; i++) {
		if (i && pool->areas[i].base < pool->areas[i - 1].base + area_bytes(&pool->areas[i - 1]))
			return "areas overlap or are not sorted";
		why = check_area(&pool->areas[i], &used, &heads);
		if (why)
			return why;
		nslots += pool->areas[i].nslots;
	}
	if (nslots != pool->nslots || used != pool->used || heads != pool->mappings)
		return "the pool's totals disagree with its areas";
	return pool->high_water >= pool->used ? NULL : "high water is below the slots in use";
}
