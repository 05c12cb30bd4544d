/*
 * summary.h - the boot log's account of the ACPI tables, and acpi.dump.
 */
#ifndef KERNEL_ACPI_SUMMARY_H
#define KERNEL_ACPI_SUMMARY_H

#include "kernel/acpi/acpi.h"

/* One line for the RSDP, one per table: signature, address, length, OEM, revision. */
void acpi_log_tables(const struct acpi_root *root);

/* What each parsed table says: PM timer, CPUs and I/O APICs, ECAM, HPET, IOMMUs. */
void acpi_log_summary(const struct acpi_info *info);

/* Hexdump the RSDP, the RSDT and XSDT, and every listed table (`acpi.dump`). */
void acpi_dump_tables(const struct acpi_mem *mem, const struct acpi_root *root);

#endif /* KERNEL_ACPI_SUMMARY_H */
