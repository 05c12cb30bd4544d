/*
 * test_pci_bar.c - BAR sizing, bridge windows and BAR assignment
 * (drivers/pci/bar.c) over a fake configuration space.
 */
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "tests/host/test_pci_fake.h"

#define VENDOR   0x1b36
#define ENDPOINT 0x0005
#define BRIDGE   0x0001
#define CLASS_OTHER     0x00ff00
#define CLASS_PCI_BRIDGE 0x060400

#define MEM32    PCI_BASE_ADDRESS_MEM_TYPE_32
#define MEM64    PCI_BASE_ADDRESS_MEM_TYPE_64
#define PREF     PCI_BASE_ADDRESS_MEM_PREFETCH
#define IO       PCI_BASE_ADDRESS_SPACE_IO

static struct fake_pci fake;

/* A root-bus endpoint at 00:03.0. */
static int endpoint(void)
{
	return fake_add(&fake, -1, 3, 0, VENDOR, ENDPOINT, CLASS_OTHER, PCI_HEADER_TYPE_NORMAL);
}

/* Every kind of BAR decodes to its size, kind and address. */
static void decodes_every_kind(struct ktest *t)
{
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 0, MEM32, 0x1000, 0xfe000000);
	fake_bar(&fake, d, 1, IO, 0x100, 0xc000);
	fake_bar(&fake, d, 2, MEM64 | PREF, 0x4000, 0x800000000ULL);
	fake_bar(&fake, d, 5, MEM32, 0x100000, 0xfe100000);
	KT_ASSERT_EQ(t, fake_scan(&fake, false, 0xff), 1);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->num_bars, 6);
	KT_EXPECT_UEQ(t, p->bar[0].size, 0x1000);
	KT_EXPECT_UEQ(t, p->bar[0].base, 0xfe000000);
	KT_EXPECT_EQ(t, p->bar[0].flags, 0);
	KT_EXPECT_UEQ(t, p->bar[1].size, 0x100);
	KT_EXPECT_UEQ(t, p->bar[1].base, 0xc000);
	KT_EXPECT_EQ(t, p->bar[1].flags, PCI_BAR_IO);
	KT_EXPECT_UEQ(t, p->bar[2].size, 0x4000);
	KT_EXPECT_UEQ(t, p->bar[2].base, 0x800000000ULL);
	KT_EXPECT_EQ(t, p->bar[2].flags, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	KT_EXPECT_EQ(t, p->bar[3].flags, PCI_BAR_UPPER);
	KT_EXPECT_UEQ(t, p->bar[3].size, 0);
	KT_EXPECT_UEQ(t, p->bar[4].size, 0);
	KT_EXPECT_UEQ(t, p->bar[5].size, 0x100000);
	KT_EXPECT_STREQ(t, pci_bar_kind(&p->bar[2]), "mem64 pref");
	KT_EXPECT_STREQ(t, pci_bar_kind(&p->bar[1]), "io");
}

/* A 64-bit BAR of 8 GiB: the size lives only in the upper half. */
static void huge_64bit_bar(struct ktest *t)
{
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 0, MEM64 | PREF, 0x200000000ULL, 0x1000000000ULL);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[0].size, 0x200000000ULL);
	KT_EXPECT_UEQ(t, p->bar[0].base, 0x1000000000ULL);
}

/* An I/O decoder of 16 bits reads the upper half as zero: still 32 bytes. */
static void io_bar_with_16bit_decoder(struct ktest *t)
{
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 4, IO, 32, 0xd040);
	fake.fn[d].io16[4] = true;
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[4].size, 32);
	KT_EXPECT_UEQ(t, p->bar[4].base, 0xd040);
}

/* Sizing switches decoding off, and leaves COMMAND and every BAR as it found them. */
static void sizing_restores_everything(struct ktest *t)
{
	uint32_t before[PCI_STD_NUM_BARS];
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 0, MEM64, 0x4000, 0xfe400000);
	fake_bar(&fake, d, 2, IO, 0x40, 0xc040);
	fake_bar(&fake, d, 3, MEM32 | PREF, 0x10000, 0xfd000000);
	fake_set(&fake, d, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		before[i] = fake_get(&fake, d, PCI_BASE_ADDRESS_0 + 4 * i, 4);
	fake_scan(&fake, false, 0xff);
	KT_EXPECT_FALSE(t, fake.fn[d].sized_while_decoding);
	KT_EXPECT_EQ(t, fake_get(&fake, d, PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		KT_EXPECT_UEQ(t, fake_get(&fake, d, PCI_BASE_ADDRESS_0 + 4 * i, 4), before[i]);
}

/* A 64-bit BAR in slot 5 has no upper half: reported, not used. */
static void bar64_in_slot5_rejected(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 0, MEM32, 0x1000, 0xfe000000);
	fake_bar(&fake, d, 5, MEM64, 0x1000, 0xfe001000);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[0].size, 0x1000);
	KT_EXPECT_UEQ(t, p->bar[5].size, 0);
	KT_EXPECT_EQ(t, p->bar[5].flags, 0);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "0000:00:03.0: error: BAR 5 is 64-bit but is the last BAR");
}

/* The reserved memory type (bits 2:1 = 11) is refused. */
static void reserved_memory_type_rejected(struct ktest *t)
{
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = endpoint();
	fake_bar(&fake, d, 1, 0x6, 0x1000, 0xfe000000);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[1].size, 0);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "BAR 1 has the reserved memory type");
}

/* A bridge has two BARs; its bus-number registers at 0x18 are not a BAR. */
static void bridge_has_two_bars(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	struct pci_dev *p;
	int b;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	b = fake_add(&fake, -1, 1, 0, VENDOR, BRIDGE, CLASS_PCI_BRIDGE, PCI_HEADER_TYPE_BRIDGE);
	fake_bar(&fake, b, 0, MEM64, 0x100, 0xfe701000);
	fake_bridge_buses(&fake, b, 0, 1, 1);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, b);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->num_bars, 2);
	KT_EXPECT_UEQ(t, p->bar[0].size, 0x100);
	KT_EXPECT_EQ(t, p->bar[1].flags, PCI_BAR_UPPER);
	KT_EXPECT_EQ(t, p->secondary, 1);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);

	/* 64-bit in a bridge's last slot: the same refusal as slot 5. */
	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	b = fake_add(&fake, -1, 1, 0, VENDOR, BRIDGE, CLASS_PCI_BRIDGE, PCI_HEADER_TYPE_BRIDGE);
	fake_bar(&fake, b, 1, MEM64, 0x100, 0xfe701000);
	fake_bridge_buses(&fake, b, 0, 1, 1);
	fake_scan(&fake, false, 0xff);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "BAR 1 is 64-bit but is the last BAR");
}

/* Windows: 32-bit I/O, memory, 64-bit prefetchable; closed and absent ones. */
static void bridge_windows_decoded(struct ktest *t)
{
	struct pci_dev *p;
	int b, c;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	b = fake_add(&fake, -1, 1, 0, VENDOR, BRIDGE, CLASS_PCI_BRIDGE, PCI_HEADER_TYPE_BRIDGE);
	fake_bridge_buses(&fake, b, 0, 1, 1);
	fake_set(&fake, b, PCI_IO_BASE, 1, 0xc1);             /* 0x1c000, 32-bit I/O */
	fake_set(&fake, b, PCI_IO_LIMIT, 1, 0xd1);
	fake_set(&fake, b, PCI_IO_BASE_UPPER16, 2, 0x0001);
	fake_set(&fake, b, PCI_IO_LIMIT_UPPER16, 2, 0x0001);
	fake_set(&fake, b, PCI_MEMORY_BASE, 2, 0xfe20);
	fake_set(&fake, b, PCI_MEMORY_LIMIT, 2, 0xfe30);
	fake_set(&fake, b, PCI_PREF_MEMORY_BASE, 2, 0x0001);  /* 64-bit, base 8 GiB */
	fake_set(&fake, b, PCI_PREF_MEMORY_LIMIT, 2, 0x0011);
	fake_set(&fake, b, PCI_PREF_BASE_UPPER32, 4, 2);
	fake_set(&fake, b, PCI_PREF_LIMIT_UPPER32, 4, 2);
	c = fake_add(&fake, -1, 2, 0, VENDOR, BRIDGE, CLASS_PCI_BRIDGE, PCI_HEADER_TYPE_BRIDGE);
	fake_bridge_buses(&fake, c, 0, 2, 2);
	fake_set(&fake, c, PCI_MEMORY_BASE, 2, 0xfff0);       /* base > limit: closed */
	fake_set(&fake, c, PCI_MEMORY_LIMIT, 2, 0x0000);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, b);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->io_window.base, 0x1c000);
	KT_EXPECT_UEQ(t, p->io_window.size, 0x2000);
	KT_EXPECT_UEQ(t, p->mem_window.base, 0xfe200000);
	KT_EXPECT_UEQ(t, p->mem_window.size, 0x200000);
	KT_EXPECT_UEQ(t, p->pref_window.base, 0x200000000ULL);
	KT_EXPECT_UEQ(t, p->pref_window.size, 0x200000);
	p = fake_pdev(&fake, c);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->mem_window.size, 0);
	KT_EXPECT_UEQ(t, p->io_window.size, 0);    /* both registers zero: none */
	KT_EXPECT_UEQ(t, p->pref_window.size, 0);
}

/* A bridge at 00:01.0 with a memory window, numbered 1-1, and an
 * endpoint behind it at 01:00.0. Return: the endpoint. */
static int bridge_with_window(uint16_t mem_base, uint16_t mem_limit)
{
	int b = fake_add(&fake, -1, 1, 0, VENDOR, BRIDGE, CLASS_PCI_BRIDGE, PCI_HEADER_TYPE_BRIDGE);

	fake_bridge_buses(&fake, b, 0, 1, 1);
	fake_set(&fake, b, PCI_MEMORY_BASE, 2, mem_base);
	fake_set(&fake, b, PCI_MEMORY_LIMIT, 2, mem_limit);
	fake_set(&fake, b, PCI_IO_BASE, 1, 0xf0);   /* I/O window closed */
	return fake_add(&fake, b, 0, 0, VENDOR, ENDPOINT, CLASS_OTHER, PCI_HEADER_TYPE_NORMAL);
}

/* An unassigned BAR behind a bridge goes to the lowest free aligned spot in its window. */
static void unassigned_bar_placed_in_bridge_window(struct ktest *t)
{
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = bridge_with_window(0xfe00, 0xfe10);          /* 0xfe000000-0xfe1fffff */
	fake_bar(&fake, d, 0, MEM32, 0x1000, 0xfe000000);
	fake_bar(&fake, d, 1, MEM32, 0x2000, 0);
	fake_bar(&fake, d, 2, MEM64, 0x100000, 0);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[1].base, 0xfe002000);
	KT_EXPECT_UEQ(t, fake_get(&fake, d, PCI_BASE_ADDRESS_0 + 4, 4), 0xfe002000);
	KT_EXPECT_UEQ(t, p->bar[2].base, 0xfe100000);
	KT_EXPECT_UEQ(t, fake_get(&fake, d, PCI_BASE_ADDRESS_0 + 8, 4), 0xfe100000 | MEM64);
	KT_EXPECT_UEQ(t, fake_get(&fake, d, PCI_BASE_ADDRESS_0 + 12, 4), 0);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "BAR 2 (mem64) assigned [0xfe100000-0xfe1fffff]");
}

/* No window, or no room in it: reported naming the device; the BAR stays at 0. */
static void unassigned_bar_without_room_reported(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	struct pci_dev *p;
	int d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	d = bridge_with_window(0xfe00, 0xfe00);          /* 1 MiB */
	fake_bar(&fake, d, 0, IO, 0x100, 0);             /* the I/O window is closed */
	fake_bar(&fake, d, 1, MEM32, 0x200000, 0);       /* 2 MiB does not fit */
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[0].base, 0);
	KT_EXPECT_UEQ(t, p->bar[1].base, 0);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 2);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "0000:01:00.0: error: BAR 1 (mem32, 0x200000 bytes) "
			 "unassigned; no room in window [0xfe000000-0xfe0fffff]");
	KT_EXPECT_EQ(t, pci_assign_bar(p, 0), -ENOSPC);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "BAR 0 (io, 0x100 bytes) unassigned; no window");
	KT_EXPECT_EQ(t, pci_assign_bar(p, 3), -EINVAL);   /* nothing to assign */
}

/* On the root bus the root window is used, around what is already there. */
static void unassigned_bar_on_root_bus(struct ktest *t)
{
	struct pci_dev *p;
	int a, d;

	fake_init(&fake, PCI_CFG_SPACE_EXP_SIZE);
	a = fake_add(&fake, -1, 2, 0, VENDOR, ENDPOINT, CLASS_OTHER, PCI_HEADER_TYPE_NORMAL);
	fake_bar(&fake, a, 0, MEM32, 0x100000, 0xc0000000);
	fake_bar(&fake, a, 1, IO, 0x1000, 0x1000);
	d = endpoint();
	fake_bar(&fake, d, 0, MEM32, 0x10000, 0);
	fake_bar(&fake, d, 1, IO, 0x100, 0);
	fake_bar(&fake, d, 2, MEM64 | PREF, 0x1000, 0);
	fake_scan(&fake, false, 0xff);
	p = fake_pdev(&fake, d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, p->bar[0].base, 0xc0100000);
	KT_EXPECT_UEQ(t, p->bar[1].base, 0x2000);
	KT_EXPECT_UEQ(t, p->bar[2].base, 0xc0110000);
}

KTEST_SUITE(pci_bar,
	    KTEST_CASE(decodes_every_kind),
	    KTEST_CASE(huge_64bit_bar),
	    KTEST_CASE(io_bar_with_16bit_decoder),
	    KTEST_CASE(sizing_restores_everything),
	    KTEST_CASE(bar64_in_slot5_rejected),
	    KTEST_CASE(reserved_memory_type_rejected),
	    KTEST_CASE(bridge_has_two_bars),
	    KTEST_CASE(bridge_windows_decoded),
	    KTEST_CASE(unassigned_bar_placed_in_bridge_window),
	    KTEST_CASE(unassigned_bar_without_room_reported),
	    KTEST_CASE(unassigned_bar_on_root_bus));
