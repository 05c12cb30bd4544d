/*
 * edu.h - QEMU's educational PCI device (`-device edu`), as far as the
 * rest of the kernel needs it: the interrupt path, for now.
 */
#ifndef DRIVERS_EDU_H
#define DRIVERS_EDU_H

#include <stdint.h>

struct pci_dev;

/* One bound edu device. */
struct edu {
	struct pci_dev *pdev;
	volatile uint32_t *regs;        /* BAR0, mapped uncached */
	int vector;                     /* its MSI vector */
	volatile uint64_t irq_count;    /* interrupts handled */
	volatile uint32_t irq_status;   /* status bits the last interrupt acknowledged */
};

/* The @index-th edu device that has the edu driver bound, or NULL. */
struct edu *edu_get(unsigned index);

/* Make the device interrupt: set @bits in its interrupt status. */
void edu_raise_irq(struct edu *edu, uint32_t bits);

#endif /* DRIVERS_EDU_H */
