/*
 * debug_queries.c - what the DMA-API checker's ledger can be asked: live
 * entries per device, the leak report when a driver goes, a dump of every
 * entry (with its hash bucket), and the ledger's fill level. Tests use
 * them today, a shell query later. Each walks every bucket under the
 * ledger lock and changes nothing but the report count.
 */
#define LOG_PREFIX "DMA-API"
#include "dma/debug.h"
#include "dma/debug_internal.h"
#include "dma/platform.h"
#include "kernel/log.h"

/* ---- queries ---- */

/* Log one entry's details under its device's name; a dump (LOG_INFO) also shows
 * its bucket, to make the hash visible. */
static void log_entry(int level, const char *what, unsigned int bucket,
		      const struct dma_debug_entry *e)
{
	struct report_buf rb = { .len = 0 };
	char prefix[PREFIX_MAX];

	rb.text[0] = '\0';
	dbg_rb_printf(&rb, "%s:", what);
	if (level == LOG_INFO)
		dbg_rb_printf(&rb, " bucket %u", bucket);
	if (e->type != DMA_DEBUG_COHERENT)
		dbg_rb_printf(&rb, " [phys=0x%016llx]", (unsigned long long)e->phys);
	dbg_rb_printf(&rb, " [%s]", dbg_maperr_name(e->maperr));
	dbg_rb_entry(&rb, e);
	dbg_report_prefix(prefix, sizeof(prefix), e->dev);
	log_write(level, prefix, "%s", rb.text);
}

/* Entries of @dev (of every device if NULL); each is logged if @what is set. */
static unsigned long walk_entries(const struct device *dev, int level, const char *what)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < DMA_DEBUG_HASH_SIZE; i++) {
		for (const struct dma_debug_entry *e = dma_ledger.bucket[i]; e; e = e->next) {
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
		dbg_report(dev, NULL, NULL, "device driver leaves DMA mappings or allocations "
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
		dma_ledger.nr_free, dma_ledger.capacity, dma_ledger.min_free,
		dma_ledger.enabled ? "checking" : "off");
	n = walk_entries(dev, LOG_INFO, "live");
	pr_info("ledger: %lu live entries for %s", n, dev ? dev->name : "all devices");
	ledger_unlock(flags);
}

/* The ledger's room, for the exhaustion test and dumps. */
unsigned long dma_debug_free_entries(void)
{
	return dma_ledger.nr_free;
}

/* Entries there are, free or live: grows past DMA_DEBUG_INITIAL_ENTRIES. */
unsigned long dma_debug_capacity(void)
{
	return dma_ledger.capacity;
}

/* Its low-water mark: how close the ledger came to full. */
unsigned long dma_debug_min_free_entries(void)
{
	return dma_ledger.min_free;
}
