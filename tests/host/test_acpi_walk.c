/*
 * test_acpi_walk.c - from the RSDP to the table list, over captured memory.
 *
 * Each test rebuilds a QEMU machine's memory from tests/host/data/acpi/
 * (every table at its physical address, nothing else readable), then
 * corrupts one thing and walks it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "tests/host/test_acpi.h"

/* RSDP field offsets (ACPI 6.5 5.2.5.3). */
#define RSDP_CHECKSUM     8
#define RSDP_REVISION     15
#define RSDP_RSDT_ADDRESS 16
#define RSDP_LENGTH       20
#define RSDP_XSDT_ADDRESS 24
#define RSDP_EXT_CHECKSUM 32
#define HEADER_LEN        36

static struct ta_image img;
static struct acpi_root root;

/* Load @machine's memory; the case fails if the data files are missing. */
#define LOAD(t, machine) KT_ASSERT_EQ(t, ta_image_load(&img, machine), 0)

static int walk(void)
{
	struct acpi_mem mem = ta_image_mem(&img);

	ta_reports_clear();
	return acpi_walk_root(&mem, img.rsdp_phys, &root);
}

/* Fix both RSDP checksums after an edit. */
static void rsdp_fix(uint8_t *r, size_t len)
{
	r[RSDP_CHECKSUM] = 0;
	r[RSDP_CHECKSUM] = (uint8_t)(0x100 - acpi_checksum(r, 20));
	if (len > 20) {
		r[RSDP_EXT_CHECKSUM] = 0;
		r[RSDP_EXT_CHECKSUM] = (uint8_t)(0x100 - acpi_checksum(r, len));
	}
}

static bool listed(const char *sig)
{
	for (unsigned i = 0; i < root.table_count; i++)
		if (strcmp(root.tables[i].signature, sig) == 0)
			return true;
	return false;
}

/* SeaBIOS (PVH): ACPI 1.0 RSDP, tables from the RSDT, in its order. */
static void pvh_uses_rsdt(struct ktest *t)
{
	static const char *const sigs[] = { "FACP", "APIC", "HPET", "MCFG", "WAET" };

	LOAD(t, "pvh");
	KT_ASSERT_EQ(t, walk(), 0);
	KT_EXPECT_EQ(t, ta_errors + ta_warnings, 0);
	KT_EXPECT_EQ(t, root.rsdp_revision, 0);
	KT_EXPECT_STREQ(t, root.oem_id, "BOCHS ");
	KT_EXPECT_UEQ(t, root.rsdp_phys, 0xf59e0);
	KT_EXPECT_UEQ(t, root.rsdt_phys, 0x1ffe2270);
	KT_EXPECT_UEQ(t, root.xsdt_phys, 0);
	KT_EXPECT_FALSE(t, root.xsdt);
	KT_ASSERT_EQ(t, root.table_count, 5);
	for (unsigned i = 0; i < 5; i++) {
		const struct ta_image_table *c = ta_image_table(&img, sigs[i]);

		KT_EXPECT_STREQ(t, root.tables[i].signature, sigs[i]);
		KT_ASSERT_NOT_NULL(t, c);
		KT_EXPECT_UEQ(t, root.tables[i].phys, c->phys);
		KT_EXPECT_EQ(t, root.tables[i].length, c->len);
		KT_EXPECT_TRUE(t, root.tables[i].data == c->data);
		KT_EXPECT_STREQ(t, root.tables[i].oem_id, "BOCHS ");
		KT_EXPECT_STREQ(t, root.tables[i].oem_table_id, "BXPC    ");
	}
	KT_EXPECT_EQ(t, root.tables[0].revision, 3);   /* FADT */
	KT_EXPECT_EQ(t, root.tables[1].revision, 1);   /* MADT */
	ta_image_free(&img);
}

/* OVMF (UEFI): ACPI 2.0 RSDP, and the XSDT wins over the RSDT. */
static void uefi_prefers_xsdt(struct ktest *t)
{
	LOAD(t, "uefi");
	KT_ASSERT_EQ(t, walk(), 0);
	KT_EXPECT_EQ(t, ta_errors + ta_warnings, 0);
	KT_EXPECT_EQ(t, root.rsdp_revision, 2);
	KT_EXPECT_UEQ(t, root.rsdp_phys, 0x1fb7e014);
	KT_EXPECT_UEQ(t, root.rsdt_phys, 0x1fb7d074);
	KT_EXPECT_UEQ(t, root.xsdt_phys, 0x1fb7d0e8);
	KT_EXPECT_TRUE(t, root.xsdt);
	KT_ASSERT_EQ(t, root.table_count, 5);
	KT_EXPECT_STREQ(t, root.tables[0].signature, "FACP");
	KT_EXPECT_UEQ(t, root.tables[0].phys, 0x1fb79000);
	KT_EXPECT_STREQ(t, root.tables[4].signature, "WAET");
	ta_image_free(&img);
}

/* The DMAR is listed exactly when QEMU has an intel-iommu. */
static void dmar_only_with_iommu(struct ktest *t)
{
	static const struct { const char *machine; bool dmar; } cases[] = {
		{ "pvh", false }, { "uefi", false }, { "pvh-iommu", true },
		{ "pvh-iommu48-cm", true }, { "uefi-iommu", true }, { "pvh-bridge", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		LOAD(t, cases[i].machine);
		KT_EXPECT_EQ(t, walk(), 0);
		KT_EXPECT_EQ(t, listed("DMAR"), cases[i].dmar);
		KT_EXPECT_TRUE(t, listed("APIC") && listed("FACP") && listed("MCFG") && listed("HPET"));
		ta_image_free(&img);
	}
}

/* A corrupt XSDT must not cost the machine its tables: the RSDT serves. */
static void bad_xsdt_falls_back_to_rsdt(struct ktest *t)
{
	struct ta_image_table *x;

	LOAD(t, "uefi");
	x = ta_image_table(&img, "XSDT");
	KT_ASSERT_NOT_NULL(t, x);
	x->data[HEADER_LEN] ^= 0x40;          /* first entry: checksum now off */
	KT_ASSERT_EQ(t, walk(), 0);
	KT_EXPECT_FALSE(t, root.xsdt);
	KT_EXPECT_EQ(t, root.table_count, 5);
	KT_EXPECT_GE(t, ta_errors, 2);         /* the XSDT's checksum, the fallback */
	KT_EXPECT_SUBSTR(t, ta_last_report, "falling back to the RSDT");
	ta_image_free(&img);
}

/* An XSDT address nothing lives at: reported, RSDT used. */
static void unmapped_xsdt_falls_back(struct ktest *t)
{
	struct ta_image_table *r;

	LOAD(t, "uefi");
	r = ta_image_table(&img, "RSDP");
	ta_put64(r->data, RSDP_XSDT_ADDRESS, 0xdead0000);
	rsdp_fix(r->data, r->len);
	KT_ASSERT_EQ(t, walk(), 0);
	KT_EXPECT_FALSE(t, root.xsdt);
	KT_EXPECT_EQ(t, root.table_count, 5);
	KT_EXPECT_UEQ(t, root.xsdt_phys, 0xdead0000);
	ta_image_free(&img);
}

/* The ACPI 2.0 part of the RSDP is checked before the XSDT is trusted. */
static void rsdp_v2_part_checked(struct ktest *t)
{
	static const uint32_t bad_lengths[] = { 0, 20, 35, 37, 4097, 0xffffffff };
	struct ta_image_table *r;

	for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++) {
		LOAD(t, "uefi");
		r = ta_image_table(&img, "RSDP");
		ta_put32(r->data, RSDP_LENGTH, bad_lengths[i]);
		rsdp_fix(r->data, 20);
		KT_EXPECT_EQ(t, walk(), 0);
		KT_EXPECT_FALSE(t, root.xsdt);      /* 37 runs past the 36 bytes there */
		KT_EXPECT_EQ(t, root.xsdt_phys, 0);
		KT_EXPECT_EQ(t, root.table_count, 5);
		KT_EXPECT_EQ(t, ta_errors, 1);
		ta_image_free(&img);
	}
	LOAD(t, "uefi");
	r = ta_image_table(&img, "RSDP");
	r->data[RSDP_EXT_CHECKSUM] ^= 1;
	KT_EXPECT_EQ(t, walk(), 0);
	KT_EXPECT_FALSE(t, root.xsdt);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Extended Checksum");
	ta_image_free(&img);
}

/* Without a valid RSDP there is nothing: no guessing. */
static void bad_rsdp_refused(struct ktest *t)
{
	struct acpi_mem mem;
	struct ta_image_table *r;

	LOAD(t, "pvh");
	r = ta_image_table(&img, "RSDP");
	r->data[RSDP_CHECKSUM] ^= 1;
	KT_EXPECT_EQ(t, walk(), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Checksum");
	r->data[RSDP_CHECKSUM] ^= 1;
	r->data[0] = 'X';
	KT_EXPECT_EQ(t, walk(), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Signature");
	KT_EXPECT_EQ(t, root.table_count, 0);
	mem = ta_image_mem(&img);
	KT_EXPECT_EQ(t, acpi_walk_root(&mem, 0x12345000, &root), -EFAULT);
	KT_EXPECT_EQ(t, acpi_walk_root(&mem, img.rsdp_phys + 1, &root), -EFAULT);
	ta_image_free(&img);
}

/* Revision 1 is undefined: warned about, read as ACPI 1.0. A revision-0
 * RSDP's XSDT fields are never looked at (they are not even mapped). */
static void rsdp_revision_1(struct ktest *t)
{
	struct ta_image_table *r;

	LOAD(t, "uefi");
	r = ta_image_table(&img, "RSDP");
	r->data[RSDP_REVISION] = 1;
	rsdp_fix(r->data, r->len);
	KT_EXPECT_EQ(t, walk(), 0);
	KT_EXPECT_EQ(t, ta_warnings, 1);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Revision 1");
	KT_EXPECT_FALSE(t, root.xsdt);
	KT_EXPECT_EQ(t, root.table_count, 5);
	ta_image_free(&img);
}

/* An RSDT too short, too long for memory, or whose entries do not divide
 * evenly: the walk fails (PVH has no XSDT to fall back on). */
static void bad_rsdt_refused(struct ktest *t)
{
	static const uint32_t lengths[] = { 0, 35, 54, 57, 0xffffffff };
	struct ta_image_table *r;

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		LOAD(t, "pvh");
		r = ta_image_table(&img, "RSDT");
		if (lengths[i] >= HEADER_LEN && lengths[i] <= r->len)
			ta_set_length(r->data, lengths[i]);   /* checksum made right */
		else
			ta_put32(r->data, 4, lengths[i]);
		KT_EXPECT_EQ(t, walk(), -EINVAL);
		KT_EXPECT_EQ(t, root.table_count, 0);
		KT_EXPECT_EQ(t, ta_errors, 1);
		if (lengths[i] == 54)
			KT_EXPECT_SUBSTR(t, ta_last_report, "partial 4-byte entry");
		ta_image_free(&img);
	}
	LOAD(t, "pvh");
	r = ta_image_table(&img, "RSDP");
	ta_put32(r->data, RSDP_RSDT_ADDRESS, 0);
	rsdp_fix(r->data, r->len);
	KT_EXPECT_EQ(t, walk(), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "RsdtAddress");
	ta_image_free(&img);
}

/* A table that fails its own checks is left out; the others stay. */
static void bad_tables_skipped(struct ktest *t)
{
	struct ta_image_table *rsdt, *hpet, *mcfg, *apic;

	LOAD(t, "pvh");
	rsdt = ta_image_table(&img, "RSDT");
	hpet = ta_image_table(&img, "HPET");
	mcfg = ta_image_table(&img, "MCFG");
	apic = ta_image_table(&img, "APIC");
	hpet->data[40] ^= 1;                                  /* checksum broken */
	ta_set_length(mcfg->data, 35);                        /* shorter than a header */
	ta_put32(apic->data, 4, 0xffffffff);                  /* longer than memory */
	ta_put32(rsdt->data, HEADER_LEN + 4 * 4, 0);          /* WAET entry: address 0 */
	ta_fix_checksum(rsdt->data);
	KT_ASSERT_EQ(t, walk(), 0);
	KT_EXPECT_EQ(t, ta_errors, 4);
	KT_ASSERT_EQ(t, root.table_count, 1);
	KT_EXPECT_STREQ(t, root.tables[0].signature, "FACP");
	ta_image_free(&img);
}

/* A header near the top of the address space whose Length would wrap:
 * the whole table must never even be asked for. */
static uint8_t top_header[HEADER_LEN];
static unsigned whole_table_requests;

static const void *top_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (phys == 0xffffffffffffffc0ULL && len == HEADER_LEN)
		return top_header;
	whole_table_requests++;
	return NULL;
}

static void wrapping_table_refused(struct ktest *t)
{
	struct acpi_mem mem = { top_map, NULL };
	uint32_t len = 0;

	memcpy(top_header, "WRAP", 4);
	ta_put32(top_header, 4, 0x80);
	whole_table_requests = 0;
	KT_EXPECT_NULL(t, acpi_map_table(&mem, 0xffffffffffffffc0ULL, &len));
	KT_EXPECT_EQ(t, whole_table_requests, 0);
	ta_put32(top_header, 4, 0x40);        /* ends exactly at 2^64: fine to ask */
	KT_EXPECT_NULL(t, acpi_map_table(&mem, 0xffffffffffffffc0ULL, &len));
	KT_EXPECT_EQ(t, whole_table_requests, 1);
}

/* More tables than ACPI_MAX_TABLES: the first ones are kept, it is said. */
static void too_many_tables(struct ktest *t)
{
	unsigned n = ACPI_MAX_TABLES + 8;
	char want[64];
	size_t len = HEADER_LEN + 4 * n;
	struct ta_image_table *rsdt, *fadt;
	uint8_t *big;

	LOAD(t, "pvh");
	rsdt = ta_image_table(&img, "RSDT");
	fadt = ta_image_table(&img, "FACP");
	big = ta_dup(rsdt->data, HEADER_LEN, len);
	for (unsigned i = 0; i < n; i++)
		ta_put32(big, HEADER_LEN + 4 * i, (uint32_t)fadt->phys);
	ta_set_length(big, (uint32_t)len);
	free(rsdt->data);
	rsdt->data = big;
	rsdt->len = len;
	KT_EXPECT_EQ(t, walk(), -E2BIG);
	KT_EXPECT_EQ(t, root.table_count, ACPI_MAX_TABLES);
	KT_EXPECT_EQ(t, ta_errors, 1);
	snprintf(want, sizeof(want), "more than %u tables (ACPI_MAX_TABLES)", ACPI_MAX_TABLES);
	KT_EXPECT_SUBSTR(t, ta_last_report, want);
	ta_image_free(&img);
}

/* The root table cut short at every length: each walk fails cleanly
 * (AddressSanitizer watches the exact-size buffer). */
static void rsdt_truncated_everywhere(struct ktest *t)
{
	for (size_t n = 0; n < 56; n++) {
		struct ta_image_table *rsdt;

		LOAD(t, "pvh");
		rsdt = ta_image_table(&img, "RSDT");
		KT_ASSERT_EQ(t, rsdt->len, 56);
		rsdt->len = n;
		rsdt->data = realloc(rsdt->data, n ? n : 1);
		KT_EXPECT_EQ(t, walk(), -EINVAL);
		ta_image_free(&img);
	}
}

KTEST_SUITE(acpi_walk,
	    KTEST_CASE(pvh_uses_rsdt),
	    KTEST_CASE(uefi_prefers_xsdt),
	    KTEST_CASE(dmar_only_with_iommu),
	    KTEST_CASE(bad_xsdt_falls_back_to_rsdt),
	    KTEST_CASE(unmapped_xsdt_falls_back),
	    KTEST_CASE(rsdp_v2_part_checked),
	    KTEST_CASE(bad_rsdp_refused),
	    KTEST_CASE(rsdp_revision_1),
	    KTEST_CASE(bad_rsdt_refused),
	    KTEST_CASE(bad_tables_skipped),
	    KTEST_CASE(wrapping_table_refused),
	    KTEST_CASE(too_many_tables),
	    KTEST_CASE(rsdt_truncated_everywhere));
