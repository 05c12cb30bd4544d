/*
 * probe.c - enumeration: finding every function on every bus.
 *
 * PCI Local Bus 3.0, 6.1 and PCI-to-PCI Bridge Architecture 1.2, 3.2.5:
 * a function exists where its Vendor ID does not read as 0xffff. Device
 * (slot) 0-31 of a bus has function 0, and functions 1-7 only if function
 * 0's header type has the multifunction bit. A function with header type 1
 * is a bridge to another bus: configuration cycles for bus numbers from its
 * secondary to its subordinate bus go through it, the secondary one as
 * type 0 (to the devices on it), the others onwards.
 *
 * Bus numbers are the firmware's when they make sense (SeaBIOS before a
 * PVH boot and OVMF both assign them). A bridge whose numbers do not (a
 * secondary of 0, numbers not above its own bus or overlapping a sibling)
 * gets the next free number once its siblings are done, as does every
 * bridge with `pci=assign-busses`: depth first, subordinate first set wide
 * open, then narrowed to the highest bus found behind it.
 *
 * A segment can have more than one root bus: a second host bridge (QEMU's
 * `-device pxb-pcie,bus_nr=N`) starts its own hierarchy at bus N, which no
 * bridge on bus 0 leads to; only the DSDT's _BBN names it, and there is no
 * AML interpreter here. So after the start bus's hierarchy, every other
 * bus number of the range that no bridge claims is probed for devices
 * (Linux's pcibios_fixup_peer_bridges() does the same without ACPI): at
 * most 255 x 32 Vendor ID reads, cheap through ECAM and CF8 alike.
 *
 * QEMU: `-device pcie-root-port,id=rp0,chassis=1,slot=1` makes a PCI
 * Express root port (a bridge; devices go behind it with bus=rp0), and
 * `-device pci-bridge,id=br0,chassis_nr=2` a conventional PCI-to-PCI
 * bridge. The pvh-pci scenarios use one of each.
 *
 * Pure code: configuration space is reached through access.c only, so
 * the host tests enumerate fake topologies.
 */
#define LOG_PREFIX "pci"
#include "drivers/pci/internal.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/printf.h"

#define PCI_MAX_SEGMENTS  8     /* as many as the MCFG parser keeps */
#define PCI_SLOTS_PER_BUS 32
#define PCI_FUNCS_PER_SLOT 8

/*
 * Every device found, in enumeration order (a bridge before what is behind
 * it), and how each segment was scanned:
 *   head, tail   the device list (tail: where the next one is appended)
 *   seg          per segment: bus range, options, root windows
 *   nseg         segments scanned
 *   masters_stopped  devices found mastering the bus, and stopped
 */
static struct {
	struct pci_dev *head, *tail;
	struct pci_scan_params seg[PCI_MAX_SEGMENTS];
	unsigned nseg;
	unsigned masters_stopped;
} pci_bus;

struct pci_dev *pci_first_dev(void)
{
	return pci_bus.head;
}

unsigned pci_masters_stopped(void)
{
	return pci_bus.masters_stopped;
}

const struct pci_root_windows *pci_root_windows(uint16_t segment)
{
	for (unsigned i = 0; i < pci_bus.nseg; i++)
		if (pci_bus.seg[i].segment == segment)
			return &pci_bus.seg[i].root;
	return NULL;
}

void pci_forget_devices(void)
{
	struct pci_dev *pdev = pci_bus.head, *next;

	for (; pdev; pdev = next) {
		next = pdev->next;
		kfree(pdev);
	}
	pci_bus.head = pci_bus.tail = NULL;
	pci_bus.nseg = 0;
	pci_bus.masters_stopped = 0;
}

/* ---- one function ---- */

/* Read the identity registers every header type has. */
static void pci_read_identity(struct pci_dev *pdev)
{
	uint32_t class_rev;
	uint8_t hdr;

	pci_read_config_word(pdev, PCI_VENDOR_ID, &pdev->vendor);
	pci_read_config_word(pdev, PCI_DEVICE_ID, &pdev->device);
	pci_read_config_dword(pdev, PCI_CLASS_REVISION, &class_rev);
	pci_read_config_byte(pdev, PCI_HEADER_TYPE, &hdr);
	pdev->class = class_rev >> 8;
	pdev->revision = (uint8_t)class_rev;
	pdev->hdr_type = hdr & PCI_HEADER_TYPE_MASK;
	pdev->multifunction = hdr & PCI_HEADER_TYPE_MFD;
}

/* Subsystem IDs exist in a type 0 header only. */
static void pci_read_subsystem(struct pci_dev *pdev)
{
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return;
	pci_read_config_word(pdev, PCI_SUBSYSTEM_VENDOR_ID, &pdev->subsystem_vendor);
	pci_read_config_word(pdev, PCI_SUBSYSTEM_ID, &pdev->subsystem_device);
}

/* Read a bridge's bus numbers and windows as they are programmed now. */
static void pci_read_bridge(struct pci_dev *pdev)
{
	pci_read_config_byte(pdev, PCI_PRIMARY_BUS, &pdev->primary);
	pci_read_config_byte(pdev, PCI_SECONDARY_BUS, &pdev->secondary);
	pci_read_config_byte(pdev, PCI_SUBORDINATE_BUS, &pdev->subordinate);
	pci_read_bridge_windows(pdev);
}

/*
 * Until a driver owns a device, it may not master the bus: firmware often
 * leaves that on (SeaBIOS for the disks it booted from, OVMF for nearly
 * everything). Bridges of every kind keep the bit: a PCI bridge only
 * forwards its devices' requests, and host and ISA bridges are the
 * chipset's. Return: whether the bit was on.
 */
static bool pci_stop_mastering(struct pci_dev *pdev)
{
	uint16_t cmd;

	if ((pdev->class >> 16) == PCI_BASE_CLASS_BRIDGE)
		return false;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MASTER))
		return false;
	pci_write_config_word(pdev, PCI_COMMAND, cmd & (uint16_t)~PCI_COMMAND_MASTER);
	dev_dbg(&pdev->dev, "firmware left bus mastering on; off until a driver asks");
	return true;
}

/* Append @pdev to the device list. */
static void pci_add_device(struct pci_dev *pdev)
{
	if (pci_bus.tail)
		pci_bus.tail->next = pdev;
	else
		pci_bus.head = pdev;
	pci_bus.tail = pdev;
}

/* Build the struct pci_dev of the function at @bus:@devfn, behind @bridge. */
static struct pci_dev *pci_scan_function(uint16_t seg, uint8_t bus, uint8_t devfn,
					 struct pci_dev *bridge)
{
	struct pci_dev *pdev = kzalloc(sizeof(*pdev), GFP_KERNEL);

	if (!pdev) {
		pr_err("%04x:%02x:%02x.%u: out of memory; device left out", seg, bus,
		       PCI_SLOT(devfn), PCI_FUNC(devfn));
		return NULL;
	}
	pdev->segment = seg;
	pdev->bus = bus;
	pdev->devfn = devfn;
	pdev->rid = PCI_RID(bus, devfn);
	pdev->bridge = bridge;
	pdev->dev.parent = bridge ? &bridge->dev : NULL;
	snprintf(pdev->dev.name, sizeof(pdev->dev.name), "%04x:%02x:%02x.%u", seg, bus,
		 PCI_SLOT(devfn), PCI_FUNC(devfn));
	pci_read_identity(pdev);
	pci_read_subsystem(pdev);
	pci_read_caps(pdev);
	pci_read_bars(pdev);
	if (pci_stop_mastering(pdev))
		pci_bus.masters_stopped++;
	if (pci_is_bridge(pdev))
		pci_read_bridge(pdev);
	pci_add_device(pdev);
	return pdev;
}

/* Is there a function at @bus:@devfn? (Vendor ID 0 is invalid too.) */
static bool pci_function_present(uint16_t seg, uint8_t bus, uint8_t devfn)
{
	uint32_t vendor;

	pci_bus_read_config(seg, bus, devfn, PCI_VENDOR_ID, 2, &vendor);
	return vendor != 0xffff && vendor != 0;
}

/* Scan slot @slot: function 0, and 1-7 if it is a multifunction device. */
static void pci_scan_slot(uint16_t seg, uint8_t bus, unsigned slot, struct pci_dev *bridge)
{
	struct pci_dev *f0;

	if (!pci_function_present(seg, bus, PCI_DEVFN(slot, 0)))
		return;
	f0 = pci_scan_function(seg, bus, PCI_DEVFN(slot, 0), bridge);
	if (!f0 || !f0->multifunction)
		return;
	for (unsigned fn = 1; fn < PCI_FUNCS_PER_SLOT; fn++)
		if (pci_function_present(seg, bus, PCI_DEVFN(slot, fn)))
			pci_scan_function(seg, bus, PCI_DEVFN(slot, fn), bridge);
}

/* ---- bridges and bus numbers ---- */

/* Program a bridge's primary, secondary and subordinate bus numbers. */
static void pci_set_bus_numbers(struct pci_dev *br, uint8_t primary, uint8_t secondary,
				uint8_t subordinate)
{
	pci_write_config_byte(br, PCI_PRIMARY_BUS, primary);
	pci_write_config_byte(br, PCI_SECONDARY_BUS, secondary);
	pci_write_config_byte(br, PCI_SUBORDINATE_BUS, subordinate);
	br->primary = primary;
	br->secondary = secondary;
	br->subordinate = subordinate;
}

/*
 * Can we keep the numbers the firmware gave bridge @br on bus @bus? Its
 * range must lie above everything its earlier siblings use (@max) and
 * inside what the bus may hand out (@limit).
 */
static bool pci_bus_numbers_usable(const struct pci_dev *br, uint8_t max, uint8_t limit)
{
	return br->secondary > max && br->subordinate >= br->secondary &&
	       br->subordinate <= limit;
}

static uint8_t pci_scan_bus(uint16_t seg, uint8_t bus, uint8_t limit, struct pci_dev *bridge,
			    bool assign_all);

/* Number bridge @br (on bus @bus) as @max + 1 and scan behind it. Return: the new max. */
static uint8_t pci_number_bridge(struct pci_dev *br, uint8_t bus, uint8_t max, uint8_t limit,
				 bool assign_all)
{
	uint8_t sub;

	if (max >= limit) {
		dev_err(&br->dev, "no bus number left for the bus behind it (buses %02x-%02x "
			"all taken); devices behind it are not enumerated", bus, limit);
		return max;
	}
	/* Open the range up to @limit while scanning, so every bus found behind
	 * it is reachable, then close it at the highest one found. */
	pci_set_bus_numbers(br, bus, (uint8_t)(max + 1), limit);
	sub = pci_scan_bus(br->segment, (uint8_t)(max + 1), limit, br, assign_all);
	pci_set_bus_numbers(br, bus, (uint8_t)(max + 1), sub);
	dev_info(&br->dev, "bridge numbered: secondary bus %02x, subordinate %02x",
		 br->secondary, br->subordinate);
	return sub;
}

/* Is @pdev a bridge sitting on bus @bus of segment @seg? */
static bool pci_is_bridge_on(const struct pci_dev *pdev, uint16_t seg, uint8_t bus)
{
	return pci_is_bridge(pdev) && pdev->segment == seg && pdev->bus == bus;
}

/*
 * Scan behind the bridges of bus @bus, whose devices start at @first:
 * first those with usable firmware numbers, then number the others above
 * everything used. Return: the highest bus number in use behind @bus.
 */
static uint8_t pci_scan_bridges(uint16_t seg, uint8_t bus, uint8_t limit,
				struct pci_dev *first, bool assign_all)
{
	uint8_t max = bus;
	struct pci_dev *d;

	for (d = first; d; d = d->next) {
		if (!pci_is_bridge_on(d, seg, bus))
			continue;
		if (!assign_all && pci_bus_numbers_usable(d, max, limit)) {
			pci_scan_bus(seg, d->secondary, d->subordinate, d, false);
			max = d->subordinate;
		} else {
			pci_set_bus_numbers(d, 0, 0, 0);   /* forwards nothing until numbered */
		}
	}
	for (d = first; d; d = d->next)
		if (pci_is_bridge_on(d, seg, bus) && !d->secondary)
			max = pci_number_bridge(d, bus, max, limit, assign_all);
	return max;
}

/* Scan bus @bus and everything behind it. Return: the highest bus number found. */
static uint8_t pci_scan_bus(uint16_t seg, uint8_t bus, uint8_t limit, struct pci_dev *bridge,
			    bool assign_all)
{
	struct pci_dev *before = pci_bus.tail;

	for (unsigned slot = 0; slot < PCI_SLOTS_PER_BUS; slot++)
		pci_scan_slot(seg, bus, slot, bridge);
	if (pci_bus.tail == before)
		return bus;   /* an empty bus */
	return pci_scan_bridges(seg, bus, limit, before ? before->next : pci_bus.head,
				assign_all);
}

/* ---- other root buses ---- */

/* Is @bus behind some bridge of @seg (inside its secondary-subordinate range)? */
static bool pci_bus_claimed(uint16_t seg, uint8_t bus)
{
	const struct pci_dev *d;

	for (d = pci_bus.head; d; d = d->next)
		if (pci_is_bridge(d) && d->segment == seg && d->secondary &&
		    bus >= d->secondary && bus <= d->subordinate)
			return true;
	return false;
}

/* The highest bus number a root bus at @bus may hand its bridges: just
 * below the next bus already in use (one with devices, or a bridge's). */
static uint8_t pci_root_bus_limit(uint16_t seg, uint8_t bus, uint8_t bus_end)
{
	const struct pci_dev *d;
	uint8_t limit = bus_end;

	for (d = pci_bus.head; d; d = d->next) {
		if (d->segment != seg)
			continue;
		if (d->bus > bus && d->bus <= limit)
			limit = (uint8_t)(d->bus - 1);
		if (pci_is_bridge(d) && d->secondary > bus && d->secondary <= limit)
			limit = (uint8_t)(d->secondary - 1);
	}
	return limit;
}

/* Does @bus hold any function? Slot by slot, function 0 only. */
static bool pci_bus_populated(uint16_t seg, uint8_t bus)
{
	for (unsigned slot = 0; slot < PCI_SLOTS_PER_BUS; slot++)
		if (pci_function_present(seg, bus, PCI_DEVFN(slot, 0)))
			return true;
	return false;
}

/* Scan every bus number above the start bus that no bridge claims, as a
 * root bus of its own (another host bridge's). Return: root buses found. */
static unsigned pci_scan_peer_roots(const struct pci_scan_params *params)
{
	unsigned roots = 0;

	for (unsigned b = params->bus_start + 1u; b <= params->bus_end; b++) {
		uint8_t bus = (uint8_t)b;

		if (pci_bus_claimed(params->segment, bus) ||
		    !pci_bus_populated(params->segment, bus))
			continue;
		pr_info("segment %04x: bus %02x is a root bus of its own (no bridge leads to it)",
			params->segment, bus);
		b = pci_scan_bus(params->segment, bus,
				 pci_root_bus_limit(params->segment, bus, params->bus_end), NULL,
				 params->assign_busses);
		roots++;
	}
	return roots;
}

/* ---- requester IDs ---- */

/* Is the bus below bridge @br PCI Express (else conventional PCI)? */
static bool pci_secondary_is_express(const struct pci_dev *br)
{
	return br->pcie_cap && (br->pcie_type == PCI_EXP_TYPE_ROOT_PORT ||
				br->pcie_type == PCI_EXP_TYPE_UPSTREAM ||
				br->pcie_type == PCI_EXP_TYPE_DOWNSTREAM);
}

/*
 * The requester ID @pdev's DMA carries when it reaches the root complex.
 * Crossing into PCI Express from a conventional bus rewrites it: a
 * PCIe-to-PCI bridge (PCIe-to-PCI/PCI-X Bridge spec 1.0, 2.3) uses its
 * secondary bus with devfn 0; other bridges (a conventional PCI-to-PCI
 * bridge on the root complex) use their own ID. The last crossing on the
 * way up wins. QEMU's IOMMU applies exactly these rules.
 */
static uint16_t pci_dma_alias(const struct pci_dev *pdev)
{
	uint16_t alias = pdev->rid;

	for (const struct pci_dev *br = pdev->bridge; br; br = br->bridge) {
		if (pci_secondary_is_express(br))
			continue;
		if (br->pcie_cap && br->pcie_type == PCI_EXP_TYPE_PCI_BRIDGE)
			alias = PCI_RID(br->secondary, 0);
		else
			alias = br->rid;
	}
	return alias;
}

/* ---- a whole segment ---- */

/* Give every unassigned BAR of @seg an address, if there is room. */
static void pci_assign_unassigned(uint16_t seg)
{
	struct pci_dev *pdev;

	pci_for_each_dev(pdev) {
		if (pdev->segment != seg)
			continue;
		for (unsigned i = 0; i < pdev->num_bars; i++)
			if (pdev->bar[i].size && !pdev->bar[i].base &&
			    !(pdev->bar[i].flags & PCI_BAR_UPPER))
				pci_assign_bar(pdev, i);
	}
}

unsigned pci_scan_segment(const struct pci_scan_params *params)
{
	struct pci_dev *before = pci_bus.tail, *pdev;
	unsigned count = 0;

	if (pci_bus.nseg == PCI_MAX_SEGMENTS) {
		pr_err("segment %04x: more than %d segments; not scanned", params->segment,
		       PCI_MAX_SEGMENTS);
		return 0;
	}
	pci_bus.seg[pci_bus.nseg++] = *params;
	pci_scan_bus(params->segment, params->bus_start, params->bus_end, NULL,
		     params->assign_busses);
	pci_scan_peer_roots(params);
	for (pdev = before ? before->next : pci_bus.head; pdev; pdev = pdev->next, count++)
		pdev->dma_alias = pci_dma_alias(pdev);
	pci_assign_unassigned(params->segment);
	return count;
}

/* ---- looking devices up ---- */

struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from)
{
	struct pci_dev *pdev = from ? from->next : pci_bus.head;

	for (; pdev; pdev = pdev->next)
		if ((vendor == PCI_ANY_ID || pdev->vendor == vendor) &&
		    (device == PCI_ANY_ID || pdev->device == device))
			return pdev;
	return NULL;
}

struct pci_dev *pci_get_domain_bus_and_slot(uint16_t segment, uint8_t bus, uint8_t devfn)
{
	struct pci_dev *pdev;

	pci_for_each_dev(pdev)
		if (pdev->segment == segment && pdev->bus == bus && pdev->devfn == devfn)
			return pdev;
	return NULL;
}

int pci_bridge_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_dev *pdev = pci_get_domain_bus_and_slot(0, bus, PCI_DEVFN(dev, fn));

	(void)ctx;
	if (!pdev || !pci_is_bridge(pdev))
		return -ENODEV;
	return pdev->secondary;
}
