/*
 * edu.h - QEMU's educational PCI device (`-device edu`): its interrupt and
 * its DMA engine, the kernel's real device for testing the DMA layer.
 */
#ifndef DRIVERS_EDU_H
#define DRIVERS_EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dma/dma.h"

struct pci_dev;

#define EDU_BUFFER_SIZE   4096              /* the device's own memory */
#define EDU_DMA_MAX_END   (EDU_BUFFER_SIZE - 1)  /* QEMU 7.2 refuses a transfer
                                                    ending at the last byte */
#define EDU_DMA_BITS      28                /* QEMU's default dma_mask: 256 MiB */
#define EDU_IRQ_DMA_DONE  0x100             /* status bit of a finished transfer */

/* One bound edu device. */
struct edu {
	struct pci_dev *pdev;
	volatile uint32_t *regs;        /* BAR0, mapped uncached */
	int vector;                     /* its irq: the MSI or INTx vector */
	unsigned irq_type;              /* PCI_IRQ_MSI, or PCI_IRQ_INTX (pci=nomsi) */
	volatile uint64_t irq_count;    /* interrupts handled */
	volatile uint32_t irq_status;   /* status bits the last interrupt acknowledged */
	bool dead;                      /* a DMA timed out while running: no more DMA */
};

/* The @index-th edu device that has the edu driver bound, or NULL. */
struct edu *edu_get(unsigned index);

/* Make the device interrupt: set @bits in its interrupt status. */
void edu_raise_irq(struct edu *edu, uint32_t bits);

/* The struct device the DMA API takes for this edu. */
struct device *edu_dev(struct edu *edu);

/**
 * edu_dma - run one transfer between memory and the device's buffer.
 * @addr: device address of the memory side (from the DMA API)
 * @offset: where in the device's 4 KiB buffer
 * @len: bytes
 * @dir: DMA_TO_DEVICE (memory -> edu) or DMA_FROM_DEVICE (edu -> memory)
 * @use_irq: wait for the completion interrupt instead of polling
 *
 * Refuses what the device cannot do: a range not ending within the first
 * EDU_DMA_MAX_END bytes of its buffer (QEMU 7.2 would abort) or a memory
 * address beyond the device's DMA mask (the
 * device would silently truncate it). Each transfer takes about 100 ms of
 * QEMU's virtual time. edu cannot abort a transfer: after -ETIMEDOUT with
 * the engine still running the device is marked dead (-EIO from then on)
 * and the caller must not free or reuse the buffer it was given.
 * Return: 0, -EINVAL, -EBUSY (a transfer is running), -ETIMEDOUT or -EIO.
 */
int edu_dma(struct edu *edu, dma_addr_t addr, unsigned offset, size_t len,
	    enum dma_data_direction dir, bool use_irq);

#endif /* DRIVERS_EDU_H */
