/*
 * printf.c - a small, complete printf formatter for the kernel.
 *
 * One engine, vformat(), walks the format string and hands finished pieces
 * to a sink; vsnprintf() is that engine with a bounded-buffer sink, and the
 * console uses it with a sink that writes to the UART. It is pure logic,
 * tested on the host against the C library's own printf.
 */
#include <stdbool.h>
#include <stdint.h>
#include "kernel/printf.h"
#include "kernel/string.h"

/* One parsed conversion specification. */
struct fmt_spec {
	bool left;       /* '-': pad on the right */
	bool zero;       /* '0': pad numbers with zeros */
	bool plus;       /* '+': always print a sign */
	bool space;      /* ' ': space where a '+' would go */
	bool alt;        /* '#': 0x / leading 0 */
	bool ptr;        /* %p: always 0x, even for a null pointer */
	int width;       /* minimum field width, 0 if none */
	int prec;        /* precision, -1 if none */
	char len;        /* 'H' hh, 'h', 'l', 'L' ll/j/z/t, 0 none */
};

/* Where output goes, and how much was produced. */
struct fmt_out {
	fmt_sink_t sink;
	void *ctx;
	int count;
};

static void fmt_put(struct fmt_out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += (int)n;
	}
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	char buf[16];

	memset(buf, c, sizeof(buf));
	for (; n > 0; n -= (int)sizeof(buf))
		fmt_put(o, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf));
}

/* Emit a field of body text with a prefix (sign, 0x), honouring width. */
static void fmt_field(struct fmt_out *o, const struct fmt_spec *sp,
		      const char *prefix, const char *body, int blen, int zeros)
{
	int plen = (int)strlen(prefix);
	int pad = sp->width - plen - zeros - blen;

	if (!sp->left)
		fmt_pad(o, ' ', pad);
	fmt_put(o, prefix, (size_t)plen);
	fmt_pad(o, '0', zeros);
	fmt_put(o, body, (size_t)blen);
	if (sp->left)
		fmt_pad(o, ' ', pad);
}

/* Format an unsigned magnitude in @base with an optional sign character. */
static void fmt_number(struct fmt_out *o, struct fmt_spec *sp,
		       unsigned long long v, unsigned base, bool upper, char sign)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24], prefix[3] = { 0 };
	int n = (int)sizeof(buf), zeros = 0, len;

	do {
		buf[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == (int)sizeof(buf) - 1 && buf[n] == '0')
		n++;  /* "%.0d" of zero prints nothing */
	len = (int)sizeof(buf) - n;
	if (sign)
		prefix[0] = sign;
	else if (sp->ptr || (sp->alt && base == 16 && !(len == 1 && buf[n] == '0')))
		prefix[0] = '0', prefix[1] = upper ? 'X' : 'x';
	else if (sp->alt && base == 8 && buf[n] != '0')
		prefix[0] = '0';
	if (sp->prec > len)
		zeros = sp->prec - len;
	else if (sp->zero && !sp->left && sp->prec < 0)
		zeros = sp->width - len - (int)strlen(prefix);
	fmt_field(o, sp, prefix, buf + n, len, zeros > 0 ? zeros : 0);
}

/* Parse flags, width, precision and length; returns the conversion char. */
static const char *fmt_parse(const char *f, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-') sp->left = true;
		else if (*f == '0') sp->zero = true;
		else if (*f == '+') sp->plus = true;
		else if (*f == ' ') sp->space = true;
		else if (*f == '#') sp->alt = true;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0)
			sp->left = true, sp->width = -sp->width;
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
		if (sp->prec < 0)
			sp->prec = -1;
	}
	if (f[0] == 'h' && f[1] == 'h') sp->len = 'H', f += 2;
	else if (f[0] == 'l' && f[1] == 'l') sp->len = 'L', f += 2;
	else if (*f == 'h') sp->len = 'h', f++;
	else if (*f == 'l') sp->len = 'l', f++;
	else if (*f == 'z' || *f == 't' || *f == 'j') sp->len = 'L', f++;
	return f;
}

/* Fetch a signed argument of the spec's length. */
static long long fmt_arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	default:  return va_arg(*ap, int);
	}
}

/* Fetch an unsigned argument of the spec's length. */
static unsigned long long fmt_arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	default:  return va_arg(*ap, unsigned int);
	}
}

/* Handle one conversion character. */
static void fmt_convert(struct fmt_out *o, struct fmt_spec *sp, char c, va_list *ap)
{
	long long s;
	const char *str;
	char ch;

	switch (c) {
	case 'd': case 'i':
		s = fmt_arg_signed(sp, ap);
		fmt_number(o, sp, s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s,
			   10, false, s < 0 ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0);
		break;
	case 'u': fmt_number(o, sp, fmt_arg_unsigned(sp, ap), 10, false, 0); break;
	case 'x': fmt_number(o, sp, fmt_arg_unsigned(sp, ap), 16, false, 0); break;
	case 'X': fmt_number(o, sp, fmt_arg_unsigned(sp, ap), 16, true, 0); break;
	case 'o': fmt_number(o, sp, fmt_arg_unsigned(sp, ap), 8, false, 0); break;
	case 'p':
		sp->ptr = true;
		sp->prec = 16;
		fmt_number(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false, 0);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		fmt_field(o, sp, "", &ch, 1, 0);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		fmt_field(o, sp, "", str,
			  (int)strnlen(str, sp->prec < 0 ? (size_t)-1 : (size_t)sp->prec), 0);
		break;
	case '%': fmt_put(o, "%", 1); break;
	default:  /* unknown: print it literally so the mistake is visible */
		fmt_put(o, "%", 1);
		fmt_put(o, &c, 1);
	}
}

int vformat(fmt_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { sink, ctx, 0 };
	struct fmt_spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		if (!pct) {
			fmt_put(&o, fmt, strlen(fmt));
			break;
		}
		fmt_put(&o, fmt, (size_t)(pct - fmt));
		fmt = fmt_parse(pct + 1, &sp, &args);
		if (!*fmt)
			break;
		fmt_convert(&o, &sp, *fmt++, &args);
	}
	va_end(args);
	return o.count;
}

/* Bounded buffer for vsnprintf: keeps room for the NUL. */
struct fmt_buf {
	char *buf;
	size_t size, used;
};

static void fmt_buf_sink(void *ctx, const char *s, size_t n)
{
	struct fmt_buf *b = ctx;

	while (n-- && b->used + 1 < b->size)
		b->buf[b->used++] = *s++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { buf, size, 0 };
	int n = vformat(fmt_buf_sink, &b, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- strbuf: append, cut visibly when full ---- */

#define STRBUF_CUT_MARK "..."

void strbuf_init(struct strbuf *sb, char *buf, size_t size)
{
	*sb = (struct strbuf){ buf, size, 0, false };
	if (size)
		buf[0] = '\0';
}

/* Mark the end of a full buffer with "..." (if there is room for it). */
static void strbuf_mark_cut(struct strbuf *sb)
{
	size_t mark = sizeof(STRBUF_CUT_MARK) - 1;

	sb->cut = true;
	if (sb->size > mark)
		memcpy(sb->buf + sb->size - 1 - mark, STRBUF_CUT_MARK, mark + 1);
}

void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t room = sb->size - sb->len;
	int n;

	if (sb->cut || !room)
		return;   /* a full buffer still formats, to learn whether it overflows */
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n < room) {
		sb->len += (size_t)n;
		return;
	}
	sb->len = sb->size - 1;
	strbuf_mark_cut(sb);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}
