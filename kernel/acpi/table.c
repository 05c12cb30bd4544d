/*
 * table.c - checks shared by every ACPI table: header, length, checksum.
 *
 * Pure logic, tested on the host and fuzzed.
 */
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

#define ACPI_SIGNATURE_LEN 4

/* Tables prove their integrity by summing to zero, byte by byte. */
uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

/* Ids are fixed-width and may hold anything: make them safe to print. */
void acpi_copy_id(char *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[n] = '\0';
}

/* Two tables are known by other names than their signatures. */
const char *acpi_table_name(const char *sig)
{
	if (memcmp(sig, "FACP", ACPI_SIGNATURE_LEN) == 0)
		return "FADT";
	if (memcmp(sig, "APIC", ACPI_SIGNATURE_LEN) == 0)
		return "MADT";
	return sig;
}

/* Arrays are fixed: say so when a table lists more than they hold. */
int acpi_report_overflow(const char *table, const char *what, unsigned seen, unsigned kept,
			 const char *limit)
{
	if (seen <= kept)
		return 0;
	acpi_report(LOG_ERR, "%s: %u %s, only the first %u are kept (%s)", table, seen, what,
		    kept, limit);
	return -E2BIG;
}

/* The header is read first and its Length trusted only once it is checked. */
size_t acpi_check_table(const void *table, size_t len, const char *sig, size_t min_len)
{
	const struct acpi_header *h = table;
	const char *name = acpi_table_name(sig);
	char found[ACPI_SIGNATURE_LEN + 1];
	uint8_t sum;

	if (len < sizeof(*h)) {
		acpi_report(LOG_ERR, "%s: only %zu bytes, less than the %zu-byte table header",
			    name, len, sizeof(*h));
		return 0;
	}
	if (memcmp(h->signature, sig, ACPI_SIGNATURE_LEN) != 0) {
		acpi_copy_id(found, h->signature, ACPI_SIGNATURE_LEN);
		acpi_report(LOG_ERR, "%s: Signature is \"%s\", not \"%.4s\"", name, found, sig);
		return 0;
	}
	if (h->length < min_len) {
		acpi_report(LOG_ERR, "%s: Length %u is less than the %zu bytes of its fixed fields",
			    name, h->length, min_len);
		return 0;
	}
	if (h->length > len) {
		acpi_report(LOG_ERR, "%s: Length %u runs past the %zu bytes available",
			    name, h->length, len);
		return 0;
	}
	sum = acpi_checksum(table, h->length);
	if (sum != 0) {
		acpi_report(LOG_ERR, "%s: bad Checksum: the %u bytes sum to 0x%02x, not 0",
			    name, h->length, sum);
		return 0;
	}
	return h->length;
}
