/*
 * test_printf.c - the kernel's formatter against the C library's.
 *
 * kernel/printf.c is compiled for the host with its functions renamed
 * (bm_snprintf ...), so every case can be printed by both and compared.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "kernel/ktest.h"

int bm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* kernel/printf.h's strbuf, built with the renamed formatter. */
struct strbuf {
	char *buf;
	size_t size;
	size_t len;
	bool cut;
};
void strbuf_init(struct strbuf *sb, char *buf, size_t size);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Format with both implementations and compare text and return value. */
#define SAME_AS_LIBC(t, ...)                                               \
	do {                                                               \
		char _mine[128], _libc[128];                               \
		int _nm = bm_snprintf(_mine, sizeof(_mine), __VA_ARGS__);  \
		int _nl = snprintf(_libc, sizeof(_libc), __VA_ARGS__);     \
		KT_EXPECT_STREQ(t, _mine, _libc);                          \
		KT_EXPECT_EQ(t, _nm, _nl);                                 \
	} while (0)

static void integers(struct ktest *t)
{
	SAME_AS_LIBC(t, "%d %i %u", 0, -1, 4000000000u);
	SAME_AS_LIBC(t, "%5d|%-5d|%05d|%+d|% d|%+05d", 42, 42, 42, 42, 42, -42);
	SAME_AS_LIBC(t, "%.3d|%8.3d|%-8.3d|%.0d|%5.0d", 7, -7, 7, 0, 0);
	SAME_AS_LIBC(t, "%hhd %hd %ld %lld", (signed char)-128, (short)-32768,
		     -2147483649L, -9223372036854775807LL - 1);
	SAME_AS_LIBC(t, "%hhu %hu %lu %llu %zu", (unsigned char)255,
		     (unsigned short)65535, 4294967296UL, 18446744073709551615ULL,
		     (size_t)123);
}

static void hex_and_octal(struct ktest *t)
{
	SAME_AS_LIBC(t, "%x %X %#x %#X %#x", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu, 0u);
	SAME_AS_LIBC(t, "%08x|%-8x|%#010x|%.6x|%#.6x", 0xabu, 0xabu, 0xabu, 0xabu, 0xabu);
	SAME_AS_LIBC(t, "%o %#o %#o %5o", 8u, 8u, 0u, 511u);
	SAME_AS_LIBC(t, "%llx %016llx", 0xffffffff80200000ULL, 0x1234ULL);
}

static void strings_and_chars(struct ktest *t)
{
	SAME_AS_LIBC(t, "%s|%10s|%-10s|%.2s|%10.2s", "abc", "abc", "abc", "abc", "abc");
	SAME_AS_LIBC(t, "%c|%3c|%-3c|%%|100%%", 'x', 'y', 'z');
	SAME_AS_LIBC(t, "%*d|%-*d|%.*s|%*.*s", 6, 1, 6, 2, 2, "hello", 5, 1, "ab");
	SAME_AS_LIBC(t, "%s", "");
}

/* %p is fixed-width "0x%016x" in the kernel, also for NULL. */
static void pointers(struct ktest *t)
{
	char buf[32];

	bm_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	KT_EXPECT_STREQ(t, buf, "0x0000000000001234");
	bm_snprintf(buf, sizeof(buf), "%p", NULL);
	KT_EXPECT_STREQ(t, buf, "0x0000000000000000");
}

static void truncation(struct ktest *t)
{
	char buf[4] = "zzz";
	int n = bm_snprintf(buf, sizeof(buf), "%d", 123456);

	KT_EXPECT_EQ(t, n, 6);
	KT_EXPECT_STREQ(t, buf, "123");
	n = bm_snprintf(buf, 0, "%s", "ignored");  /* size 0 writes nothing */
	KT_EXPECT_EQ(t, n, 7);
	KT_EXPECT_STREQ(t, buf, "123");
	n = bm_snprintf(NULL, 0, "%s", "ab");
	KT_EXPECT_EQ(t, n, 2);
}

/* A conversion the formatter does not know is printed, not swallowed. */
static void unknown_conversion(struct ktest *t)
{
	char buf[16];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	bm_snprintf(buf, sizeof(buf), "a%qb", 1);
#pragma GCC diagnostic pop
	KT_EXPECT_STREQ(t, buf, "a%qb");
}

/* Pieces append until full; then the end shows "..." and nothing more fits. */
static void strbuf_appends_and_cuts(struct ktest *t)
{
	char buf[12];
	struct strbuf sb;

	strbuf_init(&sb, buf, sizeof(buf));
	KT_EXPECT_STREQ(t, buf, "");
	strbuf_printf(&sb, "%s", "abc");
	strbuf_printf(&sb, "%d", 42);
	KT_EXPECT_STREQ(t, buf, "abc42");
	KT_EXPECT_FALSE(t, sb.cut);
	strbuf_printf(&sb, "%s", "123456");          /* exactly fills 11 characters */
	KT_EXPECT_STREQ(t, buf, "abc42123456");
	KT_EXPECT_FALSE(t, sb.cut);
	strbuf_printf(&sb, "x");
	KT_EXPECT_TRUE(t, sb.cut);
	KT_EXPECT_STREQ(t, buf, "abc42123...");
	strbuf_printf(&sb, "more");                  /* ignored once cut */
	KT_EXPECT_STREQ(t, buf, "abc42123...");
	KT_EXPECT_EQ(t, sb.len, 11);
}

KTEST_SUITE(printf, KTEST_CASE(integers), KTEST_CASE(hex_and_octal),
	    KTEST_CASE(strings_and_chars), KTEST_CASE(pointers), KTEST_CASE(truncation),
	    KTEST_CASE(unknown_conversion), KTEST_CASE(strbuf_appends_and_cuts));
