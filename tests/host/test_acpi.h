/*
 * test_acpi.h - helpers shared by the ACPI host tests (prefix ta_).
 *
 * Tables come from tests/host/data/acpi/<machine>/, captured from QEMU by
 * capture.py there. Every table a test hands to a parser sits in a heap
 * buffer of exactly the size the test claims, so AddressSanitizer catches
 * a parser that reads one byte too far.
 */
#ifndef TESTS_HOST_TEST_ACPI_H
#define TESTS_HOST_TEST_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/acpi/acpi.h"

#define TA_DATA_DIR "tests/host/data/acpi"   /* relative to the repository root */
#define TA_MAX_IMAGE_TABLES 16

/* ---- captured tables ---- */

/* Read <machine>/<file> into a buffer of exactly its size; NULL if missing. */
void *ta_load(const char *machine, const char *file, size_t *len);

/* A fresh buffer of exactly @size bytes holding the first @len of @p
 * (zero-filled beyond); free() it. */
void *ta_dup(const void *p, size_t len, size_t size);

/* Set a table's Length field and recompute its checksum over @length
 * bytes (the buffer must hold them). */
void ta_set_length(void *table, uint32_t length);

/* Recompute the checksum of a table over its own Length. */
void ta_fix_checksum(void *table);

/* Little-endian field access at a byte offset (tables are unaligned). */
void ta_put16(void *table, size_t off, uint16_t v);
void ta_put32(void *table, size_t off, uint32_t v);
void ta_put64(void *table, size_t off, uint64_t v);

/* ---- synthetic tables, byte by byte ---- */

struct ta_builder {
	uint8_t buf[8192];
	size_t len;
};

/* Start a table: a header with @sig, zeros up to @fixed_len bytes. */
void ta_begin(struct ta_builder *b, const char *sig, size_t fixed_len);
/* Append bytes; return the offset they start at. */
size_t ta_add(struct ta_builder *b, const void *bytes, size_t n);
#define TA_ADD(b, ...) ta_add((b), (const uint8_t[]){ __VA_ARGS__ }, \
			      sizeof((const uint8_t[]){ __VA_ARGS__ }))
/* Set Length and checksum; return an exact-size heap copy (free() it). */
uint8_t *ta_finish(struct ta_builder *b, size_t *len);

/* True if @n bytes at @p are all zero (a failed parser clears its output). */
bool ta_all_zero(const void *p, size_t n);

/* ---- what the parsers reported (acpi_report, host side) ---- */

extern unsigned ta_errors, ta_warnings;  /* reports since ta_reports_clear() */
extern char ta_last_report[256];         /* the most recent one */
void ta_reports_clear(void);

/* The parsers' allocations (acpi_zalloc, host side): counted in ta_allocs;
 * the one numbered ta_alloc_fail_at fails (0: none does). */
extern unsigned ta_alloc_fail_at, ta_allocs;

/* ---- a machine's memory, for walks from the RSDP ---- */

struct ta_image {
	uint64_t rsdp_phys;
	unsigned count;
	struct ta_image_table {
		char signature[5];
		uint64_t phys;
		size_t len;
		uint8_t *data;    /* exactly @len bytes */
	} tables[TA_MAX_IMAGE_TABLES];
};

/* Place every table of <machine>/tables.txt at its physical address.
 * Return: 0, or -1 (reported by the caller's test) if the files are missing. */
int ta_image_load(struct ta_image *img, const char *machine);
void ta_image_free(struct ta_image *img);

/* The image's copy of a table, to corrupt it; NULL if absent. */
struct ta_image_table *ta_image_table(struct ta_image *img, const char *sig);

/* A struct acpi_mem that maps only the image's tables, byte-exact. */
struct acpi_mem ta_image_mem(struct ta_image *img);

#endif /* TESTS_HOST_TEST_ACPI_H */
