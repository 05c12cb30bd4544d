/*
 * fadt.c - the FADT ("FACP"): ACPI's fixed hardware and boot flags.
 *
 * The FADT grew with every ACPI version: 116 bytes in ACPI 1.0, 276 in
 * 6.5. Newer fields are read only when the table's Length covers them; a
 * 64-bit "X_" field, when present and non-zero, supersedes its 32-bit
 * ancestor. Busmaster wants the ACPI PM timer (a 3.579545 MHz counter at
 * an I/O port, handy to calibrate other clocks), the SCI interrupt, the
 * boot architecture flags and the reset register. Pure logic, tested on
 * the host.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/internal.h"
#include "kernel/acpi/tables.h"
#include "kernel/errno.h"

#define ACPI_IO_PORT_MAX 0xffff

/* Does a FADT of @length bytes contain @field? Older FADTs are shorter. */
#define FADT_HAS(length, field) \
	(offsetof(struct acpi_fadt_table, field) + \
	 sizeof(((const struct acpi_fadt_table *)0)->field) <= (length))

/* The PM timer: X_PM_TMR_BLK (I/O space only) wins over PM_TMR_BLK. */
static void fadt_pm_timer(const struct acpi_fadt_table *f, size_t length, struct acpi_fadt *out)
{
	uint64_t port = f->pm_tmr_blk;

	if (out->hw_reduced)
		return;  /* no fixed hardware: the timer fields mean nothing */
	if (FADT_HAS(length, x_pm_tmr_blk) && f->x_pm_tmr_blk.address) {
		if (f->x_pm_tmr_blk.space_id == ACPI_SPACE_IO)
			port = f->x_pm_tmr_blk.address;
		else
			acpi_report(LOG_WARN, "FADT: X_PM_TMR_BLK is in address space %u, not "
				    "I/O; using PM_TMR_BLK", f->x_pm_tmr_blk.space_id);
	}
	if (port == 0)
		return;
	if (port > ACPI_IO_PORT_MAX || f->pm_tmr_len != ACPI_FADT_PM_TMR_LEN) {
		acpi_report(LOG_WARN, "FADT: PM timer at port %#llx with PM_TMR_LEN %u (must be "
			    "a 16-bit port and 4); not using it", (unsigned long long)port,
			    f->pm_tmr_len);
		return;
	}
	out->pm_timer_port = (uint16_t)port;
	out->pm_timer_32bit = f->flags & ACPI_FADT_TMR_VAL_EXT;
}

/* The reset register, if the firmware says it works. */
static void fadt_reset(const struct acpi_fadt_table *f, size_t length, struct acpi_fadt *out)
{
	if (!FADT_HAS(length, reset_value) || !(f->flags & ACPI_FADT_RESET_REG_SUP))
		return;
	out->reset_supported = true;
	out->reset_space = f->reset_reg.space_id;
	out->reset_address = f->reset_reg.address;
	out->reset_value = f->reset_value;
}

int acpi_parse_fadt(const void *table, size_t len, struct acpi_fadt *out)
{
	const struct acpi_fadt_table *f = table;
	size_t length;

	memset(out, 0, sizeof(*out));
	length = acpi_check_table(table, len, "FACP", ACPI_FADT_V1_LENGTH);
	if (!length)
		return -EINVAL;
	out->revision = f->header.revision;
	out->sci_irq = f->sci_int;
	out->smi_cmd = f->smi_cmd;
	out->acpi_enable = f->acpi_enable;
	out->acpi_disable = f->acpi_disable;
	out->flags = f->flags;
	out->hw_reduced = f->flags & ACPI_FADT_HW_REDUCED;
	if (f->header.revision >= ACPI_FADT_IAPC_MIN_REVISION)
		out->iapc_boot_arch = f->iapc_boot_arch;
	/* A 64-bit pointer, when the table has one and it is set, wins. */
	out->dsdt_phys = FADT_HAS(length, x_dsdt) && f->x_dsdt ? f->x_dsdt : f->dsdt;
	out->facs_phys = FADT_HAS(length, x_firmware_ctrl) && f->x_firmware_ctrl ?
			 f->x_firmware_ctrl : f->firmware_ctrl;
	fadt_reset(f, length, out);
	fadt_pm_timer(f, length, out);
	return 0;
}
