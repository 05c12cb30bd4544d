/*
 * show.c - the table of devices in the boot log, lspci style.
 *
 *   pci: 0000:01:00.0 1b36:0010  NVM Express controller       nvme
 *   pci:     BAR0  mem64       0x00000000fe800000  16 KiB
 *   pci:     caps  MSI-X@0x40 PM@0x60 PCIe(endpoint)@0x80
 *
 * One line per function (address, vendor:device, class, bound driver),
 * then its BARs, a bridge's bus numbers and windows, and its capabilities
 * (a "|" separates the extended ones). Class names follow the PCI Code
 * and ID Assignment Specification 1.12.
 *
 * Pure code: it only reads struct pci_dev.
 */
#define LOG_PREFIX "pci"
#include <stdarg.h>
#include "drivers/pci/internal.h"
#include "kernel/log.h"
#include "kernel/printf.h"

#define PCI_LINE_MAX 320

/* A class code pattern and its name; the first match wins. */
struct pci_class_name {
	uint32_t class, mask;   /* matches if (class & mask) == this class */
	const char *name;
};

static const struct pci_class_name pci_class_names[] = {
	{ 0x010802, 0xffffff, "NVM Express controller" },
	{ 0x010601, 0xffffff, "SATA controller (AHCI)" },
	{ 0x060400, 0xffff00, "PCI bridge" },
	{ 0x000000, 0xffff00, "unclassified device" },
	{ 0x010000, 0xffff00, "SCSI controller" },
	{ 0x010100, 0xffff00, "IDE controller" },
	{ 0x010600, 0xffff00, "SATA controller" },
	{ 0x010800, 0xffff00, "non-volatile memory controller" },
	{ 0x020000, 0xffff00, "Ethernet controller" },
	{ 0x030000, 0xffff00, "VGA controller" },
	{ 0x060000, 0xffff00, "host bridge" },
	{ 0x060100, 0xffff00, "ISA bridge" },
	{ 0x078000, 0xffff00, "communication controller" },
	{ 0x080600, 0xffff00, "IOMMU" },
	{ 0x0c0300, 0xffff00, "USB controller" },
	{ 0x0c0500, 0xffff00, "SMBus controller" },
	{ 0x000000, 0xff0000, "unclassified device" },
	{ 0x010000, 0xff0000, "mass storage controller" },
	{ 0x020000, 0xff0000, "network controller" },
	{ 0x030000, 0xff0000, "display controller" },
	{ 0x040000, 0xff0000, "multimedia controller" },
	{ 0x050000, 0xff0000, "memory controller" },
	{ 0x060000, 0xff0000, "bridge" },
	{ 0x070000, 0xff0000, "communication controller" },
	{ 0x080000, 0xff0000, "system peripheral" },
	{ 0x090000, 0xff0000, "input device controller" },
	{ 0x0b0000, 0xff0000, "processor" },
	{ 0x0c0000, 0xff0000, "serial bus controller" },
	{ 0x0d0000, 0xff0000, "wireless controller" },
	{ 0x110000, 0xff0000, "signal processing controller" },
	{ 0x120000, 0xff0000, "processing accelerator" },
	{ 0xff0000, 0xff0000, "unassigned class" },
};

const char *pci_class_name(uint32_t class)
{
	for (unsigned i = 0; i < sizeof(pci_class_names) / sizeof(pci_class_names[0]); i++)
		if ((class & pci_class_names[i].mask) == pci_class_names[i].class)
			return pci_class_names[i].name;
	return "unknown class";
}

const char *pci_format_size(char *buf, size_t len, uint64_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)size, units[u]);
	return buf;
}


/* "PCIe(root port)": the PCI Express capability says what the function is. */
static const char *pci_exp_type_name(uint8_t type)
{
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT:    return "endpoint";
	case PCI_EXP_TYPE_LEG_END:     return "legacy endpoint";
	case PCI_EXP_TYPE_ROOT_PORT:   return "root port";
	case PCI_EXP_TYPE_UPSTREAM:    return "upstream port";
	case PCI_EXP_TYPE_DOWNSTREAM:  return "downstream port";
	case PCI_EXP_TYPE_PCI_BRIDGE:  return "PCIe-to-PCI bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case PCI_EXP_TYPE_RC_END:      return "integrated endpoint";
	case PCI_EXP_TYPE_RC_EC:       return "event collector";
	default:                       return "unknown type";
	}
}

static void pci_show_bars(const struct pci_dev *pdev)
{
	char size[24];

	for (unsigned i = 0; i < pdev->num_bars; i++) {
		const struct pci_bar *bar = &pdev->bar[i];

		if (!bar->size)
			continue;
		pci_format_size(size, sizeof(size), bar->size);
		if (bar->base)
			pr_info("    BAR%u  %-10s  %#018llx  %s", i, pci_bar_kind(bar),
				(unsigned long long)bar->base, size);
		else
			pr_info("    BAR%u  %-10s  %-18s  %s", i, pci_bar_kind(bar), "unassigned", size);
	}
}

/* " mem 0xfe800000-0xfe9fffff", or nothing for a closed window. */
static void pci_line_window(struct strbuf *l, const char *name, const struct pci_window *w)
{
	if (w->size)
		strbuf_printf(l, "  %s %#llx-%#llx", name, (unsigned long long)w->base,
			     (unsigned long long)(w->base + w->size - 1));
}

static void pci_show_bridge(const struct pci_dev *pdev)
{
	char lbuf[PCI_LINE_MAX];
	struct strbuf l = STRBUF_INIT(lbuf);

	strbuf_printf(&l, "    bus %02x-%02x", pdev->secondary, pdev->subordinate);
	pci_line_window(&l, "io", &pdev->io_window);
	pci_line_window(&l, "mem", &pdev->mem_window);
	pci_line_window(&l, "pref", &pdev->pref_window);
	pr_info("%s", l.buf);
}

static void pci_show_caps(const struct pci_dev *pdev)
{
	char lbuf[PCI_LINE_MAX];
	struct strbuf l = STRBUF_INIT(lbuf);
	bool ext = false;

	if (!pdev->cap_count)
		return;
	strbuf_printf(&l, "    caps ");
	for (unsigned i = 0; i < pdev->cap_count; i++) {
		const struct pci_cap *c = &pdev->caps[i];

		if (c->extended && !ext)
			strbuf_printf(&l, " |");
		ext = c->extended;
		if (c->extended)
			strbuf_printf(&l, " %s@0x%03x", pci_ext_cap_name(c->id), c->offset);
		else if (c->id == PCI_CAP_ID_EXP)
			strbuf_printf(&l, " PCIe(%s)@0x%02x", pci_exp_type_name(pdev->pcie_type),
				     c->offset);
		else
			strbuf_printf(&l, " %s@0x%02x", pci_cap_name(c->id), c->offset);
	}
	pr_info("%s", l.buf);
}

void pci_print_devices(void)
{
	const struct pci_dev *pdev;

	pr_info("BDF          ID         class                           driver");
	pci_for_each_dev(pdev) {
		pr_info("%s %04x:%04x  %-30s  %s", pdev->dev.name, pdev->vendor, pdev->device,
			pci_class_name(pdev->class), pdev->driver ? pdev->dev.driver_name : "(none)");
		pci_show_bars(pdev);
		if (pci_is_bridge(pdev))
			pci_show_bridge(pdev);
		pci_show_caps(pdev);
	}
}
