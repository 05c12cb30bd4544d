/*
 * mcfg.c - the MCFG: where PCI Express configuration space is mapped.
 *
 * PCIe gives every function 4 KiB of configuration registers, reachable as
 * ordinary memory (the Enhanced Configuration Access Mechanism, ECAM): the
 * registers of bus B, device D, function F of a segment start at
 * base + (B << 20 | D << 15 | F << 12). The MCFG lists one base per
 * segment and bus range. Pure logic, tested on the host.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

/* One allocation entry: a bus range must not be upside down. */
static int mcfg_entry(const struct acpi_mcfg_allocation *a, unsigned i,
		      struct acpi_mcfg *out, unsigned *seen)
{
	struct acpi_mcfg_entry *e;

	if (a->start_bus > a->end_bus || a->base_address == 0) {
		acpi_report(LOG_ERR, "MCFG: entry %u: Base Address %#llx, buses %u-%u: %s", i,
			    (unsigned long long)a->base_address, a->start_bus, a->end_bus,
			    a->base_address ? "Start Bus is above End Bus" : "no Base Address");
		return -EINVAL;
	}
	e = ACPI_NEXT_SLOT(out->entries, out->count, *seen);
	if (e) {
		e->base = a->base_address;
		e->segment = a->pci_segment_group;
		e->bus_start = a->start_bus;
		e->bus_end = a->end_bus;
	}
	return 0;
}

int acpi_parse_mcfg(const void *table, size_t len, struct acpi_mcfg *out)
{
	const uint8_t *entries = (const uint8_t *)table + sizeof(struct acpi_mcfg_table);
	size_t length, count, entry = sizeof(struct acpi_mcfg_allocation);
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	length = acpi_check_table(table, len, "MCFG", sizeof(struct acpi_mcfg_table));
	if (!length)
		return -EINVAL;
	if ((length - sizeof(struct acpi_mcfg_table)) % entry != 0) {
		acpi_report(LOG_ERR, "MCFG: Length %zu leaves a partial %zu-byte entry", length, entry);
		return -EINVAL;
	}
	count = (length - sizeof(struct acpi_mcfg_table)) / entry;
	if (count == 0)
		acpi_report(LOG_WARN, "MCFG: lists no ECAM region");
	for (size_t i = 0; i < count; i++) {
		if (mcfg_entry((const void *)(entries + i * entry), (unsigned)i, out, &seen)) {
			memset(out, 0, sizeof(*out));
			return -EINVAL;
		}
	}
	return acpi_report_overflow("MCFG", "ECAM regions", seen, out->count, "ACPI_MAX_MCFG");
}
