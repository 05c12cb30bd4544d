/*
 * debug_sg.c - the DMA-API checker's hooks for scatterlists.
 *
 * dma_map_sg records one ledger entry per mapped segment (each carrying
 * the call's nents and the segments returned), after checking every CPU
 * piece like a single mapping and every segment against the device's
 * max_seg_size and segment boundary. An unmap or sync finds the list
 * through its first segment: nents must be the map call's (or the backend
 * would walk other entries). An unmap is validated whole before anything
 * changes: each segment's entry is claimed (so a list naming one mapping
 * twice cannot retire it twice); only if every segment has one the
 * backend may undo are they retired, otherwise every claim is released
 * and the call refused. Invariant: no entry stays claimed between calls.
 */
#define LOG_PREFIX "DMA-API"
#include "dma/debug.h"
#include "dma/debug_internal.h"
#include "dma/platform.h"
#include "kernel/log.h"

/* ---- checks ---- */

/* The ledger's view of one mapped segment of a list, as a call describes it. */
static void sg_ref(struct dma_debug_entry *ref, const struct device *dev,
		   const struct scatterlist *s, int nents, enum dma_data_direction dir)
{
	memset(ref, 0, sizeof(*ref));
	ref->dev = dev;
	ref->type = DMA_DEBUG_SG;
	ref->dev_addr = s->dma_address;
	ref->size = s->dma_length;
	ref->dir = dir;
	ref->sg_call_ents = nents;
}

/*
 * The list's mapping, found through its first segment: the segments it
 * has, 0 if the ledger knows no list there, -1 (reported) if the call's
 * nents is not the map call's: the backend would walk other entries than
 * were mapped, so the call is refused.
 */
static int sg_segments(const struct dma_debug_entry *ref0, const void *caller,
		       const char *verb, const char *label)
{
	const struct dma_debug_entry *e = ledger_find_exact(ref0);

	if (!e || e->type != DMA_DEBUG_SG)
		return 0;
	if (e->sg_call_ents != ref0->sg_call_ents) {
		dbg_report(ref0->dev, e, caller, "device driver %s a scatterlist with a different "
		       "entry count [mapped nents=%d] [%s nents=%d]", verb,
		       e->sg_call_ents, label, ref0->sg_call_ents);
		return -1;
	}
	return e->sg_mapped_ents;
}

/* @nents must be at least 1 and within the list (the backend walks that
 * many entries), the direction one the API knows. */
static bool check_sg_call(const struct device *dev, struct scatterlist *sg, int nents,
			  enum dma_data_direction dir, const char *what, const void *caller)
{
	int have = sg && nents > 0 ? sg_nents(sg) : 0;

	if (!dbg_check_direction(dev, dir, what, caller))
		return false;
	if (nents > 0 && nents <= have)
		return true;
	dbg_report(dev, NULL, caller, "device driver calls %s with nents %d, but the list holds "
	       "%d entries", what, nents, have);
	return false;
}

/* Release the claims on the entries of the first @count segments. */
static void sg_release(const struct device *dev, struct scatterlist *sg, int nents,
		       int count, enum dma_data_direction dir)
{
	struct dma_debug_entry ref, *e;
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, count, i) {
		sg_ref(&ref, dev, s, nents, dir);
		e = ledger_find_exact_in(&ref, true);
		if (e)
			e->claimed = false;
	}
}

/*
 * Claim an entry for each of the first @count segments (so a list naming
 * one mapping twice cannot retire it twice). Return: true if every
 * segment has one the backend may undo; otherwise the first that has not
 * is reported and every claim released: nothing has changed.
 */
static bool sg_claim_all(const struct device *dev, struct scatterlist *sg, int nents,
			 int count, enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry ref, *e;
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, count, i) {
		sg_ref(&ref, dev, s, nents, dir);
		e = ledger_find_exact(&ref);
		if (!e || !dbg_unmap_may_proceed(&ref, e)) {
			if (e)
				dbg_check_unmap_args(&ref, e, caller);
			else
				dbg_report_unknown_free(&ref, caller);
			sg_release(dev, sg, nents, i, dir);
			return false;
		}
		e->claimed = true;
	}
	return true;
}

/* Every claim made good: report each segment's differences, retire its entry. */
static void sg_retire_claimed(const struct device *dev, struct scatterlist *sg, int nents,
			      int count, enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry ref, *e;
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, count, i) {
		sg_ref(&ref, dev, s, nents, dir);
		e = ledger_find_exact_in(&ref, true);
		if (!e)
			continue;   /* cannot happen: sg_claim_all claimed one per segment */
		dbg_check_unmap_args(&ref, e, caller);
		dbg_check_maperr_settled(&ref, e, caller);
		e->claimed = false;
		ledger_retire(e);
	}
}

/* Unmap of a list: validated whole before any entry is retired. */
static bool sg_unmap_list(const struct device *dev, struct scatterlist *sg, int nents,
			  enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry ref0;
	int segs, count;

	sg_ref(&ref0, dev, sg, nents, dir);
	segs = sg_segments(&ref0, caller, "frees", "freed");
	if (segs < 0)
		return false;
	count = segs ? segs : nents;   /* no list recorded there: each entry on its own */
	if (!sg_claim_all(dev, sg, nents, count, dir, caller))
		return false;
	sg_retire_claimed(dev, sg, nents, count, dir, caller);
	return true;
}

/* Sync of a list: each mapped segment must lie in a mapping; the first that
 * does not is reported and refuses the whole call. */
static bool sg_sync_list(const struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir, bool for_cpu, const void *caller)
{
	struct dma_debug_entry ref;
	struct scatterlist *s;
	int segs, i;

	sg_ref(&ref, dev, sg, nents, dir);
	segs = sg_segments(&ref, caller, "syncs", "synced");
	if (segs < 0)
		return false;
	for_each_sg(sg, s, segs ? segs : nents, i) {
		if (!s->dma_length)
			continue;   /* merged away: the front door skips it too */
		sg_ref(&ref, dev, s, nents, dir);
		if (!dbg_check_sync(&ref, for_cpu, caller))
			return false;
	}
	return true;
}

/* Check every CPU piece of a list being mapped. */
static void check_sg_pieces(const struct device *dev, struct scatterlist *sg,
			    int nents, const void *caller)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, nents, i)
		dbg_check_memory(dev, dma_ledger.plat->sg_phys(s), s->length, NULL, caller);
}

/* A mapped segment must respect the limits its device declared. */
static void check_segment(const struct device *dev, const struct dma_debug_entry *e)
{
	unsigned int max = dma_ledger.plat->max_seg_size(dev);
	uint64_t mask = dma_ledger.plat->seg_boundary(dev);
	uint64_t last = e->dev_addr + e->size - 1;

	if (e->size > max)
		dbg_report(dev, e, e->caller, "device driver maps a scatterlist segment longer "
		       "than the device accepts [len=%zu] [max=%u]", e->size, max);
	if (e->size && ((e->dev_addr ^ last) & ~mask))
		dbg_report(dev, e, e->caller, "device driver maps a scatterlist segment across "
		       "the device's boundary [start=0x%016llx] [end=0x%016llx] "
		       "[boundary mask=0x%016llx]", (unsigned long long)e->dev_addr,
		       (unsigned long long)last, (unsigned long long)mask);
}

/* One ledger entry per mapped segment, each checked against the device's limits. */
static void record_sg_segments(const struct device *dev, struct scatterlist *sg,
			       int nents, int mapped, enum dma_data_direction dir,
			       const void *caller)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, mapped, i) {
		struct dma_debug_entry *e = ledger_entry_alloc();

		if (!e)
			return;
		sg_ref(e, dev, s, nents, dir);
		e->phys = dma_ledger.plat->sg_phys(s);
		e->sg_mapped_ents = mapped;
		e->maperr = MAPERR_NOT_APPLICABLE;
		e->caller = caller;
		check_segment(dev, e);
		ledger_insert(e);
	}
}

/* ---- the hooks dma/mapping.c calls ---- */

/* A list was mapped: check each CPU piece, record each mapped segment. */
void debug_dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
		      int mapped, enum dma_data_direction dir, const void *caller)
{
	uint64_t flags;

	if (dma_debug_off() || !sg || nents <= 0 || mapped <= 0)
		return;
	flags = ledger_lock();
	check_sg_pieces(dev, sg, nents, caller);
	record_sg_segments(dev, sg, nents, mapped, dir, caller);
	ledger_unlock(flags);
}

/* A list is about to be unmapped: nents within the list and the map call's,
 * every mapped segment live. Return: as debug_dma_unmap; false changes nothing. */
bool debug_dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, const void *caller)
{
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = check_sg_call(dev, sg, nents, dir, "dma_unmap_sg", caller) &&
	     sg_unmap_list(dev, sg, nents, dir, caller);
	ledger_unlock(flags);
	return ok;
}

/* The same for each mapped segment of a list, after the list's own checks. */
bool debug_dma_sync_sg(struct device *dev, struct scatterlist *sg, int nents,
		       enum dma_data_direction dir, bool for_cpu, const void *caller)
{
	const char *what = for_cpu ? "dma_sync_sg_for_cpu" : "dma_sync_sg_for_device";
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = check_sg_call(dev, sg, nents, dir, what, caller) &&
	     sg_sync_list(dev, sg, nents, dir, for_cpu, caller);
	ledger_unlock(flags);
	return ok;
}
