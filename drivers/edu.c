/*
 * edu.c - QEMU's educational PCI device, created by `-device edu`
 * (QEMU 7.2 docs/specs/edu.txt).
 *
 * PCI 1234:11e8, one 1 MiB memory BAR of registers, one MSI vector (or
 * INTx pin A, level-triggered: with `pci=nomsi`). Writing bits to
 * IRQ_RAISE sets them in IRQ_STATUS and interrupts; the handler reads the
 * status, acknowledges exactly those bits (which lowers INTx before the
 * EOI) and counts. A status of 0 is another device's INTx on a shared line.
 *
 * The DMA engine copies between memory and a 4 KiB buffer inside the
 * device (device address 0x40000): program source, destination and
 * count, then start it with the command register; the command's start bit
 * clears when the copy is done (about 100 ms of virtual time later), and
 * the device can raise IRQ status 0x100 then. The engine sees memory
 * through a 28-bit mask by default: the driver says so to the DMA layer,
 * which bounces anything higher.
 *
 * Registers below 0x80 take 32-bit accesses only, the DMA registers 64-bit.
 */
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time.h"

#define EDU_VENDOR          0x1234
#define EDU_DEVICE          0x11e8

#define EDU_REG_ID          0x00   /* RO: 0xMMmm00ed, version major.minor */
#define EDU_REG_LIVENESS    0x04   /* RW: reads back the inverse of what was written */
#define EDU_REG_IRQ_STATUS  0x24   /* RO: interrupt reasons raised, not yet acknowledged */
#define EDU_REG_IRQ_RAISE   0x60   /* WO: OR bits into IRQ_STATUS and interrupt */
#define EDU_REG_IRQ_ACK     0x64   /* WO: clear bits of IRQ_STATUS */

#define EDU_REG_DMA_SRC     0x80   /* RW 64: source address */
#define EDU_REG_DMA_DST     0x88   /* RW 64: destination address */
#define EDU_REG_DMA_COUNT   0x90   /* RW 64: bytes */
#define EDU_REG_DMA_CMD     0x98   /* RW 64: command; reads show START until done */

#define EDU_DMA_START       0x1    /* cmd: go; stays set while running */
#define EDU_DMA_TO_RAM      0x2    /* cmd: edu buffer -> memory (else memory -> edu) */
#define EDU_DMA_IRQ         0x4    /* cmd: raise EDU_IRQ_DMA_DONE when done */
#define EDU_BUFFER_ADDR     0x40000ULL   /* the device's buffer, in its own space */
#define EDU_DMA_TIMEOUT_US  2000000      /* 100 ms virtual, generous under TCG */
#define EDU_DMA_POLL_US     1000

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

/* Interrupt handler: acknowledge what was raised, and count. */
static irqreturn_t edu_irq(int irq, void *ctx)
{
	struct edu *edu = ctx;
	uint32_t status = edu_read(edu, EDU_REG_IRQ_STATUS);

	(void)irq;
	if (!status)
		return IRQ_NONE;
	edu_write(edu, EDU_REG_IRQ_ACK, status);
	edu->irq_status = status;
	edu->irq_count++;
	return IRQ_HANDLED;
}

void edu_raise_irq(struct edu *edu, uint32_t bits)
{
	edu_write(edu, EDU_REG_IRQ_RAISE, bits);
}

struct device *edu_dev(struct edu *edu)
{
	return &edu->pdev->dev;
}

static uint64_t edu_read64(const struct edu *edu, unsigned reg)
{
	return ((volatile uint64_t *)edu->regs)[reg / 8];
}

static void edu_write64(struct edu *edu, unsigned reg, uint64_t val)
{
	((volatile uint64_t *)edu->regs)[reg / 8] = val;
}

/* Is the transfer possible for this device? Say why not. */
static int edu_dma_check(struct edu *edu, dma_addr_t addr, unsigned offset, size_t len,
			 enum dma_data_direction dir)
{
	struct device *dev = edu_dev(edu);

	if (dir != DMA_TO_DEVICE && dir != DMA_FROM_DEVICE) {
		dev_err(dev, "DMA direction must be to or from the device");
		return -EINVAL;
	}
	/* QEMU 7.2 aborts on a transfer that ends exactly at the buffer's end,
	 * so the last usable end is one byte short of it (EDU_DMA_MAX_END). */
	if (!len || offset >= EDU_DMA_MAX_END || len > EDU_DMA_MAX_END - offset) {
		dev_err(dev, "DMA of %zu bytes at buffer offset %u: must end within the "
			"first %u bytes of the buffer", len, offset, EDU_DMA_MAX_END);
		return -EINVAL;
	}
	if (addr + len - 1 > dma_get_mask(dev) || addr + len - 1 < addr) {
		dev_err(dev, "DMA address %#llx+%zu is beyond the device's mask %#llx",
			(unsigned long long)addr, len, (unsigned long long)dma_get_mask(dev));
		return -EINVAL;
	}
	if (edu->dead) {
		dev_err(dev, "device marked dead after a DMA timeout; refusing DMA");
		return -EIO;
	}
	if (edu_read64(edu, EDU_REG_DMA_CMD) & EDU_DMA_START) {
		dev_err(dev, "DMA engine busy");
		return -EBUSY;
	}
	return 0;
}

int edu_dma(struct edu *edu, dma_addr_t addr, unsigned offset, size_t len,
	    enum dma_data_direction dir, bool use_irq)
{
	bool to_ram = dir == DMA_FROM_DEVICE;
	uint64_t done_before = edu->irq_count;
	int err = edu_dma_check(edu, addr, offset, len, dir);

	if (err)
		return err;
	edu_write64(edu, EDU_REG_DMA_SRC, to_ram ? EDU_BUFFER_ADDR + offset : addr);
	edu_write64(edu, EDU_REG_DMA_DST, to_ram ? addr : EDU_BUFFER_ADDR + offset);
	edu_write64(edu, EDU_REG_DMA_COUNT, len);
	edu_write64(edu, EDU_REG_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0) |
		    (use_irq ? EDU_DMA_IRQ : 0));
	if (use_irq)
		err = poll_timeout_us(edu->irq_count != done_before &&
				      (edu->irq_status & EDU_IRQ_DMA_DONE),
				      EDU_DMA_POLL_US, EDU_DMA_TIMEOUT_US);
	else
		err = poll_timeout_us(!(edu_read64(edu, EDU_REG_DMA_CMD) & EDU_DMA_START),
				      EDU_DMA_POLL_US, EDU_DMA_TIMEOUT_US);
	if (err && (edu_read64(edu, EDU_REG_DMA_CMD) & EDU_DMA_START)) {
		/* edu cannot abort: the copy may still land later, so nothing may
		 * hand this device memory again. */
		edu->dead = true;
		dev_err(edu_dev(edu), "DMA of %zu bytes did not complete; device marked "
			"dead: keep its buffers allocated", len);
	} else if (err) {
		dev_err(edu_dev(edu), "DMA of %zu bytes: no completion interrupt", len);
	}
	return err;
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

/* One vector, MSI or else INTx, with edu_irq() on it. */
static int edu_setup_irq(struct edu *edu)
{
	struct pci_dev *pdev = edu->pdev;
	int err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);

	if (err < 0)
		return err;
	edu->irq_type = pdev->irq.type;
	edu->vector = pci_irq_vector(pdev, 0);
	err = request_irq((unsigned)edu->vector, edu_irq, IRQF_SHARED, "edu", edu);
	if (err) {
		dev_err(&pdev->dev, "cannot request vector %#x (%d)", edu->vector, err);
		pci_free_irq_vectors(pdev);
	}
	return err;
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
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (err)
		goto fail_unmap;
	pci_set_master(pdev);               /* an MSI is a memory write by the device */
	err = edu_setup_irq(edu);
	if (err)
		goto fail_master;
	pdev->dev.driver_data = edu;
	dev_info(&pdev->dev, "%s on vector %#x", edu->irq_type == PCI_IRQ_MSI ? "MSI" : "INTx",
		 edu->vector);
	return 0;

fail_master:
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

	free_irq((unsigned)edu->vector, edu);
	pci_free_irq_vectors(pdev);
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
