/*
 * dmar.h - the byte layouts of the DMAR table (Intel VT-d).
 *
 * The DMA Remapping table is defined by chapter 8 of the Intel
 * Virtualization Technology for Directed I/O Architecture Specification
 * (VT-d), not by the ACPI specification. It is the ACPI header, a few
 * fixed fields, then a list of "remapping structures", each starting with
 * a 16-bit type and a 16-bit length. Some of them end in a list of
 * "device scopes", each with an 8-bit type and an 8-bit length, whose
 * tail is a path of (device, function) pairs.
 *
 * Packed for the same reason as tables.h: nothing is aligned.
 */
#ifndef KERNEL_ACPI_DMAR_H
#define KERNEL_ACPI_DMAR_H

#include <stdint.h>
#include "kernel/acpi/tables.h"

/* VT-d 8.1 DMA Remapping Reporting Structure. */
struct acpi_dmar_table {
	struct acpi_header header;
	uint8_t host_address_width; /* width - 1 */
	uint8_t flags;              /* ACPI_DMAR_INTR_REMAP, ... */
	uint8_t reserved[10];
	/* remapping structures follow */
} ACPI_PACKED;

/* VT-d 8.2 Remapping Structure Types: every structure starts so. */
struct acpi_dmar_struct {
	uint16_t type;              /* ACPI_DMAR_TYPE_* */
	uint16_t length;            /* of the structure, scopes included */
} ACPI_PACKED;

enum acpi_dmar_type {
	ACPI_DMAR_TYPE_DRHD = 0,    /* DMA remapping hardware unit */
	ACPI_DMAR_TYPE_RMRR = 1,    /* reserved memory region */
	ACPI_DMAR_TYPE_ATSR = 2,    /* root port ATS capability */
	ACPI_DMAR_TYPE_RHSA = 3,    /* remapping hardware static affinity */
	ACPI_DMAR_TYPE_ANDD = 4,    /* ACPI namespace device declaration */
	ACPI_DMAR_TYPE_SATC = 5,    /* SoC integrated address translation cache */
};

/* VT-d 8.3 DMA Remapping Hardware Unit Definition (DRHD) Structure. */
struct acpi_dmar_drhd_struct {
	struct acpi_dmar_struct header;
	uint8_t flags;              /* ACPI_DMAR_DRHD_INCLUDE_PCI_ALL */
	uint8_t size;               /* bits 3:0: register set is 2^size pages */
	uint16_t segment_number;
	uint64_t register_base_address;
	/* device scopes follow */
} ACPI_PACKED;

#define ACPI_DMAR_DRHD_INCLUDE_PCI_ALL 0x1
#define ACPI_DMAR_DRHD_SIZE_MASK       0xf

/* VT-d 8.4 Reserved Memory Region Reporting (RMRR) Structure. */
struct acpi_dmar_rmrr_struct {
	struct acpi_dmar_struct header;
	uint16_t reserved;
	uint16_t segment_number;
	uint64_t reserved_memory_region_base_address;
	uint64_t reserved_memory_region_limit_address; /* last byte */
	/* device scopes follow */
} ACPI_PACKED;

/* VT-d 8.5 Root Port ATS Capability Reporting (ATSR) Structure. */
struct acpi_dmar_atsr_struct {
	struct acpi_dmar_struct header;
	uint8_t flags;              /* ACPI_DMAR_ATSR_ALL_PORTS */
	uint8_t reserved;
	uint16_t segment_number;
	/* device scopes follow */
} ACPI_PACKED;

#define ACPI_DMAR_ATSR_ALL_PORTS 0x1

/* VT-d 8.3.1 Device Scope Structure. */
struct acpi_dmar_scope_struct {
	uint8_t type;               /* enum acpi_dmar_scope_type */
	uint8_t length;             /* 6 + 2 * hops */
	uint8_t flags;              /* reserved before VT-d 4.0 */
	uint8_t reserved;
	uint8_t enumeration_id;
	uint8_t start_bus_number;
	/* path: (device, function) byte pairs follow */
} ACPI_PACKED;

#define ACPI_DMAR_HOP_SIZE    2     /* one (device, function) pair */
#define ACPI_PCI_MAX_BUS      255
#define ACPI_PCI_MAX_DEVICE   31
#define ACPI_PCI_MAX_FUNCTION 7
#define ACPI_DMAR_PAGE_SIZE   4096  /* register sets and RMRRs are page-granular */
#define ACPI_DMAR_MAX_WIDTH   64    /* Host Address Width + 1 cannot exceed this */

_Static_assert(sizeof(struct acpi_dmar_table) == 48, "DMAR fixed part");
_Static_assert(sizeof(struct acpi_dmar_struct) == 4, "remapping structure header");
_Static_assert(sizeof(struct acpi_dmar_drhd_struct) == 16, "DRHD fixed part");
_Static_assert(sizeof(struct acpi_dmar_rmrr_struct) == 24, "RMRR fixed part");
_Static_assert(sizeof(struct acpi_dmar_atsr_struct) == 8, "ATSR fixed part");
_Static_assert(sizeof(struct acpi_dmar_scope_struct) == 6, "device scope fixed part");

#endif /* KERNEL_ACPI_DMAR_H */
