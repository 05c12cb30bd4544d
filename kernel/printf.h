/*
 * printf.h - the kernel's formatter: C99 printf conversions, no floats.
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, flags "-0+ #", width and
 * precision (also "*"), length modifiers hh h l ll z t j.
 * %p prints 0x followed by 16 hex digits, so addresses line up in reports.
 */
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Sink for the streaming formatter: receives @len bytes at a time. */
typedef void (*fmt_sink_t)(void *ctx, const char *s, size_t len);

/* Format into a sink; returns the number of bytes produced. */
int vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KERNEL_PRINTF_H */
