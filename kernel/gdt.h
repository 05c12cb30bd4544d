/*
 * gdt.h - segments and the task state segment. In long mode segmentation
 * is mostly gone; the GDT still selects 64-bit code, and the TSS provides
 * the interrupt stack table (IST): known-good stacks for exceptions that
 * may arrive when the current stack is not (double fault, NMI, #MC).
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18

/* IST slots (1-based, as the IDT gate's IST field counts them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

void gdt_init(void);
/* True if [addr, addr+8) lies on one of the IST stacks or the boot stack. */
int kernel_stack_contains(uintptr_t addr);

#endif /* KERNEL_GDT_H */
