/*
 * internal.h - what the ACPI parsers share, and how they speak.
 *
 * The parsers are pure: they read a buffer and fill a structure. When a
 * table is malformed they say so through acpi_report(), which the
 * environment provides: the kernel's acpi.c writes to the log with the
 * "acpi" prefix, host tests keep the message to check it, fuzzers drop it.
 */
#ifndef KERNEL_ACPI_INTERNAL_H
#define KERNEL_ACPI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/acpi/acpi.h"
#include "kernel/log.h"

#ifdef KTEST_HOST
#include <string.h>
#else
#include "kernel/string.h"
#endif

/**
 * acpi_report - report a malformed or surprising table.
 * @level: LOG_ERR (the table or entry is not used) or LOG_WARN (handled)
 * @fmt: printf format; messages start with the table's signature
 */
void acpi_report(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * acpi_zalloc - zeroed memory for a parser's results; acpi_free() it.
 * @size: bytes, more than 0
 *
 * The environment provides it beside acpi_report(): kzalloc in the
 * kernel, calloc on the host (where tests can make it fail).
 * Return: the memory, or NULL.
 */
void *acpi_zalloc(size_t size);
void acpi_free(void *p);

#define ACPI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The next free element of the fixed array @array whose used length is
 * @count, or NULL when it is full. @seen counts every entry offered, kept
 * or not, so that acpi_report_overflow() can say how many there were.
 */
#define ACPI_NEXT_SLOT(array, count, seen) \
	((seen)++, (count) < ACPI_ARRAY_SIZE(array) ? &(array)[(count)++] : NULL)

/**
 * acpi_report_overflow - say that @seen entries did not fit in @kept slots.
 * @table: the table's name; @what: the entries ("processor entries")
 * Return: 0 if everything fitted, else -E2BIG after reporting.
 */
int acpi_report_overflow(const char *table, const char *what, unsigned seen, unsigned kept);

/* The name people use for a table: "MADT" for the signature "APIC". */
const char *acpi_table_name(const char *sig);

/* Sum of @len bytes modulo 256: 0 for a valid table. */
uint8_t acpi_checksum(const void *p, size_t len);

/**
 * acpi_check_table - the checks every table passes before its body is read.
 * @table: the table
 * @len: bytes readable at @table
 * @sig: the signature expected ("APIC")
 * @min_len: size of the table's fixed part, header included
 *
 * Checks the signature, that Length covers the fixed part and fits in
 * @len, and the checksum.
 * Return: the table's Length, or 0 after reporting what is wrong.
 */
size_t acpi_check_table(const void *table, size_t len, const char *sig, size_t min_len);

/* Copy an @n-character id (signature, OEM id) into @dst[n + 1], NUL-
 * terminated, with unprintable bytes shown as '?'. */
void acpi_copy_id(char *dst, const void *src, size_t n);

/**
 * acpi_map_table - map a table whose length is not known yet.
 * @mem: how to read physical memory
 * @phys: the table
 * @len: receives its Length
 *
 * Maps the header first, then the whole table once its Length covers at
 * least the header and @phys + Length does not wrap around. Nothing else
 * (signature, checksum) is checked.
 * Return: the table, or NULL.
 */
const void *acpi_map_table(const struct acpi_mem *mem, uint64_t phys, uint32_t *len);

#endif /* KERNEL_ACPI_INTERNAL_H */
