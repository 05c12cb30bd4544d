/*
 * test_pci_fake.c - the fake configuration space behind the PCI host
 * tests; test_pci_fake.h says what it emulates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel/device.h"
#include "kernel/log.h"
#include "tests/host/host_stubs.h"
#include "tests/host/test_pci_fake.h"

#define FAKE_BAR_LAST  (PCI_BASE_ADDRESS_0 + 4 * PCI_STD_NUM_BARS - 1)

/* 16 MiB of RAM for kzalloc(): struct pci_dev is about 1 KiB. */
static const struct boot_mem_region fake_machine[] = {
	{ 0x100000, 15 * HOST_MIB, BOOT_MEM_USABLE, 0 },
};


const char *fake_last_log(void)
{
	return host_log_last();
}

uint32_t fake_get(const struct fake_pci *f, int idx, unsigned reg, unsigned width)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)f->fn[idx].cfg[reg + i] << (8 * i);
	return v;
}

void fake_set(struct fake_pci *f, int idx, unsigned reg, unsigned width, uint32_t val)
{
	for (unsigned i = 0; i < width; i++)
		f->fn[idx].cfg[reg + i] = (uint8_t)(val >> (8 * i));
}

/* Does the configuration cycle for @bus reach function @idx through its bridges? */
static bool fake_reachable(const struct fake_pci *f, int idx, uint8_t bus)
{
	int p = f->fn[idx].parent;

	if (p < 0)
		return bus == f->fn[idx].root_bus;
	if (fake_get(f, p, PCI_SECONDARY_BUS, 1) != bus || bus == 0 ||
	    bus > fake_get(f, p, PCI_SUBORDINATE_BUS, 1))
		return false;
	for (int a = f->fn[p].parent; a >= 0; a = f->fn[a].parent) {
		uint8_t sec = (uint8_t)fake_get(f, a, PCI_SECONDARY_BUS, 1);

		if (!sec || bus < sec || bus > fake_get(f, a, PCI_SUBORDINATE_BUS, 1))
			return false;
	}
	return true;
}

static int fake_find(const struct fake_pci *f, uint8_t bus, uint8_t devfn)
{
	for (unsigned i = 0; i < f->count; i++)
		if (f->fn[i].devfn == devfn && fake_reachable(f, (int)i, bus))
			return (int)i;
	return -1;
}

static int fake_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		     unsigned width, uint32_t *val)
{
	struct fake_pci *f = ctx;
	int idx = seg ? -1 : fake_find(f, bus, devfn);

	f->reads++;
	if (idx >= 0)
		*val = fake_get(f, idx, reg, width);
	return 0;   /* nobody there: *val stays all ones */
}

/* A dword write to BAR register @reg: keep the bits a BAR of that size keeps. */
static void fake_write_bar(struct fake_pci *f, int idx, unsigned reg, uint32_t val)
{
	struct fake_fn *fn = &f->fn[idx];
	unsigned i = (reg - PCI_BASE_ADDRESS_0) / 4;
	bool upper = i > 0 && fn->bar_size[i - 1] &&
		     (fn->cfg[reg - 4] & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
		     !(fn->cfg[reg - 4] & PCI_BASE_ADDRESS_SPACE_IO);
	uint64_t size = upper ? fn->bar_size[i - 1] : fn->bar_size[i];
	uint32_t type = fake_get(f, idx, reg, 4) & (upper ? 0 : 0xf);
	uint32_t keep;

	if (!size) {
		keep = 0;
	} else if (upper) {
		keep = (uint32_t)(~(size - 1) >> 32);
	} else if (type & PCI_BASE_ADDRESS_SPACE_IO) {
		keep = (uint32_t)~(size - 1) & ~3u & (fn->io16[i] ? 0xffffu : 0xffffffffu);
		type &= 1;
	} else {
		keep = (uint32_t)~(size - 1) & ~0xfu;
	}
	if (val == 0xffffffffu && (fake_get(f, idx, PCI_COMMAND, 2) &
				   (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
		fn->sized_while_decoding = true;
	fake_set(f, idx, reg, 4, (val & keep) | type);
}

/* Registers the host may change: COMMAND, BARs, a bridge's buses and windows. */
static bool fake_writable(const struct fake_fn *fn, unsigned reg)
{
	bool bridge = (fn->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE;

	if (reg == PCI_COMMAND || reg == PCI_COMMAND + 1)
		return true;
	if (bridge)
		return reg >= PCI_PRIMARY_BUS && reg <= PCI_SUBORDINATE_BUS;
	return false;
}

static int fake_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		      unsigned width, uint32_t val)
{
	struct fake_pci *f = ctx;
	int idx = seg ? -1 : fake_find(f, bus, devfn);
	bool bridge;

	f->writes++;
	if (idx < 0)
		return 0;
	bridge = (f->fn[idx].cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE;
	if (reg >= PCI_BASE_ADDRESS_0 && reg <= FAKE_BAR_LAST && width == 4 &&
	    (!bridge || reg < PCI_BASE_ADDRESS_0 + 4 * PCI_BRIDGE_NUM_BARS)) {
		fake_write_bar(f, idx, reg, val);
		return 0;
	}
	for (unsigned i = 0; i < width; i++)
		if (fake_writable(&f->fn[idx], reg + i))
			f->fn[idx].cfg[reg + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

void fake_init(struct fake_pci *f, uint16_t cfg_size)
{
	memset(f, 0, sizeof(*f));
	f->ops = (struct pci_config_ops){ "fake", cfg_size, fake_read, fake_write, f };
	pci_config_set_ops(NULL);
	pci_forget_devices();
	host_mm_boot(fake_machine, 1, 2 * HOST_MIB, HOST_MIB, NULL);
}

void fake_install(struct fake_pci *f)
{
	pci_config_set_ops(&f->ops);
}

int fake_add(struct fake_pci *f, int parent, unsigned slot, unsigned fn, uint16_t vendor,
	     uint16_t device, uint32_t class, uint8_t hdr_type)
{
	int idx = (int)f->count++;
	struct fake_fn *d = &f->fn[idx];

	d->parent = parent;
	d->devfn = PCI_DEVFN(slot, fn);
	fake_set(f, idx, PCI_VENDOR_ID, 2, vendor);
	fake_set(f, idx, PCI_DEVICE_ID, 2, device);
	fake_set(f, idx, PCI_CLASS_REVISION, 4, class << 8 | 0x01);
	fake_set(f, idx, PCI_HEADER_TYPE, 1, hdr_type);
	return idx;
}

void fake_bar(struct fake_pci *f, int idx, unsigned i, uint32_t type, uint64_t size,
	      uint64_t base)
{
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;

	f->fn[idx].bar_size[i] = size;
	fake_set(f, idx, reg, 4, (uint32_t)base | type);
	if (!(type & PCI_BASE_ADDRESS_SPACE_IO) &&
	    (type & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    i + 1 < PCI_STD_NUM_BARS)
		fake_set(f, idx, reg + 4, 4, (uint32_t)(base >> 32));
}

void fake_cap(struct fake_pci *f, int idx, uint8_t off, uint8_t id)
{
	unsigned link = PCI_CAPABILITY_LIST;

	fake_set(f, idx, PCI_STATUS, 2, fake_get(f, idx, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	while (fake_get(f, idx, link, 1))
		link = fake_get(f, idx, link, 1) + PCI_CAP_LIST_NEXT;
	fake_set(f, idx, link, 1, off);
	fake_set(f, idx, off + PCI_CAP_LIST_ID, 1, id);
	fake_set(f, idx, off + PCI_CAP_LIST_NEXT, 1, 0);
}

void fake_cap_next(struct fake_pci *f, int idx, uint8_t off, uint8_t next)
{
	fake_set(f, idx, off + PCI_CAP_LIST_NEXT, 1, next);
}

void fake_ext_cap(struct fake_pci *f, int idx, uint16_t off, uint16_t id, uint16_t next)
{
	fake_set(f, idx, off, 4, (uint32_t)next << 20 | 1u << 16 | id);
}

void fake_root_bus(struct fake_pci *f, int idx, uint8_t bus)
{
	f->fn[idx].root_bus = bus;
}

void fake_bridge_buses(struct fake_pci *f, int idx, uint8_t primary, uint8_t secondary,
		       uint8_t subordinate)
{
	fake_set(f, idx, PCI_PRIMARY_BUS, 1, primary);
	fake_set(f, idx, PCI_SECONDARY_BUS, 1, secondary);
	fake_set(f, idx, PCI_SUBORDINATE_BUS, 1, subordinate);
}

struct pci_dev *fake_pdev(const struct fake_pci *f, int idx)
{
	int p = f->fn[idx].parent;
	uint8_t bus = p < 0 ? f->fn[idx].root_bus : (uint8_t)fake_get(f, p, PCI_SECONDARY_BUS, 1);

	return pci_get_domain_bus_and_slot(0, bus, f->fn[idx].devfn);
}

unsigned fake_scan(struct fake_pci *f, bool assign_busses, uint8_t bus_end)
{
	struct pci_scan_params p = {
		.segment = 0, .bus_start = 0, .bus_end = bus_end,
		.assign_busses = assign_busses,
		.root = { .io = { 0x1000, 0xf000 }, .mem = { 0xc0000000, 0x3ec00000 } },
	};

	fake_install(f);
	return pci_scan_segment(&p);
}
