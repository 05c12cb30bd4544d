/*
 * irq.c - a device's interrupt vectors: pci_alloc_irq_vectors() tries
 * MSI-X, then MSI (msi.c), then INTx (PCI Local Bus 3.0, 2.2.6 and 6.2.4).
 *
 * INTx is a level-triggered, shared wire per function (pin INTA#-INTD#,
 * config offset 0x3D). Which I/O APIC input it reaches is the chipset's
 * business and, on ACPI machines, is told by AML (_PRT), which we cannot
 * run. What we use instead is the line the firmware wrote to config
 * offset 0x3C: SeaBIOS and OVMF both steer q35's PIRQs onto ISA IRQs and
 * write those (docs/pci.md, "INTx"). A line below 16 is such an ISA IRQ,
 * routed through the MADT's overrides; 16-254 a GSI as it stands; 0 and
 * 0xff mean nobody routed it, and INTx is refused naming the device.
 */
#include <stdarg.h>
#include "drivers/pci/internal.h"
#include "kernel/acpi/acpi.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/ioapic.h"
#include "kernel/printf.h"

#define PCI_IRQ_WHY_LEN   64
#define PCI_ISA_IRQS      16
#define PCI_LINE_UNKNOWN  0xff

static bool pci_msi_off;     /* pci=nomsi */

void pci_no_msi(void)
{
	pci_msi_off = true;
}

bool pci_msi_enabled(void)
{
	return !pci_msi_off;
}

int pci_irq_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/* Where @pdev's INTx arrives, from the line the firmware programmed. */
static int pci_intx_route(struct pci_dev *pdev, struct acpi_irq_route *r, char *why,
			  size_t len)
{
	const struct acpi_info *a = acpi_get_info();
	uint8_t pin, line;

	pci_read_config_byte(pdev, PCI_INTERRUPT_PIN, &pin);
	if (pin < 1 || pin > 4)
		return pci_irq_why(why, len, -ENODEV, "no INTx pin");
	pci_read_config_byte(pdev, PCI_INTERRUPT_LINE, &line);
	if (line == 0 || line == PCI_LINE_UNKNOWN)
		return pci_irq_why(why, len, -ENODEV, "INT%c# line %#x: not routed by the "
				   "firmware, and its route is known only to AML", 'A' + pin - 1,
				   line);
	*r = (struct acpi_irq_route){ .gsi = line, .level = true, .active_low = true };
	if (line < PCI_ISA_IRQS && a->madt_present)
		acpi_madt_isa_route(&a->madt, line, true, r);
	return 0;
}

/* INTx: one vector, on the I/O APIC line the pin reaches. */
static int pci_intx_enable(struct pci_dev *pdev, unsigned min, char *why, size_t len)
{
	struct acpi_irq_route r;
	int irq, err;

	if (min > 1)
		return pci_irq_why(why, len, -ENOSPC, "INTx gives 1");
	err = pci_intx_route(pdev, &r, why, len);
	if (err)
		return err;
	irq = ioapic_get_irq(&r, pdev->dev.name);
	if (irq < 0)
		return pci_irq_why(why, len, irq, "GSI %u has no I/O APIC route", r.gsi);
	pdev->irq.intx_irq = (unsigned)irq;
	pci_intx(pdev, true);
	dev_dbg(&pdev->dev, "INTx on GSI %u (%s, active %s), vector %#x", r.gsi,
		r.level ? "level" : "edge", r.active_low ? "low" : "high", irq);
	return 1;
}

/* One rung of the ladder: @kind with between @min and @max vectors. */
static int pci_irq_rung(struct pci_dev *pdev, unsigned kind, unsigned min, unsigned max,
			char *why)
{
	if (kind != PCI_IRQ_INTX && pci_msi_off)
		return pci_irq_why(why, PCI_IRQ_WHY_LEN, -EINVAL, "pci=nomsi");
	switch (kind) {
	case PCI_IRQ_MSIX:
		return pci_msix_enable_range(pdev, min, max, why, PCI_IRQ_WHY_LEN);
	case PCI_IRQ_MSI:
		return pci_msi_enable_range(pdev, min, max, why, PCI_IRQ_WHY_LEN);
	default:
		return pci_intx_enable(pdev, min, why, PCI_IRQ_WHY_LEN);
	}
}

static const unsigned pci_irq_order[3] = { PCI_IRQ_MSIX, PCI_IRQ_MSI, PCI_IRQ_INTX };

int pci_alloc_irq_vectors(struct pci_dev *pdev, unsigned min_vecs, unsigned max_vecs,
			  unsigned flags)
{
	char why[3][PCI_IRQ_WHY_LEN] = { "not asked", "not asked", "not asked" };
	int n, err = -ENODEV;

	if (!min_vecs || max_vecs < min_vecs || !(flags & PCI_IRQ_ALL_TYPES) ||
	    (flags & ~PCI_IRQ_ALL_TYPES)) {
		dev_err(&pdev->dev, "pci_alloc_irq_vectors(min %u, max %u, flags %#x): bad "
			"arguments", min_vecs, max_vecs, flags);
		return -EINVAL;
	}
	if (pdev->irq.type) {
		dev_err(&pdev->dev, "pci_alloc_irq_vectors: vectors already allocated; "
			"pci_free_irq_vectors() first");
		return -EBUSY;
	}
	for (unsigned i = 0; i < 3; i++) {
		if (!(flags & pci_irq_order[i]))
			continue;
		n = pci_irq_rung(pdev, pci_irq_order[i], min_vecs, max_vecs, why[i]);
		if (n > 0) {
			pdev->irq.type = pci_irq_order[i];
			pdev->irq.nvec = (unsigned)n;
			return n;
		}
		if (err == -ENODEV)
			err = n;         /* the first reason that is not "absent" */
	}
	dev_err(&pdev->dev, "cannot allocate %u interrupt vector%s: MSI-X: %s; MSI: %s; "
		"INTx: %s", min_vecs, min_vecs == 1 ? "" : "s", why[0], why[1], why[2]);
	return err;
}

int pci_irq_vector(struct pci_dev *pdev, unsigned nr)
{
	if (nr >= pdev->irq.nvec)
		return -EINVAL;
	if (pdev->irq.type == PCI_IRQ_INTX)
		return (int)pdev->irq.intx_irq;
	return (int)pdev->irq.descs[nr]->vector;
}

void pci_free_irq_vectors(struct pci_dev *pdev)
{
	switch (pdev->irq.type) {
	case PCI_IRQ_MSIX:
		pci_msix_shutdown(pdev);
		break;
	case PCI_IRQ_MSI:
		pci_msi_shutdown(pdev);
		break;
	case PCI_IRQ_INTX:
		ioapic_put_irq(pdev->irq.intx_irq);
		break;
	}
	pdev->irq = (struct pci_irq_state){ 0 };
}
