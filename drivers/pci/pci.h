/*
 * pci.h - PCI and PCI Express: configuration space, the devices found on
 * the buses, their BARs and capabilities, MSI and MSI-X, and drivers.
 *
 * What happens at boot (pci_init(), drivers/pci/config.c):
 *
 *   1. choose how to reach configuration space: ECAM, the memory window
 *      the ACPI MCFG table describes, or else (or with `pci=legacy`) the
 *      two I/O ports 0xCF8/0xCFC;
 *   2. enumerate: every bus, device and function, through every bridge,
 *      giving bus numbers to bridges the firmware left unnumbered
 *      (probe.c); size every BAR (bar.c); walk every capability list
 *      (cap.c);
 *   3. give an address to any BAR the firmware left unassigned (bar.c),
 *      and each device its platform DMA facts (dma_device_init());
 *   4. bind drivers (driver.c) and print the table of devices (show.c).
 *
 * A driver registers itself from its own file with PCI_DRIVER(), names
 * the devices it wants in an ID table, and gets probe() calls:
 *
 *   static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
 *   {
 *           regs = pci_iomap(pdev, 0);
 *           pci_set_master(pdev);
 *           vector = pci_enable_msi(pdev, edu_irq, state);
 *   }
 *   static const struct pci_device_id edu_ids[] = { { PCI_DEVICE(0x1234, 0x11e8) }, { 0 } };
 *   static struct pci_driver edu_driver = { "edu", edu_ids, edu_probe, edu_remove };
 *   PCI_DRIVER(edu_driver);
 *
 * When a driver is removed, the core releases what the driver took through
 * this API: MSI and MSI-X vectors and mappings, pci_iomap() mappings, bus
 * mastering. docs/pci.md tells the whole story.
 */
#ifndef DRIVERS_PCI_PCI_H
#define DRIVERS_PCI_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/pci/pci_regs.h"
#include "kernel/device.h"
#include "kernel/irq.h"

/* devfn packs a device (0-31) and a function (0-7) into one byte. */
#define PCI_DEVFN(slot, fn)  ((uint8_t)((((slot) & 0x1f) << 3) | ((fn) & 0x07)))
#define PCI_SLOT(devfn)      (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)      ((devfn) & 0x07)
/* A requester ID, as a device puts it in its DMA requests: bus:dev.fn. */
#define PCI_RID(bus, devfn)  ((uint16_t)(((bus) << 8) | (devfn)))

#define PCI_MAX_CAPS  32     /* capabilities and extended capabilities kept per device */

/* One Base Address Register, decoded. */
struct pci_bar {
	uint64_t base;        /* address the BAR holds (bus address = CPU physical here); 0 = unassigned */
	uint64_t size;        /* bytes it decodes, a power of two; 0 = not implemented */
	uint8_t flags;        /* PCI_BAR_* */
	void *virt;           /* pci_iomap() mapping, NULL if none */
};

#define PCI_BAR_IO        0x01  /* I/O space (else memory) */
#define PCI_BAR_MEM64     0x02  /* 64-bit memory BAR: the next BAR holds its upper half */
#define PCI_BAR_PREFETCH  0x04  /* prefetchable memory */
#define PCI_BAR_UPPER     0x08  /* this slot is the upper half of the BAR before it */

/* A bridge's forwarding window: addresses in [base, base + size) go down. */
struct pci_window {
	uint64_t base;
	uint64_t size;        /* 0: the window is closed */
};

/* One entry of a capability list. */
struct pci_cap {
	uint16_t id;          /* PCI_CAP_ID_* or, if extended, PCI_EXT_CAP_ID_* */
	uint16_t offset;      /* where it sits in configuration space */
	uint8_t version;      /* extended capabilities only */
	bool extended;        /* found in the list at 0x100 (PCI Express) */
};

/* What MSI and MSI-X hold while on; all zero while off. */
struct pci_irq_state {
	uint8_t msi_vector;            /* CPU vector while MSI is on, else 0 */
	uint16_t msix_entries;         /* MSI-X table size while MSI-X is on, else 0 */
	volatile uint32_t *msix_table; /* the table, ioremap()ed, 4 words per entry */
	volatile uint64_t *msix_pba;   /* the pending bit array, ioremap()ed */
	uint8_t *msix_vectors;         /* CPU vector of each entry, 0 if unused */
};

struct pci_driver;

/*
 * One PCI function. "Device" in what follows means a function: what has
 * its own configuration space, requester ID and driver.
 */
struct pci_dev {
	struct device dev;             /* name "0000:bb:dd.f"; parent = the bridge's */
	struct pci_dev *next;          /* all devices, in enumeration order */
	struct pci_dev *bridge;        /* the bridge it sits behind, NULL on a root bus */

	uint16_t segment;              /* PCI segment group (domain) */
	uint8_t bus;
	uint8_t devfn;                 /* PCI_DEVFN(slot, function) */
	uint16_t rid;                  /* requester ID: PCI_RID(bus, devfn) */
	uint16_t dma_alias;            /* the requester ID its DMA carries when it
	                                  reaches the IOMMU (docs/pci.md, "Requester IDs") */

	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;                /* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t hdr_type;              /* PCI_HEADER_TYPE_NORMAL or _BRIDGE (no MFD bit) */
	bool multifunction;            /* function 0 said functions 1-7 may exist */
	uint16_t cfg_size;             /* bytes of configuration space we can reach */

	struct pci_bar bar[PCI_STD_NUM_BARS];
	unsigned num_bars;             /* 6, or 2 for a bridge */

	struct pci_cap caps[PCI_MAX_CAPS];
	unsigned cap_count;
	uint8_t pcie_cap;              /* offsets of the capabilities the core uses, 0 if absent */
	uint8_t msi_cap;
	uint8_t msix_cap;
	uint8_t pcie_type;             /* PCI_EXP_TYPE_*, if pcie_cap */

	/* Bridges only (hdr_type PCI_HEADER_TYPE_BRIDGE). */
	uint8_t primary, secondary, subordinate;  /* bus numbers, as now programmed */
	struct pci_window io_window, mem_window, pref_window;

	const struct pci_driver *driver;  /* bound driver, NULL if none */
	bool master_set;               /* bus mastering turned on by pci_set_master() */
	struct pci_irq_state irq;
};

static inline struct pci_dev *to_pci_dev(struct device *d)
{
	return (struct pci_dev *)((char *)d - offsetof(struct pci_dev, dev));
}

static inline bool pci_is_bridge(const struct pci_dev *pdev)
{
	return pdev->hdr_type == PCI_HEADER_TYPE_BRIDGE;
}

/* ---- start-up ---- */

/**
 * pci_init - find every PCI device, bind drivers, print the table.
 *
 * Needs the memory manager (ioremap, kmalloc), ACPI (the MCFG) and the
 * interrupt vectors. Reads `pci=` from the command line: a comma list of
 * `legacy` (use ports 0xCF8/0xCFC even if ECAM exists) and `assign-busses`
 * (renumber every bridge instead of keeping the firmware's numbers).
 * Return: 0, or -ENODEV if configuration space cannot be reached.
 */
int pci_init(void);

/* "ECAM" or "CF8": how configuration space is reached; NULL before pci_init(). */
const char *pci_config_mechanism(void);

/* ---- configuration space ---- */

/*
 * Read or write a register of @pdev's configuration space. @where must be
 * aligned to the access size and inside the space the mechanism reaches
 * (256 bytes through CF8, 4096 through ECAM).
 * Return: 0; -EINVAL (misaligned), -ERANGE (beyond the space) with *val
 * set to all ones, as hardware answers a read from nowhere.
 */
int pci_read_config_byte(const struct pci_dev *pdev, unsigned where, uint8_t *val);
int pci_read_config_word(const struct pci_dev *pdev, unsigned where, uint16_t *val);
int pci_read_config_dword(const struct pci_dev *pdev, unsigned where, uint32_t *val);
int pci_write_config_byte(const struct pci_dev *pdev, unsigned where, uint8_t val);
int pci_write_config_word(const struct pci_dev *pdev, unsigned where, uint16_t val);
int pci_write_config_dword(const struct pci_dev *pdev, unsigned where, uint32_t val);

/* ---- finding devices ---- */

/*
 * The first device found, then ->next. Enumeration order: the devices of a
 * bus by slot and function, then the buses behind its bridges, each the
 * same way.
 */
struct pci_dev *pci_first_dev(void);

#define pci_for_each_dev(pdev) \
	for ((pdev) = pci_first_dev(); (pdev); (pdev) = (pdev)->next)

/**
 * pci_get_device - the next device with these IDs after @from.
 * @vendor, @device: IDs to match; PCI_ANY_ID matches any
 * @from: NULL to start at the first device
 * Return: the device, or NULL.
 */
struct pci_dev *pci_get_device(uint16_t vendor, uint16_t device, struct pci_dev *from);

/* The device at segment:bus:devfn, or NULL. */
struct pci_dev *pci_get_domain_bus_and_slot(uint16_t segment, uint8_t bus, uint8_t devfn);

/**
 * pci_bridge_secondary_bus - the secondary bus of the bridge at @bus:@dev.@fn
 * of segment 0, in the form ACPI's DMAR scope resolver wants
 * (acpi_secondary_bus_fn).
 * Return: the bus number, or -ENODEV if no bridge is there.
 */
int pci_bridge_secondary_bus(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);

/* ---- capabilities ---- */

/* Offset of @pdev's first capability @cap_id (PCI_CAP_ID_*), 0 if none. */
uint8_t pci_find_capability(const struct pci_dev *pdev, uint8_t cap_id);

/* Offset of @pdev's first extended capability @cap_id (PCI_EXT_CAP_ID_*), 0 if none. */
uint16_t pci_find_ext_capability(const struct pci_dev *pdev, uint16_t cap_id);

/* Short names for the log: "MSI-X", "AER", "PCI bridge"; never NULL. */
const char *pci_cap_name(uint16_t cap_id);
const char *pci_ext_cap_name(uint16_t cap_id);
const char *pci_class_name(uint32_t class);

/* ---- using a device ---- */

/**
 * pci_enable_device - let @pdev decode its BARs.
 * Sets COMMAND.MEMORY and COMMAND.IO for the kinds of BARs it has that hold
 * an address. Return: 0, or -ENODEV if a BAR still has no address.
 */
int pci_enable_device(struct pci_dev *pdev);

/* Let @pdev master the bus (DMA, and MSI writes); also its bridges. */
void pci_set_master(struct pci_dev *pdev);
/* Stop @pdev mastering the bus. */
void pci_clear_master(struct pci_dev *pdev);
/* Allow (true) or forbid (false) INTx: COMMAND.INTX_DISABLE. */
void pci_intx(struct pci_dev *pdev, bool enable);

/**
 * pci_iomap - map memory BAR @bar uncached, once; later calls return the
 * same mapping. The core unmaps it when the driver goes away.
 * Return: the address of the BAR's first byte, or NULL (logged): no such
 * memory BAR, unassigned, or the mapping failed.
 */
void *pci_iomap(struct pci_dev *pdev, unsigned bar);
/* Undo pci_iomap(). */
void pci_iounmap(struct pci_dev *pdev, unsigned bar);

/* ---- message signalled interrupts ---- */

/**
 * pci_enable_msi - deliver @pdev's interrupt as one MSI to @fn.
 * @fn: runs in interrupt context with @ctx; the dispatcher sends the EOI
 * Allocates a vector, writes the message into the MSI capability,
 * enables MSI and disables INTx. The device also needs bus mastering
 * (pci_set_master()) to send the message.
 * Return: the CPU vector, or -ENODEV (no MSI capability), -EBUSY (MSI or
 * MSI-X already on), -ENOSPC (no vector).
 */
int pci_enable_msi(struct pci_dev *pdev, irq_handler_t fn, void *ctx);
/* Turn MSI off, free its vector, allow INTx again. */
void pci_disable_msi(struct pci_dev *pdev);

/**
 * pci_enable_msix - turn on MSI-X with every entry masked.
 * Maps the table and the pending bit array (from the BARs the capability
 * names) and disables INTx. Entries then get handlers through
 * pci_msix_request().
 * Return: the number of table entries, or -ENODEV (no MSI-X), -EBUSY (MSI
 * or MSI-X already on), -EINVAL (table outside its BAR), -ENOMEM.
 */
int pci_enable_msix(struct pci_dev *pdev);
/* Mask every entry, free every vector, unmap, turn MSI-X off, allow INTx. */
void pci_disable_msix(struct pci_dev *pdev);

/**
 * pci_msix_request - give MSI-X entry @entry a vector and handler, unmasked.
 * Return: the CPU vector, or -EINVAL (no such entry, MSI-X off), -EBUSY
 * (entry in use), -ENOSPC (no vector).
 */
int pci_msix_request(struct pci_dev *pdev, unsigned entry, irq_handler_t fn, void *ctx);
/* Mask @entry and free its vector. */
void pci_msix_free(struct pci_dev *pdev, unsigned entry);
/* Set or clear @entry's mask bit: a masked entry holds its message pending. */
void pci_msix_mask(struct pci_dev *pdev, unsigned entry, bool masked);
/* Does the pending bit array show @entry waiting? */
bool pci_msix_pending(const struct pci_dev *pdev, unsigned entry);
/* Read entry @entry back from the table. Return: 0, or -EINVAL. */
int pci_msix_read_entry(const struct pci_dev *pdev, unsigned entry,
			struct msi_msg *msg, bool *masked);

/* ---- drivers ---- */

#define PCI_ANY_ID 0xffff

/*
 * One line of a driver's ID table. A device matches if vendor and device
 * match (or are PCI_ANY_ID) and (class & class_mask) == class. A line of
 * zeros ends the table.
 */
struct pci_device_id {
	uint16_t vendor, device;
	uint32_t class, class_mask;
};

#define PCI_DEVICE(v, d)        .vendor = (v), .device = (d), .class = 0, .class_mask = 0
#define PCI_DEVICE_CLASS(c, m)  .vendor = PCI_ANY_ID, .device = PCI_ANY_ID, \
				.class = (c), .class_mask = (m)

struct pci_driver {
	const char *name;                     /* prefixes the device's log lines */
	const struct pci_device_id *id_table;
	/* Take the device: return 0, or a -errno after undoing what it did. */
	int (*probe)(struct pci_dev *pdev, const struct pci_device_id *id);
	/* Let go of it (optional): the core then releases what is left. */
	void (*remove)(struct pci_dev *pdev);
	struct pci_driver *next;              /* registered drivers (the core's) */
};

/*
 * Register a driver from its own file: the linker gathers the pointers in
 * section "pci_drivers", and pci_init() registers them all after
 * enumeration.
 */
#define PCI_DRIVER(drv)                                                        \
	static struct pci_driver *const drv##_pci_ptr                          \
	__attribute__((used, section("pci_drivers"), aligned(8))) = &(drv)

/**
 * pci_register_driver - add @drv and bind it to every matching device
 * that has no driver yet.
 * Return: 0, or -EEXIST if it is registered already.
 */
int pci_register_driver(struct pci_driver *drv);
/* Unbind @drv from its devices (releasing what it took) and forget it. */
void pci_unregister_driver(struct pci_driver *drv);

/* The line of @ids that matches @pdev, or NULL. */
const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
					 const struct pci_dev *pdev);

/* Unbind @pdev's driver (remove, then release what is left). */
void pci_release_driver(struct pci_dev *pdev);
/* Offer @pdev to the registered drivers. Return: 0 if one took it, else -ENODEV. */
int pci_attach_driver(struct pci_dev *pdev);

/* Print the lspci-style table of every device to the log. */
void pci_print_devices(void);

#endif /* DRIVERS_PCI_PCI_H */
