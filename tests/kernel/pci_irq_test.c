/*
 * pci_irq_test.c - pci_alloc_irq_vectors(), request_irq() and INTx through
 * the I/O APIC, with real interrupts from QEMU's edu.
 *
 * The cases borrow edu from its driver (and give it back), so they can
 * allocate, free and reallocate its vectors. What runs where:
 *
 *   -device edu                       MSI and INTx: allocation, refusals that
 *                                     change nothing, delivery, free and
 *                                     realloc, a level storm masked, an
 *                                     unrouted line refused
 *   pci=nomsi                         edu's DMA completes through INTx
 *   -device nec-usb-xhci,msix=off     a multi-message MSI block (no delivery:
 *                                     nothing drives xHCI here)
 */
#include "dma/dma.h"
#include "drivers/edu.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi/acpi.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/ioapic.h"
#include "kernel/ktest.h"
#include "kernel/string.h"
#include "tests/kernel/pci_test.h"

#define EDU_IRQ_STATUS    0x24     /* edu registers (QEMU docs/specs/edu.txt) */
#define EDU_IRQ_RAISE     0x60
#define EDU_IRQ_ACK       0x64
#define CLASS_XHCI        0x0c0330 /* USB xHCI controller */
#define IRQ_TIMEOUT_US    500000
#define STORM_TIMEOUT_US  2000000
#define STORM_AT_LEAST    1000     /* kernel/interrupt.c masks a level line after this */
#define PATTERN           0x5b

/* What a test handler saw. */
struct irq_probe {
	volatile uint32_t *regs;       /* edu's BAR0 */
	bool claim;                    /* acknowledge and claim, or say IRQ_NONE */
	volatile uint64_t hits;
	volatile uint32_t status;
	volatile int irq;
};

static irqreturn_t probe_irq(int irq, void *dev_id)
{
	struct irq_probe *p = dev_id;
	uint32_t status = p->regs[EDU_IRQ_STATUS / 4];

	p->irq = irq;
	p->hits++;
	if (!p->claim || !status)
		return IRQ_NONE;
	p->regs[EDU_IRQ_ACK / 4] = status;       /* quiet the device before the EOI */
	p->status = status;
	return IRQ_HANDLED;
}

/* Take edu 0 from its driver: decoding, registers mapped, mastering on. */
static struct pci_dev *edu_borrow(struct irq_probe *p)
{
	struct edu *edu = edu_get(0);
	struct pci_dev *pdev;

	if (!edu)
		return NULL;
	pdev = edu->pdev;
	pci_release_driver(pdev);
	pci_enable_device(pdev);
	*p = (struct irq_probe){ .regs = pci_iomap(pdev, 0), .claim = true };
	pci_set_master(pdev);
	return p->regs ? pdev : NULL;
}

static void edu_give_back(struct pci_dev *pdev)
{
	pci_iounmap(pdev, 0);
	pci_clear_master(pdev);
	pci_attach_driver(pdev);
}

/* Raise @bits on the borrowed edu and wait for one more handler call. */
static int edu_raise_and_wait(struct irq_probe *p, uint32_t bits)
{
	uint64_t before = p->hits;

	p->regs[EDU_IRQ_RAISE / 4] = bits;
	return wait_count(&p->hits, before + 1, IRQ_TIMEOUT_US);
}

/* Everything a refused or undone allocation must leave as it was. */
struct irq_snapshot {
	uint16_t command, msi_ctrl;
	unsigned free;
	struct pci_irq_state irq;
};

static void snapshot(struct pci_dev *pdev, struct irq_snapshot *s)
{
	s->command = config_word(pdev, PCI_COMMAND);
	s->msi_ctrl = pdev->msi_cap ? config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS) : 0;
	s->free = free_vectors();
	s->irq = pdev->irq;
}

static void expect_unchanged(struct ktest *t, struct pci_dev *pdev, const struct irq_snapshot *was)
{
	struct irq_snapshot now;

	snapshot(pdev, &now);
	KT_EXPECT_EQ(t, now.command, was->command);
	KT_EXPECT_EQ(t, now.msi_ctrl, was->msi_ctrl);
	KT_EXPECT_EQ(t, now.free, was->free);
	KT_EXPECT_TRUE(t, memcmp(&now.irq, &was->irq, sizeof(now.irq)) == 0);
}

/* MSI on edu: more than the capability offers is refused and changes
 * nothing; what it offers is granted, delivered to our handler with its
 * context, freed, and granted again. */
static void edu_msi_alloc_free_realloc(struct ktest *t)
{
	struct irq_snapshot before;
	struct irq_probe p;
	struct pci_dev *pdev;
	int offered, n, v;

	if (!pci_msi_enabled())
		KT_SKIP(t, "pci=nomsi");
	if (!(pdev = edu_borrow(&p)))
		KT_SKIP(t, "no edu device bound to the edu driver");
	ktest_expect_error(t, "no free interrupt vector");   /* free_vectors() */
	ktest_expect_error(t, "cannot allocate");
	offered = pci_msi_vec_count(pdev);
	KT_EXPECT_EQ(t, offered, 1 << ((config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS) &
					PCI_MSI_FLAGS_QMASK) >> 1));
	snapshot(pdev, &before);
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(pdev, (unsigned)offered + 1, 32, PCI_IRQ_MSI |
					      PCI_IRQ_MSIX), -ENOSPC);
	expect_unchanged(t, pdev, &before);
	for (unsigned round = 0; round < 2; round++) {
		n = pci_alloc_irq_vectors(pdev, 1, 32, PCI_IRQ_ALL_TYPES);
		KT_EXPECT_EQ(t, n, offered);
		KT_EXPECT_EQ(t, pdev->irq.type, PCI_IRQ_MSI);
		v = pci_irq_vector(pdev, 0);
		KT_ASSERT_GE(t, v, IRQ_VECTOR_FIRST);
		KT_EXPECT_TRUE(t, config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE);
		KT_EXPECT_TRUE(t, config_word(pdev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
		KT_EXPECT_EQ(t, request_irq((unsigned)v, probe_irq, 0, "pci_irq", &p), 0);
		KT_EXPECT_EQ(t, edu_raise_and_wait(&p, 0x1), 0);
		KT_EXPECT_EQ(t, p.irq, v);
		KT_EXPECT_EQ(t, p.status, 0x1);
		free_irq((unsigned)v, &p);
		pci_free_irq_vectors(pdev);
		expect_unchanged(t, pdev, &before);
	}
	edu_give_back(pdev);
}

/* Where the line the firmware programmed should arrive, as the kernel
 * should route it. False if the firmware programmed none. */
static bool expected_intx_route(struct pci_dev *pdev, struct acpi_irq_route *r)
{
	uint8_t line;

	pci_read_config_byte(pdev, PCI_INTERRUPT_LINE, &line);
	if (line == 0 || line == 0xff)
		return false;
	*r = (struct acpi_irq_route){ .gsi = line, .level = true, .active_low = true };
	if (line < 16 && acpi_get_info()->madt_present)
		acpi_madt_isa_route(&acpi_get_info()->madt, line, true, r);
	return true;
}

/* @gsi's redirection entry, or 0 if it has none. */
static uint64_t rte_of(unsigned gsi)
{
	uint64_t rte = 0;

	ioapic_read_rte(gsi, &rte);
	return rte;
}

/* INTx on edu: two vectors are refused and change nothing; one is the
 * I/O APIC line the firmware's route reaches, programmed with the MADT's
 * trigger and polarity, masked until a handler is requested, delivered
 * (level: the handler quiets edu before the EOI), freed, granted again. */
static void edu_intx_alloc_free_realloc(struct ktest *t)
{
	struct irq_snapshot before;
	struct acpi_irq_route r;
	struct irq_probe p;
	struct pci_dev *pdev;
	uint64_t rte;
	int v;

	if (!(pdev = edu_borrow(&p)))
		KT_SKIP(t, "no edu device bound to the edu driver");
	if (!expected_intx_route(pdev, &r)) {
		edu_give_back(pdev);
		KT_SKIP(t, "the firmware routed no INTx line for edu");
	}
	ktest_expect_error(t, "no free interrupt vector");
	ktest_expect_error(t, "cannot allocate");
	snapshot(pdev, &before);
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(pdev, 2, 2, PCI_IRQ_INTX), -ENOSPC);
	expect_unchanged(t, pdev, &before);
	for (unsigned round = 0; round < 2; round++) {
		KT_EXPECT_EQ(t, pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_INTX), 1);
		KT_EXPECT_EQ(t, pdev->irq.type, PCI_IRQ_INTX);
		v = pci_irq_vector(pdev, 0);
		KT_ASSERT_GE(t, v, IRQ_VECTOR_FIRST);
		KT_EXPECT_EQ(t, pci_irq_vector(pdev, 1), -EINVAL);
		KT_EXPECT_FALSE(t, config_word(pdev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
		rte = rte_of(r.gsi);
		KT_EXPECT_UEQ(t, rte & IOAPIC_RTE_VECTOR, (unsigned)v);
		KT_EXPECT_EQ(t, !!(rte & IOAPIC_RTE_LEVEL), r.level);
		KT_EXPECT_EQ(t, !!(rte & IOAPIC_RTE_ACTIVE_LOW), r.active_low);
		KT_EXPECT_TRUE(t, rte & IOAPIC_RTE_MASKED);
		KT_EXPECT_EQ(t, request_irq((unsigned)v, probe_irq, IRQF_SHARED, "pci_irq", &p), 0);
		KT_EXPECT_FALSE(t, rte_of(r.gsi) & IOAPIC_RTE_MASKED);
		KT_EXPECT_EQ(t, edu_raise_and_wait(&p, 0x2), 0);
		KT_EXPECT_EQ(t, p.irq, v);
		KT_EXPECT_EQ(t, p.status, 0x2);
		KT_EXPECT_FALSE(t, rte_of(r.gsi) & IOAPIC_RTE_REMOTE_IRR);   /* the EOI reached it */
		free_irq((unsigned)v, &p);
		KT_EXPECT_TRUE(t, rte_of(r.gsi) & IOAPIC_RTE_MASKED);
		pci_free_irq_vectors(pdev);
		expect_unchanged(t, pdev, &before);
	}
	edu_give_back(pdev);
}

/* A level line that no handler quiets would interrupt forever: after a
 * run of unclaimed interrupts it is masked and reported, and the kernel
 * goes on. */
static void intx_storm_masked(struct ktest *t)
{
	struct acpi_irq_route r;
	struct irq_probe p;
	struct pci_dev *pdev;
	int v;

	if (!(pdev = edu_borrow(&p)))
		KT_SKIP(t, "no edu device bound to the edu driver");
	if (!expected_intx_route(pdev, &r) || !r.level) {
		edu_give_back(pdev);
		KT_SKIP(t, "edu's INTx is not routed to a level-triggered line");
	}
	KT_ASSERT_EQ(t, pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_INTX), 1);
	v = pci_irq_vector(pdev, 0);
	p.claim = false;
	KT_EXPECT_EQ(t, request_irq((unsigned)v, probe_irq, IRQF_SHARED, "pci_irq", &p), 0);
	ktest_expect_error(t, "that no handler claimed; masked");
	p.regs[EDU_IRQ_RAISE / 4] = 0x4;                  /* stays asserted: nobody acks */
	KT_EXPECT_EQ(t, wait_count(&p.hits, STORM_AT_LEAST, STORM_TIMEOUT_US), 0);
	KT_EXPECT_TRUE(t, rte_of(r.gsi) & IOAPIC_RTE_MASKED);
	KT_EXPECT_UGE(t, irq_unhandled_count((unsigned)v), STORM_AT_LEAST);
	p.regs[EDU_IRQ_ACK / 4] = 0x4;
	free_irq((unsigned)v, &p);
	pci_free_irq_vectors(pdev);
	edu_give_back(pdev);
}

/* A line the firmware left at 0xff has no route we can know: refused,
 * naming the device, nothing changed. */
static void intx_unrouted_line_refused(struct ktest *t)
{
	static char out[512];
	struct irq_snapshot before;
	struct irq_probe p;
	struct pci_dev *pdev;
	uint8_t line;

	if (!(pdev = edu_borrow(&p)))
		KT_SKIP(t, "no edu device bound to the edu driver");
	pci_read_config_byte(pdev, PCI_INTERRUPT_LINE, &line);
	pci_write_config_byte(pdev, PCI_INTERRUPT_LINE, 0xff);
	ktest_expect_error(t, "no free interrupt vector");
	ktest_expect_error(t, "not routed by the firmware");
	snapshot(pdev, &before);
	console_capture_start(out, sizeof(out));
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_INTX), -ENODEV);
	console_capture_stop();
	expect_unchanged(t, pdev, &before);
	KT_EXPECT_SUBSTR(t, out, pdev->dev.name);
	KT_EXPECT_SUBSTR(t, out, "INTA# line 0xff");
	pci_write_config_byte(pdev, PCI_INTERRUPT_LINE, line);
	edu_give_back(pdev);
}

/* Check a granted MSI block of @n vectors: MME, alignment, consecutive vectors. */
static void expect_msi_block(struct ktest *t, struct pci_dev *pdev, unsigned n, unsigned block)
{
	uint16_t ctrl = config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS);
	int base = pci_irq_vector(pdev, 0);

	KT_EXPECT_EQ(t, (ctrl & PCI_MSI_FLAGS_QSIZE) >> 4, __builtin_ctz(block));
	KT_EXPECT_TRUE(t, ctrl & PCI_MSI_FLAGS_ENABLE);
	KT_EXPECT_EQ(t, base % (int)block, 0);
	for (unsigned i = 0; i < n; i++)
		KT_EXPECT_EQ(t, pci_irq_vector(pdev, i), base + (int)i);
	KT_EXPECT_EQ(t, pci_irq_vector(pdev, n), -EINVAL);
}

/* A driverless xHCI controller with MSI and no MSI-X, or NULL. */
static struct pci_dev *xhci_with_msi(void)
{
	struct pci_dev *pdev;

	pci_for_each_dev(pdev)
		if (pdev->class == CLASS_XHCI && pdev->msi_cap && !pdev->msix_cap && !pdev->driver)
			return pdev;
	return NULL;
}

/* Multi-message MSI (nec-usb-xhci with msix=off offers 16): an aligned
 * block of the next power of two, MME set to match, refused above the offer. */
static void msi_multi_message_block(struct ktest *t)
{
	struct pci_dev *x = xhci_with_msi();
	struct irq_snapshot before;
	int offered;

	if (!x)
		KT_SKIP(t, "no driverless xHCI with MSI only (-device nec-usb-xhci,msix=off)");
	offered = pci_msi_vec_count(x);
	if (offered < 4)
		KT_SKIP(t, "its MSI offers %d vectors, fewer than 4", offered);
	ktest_expect_error(t, "no free interrupt vector");
	ktest_expect_error(t, "cannot allocate");
	snapshot(x, &before);
	KT_EXPECT_EQ(t, pci_alloc_irq_vectors(x, (unsigned)offered + 1, 64, PCI_IRQ_MSI), -ENOSPC);
	expect_unchanged(t, x, &before);
	KT_ASSERT_EQ(t, pci_alloc_irq_vectors(x, 3, 3, PCI_IRQ_MSI), 3);
	expect_msi_block(t, x, 3, 4);
	KT_EXPECT_EQ(t, free_vectors(), before.free - 4);   /* the whole block is the device's */
	pci_free_irq_vectors(x);
	expect_unchanged(t, x, &before);
	KT_ASSERT_EQ(t, pci_alloc_irq_vectors(x, 1, 64, PCI_IRQ_MSI), offered);
	expect_msi_block(t, x, (unsigned)offered, (unsigned)offered);
	pci_free_irq_vectors(x);
	expect_unchanged(t, x, &before);
}

/* edu's DMA, completed by its interrupt (MSI, or INTx under pci=nomsi),
 * moves the data there and back. */
static void edu_dma_by_interrupt_moves_data(struct ktest *t)
{
	struct edu *edu = edu_get(0);
	uint64_t irqs;
	dma_addr_t ha, hb;
	uint8_t *a, *b;

	if (!edu)
		KT_SKIP(t, "no edu device bound to the edu driver");
	if (!pci_msi_enabled())
		KT_EXPECT_EQ(t, edu->irq_type, PCI_IRQ_INTX);
	ktest_printf("    # %s: edu interrupts by %s on vector %#x\n", t->name,
		     edu->irq_type == PCI_IRQ_MSI ? "MSI" : "INTx", edu->vector);
	a = dma_alloc_coherent(edu_dev(edu), EDU_BUFFER_SIZE, &ha, GFP_KERNEL);
	b = dma_alloc_coherent(edu_dev(edu), EDU_BUFFER_SIZE, &hb, GFP_KERNEL);
	KT_ASSERT_TRUE(t, a && b);
	for (unsigned i = 0; i < EDU_DMA_MAX_END; i++)
		a[i] = (uint8_t)(PATTERN + i * 13);
	irqs = irq_count((unsigned)edu->vector);
	KT_EXPECT_EQ(t, edu_dma(edu, ha, 0, EDU_DMA_MAX_END, DMA_TO_DEVICE, true), 0);
	KT_EXPECT_EQ(t, edu_dma(edu, hb, 0, EDU_DMA_MAX_END, DMA_FROM_DEVICE, true), 0);
	KT_EXPECT_MEMEQ(t, a, b, EDU_DMA_MAX_END);
	KT_EXPECT_UGE(t, irq_count((unsigned)edu->vector), irqs + 2);
	dma_free_coherent(edu_dev(edu), EDU_BUFFER_SIZE, a, ha);
	dma_free_coherent(edu_dev(edu), EDU_BUFFER_SIZE, b, hb);
}

KTEST_SUITE(pci_irq,
	    KTEST_CASE(edu_msi_alloc_free_realloc),
	    KTEST_CASE(edu_intx_alloc_free_realloc),
	    KTEST_CASE(intx_storm_masked),
	    KTEST_CASE(intx_unrouted_line_refused),
	    KTEST_CASE(msi_multi_message_block),
	    KTEST_CASE(edu_dma_by_interrupt_moves_data));
