/*
 * irq.c - the vector table for device interrupts, and the 8259 PIC's exit.
 *
 * A vector is free, owned by one handler, or quarantined: freed while the
 * LAPIC may still hold an interrupt for it, and handed out again only once
 * its IRR and ISR bits are clear. The dispatcher runs the owner and sends
 * the LAPIC EOI afterwards; interrupts stay off while a handler runs
 * (interrupt gates clear IF), so handlers never nest. The running handler
 * is recorded, so an exception inside one is reported as such and the
 * fault catcher can repair the interrupt state (irq_unwind_to).
 */
#define LOG_PREFIX "irq"
#include <stddef.h>
#include "kernel/irq.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/panic.h"
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
	const char *name;       /* kept after free, for reports */
	uint64_t count;         /* interrupts the LAPIC delivered */
	bool quarantined;       /* freed; not reusable while the LAPIC holds it */
};

static struct irq_vector irq_table[256];
static uint64_t irq_spurious;   /* LAPIC spurious and stray PIC interrupts */
static DEFINE_SPINLOCK(irq_table_lock);   /* irq_table ownership changes */

/* The handlers running now, innermost last (interrupt gates keep them from
 * nesting, so depth is 0 or 1 unless a handler turns interrupts on). */
#define IRQ_NEST_MAX 4
static struct {
	unsigned depth;
	uint8_t vector[IRQ_NEST_MAX];
} irq_ctx;

/* A freed vector may be handed out again once no interrupt for it is
 * pending or in service at the LAPIC: one still there would reach the next
 * owner. Table lock held. */
static bool irq_vector_reusable(unsigned v)
{
	struct irq_vector *iv = &irq_table[v];

	if (iv->fn)
		return false;
	if (iv->quarantined && lapic_vector_busy(v))
		return false;
	iv->quarantined = false;
	return true;
}

int irq_alloc_vector(irq_handler_t fn, void *ctx, const char *name)
{
	unsigned long flags;

	if (!fn)
		return -EINVAL;
	spin_lock_irqsave(&irq_table_lock, flags);
	for (unsigned v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++) {
		if (!irq_vector_reusable(v))
			continue;
		irq_table[v] = (struct irq_vector){ .fn = fn, .ctx = ctx, .name = name };
		spin_unlock_irqrestore(&irq_table_lock, flags);
		return (int)v;
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	pr_err("no free interrupt vector for %s", name ? name : "(unnamed)");
	return -ENOSPC;
}

void irq_free_vector(unsigned vector)
{
	unsigned long flags;

	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST || !irq_table[vector].fn) {
		pr_err("irq_free_vector(%u): not an allocated vector; ignored", vector);
		return;
	}
	spin_lock_irqsave(&irq_table_lock, flags);
	irq_table[vector].fn = NULL;
	irq_table[vector].quarantined = true;
	spin_unlock_irqrestore(&irq_table_lock, flags);
}

uint64_t irq_count(unsigned vector)
{
	return vector < 256 ? irq_table[vector].count : 0;
}

uint64_t irq_spurious_count(void) { return irq_spurious; }

const char *irq_vector_name(int vector)
{
	if (vector < 0 || vector > 255)
		return "none";
	if (vector == IRQ_VECTOR_SPURIOUS)
		return "spurious";
	return irq_table[vector].name ? irq_table[vector].name : "unallocated";
}

bool in_interrupt(void) { return irq_ctx.depth > 0; }

int irq_current_vector(void)
{
	return irq_ctx.depth ? irq_ctx.vector[irq_ctx.depth - 1] : -1;
}

unsigned irq_depth(void) { return irq_ctx.depth; }

void irq_unwind_to(unsigned depth)
{
	/* Every abandoned handler was LAPIC-delivered (irq_dispatch only
	 * enters one then) and still owes its EOI: innermost first. */
	while (irq_ctx.depth > depth) {
		irq_ctx.depth--;
		lapic_eoi();
	}
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

/* Interrupts that must not be acknowledged (SDM 12.9): the LAPIC's spurious
 * vector, and in the PICs' range whatever the LAPIC is not servicing (a
 * masked 8259's spurious IRQ7/15 arrives without the LAPIC's ISR bit). */
static bool irq_is_spurious(unsigned v)
{
	if (v == IRQ_VECTOR_SPURIOUS)
		return true;
	return v >= IRQ_PIC_VECTOR_BASE && v < IRQ_PIC_VECTOR_BASE + IRQ_PIC_VECTORS &&
	       !lapic_vector_in_service(v);
}

/* Count @v and run its handler; a vector nobody owns is reported. */
static void irq_run_handler(unsigned v)
{
	struct irq_vector *iv = &irq_table[v];

	iv->count++;
	if (iv->fn) {
		iv->fn(v, iv->ctx);
	} else if (iv->quarantined) {
		pr_warn("interrupt on vector %u after %s freed it; dropped", v, iv->name);
	} else {
		pr_warn("interrupt on unallocated vector %u, ignored", v);
	}
}

void irq_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (irq_is_spurious(v)) {
		irq_spurious++;
		return;
	}
	if (irq_ctx.depth == IRQ_NEST_MAX)
		panic("interrupt on vector %u nested %u deep: a handler turned interrupts on",
		      v, irq_ctx.depth);
	irq_ctx.vector[irq_ctx.depth++] = (uint8_t)v;
	irq_run_handler(v);
	irq_ctx.depth--;
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
		for (i = 0; i < count && irq_vector_reusable(base + i); i++)
			;
		if (i < count)
			continue;
		for (i = 0; i < count; i++)
			irq_table[base + i] = (struct irq_vector){ .fn = fn, .ctx = ctx[i], .name = name };
		spin_unlock_irqrestore(&irq_table_lock, flags);
		return (int)base;
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	pr_err("no %u aligned free interrupt vectors for %s", count, name ? name : "(unnamed)");
	return -ENOSPC;
}
