/*
 * test_acpi_dmar.c - the DMAR parser on structures QEMU never produces
 * (INCLUDE_PCI_ALL, RMRRs, multi-hop paths, other structure types), on
 * broken device scopes, and device scope path resolution.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/dmar.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "tests/host/test_acpi.h"

#define DMAR_FIXED 48

static struct acpi_dmar dmar;
static struct ta_builder b;

/* ---- building DMARs ---- */

static void dm_begin(uint8_t width)
{
	ta_begin(&b, "DMAR", DMAR_FIXED);
	b.buf[36] = (uint8_t)(width - 1);
	b.buf[37] = ACPI_DMAR_INTR_REMAP;
}

/* Patch the Length of the structure opened at @off to end here. */
static void dm_close(size_t off)
{
	ta_put16(b.buf, off + 2, (uint16_t)(b.len - off));
}

static size_t dm_drhd(uint8_t flags, uint16_t segment, uint64_t base)
{
	size_t off = TA_ADD(&b, 0, 0, 0, 0, flags, 0);

	ta_add(&b, &segment, 2);
	ta_add(&b, &base, 8);
	dm_close(off);
	return off;
}

static size_t dm_rmrr(uint16_t segment, uint64_t base, uint64_t limit)
{
	size_t off = TA_ADD(&b, 1, 0, 0, 0, 0, 0);

	ta_add(&b, &segment, 2);
	ta_add(&b, &base, 8);
	ta_add(&b, &limit, 8);
	dm_close(off);
	return off;
}

static size_t dm_atsr(uint8_t flags, uint16_t segment)
{
	size_t off = TA_ADD(&b, 2, 0, 0, 0, flags, 0);

	ta_add(&b, &segment, 2);
	dm_close(off);
	return off;
}

/* A device scope: type, length, flags, reserved, id, start bus, hops. */
#define DM_SCOPE(type, id, bus, ...) \
	TA_ADD(&b, type, (uint8_t)(6 + sizeof((const uint8_t[]){ __VA_ARGS__ })), 0, 0, \
	       id, bus, __VA_ARGS__)

/* Finish and parse; the reports are cleared first. */
static int dm_parse(void)
{
	size_t len;
	uint8_t *tab = ta_finish(&b, &len);
	int err;

	ta_reports_clear();
	acpi_dmar_free(&dmar);
	err = acpi_parse_dmar(tab, len, &dmar);
	free(tab);
	return err;
}

/* ---- well-formed tables ---- */

/* A platform as real hardware describes it: a unit for the graphics
 * device, a catch-all unit, an RMRR for USB, ATS on one root port, and
 * structures we skip. */
static void every_structure(struct ktest *t)
{
	size_t off;

	dm_begin(46);
	off = dm_drhd(0, 0, 0xfed90000);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 2, 0);
	dm_close(off);
	off = dm_drhd(ACPI_DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed91000);
	DM_SCOPE(ACPI_DMAR_SCOPE_IOAPIC, 2, 0xf0, 0x1f, 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_HPET, 0, 0, 0x1f, 7);
	dm_close(off);
	off = dm_rmrr(0, 0x7c000000, 0x7c0fffff);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x14, 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1c, 0, 0, 0, 3, 1);
	dm_close(off);
	off = dm_atsr(0, 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_BRIDGE, 0, 0, 0x1c, 4);
	dm_close(off);
	TA_ADD(&b, 3, 0, 20, 0, 0, 0, 0, 0, 0, 0x90, 0xd9, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0); /* RHSA */
	TA_ADD(&b, 4, 0, 12, 0, 0, 0, 0, 1, 'D', 'E', 'V', 0);                          /* ANDD */
	TA_ADD(&b, 0x99, 0, 4, 0);                                                      /* future */
	KT_ASSERT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, ta_errors + ta_warnings, 0);
	KT_EXPECT_EQ(t, dmar.host_address_width, 46);
	KT_EXPECT_EQ(t, dmar.flags, ACPI_DMAR_INTR_REMAP);
	KT_ASSERT_EQ(t, dmar.drhd_count, 2);
	KT_EXPECT_FALSE(t, dmar.drhds[0].include_pci_all);
	KT_EXPECT_EQ(t, dmar.drhds[0].scope_count, 1);
	KT_EXPECT_EQ(t, dmar.drhds[0].scopes[0].path[0].dev, 2);
	KT_EXPECT_TRUE(t, dmar.drhds[1].include_pci_all);
	KT_EXPECT_UEQ(t, dmar.drhds[1].base, 0xfed91000);
	KT_ASSERT_EQ(t, dmar.drhds[1].scope_count, 2);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[0].type, ACPI_DMAR_SCOPE_IOAPIC);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[0].enumeration_id, 2);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[0].start_bus, 0xf0);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[1].path[0].fn, 7);
	KT_ASSERT_EQ(t, dmar.rmrr_count, 1);
	KT_EXPECT_UEQ(t, dmar.rmrrs[0].base, 0x7c000000);
	KT_EXPECT_UEQ(t, dmar.rmrrs[0].limit, 0x7c0fffff);
	KT_ASSERT_EQ(t, dmar.rmrrs[0].scope_count, 2);
	KT_EXPECT_EQ(t, dmar.rmrrs[0].scopes[1].path_len, 3);
	KT_EXPECT_EQ(t, dmar.rmrrs[0].scopes[1].path[2].dev, 3);
	KT_EXPECT_EQ(t, dmar.rmrrs[0].scopes[1].path[2].fn, 1);
	KT_ASSERT_EQ(t, dmar.atsr_count, 1);
	KT_EXPECT_FALSE(t, dmar.atsrs[0].all_ports);
	KT_EXPECT_EQ(t, dmar.atsrs[0].scopes[0].type, ACPI_DMAR_SCOPE_BRIDGE);
	KT_EXPECT_EQ(t, dmar.other_count, 3);
}

/* A DMAR without DRHD is legal but useless: a warning, no error. */
static void no_drhd_warned(struct ktest *t)
{
	dm_begin(39);
	KT_EXPECT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, ta_warnings, 1);
	KT_EXPECT_EQ(t, dmar.drhd_count, 0);
}

/* Host Address Width is stored minus one; 64 bits is the most there is. */
static void host_address_width(struct ktest *t)
{
	dm_begin(64);
	KT_EXPECT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, dmar.host_address_width, 64);
	dm_begin(65);
	KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Host Address Width");
	b.buf[36] = 0xff;
	KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
}

/* ---- malformed structures and scopes ---- */

/* One DRHD whose only scope is @scope (@n bytes, Length not fixed up). */
static int drhd_with_scope(const uint8_t *scope, size_t n)
{
	size_t off;

	dm_begin(39);
	off = dm_drhd(0, 0, 0xfed90000);
	ta_add(&b, scope, n);
	dm_close(off);
	return dm_parse();
}

/* Scope lengths that would loop, leave half a hop, or leave the structure. */
static void bad_scope_lengths(struct ktest *t)
{
	static const struct { uint8_t bytes[10]; size_t n; const char *says; } cases[] = {
		{ { 1, 0, 0, 0, 0, 0, 3, 0 }, 8, "Length 0" },          /* would never advance */
		{ { 1, 6, 0, 0, 0, 0 }, 6, "Length 6" },                 /* no path at all */
		{ { 1, 7, 0, 0, 0, 0, 3 }, 7, "Length 7" },              /* half a hop */
		{ { 1, 9, 0, 0, 0, 0, 3, 0, 4 }, 9, "Length 9" },
		{ { 1, 10, 0, 0, 0, 0, 3, 0 }, 8, "within 8..8" },       /* past its structure */
		{ { 1, 8, 0 }, 3, "stray" },                             /* header cut short */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		KT_EXPECT_EQ(t, drhd_with_scope(cases[i].bytes, cases[i].n), -EINVAL);
		KT_EXPECT_EQ(t, ta_errors, 1);
		KT_EXPECT_SUBSTR(t, ta_last_report, cases[i].says);
		KT_EXPECT_SUBSTR(t, ta_last_report, "DRHD at offset 0x30");
		KT_EXPECT_TRUE(t, ta_all_zero(&dmar, sizeof(dmar)));
	}
}

/* A hop must be a possible device (0-31) and function (0-7). */
static void bad_path_entries(struct ktest *t)
{
	static const uint8_t dev32[] = { 1, 10, 0, 0, 0, 0, 0x1c, 0, 32, 0 };
	static const uint8_t fn8[] = { 1, 8, 0, 0, 0, 0, 0x1f, 8 };

	KT_EXPECT_EQ(t, drhd_with_scope(dev32, sizeof(dev32)), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Path entry 1 is device 32 function 0");
	KT_EXPECT_EQ(t, drhd_with_scope(fn8, sizeof(fn8)), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "device 31 function 8, beyond 31 and 7");
}

/* Remapping structures whose Length cannot be right. */
static void bad_structure_lengths(struct ktest *t)
{
	static const uint16_t lengths[] = { 0, 3, 4, 15 };   /* a DRHD needs 16 */
	size_t off;

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		dm_begin(39);
		off = dm_drhd(0, 0, 0xfed90000);
		ta_put16(b.buf, off + 2, lengths[i]);
		KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "DRHD (type 0) at offset 0x30: Length");
	}
	dm_begin(39);
	off = dm_drhd(0, 0, 0xfed90000);
	ta_put16(b.buf, off + 2, 17);                      /* one byte past the end */
	KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
	for (uint8_t len = 0; len < 4; len++) {           /* unknown type, Length < 4 */
		dm_begin(39);
		TA_ADD(&b, 7, 0, len, 0);
		dm_drhd(0, 0, 0xfed90000);
		KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "structure (type 7) at offset 0x30");
	}
	dm_begin(39);
	dm_drhd(0, 0, 0xfed90000);
	TA_ADD(&b, 0, 0, 4);                               /* three stray bytes */
	KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "3 stray byte(s) at offset 0x40");
}

/* Addresses that are not page-granular, and an upside-down RMRR. */
static void bad_addresses(struct ktest *t)
{
	static const uint64_t drhd_bases[] = { 0, 0xfed90010 };
	static const uint64_t rmrr[][2] = {
		{ 0x1000, 0xfff }, { 0x1000, 0x1ffe }, { 0x1800, 0x1fff },
	};

	for (size_t i = 0; i < 2; i++) {
		dm_begin(39);
		dm_drhd(0, 0, drhd_bases[i]);
		KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "Register Base Address");
	}
	for (size_t i = 0; i < 3; i++) {
		dm_begin(39);
		dm_rmrr(0, rmrr[i][0], rmrr[i][1]);
		KT_EXPECT_EQ(t, dm_parse(), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "RMRR at offset 0x30");
	}
	dm_begin(39);
	dm_rmrr(0, 0xfffffffffffff000ULL, 0xffffffffffffffffULL);  /* the last page */
	KT_EXPECT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, dmar.rmrr_count, 1);
}

/* ---- no fixed limit ---- */

/* More units, regions and ATS reports than the old fixed arrays held
 * (8, 8 and 4): every one is kept, in table order. */
static void many_structures(struct ktest *t)
{
	dm_begin(39);
	for (unsigned i = 0; i < 20; i++)
		dm_drhd(0, 0, 0xfed90000 + 0x1000ULL * i);
	for (unsigned i = 0; i < 12; i++)
		dm_rmrr(0, 0x10000ULL * i, 0x10000ULL * i + 0xfff);
	for (unsigned i = 0; i < 9; i++)
		dm_atsr(1, (uint16_t)i);
	KT_EXPECT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, ta_errors, 0);
	KT_ASSERT_EQ(t, dmar.drhd_count, 20);
	KT_EXPECT_UEQ(t, dmar.drhds[19].base, 0xfed90000 + 0x13000);
	KT_ASSERT_EQ(t, dmar.rmrr_count, 12);
	KT_EXPECT_UEQ(t, dmar.rmrrs[11].base, 0xb0000);
	KT_ASSERT_EQ(t, dmar.atsr_count, 9);
	KT_EXPECT_EQ(t, dmar.atsrs[8].segment, 8);
	KT_EXPECT_EQ(t, dmar.scope_total, 0);
}

/* QEMU lists each root-bus device as its own scope: 24 edu devices and
 * the chipset's make more than the 16 a DRHD once held. Every scope is
 * kept, each structure's own slice of the pool, in table order. */
static void many_scopes(struct ktest *t)
{
	size_t off;

	dm_begin(39);
	off = dm_drhd(0, 0, 0xfed90000);
	for (unsigned i = 0; i < 31; i++)
		DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, (uint8_t)(i + 1), 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_IOAPIC, 0, 0xff, 0, 0);
	dm_close(off);
	off = dm_rmrr(0, 0x10000, 0x1ffff);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1d, 1);
	dm_close(off);
	off = dm_drhd(0, 0, 0xfed91000);
	for (unsigned i = 0; i < 20; i++)
		DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 1, (uint8_t)i, 0);
	dm_close(off);
	KT_EXPECT_EQ(t, dm_parse(), 0);
	KT_EXPECT_EQ(t, ta_errors, 0);
	KT_ASSERT_EQ(t, dmar.drhd_count, 2);
	KT_ASSERT_EQ(t, dmar.drhds[0].scope_count, 32);
	for (unsigned i = 0; i < 31; i++)
		KT_EXPECT_EQ(t, dmar.drhds[0].scopes[i].path[0].dev, i + 1);
	KT_EXPECT_EQ(t, dmar.drhds[0].scopes[31].type, ACPI_DMAR_SCOPE_IOAPIC);
	KT_ASSERT_EQ(t, dmar.rmrrs[0].scope_count, 1);
	KT_EXPECT_EQ(t, dmar.rmrrs[0].scopes[0].path[0].fn, 1);
	KT_ASSERT_EQ(t, dmar.drhds[1].scope_count, 20);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[19].path[0].dev, 19);
	KT_EXPECT_EQ(t, dmar.drhds[1].scopes[19].start_bus, 1);
	KT_EXPECT_EQ(t, dmar.scope_total, 53);
	KT_EXPECT_TRUE(t, dmar.drhds[1].scopes == dmar.scope_pool + 33);
}

/* No memory for the arrays: reported, nothing kept, nothing leaked (each
 * of the four allocations fails in turn; ASan sees the rest freed). */
static void no_memory(struct ktest *t)
{
	for (unsigned n = 1; n <= 4; n++) {
		size_t off;

		dm_begin(39);
		off = dm_drhd(0, 0, 0xfed90000);
		DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 1, 0);
		dm_close(off);
		dm_rmrr(0, 0x10000, 0x1ffff);
		dm_atsr(1, 0);
		ta_allocs = 0;
		ta_alloc_fail_at = n;
		KT_EXPECT_EQ(t, dm_parse(), -ENOMEM);
		ta_alloc_fail_at = 0;
		KT_EXPECT_EQ(t, ta_allocs, 4);
		KT_EXPECT_SUBSTR(t, ta_last_report, "no memory for 1 DRHDs, 1 RMRRs, 1 ATSRs and 1 "
						    "device scopes");
		KT_EXPECT_TRUE(t, ta_all_zero(&dmar, sizeof(dmar)));
	}
}

/* A path longer than ACPI_DMAR_MAX_PATH is dropped whole, not cut (a cut
 * path would name another device); one of exactly the maximum is kept. */
static void long_paths(struct ktest *t)
{
	size_t off;

	dm_begin(39);
	off = dm_drhd(0, 0, 0xfed90000);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0,
		 9, 0);
	DM_SCOPE(ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 0);
	dm_close(off);
	KT_EXPECT_EQ(t, dm_parse(), -E2BIG);
	KT_EXPECT_SUBSTR(t, ta_last_report, "path of 9 hops, more than the 8 kept "
					    "(ACPI_DMAR_MAX_PATH)");
	KT_EXPECT_EQ(t, ta_errors, 1);
	KT_ASSERT_EQ(t, dmar.drhds[0].scope_count, 2);
	KT_EXPECT_EQ(t, dmar.drhds[0].scopes[0].path_len, ACPI_DMAR_MAX_PATH);
	KT_EXPECT_EQ(t, dmar.drhds[0].scopes[0].path[7].dev, 8);
	KT_EXPECT_EQ(t, dmar.drhds[0].scopes[1].path[0].dev, 0x1f);
}

/* ---- following paths ---- */

/* A fake PCI topology: bridges at 00:1c.0 -> bus 2, and 02:00.0 -> bus 3. */
struct fake_pci {
	unsigned calls;
};

static int fake_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct fake_pci *pci = ctx;

	pci->calls++;
	if (bus == 0 && dev == 0x1c && fn == 0)
		return 2;
	if (bus == 2 && dev == 0 && fn == 0)
		return 3;
	if (bus == 3 && dev == 1 && fn == 0)
		return 3;          /* broken: secondary bus not above the bridge's */
	if (bus == 3 && dev == 2 && fn == 0)
		return 256;        /* broken: no such bus */
	return -ENODEV;
}

static int resolve(const struct acpi_dmar_scope *s, struct fake_pci *pci,
		   uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	pci->calls = 0;
	return acpi_dmar_scope_resolve(s, fake_secondary_bus, pci, bus, dev, fn);
}

static void resolve_paths(struct ktest *t)
{
	struct acpi_dmar_scope s = { .type = 1, .start_bus = 0, .path_len = 3,
				     .path = { { 0x1c, 0 }, { 0, 0 }, { 5, 1 } } };
	struct fake_pci pci;
	uint8_t bus = 0xee, dev = 0xee, fn = 0xee;

	KT_ASSERT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), 0);
	KT_EXPECT_EQ(t, bus, 3);
	KT_EXPECT_EQ(t, dev, 5);
	KT_EXPECT_EQ(t, fn, 1);
	KT_EXPECT_EQ(t, pci.calls, 2);
	s.path_len = 1;                                    /* no bridge: no config read */
	KT_ASSERT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), 0);
	KT_EXPECT_EQ(t, bus, 0);
	KT_EXPECT_EQ(t, dev, 0x1c);
	KT_EXPECT_EQ(t, pci.calls, 0);
	s.path_len = 0;
	KT_EXPECT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), -EINVAL);
	s.path_len = ACPI_DMAR_MAX_PATH + 1;
	KT_EXPECT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), -EINVAL);
}

/* The callback's errors pass through; impossible bus numbers are refused. */
static void resolve_failures(struct ktest *t)
{
	struct acpi_dmar_scope s = { .type = 1, .start_bus = 0, .path_len = 2,
				     .path = { { 0x1d, 0 }, { 0, 0 } } };
	struct fake_pci pci;
	uint8_t bus, dev, fn;

	KT_EXPECT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), -ENODEV);
	s.start_bus = 3;
	s.path[0].dev = 1;                                 /* secondary bus 3 on bus 3 */
	KT_EXPECT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), -EINVAL);
	s.path[0].dev = 2;                                 /* secondary bus 256 */
	KT_EXPECT_EQ(t, resolve(&s, &pci, &bus, &dev, &fn), -EINVAL);
}

/* QEMU's root port scope: one hop, so it names the port itself. */
static void resolve_captured_bridge(struct ktest *t)
{
	size_t len;
	void *tab = ta_load("pvh-bridge", "DMAR.bin", &len);
	struct fake_pci pci;
	uint8_t bus, dev, fn;

	KT_ASSERT_NOT_NULL(t, tab);
	acpi_dmar_free(&dmar);
	KT_ASSERT_EQ(t, acpi_parse_dmar(tab, len, &dmar), 0);
	free(tab);
	KT_ASSERT_EQ(t, dmar.drhds[0].scopes[2].type, ACPI_DMAR_SCOPE_BRIDGE);
	KT_ASSERT_EQ(t, resolve(&dmar.drhds[0].scopes[2], &pci, &bus, &dev, &fn), 0);
	KT_EXPECT_EQ(t, bus, 0);
	KT_EXPECT_EQ(t, dev, 1);
	KT_EXPECT_EQ(t, fn, 0);
}

static void scope_type_names(struct ktest *t)
{
	KT_EXPECT_STREQ(t, acpi_dmar_scope_type_name(ACPI_DMAR_SCOPE_ENDPOINT), "endpoint");
	KT_EXPECT_STREQ(t, acpi_dmar_scope_type_name(ACPI_DMAR_SCOPE_BRIDGE), "bridge");
	KT_EXPECT_STREQ(t, acpi_dmar_scope_type_name(ACPI_DMAR_SCOPE_IOAPIC), "IOAPIC");
	KT_EXPECT_STREQ(t, acpi_dmar_scope_type_name(ACPI_DMAR_SCOPE_HPET), "HPET");
	KT_EXPECT_STREQ(t, acpi_dmar_scope_type_name(0), "reserved type");
}

/* Not a check: gives back the last parse's arrays, so that a leak
 * checker run over the host tests reports only real leaks. */
static void free_last(struct ktest *t)
{
	acpi_dmar_free(&dmar);
	KT_EXPECT_TRUE(t, ta_all_zero(&dmar, sizeof(dmar)));
}

KTEST_SUITE(acpi_dmar,
	    KTEST_CASE(every_structure),
	    KTEST_CASE(no_drhd_warned),
	    KTEST_CASE(host_address_width),
	    KTEST_CASE(bad_scope_lengths),
	    KTEST_CASE(bad_path_entries),
	    KTEST_CASE(bad_structure_lengths),
	    KTEST_CASE(bad_addresses),
	    KTEST_CASE(many_structures),
	    KTEST_CASE(many_scopes),
	    KTEST_CASE(no_memory),
	    KTEST_CASE(long_paths),
	    KTEST_CASE(resolve_paths),
	    KTEST_CASE(resolve_failures),
	    KTEST_CASE(resolve_captured_bridge),
	    KTEST_CASE(scope_type_names),
	    KTEST_CASE(free_last));
