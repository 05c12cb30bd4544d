/*
 * acpi.c - the firmware's tables, read once at boot.
 *
 * acpi_init() walks from the RSDP to every table (rsdp.c), parses the ones
 * Busmaster uses (fadt.c, madt.c, mcfg.c, hpet.c, dmar.c), logs what it
 * found (summary.c) and keeps the results for acpi_get_info(). This file
 * is the only place that touches physical memory: through the direct map,
 * and only inside the regions of the firmware's memory map, so a corrupt
 * pointer in a table is reported instead of faulting.
 */
#define LOG_PREFIX "acpi"
#include <stdarg.h>
#include "boot/boot_info.h"
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/summary.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"

extern struct boot_info boot_info;

/*
 * Everything acpi_init() learned. Zero until it runs (and again if it
 * fails), so "no ACPI" reads as every *_present flag false:
 *   root          the RSDP and the checked list of tables
 *   *_present     whether that table was found and parsed
 *   fadt ... dmar the parsed contents
 */
static struct acpi_info acpi;

/* The parsers' voice: errors and warnings go to the log as "acpi: ...". */
void acpi_report(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, LOG_PREFIX, fmt, ap);
	va_end(ap);
}

/* The parsers' memory (the DMAR's arrays): kmalloc, zeroed. */
void *acpi_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL);
}

void acpi_free(void *p)
{
	kfree(p);
}

/* Is every byte from @first to @last inside the memory map? Regions are
 * sorted, and a table may cross from one into the next. */
static bool acpi_in_memory_map(uint64_t first, uint64_t last)
{
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];

		if (first < r->base || first - r->base >= r->length)
			continue;
		if (last - r->base < r->length)
			return true;
		first = r->base + r->length;  /* the rest must be in the next region */
	}
	return false;
}

/* Is every page of [first, last] really in the direct map? The map leaves
 * out holes and non-RAM above 4 GiB; before the kernel's own tables are
 * live, only the boot paths' first 4 GiB is promised. */
static bool acpi_directly_mapped(uint64_t first, uint64_t last)
{
	uint64_t pte, page_size;

	if (!paging_direct_map_end())
		return last < BOOT_MIN_MAPPED;
	for (uint64_t p = first & PAGE_MASK; p <= (last & PAGE_MASK); p += PAGE_SIZE)
		if (!paging_lookup(phys_to_virt(p), &pte, &page_size))
			return false;
	return true;
}

/* The walk's view of physical memory: the direct map, but only where the
 * firmware's memory map says something exists and a mapping really does. */
static const void *acpi_kernel_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (len == 0 || len - 1 > UINT64_MAX - phys)
		return NULL;  /* empty, or wraps around the address space */
	if (!acpi_in_memory_map(phys, phys + (len - 1)) ||
	    !acpi_directly_mapped(phys, phys + (len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

CMDLINE_PARAM(acpi_dump, "acpi.dump", CMDLINE_FLAG,
	      "hexdump the RSDP, the root table and every ACPI table at boot");

static const struct acpi_mem acpi_kernel_mem = { acpi_kernel_map, NULL };

/* A parser's verdict: usable (complete, or what fitted), or skipped. */
static bool acpi_accept(const char *name, int err)
{
	if (err == 0 || err == -E2BIG)
		return true;
	pr_err("%s %s and will not be used", name,
	       err == -ENOMEM ? "does not fit in memory" : "is malformed");
	return false;
}

/* Parse each table Busmaster uses (the first of each signature). */
static void acpi_parse_all(void)
{
	const void *t;
	size_t len;

	if ((t = acpi_find_table("FACP", 0, &len)))
		acpi.fadt_present = acpi_accept("FADT", acpi_parse_fadt(t, len, &acpi.fadt));
	if ((t = acpi_find_table("APIC", 0, &len)))
		acpi.madt_present = acpi_accept("MADT", acpi_parse_madt(t, len, &acpi.madt));
	if ((t = acpi_find_table("MCFG", 0, &len)))
		acpi.mcfg_present = acpi_accept("MCFG", acpi_parse_mcfg(t, len, &acpi.mcfg));
	if ((t = acpi_find_table("HPET", 0, &len)))
		acpi.hpet_present = acpi_accept("HPET", acpi_parse_hpet(t, len, &acpi.hpet));
	if ((t = acpi_find_table("DMAR", 0, &len)))
		acpi.dmar_present = acpi_accept("DMAR", acpi_parse_dmar(t, len, &acpi.dmar));
}

int acpi_init(uint64_t rsdp_phys)
{
	int err;

	acpi_dmar_free(&acpi.dmar);  /* a second call rebuilds everything */
	memset(&acpi, 0, sizeof(acpi));
	if (rsdp_phys == 0) {
		pr_err("the boot path found no RSDP; running without ACPI");
		return -ENOENT;
	}
	err = acpi_walk_root(&acpi_kernel_mem, rsdp_phys, &acpi.root);
	if (err && err != -E2BIG) {
		memset(&acpi, 0, sizeof(acpi));
		pr_err("no usable RSDP or root table; running without ACPI");
		return err;
	}
	acpi_log_tables(&acpi.root);
	if (cmdline_has(&kernel_cmdline, "acpi.dump"))
		acpi_dump_tables(&acpi_kernel_mem, &acpi.root);
	acpi_parse_all();
	acpi_log_summary(&acpi);
	return 0;
}

const struct acpi_info *acpi_get_info(void)
{
	return &acpi;
}

const void *acpi_find_table(const char sig[4], unsigned instance, size_t *len)
{
	for (unsigned i = 0; i < acpi.root.table_count; i++) {
		const struct acpi_table_ref *t = &acpi.root.tables[i];

		if (memcmp(t->signature, sig, 4) != 0 || instance-- > 0)
			continue;
		if (len)
			*len = t->length;
		return t->data;
	}
	return NULL;
}
