/*
 * driver.c - the driver model: matching, probe and remove, and the
 * helpers a driver uses to take hold of its device.
 *
 * A driver names the devices it wants in an ID table (vendor and device,
 * or a class pattern). Registering it offers it every device that has no
 * driver yet; the first table line that matches is passed to its probe().
 * A device goes to one driver at most. Removing the driver calls its
 * remove() and then releases whatever it left behind through this API:
 * MSI or MSI-X vectors and mappings, pci_iomap() mappings, bus mastering.
 *
 * Bus mastering (COMMAND.MASTER, PCI Local Bus 3.0, 6.2.2) lets a device
 * start memory transactions: DMA, and the writes MSI is made of. Firmware
 * may leave it on; enumeration turns it off for every device but bridges
 * (probe.c), only a driver that owns the device turns it on again
 * (pci_set_master()), and unbinding turns it off.
 */
#define LOG_PREFIX "pci"
#include "dma/debug.h"
#include "dma/dma.h"
#include "drivers/pci/internal.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/paging.h"

/* Registered drivers, newest first. */
static struct pci_driver *pci_drivers;

/* ---- matching ---- */

static bool pci_id_matches(const struct pci_device_id *id, const struct pci_dev *pdev)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == pdev->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == pdev->device) &&
	       (pdev->class & id->class_mask) == id->class;
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
					 const struct pci_dev *pdev)
{
	for (; ids && (ids->vendor || ids->class_mask); ids++)
		if (pci_id_matches(ids, pdev))
			return ids;
	return NULL;
}

/* ---- binding ---- */

/* Offer @pdev to @drv; bind if it matches and probe() succeeds. */
static int pci_try_bind(struct pci_driver *drv, struct pci_dev *pdev)
{
	const struct pci_device_id *id = pci_match_id(drv->id_table, pdev);
	int err;

	if (!id || pdev->driver)
		return -ENODEV;
	pdev->driver = drv;
	pdev->dev.driver_name = drv->name;   /* dev_err() now says "edu 0000:00:03.0" */
	dma_device_reset(&pdev->dev);        /* driver defaults; the backend stays */
	err = drv->probe(pdev, id);
	if (err) {
		dev_err(&pdev->dev, "probe failed (%d)", err);
		pci_release_resources(pdev);
		pdev->driver = NULL;
		pdev->dev.driver_name = NULL;
		pdev->dev.driver_data = NULL;
	}
	return err;
}

int pci_attach_driver(struct pci_dev *pdev)
{
	for (struct pci_driver *drv = pci_drivers; drv && !pdev->driver; drv = drv->next)
		pci_try_bind(drv, pdev);
	return pdev->driver ? 0 : -ENODEV;
}

void pci_release_driver(struct pci_dev *pdev)
{
	if (!pdev->driver)
		return;
	if (pdev->driver->remove)
		pdev->driver->remove(pdev);
	pci_release_resources(pdev);
	dma_debug_check_leaks(&pdev->dev);   /* mappings the driver forgot */
	dev_info(&pdev->dev, "driver removed");
	pdev->driver = NULL;
	pdev->dev.driver_name = NULL;
	pdev->dev.driver_data = NULL;
}

int pci_register_driver(struct pci_driver *drv)
{
	struct pci_dev *pdev;

	for (struct pci_driver *d = pci_drivers; d; d = d->next)
		if (d == drv)
			return -EEXIST;
	drv->next = pci_drivers;
	pci_drivers = drv;
	pci_for_each_dev(pdev)
		if (!pdev->driver)
			pci_try_bind(drv, pdev);
	return 0;
}

void pci_unregister_driver(struct pci_driver *drv)
{
	struct pci_driver **link = &pci_drivers;
	struct pci_dev *pdev;

	pci_for_each_dev(pdev)
		if (pdev->driver == drv)
			pci_release_driver(pdev);
	while (*link && *link != drv)
		link = &(*link)->next;
	if (*link)
		*link = drv->next;
	drv->next = NULL;
}

/* ---- what a driver takes, and what the core gives back ---- */

/* Set or clear @bits in COMMAND. */
static void pci_command_update(struct pci_dev *pdev, uint16_t bits, bool on)
{
	uint16_t cmd, new;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	new = on ? cmd | bits : cmd & (uint16_t)~bits;
	if (new != cmd)
		pci_write_config_word(pdev, PCI_COMMAND, new);
}

int pci_enable_device(struct pci_dev *pdev)
{
	uint16_t bits = 0;

	for (unsigned i = 0; i < pdev->num_bars; i++) {
		const struct pci_bar *bar = &pdev->bar[i];

		if (!bar->size || (bar->flags & PCI_BAR_UPPER))
			continue;
		if (!bar->base) {
			dev_err(&pdev->dev, "BAR %u has no address; cannot enable the device", i);
			return -ENODEV;
		}
		bits |= bar->flags & PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_command_update(pdev, bits, true);
	return 0;
}

void pci_set_master(struct pci_dev *pdev)
{
	/* A bridge forwards its devices' requests upstream only while it
	 * masters its own bus (PCI-to-PCI Bridge 1.2, 3.2.5.3). */
	for (struct pci_dev *br = pdev->bridge; br; br = br->bridge)
		pci_command_update(br, PCI_COMMAND_MASTER, true);
	pci_command_update(pdev, PCI_COMMAND_MASTER, true);
	pdev->master_set = true;
}

void pci_clear_master(struct pci_dev *pdev)
{
	pci_command_update(pdev, PCI_COMMAND_MASTER, false);
	pdev->master_set = false;
}

void pci_intx(struct pci_dev *pdev, bool enable)
{
	pci_command_update(pdev, PCI_COMMAND_INTX_DISABLE, !enable);
}

void *pci_iomap(struct pci_dev *pdev, unsigned bar)
{
	struct pci_bar *b = bar < pdev->num_bars ? &pdev->bar[bar] : NULL;

	if (!b || !b->size || (b->flags & (PCI_BAR_IO | PCI_BAR_UPPER)) || !b->base) {
		dev_err(&pdev->dev, "pci_iomap: BAR %u is not an assigned memory BAR", bar);
		return NULL;
	}
	if (!b->virt)
		b->virt = ioremap(b->base, b->size, PAGE_CACHE_UC);
	return b->virt;
}

void pci_iounmap(struct pci_dev *pdev, unsigned bar)
{
	if (bar >= pdev->num_bars || !pdev->bar[bar].virt)
		return;
	iounmap(pdev->bar[bar].virt);
	pdev->bar[bar].virt = NULL;
}

void pci_release_resources(struct pci_dev *pdev)
{
	pci_disable_msix(pdev);
	pci_disable_msi(pdev);
	for (unsigned i = 0; i < pdev->num_bars; i++)
		pci_iounmap(pdev, i);
	pci_clear_master(pdev);
}
