/*
 * irq.c - the vector table for device interrupts, and the 8259 PIC's exit.
 *
 * A vector is either free (handler NULL) or owned by one handler. The
 * dispatcher runs it and sends the LAPIC EOI afterwards; interrupts stay
 * off while a handler runs (interrupt gates clear IF), so handlers never
 * nest.
 */
#define LOG_PREFIX "irq"
#include <stddef.h>
#include "kernel/irq.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/traps.h"
#include "kernel/x86.h"

/* 8259A ports and initialization words (Intel 8259A datasheet). */
#define PIC1_CMD     0x20
#define PIC1_DATA    0x21
#define PIC2_CMD     0xa0
#define PIC2_DATA    0xa1
#define PIC_ICW1     0x11   /* edge triggered, cascade, ICW4 follows */
#define PIC_ICW4     0x01   /* 8086 mode */
#define PIC_CASCADE_IRQ 2   /* slave on master's IRQ2 */
#define PIC_MASK_ALL 0xff

struct irq_vector {
	irq_handler_t fn;       /* NULL: vector free */
	void *ctx;
	const char *name;
	uint64_t count;         /* interrupts handled */
};

static struct irq_vector irq_table[256];
static uint64_t irq_spurious;   /* LAPIC spurious and stray PIC interrupts */
static DEFINE_SPINLOCK(irq_table_lock);   /* irq_table ownership changes */

int irq_alloc_vector(irq_handler_t fn, void *ctx, const char *name)
{
	unsigned long flags;

	if (!fn)
		return -EINVAL;
	spin_lock_irqsave(&irq_table_lock, flags);
	for (unsigned v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++) {
		if (irq_table[v].fn)
			continue;
		irq_table[v] = (struct irq_vector){ fn, ctx, name, 0 };
		spin_unlock_irqrestore(&irq_table_lock, flags);
		return (int)v;
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	pr_err("no free interrupt vector for %s", name ? name : "(unnamed)");
	return -ENOSPC;
}

void irq_free_vector(unsigned vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST || !irq_table[vector].fn) {
		pr_err("irq_free_vector(%u): not an allocated vector; ignored", vector);
		return;
	}
	irq_table[vector].fn = NULL;
}

uint64_t irq_count(unsigned vector)
{
	return vector < 256 ? irq_table[vector].count : 0;
}

void pic_disable(void)
{
	/* Re-initialise both chips so their vectors cannot collide with CPU
	 * exceptions, then mask every line: the LAPIC takes over. */
	outb(PIC1_CMD, PIC_ICW1);
	outb(PIC2_CMD, PIC_ICW1);
	outb(PIC1_DATA, IRQ_PIC_VECTOR_BASE);
	outb(PIC2_DATA, IRQ_PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);
	outb(PIC2_DATA, PIC_CASCADE_IRQ);
	outb(PIC1_DATA, PIC_ICW4);
	outb(PIC2_DATA, PIC_ICW4);
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
}

void irq_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	struct irq_vector *iv = &irq_table[v];

	/* Spurious interrupts must not be acknowledged (SDM 12.9). */
	if (v == IRQ_VECTOR_SPURIOUS ||
	    (v >= IRQ_PIC_VECTOR_BASE && v < IRQ_PIC_VECTOR_BASE + IRQ_PIC_VECTORS)) {
		irq_spurious++;
		return;
	}
	if (iv->fn) {
		iv->count++;
		iv->fn(v, iv->ctx);
	} else {
		pr_warn("interrupt on unallocated vector %u, ignored", v);
	}
	lapic_eoi();
}

/* ---- aligned blocks, for multi-message MSI (added by the irq-pci branch) ---- */

int irq_alloc_vector_block(unsigned count, irq_handler_t fn, void *const ctx[],
			   const char *name)
{
	unsigned long flags;
	unsigned base, i;

	if (!fn || !count || (count & (count - 1)))
		return -EINVAL;
	spin_lock_irqsave(&irq_table_lock, flags);
	for (base = (IRQ_VECTOR_FIRST + count - 1) & ~(count - 1);
	     base + count - 1 <= IRQ_VECTOR_LAST; base += count) {
		for (i = 0; i < count && !irq_table[base + i].fn; i++)
			;
		if (i < count)
			continue;
		for (i = 0; i < count; i++)
			irq_table[base + i] = (struct irq_vector){ fn, ctx[i], name, 0 };
		spin_unlock_irqrestore(&irq_table_lock, flags);
		return (int)base;
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	pr_err("no %u aligned free interrupt vectors for %s", count, name ? name : "(unnamed)");
	return -ENOSPC;
}
