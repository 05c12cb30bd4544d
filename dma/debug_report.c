/*
 * debug_report.c - how the DMA-API checker reports a misuse.
 *
 * Every misuse goes through one function, dbg_report(), which counts it,
 * keeps its text for tests (dma_debug_last_report()) and logs
 * "DMA-API: <driver> <device>: <message>", then the call site, then the
 * entry it concerns in Linux's bracket style ("[device address=...]
 * [size=...] [mapped with ...] [mapped as ...] mapped at <site>"). A
 * report is built in a bounded buffer: a long one is cut, never
 * overflows. docs/dma-debug.md lists every message; tests match them.
 * Callers hold the ledger lock (dma_debug_report() takes it itself).
 */
#define LOG_PREFIX "DMA-API"
#include <stdarg.h>
#include "dma/debug.h"
#include "dma/debug_internal.h"
#include "dma/platform.h"
#include "kernel/log.h"
#include "kernel/printf.h"

/* ---- names for reports ---- */

/* The kind of an entry, as reports name it. */
const char *dbg_type_name(enum dma_debug_type type)
{
	switch (type) {
	case DMA_DEBUG_SINGLE:   return "single";
	case DMA_DEBUG_PAGE:     return "page";
	case DMA_DEBUG_SG:       return "scatter-gather";
	case DMA_DEBUG_COHERENT: return "coherent";
	case DMA_DEBUG_NONCOHERENT: return "noncoherent";
	case DMA_DEBUG_RESOURCE: return "resource";
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
const char *dbg_maperr_name(enum dma_debug_maperr m)
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

void dbg_rb_printf(struct report_buf *rb, const char *fmt, ...)
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
	const char *name = addr ? dma_ledger.plat->symbolize(addr - 1, &off) : NULL;

	if (name)
		dbg_rb_printf(rb, "%s+0x%llx", name, (unsigned long long)(off + 1));
	else if (addr)
		dbg_rb_printf(rb, "0x%016llx", (unsigned long long)addr);
	else
		dbg_rb_printf(rb, "an unknown place");
}

/* What an entry is, in the bracket style of every report. */
void dbg_rb_entry(struct report_buf *rb, const struct dma_debug_entry *e)
{
	dbg_rb_printf(rb, " [device address=0x%016llx] [size=%zu bytes]",
		  (unsigned long long)e->dev_addr, e->size);
	if (e->type == DMA_DEBUG_COHERENT)
		dbg_rb_printf(rb, " [cpu address=0x%016llx]", (unsigned long long)(uintptr_t)e->cpu_addr);
	if (e->type == DMA_DEBUG_SG)
		dbg_rb_printf(rb, " [nents=%d] [segments=%d]", e->sg_call_ents, e->sg_mapped_ents);
	dbg_rb_printf(rb, " [mapped with %s] [mapped as %s] mapped at ", dma_dir_name(e->dir),
		  dbg_type_name(e->type));
	rb_site(rb, e->caller);
}

/* "DMA-API: <driver> <device>", as Linux names the culprit. */
void dbg_report_prefix(char *buf, size_t size, const struct device *dev)
{
	snprintf(buf, size, "DMA-API: %s %s",
		 dev && dev->driver_name ? dev->driver_name : NO_DRIVER,
		 dev ? dev->name : NO_DEVICE);
}

/* The single exit of every misuse: count it, keep it, print it. */
static void report_emit(const struct device *dev, const struct report_buf *rb)
{
	char prefix[PREFIX_MAX];

	dbg_report_prefix(prefix, sizeof(prefix), dev);
	dma_ledger.errors++;
	snprintf(dma_ledger.last_report, sizeof(dma_ledger.last_report), "%s: %s", prefix, rb->text);
	log_write(LOG_ERR, prefix, "%s", rb->text);
}

/*
 * Report a misuse: the message, where the offending call came from (when
 * that is not the map call itself), then the entry it concerns and where
 * that was mapped. Caller holds the ledger lock.
 */
void dbg_report(const struct device *dev, const struct dma_debug_entry *e,
		   const void *caller, const char *fmt, ...)
{
	struct report_buf rb = { .len = 0 };
	va_list ap;

	rb.text[0] = '\0';
	va_start(ap, fmt);
	rb_vprintf(&rb, fmt, ap);
	va_end(ap);
	if (caller && (!e || caller != e->caller)) {
		dbg_rb_printf(&rb, " [called from ");
		rb_site(&rb, caller);
		dbg_rb_printf(&rb, "]");
	}
	if (e)
		dbg_rb_entry(&rb, e);
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

/* Misuse reports since dma_debug_init(): tests compare before and after. */
unsigned long dma_debug_error_count(void)
{
	return dma_ledger.errors;
}

/* The newest report's text, "" if none: tests check what was said. */
const char *dma_debug_last_report(void)
{
	return dma_ledger.last_report;
}
