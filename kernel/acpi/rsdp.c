/*
 * rsdp.c - from the RSDP to the list of tables.
 *
 *   RSDP ("RSD PTR ")  --rsdt_address-->  RSDT: 32-bit addresses of tables
 *                      --xsdt_address-->  XSDT: 64-bit addresses (ACPI 2.0+)
 *
 * The XSDT is preferred when the RSDP is ACPI 2.0 or later and the XSDT
 * checks out; otherwise the RSDT is used. Memory is read only through the
 * caller's map(), a header before the table it describes, and a length
 * only after it has been checked. Pure logic, tested on the host over
 * captured memory and fuzzed over random memory.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

#define ACPI_RSDP_REVISION_2 2   /* first revision with the XSDT */

/* Map a table whose length is not known yet: the header first, then the
 * whole table once its Length is at least a header and does not wrap. */
const void *acpi_map_table(const struct acpi_mem *mem, uint64_t phys, uint32_t *len)
{
	const struct acpi_header *h = mem->map(mem->ctx, phys, sizeof(*h));
	uint32_t length;

	if (!h)
		return NULL;
	length = h->length;
	if (length < sizeof(*h) || phys + length - 1 < phys)
		return NULL;
	*len = length;
	return mem->map(mem->ctx, phys, length);
}

/* The ACPI 2.0 part of the RSDP: its own Length, and a checksum over all
 * of it. Returns the XSDT address, or 0 after reporting why the RSDT must do. */
static uint64_t rsdp_xsdt(const struct acpi_mem *mem, uint64_t phys)
{
	const struct acpi_rsdp *r = mem->map(mem->ctx, phys, ACPI_RSDP_V2_LENGTH);
	const void *whole = NULL;
	uint32_t length = r ? r->length : 0;

	if (r && length >= ACPI_RSDP_V2_LENGTH && length <= ACPI_RSDP_MAX_LENGTH)
		whole = mem->map(mem->ctx, phys, length);
	if (!whole) {
		acpi_report(LOG_ERR, "RSDP: its ACPI 2.0 part (Length %u) is not %u..%u bytes "
			    "of known memory; using the RSDT", length, ACPI_RSDP_V2_LENGTH,
			    ACPI_RSDP_MAX_LENGTH);
		return 0;
	}
	if (acpi_checksum(whole, length) != 0) {
		acpi_report(LOG_ERR, "RSDP: bad Extended Checksum over its %u bytes; using the RSDT",
			    length);
		return 0;
	}
	return r->xsdt_address;
}

/* Check the RSDP and note where its root tables are. */
static int rsdp_read(const struct acpi_mem *mem, uint64_t phys, struct acpi_root *out)
{
	const struct acpi_rsdp *r = mem->map(mem->ctx, phys, ACPI_RSDP_V1_LENGTH);

	if (!r) {
		acpi_report(LOG_ERR, "RSDP: %#llx is outside known memory", (unsigned long long)phys);
		return -EFAULT;
	}
	if (memcmp(r->signature, ACPI_RSDP_SIGNATURE, sizeof(r->signature)) != 0) {
		acpi_report(LOG_ERR, "RSDP: no \"RSD PTR \" Signature at %#llx",
			    (unsigned long long)phys);
		return -EINVAL;
	}
	if (acpi_checksum(r, ACPI_RSDP_V1_LENGTH) != 0) {
		acpi_report(LOG_ERR, "RSDP: bad Checksum over its first %u bytes", ACPI_RSDP_V1_LENGTH);
		return -EINVAL;
	}
	out->rsdp_revision = r->revision;
	acpi_copy_id(out->oem_id, r->oem_id, sizeof(r->oem_id));
	out->rsdt_phys = r->rsdt_address;
	if (r->revision == 1)
		acpi_report(LOG_WARN, "RSDP: Revision 1 is undefined; reading it as ACPI 1.0");
	if (r->revision >= ACPI_RSDP_REVISION_2)
		out->xsdt_phys = rsdp_xsdt(mem, phys);
	return 0;
}

/* Check one listed table and add it to @out. */
static int root_add(const struct acpi_mem *mem, uint64_t phys, const char *root,
		    unsigned index, struct acpi_root *out)
{
	const struct acpi_header *h;
	struct acpi_table_ref *ref;
	char sig[sizeof(ref->signature)];
	uint32_t len = 0;

	h = phys ? acpi_map_table(mem, phys, &len) : NULL;
	if (!h) {
		acpi_report(LOG_ERR, "%s: entry %u: no table header at %#llx (address, Length "
			    "or memory bad); skipped", root, index, (unsigned long long)phys);
		return 0;
	}
	if (acpi_checksum(h, len) != 0) {
		acpi_copy_id(sig, h->signature, sizeof(h->signature));
		acpi_report(LOG_ERR, "%s: entry %u: %s at %#llx has a bad Checksum; skipped",
			    root, index, sig, (unsigned long long)phys);
		return 0;
	}
	if (out->table_count == ACPI_MAX_TABLES) {
		acpi_report(LOG_ERR, "%s: entry %u: more than %u tables (ACPI_MAX_TABLES); the "
			    "rest are dropped", root, index, ACPI_MAX_TABLES);
		return -E2BIG;
	}
	ref = &out->tables[out->table_count++];
	acpi_copy_id(ref->signature, h->signature, sizeof(h->signature));
	acpi_copy_id(ref->oem_id, h->oem_id, sizeof(h->oem_id));
	acpi_copy_id(ref->oem_table_id, h->oem_table_id, sizeof(h->oem_table_id));
	ref->revision = h->revision;
	ref->length = len;
	ref->phys = phys;
	ref->data = h;
	return 0;
}

/* Read the address of entry @i of a root table (RSDT: 4 bytes, XSDT: 8). */
static uint64_t root_entry(const uint8_t *entries, unsigned i, size_t size)
{
	uint32_t a32;
	uint64_t a64;

	if (size == ACPI_RSDT_ENTRY_SIZE) {
		memcpy(&a32, entries + (size_t)i * size, sizeof(a32));
		return a32;
	}
	memcpy(&a64, entries + (size_t)i * size, sizeof(a64));
	return a64;
}

/* List the tables of the RSDT or XSDT at @phys. */
static int root_walk(const struct acpi_mem *mem, uint64_t phys, bool xsdt, struct acpi_root *out)
{
	const char *sig = xsdt ? "XSDT" : "RSDT";
	size_t size = xsdt ? ACPI_XSDT_ENTRY_SIZE : ACPI_RSDT_ENTRY_SIZE;
	const uint8_t *t;
	uint32_t len = 0;
	unsigned count;
	int err = 0;

	t = acpi_map_table(mem, phys, &len);
	if (!t) {
		acpi_report(LOG_ERR, "%s: no table header at %#llx (address, Length or memory bad)",
			    sig, (unsigned long long)phys);
		return -EINVAL;
	}
	if (!acpi_check_table(t, len, sig, sizeof(struct acpi_header)))
		return -EINVAL;
	if ((len - sizeof(struct acpi_header)) % size != 0) {
		acpi_report(LOG_ERR, "%s: Length %u leaves a partial %zu-byte entry", sig, len, size);
		return -EINVAL;
	}
	count = (unsigned)((len - sizeof(struct acpi_header)) / size);
	for (unsigned i = 0; i < count && !err; i++)
		err = root_add(mem, root_entry(t + sizeof(struct acpi_header), i, size), sig, i, out);
	out->xsdt = xsdt;
	return err;
}

int acpi_walk_root(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_root *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->rsdp_phys = rsdp_phys;
	err = rsdp_read(mem, rsdp_phys, out);
	if (err)
		return err;
	if (out->xsdt_phys) {
		err = root_walk(mem, out->xsdt_phys, true, out);
		if (err == 0 || err == -E2BIG)
			return err;
		acpi_report(LOG_ERR, "XSDT at %#llx unusable; falling back to the RSDT",
			    (unsigned long long)out->xsdt_phys);
		out->table_count = 0;
	}
	if (!out->rsdt_phys) {
		acpi_report(LOG_ERR, "RSDP: no usable root table (RsdtAddress is 0)");
		return -EINVAL;
	}
	return root_walk(mem, out->rsdt_phys, false, out);
}
