/*
 * fuzz_dmar.c - libFuzzer target: acpi_parse_dmar() on random tables, then
 * every device scope it kept through acpi_dmar_scope_resolve() with a PCI
 * topology made up from the input.
 */
#include <stdlib.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

static struct acpi_dmar dmar;

/* A made-up bridge topology: the secondary bus depends on the input's
 * bytes, and is sometimes an error, sometimes not above the bridge. */
static int made_up_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
	const uint8_t *seed = ctx;
	int v = (bus * 7 + dev * 13 + fn * 3 + *seed) % 300;

	if (v >= 256)
		return -ENODEV;
	return v;
}

/* Every kept scope is a real path: 1..max hops, each a possible dev.fn. */
static void check_scopes(const struct acpi_dmar_scope *s, unsigned count, const uint8_t *seed)
{
	for (unsigned i = 0; i < count; i++) {
		uint8_t bus, dev, fn;
		int err;

		FUZZ_CHECK(s[i].path_len >= 1 && s[i].path_len <= ACPI_DMAR_MAX_PATH);
		for (unsigned h = 0; h < s[i].path_len; h++)
			FUZZ_CHECK(s[i].path[h].dev <= 31 && s[i].path[h].fn <= 7);
		err = acpi_dmar_scope_resolve(&s[i], made_up_secondary_bus, (void *)seed,
					      &bus, &dev, &fn);
		FUZZ_CHECK(err == 0 || err == -EINVAL || err == -ENODEV);
		if (err == 0)
			FUZZ_CHECK(bus >= s[i].start_bus && dev <= 31 && fn <= 7);
	}
}

/* A structure's scopes lie inside the pool. */
static unsigned in_pool(const struct acpi_dmar *d, const struct acpi_dmar_scope *s, unsigned n)
{
	if (n)
		FUZZ_CHECK(s >= d->scope_pool && s + n <= d->scope_pool + d->scope_total);
	return n;
}

/* Every kept scope belongs to exactly one structure: the counts add up. */
static void check_pool(const struct acpi_dmar *d)
{
	unsigned total = 0;

	for (unsigned i = 0; i < d->drhd_count; i++)
		total += in_pool(d, d->drhds[i].scopes, d->drhds[i].scope_count);
	for (unsigned i = 0; i < d->rmrr_count; i++)
		total += in_pool(d, d->rmrrs[i].scopes, d->rmrrs[i].scope_count);
	for (unsigned i = 0; i < d->atsr_count; i++)
		total += in_pool(d, d->atsrs[i].scopes, d->atsrs[i].scope_count);
	FUZZ_CHECK(total == d->scope_total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	uint8_t *t = fuzz_table(data, size, "DMAR", &len);
	int err;

	if (!t)
		return 0;
	err = acpi_parse_dmar(t, len, &dmar);
	FUZZ_CHECK(err == 0 || err == -E2BIG || err == -EINVAL);
	if (err == -EINVAL)
		FUZZ_CHECK(fuzz_all_zero(&dmar, sizeof(dmar)));
	else
		FUZZ_CHECK(dmar.host_address_width >= 1 && dmar.host_address_width <= 64);
	check_pool(&dmar);
	for (unsigned i = 0; i < dmar.drhd_count; i++)
		check_scopes(dmar.drhds[i].scopes, dmar.drhds[i].scope_count, data);
	for (unsigned i = 0; i < dmar.rmrr_count; i++) {
		FUZZ_CHECK(dmar.rmrrs[i].base <= dmar.rmrrs[i].limit);
		check_scopes(dmar.rmrrs[i].scopes, dmar.rmrrs[i].scope_count, data);
	}
	for (unsigned i = 0; i < dmar.atsr_count; i++)
		check_scopes(dmar.atsrs[i].scopes, dmar.atsrs[i].scope_count, data);
	acpi_dmar_free(&dmar);
	free(t);
	return 0;
}
