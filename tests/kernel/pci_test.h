/*
 * pci_test.h - helpers the PCI suites share (pci_test.c defines them).
 */
#ifndef TESTS_KERNEL_PCI_TEST_H
#define TESTS_KERNEL_PCI_TEST_H

#include <stdint.h>
#include "drivers/pci/pci.h"

/* Vectors irq_alloc_vector() can still hand out (takes them all, gives
 * them back; the last refusal logs "no free interrupt vector"). */
unsigned free_vectors(void);
uint16_t config_word(const struct pci_dev *pdev, unsigned where);
/* Wait with interrupts on until *counter reaches @want: 0 or -ETIMEDOUT. */
int wait_count(volatile uint64_t *counter, uint64_t want, uint64_t timeout_us);

#endif /* TESTS_KERNEL_PCI_TEST_H */
