/*
 * madt.c - the MADT ("APIC"): which interrupt controllers the machine has.
 *
 * After two fixed fields (the local APIC address and a flag saying whether
 * legacy 8259 PICs exist) comes a list of entries, each starting with a
 * type and its own length: one per CPU (its local APIC), one per I/O APIC,
 * one per ISA interrupt that does not arrive where it would by default,
 * and where each CPU's NMI pin is wired. Pure logic, tested on the host.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

/* Entries offered per array, kept or not: for the overflow report. */
struct madt_seen {
	unsigned cpus, ioapics, overrides, nmis;
};

/* Bytes an entry of @type must have for us to read it; unknown types
 * need only their type and length bytes. */
static size_t madt_entry_min(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_TYPE_LAPIC:          return sizeof(struct acpi_madt_lapic);
	case ACPI_MADT_TYPE_IOAPIC:         return sizeof(struct acpi_madt_ioapic_entry);
	case ACPI_MADT_TYPE_OVERRIDE:       return sizeof(struct acpi_madt_override_entry);
	case ACPI_MADT_TYPE_LAPIC_NMI:      return sizeof(struct acpi_madt_lapic_nmi_entry);
	case ACPI_MADT_TYPE_LAPIC_OVERRIDE: return sizeof(struct acpi_madt_lapic_override);
	case ACPI_MADT_TYPE_X2APIC:         return sizeof(struct acpi_madt_x2apic);
	case ACPI_MADT_TYPE_X2APIC_NMI:     return sizeof(struct acpi_madt_x2apic_nmi);
	default:                            return sizeof(struct acpi_madt_entry);
	}
}

/* A CPU, from a local APIC or an x2APIC entry. */
static void madt_add_cpu(struct acpi_madt *out, struct madt_seen *seen, uint32_t apic_id,
			 uint32_t uid, uint32_t flags, bool x2apic)
{
	struct acpi_madt_cpu *cpu = ACPI_NEXT_SLOT(out->cpus, out->cpu_count, seen->cpus);

	if (!cpu)
		return;
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = flags & ACPI_MADT_CPU_ENABLED;
	cpu->online_capable = !cpu->enabled && (flags & ACPI_MADT_CPU_ONLINE_CAPABLE);
	cpu->x2apic = x2apic;
}

/* An NMI wiring, from a local APIC or an x2APIC NMI entry. */
static void madt_add_nmi(struct acpi_madt *out, struct madt_seen *seen, uint32_t uid,
			 uint16_t flags, uint8_t lint)
{
	struct acpi_madt_lapic_nmi *nmi = ACPI_NEXT_SLOT(out->nmis, out->nmi_count, seen->nmis);

	if (!nmi)
		return;
	nmi->uid = uid;
	nmi->flags = flags;
	nmi->lint = lint;
}

static void madt_add_ioapic(struct acpi_madt *out, struct madt_seen *seen,
			    const struct acpi_madt_ioapic_entry *e)
{
	struct acpi_madt_ioapic *io = ACPI_NEXT_SLOT(out->ioapics, out->ioapic_count,
						     seen->ioapics);

	if (!io)
		return;
	io->id = e->io_apic_id;
	io->address = e->io_apic_address;
	io->gsi_base = e->global_system_interrupt_base;
}

static void madt_add_override(struct acpi_madt *out, struct madt_seen *seen,
			      const struct acpi_madt_override_entry *e)
{
	struct acpi_madt_override *o = ACPI_NEXT_SLOT(out->overrides, out->override_count,
						      seen->overrides);

	if (!o)
		return;
	o->bus = e->bus;
	o->source_irq = e->source;
	o->gsi = e->global_system_interrupt;
	o->flags = e->flags;
}

/* Record one entry whose length has been checked; other types are skipped. */
static void madt_entry(const struct acpi_madt_entry *e, struct acpi_madt *out,
		       struct madt_seen *seen)
{
	const struct acpi_madt_lapic *l = (const void *)e;
	const struct acpi_madt_x2apic *x = (const void *)e;
	const struct acpi_madt_lapic_nmi_entry *n = (const void *)e;
	const struct acpi_madt_x2apic_nmi *xn = (const void *)e;

	switch (e->type) {
	case ACPI_MADT_TYPE_LAPIC:
		madt_add_cpu(out, seen, l->apic_id, l->acpi_processor_uid, l->flags, false);
		break;
	case ACPI_MADT_TYPE_X2APIC:
		madt_add_cpu(out, seen, x->x2apic_id, x->acpi_processor_uid, x->flags, true);
		break;
	case ACPI_MADT_TYPE_IOAPIC:
		madt_add_ioapic(out, seen, (const void *)e);
		break;
	case ACPI_MADT_TYPE_OVERRIDE:
		madt_add_override(out, seen, (const void *)e);
		break;
	case ACPI_MADT_TYPE_LAPIC_NMI:
		madt_add_nmi(out, seen, n->acpi_processor_uid == ACPI_MADT_LAPIC_NMI_ALL ?
			     ACPI_MADT_ALL_CPUS : n->acpi_processor_uid, n->flags, n->local_apic_lint);
		break;
	case ACPI_MADT_TYPE_X2APIC_NMI:
		madt_add_nmi(out, seen, xn->acpi_processor_uid, xn->flags, xn->local_x2apic_lint);
		break;
	case ACPI_MADT_TYPE_LAPIC_OVERRIDE:
		out->lapic_phys = ((const struct acpi_madt_lapic_override *)e)->local_apic_address;
		break;
	}
}

/* Walk the entries: each names its own length, which must cover what we
 * read and stay inside the table (a zero length would loop forever). */
static int madt_entries(const uint8_t *t, size_t length, struct acpi_madt *out,
			struct madt_seen *seen)
{
	size_t off = sizeof(struct acpi_madt_table);

	while (off < length) {
		const struct acpi_madt_entry *e = (const void *)(t + off);

		if (length - off < sizeof(*e)) {
			acpi_report(LOG_ERR, "MADT: %zu stray byte(s) at offset %#zx, too few "
				    "for an entry", length - off, off);
			return -EINVAL;
		}
		if (e->length < madt_entry_min(e->type) || e->length > length - off) {
			acpi_report(LOG_ERR, "MADT: entry at offset %#zx (type %u): Length %u is "
				    "outside %zu..%zu", off, e->type, e->length,
				    madt_entry_min(e->type), length - off);
			return -EINVAL;
		}
		madt_entry(e, out, seen);
		off += e->length;
	}
	return 0;
}

/* Report every array that overflowed; -E2BIG if any did. */
static int madt_overflow(const struct acpi_madt *out, const struct madt_seen *seen)
{
	int err = 0;

	err |= acpi_report_overflow("MADT", "processor entries", seen->cpus, out->cpu_count);
	err |= acpi_report_overflow("MADT", "I/O APIC entries", seen->ioapics, out->ioapic_count);
	err |= acpi_report_overflow("MADT", "interrupt source overrides", seen->overrides,
				    out->override_count);
	err |= acpi_report_overflow("MADT", "local APIC NMI entries", seen->nmis, out->nmi_count);
	return err ? -E2BIG : 0;
}

int acpi_parse_madt(const void *table, size_t len, struct acpi_madt *out)
{
	const struct acpi_madt_table *m = table;
	struct madt_seen seen = { 0 };
	size_t length;

	memset(out, 0, sizeof(*out));
	length = acpi_check_table(table, len, "APIC", sizeof(*m));
	if (!length)
		return -EINVAL;
	out->lapic_phys = m->local_interrupt_controller_address;
	out->pcat_compat = m->flags & ACPI_MADT_PCAT_COMPAT;
	if (madt_entries(table, length, out, &seen) != 0) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return madt_overflow(out, &seen);
}

/* The trigger and polarity MPS INTI @flags give; @level/@low keep the
 * bus's conventions where the flags say "conforms to the bus". */
static void madt_apply_inti(uint16_t flags, bool *level, bool *low)
{
	switch (flags & ACPI_MPS_TRIGGER_MASK) {
	case ACPI_MPS_TRIGGER_EDGE:  *level = false; break;
	case ACPI_MPS_TRIGGER_LEVEL: *level = true; break;
	}
	switch (flags & ACPI_MPS_POLARITY_MASK) {
	case ACPI_MPS_POLARITY_HIGH: *low = false; break;
	case ACPI_MPS_POLARITY_LOW:  *low = true; break;
	}
}

void acpi_madt_isa_route(const struct acpi_madt *madt, unsigned irq, bool pci,
			 struct acpi_irq_route *out)
{
	/* ISA: edge, active high. A PCI INTx steered onto an ISA IRQ: level,
	 * active low (PCI Local Bus 3.0, 2.2.6). */
	*out = (struct acpi_irq_route){ .gsi = irq, .level = pci, .active_low = pci };
	for (unsigned i = 0; i < madt->override_count; i++) {
		const struct acpi_madt_override *o = &madt->overrides[i];

		if (o->bus != 0 || o->source_irq != irq)
			continue;
		out->gsi = o->gsi;
		madt_apply_inti(o->flags, &out->level, &out->active_low);
		out->overridden = true;
		return;
	}
}
