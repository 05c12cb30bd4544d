/*
 * buddy.c - binary buddy allocation of page frames within one zone.
 *
 * A zone's free memory is kept as blocks of 2^order frames, order 0 (one
 * 4 KiB page) to MAX_ORDER (1024 pages, 4 MiB). Every block is aligned to
 * its own size: a block of order k starts at a frame number that is a
 * multiple of 2^k. So each block has exactly one "buddy", the other half
 * of the block of order k + 1 that contains it, and the buddy's frame
 * number is this one's with bit k flipped:
 *
 *     order 2:  [ 0  1  2  3 ][ 4  5  6  7 ]    pfn 4 ^ 4 = 0: buddies
 *     order 1:  [ 0  1 ][ 2  3 ]                pfn 2 ^ 2 = 0: buddies
 *
 * Allocating order k takes a free block of the smallest order >= k and
 * splits it, putting the unused upper halves back on the lists of their
 * orders. Freeing a block looks at its buddy: if that is free and of the
 * same order, the two merge into one block of the next order, and the
 * question is asked again one order up.
 *
 * The state lives in struct page (page_alloc_internal.h), only in the
 * first frame of each block, its head:
 *
 *   - a free block's head is PAGE_FREE with its order, and is on the
 *     doubly linked free list of that order; the list links are frame
 *     numbers stored in struct page, so this file never reads or writes
 *     free memory itself;
 *   - an allocated block's head is PAGE_ALLOCATED with its order;
 *   - every other managed frame is PAGE_INNER; frames the zone was never
 *     given are PAGE_UNMANAGED and never merge with anything;
 *   - two free buddies of the same order never exist side by side: a free
 *     merges at once. After everything is freed, the lists hold the
 *     largest blocks the zone's layout allows, whatever happened before.
 *
 * Only heads change state, and only O(1) of them per order step, so
 * allocation and free cost O(MAX_ORDER), independent of memory size. The
 * one exception is an allocation whose limit cuts into the zone: it walks
 * the free lists for a block low enough.
 *
 * A block's PAGE_POISONED flag says it was filled with the poison pattern
 * when freed; halves inherit it on a split, and a merge keeps it only if
 * both halves had it, so a set flag always means "all of it is poisoned".
 */
#include "kernel/mm/buddy.h"

/* Frames in a block of @order. */
static uint64_t buddy_span(unsigned int order)
{
	return 1ULL << order;
}

/* Make the block at @pfn the first entry of the free list of @order. */
static void buddy_push(struct buddy_zone *z, uint64_t pfn, unsigned int order,
		       uint8_t flags)
{
	struct page *p = &z->map[pfn];
	uint32_t first = z->free_head[order];

	p->state = PAGE_FREE;
	p->order = (uint8_t)order;
	p->flags = flags;
	p->prev = PFN_NONE;
	p->next = first;
	if (first != PFN_NONE)
		z->map[first].prev = (uint32_t)pfn;
	z->free_head[order] = (uint32_t)pfn;
	z->free_blocks[order]++;
	z->free_pages += buddy_span(order);
}

/* Take the free block at @pfn off its list; the caller sets its new state. */
static void buddy_unlink(struct buddy_zone *z, uint64_t pfn)
{
	struct page *p = &z->map[pfn];

	if (p->prev != PFN_NONE)
		z->map[p->prev].next = p->next;
	else
		z->free_head[p->order] = p->next;
	if (p->next != PFN_NONE)
		z->map[p->next].prev = p->prev;
	p->next = PFN_NONE;
	p->prev = PFN_NONE;
	z->free_blocks[p->order]--;
	z->free_pages -= buddy_span(p->order);
}

/* An empty zone: every list ends at once; frames arrive through buddy_add_range(). */
void buddy_init(struct buddy_zone *z, struct page *map, uint64_t start_pfn,
		uint64_t end_pfn)
{
	unsigned int order;

	z->map = map;
	z->start_pfn = start_pfn;
	z->end_pfn = end_pfn;
	for (order = 0; order <= MAX_ORDER; order++) {
		z->free_head[order] = PFN_NONE;
		z->free_blocks[order] = 0;
	}
	z->free_pages = 0;
	z->present_pages = 0;
}

/* Is the block of @order at @pfn a free block of this zone, ready to merge? */
static bool buddy_is_free_block(const struct buddy_zone *z, uint64_t pfn,
				unsigned int order)
{
	return pfn >= z->start_pfn && pfn + buddy_span(order) <= z->end_pfn &&
	       z->map[pfn].state == PAGE_FREE && z->map[pfn].order == order;
}

/* Merge upward while the buddy is free and of the same order, then list the result. */
void buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned int order, bool poisoned)
{
	uint8_t flags = poisoned ? PAGE_POISONED : 0;
	uint64_t buddy;

	while (order < MAX_ORDER) {
		buddy = pfn ^ buddy_span(order);
		if (!buddy_is_free_block(z, buddy, order))
			break;
		buddy_unlink(z, buddy);
		flags &= z->map[buddy].flags;
		/* The higher half stops being a head; the lower one goes on. */
		z->map[pfn > buddy ? pfn : buddy].state = PAGE_INNER;
		pfn = pfn < buddy ? pfn : buddy;
		order++;
	}
	buddy_push(z, pfn, order, flags);
}

/* The largest order whose block fits at @pfn: aligned there, at most @count frames. */
static unsigned int buddy_fit_order(uint64_t pfn, uint64_t count)
{
	unsigned int order = 0;

	while (order < MAX_ORDER && pfn % buddy_span(order + 1) == 0 &&
	       buddy_span(order + 1) <= count)
		order++;
	return order;
}

/* Free the unmanaged run [@pfn, @end) in the largest aligned blocks. */
static void buddy_add_run(struct buddy_zone *z, uint64_t pfn, uint64_t end)
{
	uint64_t i;
	unsigned int order;

	for (i = pfn; i < end; i++)
		z->map[i].state = PAGE_INNER;
	z->present_pages += end - pfn;
	for (; pfn < end; pfn += buddy_span(order)) {
		order = buddy_fit_order(pfn, end - pfn);
		buddy_free(z, pfn, order, false);
	}
}

/* Frames join a zone once, whatever the caller passes twice: only unmanaged runs are added. */
void buddy_add_range(struct buddy_zone *z, uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t pfn, run;

	if (start_pfn < z->start_pfn)
		start_pfn = z->start_pfn;
	if (end_pfn > z->end_pfn)
		end_pfn = z->end_pfn;
	for (pfn = start_pfn; pfn < end_pfn; pfn = run) {
		for (run = pfn; run < end_pfn && z->map[run].state == PAGE_UNMANAGED; run++)
			;
		if (run > pfn)
			buddy_add_run(z, pfn, run);
		else
			run++;
	}
}

/*
 * Find a free block of order >= @order whose first 2^@order frames end at
 * or below @end_limit, preferring the smallest order. Without a limit
 * inside the zone every block qualifies, so each list costs one look.
 */
static bool buddy_find(const struct buddy_zone *z, unsigned int order,
		       uint64_t end_limit, uint64_t *pfn)
{
	unsigned int k;
	uint32_t p;

	for (k = order; k <= MAX_ORDER; k++) {
		for (p = z->free_head[k]; p != PFN_NONE; p = z->map[p].next) {
			if (p + buddy_span(order) <= end_limit) {
				*pfn = p;
				return true;
			}
		}
	}
	return false;
}

/* Cut the block at @pfn down to @order, freeing the upper halves as we go. */
static void buddy_split(struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	struct page *head = &z->map[pfn];
	unsigned int have = head->order;

	while (have > order) {
		have--;
		buddy_push(z, pfn + buddy_span(have), have, head->flags);
	}
	head->order = (uint8_t)order;
}

/* Find, unlink, split: the head of what is left is the caller's block. */
bool buddy_alloc(struct buddy_zone *z, unsigned int order, uint64_t end_limit,
		 uint64_t *pfn)
{
	uint64_t found;

	if (order > MAX_ORDER || !buddy_find(z, order, end_limit, &found))
		return false;
	buddy_unlink(z, found);
	buddy_split(z, found, order);
	z->map[found].state = PAGE_ALLOCATED;
	*pfn = found;
	return true;
}

/* Only an ALLOCATED head of the right order may be freed: its state says it all. */
const char *buddy_free_problem(const struct buddy_zone *z, uint64_t pfn,
			       unsigned int order)
{
	if (order > MAX_ORDER)
		return "order above MAX_ORDER";
	if (pfn % buddy_span(order))
		return "misaligned: a block starts at a multiple of its size";
	if (pfn < z->start_pfn || pfn + buddy_span(order) > z->end_pfn)
		return "block crosses the end of its zone";
	switch (z->map[pfn].state) {
	case PAGE_UNMANAGED:
		return "not a frame the allocator manages (reserved or foreign)";
	case PAGE_FREE:
		return "double free: the block is already free";
	case PAGE_INNER:
		return "not the first frame of an allocated block (double free?)";
	default:
		break;
	}
	if (z->map[pfn].order != order)
		return "wrong order: the block was allocated with another order";
	return NULL;
}
