/*
 * test_acpi_malformed.c - hostile tables: every parser must report the
 * problem, name the table and the field, return -EINVAL and read nothing
 * outside the buffer (AddressSanitizer watches every exact-size buffer).
 *
 * The malformed tables are made from the captured ones (truncated at every
 * length, checksums broken, lengths lying) and, where QEMU never produces
 * the structure, built byte by byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "tests/host/test_acpi.h"

#define HEADER_LEN 36
#define MADT_FIXED 44
#define MCFG_FIXED 44
#define DMAR_FIXED 48
#define FADT_V1    116

static struct acpi_fadt fadt;
static struct acpi_madt madt;
static struct acpi_mcfg mcfg;
static struct acpi_hpet hpet;
static struct acpi_dmar dmar;

static int parse_fadt(const void *t, size_t n) { return acpi_parse_fadt(t, n, &fadt); }
static int parse_madt(const void *t, size_t n) { return acpi_parse_madt(t, n, &madt); }
static int parse_mcfg(const void *t, size_t n) { return acpi_parse_mcfg(t, n, &mcfg); }
static int parse_hpet(const void *t, size_t n) { return acpi_parse_hpet(t, n, &hpet); }
static int parse_dmar(const void *t, size_t n)
{
	acpi_dmar_free(&dmar);   /* the previous result's arrays */
	return acpi_parse_dmar(t, n, &dmar);
}

/* A parser, its output and the name its messages use. */
struct kind {
	const char *sig;
	const char *name;
	int (*parse)(const void *t, size_t n);
	const void *out;
	size_t out_size;
};

static const struct kind FACP = { "FACP", "FADT", parse_fadt, &fadt, sizeof(fadt) };
static const struct kind APIC = { "APIC", "MADT", parse_madt, &madt, sizeof(madt) };
static const struct kind MCFG = { "MCFG", "MCFG", parse_mcfg, &mcfg, sizeof(mcfg) };
static const struct kind HPET = { "HPET", "HPET", parse_hpet, &hpet, sizeof(hpet) };
static const struct kind DMAR = { "DMAR", "DMAR", parse_dmar, &dmar, sizeof(dmar) };

/* The captured tables the generic tests start from. */
static const struct { const char *machine; const struct kind *kind; } sources[] = {
	{ "pvh", &FACP }, { "uefi", &FACP }, { "pvh", &APIC }, { "pvh-bridge", &APIC },
	{ "pvh", &MCFG }, { "pvh", &HPET }, { "pvh-iommu", &DMAR }, { "pvh-bridge", &DMAR },
	{ "uefi-iommu", &DMAR },
};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static uint8_t *load(const char *machine, const struct kind *k, size_t *len)
{
	char file[16];

	snprintf(file, sizeof(file), "%s.bin", k->sig);
	return ta_load(machine, file, len);
}

/* Does a list of (type, length) entries from @start end exactly at @n?
 * Length is one byte at +1 (MADT) or two at +2 (DMAR). */
static bool on_boundary(const uint8_t *t, size_t len, size_t start, bool wide, size_t n)
{
	size_t off = start;

	while (off < n && off < len)
		off += wide ? (size_t)(t[off + 2] | t[off + 3] << 8) : t[off + 1];
	return off == n;
}

/* Would a table cut to @n bytes (Length fixed) still be well-formed? */
static bool whole_at(const struct kind *k, const uint8_t *t, size_t len, size_t n)
{
	if (k == &FACP)
		return n >= FADT_V1;
	if (k == &HPET)
		return n >= 56;
	if (k == &MCFG)
		return n >= MCFG_FIXED && (n - MCFG_FIXED) % 16 == 0;
	if (k == &APIC)
		return n >= MADT_FIXED && on_boundary(t, len, MADT_FIXED, false, n);
	return n >= DMAR_FIXED && on_boundary(t, len, DMAR_FIXED, true, n);
}

/* Buffers shorter than the table's Length: always refused, output zeroed. */
static void truncated_buffers(struct ktest *t)
{
	for (size_t s = 0; s < NSOURCES; s++) {
		const struct kind *k = sources[s].kind;
		size_t len;
		uint8_t *tab = load(sources[s].machine, k, &len);

		KT_ASSERT_NOT_NULL(t, tab);
		for (size_t n = 0; n < len; n++) {
			uint8_t *cut = ta_dup(tab, n, n);

			ta_reports_clear();
			KT_EXPECT_EQ(t, k->parse(cut, n), -EINVAL);
			KT_EXPECT_EQ(t, ta_errors, 1);
			KT_EXPECT_SUBSTR(t, ta_last_report, k->name);
			KT_EXPECT_TRUE(t, ta_all_zero(k->out, k->out_size));
			free(cut);
		}
		free(tab);
	}
}

/* Tables cut at every length with Length and checksum made consistent:
 * accepted exactly at entry boundaries, refused everywhere else. */
static void shortened_tables(struct ktest *t)
{
	for (size_t s = 0; s < NSOURCES; s++) {
		const struct kind *k = sources[s].kind;
		size_t len;
		uint8_t *tab = load(sources[s].machine, k, &len);

		KT_ASSERT_NOT_NULL(t, tab);
		for (size_t n = HEADER_LEN; n <= len; n++) {
			uint8_t *cut = ta_dup(tab, n, n);
			int err;

			ta_set_length(cut, (uint32_t)n);
			ta_reports_clear();
			err = k->parse(cut, n);
			KT_EXPECT_EQ(t, err, whole_at(k, tab, len, n) ? 0 : -EINVAL);
			KT_EXPECT_EQ(t, ta_errors, err ? 1 : 0);
			free(cut);
		}
		free(tab);
	}
}

/* What survives when the MADT stops after some entries: exactly them. */
static void shortened_madt_keeps_prefix(struct ktest *t)
{
	size_t len;
	uint8_t *tab = load("pvh-bridge", &APIC, &len);

	KT_ASSERT_NOT_NULL(t, tab);
	/* 44 + 2 CPUs (16) + I/O APIC (12) + 2 overrides (20) = 92 */
	ta_set_length(tab, 92);
	KT_ASSERT_EQ(t, acpi_parse_madt(tab, len, &madt), 0);
	KT_EXPECT_EQ(t, madt.cpu_count, 2);
	KT_EXPECT_EQ(t, madt.ioapic_count, 1);
	KT_EXPECT_EQ(t, madt.override_count, 2);
	KT_EXPECT_EQ(t, madt.nmi_count, 0);
	KT_EXPECT_EQ(t, madt.overrides[1].source_irq, 5);
	free(tab);
}

/* A flipped bit anywhere is caught by the checksum; a wrong signature or
 * a Length beyond the buffer by the header checks. */
static void header_checks(struct ktest *t)
{
	for (size_t s = 0; s < NSOURCES; s++) {
		const struct kind *k = sources[s].kind;
		size_t len;
		uint8_t *tab = load(sources[s].machine, k, &len);

		KT_ASSERT_NOT_NULL(t, tab);
		for (size_t i = 0; i < len; i++) {
			tab[i] ^= 0x10;
			ta_reports_clear();
			KT_EXPECT_EQ(t, k->parse(tab, len), -EINVAL);
			KT_EXPECT_EQ(t, ta_errors, 1);
			tab[i] ^= 0x10;
		}
		KT_EXPECT_EQ(t, k->parse(tab, len), 0);     /* restored: fine again */
		tab[len - 1] ^= 1;
		KT_EXPECT_EQ(t, k->parse(tab, len), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "Checksum");
		tab[len - 1] ^= 1;
		tab[0] = 'Z';
		KT_EXPECT_EQ(t, k->parse(tab, len), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "Signature");
		tab[0] = (uint8_t)k->sig[0];
		ta_put32(tab, 4, (uint32_t)len + 1);
		KT_EXPECT_EQ(t, k->parse(tab, len), -EINVAL);
		KT_EXPECT_SUBSTR(t, ta_last_report, "runs past");
		free(tab);
	}
}

/* ---- MADT entries ---- */

/* The pvh MADT with entry @index's type set to @type (unless 0xff) and
 * its Length to @elen. */
static int madt_with_entry(unsigned index, uint8_t type, uint8_t elen)
{
	size_t len, off = MADT_FIXED;
	uint8_t *tab = load("pvh", &APIC, &len);
	int err;

	for (unsigned i = 0; i < index; i++)
		off += tab[off + 1];
	if (type != 0xff)
		tab[off] = type;
	tab[off + 1] = elen;
	ta_fix_checksum(tab);
	ta_reports_clear();
	err = acpi_parse_madt(tab, len, &madt);
	free(tab);
	return err;
}

#define SAME_TYPE 0xff

/* Lengths 0 and 1 would never advance: refused, not looped on, whatever
 * the type. Known types need their fields; nothing may leave the table. */
static void madt_entry_lengths(struct ktest *t)
{
	KT_EXPECT_EQ(t, madt_with_entry(1, SAME_TYPE, 0), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Length 0");
	KT_EXPECT_EQ(t, madt_with_entry(3, SAME_TYPE, 1), -EINVAL);
	KT_EXPECT_EQ(t, madt_with_entry(7, 0x7f, 0), -EINVAL);    /* unknown type */
	KT_EXPECT_EQ(t, madt_with_entry(7, 0x7f, 1), -EINVAL);
	KT_EXPECT_EQ(t, madt_with_entry(0, SAME_TYPE, 6), -EINVAL); /* local APIC needs 8 */
	KT_EXPECT_SUBSTR(t, ta_last_report, "offset 0x2c");
	KT_EXPECT_EQ(t, madt_with_entry(1, SAME_TYPE, 11), -EINVAL); /* I/O APIC needs 12 */
	KT_EXPECT_EQ(t, madt_with_entry(7, SAME_TYPE, 7), -EINVAL);  /* 1 past the end */
	KT_EXPECT_SUBSTR(t, ta_last_report, "Length 7");
	KT_EXPECT_TRUE(t, ta_all_zero(&madt, sizeof(madt)));
	KT_EXPECT_EQ(t, madt_with_entry(7, SAME_TYPE, 6), 0);        /* as captured */
	KT_EXPECT_EQ(t, madt_with_entry(7, 0x7f, 6), 0);             /* skipped */
	KT_EXPECT_EQ(t, madt.nmi_count, 0);
}

/* Unknown entry types are skipped by their length; stray bytes are not. */
static void madt_unknown_and_stray(struct ktest *t)
{
	struct ta_builder b;
	size_t len;
	uint8_t *tab;

	ta_begin(&b, "APIC", MADT_FIXED);
	TA_ADD(&b, 0x7f, 5, 1, 2, 3);                 /* unknown type, 5 bytes */
	TA_ADD(&b, 0, 8, 0, 0, 1, 0, 0, 0);           /* CPU 0 */
	tab = ta_finish(&b, &len);
	ta_reports_clear();
	KT_EXPECT_EQ(t, acpi_parse_madt(tab, len, &madt), 0);
	KT_EXPECT_EQ(t, madt.cpu_count, 1);
	KT_EXPECT_EQ(t, ta_errors + ta_warnings, 0);
	free(tab);
	TA_ADD(&b, 0);                                /* one stray byte */
	tab = ta_finish(&b, &len);
	KT_EXPECT_EQ(t, acpi_parse_madt(tab, len, &madt), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "stray");
	free(tab);
}

/* x2APIC CPUs and NMIs, online-capable CPUs and the 64-bit LAPIC override. */
static void madt_rarer_entries(struct ktest *t)
{
	struct ta_builder b;
	size_t len;
	uint8_t *tab;

	ta_begin(&b, "APIC", MADT_FIXED);
	ta_put32(b.buf, 36, 0xfee00000);
	TA_ADD(&b, 0, 8, 3, 4, 2, 0, 0, 0);                      /* online capable */
	TA_ADD(&b, 9, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0); /* x2APIC 0x100 */
	TA_ADD(&b, 10, 12, 5, 0, 7, 0, 0, 0, 0, 0, 0, 0);        /* x2APIC NMI, LINT0 */
	TA_ADD(&b, 5, 12, 0, 0, 0, 0, 0x10, 0, 1, 0, 0, 0);      /* LAPIC at 0x100100000 */
	tab = ta_finish(&b, &len);
	KT_ASSERT_EQ(t, acpi_parse_madt(tab, len, &madt), 0);
	KT_EXPECT_UEQ(t, madt.lapic_phys, 0x100100000ULL);
	KT_EXPECT_FALSE(t, madt.pcat_compat);
	KT_ASSERT_EQ(t, madt.cpu_count, 2);
	KT_EXPECT_FALSE(t, madt.cpus[0].enabled);
	KT_EXPECT_TRUE(t, madt.cpus[0].online_capable);
	KT_EXPECT_EQ(t, madt.cpus[0].apic_id, 4);
	KT_EXPECT_EQ(t, madt.cpus[0].uid, 3);
	KT_EXPECT_TRUE(t, madt.cpus[1].x2apic);
	KT_EXPECT_TRUE(t, madt.cpus[1].enabled);
	KT_EXPECT_EQ(t, madt.cpus[1].apic_id, 0x100);
	KT_EXPECT_EQ(t, madt.cpus[1].uid, 7);
	KT_ASSERT_EQ(t, madt.nmi_count, 1);
	KT_EXPECT_EQ(t, madt.nmis[0].uid, 7);
	KT_EXPECT_EQ(t, madt.nmis[0].flags, 5);
	KT_EXPECT_EQ(t, madt.nmis[0].lint, 0);
	free(tab);
}

/* More entries than the arrays hold: the first ones kept, each overflow
 * reported with its count, -E2BIG. */
static void madt_overflow(struct ktest *t)
{
	struct ta_builder b;
	size_t len;
	uint8_t *tab;

	ta_begin(&b, "APIC", MADT_FIXED);
	for (unsigned i = 0; i < ACPI_MAX_CPUS + 6; i++)
		TA_ADD(&b, 0, 8, (uint8_t)i, (uint8_t)i, 1, 0, 0, 0);
	for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
		TA_ADD(&b, 1, 12, (uint8_t)i, 0, 0, 0, 0xc0, 0xfe, (uint8_t)(24 * i), 0, 0, 0);
	for (unsigned i = 0; i < ACPI_MAX_OVERRIDES + 1; i++)
		TA_ADD(&b, 2, 10, 0, (uint8_t)i, (uint8_t)i, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < ACPI_MAX_LAPIC_NMIS + 1; i++)
		TA_ADD(&b, 4, 6, (uint8_t)i, 0, 0, 1);
	tab = ta_finish(&b, &len);
	ta_reports_clear();
	KT_EXPECT_EQ(t, acpi_parse_madt(tab, len, &madt), -E2BIG);
	KT_EXPECT_EQ(t, ta_errors, 4);
	KT_EXPECT_SUBSTR(t, ta_last_report, "17 local APIC NMI entries, only the first 16");
	KT_EXPECT_EQ(t, madt.cpu_count, ACPI_MAX_CPUS);
	KT_EXPECT_EQ(t, madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	KT_EXPECT_EQ(t, madt.ioapic_count, ACPI_MAX_IOAPICS);
	KT_EXPECT_EQ(t, madt.ioapics[7].gsi_base, 24 * 7);
	KT_EXPECT_EQ(t, madt.override_count, ACPI_MAX_OVERRIDES);
	KT_EXPECT_EQ(t, madt.nmi_count, ACPI_MAX_LAPIC_NMIS);
	free(tab);
}

/* ---- MCFG ---- */

static uint8_t *mcfg_build(unsigned entries, uint8_t start, uint8_t end, size_t *len)
{
	struct ta_builder b;

	ta_begin(&b, "MCFG", MCFG_FIXED);
	for (unsigned i = 0; i < entries; i++)
		TA_ADD(&b, 0, 0, 0, 0xb0, 0, 0, 0, 0, (uint8_t)i, 0, start, end, 0, 0, 0, 0);
	return ta_finish(&b, len);
}

static void mcfg_entries(struct ktest *t)
{
	size_t len;
	uint8_t *tab;

	tab = mcfg_build(ACPI_MAX_MCFG + 1, 0, 255, &len);
	ta_reports_clear();
	KT_EXPECT_EQ(t, acpi_parse_mcfg(tab, len, &mcfg), -E2BIG);
	KT_EXPECT_EQ(t, mcfg.count, ACPI_MAX_MCFG);
	KT_EXPECT_EQ(t, mcfg.entries[7].segment, 7);
	KT_EXPECT_SUBSTR(t, ta_last_report, "9 ECAM regions, only the first 8");
	free(tab);
	tab = mcfg_build(1, 4, 3, &len);
	KT_EXPECT_EQ(t, acpi_parse_mcfg(tab, len, &mcfg), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "Start Bus is above End Bus");
	free(tab);
	tab = mcfg_build(0, 0, 0, &len);
	ta_reports_clear();
	KT_EXPECT_EQ(t, acpi_parse_mcfg(tab, len, &mcfg), 0);
	KT_EXPECT_EQ(t, ta_warnings, 1);
	free(tab);
}

/* ---- HPET ---- */

static void hpet_base_address(struct ktest *t)
{
	size_t len;
	uint8_t *tab = load("pvh", &HPET, &len);

	KT_ASSERT_NOT_NULL(t, tab);
	tab[40] = 1;                              /* GAS space: I/O */
	ta_fix_checksum(tab);
	KT_EXPECT_EQ(t, acpi_parse_hpet(tab, len, &hpet), -EINVAL);
	KT_EXPECT_SUBSTR(t, ta_last_report, "address space 1");
	tab[40] = 0;
	ta_put64(tab, 44, 0);
	ta_fix_checksum(tab);
	KT_EXPECT_EQ(t, acpi_parse_hpet(tab, len, &hpet), -EINVAL);
	ta_put64(tab, 44, 0xfed00000);
	tab[55] = 0x31;                           /* OEM bits above the protection */
	ta_fix_checksum(tab);
	KT_EXPECT_EQ(t, acpi_parse_hpet(tab, len, &hpet), 0);
	KT_EXPECT_EQ(t, hpet.page_protection, 1);
	free(tab);
}

/* ---- FADT ---- */

/* FADT field offsets (ACPI 6.5 5.2.9). */
#define FADT_REVISION   8
#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS      112
#define FADT_X_DSDT     140
#define FADT_X_PM_TMR   208

/* The captured FADT, edited by @edit, then parsed. */
static int fadt_edited(void (*edit)(uint8_t *tab))
{
	size_t len;
	uint8_t *tab = load("pvh", &FACP, &len);
	int err;

	edit(tab);
	ta_fix_checksum(tab);
	ta_reports_clear();
	err = acpi_parse_fadt(tab, len, &fadt);
	free(tab);
	return err;
}

static void x_timer_in_memory(uint8_t *tab) { tab[FADT_X_PM_TMR] = 0; }
static void x_timer_elsewhere(uint8_t *tab) { ta_put64(tab, FADT_X_PM_TMR + 4, 0x708); }
static void x_timer_too_high(uint8_t *tab) { ta_put64(tab, FADT_X_PM_TMR + 4, 0x10000); }
static void timer_len_3(uint8_t *tab) { tab[FADT_PM_TMR_LEN] = 3; }
static void timer_32bit(uint8_t *tab) { tab[FADT_FLAGS + 1] |= 1; }
static void hw_reduced(uint8_t *tab) { tab[FADT_FLAGS + 2] |= 0x10; }
static void x_dsdt_high(uint8_t *tab) { ta_put64(tab, FADT_X_DSDT, 0x100000000ULL); }
static void no_timer(uint8_t *tab)
{
	ta_put32(tab, FADT_PM_TMR_BLK, 0);
	ta_put64(tab, FADT_X_PM_TMR + 4, 0);
}

/* The PM timer: X_PM_TMR_BLK wins if it is an I/O port; nonsense is
 * warned about and ignored, never taken. */
static void fadt_pm_timer_rules(struct ktest *t)
{
	KT_EXPECT_EQ(t, fadt_edited(x_timer_in_memory), 0);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0x608);     /* legacy field used */
	KT_EXPECT_EQ(t, ta_warnings, 1);
	KT_EXPECT_EQ(t, fadt_edited(x_timer_elsewhere), 0);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0x708);     /* X_ supersedes */
	KT_EXPECT_EQ(t, fadt_edited(x_timer_too_high), 0);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0);
	KT_EXPECT_SUBSTR(t, ta_last_report, "PM_TMR_LEN");
	KT_EXPECT_EQ(t, fadt_edited(timer_len_3), 0);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0);
	KT_EXPECT_EQ(t, ta_warnings, 1);
	KT_EXPECT_EQ(t, fadt_edited(timer_32bit), 0);
	KT_EXPECT_TRUE(t, fadt.pm_timer_32bit);
	KT_EXPECT_EQ(t, fadt_edited(hw_reduced), 0);
	KT_EXPECT_TRUE(t, fadt.hw_reduced);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0);
	KT_EXPECT_EQ(t, fadt_edited(no_timer), 0);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0);
	KT_EXPECT_EQ(t, ta_warnings, 0);
	KT_EXPECT_EQ(t, fadt_edited(x_dsdt_high), 0);
	KT_EXPECT_UEQ(t, fadt.dsdt_phys, 0x100000000ULL);
}

/* An ACPI 1.0 FADT: 116 bytes, revision 1. Nothing past Flags is read. */
static void fadt_acpi_1_0(struct ktest *t)
{
	size_t len;
	uint8_t *tab = load("pvh", &FACP, &len), *v1;

	KT_ASSERT_NOT_NULL(t, tab);
	v1 = ta_dup(tab, FADT_V1, FADT_V1);
	v1[FADT_REVISION] = 1;
	ta_set_length(v1, FADT_V1);
	KT_ASSERT_EQ(t, acpi_parse_fadt(v1, FADT_V1, &fadt), 0);
	KT_EXPECT_EQ(t, fadt.revision, 1);
	KT_EXPECT_EQ(t, fadt.pm_timer_port, 0x608);
	KT_EXPECT_EQ(t, fadt.iapc_boot_arch, 0);        /* not defined before revision 2 */
	KT_EXPECT_FALSE(t, fadt.reset_supported);       /* RESET_REG lies past the end */
	KT_EXPECT_UEQ(t, fadt.dsdt_phys, 0x1ffe0040);
	free(v1);
	free(tab);
}

KTEST_SUITE(acpi_malformed,
	    KTEST_CASE(truncated_buffers),
	    KTEST_CASE(shortened_tables),
	    KTEST_CASE(shortened_madt_keeps_prefix),
	    KTEST_CASE(header_checks),
	    KTEST_CASE(madt_entry_lengths),
	    KTEST_CASE(madt_unknown_and_stray),
	    KTEST_CASE(madt_rarer_entries),
	    KTEST_CASE(madt_overflow),
	    KTEST_CASE(mcfg_entries),
	    KTEST_CASE(hpet_base_address),
	    KTEST_CASE(fadt_pm_timer_rules),
	    KTEST_CASE(fadt_acpi_1_0));
