/*
 * tables.h - the byte layouts of the ACPI tables Busmaster reads.
 *
 * Each structure mirrors a table of the ACPI Specification 6.5 (or of the
 * specification that owns the table, for MCFG and HPET), field for field,
 * with the specification's field names in lower case. They are packed:
 * firmware places tables at any byte address, and packing makes the
 * compiler read every field byte-safely. All values are little-endian,
 * like the x86 that reads them.
 *
 * Never cast a pointer to one of these before checking that the bytes it
 * covers are inside the table: that is what the parsers' length checks are
 * for.
 */
#ifndef KERNEL_ACPI_TABLES_H
#define KERNEL_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_PACKED __attribute__((packed))

/* ACPI 6.5 5.2.5.3 Root System Description Pointer (RSDP) Structure. */
struct acpi_rsdp {
	char signature[8];          /* "RSD PTR " */
	uint8_t checksum;           /* first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;           /* 0: ACPI 1.0; 2: ACPI 2.0 and later */
	uint32_t rsdt_address;
	/* ACPI 2.0 and later only: */
	uint32_t length;            /* of the whole RSDP */
	uint64_t xsdt_address;
	uint8_t extended_checksum;  /* all @length bytes sum to 0 */
	uint8_t reserved[3];
} ACPI_PACKED;

#define ACPI_RSDP_SIGNATURE  "RSD PTR "
#define ACPI_RSDP_V1_LENGTH  20   /* the ACPI 1.0 part, covered by checksum */
#define ACPI_RSDP_V2_LENGTH  36   /* sizeof(struct acpi_rsdp) */
#define ACPI_RSDP_MAX_LENGTH 4096 /* sanity bound on a v2 RSDP's Length */

/* ACPI 6.5 5.2.6 System Description Table Header: starts every table. */
struct acpi_header {
	char signature[4];
	uint32_t length;            /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;           /* all @length bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;

/* ACPI 6.5 5.2.7 RSDT: the header, then 32-bit table addresses.
 * ACPI 6.5 5.2.8 XSDT: the header, then 64-bit table addresses. */
#define ACPI_RSDT_ENTRY_SIZE 4
#define ACPI_XSDT_ENTRY_SIZE 8

/* ACPI 6.5 5.2.3.2 Generic Address Structure (GAS). */
struct acpi_gas {
	uint8_t space_id;           /* ACPI_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} ACPI_PACKED;

#define ACPI_SPACE_MEMORY 0
#define ACPI_SPACE_IO     1

/* ACPI 6.5 5.2.9 Fixed ACPI Description Table (FADT), signature "FACP".
 * ACPI 1.0 FADTs end after @flags (116 bytes); later fields are read only
 * when the table's Length covers them. */
struct acpi_fadt_table {
	struct acpi_header header;
	uint32_t firmware_ctrl;     /* FACS, 32-bit */
	uint32_t dsdt;              /* DSDT, 32-bit */
	uint8_t reserved0;          /* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;        /* I/O port of the PM timer */
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;         /* 4 if the PM timer exists */
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;    /* ACPI 2.0 (FADT revision 2) and later */
	uint8_t reserved1;
	uint32_t flags;
	/* ACPI 2.0 and later: */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_identity;
} ACPI_PACKED;

#define ACPI_FADT_V1_LENGTH offsetof(struct acpi_fadt_table, reset_reg)  /* 116 */
#define ACPI_FADT_PM_TMR_LEN 4
#define ACPI_FADT_IAPC_MIN_REVISION 2   /* first FADT revision with IAPC_BOOT_ARCH */

/* ACPI 6.5 5.2.12 Multiple APIC Description Table (MADT), signature "APIC". */
struct acpi_madt_table {
	struct acpi_header header;
	uint32_t local_interrupt_controller_address;
	uint32_t flags;             /* ACPI_MADT_PCAT_COMPAT */
	/* interrupt controller structures follow */
} ACPI_PACKED;

#define ACPI_MADT_PCAT_COMPAT 0x1

/* Every MADT entry starts with a type and its own length. */
struct acpi_madt_entry {
	uint8_t type;               /* ACPI_MADT_TYPE_* */
	uint8_t length;             /* of the entry, these two bytes included */
} ACPI_PACKED;

enum acpi_madt_type {
	ACPI_MADT_TYPE_LAPIC          = 0,
	ACPI_MADT_TYPE_IOAPIC         = 1,
	ACPI_MADT_TYPE_OVERRIDE       = 2,
	ACPI_MADT_TYPE_NMI_SOURCE     = 3,
	ACPI_MADT_TYPE_LAPIC_NMI      = 4,
	ACPI_MADT_TYPE_LAPIC_OVERRIDE = 5,
	ACPI_MADT_TYPE_X2APIC         = 9,
	ACPI_MADT_TYPE_X2APIC_NMI     = 10,
};

/* ACPI 6.5 5.2.12.2 Processor Local APIC Structure. */
struct acpi_madt_lapic {
	struct acpi_madt_entry entry;
	uint8_t acpi_processor_uid;
	uint8_t apic_id;
	uint32_t flags;             /* ACPI_MADT_CPU_* */
} ACPI_PACKED;

#define ACPI_MADT_CPU_ENABLED        0x1
#define ACPI_MADT_CPU_ONLINE_CAPABLE 0x2

/* ACPI 6.5 5.2.12.3 I/O APIC Structure. */
struct acpi_madt_ioapic_entry {
	struct acpi_madt_entry entry;
	uint8_t io_apic_id;
	uint8_t reserved;
	uint32_t io_apic_address;
	uint32_t global_system_interrupt_base;
} ACPI_PACKED;

/* ACPI 6.5 5.2.12.5 Interrupt Source Override Structure. */
struct acpi_madt_override_entry {
	struct acpi_madt_entry entry;
	uint8_t bus;
	uint8_t source;
	uint32_t global_system_interrupt;
	uint16_t flags;             /* MPS INTI flags */
} ACPI_PACKED;

/* ACPI 6.5 5.2.12.7 Local APIC NMI Structure. */
struct acpi_madt_lapic_nmi_entry {
	struct acpi_madt_entry entry;
	uint8_t acpi_processor_uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t local_apic_lint;
} ACPI_PACKED;

#define ACPI_MADT_LAPIC_NMI_ALL 0xff

/* ACPI 6.5 5.2.12.8 Local APIC Address Override Structure. */
struct acpi_madt_lapic_override {
	struct acpi_madt_entry entry;
	uint16_t reserved;
	uint64_t local_apic_address;
} ACPI_PACKED;

/* ACPI 6.5 5.2.12.12 Processor Local x2APIC Structure. */
struct acpi_madt_x2apic {
	struct acpi_madt_entry entry;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;             /* as the local APIC's */
	uint32_t acpi_processor_uid;
} ACPI_PACKED;

/* ACPI 6.5 5.2.12.13 Local x2APIC NMI Structure. */
struct acpi_madt_x2apic_nmi {
	struct acpi_madt_entry entry;
	uint16_t flags;
	uint32_t acpi_processor_uid; /* 0xffffffff: all processors */
	uint8_t local_x2apic_lint;
	uint8_t reserved[3];
} ACPI_PACKED;

/* PCI Firmware Specification 3.0, 4.1.2 MCFG Table Description. */
struct acpi_mcfg_table {
	struct acpi_header header;
	uint8_t reserved[8];
	/* configuration space base address allocation structures follow */
} ACPI_PACKED;

struct acpi_mcfg_allocation {
	uint64_t base_address;      /* ECAM base for bus 0 of the segment */
	uint16_t pci_segment_group;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} ACPI_PACKED;

/* IA-PC HPET Specification 1.0a, 3.2.4 The ACPI 2.0 HPET Description Table. */
struct acpi_hpet_table {
	struct acpi_header header;
	uint32_t event_timer_block_id; /* = the capabilities register, bits 31:0 */
	struct acpi_gas base_address;  /* must be in system memory */
	uint8_t hpet_number;
	uint16_t main_counter_minimum_clock_tick;
	uint8_t page_protection;       /* bits 3:0; OEM attributes in 7:4 */
} ACPI_PACKED;

/* Fields of the event timer block id. */
#define ACPI_HPET_ID_COMPARATORS_SHIFT 8   /* bits 12:8: timers - 1 */
#define ACPI_HPET_ID_COMPARATORS_MASK  0x1f
#define ACPI_HPET_ID_COUNTER_64        (1u << 13)
#define ACPI_HPET_ID_LEGACY_CAPABLE    (1u << 15)
#define ACPI_HPET_ID_VENDOR_SHIFT      16
#define ACPI_HPET_PAGE_PROTECTION_MASK 0xf

/* The compiler must agree with the specifications' byte counts. */
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_header) == 36, "table header is 36 bytes");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
_Static_assert(offsetof(struct acpi_fadt_table, pm_tmr_blk) == 76, "FADT PM_TMR_BLK");
_Static_assert(offsetof(struct acpi_fadt_table, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt_table, reset_reg) == 116, "FADT RESET_REG");
_Static_assert(offsetof(struct acpi_fadt_table, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt_table, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK");
_Static_assert(sizeof(struct acpi_fadt_table) == 276, "FADT (6.5) is 276 bytes");
_Static_assert(sizeof(struct acpi_madt_table) == 44, "MADT fixed part");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct acpi_madt_ioapic_entry) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct acpi_madt_override_entry) == 10, "MADT override");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi_entry) == 6, "MADT local APIC NMI");
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "MADT LAPIC override");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC");
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "MADT x2APIC NMI");
_Static_assert(sizeof(struct acpi_mcfg_table) == 44, "MCFG fixed part");
_Static_assert(sizeof(struct acpi_mcfg_allocation) == 16, "MCFG entry");
_Static_assert(sizeof(struct acpi_hpet_table) == 56, "HPET table");

#endif /* KERNEL_ACPI_TABLES_H */
