/*
 * acpi_test.c - the firmware's ACPI tables as the booted kernel sees them.
 *
 * Beyond "found and parsed", each case checks the tables against the
 * hardware they describe, through a path that does not use them: the
 * local APIC base MSR and CPUID, the q35 chipset's ECAM register, the PM
 * timer counting. Whether a DMAR must exist is the scenario's to say:
 * `ktest.iommu=present` or `ktest.iommu=absent` on the command line.
 */
#include "boot/boot_info.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/summary.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"

#define FOUR_GIB 0x100000000ULL
#include "kernel/log.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/x86.h"

extern struct boot_info boot_info;

#define MSR_IA32_APIC_BASE     0x1b
#define APIC_BASE_ADDR_MASK    0x000ffffffffff000ULL
#define PCI_CONFIG_ADDRESS     0xcf8
#define PCI_CONFIG_DATA        0xcfc
#define Q35_HOST_BRIDGE_ID     0x29c08086   /* device << 16 | vendor */
#define Q35_PCIEXBAR           0x60         /* MCH register: ECAM base, size, enable */
#define Q35_PCIEXBAR_ENABLE    0x1
#define Q35_PCIEXBAR_SIZE(v)   (((v) >> 1) & 0x3)  /* 0: 256 buses, 1: 128, 2: 64 */
#define Q35_PCIEXBAR_BASE_MASK 0x0000000ff0000000ULL
#define PM_TIMER_24BIT_MASK    0x00ffffffu
#define QEMU_DRHD_BASE         0xfed90000

static const struct acpi_info *info(void)
{
	return acpi_get_info();
}

/* PVH boots through SeaBIOS (ACPI 1.0 RSDP, RSDT only); OVMF gives an
 * ACPI 2.0 RSDP, and its XSDT is the one used. */
static void rsdp_matches_boot_path(struct ktest *t)
{
	const struct acpi_root *r = &info()->root;

	KT_ASSERT_UEQ(t, r->rsdp_phys, boot_info.rsdp_phys);
	KT_EXPECT_STREQ(t, r->oem_id, "BOCHS ");
	KT_EXPECT_NE(t, r->rsdt_phys, 0);
	if (boot_info.boot_path == BOOT_PATH_PVH) {
		KT_EXPECT_EQ(t, r->rsdp_revision, 0);
		KT_EXPECT_FALSE(t, r->xsdt);
		KT_EXPECT_UEQ(t, r->xsdt_phys, 0);
	} else {
		KT_EXPECT_GE(t, r->rsdp_revision, 2);
		KT_EXPECT_TRUE(t, r->xsdt);
		KT_EXPECT_NE(t, r->xsdt_phys, 0);
	}
}

/* The four tables every q35 has were found, parsed, and can be looked up. */
static void tables_found(struct ktest *t)
{
	const struct acpi_info *a = info();
	size_t len = 0;
	const void *madt = acpi_find_table("APIC", 0, &len);

	KT_EXPECT_TRUE(t, a->fadt_present);
	KT_EXPECT_TRUE(t, a->madt_present);
	KT_EXPECT_TRUE(t, a->mcfg_present);
	KT_EXPECT_TRUE(t, a->hpet_present);
	KT_ASSERT_NOT_NULL(t, madt);
	KT_EXPECT_MEMEQ(t, madt, "APIC", 4);
	KT_EXPECT_GE(t, len, 44);
	KT_EXPECT_NULL(t, acpi_find_table("APIC", 1, NULL));
	KT_EXPECT_NULL(t, acpi_find_table("NONE", 0, NULL));
	for (unsigned i = 0; i < a->root.table_count; i++)
		KT_EXPECT_TRUE(t, acpi_find_table(a->root.tables[i].signature, 0, NULL) != NULL);
}

/* Is [base, base + size) inside usable RAM? Device registers never are. */
static bool in_usable_ram(uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];

		if (r->type == BOOT_MEM_USABLE && base < r->base + r->length &&
		    r->base < base + size)
			return true;
	}
	return false;
}

/* The MADT's local APIC is the CPU's (IA32_APIC_BASE), the boot CPU is an
 * enabled entry (CPUID's APIC id), and the ISA timer is rerouted to GSI 2. */
static void madt_matches_cpu(struct ktest *t)
{
	const struct acpi_madt *m = &info()->madt;
	uint32_t boot_apic_id = cpuid(1, 0).ebx >> 24;
	bool boot_cpu_listed = false, irq0_to_gsi2 = false;

	KT_ASSERT_TRUE(t, info()->madt_present);
	KT_EXPECT_UEQ(t, m->lapic_phys, rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK);
	KT_EXPECT_FALSE(t, in_usable_ram(m->lapic_phys, 4096));
	for (unsigned i = 0; i < m->cpu_count; i++)
		if (m->cpus[i].apic_id == boot_apic_id && m->cpus[i].enabled)
			boot_cpu_listed = true;
	KT_EXPECT_TRUE(t, boot_cpu_listed);
	KT_ASSERT_GE(t, m->ioapic_count, 1);
	KT_EXPECT_EQ(t, m->ioapics[0].gsi_base, 0);
	KT_EXPECT_FALSE(t, in_usable_ram(m->ioapics[0].address, 4096));
	for (unsigned i = 0; i < m->override_count; i++)
		if (m->overrides[i].source_irq == 0 && m->overrides[i].gsi == 2)
			irq0_to_gsi2 = true;
	KT_EXPECT_TRUE(t, irq0_to_gsi2);
}

static uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
				 (uint32_t)fn << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

/* The MCFG says what the chipset's PCIEXBAR register says, read through
 * the legacy configuration ports. */
static void mcfg_matches_chipset(struct ktest *t)
{
	const struct acpi_mcfg *c = &info()->mcfg;
	uint64_t bar;

	KT_ASSERT_TRUE(t, info()->mcfg_present);
	if (pci_read32(0, 0, 0, 0) != Q35_HOST_BRIDGE_ID)
		KT_SKIP(t, "00:00.0 is not a q35 host bridge");
	bar = pci_read32(0, 0, 0, Q35_PCIEXBAR) |
	      (uint64_t)pci_read32(0, 0, 0, Q35_PCIEXBAR + 4) << 32;
	KT_ASSERT_TRUE(t, bar & Q35_PCIEXBAR_ENABLE);
	KT_ASSERT_EQ(t, c->count, 1);
	KT_EXPECT_UEQ(t, c->entries[0].base, bar & Q35_PCIEXBAR_BASE_MASK);
	KT_EXPECT_EQ(t, c->entries[0].segment, 0);
	KT_EXPECT_EQ(t, c->entries[0].bus_start, 0);
	KT_EXPECT_EQ(t, c->entries[0].bus_end + 1, 256 >> Q35_PCIEXBAR_SIZE(bar));
	KT_EXPECT_FALSE(t, in_usable_ram(c->entries[0].base, 256ULL << 20));
}

/* The PM timer at the FADT's port counts, and fits its declared width. */
static void pm_timer_counts(struct ktest *t)
{
	const struct acpi_fadt *f = &info()->fadt;
	uint32_t before, after, mask;

	KT_ASSERT_TRUE(t, info()->fadt_present);
	KT_ASSERT_NE(t, f->pm_timer_port, 0);
	mask = f->pm_timer_32bit ? 0xffffffffu : PM_TIMER_24BIT_MASK;
	before = inl(f->pm_timer_port);
	mdelay(2);                      /* about 7160 ticks at 3.579545 MHz */
	after = inl(f->pm_timer_port);
	KT_EXPECT_EQ(t, before & ~mask, 0);
	KT_EXPECT_EQ(t, after & ~mask, 0);
	KT_EXPECT_GT(t, (after - before) & mask, 0);
	KT_EXPECT_LT(t, (after - before) & mask, mask / 2);
}

/* The HPET: a register block outside RAM, with the comparators the IA-PC
 * HPET specification requires (at least 3). */
static void hpet_sane(struct ktest *t)
{
	const struct acpi_hpet *h = &info()->hpet;

	KT_ASSERT_TRUE(t, info()->hpet_present);
	KT_EXPECT_NE(t, h->base_phys, 0);
	KT_EXPECT_UEQ(t, h->base_phys % 1024, 0);
	KT_EXPECT_FALSE(t, in_usable_ram(h->base_phys, 1024));
	KT_EXPECT_GE(t, h->comparators, 3);
	KT_EXPECT_NE(t, h->vendor_id, 0);
	KT_EXPECT_NE(t, h->vendor_id, 0xffff);
}

/* A DMAR exactly when the scenario attached an intel-iommu; its I/O APIC
 * scope names the MADT's I/O APIC. */
static void dmar_matches_scenario(struct ktest *t)
{
	const struct acpi_info *a = info();
	const char *want = cmdline_get(&kernel_cmdline, "ktest.iommu");
	bool ioapic_scope = false;

	if (!want)
		KT_SKIP(t, "the scenario does not say (ktest.iommu=present|absent)");
	if (strcmp(want, "absent") == 0) {
		KT_EXPECT_FALSE(t, a->dmar_present);
		KT_EXPECT_NULL(t, acpi_find_table("DMAR", 0, NULL));
		return;
	}
	KT_ASSERT_STREQ(t, want, "present");
	KT_ASSERT_TRUE(t, a->dmar_present);
	KT_EXPECT_GE(t, a->dmar.host_address_width, 39);
	KT_ASSERT_GE(t, a->dmar.drhd_count, 1);
	KT_EXPECT_UEQ(t, a->dmar.drhds[0].base, QEMU_DRHD_BASE);
	for (unsigned i = 0; i < a->dmar.drhds[0].scope_count; i++) {
		const struct acpi_dmar_scope *s = &a->dmar.drhds[0].scopes[i];

		if (s->type == ACPI_DMAR_SCOPE_IOAPIC && a->madt.ioapic_count &&
		    s->enumeration_id == a->madt.ioapics[0].id)
			ioapic_scope = true;
	}
	KT_EXPECT_TRUE(t, ioapic_scope);
}

/* Does @scope, followed through the enumerated bridges, name @pdev, or a
 * bridge @pdev sits behind (a sub-hierarchy scope covers all below it)? */
static bool scope_covers(const struct acpi_dmar_scope *scope, const struct pci_dev *pdev)
{
	uint8_t bus, dev, fn;

	if (scope->type != ACPI_DMAR_SCOPE_ENDPOINT && scope->type != ACPI_DMAR_SCOPE_BRIDGE)
		return false;
	if (acpi_dmar_scope_resolve(scope, pci_bridge_secondary_bus, NULL, &bus, &dev, &fn))
		return false;
	for (const struct pci_dev *d = pdev; d; d = d->bridge) {
		if (d->bus == bus && d->devfn == PCI_DEVFN(dev, fn))
			return d == pdev || scope->type == ACPI_DMAR_SCOPE_BRIDGE;
	}
	return false;
}

/* The DRHD whose scopes cover @pdev, else its segment's INCLUDE_PCI_ALL
 * unit (VT-d 8.3), else NULL. */
static const struct acpi_dmar_drhd *drhd_of(const struct acpi_dmar *d, const struct pci_dev *pdev)
{
	const struct acpi_dmar_drhd *all = NULL;

	for (unsigned i = 0; i < d->drhd_count; i++) {
		const struct acpi_dmar_drhd *u = &d->drhds[i];

		if (u->segment != pdev->segment)
			continue;
		if (u->include_pci_all)
			all = u;
		for (unsigned j = 0; j < u->scope_count; j++)
			if (scope_covers(&u->scopes[j], pdev))
				return u;
	}
	return all;
}

/* Every device enumeration found is behind some IOMMU: through the DMAR's
 * scopes (QEMU lists each root-bus device) or a catch-all unit. With more
 * root-bus devices than a fixed scope array held, the last ones used to
 * have none. */
static void dmar_covers_every_device(struct ktest *t)
{
	const struct acpi_info *a = info();
	const struct pci_dev *pdev;
	unsigned devices = 0, covered = 0;

	if (!a->dmar_present)
		KT_SKIP(t, "no DMAR (no intel-iommu)");
	pci_for_each_dev(pdev) {
		devices++;
		if (drhd_of(&a->dmar, pdev))
			covered++;
		else
			ktest_fail_at(t, __FILE__, __LINE__, "%s (%04x:%04x) is covered by no DRHD",
				      pdev->dev.name, pdev->vendor, pdev->device);
	}
	ktest_printf("    # %s: %u devices, %u DRHD(s), %u device scopes\n", t->name, devices,
		     a->dmar.drhd_count, a->dmar.scope_total);
	KT_EXPECT_GT(t, devices, 0);
	KT_EXPECT_EQ(t, covered, devices);
}

/* The boot log's summary says what the tables say. */
static void summary_text(struct ktest *t)
{
	static char out[4096];
	const struct acpi_info *a = info();

	console_capture_start(out, sizeof(out));
	acpi_log_tables(&a->root);
	acpi_log_summary(a);
	console_capture_stop();
	KT_EXPECT_SUBSTR(t, out, a->root.xsdt ? "tables listed by the XSDT" :
						"tables listed by the RSDT");
	KT_EXPECT_SUBSTR(t, out, "APIC at 0x");
	KT_EXPECT_SUBSTR(t, out, "FADT: PM timer at port 0x608");
	KT_EXPECT_SUBSTR(t, out, "MADT: local APIC at 0xfee00000");
	KT_EXPECT_SUBSTR(t, out, "I/O APIC id 0 at 0xfec00000");
	KT_EXPECT_SUBSTR(t, out, "MCFG: ECAM at 0xb0000000 for segment 0, buses 0-255");
	KT_EXPECT_SUBSTR(t, out, "HPET: registers at 0xfed00000");
	if (a->dmar_present)
		KT_EXPECT_SUBSTR(t, out, "DRHD at 0xfed90000");
}

/* A pointer into firmware memory the direct map leaves out (reserved space
 * above 4 GiB, such as QEMU's HyperTransport hole) is refused, never read.
 * Returns the errors it provoked, so the caller's count stays exact. */
static unsigned long acpi_unmapped_region_refused(struct ktest *t)
{
	unsigned long before = log_count(LOG_ERR);

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_RESERVED && r->base >= FOUR_GIB) {
			KT_EXPECT_EQ(t, acpi_init(r->base), -EFAULT);
			break;
		}
	}
	return log_count(LOG_ERR) - before;
}

/* acpi_init() refuses what is not an RSDP without faulting, then finds
 * everything again from the real one. Runs last: it rebuilds the state. */
static void init_refuses_bad_rsdp(struct ktest *t)
{
	unsigned tables = info()->root.table_count;
	unsigned long errors = log_count(LOG_ERR);

	ktest_printf("    # %s: the acpi errors below are provoked on purpose\n", t->name);
	KT_EXPECT_EQ(t, acpi_init(0), -ENOENT);
	KT_EXPECT_EQ(t, acpi_init(0x7ffffff0000ULL), -EFAULT);     /* no memory there */
	KT_EXPECT_EQ(t, acpi_init(boot_info.kernel_phys), -EINVAL); /* RAM, no RSDP */
	errors += acpi_unmapped_region_refused(t);
	KT_EXPECT_EQ(t, log_count(LOG_ERR) - errors, 5);            /* each says why */
	KT_EXPECT_FALSE(t, info()->madt_present);
	KT_EXPECT_EQ(t, info()->root.table_count, 0);
	KT_ASSERT_EQ(t, acpi_init(boot_info.rsdp_phys), 0);
	KT_EXPECT_EQ(t, info()->root.table_count, tables);
	KT_EXPECT_TRUE(t, info()->madt_present);
}

static const char *acpi_skip_if(void)
{
	return boot_info.rsdp_phys ? NULL : "the boot path found no RSDP";
}

KTEST_SUITE_EXT(acpi, 0, acpi_skip_if,
		KTEST_CASE(rsdp_matches_boot_path),
		KTEST_CASE(tables_found),
		KTEST_CASE(madt_matches_cpu),
		KTEST_CASE(mcfg_matches_chipset),
		KTEST_CASE(pm_timer_counts),
		KTEST_CASE(hpet_sane),
		KTEST_CASE(dmar_matches_scenario),
		KTEST_CASE(dmar_covers_every_device),
		KTEST_CASE(summary_text),
		KTEST_CASE(init_refuses_bad_rsdp));
