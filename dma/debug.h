/*
 * debug.h - the DMA-API checker: a ledger of every live mapping and
 * coherent allocation, and checks on every call, like Linux's
 * CONFIG_DMA_API_DEBUG. On with `dma_debug=on` (every test scenario).
 * docs/dma-debug.md lists each check and its message.
 */
#ifndef DMA_DEBUG_H
#define DMA_DEBUG_H

#include <stdbool.h>
#include "dma/dma.h"

/* Switched on from the command line at boot (dma_debug=on). */
void dma_debug_init(bool enable);
bool dma_debug_enabled(void);
/* The same switch as a variable, for the front door's fast path (dma/mapping.c);
 * written only by dma_debug_init(). */
extern bool dma_debug_on;

/* Misuse reports since boot: tests read it before and after a mistake. */
unsigned long dma_debug_error_count(void);
/* The text of the last report (for tests), "" if none. */
const char *dma_debug_last_report(void);

/* Live ledger entries of @dev (all devices if NULL). */
unsigned long dma_debug_entry_count(const struct device *dev);

/**
 * dma_debug_check_leaks - report every live mapping or allocation of @dev
 * (bus code calls it when a driver is removed; tests call it on demand).
 * Return: the number of leaked entries.
 */
unsigned long dma_debug_check_leaks(struct device *dev);

/* Print @dev's live entries (all devices if NULL). */
void dma_debug_dump(const struct device *dev);

/**
 * dma_debug_report - report a misuse: counts it and prints
 * "DMA-API: <driver> <device>: <message>". For the DMA layer's own parts
 * (pools) that check things the ledger cannot.
 */
void dma_debug_report(const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* DMA_DEBUG_H */
