/*
 * debug_checks.c - the DMA-API checker's hooks for single, page and
 * coherent calls, and the checks they (and the list hooks) make.
 *
 * The front door (dma/mapping.c) calls a hook after each map or
 * allocation (record it, check the memory lent) and before each unmap,
 * free or sync. A hook that returns false has reported the misuse and
 * left the ledger unchanged; the front door then must not let the backend
 * act, so a refused call changes no state. An unmap must repeat the map
 * call (size, kind, direction; a coherent free also the CPU address):
 * each difference is one report, and dbg_unmap_may_proceed() decides
 * whether undoing the mapping would harm (across the coherent/streaming
 * line, or a coherent free the allocator would get wrong). A sync must
 * fall inside one live mapping and follow its direction. When checking
 * is off each hook returns after one test of dma_ledger.enabled.
 */
#define LOG_PREFIX "DMA-API"
#include "dma/debug.h"
#include "dma/debug_internal.h"
#include "dma/platform.h"
#include "kernel/log.h"

/* ---- checks ---- */

/* An unmap or free the ledger has no entry for. */
void dbg_report_unknown_free(const struct dma_debug_entry *ref, const void *caller)
{
	if (ref->dev_addr == DMA_MAPPING_ERROR)
		dbg_report(ref->dev, NULL, caller,
		       "device driver tries to free an invalid DMA memory address "
		       "(DMA_MAPPING_ERROR) [freed as %s]", dbg_type_name(ref->type));
	else
		dbg_report(ref->dev, NULL, caller,
		       "device driver frees DMA memory that was never mapped (or was freed "
		       "already) [device address=0x%016llx] [size=%zu bytes] [freed as %s]",
		       (unsigned long long)ref->dev_addr, ref->size, dbg_type_name(ref->type));
}

/* Everything an unmap or free must repeat from the map, compared: one
 * report per difference. */
void dbg_check_unmap_args(const struct dma_debug_entry *ref, const struct dma_debug_entry *e,
			     const void *caller)
{
	if (ref->size != e->size)
		dbg_report(ref->dev, e, caller, "device driver frees DMA memory with a different "
		       "size [freed size=%zu bytes]", ref->size);
	if (!ledger_same_kind(ref->type, e->type))
		dbg_report(ref->dev, e, caller, "device driver frees DMA memory with the wrong "
		       "function [freed as %s]", dbg_type_name(ref->type));
	else if (e->type == DMA_DEBUG_COHERENT && ref->cpu_addr != e->cpu_addr)
		dbg_report(ref->dev, e, caller, "device driver frees coherent memory with a "
		       "different CPU address [freed cpu address=0x%016llx]",
		       (unsigned long long)(uintptr_t)ref->cpu_addr);
	if (ref->dir != e->dir)
		dbg_report(ref->dev, e, caller, "device driver frees DMA memory with a different "
		       "direction [freed with %s]", dma_dir_name(ref->dir));
}

/* Memory the call gives back to the page allocator, not just a mapping. */
static bool frees_pages(enum dma_debug_type type)
{
	return type == DMA_DEBUG_COHERENT || type == DMA_DEBUG_NONCOHERENT;
}

/*
 * May the backend undo @e for the call @ref describes? Not across the
 * line between allocations and mappings, nor between the two kinds of
 * allocation (it would free pages a driver still maps, or unmap a buffer
 * as if it were an allocation), and not a free of another size (or, for
 * coherent memory, CPU address): the allocator would free other pages
 * (or refuse, and the pages would leak unseen).
 */
bool dbg_unmap_may_proceed(const struct dma_debug_entry *ref, const struct dma_debug_entry *e)
{
	if (frees_pages(ref->type) != frees_pages(e->type))
		return false;
	if (!frees_pages(ref->type))
		return true;
	if (ref->type != e->type || ref->size != e->size)
		return false;
	return ref->type != DMA_DEBUG_COHERENT || ref->cpu_addr == e->cpu_addr;
}

/* The mapping is going: its dma_mapping_error() duty was owed by now. */
void dbg_check_maperr_settled(const struct dma_debug_entry *ref,
				 const struct dma_debug_entry *e, const void *caller)
{
	if (e->maperr == MAPERR_NOT_CHECKED)
		dbg_report(ref->dev, e, caller, "device driver never checked this mapping with "
		       "dma_mapping_error()");
}

/*
 * Match an unmap or free against the ledger and report the differences.
 * Return: true (entry retired) if the backend may undo the mapping; false
 * when no such mapping exists or undoing it would harm (the entry stays).
 */
static bool check_unmap(const struct dma_debug_entry *ref, const void *caller)
{
	struct dma_debug_entry *e = ledger_find_exact(ref);

	if (!e) {
		dbg_report_unknown_free(ref, caller);
		return false;
	}
	dbg_check_unmap_args(ref, e, caller);
	if (!dbg_unmap_may_proceed(ref, e))
		return false;
	dbg_check_maperr_settled(ref, e, caller);
	ledger_retire(e);
	return true;
}

/* A call with a direction the API does not know: refused before any lookup. */
bool dbg_check_direction(const struct device *dev, enum dma_data_direction dir,
			    const char *what, const void *caller)
{
	if (dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE)
		return true;
	dbg_report(dev, NULL, caller, "device driver calls %s with an invalid direction "
	       "[direction=%d]", what, (int)dir);
	return false;
}

/* Memory no device should be lent: a stack, kernel code, what is not RAM. */
void dbg_check_memory(const struct device *dev, uint64_t phys, size_t size,
			 const struct dma_debug_entry *e, const void *caller)
{
	const struct dma_debug_platform *p = dma_ledger.plat;

	if (p->on_stack(phys, size))
		dbg_report(dev, e, caller, "device driver maps memory from a kernel stack "
		       "[phys=0x%016llx] [len=%zu]", (unsigned long long)phys, size);
	if (p->in_kernel_ro(phys, size))
		dbg_report(dev, e, caller, "device driver maps kernel code or read-only data "
		       "[phys=0x%016llx] [len=%zu]", (unsigned long long)phys, size);
	if (!p->is_ram(phys, size))
		dbg_report(dev, e, caller, "device driver maps memory that is not RAM (MMIO, "
		       "firmware or a hole) [phys=0x%016llx] [len=%zu]",
		       (unsigned long long)phys, size);
}

/* Direction rules of a sync; a BIDIRECTIONAL mapping may be synced any way. */
static void check_sync_direction(const struct dma_debug_entry *ref,
				 const struct dma_debug_entry *e, bool for_cpu, const void *caller)
{
	if (e->dir == DMA_BIDIRECTIONAL)
		return;
	if (ref->dir != e->dir)
		dbg_report(ref->dev, e, caller, "device driver syncs DMA memory with a different "
		       "direction [synced with %s]", dma_dir_name(ref->dir));
	if (for_cpu && e->dir == DMA_TO_DEVICE && ref->dir != DMA_TO_DEVICE)
		dbg_report(ref->dev, e, caller, "device driver syncs for the CPU memory the device "
		       "only reads [synced with %s]", dma_dir_name(ref->dir));
	if (!for_cpu && e->dir == DMA_FROM_DEVICE && ref->dir != DMA_FROM_DEVICE)
		dbg_report(ref->dev, e, caller, "device driver syncs for the device memory the "
		       "device only writes [synced with %s]", dma_dir_name(ref->dir));
}

/* A sync must fall inside one live mapping and follow its direction.
 * Return: false (the backend must not copy) if no mapping holds the range. */
bool dbg_check_sync(const struct dma_debug_entry *ref, bool for_cpu, const void *caller)
{
	const struct dma_debug_entry *e = ledger_find_containing(ref);

	if (!e) {
		dbg_report(ref->dev, NULL, caller, "device driver syncs DMA memory that is not "
		       "mapped [device address=0x%016llx] [size=%zu bytes]",
		       (unsigned long long)ref->dev_addr, ref->size);
		return false;
	}
	if (!ledger_holds_all(e, ref)) {
		dbg_report(ref->dev, e, caller, "device driver syncs DMA memory beyond the end "
		       "of its mapping [sync offset=%llu] [sync size=%zu bytes]",
		       (unsigned long long)(ref->dev_addr - e->dev_addr), ref->size);
		return false;
	}
	check_sync_direction(ref, e, for_cpu, caller);
	return true;
}

/* ---- the hooks dma/mapping.c calls ---- */

/* Which dma_mapping_error() duty a fresh mapping of @type carries. */
static enum dma_debug_maperr maperr_owed(enum dma_debug_type type)
{
	return ledger_same_kind(type, DMA_DEBUG_SINGLE) || type == DMA_DEBUG_RESOURCE ?
	       MAPERR_NOT_CHECKED : MAPERR_NOT_APPLICABLE;
}

/* What an unmap of @type is called, for the invalid-direction report. */
static const char *unmap_name(enum dma_debug_type type)
{
	switch (type) {
	case DMA_DEBUG_PAGE:        return "dma_unmap_page";
	case DMA_DEBUG_NONCOHERENT: return "dma_free_pages";
	case DMA_DEBUG_RESOURCE:    return "dma_unmap_resource";
	default:                    return "dma_unmap_single";
	}
}

/* A single, page, noncoherent or resource mapping was made: check the
 * memory (not a resource's: MMIO is meant), record it. */
void debug_dma_map(struct device *dev, enum dma_debug_type type, const void *cpu_addr,
		   uint64_t phys, size_t size, dma_addr_t addr,
		   enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	e = ledger_entry_alloc();
	if (e) {
		*e = (struct dma_debug_entry){
			.dev = dev, .dev_addr = addr, .phys = phys, .cpu_addr = cpu_addr,
			.size = size, .type = type, .dir = dir, .caller = caller,
			.maperr = maperr_owed(type),
		};
		if (type != DMA_DEBUG_RESOURCE)
			dbg_check_memory(dev, phys, size, e, caller);
		ledger_insert(e);
	}
	ledger_unlock(flags);
}

/*
 * A single or page mapping is about to be undone: it must match its map
 * call. Return: true if the backend may unmap (entry retired); false if
 * there is no such mapping of @dev, or the call would harm (reported,
 * ledger unchanged). True when checking is off.
 */
bool debug_dma_unmap(struct device *dev, enum dma_debug_type type, dma_addr_t addr,
		     size_t size, enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry ref = {
		.dev = dev, .dev_addr = addr, .size = size, .type = type, .dir = dir,
	};
	const char *what = unmap_name(type);
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = dbg_check_direction(dev, dir, what, caller) && check_unmap(&ref, caller);
	ledger_unlock(flags);
	return ok;
}

/* Coherent memory was allocated: record it (BIDIRECTIONAL, no error check owed). */
void debug_dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t addr,
			      void *cpu_addr, const void *caller)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || !cpu_addr || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	e = ledger_entry_alloc();
	if (e) {
		*e = (struct dma_debug_entry){
			.dev = dev, .dev_addr = addr, .cpu_addr = cpu_addr, .size = size,
			.type = DMA_DEBUG_COHERENT, .dir = DMA_BIDIRECTIONAL,
			.maperr = MAPERR_NOT_APPLICABLE, .caller = caller,
		};
		ledger_insert(e);
	}
	ledger_unlock(flags);
}

/* Coherent memory is about to be freed: size, handle and CPU address must
 * match, or the allocation stays (reported). Return: as debug_dma_unmap. */
bool debug_dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
			     dma_addr_t addr, const void *caller)
{
	struct dma_debug_entry ref = {
		.dev = dev, .dev_addr = addr, .cpu_addr = cpu_addr, .size = size,
		.type = DMA_DEBUG_COHERENT, .dir = DMA_BIDIRECTIONAL,
	};
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = check_unmap(&ref, caller);
	ledger_unlock(flags);
	return ok;
}

/* Ownership of (part of) a mapping is about to move: it must lie inside one,
 * the right way. Return: false (reported) if no mapping of @dev holds the
 * range or the direction is invalid: the backend must not copy. */
bool debug_dma_sync(struct device *dev, dma_addr_t addr, size_t size,
		    enum dma_data_direction dir, bool for_cpu, const void *caller)
{
	struct dma_debug_entry ref = {
		.dev = dev, .dev_addr = addr, .size = size, .type = DMA_DEBUG_SINGLE, .dir = dir,
	};
	const char *what = for_cpu ? "dma_sync_single_for_cpu" : "dma_sync_single_for_device";
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = dbg_check_direction(dev, dir, what, caller) && dbg_check_sync(&ref, for_cpu, caller);
	ledger_unlock(flags);
	return ok;
}

/* The driver checked a map result: settle that mapping's duty. */
void debug_dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	/* Mark one unchecked mapping at the address: each map owes one check. */
	for (e = dma_ledger.bucket[ledger_hash(addr)]; e; e = e->next) {
		if (e->dev == dev && e->dev_addr == addr && e->maperr == MAPERR_NOT_CHECKED) {
			e->maperr = MAPERR_CHECKED;
			break;
		}
	}
	ledger_unlock(flags);
}
