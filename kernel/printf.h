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
#include <stdbool.h>
#include <stddef.h>

/* Sink for the streaming formatter: receives @len bytes at a time. */
typedef void (*fmt_sink_t)(void *ctx, const char *s, size_t len);

/* Format into a sink; returns the number of bytes produced. */
int vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A bounded buffer that formatted pieces are appended to, for messages
 * built in steps (a table row, a report). It stays NUL-terminated; text
 * that does not fit is cut and the end shows "..." so the cut is visible.
 */
struct strbuf {
	char *buf;      /* storage */
	size_t size;    /* bytes of storage, the NUL included */
	size_t len;     /* characters held */
	bool cut;       /* something did not fit */
};

#define STRBUF_INIT(array) { (array), sizeof(array), 0, false }

void strbuf_init(struct strbuf *sb, char *buf, size_t size);
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* KERNEL_PRINTF_H */
