/*
 * fuzz_mcfg.c - libFuzzer target: acpi_parse_mcfg() on random tables.
 */
#include <stdlib.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_mcfg mcfg;
	size_t len;
	uint8_t *t = fuzz_table(data, size, "MCFG", &len);
	int err;

	if (!t)
		return 0;
	err = acpi_parse_mcfg(t, len, &mcfg);
	FUZZ_CHECK(err == 0 || err == -E2BIG || err == -EINVAL);
	if (err == -EINVAL)
		FUZZ_CHECK(fuzz_all_zero(&mcfg, sizeof(mcfg)));
	FUZZ_CHECK(mcfg.count <= ACPI_MAX_MCFG);
	for (unsigned i = 0; i < mcfg.count; i++)
		FUZZ_CHECK(mcfg.entries[i].bus_start <= mcfg.entries[i].bus_end &&
			   mcfg.entries[i].base != 0);
	free(t);
	return 0;
}
