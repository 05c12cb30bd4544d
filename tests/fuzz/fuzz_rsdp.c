/*
 * fuzz_rsdp.c - libFuzzer target: the walk from the RSDP through the RSDT
 * or XSDT, over a random "physical memory".
 *
 * Input: one control byte, then the memory, which starts at physical
 * address 0; the RSDP is at address 0. Nothing outside the input is
 * mapped. With FUZZ_FIX_CHECKSUM in the control byte, every checksum on
 * the walk's path is repaired first, so that mutations reach the length
 * and pointer checks instead of dying at the first checksum.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/errno.h"
#include "tests/fuzz/fuzz.h"

#define HEADER_LEN 36

struct blob {
	const uint8_t *mem;
	size_t size;
};

static const void *blob_map(void *ctx, uint64_t phys, uint64_t len)
{
	const struct blob *b = ctx;

	if (phys > b->size || len > b->size - phys)
		return NULL;
	return b->mem + phys;
}

static uint64_t read_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

/* Repair the checksum of the table at @phys, if it lies inside the blob. */
static void repair_table(uint8_t *mem, size_t size, uint64_t phys)
{
	uint32_t len;

	if (phys > size || size - phys < HEADER_LEN)
		return;
	len = (uint32_t)read_le(mem + phys + 4, 4);
	if (len >= HEADER_LEN && len <= size - phys)
		fuzz_fix_checksum(mem + phys, len, 9);
}

/* Repair the tables a root table lists, then the root table itself. */
static void repair_root(uint8_t *mem, size_t size, uint64_t phys, size_t entry)
{
	uint32_t len;

	if (phys > size || size - phys < HEADER_LEN)
		return;
	len = (uint32_t)read_le(mem + phys + 4, 4);
	for (size_t off = HEADER_LEN; len <= size - phys && off + entry <= len; off += entry)
		repair_table(mem, size, read_le(mem + phys + off, entry));
	repair_table(mem, size, phys);
}

/* Children first, parents last: each checksum covers its own bytes. */
static void repair(uint8_t *mem, size_t size)
{
	uint32_t rsdp_len;

	if (size < 20)
		return;
	repair_root(mem, size, read_le(mem + 16, 4), 4);
	if (size >= HEADER_LEN && mem[15] >= 2)
		repair_root(mem, size, read_le(mem + 24, 8), 8);
	fuzz_fix_checksum(mem, 20, 8);
	rsdp_len = size >= HEADER_LEN ? (uint32_t)read_le(mem + 20, 4) : 0;
	if (rsdp_len >= HEADER_LEN && rsdp_len <= size)
		fuzz_fix_checksum(mem, rsdp_len, 32);
}

/* What the walk promises about every table it lists. */
static void check_root(const struct acpi_root *root, const struct blob *b, int err)
{
	FUZZ_CHECK(err == 0 || err == -E2BIG || err == -EINVAL || err == -EFAULT);
	FUZZ_CHECK(root->table_count <= ACPI_MAX_TABLES);
	if (err != 0 && err != -E2BIG)
		FUZZ_CHECK(root->table_count == 0);
	for (unsigned i = 0; i < root->table_count; i++) {
		const struct acpi_table_ref *t = &root->tables[i];

		FUZZ_CHECK(t->length >= HEADER_LEN);
		FUZZ_CHECK(t->phys <= b->size && t->length <= b->size - t->phys);
		FUZZ_CHECK(t->data == b->mem + t->phys);
		FUZZ_CHECK(acpi_checksum(t->data, t->length) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_root root;
	struct blob b;
	struct acpi_mem mem = { blob_map, &b };
	uint8_t *copy;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & FUZZ_FIX_CHECKSUM)
		repair(copy, size - 1);
	b = (struct blob){ copy, size - 1 };
	check_root(&root, &b, acpi_walk_root(&mem, 0, &root));
	free(copy);
	return 0;
}
