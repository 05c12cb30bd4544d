/*
 * dmar.c - the DMAR table: Intel VT-d IOMMUs and the devices they cover.
 *
 *   DMAR header, host address width, flags
 *   DRHD  one remapping hardware unit: register base, and either a list
 *         of device scopes or INCLUDE_PCI_ALL ("every device nobody else
 *         claims in this segment")
 *   RMRR  memory the firmware itself DMAs to; listed devices need it mapped
 *   ATSR  root ports whose devices may use Address Translation Services
 *   ...   other structure types: length-checked and skipped
 *
 * A device scope names a device by a start bus and a path of dev.fn hops
 * through bridges; acpi_dmar_scope_resolve() follows the path once PCI
 * configuration space can be read. Pure logic, tested on the host and
 * fuzzed.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/dmar.h"
#include "kernel/acpi/internal.h"
#include "kernel/errno.h"

/* Where in the table a structure with device scopes lies, for messages
 * and bounds. */
struct dmar_span {
	const uint8_t *table;
	const char *what;        /* "DRHD", "RMRR", "ATSR" */
	size_t start;            /* offset of the structure in the table */
	size_t end;              /* offset just past it */
};

/*
 * One pass over the remapping structures. The first (fill false) checks
 * everything and counts; the second writes into arrays of those sizes,
 * so the counters double as the next free index of each array.
 */
struct dmar_walk {
	struct acpi_dmar *out;
	bool fill;
	unsigned drhds, rmrrs, atsrs, scopes;
	bool overflow;           /* a scope path too long to keep was dropped */
};

static const char *dmar_type_name(uint16_t type)
{
	switch (type) {
	case ACPI_DMAR_TYPE_DRHD: return "DRHD";
	case ACPI_DMAR_TYPE_RMRR: return "RMRR";
	case ACPI_DMAR_TYPE_ATSR: return "ATSR";
	case ACPI_DMAR_TYPE_RHSA: return "RHSA";
	case ACPI_DMAR_TYPE_ANDD: return "ANDD";
	case ACPI_DMAR_TYPE_SATC: return "SATC";
	default:                  return "structure";
	}
}

const char *acpi_dmar_scope_type_name(uint8_t type)
{
	switch (type) {
	case ACPI_DMAR_SCOPE_ENDPOINT:  return "endpoint";
	case ACPI_DMAR_SCOPE_BRIDGE:    return "bridge";
	case ACPI_DMAR_SCOPE_IOAPIC:    return "IOAPIC";
	case ACPI_DMAR_SCOPE_HPET:      return "HPET";
	case ACPI_DMAR_SCOPE_NAMESPACE: return "ACPI device";
	default:                        return "reserved type";
	}
}

/* Bytes a structure of @type must have: its fixed part. */
static size_t dmar_struct_min(uint16_t type)
{
	switch (type) {
	case ACPI_DMAR_TYPE_DRHD: return sizeof(struct acpi_dmar_drhd_struct);
	case ACPI_DMAR_TYPE_RMRR: return sizeof(struct acpi_dmar_rmrr_struct);
	case ACPI_DMAR_TYPE_ATSR: return sizeof(struct acpi_dmar_atsr_struct);
	default:                  return sizeof(struct acpi_dmar_struct);
	}
}

/* Check the scope at @off; its Length must cover a path and stay inside
 * the structure. Return: its length, or 0 after reporting. */
static size_t dmar_scope_check(const struct dmar_span *sp, size_t off)
{
	const struct acpi_dmar_scope_struct *s = (const void *)(sp->table + off);
	size_t min = sizeof(*s) + ACPI_DMAR_HOP_SIZE;

	if (sp->end - off < sizeof(*s)) {
		acpi_report(LOG_ERR, "DMAR: %s at offset %#zx: %zu stray byte(s) at offset %#zx, "
			    "too few for a device scope", sp->what, sp->start, sp->end - off, off);
		return 0;
	}
	if (s->length < min || s->length > sp->end - off ||
	    (s->length - sizeof(*s)) % ACPI_DMAR_HOP_SIZE != 0) {
		acpi_report(LOG_ERR, "DMAR: %s at offset %#zx: device scope at offset %#zx: Length "
			    "%u is not 6 + 2 * hops within %zu..%zu", sp->what, sp->start, off,
			    s->length, min, sp->end - off);
		return 0;
	}
	return s->length;
}

/* Check every hop of the scope at @off and, if @out, copy the scope. */
static int dmar_scope_read(const struct dmar_span *sp, size_t off, unsigned hops,
			   struct acpi_dmar_scope *out)
{
	const struct acpi_dmar_scope_struct *s = (const void *)(sp->table + off);
	const uint8_t *path = (const uint8_t *)(s + 1);

	for (unsigned i = 0; i < hops; i++) {
		uint8_t dev = path[i * ACPI_DMAR_HOP_SIZE], fn = path[i * ACPI_DMAR_HOP_SIZE + 1];

		if (dev > ACPI_PCI_MAX_DEVICE || fn > ACPI_PCI_MAX_FUNCTION) {
			acpi_report(LOG_ERR, "DMAR: %s at offset %#zx: device scope at offset %#zx: "
				    "Path entry %u is device %u function %u, beyond 31 and 7",
				    sp->what, sp->start, off, i, dev, fn);
			return -EINVAL;
		}
		if (out) {
			out->path[i].dev = dev;
			out->path[i].fn = fn;
		}
	}
	if (out) {
		out->type = s->type;
		out->enumeration_id = s->enumeration_id;
		out->start_bus = s->start_bus_number;
		out->path_len = (uint8_t)hops;
	}
	return 0;
}

/* Read the device scopes that fill the rest of a structure, from @off,
 * into the next entries of the scope pool. A path too long to keep is
 * dropped and flagged; a malformed scope fails the structure. */
static int dmar_scopes(const struct dmar_span *sp, size_t off, struct dmar_walk *w,
		       struct acpi_dmar_scope **first, unsigned *count)
{
	for (size_t len; off < sp->end; off += len) {
		struct acpi_dmar_scope *out = NULL;
		unsigned hops;

		len = dmar_scope_check(sp, off);
		if (!len)
			return -EINVAL;
		hops = (unsigned)((len - sizeof(struct acpi_dmar_scope_struct)) / ACPI_DMAR_HOP_SIZE);
		if (hops > ACPI_DMAR_MAX_PATH) {
			if (!w->fill)
				acpi_report(LOG_ERR, "DMAR: %s at offset %#zx: device scope at offset "
					    "%#zx: path of %u hops, more than the %u kept "
					    "(ACPI_DMAR_MAX_PATH); scope dropped",
					    sp->what, sp->start, off, hops, ACPI_DMAR_MAX_PATH);
			w->overflow = true;
		} else {
			if (w->fill) {
				out = &w->out->scope_pool[w->scopes];
				if (*count == 0)
					*first = out;
			}
			w->scopes++;
			(*count)++;
		}
		if (dmar_scope_read(sp, off, hops, out))
			return -EINVAL;
	}
	return 0;
}

/* A DRHD: one IOMMU. */
static int dmar_drhd(const struct dmar_span *sp, struct dmar_walk *w)
{
	const struct acpi_dmar_drhd_struct *d = (const void *)(sp->table + sp->start);
	struct acpi_dmar_drhd unit = { 0 };

	if (d->register_base_address == 0 || d->register_base_address % ACPI_DMAR_PAGE_SIZE) {
		acpi_report(LOG_ERR, "DMAR: DRHD at offset %#zx: Register Base Address %#llx is "
			    "not a 4 KiB-aligned address", sp->start,
			    (unsigned long long)d->register_base_address);
		return -EINVAL;
	}
	unit.base = d->register_base_address;
	unit.segment = d->segment_number;
	unit.include_pci_all = d->flags & ACPI_DMAR_DRHD_INCLUDE_PCI_ALL;
	unit.size = d->size & ACPI_DMAR_DRHD_SIZE_MASK;
	if (dmar_scopes(sp, sp->start + sizeof(*d), w, &unit.scopes, &unit.scope_count))
		return -EINVAL;
	if (w->fill)
		w->out->drhds[w->drhds] = unit;
	w->drhds++;
	return 0;
}

/* An RMRR: a whole number of 4 KiB pages, base to limit inclusive. */
static int dmar_rmrr(const struct dmar_span *sp, struct dmar_walk *w)
{
	const struct acpi_dmar_rmrr_struct *r = (const void *)(sp->table + sp->start);
	uint64_t base = r->reserved_memory_region_base_address;
	uint64_t limit = r->reserved_memory_region_limit_address;
	struct acpi_dmar_rmrr region = { 0 };

	if (limit < base || base % ACPI_DMAR_PAGE_SIZE || (limit + 1) % ACPI_DMAR_PAGE_SIZE) {
		acpi_report(LOG_ERR, "DMAR: RMRR at offset %#zx: Base Address %#llx and Limit "
			    "Address %#llx are not a range of whole 4 KiB pages", sp->start,
			    (unsigned long long)base, (unsigned long long)limit);
		return -EINVAL;
	}
	region.base = base;
	region.limit = limit;
	region.segment = r->segment_number;
	if (dmar_scopes(sp, sp->start + sizeof(*r), w, &region.scopes, &region.scope_count))
		return -EINVAL;
	if (w->fill)
		w->out->rmrrs[w->rmrrs] = region;
	w->rmrrs++;
	return 0;
}

/* An ATSR: root ports (all of them, or the scopes listed) with ATS. */
static int dmar_atsr(const struct dmar_span *sp, struct dmar_walk *w)
{
	const struct acpi_dmar_atsr_struct *a = (const void *)(sp->table + sp->start);
	struct acpi_dmar_atsr ports = { 0 };

	ports.segment = a->segment_number;
	ports.all_ports = a->flags & ACPI_DMAR_ATSR_ALL_PORTS;
	if (dmar_scopes(sp, sp->start + sizeof(*a), w, &ports.scopes, &ports.scope_count))
		return -EINVAL;
	if (w->fill)
		w->out->atsrs[w->atsrs] = ports;
	w->atsrs++;
	return 0;
}

/* One remapping structure, its length checked: read it, or count it as
 * one of the types Busmaster skips. */
static int dmar_struct(const struct dmar_span *sp, uint16_t type, struct dmar_walk *w)
{
	switch (type) {
	case ACPI_DMAR_TYPE_DRHD: return dmar_drhd(sp, w);
	case ACPI_DMAR_TYPE_RMRR: return dmar_rmrr(sp, w);
	case ACPI_DMAR_TYPE_ATSR: return dmar_atsr(sp, w);
	default:
		if (w->fill)
			w->out->other_count++;
		return 0;
	}
}

/* Walk the remapping structures: each names its own length, which must
 * cover its fixed part and stay inside the table. */
static int dmar_structs(const uint8_t *t, size_t length, struct dmar_walk *w)
{
	for (size_t off = sizeof(struct acpi_dmar_table), len; off < length; off += len) {
		const struct acpi_dmar_struct *s = (const void *)(t + off);
		const char *what;

		if (length - off < sizeof(*s)) {
			acpi_report(LOG_ERR, "DMAR: %zu stray byte(s) at offset %#zx, too few for "
				    "a remapping structure", length - off, off);
			return -EINVAL;
		}
		len = s->length;
		what = dmar_type_name(s->type);
		if (len < dmar_struct_min(s->type) || len > length - off) {
			acpi_report(LOG_ERR, "DMAR: %s (type %u) at offset %#zx: Length %zu is "
				    "outside %zu..%zu", what, s->type, off, len,
				    dmar_struct_min(s->type), length - off);
			return -EINVAL;
		}
		if (dmar_struct(&(struct dmar_span){ t, what, off, off + len }, s->type, w))
			return -EINVAL;
	}
	return 0;
}

/* An array of @n elements of @size bytes, or NULL for none; *@failed is
 * set if @n > 0 and there is no memory. */
static void *dmar_array(unsigned n, size_t size, bool *failed)
{
	void *p = n ? acpi_zalloc(n * size) : NULL;

	if (n && !p)
		*failed = true;
	return p;
}

/* Arrays of exactly the sizes the counting pass found. */
static int dmar_alloc(struct acpi_dmar *out, const struct dmar_walk *w)
{
	bool failed = false;

	out->drhds = dmar_array(w->drhds, sizeof(*out->drhds), &failed);
	out->rmrrs = dmar_array(w->rmrrs, sizeof(*out->rmrrs), &failed);
	out->atsrs = dmar_array(w->atsrs, sizeof(*out->atsrs), &failed);
	out->scope_pool = dmar_array(w->scopes, sizeof(*out->scope_pool), &failed);
	if (!failed)
		return 0;
	acpi_report(LOG_ERR, "DMAR: no memory for %u DRHDs, %u RMRRs, %u ATSRs and %u device "
		    "scopes", w->drhds, w->rmrrs, w->atsrs, w->scopes);
	acpi_dmar_free(out);
	return -ENOMEM;
}

void acpi_dmar_free(struct acpi_dmar *dmar)
{
	acpi_free(dmar->drhds);
	acpi_free(dmar->rmrrs);
	acpi_free(dmar->atsrs);
	acpi_free(dmar->scope_pool);
	memset(dmar, 0, sizeof(*dmar));
}

/* Check and count, allocate, then read again into the arrays. */
static int dmar_read(const uint8_t *t, size_t len, struct acpi_dmar *out)
{
	struct dmar_walk count = { .out = out }, fill = { .out = out, .fill = true };
	int err;

	if (dmar_structs(t, len, &count))
		return -EINVAL;
	err = dmar_alloc(out, &count);
	if (err)
		return err;
	if (dmar_structs(t, len, &fill))  /* the same bytes: cannot fail now */
		return -EINVAL;
	out->drhd_count = fill.drhds;
	out->rmrr_count = fill.rmrrs;
	out->atsr_count = fill.atsrs;
	out->scope_total = fill.scopes;
	if (fill.drhds == 0)
		acpi_report(LOG_WARN, "DMAR: no DRHD, so no remapping hardware is described");
	return fill.overflow ? -E2BIG : 0;
}

int acpi_parse_dmar(const void *table, size_t len, struct acpi_dmar *out)
{
	const struct acpi_dmar_table *d = table;
	int err;

	memset(out, 0, sizeof(*out));
	len = acpi_check_table(table, len, "DMAR", sizeof(*d));
	if (!len)
		return -EINVAL;
	if (d->host_address_width >= ACPI_DMAR_MAX_WIDTH) {
		acpi_report(LOG_ERR, "DMAR: Host Address Width %u means %u bits, more than %u",
			    d->host_address_width, d->host_address_width + 1, ACPI_DMAR_MAX_WIDTH);
		return -EINVAL;
	}
	out->host_address_width = (uint8_t)(d->host_address_width + 1);
	out->flags = d->flags;
	err = dmar_read(table, len, out);
	if (err && err != -E2BIG)
		acpi_dmar_free(out);
	return err;
}

/* Each hop but the last is a bridge: the next hop is on its secondary bus. */
int acpi_dmar_scope_resolve(const struct acpi_dmar_scope *scope,
			    acpi_secondary_bus_fn secondary_bus, void *ctx,
			    uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	unsigned last = scope->path_len - 1u;
	uint8_t b = scope->start_bus;

	if (scope->path_len == 0 || scope->path_len > ACPI_DMAR_MAX_PATH)
		return -EINVAL;
	for (unsigned i = 0; i < last; i++) {
		int next = secondary_bus(ctx, b, scope->path[i].dev, scope->path[i].fn);

		if (next < 0)
			return next;
		if (next <= b || next > ACPI_PCI_MAX_BUS)
			return -EINVAL;  /* a bridge's secondary bus lies above its own */
		b = (uint8_t)next;
	}
	*bus = b;
	*dev = scope->path[last].dev;
	*fn = scope->path[last].fn;
	return 0;
}
