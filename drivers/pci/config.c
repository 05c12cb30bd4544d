/*
 * config.c - the two ways to reach configuration space, and pci_init().
 *
 * ECAM, the Enhanced Configuration Access Mechanism (PCI Express Base 4.0,
 * 7.2.2): every function's 4 KiB of configuration space appears in one
 * memory window, at
 *
 *     base + (bus << 20 | device << 15 | function << 12 | register)
 *
 * The ACPI MCFG table gives the base of bus 0 (even when the region starts
 * at a later bus) and the bus range, per segment. On QEMU's q35 it is
 * 0xb0000000 for buses 0-255, 256 MiB, where the chipset's PCIEXBAR
 * register puts it. We map each region uncached once, with ioremap().
 *
 * Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): write the
 * function and register to the dword port 0xCF8, then access port 0xCFC
 * (plus the register's low two bits). It reaches only segment 0 and the
 * first 256 bytes, so no extended capabilities. Used when there is no
 * MCFG, or with `pci=legacy` on the command line, so both get tested.
 * The two port accesses are one operation: interrupts stay off between
 * them, or a handler touching configuration space would change the
 * address under us.
 *
 * Both behave like hardware for a function that is not there: reads give
 * all ones, writes vanish.
 */
#define LOG_PREFIX "pci"
#include "boot/boot_info.h"
#include "dma/dma.h"
#include "drivers/pci/internal.h"
#include "kernel/acpi/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"
#include "kernel/x86.h"

#define PCI_CONF_ADDRESS  0xcf8         /* 32 W: which function and register */
#define PCI_CONF_DATA     0xcfc         /* 8/16/32 RW: that register, at + (reg & 3) */
#define PCI_CONF_ENABLE   0x80000000u   /* CONF_ADDRESS bit 31: a configuration cycle */

#define PCI_ECAM_BUS_SHIFT 20           /* 1 MiB of ECAM per bus */
#define PCI_ECAM_FN_SHIFT  12           /* 4 KiB per function */

#define PCI_ROOT_MEM_LIMIT 0xfec00000ULL /* I/O APIC, HPET, LAPIC and firmware above */
#define PCI_ROOT_IO_BASE   0x1000        /* legacy ISA and chipset ports below */
#define PCI_ROOT_IO_LIMIT  0x10000

extern struct boot_info boot_info;

/* One ECAM region from the MCFG, mapped. */
struct pci_ecam_region {
	uint16_t segment;
	uint8_t bus_start, bus_end;    /* buses it covers */
	uint64_t phys;                 /* configuration space of bus_start */
	volatile uint8_t *virt;        /* ... mapped uncached */
};

/*
 * The configuration mechanism in use:
 *   ecam        the mapped ECAM regions (none with CF8)
 *   ecam_count  how many
 *   legacy      `pci=legacy` asked for CF8
 *   assign      `pci=assign-busses` asked to renumber every bridge
 */
static struct {
	struct pci_ecam_region ecam[ACPI_MAX_MCFG];
	unsigned ecam_count;
	bool legacy;
	bool assign;
} pci_cfg;

/* ---- ECAM ---- */

/* Where the register lives in a mapped ECAM region, or NULL. */
volatile void *pci_ecam_addr(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg)
{
	for (unsigned i = 0; i < pci_cfg.ecam_count; i++) {
		const struct pci_ecam_region *r = &pci_cfg.ecam[i];

		if (r->segment == seg && bus >= r->bus_start && bus <= r->bus_end)
			return r->virt + ((uint64_t)(bus - r->bus_start) << PCI_ECAM_BUS_SHIFT |
					  (uint64_t)devfn << PCI_ECAM_FN_SHIFT | reg);
	}
	return NULL;
}

static int pci_ecam_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
			 unsigned width, uint32_t *val)
{
	volatile void *p = pci_ecam_addr(seg, bus, devfn, reg);

	(void)ctx;
	if (!p)
		return -ENODEV;   /* *val stays all ones */
	if (width == 1)
		*val = *(volatile uint8_t *)p;
	else if (width == 2)
		*val = *(volatile uint16_t *)p;
	else
		*val = *(volatile uint32_t *)p;
	return 0;
}

static int pci_ecam_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
			  unsigned width, uint32_t val)
{
	volatile void *p = pci_ecam_addr(seg, bus, devfn, reg);

	(void)ctx;
	if (!p)
		return -ENODEV;
	if (width == 1)
		*(volatile uint8_t *)p = (uint8_t)val;
	else if (width == 2)
		*(volatile uint16_t *)p = (uint16_t)val;
	else
		*(volatile uint32_t *)p = val;
	return 0;
}

const struct pci_config_ops pci_ecam_ops = {
	"ECAM", PCI_CFG_SPACE_EXP_SIZE, pci_ecam_read, pci_ecam_write, NULL,
};

/* Map the MCFG's regions. Return: how many are usable. */
static unsigned pci_ecam_map(const struct acpi_mcfg *mcfg)
{
	for (unsigned i = 0; i < mcfg->count && pci_cfg.ecam_count < ACPI_MAX_MCFG; i++) {
		const struct acpi_mcfg_entry *e = &mcfg->entries[i];
		struct pci_ecam_region *r = &pci_cfg.ecam[pci_cfg.ecam_count];
		uint64_t size = (uint64_t)(e->bus_end - e->bus_start + 1) << PCI_ECAM_BUS_SHIFT;

		if (e->bus_end < e->bus_start)
			continue;   /* the ACPI parser reports such entries */
		r->segment = e->segment;
		r->bus_start = e->bus_start;
		r->bus_end = e->bus_end;
		r->phys = e->base + ((uint64_t)e->bus_start << PCI_ECAM_BUS_SHIFT);
		r->virt = ioremap(r->phys, size, PAGE_CACHE_UC);
		if (!r->virt) {
			pr_err("ECAM of segment %04x at %#llx: cannot map %llu MiB", e->segment,
			       (unsigned long long)r->phys, (unsigned long long)(size >> 20));
			continue;
		}
		pci_cfg.ecam_count++;
	}
	return pci_cfg.ecam_count;
}

/* ---- configuration mechanism #1: ports 0xCF8 and 0xCFC ---- */

/* Select the register, run the data access with interrupts off. */
static uint32_t pci_cf8_address(uint8_t bus, uint8_t devfn, uint16_t reg)
{
	return PCI_CONF_ENABLE | (uint32_t)bus << 16 | (uint32_t)devfn << 8 | (reg & 0xfc);
}

static int pci_cf8_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
			unsigned width, uint32_t *val)
{
	uint64_t flags = read_rflags();
	uint16_t port = PCI_CONF_DATA + (reg & 3);

	(void)ctx;
	if (seg != 0)
		return -ENODEV;
	irq_disable();
	outl(PCI_CONF_ADDRESS, pci_cf8_address(bus, devfn, reg));
	*val = width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	return 0;
}

static int pci_cf8_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
			 unsigned width, uint32_t val)
{
	uint64_t flags = read_rflags();
	uint16_t port = PCI_CONF_DATA + (reg & 3);

	(void)ctx;
	if (seg != 0)
		return -ENODEV;
	irq_disable();
	outl(PCI_CONF_ADDRESS, pci_cf8_address(bus, devfn, reg));
	if (width == 1)
		outb(port, (uint8_t)val);
	else if (width == 2)
		outw(port, (uint16_t)val);
	else
		outl(port, val);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	return 0;
}

const struct pci_config_ops pci_cf8_ops = {
	"CF8", PCI_CFG_SPACE_SIZE, pci_cf8_read, pci_cf8_write, NULL,
};

/* ---- pci_init ---- */

/* Read `pci=legacy,assign-busses`. */
static void pci_parse_cmdline(void)
{
	const char *opt = cmdline_get(&kernel_cmdline, "pci");

	while (opt && *opt) {
		const char *end = strchr(opt, ',');
		size_t len = end ? (size_t)(end - opt) : strlen(opt);

		if (len == 6 && !memcmp(opt, "legacy", 6))
			pci_cfg.legacy = true;
		else if (len == 13 && !memcmp(opt, "assign-busses", 13))
			pci_cfg.assign = true;
		else
			pr_warn("pci=: unknown option \"%.*s\" ignored", (int)len, opt);
		opt = end ? end + 1 : NULL;
	}
}

/*
 * The root bus's memory window for BARs the firmware left unassigned: from
 * the highest end of anything the memory map or an ECAM region holds below
 * the I/O APIC, up to the I/O APIC. Assigned BARs inside it stay in the way.
 */
static struct pci_window pci_root_mem_window(void)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		uint64_t end = boot_info.mem[i].base + boot_info.mem[i].length;

		if (end <= PCI_ROOT_MEM_LIMIT && end > top)
			top = end;
	}
	for (unsigned i = 0; i < pci_cfg.ecam_count; i++) {
		const struct pci_ecam_region *r = &pci_cfg.ecam[i];
		uint64_t end = r->phys + ((uint64_t)(r->bus_end - r->bus_start + 1) << PCI_ECAM_BUS_SHIFT);

		if (end <= PCI_ROOT_MEM_LIMIT && end > top)
			top = end;
	}
	top = (top + 0xfffff) & ~0xfffffULL;   /* 1 MiB, like a bridge window */
	if (top >= PCI_ROOT_MEM_LIMIT)
		return (struct pci_window){ 0, 0 };
	return (struct pci_window){ top, PCI_ROOT_MEM_LIMIT - top };
}

/* Enumerate one segment with the options and root windows. */
static unsigned pci_scan_one(uint16_t seg, uint8_t bus_start, uint8_t bus_end)
{
	struct pci_scan_params p = {
		.segment = seg, .bus_start = bus_start, .bus_end = bus_end,
		.assign_busses = pci_cfg.assign,
		.root = { .io = { PCI_ROOT_IO_BASE, PCI_ROOT_IO_LIMIT - PCI_ROOT_IO_BASE },
			  .mem = pci_root_mem_window() },
	};

	return pci_scan_segment(&p);
}

/* Choose ECAM or CF8, and say which and why. */
static void pci_choose_mechanism(void)
{
	const struct acpi_info *acpi = acpi_get_info();

	if (!pci_cfg.legacy && acpi->mcfg_present && pci_ecam_map(&acpi->mcfg)) {
		pci_config_set_ops(&pci_ecam_ops);
		for (unsigned i = 0; i < pci_cfg.ecam_count; i++)
			pr_info("configuration space through ECAM at %#llx: segment %04x, buses %02x-%02x",
				(unsigned long long)pci_cfg.ecam[i].phys, pci_cfg.ecam[i].segment,
				pci_cfg.ecam[i].bus_start, pci_cfg.ecam[i].bus_end);
		return;
	}
	pci_config_set_ops(&pci_cf8_ops);
	pr_info("configuration space through ports 0xcf8/0xcfc (%s): 256 bytes per function, "
		"no extended capabilities", pci_cfg.legacy ? "pci=legacy" : "no usable MCFG");
}

extern struct pci_driver *const __start_pci_drivers[];
extern struct pci_driver *const __stop_pci_drivers[];

int pci_init(void)
{
	struct pci_dev *pdev;
	unsigned found = 0;

	pci_parse_cmdline();
	pci_choose_mechanism();
	if (pci_cfg.ecam_count)
		for (unsigned i = 0; i < pci_cfg.ecam_count; i++)
			found += pci_scan_one(pci_cfg.ecam[i].segment, pci_cfg.ecam[i].bus_start,
					      pci_cfg.ecam[i].bus_end);
	else
		found = pci_scan_one(0, 0, 0xff);
	pci_for_each_dev(pdev)
		dma_device_init(&pdev->dev);   /* platform DMA facts, once, before any driver */
	pr_info("%u devices; %u of them were left mastering the bus by the firmware, "
		"stopped until a driver asks", found, pci_masters_stopped());
	for (struct pci_driver *const *d = __start_pci_drivers; d < __stop_pci_drivers; d++)
		pci_register_driver(*d);
	pci_print_devices();
	return found ? 0 : -ENODEV;
}
