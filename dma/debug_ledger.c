/*
 * debug_ledger.c - the DMA-API checker's ledger: what every device may
 * reach, one entry per live mapping, and the lookups the checks use.
 *
 * Each live streaming mapping (dma_map_single/page), each mapped segment
 * of a scatterlist, each coherent or noncoherent allocation and each
 * resource mapping (dma_map_resource) is one entry: which device, what kind, the device address, the physical (or,
 * for coherent memory, the CPU) address, the size, the direction, the sg
 * counts, whether dma_mapping_error() looked at it, and the code address
 * of the driver call that made it. Entries come from a free list: first
 * a static array of DMA_DEBUG_INITIAL_ENTRIES (so boot and the common case
 * never allocate), then chunks of DMA_DEBUG_CHUNK_BYTES that the ledger
 * asks the platform for (kmalloc) whenever the list runs dry, chained so
 * dma_debug_init() can give them back. Only if a chunk cannot be had does
 * the checker say so once, naming the size it reached, and turn itself
 * off: a mapping it failed to record would later look like a stranger's
 * unmap, and the verdict contract would then keep the backend from acting.
 *
 * Live entries sit in a hash keyed by device address. A bucket holds the
 * addresses of one 8 KiB window (address >> DMA_DEBUG_HASH_SHIFT, modulo
 * the bucket count), newest entry first. Two kinds of lookup:
 *
 *   exact      unmap, free, dma_mapping_error: the entry of that device at
 *              exactly that address. Without an IOMMU the same buffer may
 *              be mapped twice and share an address, so the lookup scores
 *              each candidate (one point each for equal size, kind,
 *              direction and sg count) and takes the best: the entry the
 *              caller most plausibly means.
 *   containing sync: the entry whose range holds the synced range. A
 *              mapping starts at or below it, so the search walks the
 *              buckets back from the address's own. The first entry that
 *              holds the whole range wins; if none does, the nearest one
 *              holding the range's start is reported as overrun.
 *
 * Invariants: an entry is either on the free list or in exactly the bucket
 * of its dev_addr, never both; nr_free counts the free list and capacity
 * every entry (static plus chunks), so capacity - nr_free are live; a
 * failed map (DMA_MAPPING_ERROR) is never recorded; every check runs with interrupts
 * off, so a completion handler's unmap cannot cut into a walk.
 */
#define LOG_PREFIX "DMA-API"
#include "dma/debug.h"
#include "dma/debug_internal.h"
#include "dma/platform.h"
#include "kernel/log.h"

struct dma_debug_ledger dma_ledger = { .plat = &dma_debug_default_platform };

/* Interrupts off: a completion handler may unmap while we walk a bucket. */
uint64_t ledger_lock(void) { return dma_plat_irq_save(); }
void ledger_unlock(uint64_t flags) { dma_plat_irq_restore(flags); }

/* Tests swap in their own facts; NULL returns to the build's. */
void dma_debug_set_platform(const struct dma_debug_platform *plat)
{
	dma_ledger.plat = plat ? plat : &dma_debug_default_platform;
}

/* ---- the ledger ---- */

/* The bucket of an address: its 8 KiB window, modulo the table. */
unsigned int ledger_hash(dma_addr_t addr)
{
	return (unsigned int)(addr >> DMA_DEBUG_HASH_SHIFT) & HASH_MASK;
}

void ledger_entry_free(struct dma_debug_entry *e);

/* One more chunk of entries onto the free list; false if the platform has none. */
static bool ledger_grow(void)
{
	struct ledger_chunk *c = dma_ledger.plat->chunk_alloc(DMA_DEBUG_CHUNK_BYTES);

	if (!c)
		return false;
	c->release = dma_ledger.plat->chunk_free;
	c->nr = CHUNK_ENTRIES;
	c->next = dma_ledger.chunks;
	dma_ledger.chunks = c;
	for (unsigned int i = c->nr; i-- > 0;)
		ledger_entry_free(&c->entries[i]);
	dma_ledger.capacity += c->nr;
	return true;
}

/* Every grown chunk back to whoever gave it. */
static void ledger_shrink(void)
{
	struct ledger_chunk *c;

	while ((c = dma_ledger.chunks) != NULL) {
		dma_ledger.chunks = c->next;
		c->release(c);
	}
}

/* An entry off the free list, growing it when dry; if even that fails,
 * say so once, with the size reached, and stop checking. */
struct dma_debug_entry *ledger_entry_alloc(void)
{
	struct dma_debug_entry *e;

	if (!dma_ledger.free && !ledger_grow()) {
		dma_ledger.enabled = false;
		pr_err("all %lu ledger entries are in use and no memory for %u more: "
		       "DMA-API checking is off from now on", dma_ledger.capacity,
		       (unsigned int)CHUNK_ENTRIES);
		return NULL;
	}
	e = dma_ledger.free;
	dma_ledger.free = e->next;
	if (--dma_ledger.nr_free < dma_ledger.min_free)
		dma_ledger.min_free = dma_ledger.nr_free;
	memset(e, 0, sizeof(*e));
	return e;
}

/* Back to the free list: the front, so the next map reuses it. */
void ledger_entry_free(struct dma_debug_entry *e)
{
	e->next = dma_ledger.free;
	dma_ledger.free = e;
	dma_ledger.nr_free++;
}

/* Newest first: a map and its unmap usually nest like calls and returns. */
void ledger_insert(struct dma_debug_entry *e)
{
	unsigned int i = ledger_hash(e->dev_addr);

	e->next = dma_ledger.bucket[i];
	dma_ledger.bucket[i] = e;
}

/* Unlink from its bucket (singly linked: find the link that points at it). */
void ledger_remove(struct dma_debug_entry *e)
{
	struct dma_debug_entry **link = &dma_ledger.bucket[ledger_hash(e->dev_addr)];

	while (*link && *link != e)
		link = &(*link)->next;
	if (*link)
		*link = e->next;
}

/* dma_map_single is dma_map_page on the buffer's page: one kind, as in Linux. */
bool ledger_same_kind(enum dma_debug_type a, enum dma_debug_type b)
{
	if (a == DMA_DEBUG_PAGE)
		a = DMA_DEBUG_SINGLE;
	if (b == DMA_DEBUG_PAGE)
		b = DMA_DEBUG_SINGLE;
	return a == b;
}

/* How well entry @e matches the call described by @ref: a point per equal field. */
static int fit_level(const struct dma_debug_entry *e, const struct dma_debug_entry *ref)
{
	return (e->size == ref->size) + ledger_same_kind(e->type, ref->type) +
	       (e->dir == ref->dir) + (e->sg_call_ents == ref->sg_call_ents);
}

/* The entry of @ref's device at exactly @ref's address that fits it best,
 * among those claimed (or not) by an sg unmap in progress. */
struct dma_debug_entry *ledger_find_exact_in(const struct dma_debug_entry *ref, bool claimed)
{
	struct dma_debug_entry *e, *best = NULL;
	int best_fit = -1;

	for (e = dma_ledger.bucket[ledger_hash(ref->dev_addr)]; e; e = e->next) {
		int fit;

		if (e->dev != ref->dev || e->dev_addr != ref->dev_addr || e->claimed != claimed)
			continue;
		fit = fit_level(e, ref);
		if (fit == FIT_PERFECT)
			return e;
		if (fit > best_fit) {
			best = e;
			best_fit = fit;
		}
	}
	return best;
}

/* The live, unclaimed entry an unmap, free or mapping_error means. */
struct dma_debug_entry *ledger_find_exact(const struct dma_debug_entry *ref)
{
	return ledger_find_exact_in(ref, false);
}

/* Does @e's range hold @ref's first byte? */
static bool holds_start(const struct dma_debug_entry *e, const struct dma_debug_entry *ref)
{
	return e->dev == ref->dev && ref->dev_addr >= e->dev_addr &&
	       ref->dev_addr - e->dev_addr < e->size;
}

/* ...and all of @ref's range (given that it holds the start)? */
bool ledger_holds_all(const struct dma_debug_entry *e, const struct dma_debug_entry *ref)
{
	return ref->size <= e->size - (ref->dev_addr - e->dev_addr);
}

/* Best entry of bucket @idx holding @ref's start; whole containment first. */
static struct dma_debug_entry *bucket_find_containing(unsigned int idx,
						      const struct dma_debug_entry *ref)
{
	struct dma_debug_entry *e, *best = NULL;
	int best_fit = -1;

	for (e = dma_ledger.bucket[idx]; e; e = e->next) {
		int fit;

		if (!holds_start(e, ref))
			continue;
		fit = fit_level(e, ref) + (ledger_holds_all(e, ref) ? FIT_HOLDS_ALL : 0);
		if (fit > best_fit) {
			best = e;
			best_fit = fit;
		}
	}
	return best;
}

/*
 * The mapping a sync means: one that holds @ref's whole range, else the
 * nearest that holds its start (for the "beyond the end" report). Without
 * an IOMMU a small mapping may sit inside a large one, so a bucket holding
 * only a partial match does not end the walk: a mapping further back may
 * hold it all, as Linux's containing lookup requires.
 */
struct dma_debug_entry *ledger_find_containing(const struct dma_debug_entry *ref)
{
	uint64_t window = ref->dev_addr >> DMA_DEBUG_HASH_SHIFT;
	uint64_t steps = window < DMA_DEBUG_HASH_SIZE ? window + 1 : DMA_DEBUG_HASH_SIZE;
	struct dma_debug_entry *partial = NULL;

	for (uint64_t i = 0; i < steps; i++) {
		struct dma_debug_entry *e =
			bucket_find_containing((unsigned int)(window - i) & HASH_MASK, ref);
		if (e && ledger_holds_all(e, ref))
			return e;
		if (e && !partial)
			partial = e;
	}
	return partial;
}

/* Off the ledger for good. */
void ledger_retire(struct dma_debug_entry *e)
{
	ledger_remove(e);
	ledger_entry_free(e);
}

/**
 * dma_debug_init - start (or restart) the checker with an empty ledger.
 * @enable: check every call from now on (`dma_debug=on`)
 *
 * Forgets every entry and report. The kernel calls it once at boot, before
 * any driver maps memory; host tests call it before each scenario.
 */
void dma_debug_init(bool enable)
{
	uint64_t flags = ledger_lock();

	memset(dma_ledger.bucket, 0, sizeof(dma_ledger.bucket));
	ledger_shrink();
	dma_ledger.free = NULL;
	dma_ledger.nr_free = 0;
	for (unsigned int i = DMA_DEBUG_INITIAL_ENTRIES; i-- > 0;)
		ledger_entry_free(&dma_ledger.slots[i]);   /* slot 0 ends up first */
	dma_ledger.capacity = DMA_DEBUG_INITIAL_ENTRIES;
	dma_ledger.min_free = dma_ledger.nr_free;
	dma_ledger.errors = 0;
	dma_ledger.last_report[0] = '\0';
	dma_ledger.enabled = enable;
	dma_debug_on = enable;
	ledger_unlock(flags);
	if (enable)
		pr_info("checking every DMA API call; ledger of %u entries, growing by %u",
			DMA_DEBUG_INITIAL_ENTRIES, (unsigned int)CHUNK_ENTRIES);
}

bool dma_debug_on;

/* Whether the hooks check anything (pools add their own checks then). */
bool dma_debug_enabled(void)
{
	return dma_ledger.enabled;
}
