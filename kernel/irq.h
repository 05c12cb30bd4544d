/*
 * irq.h - device interrupt vectors, handlers, and MSI messages.
 *
 * Vectors 0-31 are CPU exceptions (kernel/traps.c). 0x20-0x2f are where
 * the legacy 8259 PICs are parked, masked, so a stray PIC interrupt can
 * never look like an exception. Devices get vectors from
 * IRQ_VECTOR_FIRST..IRQ_VECTOR_LAST through irq_alloc_vector(); 0xff is
 * the LAPIC's spurious vector. Every handled interrupt ends with a LAPIC
 * EOI, sent by the dispatcher, not by handlers.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* The first vector an external interrupt may use: below it the trap entry
 * expects the CPU's exception frame (some push an error code). */
#define IRQ_VECTOR_FIRST_EXTERNAL 0x20
#define IRQ_PIC_VECTOR_BASE  0x20   /* master PIC IRQ0..7, slave 0x28.. */
#define IRQ_PIC_VECTORS      16
#define IRQ_VECTOR_FIRST     0x30
#define IRQ_VECTOR_LAST      0xef
#define IRQ_VECTOR_SPURIOUS  0xff

typedef void (*irq_handler_t)(unsigned vector, void *ctx);

/**
 * irq_alloc_vector - reserve a vector and install its handler.
 * @fn: called with interrupts off, on the interrupted stack
 * @ctx: passed to @fn
 * @name: shown in logs ("nvme0 q1", "lapic timer")
 * Return: the vector, -EINVAL for a NULL handler, -ENOSPC if none is free.
 */
int irq_alloc_vector(irq_handler_t fn, void *ctx, const char *name);

/**
 * irq_alloc_vector_block - reserve @count consecutive vectors, the first a
 * multiple of @count (a power of two), for multi-message MSI: vector
 * base + i gets @fn with @ctx[i]. Free each with irq_free_vector().
 * Return: the first vector, -EINVAL, or -ENOSPC if no such block is free.
 */
int irq_alloc_vector_block(unsigned count, irq_handler_t fn, void *const ctx[],
			   const char *name);

/* Release a vector from irq_alloc_vector(); unknown ones are reported. */
void irq_free_vector(unsigned vector);

/* Interrupts the LAPIC delivered on @vector since boot, owned or not. */
uint64_t irq_count(unsigned vector);
/* Spurious interrupts seen (not acknowledged): LAPIC 0xff, stray PIC ones. */
uint64_t irq_spurious_count(void);
/* The owner's name ("unallocated", "spurious", "none" for -1). */
const char *irq_vector_name(int vector);

/* Is an interrupt handler running (Linux's in_interrupt())? */
bool in_interrupt(void);
/* The vector whose handler runs now, innermost; -1 outside handlers. */
int irq_current_vector(void);
/* Handlers running now, nested (0 outside, 1 inside one). */
unsigned irq_depth(void);
/* Abandon the handlers above @depth (an exception longjmped out of them):
 * send the EOIs they owe, so later interrupts of their class arrive. */
void irq_unwind_to(unsigned depth);

/* Mask the 8259 PICs (after parking them at IRQ_PIC_VECTOR_BASE). */
void pic_disable(void);

struct trap_frame;
/* Called by trap_dispatch() for vectors >= 32. */
void irq_dispatch(struct trap_frame *f);

/* An MSI/MSI-X message: what the device writes, and where. */
struct msi_msg {
	uint32_t address_lo;   /* 0xFEExxxxx: destination APIC ID and mode */
	uint32_t address_hi;   /* 0 in xAPIC mode */
	uint32_t data;         /* vector, delivery mode, trigger */
};

/**
 * msi_compose - the message that delivers @vector to the CPU with
 * @dest_apic_id, fixed delivery, edge triggered, physical destination.
 * Return: 0, or -EINVAL for a vector outside 0x20-0xff (below 0x20 the trap
 * entry expects an exception's frame) or a destination above 255.
 */
int msi_compose(struct msi_msg *msg, unsigned vector, unsigned dest_apic_id);

#endif /* KERNEL_IRQ_H */
