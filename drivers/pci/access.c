/*
 * access.c - the configuration-space accessors every PCI file uses.
 *
 * PCI Local Bus 3.0, 6.1: configuration space is read and written in
 * naturally aligned bytes, words and dwords. Whichever mechanism reaches
 * it (ECAM or CF8, config.c; a fake one in the host tests) sits behind
 * struct pci_config_ops, so these accessors check the arguments once and
 * everything above them is the same whatever the mechanism.
 */
#include "drivers/pci/internal.h"
#include "kernel/errno.h"

/* The mechanism in use, NULL until config.c (or a test) installs one. */
static const struct pci_config_ops *pci_ops;

void pci_config_set_ops(const struct pci_config_ops *ops)
{
	pci_ops = ops;
}

const struct pci_config_ops *pci_config_get_ops(void)
{
	return pci_ops;
}

const char *pci_config_mechanism(void)
{
	return pci_ops ? pci_ops->name : NULL;
}

/* Is an access of @width at @where possible at all? */
static int pci_config_check(unsigned where, unsigned width)
{
	if (!pci_ops)
		return -ENODEV;
	if (where & (width - 1))
		return -EINVAL;
	if (where + width > pci_ops->size)
		return -ERANGE;
	return 0;
}

int pci_bus_read_config(uint16_t seg, uint8_t bus, uint8_t devfn, unsigned where,
			unsigned width, uint32_t *val)
{
	int err = pci_config_check(where, width);

	*val = 0xffffffffu >> (32 - 8 * width);  /* what a read from nowhere gives */
	if (err)
		return err;
	return pci_ops->read(pci_ops->ctx, seg, bus, devfn, (uint16_t)where, width, val);
}

int pci_bus_write_config(uint16_t seg, uint8_t bus, uint8_t devfn, unsigned where,
			 unsigned width, uint32_t val)
{
	int err = pci_config_check(where, width);

	if (err)
		return err;
	return pci_ops->write(pci_ops->ctx, seg, bus, devfn, (uint16_t)where, width, val);
}

/* ---- the Linux-named accessors on a struct pci_dev ---- */

int pci_read_config_byte(const struct pci_dev *pdev, unsigned where, uint8_t *val)
{
	uint32_t v;
	int err = pci_bus_read_config(pdev->segment, pdev->bus, pdev->devfn, where, 1, &v);

	*val = (uint8_t)v;
	return err;
}

int pci_read_config_word(const struct pci_dev *pdev, unsigned where, uint16_t *val)
{
	uint32_t v;
	int err = pci_bus_read_config(pdev->segment, pdev->bus, pdev->devfn, where, 2, &v);

	*val = (uint16_t)v;
	return err;
}

int pci_read_config_dword(const struct pci_dev *pdev, unsigned where, uint32_t *val)
{
	return pci_bus_read_config(pdev->segment, pdev->bus, pdev->devfn, where, 4, val);
}

int pci_write_config_byte(const struct pci_dev *pdev, unsigned where, uint8_t val)
{
	return pci_bus_write_config(pdev->segment, pdev->bus, pdev->devfn, where, 1, val);
}

int pci_write_config_word(const struct pci_dev *pdev, unsigned where, uint16_t val)
{
	return pci_bus_write_config(pdev->segment, pdev->bus, pdev->devfn, where, 2, val);
}

int pci_write_config_dword(const struct pci_dev *pdev, unsigned where, uint32_t val)
{
	return pci_bus_write_config(pdev->segment, pdev->bus, pdev->devfn, where, 4, val);
}
