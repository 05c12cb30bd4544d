/*
 * test_pci_enum.c - enumeration (drivers/pci/probe.c) over fake
 * topologies: multifunction devices, bridges numbered by the firmware,
 * bridges left unnumbered, renumbering, running out of bus numbers, and
 * the requester IDs devices end up with.
 *
 * The fake forwards a configuration cycle through a bridge only if the
 * bridge's bus numbers say so, so a device behind a badly numbered bridge
 * is really invisible until the bridge is numbered.
 */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "tests/host/test_pci_fake.h"

#define RH          0x1b36
#define ROOT_PORT   0x000c
#define PCI_BRIDGE  0x0001
#define TESTDEV     0x0005
#define NVME        0x0010
#define CLASS_BRIDGE 0x060400
#define CLASS_OTHER  0x00ff00
#define CLASS_NVME   0x010802

static struct fake_pci fake;

/* A conventional PCI-to-PCI bridge at @slot on @parent's bus, numbered as given. */
static int pci_bridge(int parent, unsigned slot, uint8_t pri, uint8_t sec, uint8_t sub)
{
	int b = fake_add(&fake, parent, slot, 0, RH, PCI_BRIDGE, CLASS_BRIDGE, PCI_HEADER_TYPE_BRIDGE);

	fake_bridge_buses(&fake, b, pri, sec, sub);
	return b;
}

/* A bridge with a PCI Express capability of port type @type. */
static int pcie_bridge(int parent, unsigned slot, uint8_t type, uint8_t pri, uint8_t sec,
		       uint8_t sub)
{
	int b = pci_bridge(parent, slot, pri, sec, sub);

	fake_cap(&fake, b, 0x40, PCI_CAP_ID_EXP);
	fake_set(&fake, b, 0x40 + PCI_EXP_FLAGS, 2, (uint32_t)type << 4 | 2);
	return b;
}

static int endpoint(int parent, unsigned slot, unsigned fn, uint8_t hdr)
{
	return fake_add(&fake, parent, slot, fn, RH, TESTDEV, CLASS_OTHER, hdr);
}

/* Functions 1-7 are scanned only when function 0 says it is multifunction. */
static void finds_functions_and_multifunction(struct ktest *t)
{
	struct pci_dev *p;
	int f0, f1, f3, other;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	fake_add(&fake, -1, 0, 0, 0x8086, 0x29c0, 0x060000, PCI_HEADER_TYPE_NORMAL);
	f0 = endpoint(-1, 2, 0, PCI_HEADER_TYPE_NORMAL | PCI_HEADER_TYPE_MFD);
	f1 = endpoint(-1, 2, 1, PCI_HEADER_TYPE_NORMAL);
	f3 = endpoint(-1, 2, 3, PCI_HEADER_TYPE_NORMAL);
	endpoint(-1, 5, 0, PCI_HEADER_TYPE_NORMAL);
	other = endpoint(-1, 5, 1, PCI_HEADER_TYPE_NORMAL);   /* fn 0 is not MFD: unseen */
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 0xff), 5);
	p = fake_pdev(&fake, f3);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_STREQ(t, p->dev.name, "0000:00:02.3");
	KT_EXPECT_EQ(t, p->rid, 0x0013);
	KT_EXPECT_TRUE(t, fake_pdev(&fake, f0)->multifunction);
	KT_EXPECT_NOT_NULL(t, fake_pdev(&fake, f1));
	KT_EXPECT_NULL(t, fake_pdev(&fake, other));
	KT_EXPECT_NULL(t, p->bridge);
	KT_EXPECT_NULL(t, p->dev.parent);
	KT_EXPECT_STREQ(t, pci_first_dev()->dev.name, "0000:00:00.0");
}

/* Numbers the firmware gave are kept, and what is behind is found. */
static void firmware_bus_numbers_kept(struct ktest *t)
{
	struct pci_dev *rp, *sw, *ep;
	int r, s, e;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	r = pcie_bridge(-1, 1, PCI_EXP_TYPE_ROOT_PORT, 0, 1, 2);
	s = pci_bridge(r, 0, 1, 2, 2);
	e = endpoint(s, 3, 0, PCI_HEADER_TYPE_NORMAL);
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 0xff), 3);
	rp = fake_pdev(&fake, r);
	sw = fake_pdev(&fake, s);
	ep = fake_pdev(&fake, e);
	KT_ASSERT_NOT_NULL(t, rp);
	KT_ASSERT_NOT_NULL(t, sw);
	KT_ASSERT_NOT_NULL(t, ep);
	KT_EXPECT_STREQ(t, ep->dev.name, "0000:02:03.0");
	KT_EXPECT_EQ(t, rp->secondary, 1);
	KT_EXPECT_EQ(t, rp->subordinate, 2);
	KT_EXPECT_EQ(t, fake_get(&fake, r, PCI_SUBORDINATE_BUS, 1), 2);
	KT_EXPECT_TRUE(t, ep->bridge == sw && sw->bridge == rp);
	KT_EXPECT_TRUE(t, ep->dev.parent == &sw->dev);
	KT_EXPECT_EQ(t, pci_bridge_secondary_bus(NULL, 1, 0, 0), 2);
	KT_EXPECT_EQ(t, pci_bridge_secondary_bus(NULL, 2, 3, 0), -ENODEV);
}

/* A bridge with secondary 0 gets the next free bus once its siblings are
 * done, and so does an unnumbered bridge behind it. */
static void unnumbered_bridges_get_next_buses(struct ktest *t)
{
	struct pci_dev *pb, *pc, *pe;
	int a, b, c, e;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	b = pci_bridge(-1, 1, 0, 0, 0);                  /* unnumbered, first in slot order */
	a = pci_bridge(-1, 2, 0, 1, 1);                  /* numbered by firmware */
	endpoint(a, 0, 0, PCI_HEADER_TYPE_NORMAL);
	c = pci_bridge(b, 4, 0, 0, 0);
	e = endpoint(c, 0, 0, PCI_HEADER_TYPE_NORMAL);
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 0xff), 5);
	pb = fake_pdev(&fake, b);
	pc = fake_pdev(&fake, c);
	pe = fake_pdev(&fake, e);
	KT_ASSERT_NOT_NULL(t, pb);
	KT_ASSERT_NOT_NULL(t, pc);
	KT_ASSERT_NOT_NULL(t, pe);
	KT_EXPECT_EQ(t, pb->secondary, 2);
	KT_EXPECT_EQ(t, pb->subordinate, 3);
	KT_EXPECT_EQ(t, pc->primary, 2);
	KT_EXPECT_EQ(t, pc->secondary, 3);
	KT_EXPECT_EQ(t, pc->subordinate, 3);
	KT_EXPECT_STREQ(t, pe->dev.name, "0000:03:00.0");
	KT_EXPECT_EQ(t, fake_get(&fake, b, PCI_SECONDARY_BUS, 1), 2);
	KT_EXPECT_EQ(t, fake_get(&fake, b, PCI_SUBORDINATE_BUS, 1), 3);
	KT_EXPECT_EQ(t, fake_get(&fake, a, PCI_SECONDARY_BUS, 1), 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "0000:00:01.0: bridge numbered: secondary bus 02, subordinate 03");
}

/* Numbers that overlap a sibling's, or do not lie above the bridge's own bus, are redone. */
static void bad_firmware_numbers_redone(struct ktest *t)
{
	struct pci_dev *pa, *pb, *pc;
	int a, b, c;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	a = pci_bridge(-1, 1, 0, 1, 3);
	endpoint(a, 0, 0, PCI_HEADER_TYPE_NORMAL);
	b = pci_bridge(-1, 2, 0, 2, 2);                  /* inside a's range */
	c = pci_bridge(-1, 3, 0, 0xff, 0x10);            /* subordinate below secondary */
	fake_scan(&fake, false, 0xff);
	pa = fake_pdev(&fake, a);
	pb = fake_pdev(&fake, b);
	pc = fake_pdev(&fake, c);
	KT_ASSERT_NOT_NULL(t, pa);
	KT_ASSERT_NOT_NULL(t, pb);
	KT_ASSERT_NOT_NULL(t, pc);
	KT_EXPECT_EQ(t, pa->secondary, 1);
	KT_EXPECT_EQ(t, pa->subordinate, 3);
	KT_EXPECT_EQ(t, pb->secondary, 4);
	KT_EXPECT_EQ(t, pb->subordinate, 4);
	KT_EXPECT_EQ(t, pc->secondary, 5);
	KT_EXPECT_EQ(t, pc->subordinate, 5);
}

/* pci=assign-busses: every bridge renumbered depth first. */
static void assign_busses_renumbers_all(struct ktest *t)
{
	struct pci_dev *pa, *pb, *pe;
	int a, b, e;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	a = pci_bridge(-1, 1, 0, 5, 6);
	b = pci_bridge(a, 0, 5, 6, 6);
	e = endpoint(b, 0, 0, PCI_HEADER_TYPE_NORMAL);
	pci_bridge(-1, 2, 0, 9, 9);
	KT_EXPECT_EQ(t, fake_scan(&fake, true, 0xff), 4);
	pa = fake_pdev(&fake, a);
	pb = fake_pdev(&fake, b);
	pe = fake_pdev(&fake, e);
	KT_ASSERT_NOT_NULL(t, pa);
	KT_ASSERT_NOT_NULL(t, pb);
	KT_ASSERT_NOT_NULL(t, pe);
	KT_EXPECT_EQ(t, pa->secondary, 1);
	KT_EXPECT_EQ(t, pa->subordinate, 2);
	KT_EXPECT_EQ(t, pb->secondary, 2);
	KT_EXPECT_STREQ(t, pe->dev.name, "0000:02:00.0");
	KT_EXPECT_EQ(t, pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(2, 0))->secondary, 3);
}

/* With the bus range used up, the bridge is reported and nothing behind it appears. */
static void running_out_of_bus_numbers(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	int a, b;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	a = pci_bridge(-1, 1, 0, 1, 1);
	endpoint(a, 0, 0, PCI_HEADER_TYPE_NORMAL);
	b = pci_bridge(-1, 2, 0, 0, 0);
	endpoint(b, 0, 0, PCI_HEADER_TYPE_NORMAL);
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 1), 3);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "0000:00:02.0: error: no bus number left for the bus "
			 "behind it (buses 00-01 all taken)");
	KT_EXPECT_EQ(t, fake_pdev(&fake, b)->secondary, 0);
}

/*
 * What the IOMMU sees: an endpoint's own ID below PCI Express ports; the
 * bridge's own ID below a conventional PCI bridge on the root complex;
 * (secondary bus, 00.0) below a PCIe-to-PCI bridge, which also wins over
 * a conventional bridge further down.
 */
static void requester_ids_and_dma_aliases(struct ktest *t)
{
	struct pci_dev *nvme, *testdev, *legacy, *deep;
	int rp, br, rp2, p2p, inner, n, td, lg, dp;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	rp = pcie_bridge(-1, 2, PCI_EXP_TYPE_ROOT_PORT, 0, 1, 1);
	n = fake_add(&fake, rp, 0, 0, RH, NVME, CLASS_NVME, PCI_HEADER_TYPE_NORMAL);
	br = pci_bridge(-1, 3, 0, 2, 2);
	td = endpoint(br, 1, 0, PCI_HEADER_TYPE_NORMAL);
	rp2 = pcie_bridge(-1, 5, PCI_EXP_TYPE_ROOT_PORT, 0, 3, 5);
	p2p = pcie_bridge(rp2, 0, PCI_EXP_TYPE_PCI_BRIDGE, 3, 4, 5);
	lg = endpoint(p2p, 2, 0, PCI_HEADER_TYPE_NORMAL);
	inner = pci_bridge(p2p, 7, 4, 5, 5);
	dp = endpoint(inner, 1, 0, PCI_HEADER_TYPE_NORMAL);
	fake_scan(&fake, false, 0xff);
	nvme = fake_pdev(&fake, n);
	testdev = fake_pdev(&fake, td);
	legacy = fake_pdev(&fake, lg);
	deep = fake_pdev(&fake, dp);
	KT_ASSERT_NOT_NULL(t, nvme);
	KT_ASSERT_NOT_NULL(t, testdev);
	KT_ASSERT_NOT_NULL(t, legacy);
	KT_ASSERT_NOT_NULL(t, deep);
	KT_EXPECT_EQ(t, nvme->rid, 0x0100);
	KT_EXPECT_EQ(t, nvme->dma_alias, 0x0100);
	KT_EXPECT_EQ(t, testdev->rid, 0x0208);
	KT_EXPECT_EQ(t, testdev->dma_alias, PCI_RID(0, PCI_DEVFN(3, 0)));
	KT_EXPECT_EQ(t, legacy->rid, 0x0410);
	KT_EXPECT_EQ(t, legacy->dma_alias, 0x0400);
	KT_EXPECT_EQ(t, deep->rid, 0x0508);
	KT_EXPECT_EQ(t, deep->dma_alias, 0x0400);
}

/* Nothing on the bus at all: nothing found, nothing invented. */
static void empty_machine(struct ktest *t)
{
	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 0xff), 0);
	KT_EXPECT_NULL(t, pci_first_dev());
	KT_EXPECT_NULL(t, pci_get_device(PCI_ANY_ID, PCI_ANY_ID, NULL));
}

/* A second host bridge's root bus (QEMU's pxb-pcie, bus_nr=0x40): no
 * bridge on bus 0 leads to it, yet it and what hangs below it are found,
 * as is a root bus holding only an endpoint. */
static void peer_root_buses_found(struct ktest *t)
{
	struct pci_dev *rp, *nvme, *lone;
	int r0, e0, r, n, l;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	fake_add(&fake, -1, 0, 0, 0x8086, 0x29c0, 0x060000, PCI_HEADER_TYPE_NORMAL);
	r0 = pcie_bridge(-1, 1, PCI_EXP_TYPE_ROOT_PORT, 0, 1, 1);
	e0 = endpoint(r0, 0, 0, PCI_HEADER_TYPE_NORMAL);
	r = pcie_bridge(-1, 0, PCI_EXP_TYPE_ROOT_PORT, 0x40, 0x41, 0x41);
	fake_root_bus(&fake, r, 0x40);
	n = fake_add(&fake, r, 0, 0, RH, NVME, CLASS_NVME, PCI_HEADER_TYPE_NORMAL);
	l = endpoint(-1, 7, 0, PCI_HEADER_TYPE_NORMAL);
	fake_root_bus(&fake, l, 0x80);
	KT_EXPECT_EQ(t, fake_scan(&fake, false, 0xff), 6);
	rp = fake_pdev(&fake, r);
	nvme = fake_pdev(&fake, n);
	lone = fake_pdev(&fake, l);
	KT_ASSERT_NOT_NULL(t, rp);
	KT_ASSERT_NOT_NULL(t, nvme);
	KT_ASSERT_NOT_NULL(t, lone);
	KT_EXPECT_NOT_NULL(t, fake_pdev(&fake, e0));
	KT_EXPECT_STREQ(t, rp->dev.name, "0000:40:00.0");
	KT_EXPECT_NULL(t, rp->bridge);
	KT_EXPECT_STREQ(t, nvme->dev.name, "0000:41:00.0");
	KT_EXPECT_TRUE(t, nvme->bridge == rp);
	KT_EXPECT_EQ(t, nvme->dma_alias, 0x4100);
	KT_EXPECT_STREQ(t, lone->dev.name, "0000:80:07.0");
	KT_EXPECT_SUBSTR(t, fake_last_log(), "bus 80 is a root bus of its own");
}

/* Renumbering on a peer root bus: its bridges get numbers just above it,
 * below the next bus in use. The probe of unclaimed buses costs at most
 * 32 Vendor ID reads per bus number. */
static void peer_root_bus_renumbered(struct ktest *t)
{
	struct pci_dev *rp, *nvme;
	unsigned before;
	int r, n;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	r = pcie_bridge(-1, 2, PCI_EXP_TYPE_ROOT_PORT, 0, 0, 0);   /* left unnumbered */
	fake_root_bus(&fake, r, 0x40);
	n = fake_add(&fake, r, 0, 0, RH, NVME, CLASS_NVME, PCI_HEADER_TYPE_NORMAL);
	before = fake.reads;
	KT_EXPECT_EQ(t, fake_scan(&fake, true, 0xff), 2);
	rp = fake_pdev(&fake, r);
	nvme = fake_pdev(&fake, n);
	KT_ASSERT_NOT_NULL(t, rp);
	KT_ASSERT_NOT_NULL(t, nvme);
	KT_EXPECT_EQ(t, rp->secondary, 0x41);
	KT_EXPECT_EQ(t, rp->subordinate, 0x41);
	KT_EXPECT_STREQ(t, nvme->dev.name, "0000:41:00.0");
	KT_EXPECT_LT(t, fake.reads - before, 256 * 32 + 400);
}

/* pci_get_device() walks matches in order. */
static void lookup_by_id(struct ktest *t)
{
	struct pci_dev *p;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	endpoint(-1, 1, 0, PCI_HEADER_TYPE_NORMAL);
	fake_add(&fake, -1, 2, 0, RH, NVME, CLASS_NVME, PCI_HEADER_TYPE_NORMAL);
	endpoint(-1, 3, 0, PCI_HEADER_TYPE_NORMAL);
	fake_scan(&fake, false, 0xff);
	p = pci_get_device(RH, TESTDEV, NULL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_STREQ(t, p->dev.name, "0000:00:01.0");
	p = pci_get_device(RH, TESTDEV, p);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_STREQ(t, p->dev.name, "0000:00:03.0");
	KT_EXPECT_NULL(t, pci_get_device(RH, TESTDEV, p));
	p = pci_get_device(PCI_ANY_ID, NVME, NULL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->class, CLASS_NVME);
}

/* Endpoints stop mastering the bus until a driver asks; bridges keep it. */
static void bus_mastering_turned_off(struct ktest *t)
{
	int b, e;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	b = pci_bridge(-1, 1, 0, 1, 1);
	e = endpoint(b, 0, 0, PCI_HEADER_TYPE_NORMAL);
	fake_set(&fake, b, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	fake_set(&fake, e, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	fake_scan(&fake, false, 0xff);
	KT_EXPECT_EQ(t, fake_get(&fake, e, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	KT_EXPECT_EQ(t, fake_get(&fake, b, PCI_COMMAND, 2), PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	KT_EXPECT_EQ(t, pci_masters_stopped(), 1);
}

static void sizes_formatted(struct ktest *t)
{
	char buf[24];

	KT_EXPECT_STREQ(t, pci_format_size(buf, sizeof(buf), 256), "256 B");
	KT_EXPECT_STREQ(t, pci_format_size(buf, sizeof(buf), 4096), "4 KiB");
	KT_EXPECT_STREQ(t, pci_format_size(buf, sizeof(buf), 16 << 20), "16 MiB");
	KT_EXPECT_STREQ(t, pci_format_size(buf, sizeof(buf), 1536), "1536 B");
	KT_EXPECT_STREQ(t, pci_format_size(buf, sizeof(buf), 0x200000000ULL), "8 GiB");
}

KTEST_SUITE(pci_enum,
	    KTEST_CASE(finds_functions_and_multifunction),
	    KTEST_CASE(firmware_bus_numbers_kept),
	    KTEST_CASE(unnumbered_bridges_get_next_buses),
	    KTEST_CASE(bad_firmware_numbers_redone),
	    KTEST_CASE(assign_busses_renumbers_all),
	    KTEST_CASE(running_out_of_bus_numbers),
	    KTEST_CASE(requester_ids_and_dma_aliases),
	    KTEST_CASE(empty_machine),
	    KTEST_CASE(peer_root_buses_found),
	    KTEST_CASE(peer_root_bus_renumbered),
	    KTEST_CASE(lookup_by_id),
	    KTEST_CASE(bus_mastering_turned_off),
	    KTEST_CASE(sizes_formatted));
