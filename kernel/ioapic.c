/*
 * ioapic.c - the I/O APIC (Intel 82093AA I/O APIC datasheet, 3.1-3.2),
 * found through the ACPI MADT (ACPI 6.4, 5.2.12.3 and 5.2.12.5).
 *
 * Two registers in MMIO reach all others: write an index to IOREGSEL,
 * then read or write IOWIN. Each input pin has a 64-bit redirection entry
 * (vector, trigger, polarity, mask, destination). QEMU's q35 has one
 * I/O APIC with 24 pins at 0xfec00000 (no flag creates it); pins 0-15 are
 * the ISA IRQs, 16-23 the chipset's PIRQ A-H. A level-triggered pin
 * holds Remote IRR until the LAPIC's EOI is broadcast to it, so a handler
 * must quiet its device before the dispatcher's EOI.
 *
 * Data structure: ioapics[] as the MADT lists them; lines[] one slot per
 * GSI in use, holding its vector's descriptor and a user count. A GSI is
 * masked whenever no handler is requested on its vector.
 */
#define LOG_PREFIX "ioapic"
#include "kernel/ioapic.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/interrupt.h"
#include "kernel/log.h"
#include "kernel/mm/paging.h"
#include "kernel/spinlock.h"

#define IOAPIC_REGSEL       0x00    /* W:  index of the register IOWIN shows */
#define IOAPIC_IOWIN        0x10    /* RW: the selected register */
#define IOAPIC_MMIO_SIZE    0x20

#define IOAPIC_REG_ID       0x00    /* RW: bits 27:24 the APIC ID */
#define IOAPIC_REG_VER      0x01    /* RO: 7:0 version, 23:16 last entry */
#define IOAPIC_REG_REDTBL   0x10    /* RW: entry n at 0x10 + 2n (low), +1 (high) */
#define IOAPIC_VER_MAXREDIR(v)  (((v) >> 16) & 0xff)

#define IOAPIC_MAX_LINES    32      /* GSIs in use at once */

struct ioapic {
	volatile uint32_t *regs;
	uint8_t id;
	uint32_t gsi_base;
	unsigned pins;
};

struct ioapic_line {
	struct irq_desc *desc;          /* NULL: slot free */
	unsigned gsi;
	unsigned users;
	bool level, active_low;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned ioapic_nr;
static struct ioapic_line lines[IOAPIC_MAX_LINES];
static DEFINE_SPINLOCK(ioapic_lock);     /* the IOREGSEL/IOWIN pair */

static uint32_t ioapic_read(struct ioapic *io, unsigned reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, unsigned reg, uint32_t val)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_IOWIN / 4] = val;
}

/* The I/O APIC that has pin @gsi, and the pin's index there; NULL if none. */
static struct ioapic *ioapic_for_gsi(unsigned gsi, unsigned *pin)
{
	for (unsigned i = 0; i < ioapic_nr; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

/* Write @gsi's entry: destination (high half) first, so the low half,
 * which can unmask, always lands on a complete entry. */
static void ioapic_write_rte(unsigned gsi, uint64_t rte)
{
	unsigned pin;
	unsigned long flags;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);

	if (!io)
		return;
	spin_lock_irqsave(&ioapic_lock, flags);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * pin, IOAPIC_RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)(rte >> 32));
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)rte);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

int ioapic_read_rte(unsigned gsi, uint64_t *rte)
{
	unsigned pin;
	unsigned long flags;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);

	if (!io)
		return -ENODEV;
	spin_lock_irqsave(&ioapic_lock, flags);
	*rte = ioapic_read(io, IOAPIC_REG_REDTBL + 2 * pin) |
	       (uint64_t)ioapic_read(io, IOAPIC_REG_REDTBL + 2 * pin + 1) << 32;
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

/* Set or clear the mask bit of @gsi's entry, keeping the rest. */
static void ioapic_set_masked(unsigned gsi, bool masked)
{
	uint64_t rte;

	if (ioapic_read_rte(gsi, &rte))
		return;
	rte = masked ? rte | IOAPIC_RTE_MASKED : rte & ~IOAPIC_RTE_MASKED;
	ioapic_write_rte(gsi, rte);
}

static void ioapic_irq_mask(struct irq_desc *desc)
{
	ioapic_set_masked(desc->hwirq, true);
}

static void ioapic_irq_unmask(struct irq_desc *desc)
{
	ioapic_set_masked(desc->hwirq, false);
}

static const struct irq_chip ioapic_chip = {
	.name = "IO-APIC GSI",
	.irq_mask = ioapic_irq_mask,
	.irq_unmask = ioapic_irq_unmask,
};

/* Map one I/O APIC, size it, mask every pin. */
static int ioapic_add(const struct acpi_madt_ioapic *m)
{
	struct ioapic *io = &ioapics[ioapic_nr];
	uint32_t ver;

	io->regs = ioremap(m->address, IOAPIC_MMIO_SIZE, PAGE_CACHE_UC);
	if (!io->regs) {
		pr_err("I/O APIC %u at %#x: cannot map its registers", m->id, m->address);
		return -ENOMEM;
	}
	ver = ioapic_read(io, IOAPIC_REG_VER);
	if (ver == 0xffffffffu) {
		pr_err("I/O APIC %u at %#x does not answer; ignored", m->id, m->address);
		iounmap((void *)io->regs);
		return -ENODEV;
	}
	io->id = m->id;
	io->gsi_base = m->gsi_base;
	io->pins = IOAPIC_VER_MAXREDIR(ver) + 1;
	ioapic_nr++;
	for (unsigned p = 0; p < io->pins; p++)
		ioapic_write_rte(io->gsi_base + p, IOAPIC_RTE_MASKED);
	pr_info("I/O APIC %u at %#x, version %#x: GSIs %u-%u, all masked", io->id,
		m->address, ver & 0xff, io->gsi_base, io->gsi_base + io->pins - 1);
	return 0;
}

int ioapic_init(void)
{
	const struct acpi_info *a = acpi_get_info();

	for (unsigned i = 0; a->madt_present && i < a->madt.ioapic_count; i++)
		ioapic_add(&a->madt.ioapics[i]);
	if (!ioapic_nr) {
		pr_warn("no usable I/O APIC in the MADT: no INTx, no ISA interrupts");
		return -ENODEV;
	}
	return 0;
}

unsigned ioapic_gsi_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ioapic_nr; i++)
		n += ioapics[i].pins;
	return n;
}

/* The slot of @gsi in use, or NULL. */
static struct ioapic_line *ioapic_find_line(unsigned gsi)
{
	for (unsigned i = 0; i < IOAPIC_MAX_LINES; i++)
		if (lines[i].desc && lines[i].gsi == gsi)
			return &lines[i];
	return NULL;
}

/* A second user of a GSI: it must signal the same way. */
static int ioapic_share(struct ioapic_line *l, const struct acpi_irq_route *r,
			const char *name)
{
	if (l->level != r->level || l->active_low != r->active_low) {
		pr_err("%s: GSI %u is in use as %s/%s, cannot also be %s/%s", name, r->gsi,
		       l->level ? "level" : "edge", l->active_low ? "low" : "high",
		       r->level ? "level" : "edge", r->active_low ? "low" : "high");
		return -EBUSY;
	}
	l->users++;
	return (int)l->desc->vector;
}

int ioapic_get_irq(const struct acpi_irq_route *r, const char *name)
{
	struct ioapic_line *l = ioapic_find_line(r->gsi), *slot = NULL;
	unsigned pin;

	if (l)
		return ioapic_share(l, r, name);
	if (!ioapic_for_gsi(r->gsi, &pin)) {
		pr_err("%s: no I/O APIC has GSI %u", name, r->gsi);
		return -ENODEV;
	}
	for (unsigned i = 0; i < IOAPIC_MAX_LINES && !slot; i++)
		slot = lines[i].desc ? NULL : &lines[i];
	if (!slot || !(slot->desc = irq_desc_alloc(&ioapic_chip, NULL, r->gsi, name))) {
		pr_err("%s: no vector for GSI %u", name, r->gsi);
		return -ENOSPC;
	}
	slot->desc->level = r->level;
	*slot = (struct ioapic_line){ slot->desc, r->gsi, 1, r->level, r->active_low };
	ioapic_write_rte(r->gsi, IOAPIC_RTE_MASKED | slot->desc->vector |
			 (r->level ? IOAPIC_RTE_LEVEL : 0) |
			 (r->active_low ? IOAPIC_RTE_ACTIVE_LOW : 0) |
			 (uint64_t)lapic_id() << IOAPIC_RTE_DEST_SHIFT);
	return (int)slot->desc->vector;
}

void ioapic_put_irq(unsigned irq)
{
	struct irq_desc *desc = irq_to_desc(irq);
	struct ioapic_line *l = desc && desc->chip == &ioapic_chip ?
				ioapic_find_line(desc->hwirq) : NULL;

	if (!l) {
		pr_err("ioapic_put_irq(%u): not an I/O APIC vector", irq);
		return;
	}
	if (--l->users)
		return;
	irq_desc_free(l->desc);          /* masks the pin */
	l->desc = NULL;
}

int ioapic_isa_irq(unsigned isa_irq, const char *name)
{
	const struct acpi_info *a = acpi_get_info();
	struct acpi_irq_route r = { .gsi = isa_irq };

	if (a->madt_present)
		acpi_madt_isa_route(&a->madt, isa_irq, false, &r);
	return ioapic_get_irq(&r, name);
}
