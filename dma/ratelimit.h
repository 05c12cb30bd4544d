/*
 * ratelimit.h - at most DMA_RATELIMIT_BURST messages per interval from one
 * place, as Linux's dev_err_ratelimited() does for map failures: a driver
 * retrying a mapping in a loop must not drown the console.
 *
 * Pure (the caller passes the time), so host tests drive it directly.
 */
#ifndef DMA_RATELIMIT_H
#define DMA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "dma/dma.h"

#define DMA_RATELIMIT_INTERVAL_NS  5000000000ULL   /* 5 s, Linux's DEFAULT_RATELIMIT_INTERVAL */
#define DMA_RATELIMIT_BURST        10u             /* Linux's DEFAULT_RATELIMIT_BURST */

/* One message site's window; zero-initialised means "no window yet". */
struct dma_ratelimit {
	uint64_t begin_ns;     /* when the current window opened */
	unsigned int printed;  /* messages let out in it */
	unsigned int missed;   /* messages held back in it */
	bool open;             /* a window has been opened */
};

/**
 * dma_ratelimit_ok - may one more message go out at @now_ns?
 * @suppressed: set to how many were held back in the window that just
 * closed (to be said once), else 0.
 */
static inline bool dma_ratelimit_ok(struct dma_ratelimit *rs, uint64_t now_ns,
				    unsigned int *suppressed)
{
	*suppressed = 0;
	if (!rs->open || now_ns - rs->begin_ns >= DMA_RATELIMIT_INTERVAL_NS) {
		*suppressed = rs->open ? rs->missed : 0;
		*rs = (struct dma_ratelimit){ .begin_ns = now_ns, .open = true };
	}
	if (rs->printed < DMA_RATELIMIT_BURST) {
		rs->printed++;
		return true;
	}
	rs->missed++;
	return false;
}

/**
 * dma_map_may_warn - may a map failure of @dev be logged now? Not with
 * DMA_ATTR_NO_WARN in @attrs (the caller has a fallback), and only as
 * @rs allows; messages held back are counted in one warning.
 */
static inline bool dma_map_may_warn(struct dma_ratelimit *rs, const struct device *dev,
				    unsigned long attrs, uint64_t now_ns)
{
	unsigned int suppressed;
	bool ok;

	if (attrs & DMA_ATTR_NO_WARN)
		return false;
	ok = dma_ratelimit_ok(rs, now_ns, &suppressed);
	if (suppressed)
		dev_warn(dev, "%u DMA map failure messages suppressed", suppressed);
	return ok;
}

#endif /* DMA_RATELIMIT_H */
