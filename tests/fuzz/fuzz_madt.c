/*
 * fuzz_madt.c - libFuzzer target: acpi_parse_madt() on random tables.
 */
#include <stdlib.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

static struct acpi_madt madt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	uint8_t *t = fuzz_table(data, size, "APIC", &len);
	int err;

	if (!t)
		return 0;
	err = acpi_parse_madt(t, len, &madt);
	FUZZ_CHECK(err == 0 || err == -E2BIG || err == -EINVAL);
	if (err == -EINVAL)
		FUZZ_CHECK(fuzz_all_zero(&madt, sizeof(madt)));
	FUZZ_CHECK(madt.cpu_count <= ACPI_MAX_CPUS);
	FUZZ_CHECK(madt.ioapic_count <= ACPI_MAX_IOAPICS);
	FUZZ_CHECK(madt.override_count <= ACPI_MAX_OVERRIDES);
	FUZZ_CHECK(madt.nmi_count <= ACPI_MAX_LAPIC_NMIS);
	free(t);
	return 0;
}
