/*
 * device.c - what every device has: device-prefixed logging.
 *
 * Pure: it formats a prefix and hands the line to the logger, so the host
 * tests build it too (their logger is a stub that records lines).
 */
#include <stdarg.h>
#include "kernel/device.h"
#include "kernel/printf.h"

/* "<driver> <device>" when a driver is bound, else just the device. */
void dev_log(int level, const struct device *dev, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	if (dev && dev->driver_name)
		snprintf(prefix, sizeof(prefix), "%s %s", dev->driver_name, dev->name);
	else
		snprintf(prefix, sizeof(prefix), "%s", dev_name(dev));
	va_start(ap, fmt);
	log_vwrite(level, prefix, fmt, ap);
	va_end(ap);
}
