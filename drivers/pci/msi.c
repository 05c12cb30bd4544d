/*
 * msi.c - message signalled interrupts: MSI (PCI Local Bus 3.0, 6.8.1)
 * and MSI-X (PCI Express Base 4.0, 7.7.2), the two upper rungs of
 * pci_alloc_irq_vectors() (drivers/pci/irq.c).
 *
 * Instead of a wire, the device interrupts by writing a message (a 32-bit
 * data value) to an address: on x86 the address selects a local APIC
 * (0xfee00000 | APIC ID << 12) and the data the vector (Intel SDM Vol. 3A,
 * 12.11; kernel/msi.c composes both). The write is an ordinary memory
 * write from the device, so it needs bus mastering.
 *
 *   MSI    up to 32 vectors in one message, written into the capability
 *          itself: address (32 or 64 bits), data, optional per-vector mask
 *          bits. With 2^n vectors granted (Multiple Message Enable) the
 *          device changes the low n bits of the data, so the vectors are a
 *          naturally aligned block (irq_desc_alloc_block()).
 *   MSI-X  a table of up to 2048 entries in one of the device's memory
 *          BARs, 16 bytes each: address, data and a per-entry mask bit,
 *          plus a pending bit array (PBA) where masked messages wait. The
 *          capability says which BAR (BIR) and where in it.
 *
 * Every vector stays masked (where the device can mask) until request_irq()
 * unmasks it. While either is on, INTx is disabled in COMMAND. QEMU: edu
 * has MSI with one vector and no mask bits (`-device edu`), NVMe MSI-X with
 * 65 entries by default (`-device nvme,msix_qsize=N`), qemu-xhci with
 * msix=off MSI with 16.
 */
#include "drivers/pci/internal.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/paging.h"

#define PCI_MSIX_WORDS   (PCI_MSIX_ENTRY_SIZE / 4)   /* 32-bit words per table entry */
#define PCI_MSI_MAX_VECS 32

/* Compose the message that delivers @vector to this CPU. */
static int pci_msi_message(struct pci_dev *pdev, unsigned vector, struct msi_msg *msg)
{
	int err;

	if (!lapic_ready()) {
		dev_err(&pdev->dev, "no local APIC to deliver message interrupts to");
		return -ENODEV;
	}
	err = msi_compose(msg, vector, lapic_id());
	if (err)
		dev_err(&pdev->dev, "cannot compose an MSI message for vector %u", vector);
	return err;
}

/* Free the first @n descriptors of pdev->irq.descs and the array. */
static void pci_irq_free_descs(struct pci_dev *pdev, unsigned n)
{
	while (n-- > 0)
		irq_desc_free(pdev->irq.descs[n]);
	kfree(pdev->irq.descs);
	pdev->irq.descs = NULL;
	pdev->irq.ndescs = 0;
}

/* ---- MSI ---- */

/* Offset of the mask bits register, given the message control word. */
static unsigned pci_msi_mask_reg(const struct pci_dev *pdev, uint16_t ctrl)
{
	return pdev->msi_cap + (ctrl & PCI_MSI_FLAGS_64BIT ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

/* Set or clear the mask bits in @bits, where the device has them. */
static void pci_msi_update_mask(struct pci_dev *pdev, uint32_t bits, bool masked)
{
	uint16_t ctrl;
	uint32_t mask;

	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
	if (!(ctrl & PCI_MSI_FLAGS_MASKBIT))
		return;                  /* no masking: the vector simply stays on */
	pci_read_config_dword(pdev, pci_msi_mask_reg(pdev, ctrl), &mask);
	mask = masked ? mask | bits : mask & ~bits;
	pci_write_config_dword(pdev, pci_msi_mask_reg(pdev, ctrl), mask);
}

static const struct irq_chip pci_msi_chip, pci_msix_chip;

/* One mask operation for both chips: a descriptor's chip says whether its
 * mask bit is in the MSI capability or in its MSI-X table entry. */
static void pci_msi_desc_mask(struct irq_desc *desc, bool masked)
{
	if (desc->chip == &pci_msix_chip)
		pci_msix_mask(desc->chip_data, desc->hwirq, masked);
	else
		pci_msi_update_mask(desc->chip_data, 1u << desc->hwirq, masked);
}

static void pci_msi_irq_mask(struct irq_desc *desc) { pci_msi_desc_mask(desc, true); }
static void pci_msi_irq_unmask(struct irq_desc *desc) { pci_msi_desc_mask(desc, false); }

static const struct irq_chip pci_msi_chip = {
	.name = "PCI-MSI",
	.irq_mask = pci_msi_irq_mask,
	.irq_unmask = pci_msi_irq_unmask,
};

static const struct irq_chip pci_msix_chip = {
	.name = "PCI-MSI-X",
	.irq_mask = pci_msi_irq_mask,
	.irq_unmask = pci_msi_irq_unmask,
};

/* Message Control of the capability at @cap, or -EINVAL if there is none:
 * both vector counts are read from it. */
static int pci_msi_cap_ctrl(const struct pci_dev *pdev, unsigned cap, unsigned reg)
{
	uint16_t ctrl;

	if (!cap)
		return -EINVAL;
	pci_read_config_word(pdev, cap + reg, &ctrl);
	return ctrl;
}

int pci_msi_vec_count(const struct pci_dev *pdev)
{
	int ctrl = pci_msi_cap_ctrl(pdev, pdev->msi_cap, PCI_MSI_FLAGS);

	return ctrl < 0 ? ctrl : 1 << ((ctrl & PCI_MSI_FLAGS_QMASK) >> 1);
}

/* Write @msg into the capability, every vector masked, @block granted, on. */
static void pci_msi_program(struct pci_dev *pdev, const struct msi_msg *msg, unsigned block)
{
	unsigned cap = pdev->msi_cap;
	uint16_t ctrl;
	bool is64;

	pci_read_config_word(pdev, cap + PCI_MSI_FLAGS, &ctrl);
	is64 = ctrl & PCI_MSI_FLAGS_64BIT;
	pci_msi_update_mask(pdev, 0xffffffffu, true);
	pci_write_config_dword(pdev, cap + PCI_MSI_ADDRESS_LO, msg->address_lo);
	if (is64)
		pci_write_config_dword(pdev, cap + PCI_MSI_ADDRESS_HI, msg->address_hi);
	pci_write_config_word(pdev, cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32),
			      (uint16_t)msg->data);
	ctrl &= (uint16_t)~PCI_MSI_FLAGS_QSIZE;
	ctrl |= (uint16_t)((__builtin_ctz(block) << 4) & PCI_MSI_FLAGS_QSIZE);
	pci_write_config_word(pdev, cap + PCI_MSI_FLAGS, ctrl | PCI_MSI_FLAGS_ENABLE);
	pci_intx(pdev, false);
}

/* An aligned block of @block vectors, halving it down to @min if the
 * vector space is fragmented. Return: the block size, or -errno. */
static int pci_msi_alloc_block(struct pci_dev *pdev, unsigned block, unsigned min)
{
	int err;

	pdev->irq.descs = kzalloc(block * sizeof(*pdev->irq.descs), GFP_KERNEL);
	if (!pdev->irq.descs)
		return -ENOMEM;
	for (;;) {
		err = irq_desc_alloc_block(&pci_msi_chip, pdev, block, pdev->dev.name,
					   pdev->irq.descs);
		if (!err)
			return (int)block;
		if (err != -ENOSPC || block / 2 < min)
			break;
		block /= 2;
	}
	kfree(pdev->irq.descs);
	pdev->irq.descs = NULL;
	return err;
}

int pci_msi_enable_range(struct pci_dev *pdev, unsigned min, unsigned max,
			 char *why, size_t len)
{
	int offered = pci_msi_vec_count(pdev), got, err;
	unsigned nvec, block = 1;
	struct msi_msg msg;

	if (offered < 0)
		return pci_irq_why(why, len, -ENODEV, "no MSI capability");
	nvec = max < (unsigned)offered ? max : (unsigned)offered;
	if (nvec < min)
		return pci_irq_why(why, len, -ENOSPC, "MSI offers %d", offered);
	while (block < nvec)
		block *= 2;
	got = pci_msi_alloc_block(pdev, block, min);
	if (got < 0)
		return pci_irq_why(why, len, got, "no aligned block of %u vectors", block);
	pdev->irq.ndescs = (unsigned)got;
	err = pci_msi_message(pdev, pdev->irq.descs[0]->vector, &msg);
	if (err) {
		pci_irq_free_descs(pdev, (unsigned)got);
		return pci_irq_why(why, len, err, "no message");
	}
	pci_msi_program(pdev, &msg, (unsigned)got);
	return (unsigned)got < nvec ? got : (int)nvec;
}

void pci_msi_shutdown(struct pci_dev *pdev)
{
	uint16_t ctrl;

	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
	pci_write_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS,
			      ctrl & (uint16_t)~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
	pci_irq_free_descs(pdev, pdev->irq.ndescs);
	pci_intx(pdev, true);
}

/* ---- MSI-X ---- */

/*
 * Map a structure of @len bytes that capability register @reg places in
 * one of @pdev's BARs (the table or the PBA). NULL if it does not fit.
 */
static volatile void *pci_msix_map(struct pci_dev *pdev, unsigned reg, uint64_t len,
				   const char *what)
{
	uint32_t loc;
	unsigned bir;
	uint64_t offset;
	const struct pci_bar *bar;
	void *virt;

	pci_read_config_dword(pdev, pdev->msix_cap + reg, &loc);
	bir = loc & PCI_MSIX_BIR_MASK;
	offset = loc & PCI_MSIX_OFFSET_MASK;
	bar = bir < pdev->num_bars ? &pdev->bar[bir] : NULL;
	if (!bar || !bar->base || (bar->flags & (PCI_BAR_IO | PCI_BAR_UPPER)) ||
	    offset + len > bar->size) {
		dev_err(&pdev->dev, "MSI-X %s (BAR %u, offset %#llx, %llu bytes) lies outside "
			"a usable memory BAR", what, bir, (unsigned long long)offset,
			(unsigned long long)len);
		return NULL;
	}
	virt = ioremap(bar->base + offset, len, PAGE_CACHE_UC);
	if (!virt)
		dev_err(&pdev->dev, "MSI-X %s: cannot map it", what);
	return virt;
}

/* The four words of table entry @entry. */
static volatile uint32_t *pci_msix_entry(const struct pci_dev *pdev, unsigned entry)
{
	return pdev->irq.msix_table + (size_t)entry * PCI_MSIX_WORDS;
}

int pci_msix_vec_count(const struct pci_dev *pdev)
{
	int ctrl = pci_msi_cap_ctrl(pdev, pdev->msix_cap, PCI_MSIX_FLAGS);

	return ctrl < 0 ? ctrl : (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
}

/* Map the table and the PBA of @entries entries. */
static int pci_msix_map_all(struct pci_dev *pdev, unsigned entries)
{
	volatile void *table, *pba;

	table = pci_msix_map(pdev, PCI_MSIX_TABLE, (uint64_t)entries * PCI_MSIX_ENTRY_SIZE,
			     "table");
	if (!table)
		return -EINVAL;
	pba = pci_msix_map(pdev, PCI_MSIX_PBA, (entries + 63) / 64 * 8, "PBA");
	if (!pba) {
		iounmap((void *)table);
		return -EINVAL;
	}
	pdev->irq.msix_table = table;
	pdev->irq.msix_pba = pba;
	pdev->irq.msix_entries = (uint16_t)entries;
	return 0;
}

static void pci_msix_unmap_all(struct pci_dev *pdev)
{
	iounmap((void *)pdev->irq.msix_pba);
	iounmap((void *)pdev->irq.msix_table);
	pdev->irq.msix_pba = NULL;
	pdev->irq.msix_table = NULL;
	pdev->irq.msix_entries = 0;
}

/* One vector per entry 0..@nvec-1, fewer if they run out (not below
 * @min). Return: how many, or -errno. */
static int pci_msix_alloc_descs(struct pci_dev *pdev, unsigned min, unsigned nvec)
{
	unsigned n;

	pdev->irq.descs = kzalloc(nvec * sizeof(*pdev->irq.descs), GFP_KERNEL);
	if (!pdev->irq.descs)
		return -ENOMEM;
	for (n = 0; n < nvec; n++) {
		pdev->irq.descs[n] = irq_desc_alloc(&pci_msix_chip, pdev, n, pdev->dev.name);
		if (!pdev->irq.descs[n])
			break;
	}
	if (n < min) {
		pci_irq_free_descs(pdev, n);
		return -ENOSPC;
	}
	pdev->irq.ndescs = n;
	return (int)n;
}

/* Write entry @e's message, leaving it masked. */
static int pci_msix_write_entry(struct pci_dev *pdev, unsigned e, unsigned vector)
{
	volatile uint32_t *w = pci_msix_entry(pdev, e);
	struct msi_msg msg;
	int err = pci_msi_message(pdev, vector, &msg);

	if (err)
		return err;
	pci_msix_mask(pdev, e, true);    /* never fire a half-written entry */
	w[PCI_MSIX_ENTRY_LOWER_ADDR / 4] = msg.address_lo;
	w[PCI_MSIX_ENTRY_UPPER_ADDR / 4] = msg.address_hi;
	w[PCI_MSIX_ENTRY_DATA / 4] = msg.data;
	return 0;
}

/* Turn MSI-X on with @n entries programmed, all masked. */
static int pci_msix_program(struct pci_dev *pdev, unsigned n)
{
	unsigned cap = pdev->msix_cap;
	uint16_t ctrl;
	int err = 0;

	pci_read_config_word(pdev, cap + PCI_MSIX_FLAGS, &ctrl);
	/* On with the function masked; every entry masked before the function
	 * mask lifts: an entry fires only once request_irq() unmasks it. */
	pci_write_config_word(pdev, cap + PCI_MSIX_FLAGS,
			      ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned e = 0; e < pdev->irq.msix_entries; e++)
		pci_msix_mask(pdev, e, true);
	for (unsigned e = 0; e < n && !err; e++)
		err = pci_msix_write_entry(pdev, e, pdev->irq.descs[e]->vector);
	ctrl |= PCI_MSIX_FLAGS_ENABLE;
	if (err)
		ctrl &= (uint16_t)~PCI_MSIX_FLAGS_ENABLE;
	pci_write_config_word(pdev, cap + PCI_MSIX_FLAGS, ctrl & (uint16_t)~PCI_MSIX_FLAGS_MASKALL);
	if (!err)
		pci_intx(pdev, false);
	return err;
}

int pci_msix_enable_range(struct pci_dev *pdev, unsigned min, unsigned max,
			  char *why, size_t len)
{
	int offered = pci_msix_vec_count(pdev), got, err;
	unsigned nvec;

	if (offered < 0)
		return pci_irq_why(why, len, -ENODEV, "no MSI-X capability");
	nvec = max < (unsigned)offered ? max : (unsigned)offered;
	if (nvec < min)
		return pci_irq_why(why, len, -ENOSPC, "MSI-X offers %d", offered);
	err = pci_msix_map_all(pdev, (unsigned)offered);
	if (err)
		return pci_irq_why(why, len, err, "MSI-X table unusable");
	got = pci_msix_alloc_descs(pdev, min, nvec);
	if (got < 0) {
		pci_irq_why(why, len, got, "not %u vectors free", min);
		goto fail_unmap;
	}
	err = pci_msix_program(pdev, (unsigned)got);
	if (!err)
		return got;
	got = pci_irq_why(why, len, err, "no message");
	pci_irq_free_descs(pdev, pdev->irq.ndescs);
fail_unmap:
	pci_msix_unmap_all(pdev);
	return got;
}

void pci_msix_shutdown(struct pci_dev *pdev)
{
	uint16_t ctrl;

	pci_irq_free_descs(pdev, pdev->irq.ndescs);     /* masks each entry */
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
	pci_write_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
			      ctrl & (uint16_t)~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	pci_msix_unmap_all(pdev);
	pci_intx(pdev, true);
}

void pci_msix_mask(struct pci_dev *pdev, unsigned entry, bool masked)
{
	volatile uint32_t *ctrl;

	if (entry >= pdev->irq.msix_entries)
		return;
	ctrl = &pci_msix_entry(pdev, entry)[PCI_MSIX_ENTRY_VECTOR_CTRL / 4];
	if (masked)
		*ctrl |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	else
		*ctrl &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	(void)*ctrl;   /* read back: the write has reached the device when this returns */
}

bool pci_msix_pending(const struct pci_dev *pdev, unsigned entry)
{
	if (entry >= pdev->irq.msix_entries)
		return false;
	return pdev->irq.msix_pba[entry / 64] >> (entry % 64) & 1;
}

int pci_msix_read_entry(const struct pci_dev *pdev, unsigned entry, struct msi_msg *msg,
			bool *masked)
{
	volatile uint32_t *e;

	if (entry >= pdev->irq.msix_entries)
		return -EINVAL;
	e = pci_msix_entry(pdev, entry);
	msg->address_lo = e[PCI_MSIX_ENTRY_LOWER_ADDR / 4];
	msg->address_hi = e[PCI_MSIX_ENTRY_UPPER_ADDR / 4];
	msg->data = e[PCI_MSIX_ENTRY_DATA / 4];
	*masked = e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
	return 0;
}
