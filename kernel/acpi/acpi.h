/*
 * acpi.h - what the firmware's ACPI tables say about the machine.
 *
 * The firmware leaves a Root System Description Pointer (RSDP) in memory;
 * it points to a root table (the RSDT, or the XSDT from ACPI 2.0 on) that
 * lists every other table. Busmaster reads five of them:
 *
 *   FACP  (FADT)  fixed hardware: the ACPI PM timer port, the SCI, boot flags
 *   APIC  (MADT)  interrupt controllers: local APICs (the CPUs), I/O APICs
 *   MCFG          where PCIe configuration space is memory-mapped (ECAM)
 *   HPET          the High Precision Event Timer's registers
 *   DMAR          Intel VT-d: the IOMMUs and the devices each one covers
 *
 * The parsers are pure functions over a byte buffer, so host tests and
 * fuzzers call them on captured or hostile tables. Each checks every
 * length, count and offset before it reads, reports a malformed table
 * naming the table and the field, and returns an error instead of
 * guessing. acpi_init() runs them on the firmware's tables at boot and
 * keeps the results; the rest of the kernel reads them through
 * acpi_get_info().
 *
 * Fixed-size arrays hold most results (limits below); a table with more
 * entries than fit is reported, naming the limit, and the first ones are
 * kept. The DMAR's units, regions and device scopes have no limit: QEMU
 * lists every root-bus device as a scope, so they live in arrays the
 * parser allocates (acpi_dmar_free() gives them back).
 */
#ifndef KERNEL_ACPI_ACPI_H
#define KERNEL_ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits of the result arrays ---- */
#define ACPI_MAX_TABLES        32  /* tables listed by the RSDT or XSDT */
#define ACPI_MAX_MCFG          8   /* ECAM regions */
#define ACPI_MAX_CPUS          64  /* local APIC and x2APIC entries */
#define ACPI_MAX_IOAPICS       8
#define ACPI_MAX_OVERRIDES     16  /* interrupt source overrides */
#define ACPI_MAX_LAPIC_NMIS    16  /* local APIC NMI connections */
#define ACPI_DMAR_MAX_PATH     8   /* dev.fn hops in one device scope path */

/* ---- the tables found ---- */

/* One table listed by the root table, checked (length and checksum). */
struct acpi_table_ref {
	char signature[5];      /* "APIC", NUL-terminated */
	uint8_t revision;       /* of the table's format */
	uint32_t length;        /* bytes, header included */
	uint64_t phys;          /* where the firmware put it */
	char oem_id[7];         /* who built it ("BOCHS "), NUL-terminated */
	char oem_table_id[9];   /* the builder's name for it ("BXPC    ") */
	const void *data;       /* the table, readable for @length bytes */
};

/* The RSDP and the root table it led to. */
struct acpi_root {
	uint64_t rsdp_phys;
	uint8_t rsdp_revision;  /* 0: ACPI 1.0 (RSDT only); 2 and up: XSDT too */
	char oem_id[7];         /* the RSDP's, NUL-terminated */
	uint64_t rsdt_phys;     /* as the RSDP gives them; 0 if absent */
	uint64_t xsdt_phys;     /* (only ACPI 2.0+ RSDPs have an XSDT) */
	bool xsdt;              /* the tables came from the XSDT, not the RSDT */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned table_count;
};

/* ---- FACP: Fixed ACPI Description Table ---- */

/* IA-PC boot architecture flags (FADT IAPC_BOOT_ARCH). */
#define ACPI_IAPC_LEGACY_DEVICES     (1u << 0)  /* ISA devices (serial, ...) exist */
#define ACPI_IAPC_8042               (1u << 1)  /* a PS/2 keyboard controller */
#define ACPI_IAPC_VGA_NOT_PRESENT    (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED  (1u << 3)  /* do not enable MSI */
#define ACPI_IAPC_ASPM_CONTROLS      (1u << 4)
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

struct acpi_fadt {
	uint8_t revision;        /* of the FADT (1 in ACPI 1.0, 3+ later) */
	uint16_t pm_timer_port;  /* I/O port of the 3.579545 MHz PM timer, 0 if none */
	bool pm_timer_32bit;     /* counter is 32 bits wide (else 24) */
	uint16_t sci_irq;        /* the SCI's interrupt (an ISA IRQ or a GSI) */
	uint32_t smi_cmd;        /* port for ACPI enable/disable; 0: always ACPI mode */
	uint8_t acpi_enable;     /* values to write to smi_cmd */
	uint8_t acpi_disable;
	uint16_t iapc_boot_arch; /* ACPI_IAPC_*; 0 if the FADT predates the field */
	uint32_t flags;          /* the FADT's Flags field (ACPI_FADT_*) */
	bool hw_reduced;         /* hardware-reduced ACPI: no fixed hardware */
	bool reset_supported;    /* the reset register below works */
	uint8_t reset_space;     /* address space of the reset register (0 memory, 1 I/O) */
	uint64_t reset_address;
	uint8_t reset_value;     /* write this to reset the machine */
	uint64_t dsdt_phys;      /* the DSDT (AML), 0 if none */
	uint64_t facs_phys;      /* the FACS, 0 if none */
};

/* FADT Flags bits used here. */
#define ACPI_FADT_TMR_VAL_EXT   (1u << 8)   /* PM timer is 32 bits */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED    (1u << 20)

/* ---- APIC: Multiple APIC Description Table ---- */

struct acpi_madt_cpu {
	uint32_t apic_id;       /* local APIC (or x2APIC) id */
	uint32_t uid;           /* ACPI processor UID */
	bool enabled;           /* usable now */
	bool online_capable;    /* not enabled, but can be brought online */
	bool x2apic;            /* came from an x2APIC entry */
};

struct acpi_madt_ioapic {
	uint8_t id;
	uint32_t address;       /* physical address of its registers */
	uint32_t gsi_base;      /* first global system interrupt it serves */
};

/* An ISA interrupt routed to a different GSI, or with other polarity/trigger. */
struct acpi_madt_override {
	uint8_t bus;            /* 0: ISA */
	uint8_t source_irq;     /* the ISA IRQ */
	uint32_t gsi;           /* where it really arrives */
	uint16_t flags;         /* ACPI_MPS_* polarity and trigger */
};

/* Polarity and trigger mode (MPS INTI flags) of overrides and NMIs. */
#define ACPI_MPS_POLARITY_MASK   0x3
#define ACPI_MPS_POLARITY_HIGH   0x1
#define ACPI_MPS_POLARITY_LOW    0x3
#define ACPI_MPS_TRIGGER_MASK    0xc
#define ACPI_MPS_TRIGGER_EDGE    0x4
#define ACPI_MPS_TRIGGER_LEVEL   0xc

/* Which local APIC input (LINT0/1) carries NMI on which processor. */
struct acpi_madt_lapic_nmi {
	uint32_t uid;           /* processor UID; ACPI_MADT_ALL_CPUS for all */
	uint16_t flags;         /* ACPI_MPS_* */
	uint8_t lint;           /* 0 or 1 */
};
#define ACPI_MADT_ALL_CPUS 0xffffffffu

struct acpi_madt {
	uint64_t lapic_phys;    /* local APIC registers (after any override) */
	bool pcat_compat;       /* legacy 8259 PICs present (mask them) */
	struct acpi_madt_cpu cpus[ACPI_MAX_CPUS];
	unsigned cpu_count;
	struct acpi_madt_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned ioapic_count;
	struct acpi_madt_override overrides[ACPI_MAX_OVERRIDES];
	unsigned override_count;
	struct acpi_madt_lapic_nmi nmis[ACPI_MAX_LAPIC_NMIS];
	unsigned nmi_count;
};

/* ---- MCFG: PCI Express memory-mapped configuration space ---- */

struct acpi_mcfg_entry {
	uint64_t base;          /* ECAM base: config space of bus 0 of this segment */
	uint16_t segment;       /* PCI segment group */
	uint8_t bus_start;      /* first and last bus decoded */
	uint8_t bus_end;
};

struct acpi_mcfg {
	struct acpi_mcfg_entry entries[ACPI_MAX_MCFG];
	unsigned count;
};

/* ---- HPET: High Precision Event Timer ---- */

struct acpi_hpet {
	uint64_t base_phys;     /* the timer block's registers (memory space) */
	uint32_t block_id;      /* copy of the capabilities register's low half */
	uint16_t vendor_id;     /* decoded from block_id */
	uint8_t comparators;    /* number of timers */
	bool counter_64bit;
	bool legacy_capable;    /* can replace the PIT and RTC interrupts */
	uint8_t number;         /* HPET sequence number */
	uint16_t min_tick;      /* smallest periodic tick, in main counter ticks */
	uint8_t page_protection;/* 0 none, 1: 4 KiB, 2: 64 KiB around the block */
};

/* ---- DMAR: DMA remapping (Intel VT-d) ---- */

/* Device scope types (VT-d 8.3.1). */
enum acpi_dmar_scope_type {
	ACPI_DMAR_SCOPE_ENDPOINT  = 1,  /* one PCI endpoint */
	ACPI_DMAR_SCOPE_BRIDGE    = 2,  /* a bridge and everything below it */
	ACPI_DMAR_SCOPE_IOAPIC    = 3,
	ACPI_DMAR_SCOPE_HPET      = 4,  /* an MSI-capable HPET */
	ACPI_DMAR_SCOPE_NAMESPACE = 5,  /* an ACPI namespace device */
};

/* One hop of a scope path: a device and function on the current bus. */
struct acpi_dmar_hop {
	uint8_t dev;
	uint8_t fn;
};

/* A device scope as the firmware gives it: a start bus and a path of
 * dev.fn hops through bridges. acpi_dmar_scope_resolve() follows it. */
struct acpi_dmar_scope {
	uint8_t type;            /* enum acpi_dmar_scope_type */
	uint8_t enumeration_id;  /* I/O APIC id, HPET number, or ACPI device number */
	uint8_t start_bus;
	uint8_t path_len;        /* hops in path[] */
	struct acpi_dmar_hop path[ACPI_DMAR_MAX_PATH];
};

/* A DMA-remapping hardware unit: one IOMMU's registers and what it covers. */
struct acpi_dmar_drhd {
	uint64_t base;           /* register set */
	uint16_t segment;
	bool include_pci_all;    /* covers every device of the segment that no
	                            other unit lists */
	uint8_t size;            /* register set spans 2^size 4 KiB pages (0: one) */
	struct acpi_dmar_scope *scopes;  /* @scope_count, in acpi_dmar.scope_pool */
	unsigned scope_count;
};

/* Memory the firmware keeps using for DMA (USB keyboards, ...): the
 * listed devices need it identity-mapped. */
struct acpi_dmar_rmrr {
	uint64_t base;           /* first byte */
	uint64_t limit;          /* last byte */
	uint16_t segment;
	struct acpi_dmar_scope *scopes;  /* @scope_count, in acpi_dmar.scope_pool */
	unsigned scope_count;
};

/* Root ports that support Address Translation Services. */
struct acpi_dmar_atsr {
	uint16_t segment;
	bool all_ports;          /* every root port of the segment */
	struct acpi_dmar_scope *scopes;  /* @scope_count, in acpi_dmar.scope_pool */
	unsigned scope_count;
};

/* DMAR Flags. */
#define ACPI_DMAR_INTR_REMAP       (1u << 0)
#define ACPI_DMAR_X2APIC_OPT_OUT   (1u << 1)
#define ACPI_DMAR_DMA_CTRL_OPT_IN  (1u << 2)

/* Every array is allocated to the table's own counts (NULL when 0). */
struct acpi_dmar {
	uint8_t host_address_width; /* bits of DMA address the platform decodes */
	uint8_t flags;              /* ACPI_DMAR_* */
	struct acpi_dmar_drhd *drhds;
	unsigned drhd_count;
	struct acpi_dmar_rmrr *rmrrs;
	unsigned rmrr_count;
	struct acpi_dmar_atsr *atsrs;
	unsigned atsr_count;
	struct acpi_dmar_scope *scope_pool; /* every kept scope, in table order */
	unsigned scope_total;
	unsigned other_count;       /* structures of other types, skipped */
};

/* ---- everything, as acpi_init() found it ---- */

struct acpi_info {
	struct acpi_root root;
	bool fadt_present;
	struct acpi_fadt fadt;
	bool madt_present;
	struct acpi_madt madt;
	bool mcfg_present;
	struct acpi_mcfg mcfg;
	bool hpet_present;
	struct acpi_hpet hpet;
	bool dmar_present;
	struct acpi_dmar dmar;
};

/* ---- at boot ---- */

/**
 * acpi_init - find, check, parse and log the firmware's ACPI tables.
 * @rsdp_phys: physical address of the RSDP (boot_info.rsdp_phys), 0 if none
 *
 * Lists every table the root table names, then parses the FADT, MADT,
 * MCFG, HPET and DMAR. A malformed table is reported and skipped; the
 * others are still used. `acpi.dump` on the command line hexdumps every
 * table to the console. Needs the direct map over the firmware's memory
 * map (tables are only read inside its regions) and the command line.
 *
 * Return: 0; -ENOENT if there is no RSDP; -EINVAL if the RSDP or the root
 * table is unusable; -EFAULT if they lie outside the memory map. On an
 * error the kernel goes on without ACPI (acpi_get_info() reports nothing).
 */
int acpi_init(uint64_t rsdp_phys);

/**
 * acpi_get_info - the results of acpi_init().
 *
 * Return: never NULL. Before acpi_init(), or after it failed, every
 * *_present flag is false and root.table_count is 0.
 */
const struct acpi_info *acpi_get_info(void);

/**
 * acpi_find_table - a checked table by signature.
 * @sig: four characters, e.g. "APIC" (not NUL-terminated necessarily)
 * @instance: 0 for the first table with that signature, 1 for the next...
 * @len: if not NULL, receives the table's length in bytes
 *
 * Only tables whose length and checksum were valid are found.
 * Return: the table (header included), or NULL.
 */
const void *acpi_find_table(const char sig[4], unsigned instance, size_t *len);

/* ---- pure parsers: byte buffers in, plain structures out ---- */

/*
 * Each parser checks the table header (signature, Length within @len,
 * checksum) and every entry, then fills @out. Return values:
 *   0        parsed; @out holds everything
 *   -E2BIG   well-formed, but more entries than the arrays hold: reported,
 *            @out holds the ones that fit and is usable
 *   -EINVAL  malformed: reported (table and field named), @out zeroed
 */

/**
 * acpi_parse_fadt - read the FADT ("FACP").
 * @table: the table; @len: bytes readable at @table; @out: result
 * Accepts every FADT revision: fields beyond the table's Length read as 0.
 */
int acpi_parse_fadt(const void *table, size_t len, struct acpi_fadt *out);

/**
 * acpi_parse_madt - read the MADT ("APIC"): CPUs, I/O APICs, overrides, NMIs.
 * @table: the table; @len: bytes readable at @table; @out: result
 * Entries of types it does not use are skipped after their length is checked.
 */
int acpi_parse_madt(const void *table, size_t len, struct acpi_madt *out);

/* Where an ISA IRQ arrives at the I/O APICs, and how it is signalled. */
struct acpi_irq_route {
	uint32_t gsi;           /* global system interrupt */
	bool level;             /* level-triggered (else edge) */
	bool active_low;        /* asserted low (else high) */
	bool overridden;        /* an interrupt source override said so */
};

/**
 * acpi_madt_isa_route - resolve ISA IRQ @irq through @madt's interrupt
 * source overrides (ACPI 6.4, 5.2.12.5); without one it arrives at GSI @irq.
 * @pci: the signal is a PCI INTx the chipset steers onto that IRQ, so where
 *       an override (or its absence) "conforms to the bus", take PCI's
 *       level/active-low instead of ISA's edge/active-high.
 */
void acpi_madt_isa_route(const struct acpi_madt *madt, unsigned irq, bool pci,
			 struct acpi_irq_route *out);

/**
 * acpi_parse_mcfg - read the MCFG: ECAM regions.
 * @table: the table; @len: bytes readable at @table; @out: result
 */
int acpi_parse_mcfg(const void *table, size_t len, struct acpi_mcfg *out);

/**
 * acpi_parse_hpet - read the HPET table.
 * @table: the table; @len: bytes readable at @table; @out: result
 */
int acpi_parse_hpet(const void *table, size_t len, struct acpi_hpet *out);

/**
 * acpi_parse_dmar - read the DMAR: DRHDs, RMRRs and ATSRs with their scopes.
 * @table: the table; @len: bytes readable at @table; @out: result
 *
 * Other remapping structures (RHSA, ANDD, SATC, ...) are length-checked,
 * counted in @out->other_count and skipped. Two passes: the first checks
 * and counts, the second fills arrays of exactly those sizes, so any
 * number of units and scopes is kept. @out is overwritten, not freed:
 * give a previous result to acpi_dmar_free() first. Besides the codes
 * above: -ENOMEM (reported, @out zeroed) if the arrays cannot be had;
 * -E2BIG only for a scope path longer than ACPI_DMAR_MAX_PATH.
 */
int acpi_parse_dmar(const void *table, size_t len, struct acpi_dmar *out);

/**
 * acpi_dmar_free - give back what acpi_parse_dmar() allocated; zero @dmar.
 * @dmar: a parsed DMAR, or a zeroed one (then nothing happens)
 */
void acpi_dmar_free(struct acpi_dmar *dmar);

/* ---- the RSDP walk, over any memory ---- */

/*
 * How the walk reads physical memory: map() returns a pointer to @len
 * readable bytes at @phys, or NULL if that range is not memory the caller
 * vouches for. The kernel checks the range against the firmware's memory
 * map and returns the direct-map address; tests and fuzzers serve a blob.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void *ctx;
};

/**
 * acpi_walk_root - check the RSDP and list the tables of its root table.
 * @mem: how to read physical memory
 * @rsdp_phys: the RSDP
 * @out: the RSDP's facts and the tables found
 *
 * Uses the XSDT when the RSDP is ACPI 2.0+ and the XSDT is valid, else the
 * RSDT. Every table's header is read first; its Length is checked (at
 * least a header, no wrap-around) before the whole table is mapped and
 * checksummed. Tables that fail are reported and left out.
 *
 * Return: 0; -E2BIG if more tables than ACPI_MAX_TABLES (the first ones
 * are kept); -EINVAL for a bad RSDP or no usable root table; -EFAULT if
 * the RSDP cannot be mapped.
 */
int acpi_walk_root(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_root *out);

/* ---- DMAR device scope paths ---- */

/*
 * Reads the secondary bus number of the bridge at @bus:@dev.@fn from PCI
 * configuration space. Returns it (0-255), or a negative errno if there is
 * no bridge there.
 */
typedef int (*acpi_secondary_bus_fn)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn);

/**
 * acpi_dmar_scope_resolve - follow a device scope's path to the device.
 * @scope: a scope from acpi_parse_dmar()
 * @secondary_bus: reads a bridge's secondary bus (PCI config space)
 * @ctx: passed to @secondary_bus
 * @bus, @dev, @fn: receive the device the path ends at
 *
 * Starts on @scope->start_bus; every hop but the last names a bridge,
 * whose secondary bus is where the next hop is looked for (VT-d 8.3.1).
 *
 * Return: 0; -EINVAL for an empty path or a bridge whose secondary bus is
 * not above its own bus; or the callback's error.
 */
int acpi_dmar_scope_resolve(const struct acpi_dmar_scope *scope,
			    acpi_secondary_bus_fn secondary_bus, void *ctx,
			    uint8_t *bus, uint8_t *dev, uint8_t *fn);

/* A readable name for a scope type ("endpoint", "bridge", "IOAPIC", ...). */
const char *acpi_dmar_scope_type_name(uint8_t type);

#endif /* KERNEL_ACPI_ACPI_H */
