/*
 * test_pci_cap.c - capability and extended capability walks
 * (drivers/pci/cap.c) over a fake configuration space, good lists and
 * every kind of malformed one: each must be cut with a report naming the
 * device, never followed forever.
 */
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "tests/host/test_pci_fake.h"

#define VENDOR 0x1b36
#define DEVICE 0x0010
#define CLASS_NVME 0x010802

static struct fake_pci fake;

/* A root-bus endpoint at 00:04.0 with nothing in its lists yet. */
static int nvme_like(uint16_t cfg_size)
{
	fake_init(&fake, cfg_size);
	return fake_add(&fake, -1, 4, 0, VENDOR, DEVICE, CLASS_NVME, PCI_HEADER_TYPE_NORMAL);
}

/* Give function @d a PCI Express capability (an endpoint) at @off. */
static void add_pcie(int d, uint8_t off)
{
	fake_cap(&fake, d, off, PCI_CAP_ID_EXP);
	fake_set(&fake, d, off + PCI_EXP_FLAGS, 2, PCI_EXP_TYPE_ENDPOINT << 4 | 2);
}

/* Scan and return the struct pci_dev of @d. */
static struct pci_dev *scan(int d)
{
	fake_scan(&fake, false, 0xff);
	return fake_pdev(&fake, d);
}

/* The walk keeps every entry in list order and finds them by ID. */
static void walks_a_good_list(struct ktest *t)
{
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	fake_cap(&fake, d, 0x40, PCI_CAP_ID_MSIX);
	fake_cap(&fake, d, 0x60, PCI_CAP_ID_PM);
	add_pcie(d, 0x80);
	fake_cap(&fake, d, 0x50, PCI_CAP_ID_MSI);
	fake_ext_cap(&fake, d, 0x100, PCI_EXT_CAP_ID_ERR, 0x148);
	fake_ext_cap(&fake, d, 0x148, PCI_EXT_CAP_ID_ACS, 0);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_EQ(t, p->cap_count, 6);
	KT_EXPECT_EQ(t, p->caps[0].id, PCI_CAP_ID_MSIX);
	KT_EXPECT_EQ(t, p->caps[1].offset, 0x60);
	KT_EXPECT_EQ(t, p->caps[3].offset, 0x50);
	KT_EXPECT_TRUE(t, p->caps[4].extended);
	KT_EXPECT_EQ(t, p->caps[4].version, 1);
	KT_EXPECT_EQ(t, p->msix_cap, 0x40);
	KT_EXPECT_EQ(t, p->msi_cap, 0x50);
	KT_EXPECT_EQ(t, p->pcie_cap, 0x80);
	KT_EXPECT_EQ(t, p->pcie_type, PCI_EXP_TYPE_ENDPOINT);
	KT_EXPECT_EQ(t, p->cfg_size, PCI_CFG_SPACE_EXP_SIZE);
	KT_EXPECT_EQ(t, pci_find_capability(p, PCI_CAP_ID_PM), 0x60);
	KT_EXPECT_EQ(t, pci_find_capability(p, PCI_CAP_ID_VNDR), 0);
	KT_EXPECT_EQ(t, pci_find_ext_capability(p, PCI_EXT_CAP_ID_ACS), 0x148);
	KT_EXPECT_EQ(t, pci_find_ext_capability(p, PCI_EXT_CAP_ID_DSN), 0);
}

/* Without STATUS.CAP_LIST the pointer at 0x34 means nothing. */
static void no_list_without_status_bit(struct ktest *t)
{
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	fake_cap(&fake, d, 0x40, PCI_CAP_ID_MSI);
	fake_set(&fake, d, PCI_STATUS, 2, 0);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, 0);
	KT_EXPECT_EQ(t, p->msi_cap, 0);
}

/* Build a list, break it with @next at @off, scan: count and message. */
static void expect_cut(struct ktest *t, uint8_t off, uint8_t next, unsigned kept,
		       const char *why)
{
	unsigned long errs = log_count(LOG_ERR);
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	fake_cap(&fake, d, 0x40, PCI_CAP_ID_PM);
	fake_cap(&fake, d, 0x50, PCI_CAP_ID_MSI);
	fake_cap(&fake, d, 0x60, PCI_CAP_ID_VNDR);
	fake_cap_next(&fake, d, off, next);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, kept);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "0000:00:04.0: error: capability list: pointer at");
	KT_EXPECT_SUBSTR(t, fake_last_log(), why);
}

static void loop_is_cut(struct ktest *t)
{
	expect_cut(t, 0x60, 0x40, 3, "leads to 0x040, back to an entry already seen (a loop); list cut");
}

static void self_loop_is_cut(struct ktest *t)
{
	expect_cut(t, 0x50, 0x50, 2, "pointer at 0x051 leads to 0x050, back to an entry already seen");
}

static void pointer_into_header_is_cut(struct ktest *t)
{
	expect_cut(t, 0x50, 0x10, 2, "leads to 0x010, inside the header");
}

static void first_pointer_into_header_is_cut(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	fake_cap(&fake, d, 0x40, PCI_CAP_ID_PM);
	fake_set(&fake, d, PCI_CAPABILITY_LIST, 1, 0x08);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, 0);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "pointer at 0x034 leads to 0x008, inside the header");
}

static void pointer_past_end_is_cut(struct ktest *t)
{
	expect_cut(t, 0x40, 0xfe, 1, "leads to 0x0fe, past the end of configuration space");
}

static void misaligned_pointer_is_cut(struct ktest *t)
{
	expect_cut(t, 0x40, 0x51, 1, "leads to 0x051, not dword aligned");
}

/* Build a PCIe function with extended caps at 0x100 -> 0x140 -> @next. */
static void expect_ext_cut(struct ktest *t, uint16_t next, unsigned ext_kept, const char *why)
{
	unsigned long errs = log_count(LOG_ERR);
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	add_pcie(d, 0x40);
	fake_ext_cap(&fake, d, 0x100, PCI_EXT_CAP_ID_ERR, 0x140);
	fake_ext_cap(&fake, d, 0x140, PCI_EXT_CAP_ID_VNDR, next);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, 1 + ext_kept);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "error: extended capability list: pointer at 0x140");
	KT_EXPECT_SUBSTR(t, fake_last_log(), why);
}

static void ext_loop_is_cut(struct ktest *t)
{
	expect_ext_cut(t, 0x100, 2, "leads to 0x100, back to an entry already seen (a loop)");
}

static void ext_pointer_below_0x100_is_cut(struct ktest *t)
{
	expect_ext_cut(t, 0x0c0, 2, "leads to 0x0c0, below 0x100");
}

static void ext_misaligned_pointer_is_cut(struct ktest *t)
{
	expect_ext_cut(t, 0x182, 2, "leads to 0x182, not dword aligned");
}

static void ext_pointer_to_nothing_is_cut(struct ktest *t)
{
	expect_ext_cut(t, 0x200, 2, "leads to 0x200, which holds no capability");
}

/* Extended capabilities only for PCI Express functions, and only through ECAM. */
static void ext_list_needs_pcie_and_ecam(struct ktest *t)
{
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	fake_cap(&fake, d, 0x40, PCI_CAP_ID_MSI);        /* conventional: no PCIe cap */
	fake_ext_cap(&fake, d, 0x100, PCI_EXT_CAP_ID_ERR, 0);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, 1);
	KT_EXPECT_EQ(t, p->cfg_size, PCI_CFG_SPACE_SIZE);

	d = nvme_like(PCI_CFG_SPACE_SIZE);                /* CF8: 256 bytes reachable */
	add_pcie(d, 0x40);
	fake_ext_cap(&fake, d, 0x100, PCI_EXT_CAP_ID_ERR, 0);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, 1);
	KT_EXPECT_EQ(t, p->cfg_size, PCI_CFG_SPACE_SIZE);
	KT_EXPECT_EQ(t, pci_find_ext_capability(p, PCI_EXT_CAP_ID_ERR), 0);
}

/* A list longer than the table: the first PCI_MAX_CAPS kept, one warning. */
static void long_list_is_cut_at_the_table_size(struct ktest *t)
{
	unsigned long warns = log_count(LOG_WARN);
	int d = nvme_like(PCI_CFG_SPACE_EXP_SIZE);
	struct pci_dev *p;

	for (unsigned off = 0x40; off < 0x100; off += 4)  /* 48 vendor capabilities */
		fake_cap(&fake, d, (uint8_t)off, PCI_CAP_ID_VNDR);
	p = scan(d);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p->cap_count, PCI_MAX_CAPS);
	KT_EXPECT_EQ(t, log_count(LOG_WARN), warns + 1);
	KT_EXPECT_SUBSTR(t, fake_last_log(), "more than 32 capabilities; list cut at 0x0c0");
}

static void names(struct ktest *t)
{
	KT_EXPECT_STREQ(t, pci_cap_name(PCI_CAP_ID_MSIX), "MSI-X");
	KT_EXPECT_STREQ(t, pci_cap_name(PCI_CAP_ID_EXP), "PCIe");
	KT_EXPECT_STREQ(t, pci_cap_name(PCI_CAP_ID_VNDR), "vendor");
	KT_EXPECT_STREQ(t, pci_cap_name(0x00), "unknown");
	KT_EXPECT_STREQ(t, pci_cap_name(0xff), "unknown");
	KT_EXPECT_STREQ(t, pci_ext_cap_name(PCI_EXT_CAP_ID_ERR), "AER");
	KT_EXPECT_STREQ(t, pci_ext_cap_name(0x0c), "unknown");
	KT_EXPECT_STREQ(t, pci_ext_cap_name(0xffff), "unknown");
	KT_EXPECT_STREQ(t, pci_class_name(0x010802), "NVM Express controller");
	KT_EXPECT_STREQ(t, pci_class_name(0x060400), "PCI bridge");
	KT_EXPECT_STREQ(t, pci_class_name(0x00ff00), "unclassified device");
	KT_EXPECT_STREQ(t, pci_class_name(0x018000), "mass storage controller");
	KT_EXPECT_STREQ(t, pci_class_name(0x140000), "unknown class");
}

KTEST_SUITE(pci_cap,
	    KTEST_CASE(walks_a_good_list),
	    KTEST_CASE(no_list_without_status_bit),
	    KTEST_CASE(loop_is_cut),
	    KTEST_CASE(self_loop_is_cut),
	    KTEST_CASE(pointer_into_header_is_cut),
	    KTEST_CASE(first_pointer_into_header_is_cut),
	    KTEST_CASE(pointer_past_end_is_cut),
	    KTEST_CASE(misaligned_pointer_is_cut),
	    KTEST_CASE(ext_loop_is_cut),
	    KTEST_CASE(ext_pointer_below_0x100_is_cut),
	    KTEST_CASE(ext_misaligned_pointer_is_cut),
	    KTEST_CASE(ext_pointer_to_nothing_is_cut),
	    KTEST_CASE(ext_list_needs_pcie_and_ecam),
	    KTEST_CASE(long_list_is_cut_at_the_table_size),
	    KTEST_CASE(names));
