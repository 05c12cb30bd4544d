/*
 * fuzz_hpet.c - libFuzzer target: acpi_parse_hpet() on random tables.
 */
#include <stdlib.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_hpet hpet;
	size_t len;
	uint8_t *t = fuzz_table(data, size, "HPET", &len);
	int err;

	if (!t)
		return 0;
	err = acpi_parse_hpet(t, len, &hpet);
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	if (err)
		FUZZ_CHECK(fuzz_all_zero(&hpet, sizeof(hpet)));
	else
		FUZZ_CHECK(hpet.base_phys != 0 && hpet.comparators >= 1 &&
			   hpet.comparators <= 32 && hpet.page_protection <= 15);
	free(t);
	return 0;
}
