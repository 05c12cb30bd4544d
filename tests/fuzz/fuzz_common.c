/*
 * fuzz_common.c - the fuzzers' side of acpi_report() and acpi_zalloc(), and
 * input repairs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/internal.h"
#include "tests/fuzz/fuzz.h"

#define HEADER_LEN      36
#define LENGTH_OFFSET   4
#define CHECKSUM_OFFSET 9

/* Format every report (so bad format arguments would show) and drop it. */
void acpi_report(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "acpi: %s\n", buf);
}

/* The parsers' memory: calloc. */
void *acpi_zalloc(size_t size)
{
	return calloc(1, size);
}

void acpi_free(void *p)
{
	free(p);
}

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: invariant broken: %s\n", what);
	abort();
}

void fuzz_fix_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0x100 - acpi_checksum(p, len));
}

uint8_t *fuzz_table(const uint8_t *data, size_t size, const char *sig, size_t *len)
{
	uint8_t control, *t;

	if (size < 1)
		return NULL;
	control = data[0];
	*len = size - 1;
	t = malloc(*len ? *len : 1);
	memcpy(t, data + 1, *len);
	if (*len >= HEADER_LEN) {
		uint32_t length = (uint32_t)*len;

		if (control & FUZZ_FIX_SIGNATURE)
			memcpy(t, sig, 4);
		if (control & FUZZ_FIX_LENGTH)
			memcpy(t + LENGTH_OFFSET, &length, sizeof(length));
		memcpy(&length, t + LENGTH_OFFSET, sizeof(length));
		if (control & FUZZ_FIX_CHECKSUM)   /* over Length, if it fits */
			fuzz_fix_checksum(t, length >= HEADER_LEN && length <= *len ? length : *len,
					  CHECKSUM_OFFSET);
	}
	return t;
}

bool fuzz_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}
