/*
 * edu.c - QEMU's educational PCI device, created by `-device edu`
 * (QEMU 7.2 docs/specs/edu.txt).
 *
 * PCI 1234:11e8, one 1 MiB memory BAR of registers, one MSI vector (or
 * INTx pin A). For now the driver proves the interrupt path end to end:
 * writing bits to IRQ_RAISE sets them in IRQ_STATUS and sends the MSI;
 * the handler reads the status, acknowledges exactly those bits and
 * counts. The DMA engine (registers 0x80-0x98) comes with the DMA layer.
 *
 * Registers below 0x80 take 32-bit accesses only.
 */
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/errno.h"
#include "kernel/mm/kmalloc.h"

#define EDU_VENDOR          0x1234
#define EDU_DEVICE          0x11e8

#define EDU_REG_ID          0x00   /* RO: 0xMMmm00ed, version major.minor */
#define EDU_REG_LIVENESS    0x04   /* RW: reads back the inverse of what was written */
#define EDU_REG_IRQ_STATUS  0x24   /* RO: interrupt reasons raised, not yet acknowledged */
#define EDU_REG_IRQ_RAISE   0x60   /* WO: OR bits into IRQ_STATUS and interrupt */
#define EDU_REG_IRQ_ACK     0x64   /* WO: clear bits of IRQ_STATUS */

#define EDU_ID_MAGIC        0xed   /* low byte of the ID register */
#define EDU_LIVENESS_PROBE  0x5a5aa5a5u

static inline uint32_t edu_read(const struct edu *edu, unsigned reg)
{
	return edu->regs[reg / 4];
}

static inline void edu_write(struct edu *edu, unsigned reg, uint32_t val)
{
	edu->regs[reg / 4] = val;
}

/* MSI handler: acknowledge what was raised, and count. */
static void edu_irq(unsigned vector, void *ctx)
{
	struct edu *edu = ctx;
	uint32_t status = edu_read(edu, EDU_REG_IRQ_STATUS);

	(void)vector;
	edu_write(edu, EDU_REG_IRQ_ACK, status);
	edu->irq_status = status;
	edu->irq_count++;
}

void edu_raise_irq(struct edu *edu, uint32_t bits)
{
	edu_write(edu, EDU_REG_IRQ_RAISE, bits);
}

/* Is this really an edu answering at BAR0? */
static int edu_check(struct edu *edu)
{
	uint32_t id = edu_read(edu, EDU_REG_ID);

	if ((id & 0xff) != EDU_ID_MAGIC) {
		dev_err(&edu->pdev->dev, "ID register reads %#x, not an edu", id);
		return -ENODEV;
	}
	edu_write(edu, EDU_REG_LIVENESS, EDU_LIVENESS_PROBE);
	if (edu_read(edu, EDU_REG_LIVENESS) != ~EDU_LIVENESS_PROBE) {
		dev_err(&edu->pdev->dev, "liveness register does not invert what it is given");
		return -EIO;
	}
	dev_info(&edu->pdev->dev, "edu version %u.%u", id >> 24, (id >> 16) & 0xff);
	return 0;
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu *edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	int err;

	(void)id;
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	err = pci_enable_device(pdev);
	if (err)
		goto fail_free;
	edu->regs = pci_iomap(pdev, 0);
	err = edu->regs ? edu_check(edu) : -ENOMEM;
	if (err)
		goto fail_unmap;                /* pci_iounmap() of nothing does nothing */
	pci_set_master(pdev);               /* an MSI is a memory write by the device */
	edu->vector = err = pci_enable_msi(pdev, edu_irq, edu);
	if (err < 0)
		goto fail_master;
	pdev->dev.driver_data = edu;
	dev_info(&pdev->dev, "MSI on vector %#x", edu->vector);
	return 0;

fail_master:
	dev_err(&pdev->dev, "cannot enable MSI (%d)", err);
	pci_clear_master(pdev);
fail_unmap:
	pci_iounmap(pdev, 0);
fail_free:
	kfree(edu);
	return err;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu *edu = pdev->dev.driver_data;

	pci_disable_msi(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, 0);
	kfree(edu);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ 0 },
};

static struct pci_driver edu_driver = {
	.name = "edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

PCI_DRIVER(edu_driver);

struct edu *edu_get(unsigned index)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, pdev)))
		if (pdev->driver == &edu_driver && index-- == 0)
			return pdev->dev.driver_data;
	return NULL;
}
