/*
 * acpi_test.c - the firmware's ACPI tables as the booted kernel sees them.
 *
 * Beyond "found and parsed", each case checks the tables against the
 * hardware they describe, through a path that does not use them: the
 * local APIC base MSR and CPUID, the q35 chipset's ECAM register, the PM
 * timer counting, each IOMMU's version register. No value of QEMU's is
 * assumed: a table the firmware leaves out skips the cases about it. Whether a DMAR must exist is the scenario's to say:
 * `ktest.iommu=present` or `ktest.iommu=absent` on the command line.
 */
#include "boot/boot_info.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/summary.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/ioapic.h"
#include "kernel/ktest.h"

#define FOUR_GIB 0x100000000ULL
#include "kernel/log.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"
#include "kernel/printf.h"
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
#define CPUID_1_EDX_APIC       (1u << 9)    /* an on-chip local APIC (SDM vol. 2A, CPUID) */
#define RSDP_OEMID_OFFSET      9            /* ACPI 5.2.5.3: OEMID, 6 bytes */
#define RSDP_REVISION_OFFSET   15
#define VTD_VER_REG            0x00         /* VT-d 10.4.1: version, read-only */
#define VTD_VER_MAJOR(v)       (((v) >> 4) & 0xf)
#define ISA_IRQS               16

static const struct acpi_info *info(void)
{
	return acpi_get_info();
}

/* The parsed root is the RSDP the boot path found, read again byte by
 * byte: its OEM and revision; an XSDT used exactly when a 2.0+ RSDP gives
 * one (SeaBIOS under PVH gives ACPI 1.0, OVMF 2.0: neither is assumed). */
static void rsdp_matches_boot_path(struct ktest *t)
{
	const struct acpi_root *r = &info()->root;
	const uint8_t *raw = phys_to_virt(boot_info.rsdp_phys);

	KT_ASSERT_UEQ(t, r->rsdp_phys, boot_info.rsdp_phys);
	KT_EXPECT_MEMEQ(t, r->oem_id, raw + RSDP_OEMID_OFFSET, 6);
	KT_EXPECT_EQ(t, r->rsdp_revision, raw[RSDP_REVISION_OFFSET]);
	KT_EXPECT_TRUE(t, r->rsdt_phys != 0 || r->xsdt_phys != 0);
	KT_EXPECT_EQ(t, r->xsdt, r->rsdp_revision >= 2 && r->xsdt_phys != 0);
	if (r->rsdp_revision < 2)
		KT_EXPECT_UEQ(t, r->xsdt_phys, 0);
}

/* Each table the kernel parsed is one the root lists, and the reverse:
 * whatever set this machine's firmware built (no HPET with hpet=off, no
 * MCFG on a PC without ECAM). The MADT, if any, can be looked up whole. */
static void tables_found(struct ktest *t)
{
	const struct acpi_info *a = info();
	size_t len = 0;
	const void *madt = acpi_find_table("APIC", 0, &len);

	KT_EXPECT_EQ(t, a->fadt_present, acpi_find_table("FACP", 0, NULL) != NULL);
	KT_EXPECT_EQ(t, a->madt_present, madt != NULL);
	KT_EXPECT_EQ(t, a->mcfg_present, acpi_find_table("MCFG", 0, NULL) != NULL);
	KT_EXPECT_EQ(t, a->hpet_present, acpi_find_table("HPET", 0, NULL) != NULL);
	KT_EXPECT_EQ(t, a->dmar_present, acpi_find_table("DMAR", 0, NULL) != NULL);
	KT_EXPECT_GT(t, a->root.table_count, 0);
	if (madt) {
		KT_EXPECT_MEMEQ(t, madt, "APIC", 4);
		KT_EXPECT_GE(t, len, 44);
	}
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

/* Does CPUID say this CPU has a local APIC (and so IA32_APIC_BASE)? */
static bool cpu_has_apic(void)
{
	return cpuid(1, 0).edx & CPUID_1_EDX_APIC;
}

/* The MADT's local APIC is the CPU's (IA32_APIC_BASE), the boot CPU is an
 * enabled entry (CPUID's APIC id), ISA interrupt overrides name ISA IRQs
 * and GSIs some I/O APIC pin carries, and one I/O APIC starts at GSI 0
 * (the ISA IRQs that are not overridden arrive there). */
static void madt_matches_cpu(struct ktest *t)
{
	const struct acpi_madt *m = &info()->madt;
	uint32_t boot_apic_id = cpuid(1, 0).ebx >> 24;
	bool boot_cpu_listed = false, gsi0 = false;

	if (!info()->madt_present)
		KT_SKIP(t, "the firmware gives no MADT");
	if (!cpu_has_apic())
		KT_SKIP(t, "CPUID.1:EDX.APIC is clear (-cpu ...,-apic): no IA32_APIC_BASE to compare");
	KT_EXPECT_UEQ(t, m->lapic_phys, rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR_MASK);
	KT_EXPECT_FALSE(t, in_usable_ram(m->lapic_phys, 4096));
	for (unsigned i = 0; i < m->cpu_count; i++)
		if (m->cpus[i].apic_id == boot_apic_id && m->cpus[i].enabled)
			boot_cpu_listed = true;
	KT_EXPECT_TRUE(t, boot_cpu_listed);
	KT_ASSERT_GE(t, m->ioapic_count, 1);
	for (unsigned i = 0; i < m->ioapic_count; i++) {
		gsi0 |= m->ioapics[i].gsi_base == 0;
		KT_EXPECT_FALSE(t, in_usable_ram(m->ioapics[i].address, 4096));
	}
	KT_EXPECT_TRUE(t, gsi0);
	for (unsigned i = 0; i < m->override_count; i++) {
		KT_EXPECT_EQ(t, m->overrides[i].bus, 0);
		KT_EXPECT_LT(t, m->overrides[i].source_irq, ISA_IRQS);
		if (ioapic_gsi_count())
			KT_EXPECT_LT(t, m->overrides[i].gsi, ioapic_gsi_count());
	}
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

	if (!info()->mcfg_present)
		KT_SKIP(t, "the firmware gives no MCFG (no ECAM)");
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

	if (!info()->fadt_present || !f->pm_timer_port)
		KT_SKIP(t, "the FADT names no PM timer");
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

	if (!info()->hpet_present)
		KT_SKIP(t, "the firmware gives no HPET table (-machine hpet=off?)");
	KT_EXPECT_NE(t, h->base_phys, 0);
	KT_EXPECT_UEQ(t, h->base_phys % 1024, 0);
	KT_EXPECT_FALSE(t, in_usable_ram(h->base_phys, 1024));
	KT_EXPECT_GE(t, h->comparators, 3);
	KT_EXPECT_NE(t, h->vendor_id, 0);
	KT_EXPECT_NE(t, h->vendor_id, 0xffff);
}

/* The VT-d version register of the unit at @base: its major version is 1
 * or more on every implementation (0 or all ones: nothing there). */
static bool drhd_answers(uint64_t base)
{
	volatile uint32_t *regs = ioremap(base, 4096, PAGE_CACHE_UC);
	uint32_t ver;

	if (!regs)
		return false;
	ver = regs[VTD_VER_REG / 4];
	iounmap((void *)regs);
	return ver != 0xffffffffu && VTD_VER_MAJOR(ver) >= 1;
}

/* A DMAR exactly when the scenario attached an intel-iommu; each unit's
 * registers answer where the table puts them, and its I/O APIC scope
 * names the MADT's I/O APIC. */
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
	KT_EXPECT_GE(t, a->dmar.host_address_width, 32);
	KT_EXPECT_LE(t, a->dmar.host_address_width, 64);
	KT_ASSERT_GE(t, a->dmar.drhd_count, 1);
	for (unsigned i = 0; i < a->dmar.drhd_count; i++) {
		KT_EXPECT_FALSE(t, in_usable_ram(a->dmar.drhds[i].base, 4096));
		KT_EXPECT_TRUE(t, drhd_answers(a->dmar.drhds[i].base));
	}
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

/* Expect @out to hold the line printf(@fmt, ...) makes. */
#define EXPECT_LINE(t, out, fmt, ...)                                   \
	do {                                                            \
		char _want[96];                                         \
		snprintf(_want, sizeof(_want), fmt, __VA_ARGS__);       \
		KT_EXPECT_SUBSTR(t, out, _want);                        \
	} while (0)

/* The boot log's summary says what the tables say, table by table. */
static void summary_text(struct ktest *t)
{
	static char out[8192];
	const struct acpi_info *a = info();

	console_capture_start(out, sizeof(out));
	acpi_log_tables(&a->root);
	acpi_log_summary(a);
	console_capture_stop();
	EXPECT_LINE(t, out, "%u tables listed by the %s", a->root.table_count,
		    a->root.xsdt ? "XSDT" : "RSDT");
	for (unsigned i = 0; i < a->root.table_count; i++)
		EXPECT_LINE(t, out, "%s at %#llx", a->root.tables[i].signature,
			    (unsigned long long)a->root.tables[i].phys);
	if (a->fadt_present && a->fadt.pm_timer_port)
		EXPECT_LINE(t, out, "FADT: PM timer at port %#x", a->fadt.pm_timer_port);
	if (a->madt_present)
		EXPECT_LINE(t, out, "MADT: local APIC at %#llx",
			    (unsigned long long)a->madt.lapic_phys);
	for (unsigned i = 0; a->madt_present && i < a->madt.ioapic_count; i++)
		EXPECT_LINE(t, out, "I/O APIC id %u at %#x", a->madt.ioapics[i].id,
			    a->madt.ioapics[i].address);
	for (unsigned i = 0; a->mcfg_present && i < a->mcfg.count; i++)
		EXPECT_LINE(t, out, "MCFG: ECAM at %#llx for segment %u, buses %u-%u",
			    (unsigned long long)a->mcfg.entries[i].base, a->mcfg.entries[i].segment,
			    a->mcfg.entries[i].bus_start, a->mcfg.entries[i].bus_end);
	if (a->hpet_present)
		EXPECT_LINE(t, out, "HPET: registers at %#llx",
			    (unsigned long long)a->hpet.base_phys);
	for (unsigned i = 0; a->dmar_present && i < a->dmar.drhd_count; i++)
		EXPECT_LINE(t, out, "DRHD at %#llx", (unsigned long long)a->dmar.drhds[i].base);
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
	bool madt = info()->madt_present;
	unsigned long errors = log_count(LOG_ERR), warnings = log_count(LOG_WARN);

	ktest_expect_error(t, "acpi: error: RSDP: ");
	ktest_expect_error(t, "acpi: error: the boot path found no RSDP");
	ktest_expect_error(t, "acpi: error: no usable RSDP or root table");
	KT_EXPECT_EQ(t, acpi_init(0), -ENOENT);
	KT_EXPECT_EQ(t, acpi_init(0x7ffffff0000ULL), -EFAULT);     /* no memory there */
	KT_EXPECT_EQ(t, acpi_init(boot_info.kernel_phys), -EINVAL); /* RAM, no RSDP */
	errors += acpi_unmapped_region_refused(t);
	KT_EXPECT_EQ(t, log_count(LOG_ERR) - errors, 4);            /* each says why */
	KT_EXPECT_EQ(t, log_count(LOG_WARN) - warnings, 1);         /* no RSDP: a warning */
	KT_EXPECT_FALSE(t, info()->madt_present);
	KT_EXPECT_EQ(t, info()->root.table_count, 0);
	KT_ASSERT_EQ(t, acpi_init(boot_info.rsdp_phys), 0);
	KT_EXPECT_EQ(t, info()->root.table_count, tables);
	KT_EXPECT_EQ(t, info()->madt_present, madt);
}

/*
 * With more than one CPU enabled (-smp 2) the kernel still runs on the
 * boot CPU alone: the boot log says so, this case runs there, and no
 * interrupt the kernel programs (I/O APIC entries: those in use and one
 * taken here on the highest pin) is sent to another CPU. The scenario
 * may say how many CPUs QEMU has (ktest.cpus=N).
 */
static void aps_left_parked(struct ktest *t)
{
	static char out[512];
	const struct acpi_madt *m = &info()->madt;
	unsigned enabled = 0, programmed = 0;
	uint64_t want, rte;
	int irq = -ENODEV;

	for (unsigned i = 0; info()->madt_present && i < m->cpu_count; i++)
		enabled += m->cpus[i].enabled;
	if (cmdline_get_u64(&kernel_cmdline, "ktest.cpus", &want) == 0)
		KT_EXPECT_UEQ(t, enabled, want);
	if (enabled < 2)
		KT_SKIP(t, "%u CPU enabled in the MADT: none to park", enabled);
	console_capture_start(out, sizeof(out));
	KT_EXPECT_EQ(t, acpi_log_parked_cpus(), enabled - 1);
	console_capture_stop();
	EXPECT_LINE(t, out, "the other %u stay parked", enabled - 1);
	KT_EXPECT_EQ(t, cpuid(1, 0).ebx >> 24, cpu.apic_id);
	if (ioapic_gsi_count())
		irq = ioapic_get_irq(&(struct acpi_irq_route){ .gsi = ioapic_gsi_count() - 1,
				     .level = true, .active_low = true }, "acpi_test");
	KT_EXPECT_TRUE(t, irq >= 0 || !ioapic_gsi_count());
	for (unsigned gsi = 0; gsi < ioapic_gsi_count(); gsi++) {
		if (ioapic_read_rte(gsi, &rte) || (rte & 0xff) == 0)
			continue;               /* no vector: never programmed */
		programmed++;
		KT_EXPECT_EQ(t, rte >> IOAPIC_RTE_DEST_SHIFT, cpu.apic_id);
	}
	if (irq >= 0)
		ioapic_put_irq((unsigned)irq);
	KT_EXPECT_TRUE(t, programmed > 0 || !ioapic_gsi_count());
	ktest_printf("    # %s: %u CPUs, %u I/O APIC entries programmed, all to APIC id %u\n",
		     t->name, enabled, programmed, cpu.apic_id);
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
		KTEST_CASE(aps_left_parked),
		KTEST_CASE(init_refuses_bad_rsdp));
