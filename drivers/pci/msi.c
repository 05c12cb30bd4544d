/*
 * msi.c - message signalled interrupts: MSI (PCI Local Bus 3.0, 6.8.1)
 * and MSI-X (PCI Express Base 4.0, 7.7.2).
 *
 * Instead of a wire, the device interrupts by writing a message (a 32-bit
 * data value) to an address: on x86 the address selects a local APIC
 * (0xfee00000 | APIC ID << 12) and the data the vector (Intel SDM Vol. 3A,
 * 12.11; kernel/msi.c composes both). The write is an ordinary memory
 * write from the device, so it needs bus mastering.
 *
 *   MSI    one message, written into the capability itself: address (32 or
 *          64 bits), data, and optionally a mask bit. (MSI can ask for up
 *          to 32 vectors with consecutive data values; the vector allocator
 *          hands out single vectors, so we grant one.)
 *   MSI-X  a table of up to 2048 entries in one of the device's memory
 *          BARs, 16 bytes each: address, data and a per-entry mask bit,
 *          plus a pending bit array (PBA) where masked messages wait. The
 *          capability says which BAR (BIR) and where in it.
 *
 * While either is on, INTx is disabled in COMMAND, so the device never
 * asserts its pin as well. QEMU devices: edu has MSI (`-device edu`),
 * NVMe has MSI-X with 65 entries in BAR0 (`-device nvme`).
 */
#include "drivers/pci/internal.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/paging.h"

#define PCI_MSIX_WORDS   (PCI_MSIX_ENTRY_SIZE / 4)   /* 32-bit words per table entry */

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

/* A vector for @fn and the message that delivers it; the vector is given
 * back if no message can be made. Return: the vector or -errno. */
static int pci_msi_vector(struct pci_dev *pdev, irq_handler_t fn, void *ctx,
			  struct msi_msg *msg)
{
	int vector = irq_alloc_vector(fn, ctx, pdev->dev.name);
	int err;

	if (vector < 0)
		return vector;
	err = pci_msi_message(pdev, (unsigned)vector, msg);
	if (err) {
		irq_free_vector((unsigned)vector);
		return err;
	}
	return vector;
}

/* ---- MSI ---- */

/* Write @msg into the MSI capability; unmask vector 0 if masking exists. */
static void pci_msi_write_msg(struct pci_dev *pdev, uint16_t ctrl, const struct msi_msg *msg)
{
	unsigned cap = pdev->msi_cap;
	bool is64 = ctrl & PCI_MSI_FLAGS_64BIT;

	pci_write_config_dword(pdev, cap + PCI_MSI_ADDRESS_LO, msg->address_lo);
	if (is64)
		pci_write_config_dword(pdev, cap + PCI_MSI_ADDRESS_HI, msg->address_hi);
	pci_write_config_word(pdev, cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32),
			      (uint16_t)msg->data);
	if (ctrl & PCI_MSI_FLAGS_MASKBIT)
		pci_write_config_dword(pdev, cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0);
}

int pci_enable_msi(struct pci_dev *pdev, irq_handler_t fn, void *ctx)
{
	struct msi_msg msg;
	uint16_t ctrl;
	int vector;

	if (!pdev->msi_cap)
		return -ENODEV;
	if (pdev->irq.msi_vector || pdev->irq.msix_entries)
		return -EBUSY;
	vector = pci_msi_vector(pdev, fn, ctx, &msg);
	if (vector < 0)
		return vector;
	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
	pci_msi_write_msg(pdev, ctrl, &msg);
	ctrl &= (uint16_t)~PCI_MSI_FLAGS_QSIZE;          /* grant one vector */
	pci_write_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, ctrl | PCI_MSI_FLAGS_ENABLE);
	pci_intx(pdev, false);
	pdev->irq.msi_vector = (uint8_t)vector;
	return vector;
}

void pci_disable_msi(struct pci_dev *pdev)
{
	uint16_t ctrl;

	if (!pdev->irq.msi_vector)
		return;
	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
	pci_write_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS,
			      ctrl & (uint16_t)~PCI_MSI_FLAGS_ENABLE);
	irq_free_vector(pdev->irq.msi_vector);
	pdev->irq.msi_vector = 0;
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

/* Set or clear the mask bit of every entry. */
static void pci_msix_mask_all(struct pci_dev *pdev, bool masked)
{
	for (unsigned e = 0; e < pdev->irq.msix_entries; e++)
		pci_msix_mask(pdev, e, masked);
}

/* Map the table and the PBA of @entries entries, allocate the vector array. */
static int pci_msix_setup(struct pci_dev *pdev, uint16_t entries)
{
	volatile void *table, *pba;
	uint8_t *vectors;
	int err = -EINVAL;

	table = pci_msix_map(pdev, PCI_MSIX_TABLE, (uint64_t)entries * PCI_MSIX_ENTRY_SIZE, "table");
	if (!table)
		return err;
	pba = pci_msix_map(pdev, PCI_MSIX_PBA, (entries + 63) / 64 * 8, "PBA");
	if (!pba)
		goto fail_table;
	err = -ENOMEM;
	vectors = kzalloc(entries, GFP_KERNEL);
	if (!vectors)
		goto fail_pba;
	pdev->irq = (struct pci_irq_state){ 0, entries, table, pba, vectors };
	return 0;

fail_pba:
	iounmap((void *)pba);
fail_table:
	iounmap((void *)table);
	return err;
}

int pci_enable_msix(struct pci_dev *pdev)
{
	unsigned cap = pdev->msix_cap;
	uint16_t ctrl, entries;
	int err;

	if (!cap)
		return -ENODEV;
	if (pdev->irq.msi_vector || pdev->irq.msix_entries)
		return -EBUSY;
	pci_read_config_word(pdev, cap + PCI_MSIX_FLAGS, &ctrl);
	entries = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	err = pci_msix_setup(pdev, entries);
	if (err)
		return err;
	/* Enable with the function masked, mask every entry, then lift the
	 * function mask: entries fire once pci_msix_request() unmasks them. */
	pci_write_config_word(pdev, cap + PCI_MSIX_FLAGS,
			      ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msix_mask_all(pdev, true);
	pci_write_config_word(pdev, cap + PCI_MSIX_FLAGS,
			      (ctrl | PCI_MSIX_FLAGS_ENABLE) & (uint16_t)~PCI_MSIX_FLAGS_MASKALL);
	pci_intx(pdev, false);
	return entries;
}

void pci_disable_msix(struct pci_dev *pdev)
{
	uint16_t ctrl;

	if (!pdev->irq.msix_entries)
		return;
	for (unsigned e = 0; e < pdev->irq.msix_entries; e++)
		pci_msix_free(pdev, e);
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
	pci_write_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
			      ctrl & (uint16_t)~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	iounmap((void *)pdev->irq.msix_pba);
	iounmap((void *)pdev->irq.msix_table);
	kfree(pdev->irq.msix_vectors);
	pdev->irq = (struct pci_irq_state){ 0 };
	pci_intx(pdev, true);
}

/* The four words of table entry @entry. */
static volatile uint32_t *pci_msix_entry(const struct pci_dev *pdev, unsigned entry)
{
	return pdev->irq.msix_table + (size_t)entry * PCI_MSIX_WORDS;
}

int pci_msix_request(struct pci_dev *pdev, unsigned entry, irq_handler_t fn, void *ctx)
{
	volatile uint32_t *e;
	struct msi_msg msg;
	int vector;

	if (entry >= pdev->irq.msix_entries)
		return -EINVAL;
	if (pdev->irq.msix_vectors[entry])
		return -EBUSY;
	vector = pci_msi_vector(pdev, fn, ctx, &msg);
	if (vector < 0)
		return vector;
	e = pci_msix_entry(pdev, entry);
	pci_msix_mask(pdev, entry, true);    /* never fire a half-written entry */
	e[PCI_MSIX_ENTRY_LOWER_ADDR / 4] = msg.address_lo;
	e[PCI_MSIX_ENTRY_UPPER_ADDR / 4] = msg.address_hi;
	e[PCI_MSIX_ENTRY_DATA / 4] = msg.data;
	pdev->irq.msix_vectors[entry] = (uint8_t)vector;
	pci_msix_mask(pdev, entry, false);
	return vector;
}

void pci_msix_free(struct pci_dev *pdev, unsigned entry)
{
	if (entry >= pdev->irq.msix_entries || !pdev->irq.msix_vectors[entry])
		return;
	pci_msix_mask(pdev, entry, true);
	irq_free_vector(pdev->irq.msix_vectors[entry]);
	pdev->irq.msix_vectors[entry] = 0;
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
