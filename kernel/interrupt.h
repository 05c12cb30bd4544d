/*
 * interrupt.h - handlers with a context pointer on the vectors a bus hands
 * out: request_irq() and free_irq(), with Linux's names and meanings.
 *
 * An "irq" here is the CPU vector the interrupt arrives on: what
 * pci_irq_vector() and ioapic_isa_irq() return. The bus that allocated it
 * (MSI, MSI-X, the I/O APIC) keeps its source masked until the first
 * handler is requested, and masks it again when the last is freed.
 *
 *   int irq = pci_irq_vector(pdev, 0);
 *   err = request_irq(irq, edu_irq, IRQF_SHARED, "edu", edu);
 *   ...
 *   free_irq(irq, edu);
 *
 * A handler runs with interrupts off and returns IRQ_HANDLED if its device
 * asked for the interrupt, IRQ_NONE if not (a shared INTx line calls every
 * handler on it). A level-triggered source must be quieted by the handler
 * before it returns: the dispatcher's EOI lets the line fire again.
 */
#ifndef KERNEL_INTERRUPT_H
#define KERNEL_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum irqreturn {
	IRQ_NONE = 0,          /* not my device's interrupt */
	IRQ_HANDLED = 1,       /* my device asked, and is quiet now */
} irqreturn_t;

/* What request_irq() takes (Linux calls this type irq_handler_t). */
typedef irqreturn_t (*irq_action_fn)(int irq, void *dev_id);

#define IRQF_SHARED  0x0080    /* the line may carry other devices' handlers */

/**
 * request_irq - run @handler with @dev_id for every interrupt on @irq.
 * @irq: a vector a bus allocated (pci_irq_vector(), ioapic_isa_irq())
 * @flags: IRQF_SHARED if other handlers may share the line (each must say so)
 * @name: for the log ("edu", "uart")
 * @dev_id: passed to @handler; identifies the handler to free_irq()
 * The first handler unmasks the source.
 * Return: 0; -EINVAL (no bus owns @irq, or no handler), -EBUSY (taken, and
 * not both shared), -ENOMEM.
 */
int request_irq(unsigned irq, irq_action_fn handler, unsigned long flags,
		const char *name, void *dev_id);

/* Remove the handler @dev_id had on @irq; the last one out masks the source. */
void free_irq(unsigned irq, void *dev_id);

/* Interrupts on @irq that no handler claimed (IRQ_NONE from all of them). */
uint64_t irq_unhandled_count(unsigned irq);

/* ---- for buses: the descriptor of one allocated vector ---- */

struct irq_desc;

/* How a bus masks the source of one vector (Linux: struct irq_chip). */
struct irq_chip {
	const char *name;                        /* "IO-APIC", "PCI-MSI", "PCI-MSI-X" */
	void (*irq_mask)(struct irq_desc *desc);
	void (*irq_unmask)(struct irq_desc *desc);
};

struct irq_action {
	irq_action_fn handler;
	void *dev_id;
	const char *name;
	unsigned long flags;
	struct irq_action *next;
};

struct irq_desc {
	unsigned vector;                 /* the irq number */
	const struct irq_chip *chip;
	void *chip_data;                 /* the bus's: a pci_dev, an I/O APIC */
	unsigned hwirq;                  /* the bus's index: MSI-X entry, MSI vector, GSI */
	bool level;                      /* level-triggered: a storm is possible */
	struct irq_action *action;       /* requested handlers, NULL if none */
	uint64_t unhandled;              /* interrupts no handler claimed */
	unsigned unhandled_run;          /* ... in a row, on a level line */
	bool disabled;                   /* masked for good after a storm */
};

/**
 * irq_desc_alloc - a vector and its descriptor for one source of a bus.
 * The bus keeps the source masked until request_irq() unmasks it.
 * Return: the descriptor, or NULL (no vector: logged; no memory).
 */
struct irq_desc *irq_desc_alloc(const struct irq_chip *chip, void *chip_data,
				unsigned hwirq, const char *name);

/**
 * irq_desc_alloc_block - @count (a power of two) consecutive vectors, the
 * first a multiple of @count, for multi-message MSI; hwirq 0..count-1.
 * Return: 0 and @out filled, or -ENOSPC, -ENOMEM, -EINVAL.
 */
int irq_desc_alloc_block(const struct irq_chip *chip, void *chip_data, unsigned count,
			 const char *name, struct irq_desc **out);

/* Give the vector back. Handlers still requested are dropped, with a warning. */
void irq_desc_free(struct irq_desc *desc);

/* The descriptor of @irq, or NULL if no bus allocated it. */
struct irq_desc *irq_to_desc(unsigned irq);

#endif /* KERNEL_INTERRUPT_H */
