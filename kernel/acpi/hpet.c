/*
 * hpet.c - the HPET table: where the High Precision Event Timer lives.
 *
 * The table is defined by Intel's IA-PC HPET specification rather than by
 * ACPI. It gives the timer block's register address, a copy of its
 * capabilities (vendor, number of comparators, counter width) and the
 * smallest period the OS should program in periodic mode. Pure logic,
 * tested on the host.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

/* The capabilities copy, decoded. */
static void hpet_decode_id(uint32_t id, struct acpi_hpet *out)
{
	out->block_id = id;
	out->vendor_id = (uint16_t)(id >> ACPI_HPET_ID_VENDOR_SHIFT);
	out->comparators = (uint8_t)(((id >> ACPI_HPET_ID_COMPARATORS_SHIFT) &
				      ACPI_HPET_ID_COMPARATORS_MASK) + 1);
	out->counter_64bit = id & ACPI_HPET_ID_COUNTER_64;
	out->legacy_capable = id & ACPI_HPET_ID_LEGACY_CAPABLE;
}

int acpi_parse_hpet(const void *table, size_t len, struct acpi_hpet *out)
{
	const struct acpi_hpet_table *h = table;

	memset(out, 0, sizeof(*out));
	if (!acpi_check_table(table, len, "HPET", sizeof(*h)))
		return -EINVAL;
	if (h->base_address.space_id != ACPI_SPACE_MEMORY || h->base_address.address == 0) {
		acpi_report(LOG_ERR, "HPET: Base Address %#llx in address space %u: the timer "
			    "block must be in system memory (space 0)",
			    (unsigned long long)h->base_address.address, h->base_address.space_id);
		return -EINVAL;
	}
	out->base_phys = h->base_address.address;
	hpet_decode_id(h->event_timer_block_id, out);
	out->number = h->hpet_number;
	out->min_tick = h->main_counter_minimum_clock_tick;
	out->page_protection = h->page_protection & ACPI_HPET_PAGE_PROTECTION_MASK;
	return 0;
}
