/*
 * summary.c - tell the boot log what the ACPI tables say.
 *
 *   acpi: RSDP at 0xf59e0: revision 0 (ACPI 1.0), OEM "BOCHS ", RSDT at 0x1ffe2270, ...
 *   acpi:   APIC at 0x1ffe215c, 120 bytes, revision 1, OEM "BOCHS " "BXPC    "
 *   acpi: MADT: local APIC at 0xfee00000; CPUs: 1 (1 enabled); I/O APICs: 1; ...
 *
 * and, with `acpi.dump` on the command line, every table byte by byte, in
 * a form tests/host/data/acpi/capture.py turns back into binary files.
 */
#define LOG_PREFIX "acpi"
#include "kernel/acpi/summary.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/log.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define LINE_MAX     160  /* one log line built piece by piece */
#define DUMP_PER_ROW 16   /* bytes per hexdump line */

void acpi_log_tables(const struct acpi_root *root)
{
	pr_info("RSDP at %#llx: revision %u (ACPI %s), OEM \"%s\", RSDT at %#llx, XSDT at %#llx",
		(unsigned long long)root->rsdp_phys, root->rsdp_revision,
		root->rsdp_revision >= 2 ? "2.0+" : "1.0", root->oem_id,
		(unsigned long long)root->rsdt_phys, (unsigned long long)root->xsdt_phys);
	pr_info("%u tables listed by the %s:", root->table_count, root->xsdt ? "XSDT" : "RSDT");
	for (unsigned i = 0; i < root->table_count; i++) {
		const struct acpi_table_ref *t = &root->tables[i];

		pr_info("  %s at %#llx, %u bytes, revision %u, OEM \"%s\" \"%s\"", t->signature,
			(unsigned long long)t->phys, t->length, t->revision, t->oem_id,
			t->oem_table_id);
	}
}

static void log_fadt(const struct acpi_fadt *f)
{
	if (f->pm_timer_port)
		pr_info("FADT: PM timer at port %#x (%u-bit), SCI IRQ %u, SMI command port %#x",
			f->pm_timer_port, f->pm_timer_32bit ? 32 : 24, f->sci_irq, f->smi_cmd);
	else
		pr_info("FADT: no PM timer, SCI IRQ %u, SMI command port %#x",
			f->sci_irq, f->smi_cmd);
	pr_info("FADT: revision %u, boot flags %#x%s%s, DSDT at %#llx, FACS at %#llx",
		f->revision, f->iapc_boot_arch,
		f->iapc_boot_arch & ACPI_IAPC_8042 ? " (8042)" : "",
		f->hw_reduced ? ", hardware-reduced" : "",
		(unsigned long long)f->dsdt_phys, (unsigned long long)f->facs_phys);
	if (f->reset_supported)
		pr_info("FADT: reset by writing %#x to %s %#llx", f->reset_value,
			f->reset_space == ACPI_SPACE_IO ? "I/O port" : "address",
			(unsigned long long)f->reset_address);
}

/* Polarity and trigger of an override; "default" conforms to the bus
 * (for ISA: edge-triggered, active high). */
static const char *mps_polarity(uint16_t flags)
{
	switch (flags & ACPI_MPS_POLARITY_MASK) {
	case ACPI_MPS_POLARITY_HIGH: return "active high";
	case ACPI_MPS_POLARITY_LOW:  return "active low";
	default:                     return "default polarity";
	}
}

static const char *mps_trigger(uint16_t flags)
{
	switch (flags & ACPI_MPS_TRIGGER_MASK) {
	case ACPI_MPS_TRIGGER_EDGE:  return "edge";
	case ACPI_MPS_TRIGGER_LEVEL: return "level";
	default:                     return "default trigger";
	}
}

/* CPUs on one line: "CPUs (APIC id): 0 1 2(disabled)". */
static void log_madt_cpus(const struct acpi_madt *m)
{
	char lbuf[LINE_MAX];
	struct strbuf l = STRBUF_INIT(lbuf);

	strbuf_printf(&l, "  CPUs (APIC id):");
	for (unsigned i = 0; i < m->cpu_count; i++)
		strbuf_printf(&l, " %u%s%s", m->cpus[i].apic_id, m->cpus[i].x2apic ? "(x2APIC)" : "",
			 m->cpus[i].enabled ? "" : "(disabled)");
	pr_info("%s", l.buf);
}

static void log_madt(const struct acpi_madt *m)
{
	unsigned enabled = 0;

	for (unsigned i = 0; i < m->cpu_count; i++)
		enabled += m->cpus[i].enabled;
	pr_info("MADT: local APIC at %#llx; CPUs: %u (%u enabled); I/O APICs: %u; "
		"overrides: %u%s",
		(unsigned long long)m->lapic_phys, m->cpu_count, enabled, m->ioapic_count,
		m->override_count, m->pcat_compat ? "; 8259 PICs present" : "");
	log_madt_cpus(m);
	for (unsigned i = 0; i < m->ioapic_count; i++)
		pr_info("  I/O APIC id %u at %#x, GSIs from %u", m->ioapics[i].id,
			m->ioapics[i].address, m->ioapics[i].gsi_base);
	for (unsigned i = 0; i < m->override_count; i++)
		pr_info("  override: bus %u IRQ %u -> GSI %u, %s, %s", m->overrides[i].bus,
			m->overrides[i].source_irq, m->overrides[i].gsi,
			mps_trigger(m->overrides[i].flags), mps_polarity(m->overrides[i].flags));
	for (unsigned i = 0; i < m->nmi_count; i++) {
		if (m->nmis[i].uid == ACPI_MADT_ALL_CPUS)
			pr_info("  NMI on LINT%u of every CPU", m->nmis[i].lint);
		else
			pr_info("  NMI on LINT%u of CPU UID %u", m->nmis[i].lint, m->nmis[i].uid);
	}
}

static void log_mcfg(const struct acpi_mcfg *m)
{
	for (unsigned i = 0; i < m->count; i++)
		pr_info("MCFG: ECAM at %#llx for segment %u, buses %u-%u",
			(unsigned long long)m->entries[i].base, m->entries[i].segment,
			m->entries[i].bus_start, m->entries[i].bus_end);
}

static void log_hpet(const struct acpi_hpet *h)
{
	pr_info("HPET: registers at %#llx, %u timers, %u-bit counter, vendor %#06x, "
		"minimum tick %u", (unsigned long long)h->base_phys, h->comparators,
		h->counter_64bit ? 64 : 32, h->vendor_id, h->min_tick);
}

/* One scope: "IOAPIC 0 at 00:1f.0", "bridge at 00:1c.0/00.0". */
static void log_dmar_scope(const struct acpi_dmar_scope *s)
{
	char lbuf[LINE_MAX];
	struct strbuf l = STRBUF_INIT(lbuf);

	strbuf_printf(&l, "    %s", acpi_dmar_scope_type_name(s->type));
	if (s->type == ACPI_DMAR_SCOPE_IOAPIC || s->type == ACPI_DMAR_SCOPE_HPET ||
	    s->type == ACPI_DMAR_SCOPE_NAMESPACE)
		strbuf_printf(&l, " %u", s->enumeration_id);
	strbuf_printf(&l, " at %02x:", s->start_bus);
	for (unsigned i = 0; i < s->path_len; i++)
		strbuf_printf(&l, "%s%02x.%x", i ? "/" : "", s->path[i].dev, s->path[i].fn);
	pr_info("%s", l.buf);
}

static void log_dmar_scopes(const struct acpi_dmar_scope *s, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		log_dmar_scope(&s[i]);
}

static void log_dmar(const struct acpi_dmar *d)
{
	pr_info("DMAR: host address width %u bits, flags %#x%s", d->host_address_width, d->flags,
		d->flags & ACPI_DMAR_INTR_REMAP ? " (interrupt remapping)" : "");
	for (unsigned i = 0; i < d->drhd_count; i++) {
		const struct acpi_dmar_drhd *u = &d->drhds[i];

		pr_info("  DRHD at %#llx, segment %u%s, %u scopes", (unsigned long long)u->base,
			u->segment, u->include_pci_all ? ", INCLUDE_PCI_ALL" : "", u->scope_count);
		log_dmar_scopes(u->scopes, u->scope_count);
	}
	for (unsigned i = 0; i < d->rmrr_count; i++) {
		const struct acpi_dmar_rmrr *r = &d->rmrrs[i];

		pr_info("  RMRR %#llx-%#llx, segment %u, %u scopes", (unsigned long long)r->base,
			(unsigned long long)r->limit, r->segment, r->scope_count);
		log_dmar_scopes(r->scopes, r->scope_count);
	}
	for (unsigned i = 0; i < d->atsr_count; i++) {
		pr_info("  ATSR segment %u%s, %u scopes", d->atsrs[i].segment,
			d->atsrs[i].all_ports ? ", all root ports" : "", d->atsrs[i].scope_count);
		log_dmar_scopes(d->atsrs[i].scopes, d->atsrs[i].scope_count);
	}
	if (d->other_count)
		pr_info("  %u other remapping structures skipped", d->other_count);
}

void acpi_log_summary(const struct acpi_info *info)
{
	if (info->fadt_present)
		log_fadt(&info->fadt);
	if (info->madt_present)
		log_madt(&info->madt);
	if (info->mcfg_present)
		log_mcfg(&info->mcfg);
	if (info->hpet_present)
		log_hpet(&info->hpet);
	if (info->dmar_present)
		log_dmar(&info->dmar);
	else
		pr_info("no DMAR table: no IOMMU described");
}

/* One hexdump row: offset, 16 bytes in hex, the same as text. */
static void dump_row(const uint8_t *p, size_t off, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char hex[DUMP_PER_ROW * 3 + 1], text[DUMP_PER_ROW + 1];

	memset(hex, ' ', sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		hex[i * 3] = digits[p[off + i] >> 4];
		hex[i * 3 + 1] = digits[p[off + i] & 0xf];
	}
	for (size_t i = 0; i < n; i++)
		text[i] = p[off + i] >= 0x20 && p[off + i] < 0x7f ? (char)p[off + i] : '.';
	text[n] = '\0';
	pr_info("  %04zx  %s %s", off, hex, text);
}

/* "dump SIG at PHYS, LEN bytes:" then the rows: the format capture.py reads. */
static void dump_bytes(const char *what, uint64_t phys, const void *p, size_t len)
{
	pr_info("dump %s at %#llx, %zu bytes:", what, (unsigned long long)phys, len);
	for (size_t off = 0; off < len; off += DUMP_PER_ROW)
		dump_row(p, off, len - off < DUMP_PER_ROW ? len - off : DUMP_PER_ROW);
}

/* A root table may be dumped even if it failed its checks: that is when
 * one most wants to see it. */
static void dump_table(const struct acpi_mem *mem, const char *what, uint64_t phys)
{
	uint32_t len = 0;
	const void *t = phys ? acpi_map_table(mem, phys, &len) : NULL;

	if (t)
		dump_bytes(what, phys, t, len);
}

void acpi_dump_tables(const struct acpi_mem *mem, const struct acpi_root *root)
{
	const struct acpi_rsdp *r = mem->map(mem->ctx, root->rsdp_phys, ACPI_RSDP_V2_LENGTH);
	size_t rsdp_len = ACPI_RSDP_V1_LENGTH;

	if (r && r->revision >= 2 && r->length >= ACPI_RSDP_V2_LENGTH &&
	    r->length <= ACPI_RSDP_MAX_LENGTH && mem->map(mem->ctx, root->rsdp_phys, r->length))
		rsdp_len = r->length;
	dump_bytes("RSDP", root->rsdp_phys, mem->map(mem->ctx, root->rsdp_phys, rsdp_len),
		   rsdp_len);
	dump_table(mem, "RSDT", root->rsdt_phys);
	dump_table(mem, "XSDT", root->xsdt_phys);
	for (unsigned i = 0; i < root->table_count; i++)
		dump_bytes(root->tables[i].signature, root->tables[i].phys, root->tables[i].data,
			   root->tables[i].length);
}
