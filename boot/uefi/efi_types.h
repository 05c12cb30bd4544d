/*
 * efi_types.h - the plain UEFI data layouts, with no firmware calls.
 *
 * Written from the UEFI 2.x specification, chapter "Data Types" (base
 * types, EFI_STATUS codes of Appendix D "Status Codes"), "EFI System
 * Table" (EFI_CONFIGURATION_TABLE, the ACPI table GUIDs) and "Boot
 * Services > Memory Allocation Services" (EFI_MEMORY_TYPE,
 * EFI_MEMORY_DESCRIPTOR). Only the x64 binding is described: UINTN and
 * pointers are 64 bits, CHAR16 is a UCS-2 code unit.
 *
 * The loader's pure code (memmap.c) includes this header, and so do the
 * host unit tests, so it holds data types only. The tables of firmware
 * functions, which need the Microsoft calling convention, are in efi.h.
 */
#ifndef BOOT_UEFI_EFI_TYPES_H
#define BOOT_UEFI_EFI_TYPES_H

#include <stdint.h>

typedef uint64_t efi_status_t;      /* EFI_STATUS */
typedef uint64_t efi_uintn_t;       /* UINTN on x64 */
typedef uint64_t efi_phys_addr_t;   /* EFI_PHYSICAL_ADDRESS */
typedef uint64_t efi_virt_addr_t;   /* EFI_VIRTUAL_ADDRESS */
typedef uint16_t efi_char16_t;      /* CHAR16: one UCS-2 code unit */
typedef void *efi_handle_t;         /* EFI_HANDLE */
typedef void *efi_event_t;          /* EFI_EVENT */
typedef uint64_t efi_tpl_t;         /* EFI_TPL */

/* EFI_GUID: 128 bits, the first three fields stored little-endian. */
typedef struct {
	uint32_t data1;
	uint16_t data2;
	uint16_t data3;
	uint8_t  data4[8];
} efi_guid_t;

/* ---- Appendix D, "Status Codes" ---- */
#define EFI_ERROR_BIT           (1ULL << 63)   /* high bit set: an error */
#define EFI_ERRNO(n)            (EFI_ERROR_BIT | (n))
#define EFI_IS_ERROR(status)    (((status) & EFI_ERROR_BIT) != 0)

#define EFI_SUCCESS             0ULL
#define EFI_LOAD_ERROR          EFI_ERRNO(1)
#define EFI_INVALID_PARAMETER   EFI_ERRNO(2)
#define EFI_UNSUPPORTED         EFI_ERRNO(3)
#define EFI_BAD_BUFFER_SIZE     EFI_ERRNO(4)
#define EFI_BUFFER_TOO_SMALL    EFI_ERRNO(5)
#define EFI_NOT_READY           EFI_ERRNO(6)
#define EFI_DEVICE_ERROR        EFI_ERRNO(7)
#define EFI_WRITE_PROTECTED     EFI_ERRNO(8)
#define EFI_OUT_OF_RESOURCES    EFI_ERRNO(9)
#define EFI_VOLUME_CORRUPTED    EFI_ERRNO(10)
#define EFI_VOLUME_FULL         EFI_ERRNO(11)
#define EFI_NO_MEDIA            EFI_ERRNO(12)
#define EFI_MEDIA_CHANGED       EFI_ERRNO(13)
#define EFI_NOT_FOUND           EFI_ERRNO(14)
#define EFI_ACCESS_DENIED       EFI_ERRNO(15)
#define EFI_END_OF_FILE         EFI_ERRNO(31)

/* ---- "Memory Allocation Services": EFI_MEMORY_TYPE ---- */
enum efi_memory_type {
	EFI_RESERVED_MEMORY_TYPE       = 0,
	EFI_LOADER_CODE                = 1,
	EFI_LOADER_DATA                = 2,
	EFI_BOOT_SERVICES_CODE         = 3,
	EFI_BOOT_SERVICES_DATA         = 4,
	EFI_RUNTIME_SERVICES_CODE      = 5,
	EFI_RUNTIME_SERVICES_DATA      = 6,
	EFI_CONVENTIONAL_MEMORY        = 7,
	EFI_UNUSABLE_MEMORY            = 8,
	EFI_ACPI_RECLAIM_MEMORY        = 9,
	EFI_ACPI_MEMORY_NVS            = 10,
	EFI_MEMORY_MAPPED_IO           = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE                   = 13,
	EFI_PERSISTENT_MEMORY          = 14,
	EFI_UNACCEPTED_MEMORY          = 15,   /* UEFI 2.9 */
};

#define EFI_PAGE_SHIFT  12
#define EFI_PAGE_SIZE   (1ULL << EFI_PAGE_SHIFT)   /* the unit of NumberOfPages */

/*
 * EFI_MEMORY_DESCRIPTOR as GetMemoryMap() returns it. The firmware may
 * append fields in later revisions: walk the map with the DescriptorSize it
 * reports, never with sizeof(struct efi_memory_descriptor).
 */
struct efi_memory_descriptor {
	uint32_t        type;             /* enum efi_memory_type */
	uint32_t        pad;              /* the natural alignment gap */
	efi_phys_addr_t physical_start;   /* 4 KiB aligned */
	efi_virt_addr_t virtual_start;
	uint64_t        number_of_pages;  /* 4 KiB pages */
	uint64_t        attribute;        /* EFI_MEMORY_UC, _WB, _RUNTIME ... */
};

/* ---- "EFI System Table": EFI_CONFIGURATION_TABLE ---- */
struct efi_configuration_table {
	efi_guid_t vendor_guid;
	void      *vendor_table;
};

/* The RSDP of ACPI 2.0 and later (XSDT), and of ACPI 1.0 (RSDT only). */
#define EFI_ACPI_20_TABLE_GUID \
	{ 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }
#define EFI_ACPI_10_TABLE_GUID \
	{ 0xeb9d2d30, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } }

#endif /* BOOT_UEFI_EFI_TYPES_H */
