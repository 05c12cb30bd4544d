/*
 * debug.c - the DMA-API checker: a ledger of what every device may reach,
 * and a check on every call that changes it.
 *
 * The ledger. Each live streaming mapping (dma_map_single/page), each
 * mapped segment of a scatterlist, and each coherent allocation is one
 * entry: which device, what kind, the device address, the physical (or,
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
 * every entry (static plus chunks), so capacity - nr_free are live; a failed map
 * (DMA_MAPPING_ERROR) is never recorded; every check runs with interrupts
 * off, so a completion handler's unmap cannot cut into a walk.
 *
 * Every misuse goes through one function, report(), which counts it,
 * keeps its text for tests and logs "DMA-API: <driver> <device>: ...".
 * docs/dma-debug.md lists every check. When debugging is off each hook
 * returns after one test of ledger.enabled.
 */
#define LOG_PREFIX "DMA-API"
#include <stdarg.h>
#include "dma/debug.h"
#include "dma/debug_seam.h"
#include "dma/internal.h"
#include "kernel/log.h"
#include "kernel/printf.h"
#include "dma/platform.h"

#define HASH_MASK        (DMA_DEBUG_HASH_SIZE - 1)
#define FIT_PERFECT      4                   /* size, kind, direction and nents agree */
#define FIT_HOLDS_ALL    (FIT_PERFECT + 1)   /* sync: the whole range lies inside */
#define PREFIX_MAX       80                  /* "DMA-API: <driver> <device>" */
#define LAST_REPORT_MAX  (PREFIX_MAX + 2 + DMA_DEBUG_REPORT_MAX)  /* prefix ": " text */
#define NO_DRIVER        "(no driver)"
#define NO_DEVICE        "(no device)"

/* Whether the driver owed a dma_mapping_error() call, and made it. */
enum dma_debug_maperr {
	MAPERR_NOT_APPLICABLE,   /* sg and coherent: failure has another form */
	MAPERR_NOT_CHECKED,      /* single/page, not looked at yet */
	MAPERR_CHECKED,          /* dma_mapping_error() saw this address */
};

/* One live mapping, sg segment or coherent allocation; or a free slot. */
struct dma_debug_entry {
	struct dma_debug_entry *next;  /* next in its bucket, or on the free list */
	const struct device *dev;      /* who may reach the memory */
	dma_addr_t dev_addr;           /* what the device puts on the bus */
	uint64_t phys;                 /* CPU physical address (0 for coherent) */
	const void *cpu_addr;          /* coherent: what dma_free_coherent must pass */
	size_t size;                   /* bytes mapped, or asked for (coherent) */
	enum dma_debug_type type;      /* the API that made it */
	enum dma_data_direction dir;   /* BIDIRECTIONAL for coherent memory */
	int sg_call_ents;              /* sg: nents passed to dma_map_sg, else 0 */
	int sg_mapped_ents;            /* sg: segments dma_map_sg returned, else 0 */
	enum dma_debug_maperr maperr;  /* the dma_mapping_error() duty */
	const void *caller;            /* return address into the driver's map call */
	bool claimed;                  /* taken by the sg unmap being checked */
};

/* Entries the ledger grew by: one platform allocation, chained for release. */
struct ledger_chunk {
	struct ledger_chunk *next;               /* the chunk grown before this one */
	void (*release)(void *chunk);            /* the free of the platform that gave it */
	unsigned int nr;                         /* entries in it */
	struct dma_debug_entry entries[];
};

/* Entries in one chunk of DMA_DEBUG_CHUNK_BYTES. */
#define CHUNK_ENTRIES ((DMA_DEBUG_CHUNK_BYTES - sizeof(struct ledger_chunk)) / \
		       sizeof(struct dma_debug_entry))

/* A report under construction: bounded, never overflowing. */
struct report_buf {
	char text[DMA_DEBUG_REPORT_MAX];
	size_t len;
};

static struct {
	bool enabled;                        /* the one branch hooks take when off */
	const struct dma_debug_platform *plat;  /* kernel facts (a seam for tests) */
	struct dma_debug_entry *bucket[DMA_DEBUG_HASH_SIZE];  /* live entries by address */
	struct dma_debug_entry *free;        /* unused entries */
	unsigned long nr_free;               /* length of the free list */
	unsigned long capacity;              /* entries there are: static plus grown */
	struct ledger_chunk *chunks;         /* grown chunks, newest first */
	unsigned long min_free;              /* its low-water mark since init */
	unsigned long errors;                /* misuse reports since init */
	char last_report[LAST_REPORT_MAX];   /* the newest report, for tests */
	struct dma_debug_entry slots[DMA_DEBUG_INITIAL_ENTRIES];  /* the first entries */
} ledger = { .plat = &dma_debug_default_platform };

/* ---- the facts the checks need, from the kernel or from a test ---- */

/* Interrupts off: a completion handler may unmap while we walk a bucket. */
static uint64_t ledger_lock(void) { return dma_plat_irq_save(); }
static void ledger_unlock(uint64_t flags) { dma_plat_irq_restore(flags); }

/* Tests swap in their own facts; NULL returns to the build's. */
void dma_debug_set_platform(const struct dma_debug_platform *plat)
{
	ledger.plat = plat ? plat : &dma_debug_default_platform;
}

/* ---- names for reports ---- */

/* The kind of an entry, as reports name it. */
static const char *type_name(enum dma_debug_type type)
{
	switch (type) {
	case DMA_DEBUG_SINGLE:   return "single";
	case DMA_DEBUG_PAGE:     return "page";
	case DMA_DEBUG_SG:       return "scatter-gather";
	case DMA_DEBUG_COHERENT: return "coherent";
	}
	return "unknown";
}

/* The constants' own names: what the driver wrote in its call. */
const char *dma_dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL: return "DMA_BIDIRECTIONAL";
	case DMA_TO_DEVICE:     return "DMA_TO_DEVICE";
	case DMA_FROM_DEVICE:   return "DMA_FROM_DEVICE";
	case DMA_NONE:          return "DMA_NONE";
	}
	return "an invalid direction";
}

/* The error-check state, for dumps and leak lines. */
static const char *maperr_name(enum dma_debug_maperr m)
{
	return m == MAPERR_NOT_CHECKED ? "error not checked" :
	       m == MAPERR_CHECKED ? "error checked" : "no error check due";
}

/* ---- reports ---- */

/* Append to a report, cutting (never overflowing) at its end. */
static void rb_vprintf(struct report_buf *rb, const char *fmt, va_list ap)
{
	struct strbuf sb = { rb->text, sizeof(rb->text), rb->len, false };

	strbuf_vprintf(&sb, fmt, ap);
	rb->len = sb.len;
}

static void rb_printf(struct report_buf *rb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rb_printf(struct report_buf *rb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rb_vprintf(rb, fmt, ap);
	va_end(ap);
}

/* "edu_dma_start+0x34": @ret is a return address, so the call is just before it. */
static void rb_site(struct report_buf *rb, const void *ret)
{
	uint64_t addr = (uintptr_t)ret, off = 0;
	const char *name = addr ? ledger.plat->symbolize(addr - 1, &off) : NULL;

	if (name)
		rb_printf(rb, "%s+0x%llx", name, (unsigned long long)(off + 1));
	else if (addr)
		rb_printf(rb, "0x%016llx", (unsigned long long)addr);
	else
		rb_printf(rb, "an unknown place");
}

/* What an entry is, in the bracket style of every report. */
static void rb_entry(struct report_buf *rb, const struct dma_debug_entry *e)
{
	rb_printf(rb, " [device address=0x%016llx] [size=%zu bytes]",
		  (unsigned long long)e->dev_addr, e->size);
	if (e->type == DMA_DEBUG_COHERENT)
		rb_printf(rb, " [cpu address=0x%016llx]", (unsigned long long)(uintptr_t)e->cpu_addr);
	if (e->type == DMA_DEBUG_SG)
		rb_printf(rb, " [nents=%d] [segments=%d]", e->sg_call_ents, e->sg_mapped_ents);
	rb_printf(rb, " [mapped with %s] [mapped as %s] mapped at ", dma_dir_name(e->dir),
		  type_name(e->type));
	rb_site(rb, e->caller);
}

/* "DMA-API: <driver> <device>", as Linux names the culprit. */
static void report_prefix(char *buf, size_t size, const struct device *dev)
{
	snprintf(buf, size, "DMA-API: %s %s",
		 dev && dev->driver_name ? dev->driver_name : NO_DRIVER,
		 dev ? dev->name : NO_DEVICE);
}

/* The single exit of every misuse: count it, keep it, print it. */
static void report_emit(const struct device *dev, const struct report_buf *rb)
{
	char prefix[PREFIX_MAX];

	report_prefix(prefix, sizeof(prefix), dev);
	ledger.errors++;
	snprintf(ledger.last_report, sizeof(ledger.last_report), "%s: %s", prefix, rb->text);
	log_write(LOG_ERR, prefix, "%s", rb->text);
}

/*
 * Report a misuse: the message, where the offending call came from (when
 * that is not the map call itself), then the entry it concerns and where
 * that was mapped. Caller holds the ledger lock.
 */
static void report(const struct device *dev, const struct dma_debug_entry *e,
		   const void *caller, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(const struct device *dev, const struct dma_debug_entry *e,
		   const void *caller, const char *fmt, ...)
{
	struct report_buf rb = { .len = 0 };
	va_list ap;

	rb.text[0] = '\0';
	va_start(ap, fmt);
	rb_vprintf(&rb, fmt, ap);
	va_end(ap);
	if (caller && (!e || caller != e->caller)) {
		rb_printf(&rb, " [called from ");
		rb_site(&rb, caller);
		rb_printf(&rb, "]");
	}
	if (e)
		rb_entry(&rb, e);
	report_emit(dev, &rb);
}

/**
 * dma_debug_report - report a misuse found outside the ledger (pools,
 * refused calls): counted and printed like the ledger's own.
 * @dev: the device concerned
 * @fmt: the message, printf style
 */
void dma_debug_report(const struct device *dev, const char *fmt, ...)
{
	struct report_buf rb = { .len = 0 };
	uint64_t flags;
	va_list ap;

	rb.text[0] = '\0';
	va_start(ap, fmt);
	rb_vprintf(&rb, fmt, ap);
	va_end(ap);
	flags = ledger_lock();
	report_emit(dev, &rb);
	ledger_unlock(flags);
}

/* ---- the ledger ---- */

/* The bucket of an address: its 8 KiB window, modulo the table. */
static unsigned int hash_index(dma_addr_t addr)
{
	return (unsigned int)(addr >> DMA_DEBUG_HASH_SHIFT) & HASH_MASK;
}

static void entry_free(struct dma_debug_entry *e);

/* One more chunk of entries onto the free list; false if the platform has none. */
static bool ledger_grow(void)
{
	struct ledger_chunk *c = ledger.plat->chunk_alloc(DMA_DEBUG_CHUNK_BYTES);

	if (!c)
		return false;
	c->release = ledger.plat->chunk_free;
	c->nr = CHUNK_ENTRIES;
	c->next = ledger.chunks;
	ledger.chunks = c;
	for (unsigned int i = c->nr; i-- > 0;)
		entry_free(&c->entries[i]);
	ledger.capacity += c->nr;
	return true;
}

/* Every grown chunk back to whoever gave it. */
static void ledger_shrink(void)
{
	struct ledger_chunk *c;

	while ((c = ledger.chunks) != NULL) {
		ledger.chunks = c->next;
		c->release(c);
	}
}

/* An entry off the free list, growing it when dry; if even that fails,
 * say so once, with the size reached, and stop checking. */
static struct dma_debug_entry *entry_alloc(void)
{
	struct dma_debug_entry *e;

	if (!ledger.free && !ledger_grow()) {
		ledger.enabled = false;
		pr_err("all %lu ledger entries are in use and no memory for %u more: "
		       "DMA-API checking is off from now on", ledger.capacity,
		       (unsigned int)CHUNK_ENTRIES);
		return NULL;
	}
	e = ledger.free;
	ledger.free = e->next;
	if (--ledger.nr_free < ledger.min_free)
		ledger.min_free = ledger.nr_free;
	memset(e, 0, sizeof(*e));
	return e;
}

/* Back to the free list: the front, so the next map reuses it. */
static void entry_free(struct dma_debug_entry *e)
{
	e->next = ledger.free;
	ledger.free = e;
	ledger.nr_free++;
}

/* Newest first: a map and its unmap usually nest like calls and returns. */
static void entry_insert(struct dma_debug_entry *e)
{
	unsigned int i = hash_index(e->dev_addr);

	e->next = ledger.bucket[i];
	ledger.bucket[i] = e;
}

/* Unlink from its bucket (singly linked: find the link that points at it). */
static void entry_remove(struct dma_debug_entry *e)
{
	struct dma_debug_entry **link = &ledger.bucket[hash_index(e->dev_addr)];

	while (*link && *link != e)
		link = &(*link)->next;
	if (*link)
		*link = e->next;
}

/* dma_map_single is dma_map_page on the buffer's page: one kind, as in Linux. */
static bool same_kind(enum dma_debug_type a, enum dma_debug_type b)
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
	return (e->size == ref->size) + same_kind(e->type, ref->type) +
	       (e->dir == ref->dir) + (e->sg_call_ents == ref->sg_call_ents);
}

/* The entry of @ref's device at exactly @ref's address that fits it best,
 * among those claimed (or not) by an sg unmap in progress. */
static struct dma_debug_entry *find_exact_in(const struct dma_debug_entry *ref, bool claimed)
{
	struct dma_debug_entry *e, *best = NULL;
	int best_fit = -1;

	for (e = ledger.bucket[hash_index(ref->dev_addr)]; e; e = e->next) {
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
static struct dma_debug_entry *find_exact(const struct dma_debug_entry *ref)
{
	return find_exact_in(ref, false);
}

/* Does @e's range hold @ref's first byte? */
static bool holds_start(const struct dma_debug_entry *e, const struct dma_debug_entry *ref)
{
	return e->dev == ref->dev && ref->dev_addr >= e->dev_addr &&
	       ref->dev_addr - e->dev_addr < e->size;
}

/* ...and all of @ref's range (given that it holds the start)? */
static bool holds_all(const struct dma_debug_entry *e, const struct dma_debug_entry *ref)
{
	return ref->size <= e->size - (ref->dev_addr - e->dev_addr);
}

/* Best entry of bucket @idx holding @ref's start; whole containment first. */
static struct dma_debug_entry *bucket_find_containing(unsigned int idx,
						      const struct dma_debug_entry *ref)
{
	struct dma_debug_entry *e, *best = NULL;
	int best_fit = -1;

	for (e = ledger.bucket[idx]; e; e = e->next) {
		int fit;

		if (!holds_start(e, ref))
			continue;
		fit = fit_level(e, ref) + (holds_all(e, ref) ? FIT_HOLDS_ALL : 0);
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
static struct dma_debug_entry *find_containing(const struct dma_debug_entry *ref)
{
	uint64_t window = ref->dev_addr >> DMA_DEBUG_HASH_SHIFT;
	uint64_t steps = window < DMA_DEBUG_HASH_SIZE ? window + 1 : DMA_DEBUG_HASH_SIZE;
	struct dma_debug_entry *partial = NULL;

	for (uint64_t i = 0; i < steps; i++) {
		struct dma_debug_entry *e =
			bucket_find_containing((unsigned int)(window - i) & HASH_MASK, ref);
		if (e && holds_all(e, ref))
			return e;
		if (e && !partial)
			partial = e;
	}
	return partial;
}

/* ---- checks ---- */

/* An unmap or free the ledger has no entry for. */
static void report_unknown_free(const struct dma_debug_entry *ref, const void *caller)
{
	if (ref->dev_addr == DMA_MAPPING_ERROR)
		report(ref->dev, NULL, caller,
		       "device driver tries to free an invalid DMA memory address "
		       "(DMA_MAPPING_ERROR) [freed as %s]", type_name(ref->type));
	else
		report(ref->dev, NULL, caller,
		       "device driver frees DMA memory that was never mapped (or was freed "
		       "already) [device address=0x%016llx] [size=%zu bytes] [freed as %s]",
		       (unsigned long long)ref->dev_addr, ref->size, type_name(ref->type));
}

/* Everything an unmap or free must repeat from the map, compared: one
 * report per difference. */
static void check_unmap_args(const struct dma_debug_entry *ref, const struct dma_debug_entry *e,
			     const void *caller)
{
	if (ref->size != e->size)
		report(ref->dev, e, caller, "device driver frees DMA memory with a different "
		       "size [freed size=%zu bytes]", ref->size);
	if (!same_kind(ref->type, e->type))
		report(ref->dev, e, caller, "device driver frees DMA memory with the wrong "
		       "function [freed as %s]", type_name(ref->type));
	else if (e->type == DMA_DEBUG_COHERENT && ref->cpu_addr != e->cpu_addr)
		report(ref->dev, e, caller, "device driver frees coherent memory with a "
		       "different CPU address [freed cpu address=0x%016llx]",
		       (unsigned long long)(uintptr_t)ref->cpu_addr);
	if (ref->dir != e->dir)
		report(ref->dev, e, caller, "device driver frees DMA memory with a different "
		       "direction [freed with %s]", dma_dir_name(ref->dir));
}

/*
 * May the backend undo @e for the call @ref describes? Not across the
 * coherent/streaming line (it would free pages a driver still maps, or
 * unmap a buffer as if it were an allocation), and not a coherent free
 * with another CPU address or size: the allocator would free other pages
 * (or refuse, and the pages would leak unseen).
 */
static bool unmap_may_proceed(const struct dma_debug_entry *ref, const struct dma_debug_entry *e)
{
	bool ref_coherent = ref->type == DMA_DEBUG_COHERENT;

	if (ref_coherent != (e->type == DMA_DEBUG_COHERENT))
		return false;
	return !ref_coherent || (ref->cpu_addr == e->cpu_addr && ref->size == e->size);
}

/* The mapping is going: its dma_mapping_error() duty was owed by now. */
static void check_maperr_settled(const struct dma_debug_entry *ref,
				 const struct dma_debug_entry *e, const void *caller)
{
	if (e->maperr == MAPERR_NOT_CHECKED)
		report(ref->dev, e, caller, "device driver never checked this mapping with "
		       "dma_mapping_error()");
}

/* Off the ledger for good. */
static void entry_retire(struct dma_debug_entry *e)
{
	entry_remove(e);
	entry_free(e);
}

/*
 * Match an unmap or free against the ledger and report the differences.
 * Return: true (entry retired) if the backend may undo the mapping; false
 * when no such mapping exists or undoing it would harm (the entry stays).
 */
static bool check_unmap(const struct dma_debug_entry *ref, const void *caller)
{
	struct dma_debug_entry *e = find_exact(ref);

	if (!e) {
		report_unknown_free(ref, caller);
		return false;
	}
	check_unmap_args(ref, e, caller);
	if (!unmap_may_proceed(ref, e))
		return false;
	check_maperr_settled(ref, e, caller);
	entry_retire(e);
	return true;
}

/* A call with a direction the API does not know: refused before any lookup. */
static bool check_direction(const struct device *dev, enum dma_data_direction dir,
			    const char *what, const void *caller)
{
	if (dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE)
		return true;
	report(dev, NULL, caller, "device driver calls %s with an invalid direction "
	       "[direction=%d]", what, (int)dir);
	return false;
}

/* Memory no device should be lent: a stack, kernel code, what is not RAM. */
static void check_memory(const struct device *dev, uint64_t phys, size_t size,
			 const struct dma_debug_entry *e, const void *caller)
{
	const struct dma_debug_platform *p = ledger.plat;

	if (p->on_stack(phys, size))
		report(dev, e, caller, "device driver maps memory from a kernel stack "
		       "[phys=0x%016llx] [len=%zu]", (unsigned long long)phys, size);
	if (p->in_kernel_ro(phys, size))
		report(dev, e, caller, "device driver maps kernel code or read-only data "
		       "[phys=0x%016llx] [len=%zu]", (unsigned long long)phys, size);
	if (!p->is_ram(phys, size))
		report(dev, e, caller, "device driver maps memory that is not RAM (MMIO, "
		       "firmware or a hole) [phys=0x%016llx] [len=%zu]",
		       (unsigned long long)phys, size);
}

/* A mapped segment must respect the limits its device declared. */
static void check_segment(const struct device *dev, const struct dma_debug_entry *e)
{
	unsigned int max = ledger.plat->max_seg_size(dev);
	uint64_t mask = ledger.plat->seg_boundary(dev);
	uint64_t last = e->dev_addr + e->size - 1;

	if (e->size > max)
		report(dev, e, e->caller, "device driver maps a scatterlist segment longer "
		       "than the device accepts [len=%zu] [max=%u]", e->size, max);
	if (e->size && ((e->dev_addr ^ last) & ~mask))
		report(dev, e, e->caller, "device driver maps a scatterlist segment across "
		       "the device's boundary [start=0x%016llx] [end=0x%016llx] "
		       "[boundary mask=0x%016llx]", (unsigned long long)e->dev_addr,
		       (unsigned long long)last, (unsigned long long)mask);
}

/* Direction rules of a sync; a BIDIRECTIONAL mapping may be synced any way. */
static void check_sync_direction(const struct dma_debug_entry *ref,
				 const struct dma_debug_entry *e, bool for_cpu, const void *caller)
{
	if (e->dir == DMA_BIDIRECTIONAL)
		return;
	if (ref->dir != e->dir)
		report(ref->dev, e, caller, "device driver syncs DMA memory with a different "
		       "direction [synced with %s]", dma_dir_name(ref->dir));
	if (for_cpu && e->dir == DMA_TO_DEVICE && ref->dir != DMA_TO_DEVICE)
		report(ref->dev, e, caller, "device driver syncs for the CPU memory the device "
		       "only reads [synced with %s]", dma_dir_name(ref->dir));
	if (!for_cpu && e->dir == DMA_FROM_DEVICE && ref->dir != DMA_FROM_DEVICE)
		report(ref->dev, e, caller, "device driver syncs for the device memory the "
		       "device only writes [synced with %s]", dma_dir_name(ref->dir));
}

/* A sync must fall inside one live mapping and follow its direction.
 * Return: false (the backend must not copy) if no mapping holds the range. */
static bool check_sync(const struct dma_debug_entry *ref, bool for_cpu, const void *caller)
{
	const struct dma_debug_entry *e = find_containing(ref);

	if (!e) {
		report(ref->dev, NULL, caller, "device driver syncs DMA memory that is not "
		       "mapped [device address=0x%016llx] [size=%zu bytes]",
		       (unsigned long long)ref->dev_addr, ref->size);
		return false;
	}
	if (!holds_all(e, ref)) {
		report(ref->dev, e, caller, "device driver syncs DMA memory beyond the end "
		       "of its mapping [sync offset=%llu] [sync size=%zu bytes]",
		       (unsigned long long)(ref->dev_addr - e->dev_addr), ref->size);
		return false;
	}
	check_sync_direction(ref, e, for_cpu, caller);
	return true;
}

/* ---- scatterlists ---- */

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
	const struct dma_debug_entry *e = find_exact(ref0);

	if (!e || e->type != DMA_DEBUG_SG)
		return 0;
	if (e->sg_call_ents != ref0->sg_call_ents) {
		report(ref0->dev, e, caller, "device driver %s a scatterlist with a different "
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

	if (!check_direction(dev, dir, what, caller))
		return false;
	if (nents > 0 && nents <= have)
		return true;
	report(dev, NULL, caller, "device driver calls %s with nents %d, but the list holds "
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
		e = find_exact_in(&ref, true);
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
		e = find_exact(&ref);
		if (!e || !unmap_may_proceed(&ref, e)) {
			if (e)
				check_unmap_args(&ref, e, caller);
			else
				report_unknown_free(&ref, caller);
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
		e = find_exact_in(&ref, true);
		if (!e)
			continue;   /* cannot happen: sg_claim_all claimed one per segment */
		check_unmap_args(&ref, e, caller);
		check_maperr_settled(&ref, e, caller);
		e->claimed = false;
		entry_retire(e);
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
		if (!check_sync(&ref, for_cpu, caller))
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
		check_memory(dev, ledger.plat->sg_phys(s), s->length, NULL, caller);
}

/* One ledger entry per mapped segment, each checked against the device's limits. */
static void record_sg_segments(const struct device *dev, struct scatterlist *sg,
			       int nents, int mapped, enum dma_data_direction dir,
			       const void *caller)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, mapped, i) {
		struct dma_debug_entry *e = entry_alloc();

		if (!e)
			return;
		sg_ref(e, dev, s, nents, dir);
		e->phys = ledger.plat->sg_phys(s);
		e->sg_mapped_ents = mapped;
		e->maperr = MAPERR_NOT_APPLICABLE;
		e->caller = caller;
		check_segment(dev, e);
		entry_insert(e);
	}
}

/* ---- the hooks dma/mapping.c calls ---- */

/* The one test every hook makes first; nothing else runs when checking is off. */
static inline bool dma_debug_off(void)
{
	return !ledger.enabled;
}

/* A single or page mapping was made: check the memory, record it. */
void debug_dma_map(struct device *dev, enum dma_debug_type type, const void *cpu_addr,
		   uint64_t phys, size_t size, dma_addr_t addr,
		   enum dma_data_direction dir, const void *caller)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	e = entry_alloc();
	if (e) {
		*e = (struct dma_debug_entry){
			.dev = dev, .dev_addr = addr, .phys = phys, .cpu_addr = cpu_addr,
			.size = size, .type = type, .dir = dir, .caller = caller,
			.maperr = same_kind(type, DMA_DEBUG_SINGLE) ? MAPERR_NOT_CHECKED
								  : MAPERR_NOT_APPLICABLE,
		};
		check_memory(dev, phys, size, e, caller);
		entry_insert(e);
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
	const char *what = type == DMA_DEBUG_PAGE ? "dma_unmap_page" : "dma_unmap_single";
	uint64_t flags;
	bool ok;

	if (dma_debug_off())
		return true;
	flags = ledger_lock();
	ok = check_direction(dev, dir, what, caller) && check_unmap(&ref, caller);
	ledger_unlock(flags);
	return ok;
}

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

/* Coherent memory was allocated: record it (BIDIRECTIONAL, no error check owed). */
void debug_dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t addr,
			      void *cpu_addr, const void *caller)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || !cpu_addr || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	e = entry_alloc();
	if (e) {
		*e = (struct dma_debug_entry){
			.dev = dev, .dev_addr = addr, .cpu_addr = cpu_addr, .size = size,
			.type = DMA_DEBUG_COHERENT, .dir = DMA_BIDIRECTIONAL,
			.maperr = MAPERR_NOT_APPLICABLE, .caller = caller,
		};
		entry_insert(e);
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
	ok = check_direction(dev, dir, what, caller) && check_sync(&ref, for_cpu, caller);
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

/* The driver checked a map result: settle that mapping's duty. */
void debug_dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	struct dma_debug_entry *e;
	uint64_t flags;

	if (dma_debug_off() || addr == DMA_MAPPING_ERROR)
		return;
	flags = ledger_lock();
	/* Mark one unchecked mapping at the address: each map owes one check. */
	for (e = ledger.bucket[hash_index(addr)]; e; e = e->next) {
		if (e->dev == dev && e->dev_addr == addr && e->maperr == MAPERR_NOT_CHECKED) {
			e->maperr = MAPERR_CHECKED;
			break;
		}
	}
	ledger_unlock(flags);
}

/* ---- queries ---- */

/* Log one entry's details under its device's name; a dump (LOG_INFO) also shows
 * its bucket, to make the hash visible. */
static void log_entry(int level, const char *what, unsigned int bucket,
		      const struct dma_debug_entry *e)
{
	struct report_buf rb = { .len = 0 };
	char prefix[PREFIX_MAX];

	rb.text[0] = '\0';
	rb_printf(&rb, "%s:", what);
	if (level == LOG_INFO)
		rb_printf(&rb, " bucket %u", bucket);
	if (e->type != DMA_DEBUG_COHERENT)
		rb_printf(&rb, " [phys=0x%016llx]", (unsigned long long)e->phys);
	rb_printf(&rb, " [%s]", maperr_name(e->maperr));
	rb_entry(&rb, e);
	report_prefix(prefix, sizeof(prefix), e->dev);
	log_write(level, prefix, "%s", rb.text);
}

/* Entries of @dev (of every device if NULL); each is logged if @what is set. */
static unsigned long walk_entries(const struct device *dev, int level, const char *what)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < DMA_DEBUG_HASH_SIZE; i++) {
		for (const struct dma_debug_entry *e = ledger.bucket[i]; e; e = e->next) {
			if (dev && e->dev != dev)
				continue;
			n++;
			if (what)
				log_entry(level, what, i, e);
		}
	}
	return n;
}

/**
 * dma_debug_entry_count - live mappings and allocations of @dev.
 * @dev: the device, or NULL for every device
 *
 * Return: the number of ledger entries (one per sg segment).
 */
unsigned long dma_debug_entry_count(const struct device *dev)
{
	uint64_t flags = ledger_lock();
	unsigned long n = walk_entries(dev, LOG_INFO, NULL);

	ledger_unlock(flags);
	return n;
}

/**
 * dma_debug_check_leaks - report what @dev still has mapped or allocated:
 * one counted report with the total, then one line per entry.
 * @dev: the device whose driver is going away (NULL: every device)
 *
 * Return: the number of live entries, 0 when checking is off.
 */
unsigned long dma_debug_check_leaks(struct device *dev)
{
	unsigned long n;
	uint64_t flags;

	if (dma_debug_off())
		return 0;
	flags = ledger_lock();
	n = walk_entries(dev, LOG_ERR, NULL);
	if (n) {
		report(dev, NULL, NULL, "device driver leaves DMA mappings or allocations "
		       "behind [count=%lu]", n);
		walk_entries(dev, LOG_ERR, "leaked");
	}
	ledger_unlock(flags);
	return n;
}

/**
 * dma_debug_dump - log every live entry of @dev (all devices if NULL),
 * with the ledger's fill level.
 * @dev: the device, or NULL
 */
void dma_debug_dump(const struct device *dev)
{
	uint64_t flags = ledger_lock();
	unsigned long n;

	pr_info("ledger: %lu of %lu entries free (never fewer than %lu), %s",
		ledger.nr_free, ledger.capacity, ledger.min_free,
		ledger.enabled ? "checking" : "off");
	n = walk_entries(dev, LOG_INFO, "live");
	pr_info("ledger: %lu live entries for %s", n, dev ? dev->name : "all devices");
	ledger_unlock(flags);
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

	memset(ledger.bucket, 0, sizeof(ledger.bucket));
	ledger_shrink();
	ledger.free = NULL;
	ledger.nr_free = 0;
	for (unsigned int i = DMA_DEBUG_INITIAL_ENTRIES; i-- > 0;)
		entry_free(&ledger.slots[i]);   /* slot 0 ends up first */
	ledger.capacity = DMA_DEBUG_INITIAL_ENTRIES;
	ledger.min_free = ledger.nr_free;
	ledger.errors = 0;
	ledger.last_report[0] = '\0';
	ledger.enabled = enable;
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
	return ledger.enabled;
}

/* Misuse reports since dma_debug_init(): tests compare before and after. */
unsigned long dma_debug_error_count(void)
{
	return ledger.errors;
}

/* The newest report's text, "" if none: tests check what was said. */
const char *dma_debug_last_report(void)
{
	return ledger.last_report;
}

/* The ledger's room, for the exhaustion test and dumps. */
unsigned long dma_debug_free_entries(void)
{
	return ledger.nr_free;
}

/* Entries there are, free or live: grows past DMA_DEBUG_INITIAL_ENTRIES. */
unsigned long dma_debug_capacity(void)
{
	return ledger.capacity;
}

/* Its low-water mark: how close the ledger came to full. */
unsigned long dma_debug_min_free_entries(void)
{
	return ledger.min_free;
}
