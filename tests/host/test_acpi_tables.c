/*
 * test_acpi_tables.c - the parsers on the tables QEMU 7.2 really gives.
 *
 * Every expected value below was read off the captured bytes
 * (tests/host/data/acpi/, `xxd FILE.bin`), not taken from the parsers.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "tests/host/test_acpi.h"

static const char *const all_machines[] = {
	"pvh", "pvh-iommu", "pvh-iommu48-cm", "uefi", "uefi-iommu", "pvh-bridge",
};

#define FOR_EACH_MACHINE(m) \
	for (size_t _i = 0; _i < sizeof(all_machines) / sizeof(all_machines[0]) && \
	     ((m) = all_machines[_i]); _i++)

static struct acpi_madt madt;  /* big: off the stack */
static struct acpi_dmar dmar;

/* Same FADT everywhere but for where the firmware put the DSDT and FACS. */
static void fadt_values(struct ktest *t)
{
	const char *m;

	FOR_EACH_MACHINE(m) {
		bool uefi = strncmp(m, "uefi", 4) == 0;
		struct acpi_fadt f;
		size_t len;
		void *tab = ta_load(m, "FACP.bin", &len);

		KT_ASSERT_NOT_NULL(t, tab);
		KT_EXPECT_EQ(t, acpi_parse_fadt(tab, len, &f), 0);
		KT_EXPECT_EQ(t, f.revision, 3);
		KT_EXPECT_EQ(t, f.pm_timer_port, 0x608);
		KT_EXPECT_FALSE(t, f.pm_timer_32bit);     /* flags 0x84a5: no TMR_VAL_EXT */
		KT_EXPECT_EQ(t, f.sci_irq, 9);
		KT_EXPECT_EQ(t, f.smi_cmd, 0xb2);
		KT_EXPECT_EQ(t, f.acpi_enable, 2);
		KT_EXPECT_EQ(t, f.acpi_disable, 3);
		KT_EXPECT_EQ(t, f.flags, 0x84a5);
		KT_EXPECT_EQ(t, f.iapc_boot_arch, ACPI_IAPC_8042);
		KT_EXPECT_FALSE(t, f.hw_reduced);
		KT_EXPECT_TRUE(t, f.reset_supported);
		KT_EXPECT_EQ(t, f.reset_space, 1);
		KT_EXPECT_UEQ(t, f.reset_address, 0xcf9);
		KT_EXPECT_EQ(t, f.reset_value, 0xf);
		KT_EXPECT_UEQ(t, f.dsdt_phys, uefi ? 0x1fb7a000 : 0x1ffe0040);
		KT_EXPECT_UEQ(t, f.facs_phys, uefi ? 0x1fbdd000 : 0x1ffe0000);
		free(tab);
	}
}

/* One CPU (two on pvh-bridge), one I/O APIC, five ISA overrides, LINT1 NMI. */
static void madt_values(struct ktest *t)
{
	static const struct { uint8_t irq; uint32_t gsi; uint16_t flags; } isa[] = {
		{ 0, 2, 0x0 }, { 5, 5, 0xd }, { 9, 9, 0xd }, { 10, 10, 0xd }, { 11, 11, 0xd },
	};
	const char *m;

	FOR_EACH_MACHINE(m) {
		unsigned cpus = strcmp(m, "pvh-bridge") == 0 ? 2 : 1;
		size_t len;
		void *tab = ta_load(m, "APIC.bin", &len);

		KT_ASSERT_NOT_NULL(t, tab);
		KT_EXPECT_EQ(t, acpi_parse_madt(tab, len, &madt), 0);
		KT_EXPECT_UEQ(t, madt.lapic_phys, 0xfee00000);
		KT_EXPECT_TRUE(t, madt.pcat_compat);
		KT_ASSERT_EQ(t, madt.cpu_count, cpus);
		for (unsigned i = 0; i < cpus; i++) {
			KT_EXPECT_EQ(t, madt.cpus[i].apic_id, i);
			KT_EXPECT_EQ(t, madt.cpus[i].uid, i);
			KT_EXPECT_TRUE(t, madt.cpus[i].enabled);
			KT_EXPECT_FALSE(t, madt.cpus[i].x2apic);
		}
		KT_ASSERT_EQ(t, madt.ioapic_count, 1);
		KT_EXPECT_EQ(t, madt.ioapics[0].id, 0);
		KT_EXPECT_UEQ(t, madt.ioapics[0].address, 0xfec00000);
		KT_EXPECT_EQ(t, madt.ioapics[0].gsi_base, 0);
		KT_ASSERT_EQ(t, madt.override_count, 5);
		for (unsigned i = 0; i < 5; i++) {
			KT_EXPECT_EQ(t, madt.overrides[i].bus, 0);
			KT_EXPECT_EQ(t, madt.overrides[i].source_irq, isa[i].irq);
			KT_EXPECT_EQ(t, madt.overrides[i].gsi, isa[i].gsi);
			KT_EXPECT_EQ(t, madt.overrides[i].flags, isa[i].flags);
		}
		KT_ASSERT_EQ(t, madt.nmi_count, 1);
		KT_EXPECT_UEQ(t, madt.nmis[0].uid, ACPI_MADT_ALL_CPUS);
		KT_EXPECT_EQ(t, madt.nmis[0].lint, 1);
		KT_EXPECT_EQ(t, madt.nmis[0].flags, 0);
		free(tab);
	}
}

/* q35's ECAM: 256 MiB at 0xb0000000 for all 256 buses of segment 0. */
static void mcfg_values(struct ktest *t)
{
	const char *m;

	FOR_EACH_MACHINE(m) {
		struct acpi_mcfg c;
		size_t len;
		void *tab = ta_load(m, "MCFG.bin", &len);

		KT_ASSERT_NOT_NULL(t, tab);
		KT_EXPECT_EQ(t, acpi_parse_mcfg(tab, len, &c), 0);
		KT_ASSERT_EQ(t, c.count, 1);
		KT_EXPECT_UEQ(t, c.entries[0].base, 0xb0000000);
		KT_EXPECT_EQ(t, c.entries[0].segment, 0);
		KT_EXPECT_EQ(t, c.entries[0].bus_start, 0);
		KT_EXPECT_EQ(t, c.entries[0].bus_end, 255);
		free(tab);
	}
}

/* Block id 0x8086a201: Intel, 3 timers, 64-bit, legacy capable. QEMU
 * leaves the minimum tick at 0. */
static void hpet_values(struct ktest *t)
{
	const char *m;

	FOR_EACH_MACHINE(m) {
		struct acpi_hpet h;
		size_t len;
		void *tab = ta_load(m, "HPET.bin", &len);

		KT_ASSERT_NOT_NULL(t, tab);
		KT_EXPECT_EQ(t, acpi_parse_hpet(tab, len, &h), 0);
		KT_EXPECT_UEQ(t, h.base_phys, 0xfed00000);
		KT_EXPECT_UEQ(t, h.block_id, 0x8086a201);
		KT_EXPECT_EQ(t, h.vendor_id, 0x8086);
		KT_EXPECT_EQ(t, h.comparators, 3);
		KT_EXPECT_TRUE(t, h.counter_64bit);
		KT_EXPECT_TRUE(t, h.legacy_capable);
		KT_EXPECT_EQ(t, h.number, 0);
		KT_EXPECT_EQ(t, h.min_tick, 0);
		KT_EXPECT_EQ(t, h.page_protection, 0);
		free(tab);
	}
}

/* Check one scope: type, enumeration id, start bus, and a one-hop path. */
static void expect_scope(struct ktest *t, const struct acpi_dmar_scope *s, uint8_t type,
			 uint8_t id, uint8_t bus, uint8_t dev, uint8_t fn)
{
	KT_EXPECT_EQ(t, s->type, type);
	KT_EXPECT_EQ(t, s->enumeration_id, id);
	KT_EXPECT_EQ(t, s->start_bus, bus);
	KT_ASSERT_EQ(t, s->path_len, 1);
	KT_EXPECT_EQ(t, s->path[0].dev, dev);
	KT_EXPECT_EQ(t, s->path[0].fn, fn);
}

/* QEMU's one DRHD at 0xfed90000: no INCLUDE_PCI_ALL, but explicit scopes:
 * the I/O APIC as ff:00.0, then the q35 chipset functions. */
static int load_dmar(struct ktest *t, const char *machine)
{
	size_t len;
	void *tab = ta_load(machine, "DMAR.bin", &len);
	int err;

	if (!tab) {
		ktest_fail_at(t, __FILE__, __LINE__, "no DMAR.bin for %s", machine);
		return -1;
	}
	acpi_dmar_free(&dmar);   /* the previous result's arrays */
	err = acpi_parse_dmar(tab, len, &dmar);
	free(tab);
	return err;
}

static void expect_qemu_drhd(struct ktest *t, const struct acpi_dmar_drhd *d, unsigned scopes)
{
	const struct acpi_dmar_scope *s = d->scopes;

	KT_EXPECT_UEQ(t, d->base, 0xfed90000);
	KT_EXPECT_EQ(t, d->segment, 0);
	KT_EXPECT_FALSE(t, d->include_pci_all);
	KT_EXPECT_EQ(t, d->size, 0);
	KT_ASSERT_EQ(t, d->scope_count, scopes);
	expect_scope(t, &s[0], ACPI_DMAR_SCOPE_IOAPIC, 0, 0xff, 0, 0);
	expect_scope(t, &s[1], ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0, 0);
	expect_scope(t, &s[scopes - 3], ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 0);
	expect_scope(t, &s[scopes - 2], ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 2);
	expect_scope(t, &s[scopes - 1], ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 3);
}

static void dmar_default_39bit(struct ktest *t)
{
	KT_ASSERT_EQ(t, load_dmar(t, "pvh-iommu"), 0);
	KT_EXPECT_EQ(t, dmar.host_address_width, 39);
	KT_EXPECT_EQ(t, dmar.flags, ACPI_DMAR_INTR_REMAP);
	KT_ASSERT_EQ(t, dmar.drhd_count, 1);
	expect_qemu_drhd(t, &dmar.drhds[0], 5);
	KT_EXPECT_EQ(t, dmar.rmrr_count, 0);
	KT_EXPECT_EQ(t, dmar.atsr_count, 0);
	KT_EXPECT_EQ(t, dmar.other_count, 0);
}

static void dmar_48bit_caching_mode(struct ktest *t)
{
	KT_ASSERT_EQ(t, load_dmar(t, "pvh-iommu48-cm"), 0);
	KT_EXPECT_EQ(t, dmar.host_address_width, 48);
	KT_ASSERT_EQ(t, dmar.drhd_count, 1);
	expect_qemu_drhd(t, &dmar.drhds[0], 5);
}

/* Under UEFI the ESP's virtio-blk at 00:01.0 is one more endpoint. */
static void dmar_uefi(struct ktest *t)
{
	KT_ASSERT_EQ(t, load_dmar(t, "uefi-iommu"), 0);
	KT_EXPECT_EQ(t, dmar.host_address_width, 39);
	KT_ASSERT_EQ(t, dmar.drhd_count, 1);
	expect_qemu_drhd(t, &dmar.drhds[0], 6);
	expect_scope(t, &dmar.drhds[0].scopes[2], ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 1, 0);
}

/* A root port is a sub-hierarchy scope (the NVMe behind it is covered
 * without being listed); device-iotlb=on adds an ATSR for all ports. */
static void dmar_bridge_and_atsr(struct ktest *t)
{
	KT_ASSERT_EQ(t, load_dmar(t, "pvh-bridge"), 0);
	KT_ASSERT_EQ(t, dmar.drhd_count, 1);
	expect_qemu_drhd(t, &dmar.drhds[0], 6);
	expect_scope(t, &dmar.drhds[0].scopes[2], ACPI_DMAR_SCOPE_BRIDGE, 0, 0, 1, 0);
	KT_ASSERT_EQ(t, dmar.atsr_count, 1);
	KT_EXPECT_EQ(t, dmar.atsrs[0].segment, 0);
	KT_EXPECT_TRUE(t, dmar.atsrs[0].all_ports);
	KT_EXPECT_EQ(t, dmar.atsrs[0].scope_count, 0);
}

/* Parsers read only what they are given: the captured tables have no
 * trailing slack, yet a bigger buffer must give the same result. */
static void slack_after_table_ignored(struct ktest *t)
{
	size_t len;
	void *tab = ta_load("pvh-iommu", "DMAR.bin", &len);
	void *big;

	KT_ASSERT_NOT_NULL(t, tab);
	big = ta_dup(tab, len, len + 64);
	memset((char *)big + len, 0xff, 64);
	acpi_dmar_free(&dmar);
	KT_EXPECT_EQ(t, acpi_parse_dmar(big, len + 64, &dmar), 0);
	KT_EXPECT_EQ(t, dmar.drhds[0].scope_count, 5);
	acpi_dmar_free(&dmar);
	free(big);
	free(tab);
}

KTEST_SUITE(acpi_tables,
	    KTEST_CASE(fadt_values),
	    KTEST_CASE(madt_values),
	    KTEST_CASE(mcfg_values),
	    KTEST_CASE(hpet_values),
	    KTEST_CASE(dmar_default_39bit),
	    KTEST_CASE(dmar_48bit_caching_mode),
	    KTEST_CASE(dmar_uefi),
	    KTEST_CASE(dmar_bridge_and_atsr),
	    KTEST_CASE(slack_after_table_ignored));
