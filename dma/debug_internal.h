/*
 * debug_internal.h - what the DMA-API checker's files share: the ledger's
 * entry and state, its lookups (debug_ledger.c), the report builder
 * (debug_report.c) and the checks the list hooks reuse (debug_checks.c).
 * Private to dma/debug_*.c; the hooks are declared in dma/internal.h, the
 * public calls in dma/debug.h.
 */
#ifndef DMA_DEBUG_INTERNAL_H
#define DMA_DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/debug_seam.h"
#include "dma/internal.h"

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

/* Everything the checker knows; one instance, dma_ledger (debug_ledger.c). */
struct dma_debug_ledger {
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
};

extern struct dma_debug_ledger dma_ledger;

/* The one test every hook makes first; nothing else runs when checking is off. */
static inline bool dma_debug_off(void)
{
	return !dma_ledger.enabled;
}

/* ---- the ledger (debug_ledger.c); callers hold ledger_lock() ---- */
uint64_t ledger_lock(void);
void ledger_unlock(uint64_t flags);
unsigned int ledger_hash(dma_addr_t addr);
struct dma_debug_entry *ledger_entry_alloc(void);
void ledger_entry_free(struct dma_debug_entry *e);
void ledger_insert(struct dma_debug_entry *e);
void ledger_remove(struct dma_debug_entry *e);
void ledger_retire(struct dma_debug_entry *e);
bool ledger_same_kind(enum dma_debug_type a, enum dma_debug_type b);
struct dma_debug_entry *ledger_find_exact_in(const struct dma_debug_entry *ref, bool claimed);
struct dma_debug_entry *ledger_find_exact(const struct dma_debug_entry *ref);
bool ledger_holds_all(const struct dma_debug_entry *e, const struct dma_debug_entry *ref);
struct dma_debug_entry *ledger_find_containing(const struct dma_debug_entry *ref);

/* ---- reports (debug_report.c) ---- */
const char *dbg_type_name(enum dma_debug_type type);
const char *dbg_maperr_name(enum dma_debug_maperr m);
void dbg_rb_printf(struct report_buf *rb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dbg_rb_entry(struct report_buf *rb, const struct dma_debug_entry *e);
void dbg_report_prefix(char *buf, size_t size, const struct device *dev);
void dbg_report(const struct device *dev, const struct dma_debug_entry *e,
		const void *caller, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- checks the scatterlist hooks share (debug_checks.c) ---- */
void dbg_report_unknown_free(const struct dma_debug_entry *ref, const void *caller);
void dbg_check_unmap_args(const struct dma_debug_entry *ref, const struct dma_debug_entry *e,
			  const void *caller);
bool dbg_unmap_may_proceed(const struct dma_debug_entry *ref, const struct dma_debug_entry *e);
void dbg_check_maperr_settled(const struct dma_debug_entry *ref,
			      const struct dma_debug_entry *e, const void *caller);
bool dbg_check_direction(const struct device *dev, enum dma_data_direction dir,
			 const char *what, const void *caller);
void dbg_check_memory(const struct device *dev, uint64_t phys, size_t size,
		      const struct dma_debug_entry *e, const void *caller);
bool dbg_check_sync(const struct dma_debug_entry *ref, bool for_cpu, const void *caller);

#endif /* DMA_DEBUG_INTERNAL_H */
