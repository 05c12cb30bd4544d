/*
 * interrupt.c - request_irq()/free_irq() over the vectors buses allocate.
 *
 * Data structure: irq_descs[v] points to the descriptor of vector v while
 * a bus (MSI, MSI-X, the I/O APIC) owns it, else NULL. Each descriptor
 * holds a singly linked list of requested handlers (more than one only on
 * a shared line) and the bus's mask/unmask operations.
 *
 * Invariants: a descriptor's source is unmasked exactly while its list is
 * non-empty (and no storm disabled it); the list is changed only with
 * interrupts off, and walked only by the dispatcher (interrupts off), so
 * on one CPU nobody sees it half-changed.
 */
#define LOG_PREFIX "irq"
#include "kernel/interrupt.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/spinlock.h"

/* A level line that fires this often in a row with nobody claiming it is
 * stuck asserted: mask it rather than loop in the handler forever. */
#define IRQ_STORM_RUN  1000

#define IRQ_NR_VECTORS 256

static struct irq_desc *irq_descs[IRQ_NR_VECTORS];

struct irq_desc *irq_to_desc(unsigned irq)
{
	return irq < IRQ_NR_VECTORS ? irq_descs[irq] : NULL;
}

uint64_t irq_unhandled_count(unsigned irq)
{
	struct irq_desc *desc = irq_to_desc(irq);

	return desc ? desc->unhandled : 0;
}

/* A level line nobody quiets: mask it for good and say which. */
static void irq_desc_storm(struct irq_desc *desc)
{
	desc->disabled = true;
	desc->chip->irq_mask(desc);
	pr_err("irq %#x (%s %u): %u interrupts in a row that no handler claimed; "
	       "masked", desc->vector, desc->chip->name, desc->hwirq, IRQ_STORM_RUN);
}

/* The vector's handler (kernel/irq.c calls it): every action in turn. */
static void irq_desc_handle(unsigned vector, void *ctx)
{
	struct irq_desc *desc = ctx;
	unsigned ret = IRQ_NONE;

	for (struct irq_action *a = desc->action; a; a = a->next)
		ret |= a->handler((int)vector, a->dev_id);
	if (ret != IRQ_NONE) {
		desc->unhandled_run = 0;
		return;
	}
	desc->unhandled++;
	if (desc->level && ++desc->unhandled_run >= IRQ_STORM_RUN)
		irq_desc_storm(desc);
}

/* A zeroed descriptor for @chip, not yet on a vector. */
static struct irq_desc *irq_desc_new(const struct irq_chip *chip, void *chip_data,
				     unsigned hwirq)
{
	struct irq_desc *desc = kzalloc(sizeof(*desc), GFP_KERNEL);

	if (!desc)
		return NULL;
	desc->chip = chip;
	desc->chip_data = chip_data;
	desc->hwirq = hwirq;
	return desc;
}

struct irq_desc *irq_desc_alloc(const struct irq_chip *chip, void *chip_data,
				unsigned hwirq, const char *name)
{
	struct irq_desc *desc = irq_desc_new(chip, chip_data, hwirq);
	int v;

	if (!desc)
		return NULL;
	v = irq_alloc_vector(irq_desc_handle, desc, name);
	if (v < 0) {
		kfree(desc);
		return NULL;
	}
	desc->vector = (unsigned)v;
	irq_descs[v] = desc;
	return desc;
}

int irq_desc_alloc_block(const struct irq_chip *chip, void *chip_data, unsigned count,
			 const char *name, struct irq_desc **out)
{
	unsigned i;
	int base, err = -ENOMEM;

	if (!count || count > 32 || (count & (count - 1)))
		return -EINVAL;
	for (i = 0; i < count; i++)
		if (!(out[i] = irq_desc_new(chip, chip_data, i)))
			goto fail;
	base = irq_alloc_vector_block(count, irq_desc_handle, (void *const *)out, name);
	if (base < 0) {
		err = base;
		goto fail;
	}
	for (i = 0; i < count; i++) {
		out[i]->vector = (unsigned)base + i;
		irq_descs[base + i] = out[i];
	}
	return 0;

fail:
	while (i-- > 0)
		kfree(out[i]);
	return err;
}

void irq_desc_free(struct irq_desc *desc)
{
	struct irq_action *a, *next;

	if (!desc)
		return;
	for (a = desc->action; a; a = next) {
		next = a->next;
		pr_warn("irq %#x: handler \"%s\" still requested when its vector was "
			"freed; dropped", desc->vector, a->name ? a->name : "?");
		kfree(a);
	}
	desc->action = NULL;
	desc->chip->irq_mask(desc);
	irq_descs[desc->vector] = NULL;
	irq_free_vector(desc->vector);
	kfree(desc);
}

/* May @flags join the handlers already on @desc? */
static bool irq_can_share(const struct irq_desc *desc, unsigned long flags)
{
	if (!desc->action)
		return true;
	return (flags & IRQF_SHARED) && (desc->action->flags & IRQF_SHARED);
}

int request_irq(unsigned irq, irq_action_fn handler, unsigned long flags,
		const char *name, void *dev_id)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action *a, **tail;
	unsigned long irqflags;

	if (!desc || !handler) {
		pr_err("request_irq(%#x, \"%s\"): %s", irq, name ? name : "?",
		       desc ? "no handler" : "no bus allocated this vector");
		return -EINVAL;
	}
	if (!irq_can_share(desc, flags))
		return -EBUSY;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	*a = (struct irq_action){ handler, dev_id, name, flags, NULL };
	local_irq_save(irqflags);
	for (tail = &desc->action; *tail; tail = &(*tail)->next)
		;
	*tail = a;
	if (tail == &desc->action && !desc->disabled)
		desc->chip->irq_unmask(desc);
	local_irq_restore(irqflags);
	return 0;
}

void free_irq(unsigned irq, void *dev_id)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct irq_action *a = NULL, **pp;
	unsigned long irqflags;

	local_irq_save(irqflags);
	for (pp = desc ? &desc->action : NULL; pp && *pp; pp = &(*pp)->next) {
		if ((*pp)->dev_id != dev_id)
			continue;
		a = *pp;
		*pp = a->next;
		if (!desc->action)
			desc->chip->irq_mask(desc);
		break;
	}
	local_irq_restore(irqflags);
	if (!a)
		pr_err("free_irq(%#x): no handler with that dev_id is requested", irq);
	kfree(a);
}
