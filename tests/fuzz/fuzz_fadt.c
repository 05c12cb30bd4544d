/*
 * fuzz_fadt.c - libFuzzer target: acpi_parse_fadt() on random tables,
 * including every short FADT of older ACPI versions.
 */
#include <stdlib.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_fadt fadt;
	size_t len;
	uint8_t *t = fuzz_table(data, size, "FACP", &len);
	int err;

	if (!t)
		return 0;
	err = acpi_parse_fadt(t, len, &fadt);
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	if (err)
		FUZZ_CHECK(fuzz_all_zero(&fadt, sizeof(fadt)));
	if (fadt.hw_reduced)
		FUZZ_CHECK(fadt.pm_timer_port == 0);
	if (!fadt.reset_supported)
		FUZZ_CHECK(fadt.reset_address == 0 && fadt.reset_value == 0);
	free(t);
	return 0;
}
