/*
 * pci_test.c - the PCI core on QEMU's emulated hardware.
 *
 * Every scenario runs the generic cases: the configuration mechanism and
 * its accessors, ECAM and CF8 reading the same bytes, bus numbers,
 * requester IDs, BAR sizing and capability lists checked against
 * configuration space. Cases about the edu device or an NVMe controller
 * run wherever one is present.
 *
 * The pvh-pci scenarios also say where QEMU put their devices, and the
 * topology cases check it against what QEMU 7.2 declares:
 *
 *   ktest.pci.nvme=01:00.0      nvme behind a pcie-root-port
 *   ktest.pci.testdev=02:01.0   pci-testdev behind a pci-bridge
 *   ktest.pci.edu=00:04.0       edu on the root bus
 */
#include "drivers/edu.h"
#include "drivers/pci/internal.h"
#include "tests/kernel/pci_test.h"
#include "kernel/acpi/acpi.h"
#include "kernel/apic.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/ktest.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#define RH_VENDOR        0x1b36   /* Red Hat, Inc.: QEMU's own devices */
#define RH_PCI_BRIDGE    0x0001
#define RH_TESTDEV       0x0005
#define RH_ROOT_PORT     0x000c
#define RH_NVME          0x0010
#define EDU_VENDOR       0x1234
#define EDU_DEVICE       0x11e8
#define CLASS_NVME       0x010802
#define CLASS_OTHERS     0x00ff00  /* QEMU's PCI_CLASS_OTHERS */

#define NVME_MSIX_ENTRIES 65       /* QEMU's msix_qsize default */
#define EDU_IRQ_ACK       0x64
#define EDU_IRQ_STATUS    0x24
#define TESTDEV_SELECT    0        /* pci-testdev: write a test number to start it */
#define TESTDEV_NAME_OFF  16       /* ... whose name follows a 16-byte header */

#define IRQ_TIMEOUT_US    200000
#define IRQ_QUIET_US      20000
#define CAPTURE_SIZE      8192

/* ---- helpers ---- */

/* Parse "bb:dd.f" (hex bus and device, decimal function). */
static bool parse_bdf(const char *s, uint8_t *bus, uint8_t *devfn)
{
	unsigned v[3] = { 0, 0, 0 }, i = 0;

	for (; *s && i < 3; s++) {
		if ((i == 0 && *s == ':') || (i == 1 && *s == '.')) {
			i++;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			v[i] = v[i] * 16 + (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			v[i] = v[i] * 16 + (unsigned)(*s - 'a' + 10);
		else
			return false;
	}
	if (i != 2 || v[0] > 0xff || v[1] > 31 || v[2] > 7)
		return false;
	*bus = (uint8_t)v[0];
	*devfn = PCI_DEVFN(v[1], v[2]);
	return true;
}

/* The device the scenario places with ktest.pci.@what=bb:dd.f, or NULL. */
static struct pci_dev *expected_dev(struct ktest *t, const char *what, const char **where)
{
	static char key[32];
	const char *bdf;
	uint8_t bus, devfn;

	strlcpy(key, "ktest.pci.", sizeof(key));
	strlcpy(key + 10, what, sizeof(key) - 10);
	bdf = cmdline_get(&kernel_cmdline, key);
	*where = bdf;
	if (!bdf)
		return NULL;
	if (!parse_bdf(bdf, &bus, &devfn)) {
		ktest_fail_at(t, __FILE__, __LINE__, "%s=%s is not bb:dd.f", key, bdf);
		return NULL;
	}
	return pci_get_domain_bus_and_slot(0, bus, devfn);
}

/* Fetch ktest.pci.@what into @var, skipping the case if the scenario names none. */
#define EXPECT_DEVICE(t, var, what)                                                \
	do {                                                                       \
		const char *_where;                                                \
		var = expected_dev(t, what, &_where);                              \
		if (!_where)                                                       \
			KT_SKIP(t, "the scenario places no " what " (ktest.pci." what "=bb:dd.f)"); \
		KT_ASSERT_NOT_NULL(t, var);                                        \
	} while (0)

static bool legacy_requested(void)
{
	const char *opt = cmdline_get(&kernel_cmdline, "pci");

	return opt && ktest_str_contains(opt, "legacy");
}

/* A handler for vectors no interrupt should reach. */
static void quiet_handler(unsigned vector, void *ctx)
{
	(void)vector;
	(void)ctx;
}

/* The same, for request_irq(). */
static irqreturn_t quiet_irq(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	return IRQ_NONE;
}

/* Vectors irq_alloc_vector() can still hand out (takes them all, gives them
 * back): the refusal that ends the count is an error line its callers declare. */
unsigned free_vectors(void)
{
	static int got[IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1];
	unsigned n = 0;
	int v;

	while ((v = irq_alloc_vector(quiet_handler, NULL, "count")) >= 0)
		got[n++] = v;
	for (unsigned i = 0; i < n; i++)
		irq_free_vector((unsigned)got[i]);
	return n;
}

uint16_t config_word(const struct pci_dev *pdev, unsigned where)
{
	uint16_t v;

	pci_read_config_word(pdev, where, &v);
	return v;
}

/* Wait with interrupts on until *counter reaches @want. */
int wait_count(volatile uint64_t *counter, uint64_t want, uint64_t timeout_us)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	local_irq_enable();
	ret = poll_timeout_us(*counter >= want, 0, timeout_us);
	local_irq_disable();
	local_irq_restore(flags);
	return ret;
}

static const char *pci_skip(void)
{
	return pci_first_dev() ? NULL : "no PCI devices found";
}

/* ---- generic cases ---- */

/* ECAM unless the command line or a missing MCFG says CF8; the accessors
 * agree with each other and refuse what they must. */
static void config_mechanism_and_accessors(struct ktest *t)
{
	struct pci_dev *host = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(0, 0));
	const char *mech = pci_config_mechanism();
	uint32_t d;
	uint16_t w;
	uint8_t b;

	KT_ASSERT_NOT_NULL(t, mech);
	KT_EXPECT_STREQ(t, mech, legacy_requested() || !acpi_get_info()->mcfg_present ?
				 "CF8" : "ECAM");
	KT_ASSERT_NOT_NULL(t, host);
	KT_EXPECT_EQ(t, host->vendor, 0x8086);           /* q35: Intel host bridge */
	KT_EXPECT_EQ(t, host->device, 0x29c0);
	KT_EXPECT_EQ(t, pci_read_config_dword(host, PCI_VENDOR_ID, &d), 0);
	KT_EXPECT_EQ(t, pci_read_config_word(host, PCI_DEVICE_ID, &w), 0);
	KT_EXPECT_EQ(t, pci_read_config_byte(host, PCI_VENDOR_ID + 1, &b), 0);
	KT_EXPECT_UEQ(t, d, 0x29c08086u);
	KT_EXPECT_EQ(t, w, 0x29c0);
	KT_EXPECT_EQ(t, b, 0x80);
	KT_EXPECT_EQ(t, pci_read_config_dword(host, 0x02, &d), -EINVAL);
	KT_EXPECT_UEQ(t, d, 0xffffffffu);
	KT_EXPECT_EQ(t, pci_read_config_word(host, 0x41, &w), -EINVAL);
	KT_EXPECT_EQ(t, pci_read_config_dword(host, legacy_requested() ? 0x100 : 0x1000, &d),
		     -ERANGE);
	KT_EXPECT_EQ(t, pci_write_config_byte(host, 0x1000, 0), -ERANGE);
}

/* Both mechanisms read the same 256 bytes of every function. */
static void ecam_and_cf8_agree(struct ktest *t)
{
	struct pci_dev *pdev;
	unsigned compared = 0;
	uint32_t a, b;

	if (pci_config_get_ops() != &pci_ecam_ops)
		KT_SKIP(t, "configuration space is reached through CF8 only");
	pci_for_each_dev(pdev) {
		for (unsigned reg = 0; reg < PCI_CFG_SPACE_SIZE; reg += 4) {
			pci_ecam_ops.read(NULL, 0, pdev->bus, pdev->devfn, (uint16_t)reg, 4, &a);
			pci_cf8_ops.read(NULL, 0, pdev->bus, pdev->devfn, (uint16_t)reg, 4, &b);
			if (a != b)
				KT_FAIL(t, "%s offset %#x: ECAM reads %#x, CF8 %#x",
					pdev->dev.name, reg, a, b);
		}
		compared++;
	}
	KT_EXPECT_GT(t, compared, 0);
}

/* ECAM is uncached in both its mappings: ours, and the direct map's alias
 * of the reserved region (x86 forbids mixing memory types on one page). */
static void ecam_mapped_uncached(struct ktest *t)
{
	const struct acpi_mcfg_entry *e = &acpi_get_info()->mcfg.entries[0];
	volatile uint32_t *ours, *alias;
	uint64_t pte, size;

	if (pci_config_get_ops() != &pci_ecam_ops)
		KT_SKIP(t, "configuration space is reached through CF8");
	ours = pci_ecam_addr(e->segment, 0, 0, 0);
	KT_ASSERT_NOT_NULL(t, ours);
	KT_ASSERT_TRUE(t, paging_lookup((const void *)ours, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_UC);
	KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, (uintptr_t)ours), e->base);
	alias = phys_to_virt(e->base);
	if (!paging_lookup((const void *)alias, &pte, &size))
		KT_SKIP(t, "the direct map does not cover ECAM: no alias to check");
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_UC);
	KT_EXPECT_UEQ(t, alias[0], ours[0]);             /* the host bridge's IDs, twice */
	KT_EXPECT_UEQ(t, ours[0], 0x29c08086u);
}

/* Is @bus inside some bridge's secondary-subordinate range? */
static bool bus_behind_a_bridge(uint8_t bus)
{
	struct pci_dev *br;

	pci_for_each_dev(br)
		if (pci_is_bridge(br) && br->secondary && bus >= br->secondary &&
		    bus <= br->subordinate)
			return true;
	return false;
}

/* Every device sits on its bridge's secondary bus, inside every range
 * above it; a device behind no bridge is on a root bus no bridge claims
 * (bus 0, or another host bridge's, such as a pxb-pcie's). */
static void bus_numbers_consistent(struct ktest *t)
{
	struct pci_dev *pdev;

	pci_for_each_dev(pdev) {
		if (!pdev->bridge) {
			KT_EXPECT_FALSE(t, bus_behind_a_bridge(pdev->bus));
			continue;
		}
		KT_EXPECT_EQ(t, pdev->bus, pdev->bridge->secondary);
		for (struct pci_dev *br = pdev->bridge; br; br = br->bridge) {
			KT_EXPECT_GE(t, pdev->bus, br->secondary);
			KT_EXPECT_LE(t, pdev->bus, br->subordinate);
			KT_EXPECT_GT(t, br->secondary, br->bus);
		}
		KT_EXPECT_TRUE(t, pdev->dev.parent == &pdev->bridge->dev);
	}
}

/* Requester IDs are bus:dev.fn; DMA aliases follow the bridges crossed. */
static void requester_ids(struct ktest *t)
{
	struct pci_dev *pdev;

	pci_for_each_dev(pdev) {
		KT_EXPECT_EQ(t, pdev->rid, PCI_RID(pdev->bus, pdev->devfn));
		if (!pdev->bridge)
			KT_EXPECT_EQ(t, pdev->dma_alias, pdev->rid);
	}
}

/* Sizing again finds the same BARs and leaves registers and COMMAND alone. */
static void bar_sizing_repeatable(struct ktest *t)
{
	static struct pci_dev copy;
	struct pci_dev *pdev;
	uint32_t before[PCI_STD_NUM_BARS], after;
	uint16_t cmd;

	pci_for_each_dev(pdev) {
		for (unsigned i = 0; i < pdev->num_bars; i++)
			pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0 + 4 * i, &before[i]);
		cmd = config_word(pdev, PCI_COMMAND);
		copy = *pdev;
		pci_read_bars(&copy);
		for (unsigned i = 0; i < pdev->num_bars; i++) {
			pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0 + 4 * i, &after);
			KT_EXPECT_UEQ(t, after, before[i]);
			KT_EXPECT_UEQ(t, copy.bar[i].size, pdev->bar[i].size);
			KT_EXPECT_UEQ(t, copy.bar[i].base, pdev->bar[i].base);
			KT_EXPECT_EQ(t, copy.bar[i].flags, pdev->bar[i].flags);
		}
		KT_EXPECT_EQ(t, config_word(pdev, PCI_COMMAND), cmd);
	}
}

/* Each capability found is where configuration space says, with that ID. */
static void capabilities_match_config_space(struct ktest *t)
{
	struct pci_dev *pdev;
	uint32_t header;
	uint8_t id;

	pci_for_each_dev(pdev) {
		for (unsigned i = 0; i < pdev->cap_count; i++) {
			const struct pci_cap *c = &pdev->caps[i];

			if (c->extended) {
				pci_read_config_dword(pdev, c->offset, &header);
				KT_EXPECT_EQ(t, PCI_EXT_CAP_ID(header), c->id);
			} else {
				pci_read_config_byte(pdev, c->offset, &id);
				KT_EXPECT_EQ(t, id, c->id);
			}
		}
		if (pdev->cfg_size == PCI_CFG_SPACE_SIZE)
			KT_EXPECT_EQ(t, pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_ERR), 0);
	}
}

/* ---- the topology the pvh-pci scenarios build ---- */

static void nvme_behind_root_port(struct ktest *t)
{
	struct pci_dev *nvme, *rp;
	uint16_t ctrl;

	EXPECT_DEVICE(t, nvme, "nvme");
	KT_EXPECT_EQ(t, nvme->vendor, RH_VENDOR);
	KT_EXPECT_EQ(t, nvme->device, RH_NVME);
	KT_EXPECT_EQ(t, nvme->class, CLASS_NVME);
	KT_EXPECT_EQ(t, nvme->bar[0].flags, PCI_BAR_MEM64);
	KT_EXPECT_UEQ(t, nvme->bar[0].size, 16 * 1024);
	KT_EXPECT_NE(t, nvme->bar[0].base, 0);
	for (unsigned i = 2; i < PCI_STD_NUM_BARS; i++)
		KT_EXPECT_UEQ(t, nvme->bar[i].size, 0);
	KT_ASSERT_NE(t, nvme->msix_cap, 0);
	ctrl = config_word(nvme, nvme->msix_cap + PCI_MSIX_FLAGS);
	KT_EXPECT_EQ(t, (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, NVME_MSIX_ENTRIES);
	KT_EXPECT_EQ(t, nvme->msi_cap, 0);
	KT_EXPECT_NE(t, pci_find_capability(nvme, PCI_CAP_ID_PM), 0);
	KT_EXPECT_NE(t, nvme->pcie_cap, 0);
	KT_EXPECT_EQ(t, nvme->pcie_type, PCI_EXP_TYPE_ENDPOINT);
	KT_EXPECT_EQ(t, nvme->cap_count, 3);
	KT_EXPECT_EQ(t, nvme->cfg_size, legacy_requested() ? 256 : 4096);
	rp = nvme->bridge;
	KT_ASSERT_NOT_NULL(t, rp);
	KT_EXPECT_EQ(t, rp->vendor, RH_VENDOR);
	KT_EXPECT_EQ(t, rp->device, RH_ROOT_PORT);
	KT_EXPECT_EQ(t, rp->pcie_type, PCI_EXP_TYPE_ROOT_PORT);
	KT_EXPECT_EQ(t, rp->secondary, nvme->bus);
	KT_EXPECT_EQ(t, rp->subordinate, nvme->bus);
	KT_EXPECT_EQ(t, nvme->dma_alias, nvme->rid);
	KT_EXPECT_TRUE(t, rp->mem_window.size &&
		       nvme->bar[0].base >= rp->mem_window.base &&
		       nvme->bar[0].base + 16 * 1024 <= rp->mem_window.base + rp->mem_window.size);
	if (!legacy_requested())   /* the root port's AER needs extended space */
		KT_EXPECT_EQ(t, pci_find_ext_capability(rp, PCI_EXT_CAP_ID_ERR), 0x100);
}

static void testdev_behind_pci_bridge(struct ktest *t)
{
	struct pci_dev *td, *br;

	EXPECT_DEVICE(t, td, "testdev");
	KT_EXPECT_EQ(t, td->vendor, RH_VENDOR);
	KT_EXPECT_EQ(t, td->device, RH_TESTDEV);
	KT_EXPECT_EQ(t, td->class, CLASS_OTHERS);
	KT_EXPECT_EQ(t, td->bar[0].flags, 0);              /* 32-bit memory, not prefetchable */
	KT_EXPECT_UEQ(t, td->bar[0].size, 4096);
	KT_EXPECT_EQ(t, td->bar[1].flags, PCI_BAR_IO);
	KT_EXPECT_UEQ(t, td->bar[1].size, 256);
	KT_EXPECT_EQ(t, td->cap_count, 0);
	br = td->bridge;
	KT_ASSERT_NOT_NULL(t, br);
	KT_EXPECT_EQ(t, br->vendor, RH_VENDOR);
	KT_EXPECT_EQ(t, br->device, RH_PCI_BRIDGE);
	KT_EXPECT_EQ(t, br->pcie_cap, 0);                 /* conventional PCI below it */
	KT_EXPECT_EQ(t, br->secondary, td->bus);
	KT_EXPECT_EQ(t, br->subordinate, td->bus);
	KT_EXPECT_EQ(t, td->dma_alias, br->rid);          /* the bridge's ID reaches the IOMMU */
	KT_EXPECT_EQ(t, pci_bridge_secondary_bus(NULL, br->bus, PCI_SLOT(br->devfn),
						 PCI_FUNC(br->devfn)), td->bus);
}

static void edu_on_root_bus(struct ktest *t)
{
	struct pci_dev *edu;

	EXPECT_DEVICE(t, edu, "edu");
	KT_EXPECT_EQ(t, edu->vendor, EDU_VENDOR);
	KT_EXPECT_EQ(t, edu->device, EDU_DEVICE);
	KT_EXPECT_EQ(t, edu->bar[0].flags, 0);
	KT_EXPECT_UEQ(t, edu->bar[0].size, 1024 * 1024);
	KT_EXPECT_EQ(t, edu->msi_cap, 0x40);
	KT_EXPECT_EQ(t, edu->msix_cap, 0);
	KT_EXPECT_EQ(t, edu->cap_count, 1);
	KT_EXPECT_NULL(t, edu->bridge);
	KT_EXPECT_STREQ(t, edu->dev.driver_name, "edu");
}

/* An unassigned BAR gets an address in its bridge's window, and decodes there. */
static void bar_assigned_and_decoding(struct ktest *t)
{
	struct pci_dev *td;
	volatile char *mmio;
	char name[6];
	uint16_t port;

	EXPECT_DEVICE(t, td, "testdev");
	pci_write_config_word(td, PCI_COMMAND, 0);
	pci_write_config_dword(td, PCI_BASE_ADDRESS_0, 0);   /* as if firmware never assigned it */
	td->bar[0].base = 0;
	KT_ASSERT_EQ(t, pci_assign_bar(td, 0), 0);
	KT_EXPECT_NE(t, td->bar[0].base, 0);
	KT_EXPECT_EQ(t, td->bar[0].base & 0xfff, 0);
	KT_EXPECT_TRUE(t, td->bar[0].base >= td->bridge->mem_window.base &&
		       td->bar[0].base < td->bridge->mem_window.base + td->bridge->mem_window.size);
	KT_ASSERT_EQ(t, pci_enable_device(td), 0);
	mmio = ioremap(td->bar[0].base, td->bar[0].size, PAGE_CACHE_UC);
	KT_ASSERT_NOT_NULL(t, mmio);
	mmio[TESTDEV_SELECT] = 0;                            /* start test 0: mmio-no-eventfd */
	for (unsigned i = 0; i < 5; i++)
		name[i] = mmio[TESTDEV_NAME_OFF + i];
	name[5] = 0;
	iounmap((void *)mmio);
	KT_EXPECT_STREQ(t, name, "mmio-");
	port = (uint16_t)td->bar[1].base;
	outb(port + TESTDEV_SELECT, 0);                      /* test 0 of I/O: portio-no-eventfd */
	for (unsigned i = 0; i < 5; i++)
		name[i] = (char)inb(port + TESTDEV_NAME_OFF + i);
	KT_EXPECT_STREQ(t, name, "porti");
}

/* ---- interrupts ---- */

/* edu raises, MSI delivers, the driver acknowledges and counts. */
static void msi_delivered_by_edu(struct ktest *t)
{
	struct edu *edu = edu_get(0);
	struct pci_dev *pdev;
	uint64_t before, vec_before;
	uint16_t ctrl;

	if (!edu)
		KT_SKIP(t, "no edu device bound to the edu driver");
	if (edu->irq_type != PCI_IRQ_MSI)
		KT_SKIP(t, "edu interrupts through INTx here (pci=nomsi)");
	pdev = edu->pdev;
	ctrl = config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS);
	KT_EXPECT_TRUE(t, ctrl & PCI_MSI_FLAGS_ENABLE);
	KT_EXPECT_TRUE(t, config_word(pdev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	KT_EXPECT_TRUE(t, config_word(pdev, PCI_COMMAND) & PCI_COMMAND_MASTER);
	before = edu->irq_count;
	vec_before = irq_count((unsigned)edu->vector);
	for (unsigned i = 0; i < 3; i++) {
		edu_raise_irq(edu, 1u << i);
		KT_ASSERT_EQ(t, wait_count(&edu->irq_count, before + i + 1, IRQ_TIMEOUT_US), 0);
		KT_EXPECT_EQ(t, edu->irq_status, 1u << i);
	}
	KT_EXPECT_EQ(t, edu->irq_count, before + 3);
	KT_EXPECT_UEQ(t, irq_count((unsigned)edu->vector), vec_before + 3);
	KT_EXPECT_EQ(t, edu->regs[EDU_IRQ_STATUS / 4], 0);   /* every raise acknowledged */
}

/* An MSI is a memory write: with bus mastering off, none arrives. */
static void msi_needs_bus_mastering(struct ktest *t)
{
	struct edu *edu = edu_get(0);
	uint64_t before;

	if (!edu)
		KT_SKIP(t, "no edu device bound to the edu driver");
	if (edu->irq_type != PCI_IRQ_MSI)
		KT_SKIP(t, "edu interrupts through INTx here (pci=nomsi)");
	before = edu->irq_count;
	/* QEMU drops the device's write to the MSI address and says so. */
	ktest_expect_qemu_log(t, "Invalid write at addr 0xFEE[0-9A-F]{5}, size 4, "
			      "region '\\(null\\)', reason: rejected");
	pci_clear_master(edu->pdev);
	edu_raise_irq(edu, 0x10);
	KT_EXPECT_EQ(t, wait_count(&edu->irq_count, before + 1, IRQ_QUIET_US), -ETIMEDOUT);
	edu->regs[EDU_IRQ_ACK / 4] = 0x10;
	pci_set_master(edu->pdev);
	edu_raise_irq(edu, 0x20);
	KT_EXPECT_EQ(t, wait_count(&edu->irq_count, before + 1, IRQ_TIMEOUT_US), 0);
	KT_EXPECT_EQ(t, edu->irq_status, 0x20);
}

/* Read entry @e back and check it delivers @vector to us, masked or not. */
static void expect_entry(struct ktest *t, struct pci_dev *pdev, unsigned e, int vector,
			 bool masked)
{
	struct msi_msg msg;
	bool m;

	KT_ASSERT_EQ(t, pci_msix_read_entry(pdev, e, &msg, &m), 0);
	KT_EXPECT_UEQ(t, msg.address_lo, 0xfee00000u | lapic_id() << 12);
	KT_EXPECT_UEQ(t, msg.address_hi, 0);
	KT_EXPECT_UEQ(t, msg.data, (unsigned)vector);
	KT_EXPECT_EQ(t, m, masked);
}

/* MSI-X on the NVMe through pci_alloc_irq_vectors(): more than the table
 * has is refused, then three entries are programmed, masked until their
 * handlers are requested, read back, and released. */
static void msix_table_on_nvme(struct ktest *t)
{
	struct pci_dev *nvme = pci_get_device(RH_VENDOR, RH_NVME, NULL);
	unsigned vectors_before;
	int n, offered, v[3];
	bool rebind;

	if (!nvme)
		KT_SKIP(t, "no NVMe controller");
	offered = pci_msix_vec_count(nvme);
	KT_ASSERT_EQ(t, offered, (config_word(nvme, nvme->msix_cap + PCI_MSIX_FLAGS) &
				  PCI_MSIX_FLAGS_QSIZE) + 1);
	if (offered < 3)
		KT_SKIP(t, "the controller's MSI-X table has %d entries, fewer than 3", offered);
	rebind = nvme->driver != NULL;
	pci_release_driver(nvme);
	ktest_expect_error(t, "irq: error: no free interrupt vector for count");
	vectors_before = free_vectors();
	KT_ASSERT_EQ(t, pci_enable_device(nvme), 0);
	ktest_expect_error(t, "cannot allocate");
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(nvme, (unsigned)offered + 1, (unsigned)offered + 1,
					      PCI_IRQ_MSIX), -ENOSPC);
	KT_EXPECT_EQ(t, config_word(nvme, nvme->msix_cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE, 0);
	n = pci_alloc_irq_vectors(nvme, 3, 3, PCI_IRQ_ALL_TYPES);
	KT_ASSERT_EQ(t, n, 3);
	KT_EXPECT_EQ(t, nvme->irq.type, PCI_IRQ_MSIX);
	KT_EXPECT_EQ(t, config_word(nvme, nvme->msix_cap + PCI_MSIX_FLAGS) &
		     (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL), PCI_MSIX_FLAGS_ENABLE);
	KT_EXPECT_TRUE(t, config_word(nvme, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	for (unsigned e = 0; e < 3; e++) {
		v[e] = pci_irq_vector(nvme, e);
		KT_ASSERT_GE(t, v[e], IRQ_VECTOR_FIRST);
		expect_entry(t, nvme, e, v[e], true);        /* masked: no handler yet */
		KT_EXPECT_EQ(t, request_irq((unsigned)v[e], quiet_irq, 0, "pci_test", nvme), 0);
		expect_entry(t, nvme, e, v[e], false);
	}
	KT_EXPECT_EQ(t, pci_irq_vector(nvme, 3), -EINVAL);
	pci_msix_mask(nvme, 1, true);
	expect_entry(t, nvme, 1, v[1], true);
	pci_msix_mask(nvme, 1, false);
	KT_EXPECT_FALSE(t, pci_msix_pending(nvme, 1));
	KT_EXPECT_EQ(t, request_irq((unsigned)v[0], quiet_irq, 0, "again", nvme), -EBUSY);
	free_irq((unsigned)v[2], nvme);
	expect_entry(t, nvme, 2, v[2], true);              /* last handler out masks */
	ktest_expect_error(t, "pci_alloc_irq_vectors: vectors already allocated");
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(nvme, 1, 1, PCI_IRQ_MSIX), -EBUSY);
	KT_EXPECT_EQ(t, free_vectors(), vectors_before - 3);
	free_irq((unsigned)v[0], nvme);
	free_irq((unsigned)v[1], nvme);
	pci_free_irq_vectors(nvme);
	KT_EXPECT_EQ(t, config_word(nvme, nvme->msix_cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE, 0);
	KT_EXPECT_FALSE(t, config_word(nvme, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	KT_EXPECT_NULL(t, nvme->irq.msix_table);
	KT_EXPECT_EQ(t, free_vectors(), vectors_before);
	if (rebind)
		pci_attach_driver(nvme);
}

/* ---- the driver model ---- */

/* Unbinding edu gives back its vector, its mapping and bus mastering; rebinding works. */
static void unbind_releases_everything(struct ktest *t)
{
	struct edu *edu = edu_get(0);
	struct pci_dev *pdev;
	unsigned vectors_before;

	if (!edu)
		KT_SKIP(t, "no edu device bound to the edu driver");
	pdev = edu->pdev;
	ktest_expect_error(t, "irq: error: no free interrupt vector for count");
	vectors_before = free_vectors();
	pci_release_driver(pdev);
	KT_EXPECT_NULL(t, pdev->driver);
	KT_EXPECT_NULL(t, pdev->dev.driver_name);
	KT_EXPECT_NULL(t, pdev->bar[0].virt);
	KT_EXPECT_EQ(t, pdev->irq.type, 0);
	KT_EXPECT_EQ(t, config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE, 0);
	KT_EXPECT_EQ(t, config_word(pdev, PCI_COMMAND) &
		     (PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE), 0);
	KT_EXPECT_EQ(t, free_vectors(), vectors_before + 1);
	/* No edu driver instance is left on this device (others may exist). */
	for (unsigned i = 0; edu_get(i); i++)
		KT_EXPECT_TRUE(t, edu_get(i)->pdev != pdev);

	KT_ASSERT_EQ(t, pci_attach_driver(pdev), 0);
	edu = edu_get(0);
	KT_ASSERT_NOT_NULL(t, edu);
	edu_raise_irq(edu, 0x40);
	KT_EXPECT_EQ(t, wait_count(&edu->irq_count, 1, IRQ_TIMEOUT_US), 0);
}

/* What the test driver saw. */
static struct {
	struct pci_dev *probed[4];
	const struct pci_device_id *id[4];
	unsigned count;                  /* successful probes */
	unsigned removed;
	int fail_with;                   /* probe fails with this, after taking resources */
} drv_seen;

/* Take what a driver takes: decoding, a mapping, bus mastering, an MSI-X
 * vector if the device has MSI-X. Then succeed, or fail without undoing. */
static int test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	pci_enable_device(pdev);
	pci_iomap(pdev, 0);
	pci_set_master(pdev);
	if (pdev->msix_cap && pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX) > 0)
		request_irq((unsigned)pci_irq_vector(pdev, 0), quiet_irq, 0, "pci_test", NULL);
	if (drv_seen.fail_with)
		return drv_seen.fail_with;
	if (drv_seen.count < 4) {
		drv_seen.probed[drv_seen.count] = pdev;
		drv_seen.id[drv_seen.count++] = id;
	}
	dev_info(&pdev->dev, "probed");
	return 0;
}

/* A careless remove(): gives nothing back, the core must. */
static void test_remove(struct pci_dev *pdev)
{
	(void)pdev;
	drv_seen.removed++;
}

static const struct pci_device_id test_ids[] = {
	{ PCI_DEVICE(0x1234, 0xffff) },                      /* matches nothing here */
	{ PCI_DEVICE(RH_VENDOR, RH_NVME) },
	{ PCI_DEVICE_CLASS(CLASS_OTHERS, 0xffff00) },
	{ 0 },
};

static struct pci_driver test_driver = {
	.name = "pci_test",
	.id_table = test_ids,
	.probe = test_probe,
	.remove = test_remove,
};

/* Nothing a driver took survives it: no mapping, no mastering, no MSI-X. */
static void expect_released(struct ktest *t, struct pci_dev *pdev)
{
	KT_EXPECT_NULL(t, pdev->driver);
	KT_EXPECT_NULL(t, pdev->dev.driver_name);
	KT_EXPECT_NULL(t, pdev->bar[0].virt);
	KT_EXPECT_EQ(t, pdev->irq.msix_entries, 0);
	KT_EXPECT_EQ(t, config_word(pdev, PCI_COMMAND) & PCI_COMMAND_MASTER, 0);
	if (pdev->msix_cap)
		KT_EXPECT_EQ(t, config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS) &
			     PCI_MSIX_FLAGS_ENABLE, 0);
}

/*
 * A driver binds by class (pci-testdev) and by ID (the NVMe), its log
 * lines carry its name, and whatever it took is released by the core,
 * both when its probe fails and when it is unregistered.
 */
static void driver_leftovers_released(struct ktest *t)
{
	static char out[CAPTURE_SIZE];
	struct pci_dev *td, *nvme = pci_get_device(RH_VENDOR, RH_NVME, NULL);
	unsigned vectors_before, expect_bound;
	char want[64];

	ktest_expect_error(t, "irq: error: no free interrupt vector for count");
	ktest_expect_error(t, "error: probe failed (");
	vectors_before = free_vectors();
	EXPECT_DEVICE(t, td, "testdev");
	if (nvme && nvme->driver)
		nvme = NULL;                    /* owned by a real driver: leave it be */
	expect_bound = nvme ? 2 : 1;
	drv_seen = (typeof(drv_seen)){ .fail_with = -EIO };
	KT_ASSERT_EQ(t, pci_register_driver(&test_driver), 0);
	expect_released(t, td);
	if (nvme)
		expect_released(t, nvme);
	KT_EXPECT_EQ(t, free_vectors(), vectors_before);
	pci_unregister_driver(&test_driver);

	drv_seen.fail_with = 0;
	console_capture_start(out, sizeof(out));
	KT_EXPECT_EQ(t, pci_register_driver(&test_driver), 0);
	console_capture_stop();
	KT_EXPECT_EQ(t, pci_register_driver(&test_driver), -EEXIST);
	KT_ASSERT_EQ(t, drv_seen.count, expect_bound);
	KT_EXPECT_TRUE(t, td->driver == &test_driver);
	KT_EXPECT_TRUE(t, pci_match_id(test_ids, td) == &test_ids[2]);
	snprintf(want, sizeof(want), "pci_test %s: probed", td->dev.name);
	KT_EXPECT_SUBSTR(t, out, want);
	if (nvme) {
		KT_EXPECT_TRUE(t, nvme->driver == &test_driver);
		KT_EXPECT_TRUE(t, pci_match_id(test_ids, nvme) == &test_ids[1]);
		KT_EXPECT_EQ(t, free_vectors(), vectors_before - 1);
	}
	KT_EXPECT_TRUE(t, config_word(td, PCI_COMMAND) & PCI_COMMAND_MASTER);
	pci_unregister_driver(&test_driver);
	KT_EXPECT_EQ(t, drv_seen.removed, expect_bound);
	expect_released(t, td);
	if (nvme)
		expect_released(t, nvme);
	KT_EXPECT_EQ(t, free_vectors(), vectors_before);
}

/* The table in the log shows the topology, the BARs, the caps and the drivers. */
static void lspci_table(struct ktest *t)
{
	static char out[CAPTURE_SIZE];
	struct pci_dev *nvme, *edu;
	char want[96];

	EXPECT_DEVICE(t, nvme, "nvme");
	EXPECT_DEVICE(t, edu, "edu");
	console_capture_start(out, sizeof(out));
	pci_print_devices();
	console_capture_stop();
	snprintf(want, sizeof(want), "pci: %s 1b36:0010  NVM Express controller", nvme->dev.name);
	KT_EXPECT_SUBSTR(t, out, want);
	KT_EXPECT_SUBSTR(t, out, "BAR0  mem64       0x");
	KT_EXPECT_SUBSTR(t, out, "16 KiB");
	KT_EXPECT_SUBSTR(t, out, "caps  MSI-X@0x40");
	KT_EXPECT_SUBSTR(t, out, "PCIe(root port)");
	snprintf(want, sizeof(want), "%s 1234:11e8  unclassified device             edu",
		 edu->dev.name);
	KT_EXPECT_SUBSTR(t, out, want);
	snprintf(want, sizeof(want), "bus %02x-%02x", nvme->bus, nvme->bus);
	KT_EXPECT_SUBSTR(t, out, want);
}

KTEST_SUITE_EXT(pci, 0, pci_skip,
		KTEST_CASE(config_mechanism_and_accessors),
		KTEST_CASE(ecam_and_cf8_agree),
		KTEST_CASE(ecam_mapped_uncached),
		KTEST_CASE(bus_numbers_consistent),
		KTEST_CASE(requester_ids),
		KTEST_CASE(bar_sizing_repeatable),
		KTEST_CASE(capabilities_match_config_space),
		KTEST_CASE(nvme_behind_root_port),
		KTEST_CASE(testdev_behind_pci_bridge),
		KTEST_CASE(edu_on_root_bus),
		KTEST_CASE(msi_delivered_by_edu),
		KTEST_CASE(msi_needs_bus_mastering),
		KTEST_CASE(msix_table_on_nvme),
		KTEST_CASE(unbind_releases_everything),
		KTEST_CASE(driver_leftovers_released),
		KTEST_CASE(bar_assigned_and_decoding),
		KTEST_CASE(lspci_table));
