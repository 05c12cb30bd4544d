/*
 * boot_info.h - the one hand-off between a boot path and the kernel.
 *
 * Busmaster boots two ways: QEMU's direct PVH boot (boot/entry.S, boot/pvh.c)
 * and a UEFI loader (boot/uefi/, BOOTX64.EFI). Both end by calling the
 * kernel with a pointer to a struct boot_info filled in exactly the same
 * way, so the kernel never needs to know which path ran.
 *
 * The structure is self-contained (no pointers): a loader may build it in
 * any memory it owns, and the kernel copies it before touching anything
 * else. It is shared with host-side code, so it uses only <stdint.h> types.
 *
 * Entry protocol for a 64-bit loader (the UEFI path):
 *   - long mode, interrupts off, any GDT, any stack;
 *   - paging on, with at least these mappings (2 MiB or 4 KiB pages):
 *       identity        [0, BOOT_MIN_MAPPED)             -> same physical
 *       direct map      BOOT_DIRECT_MAP_BASE + [0, BOOT_MIN_MAPPED)
 *       kernel image    link address of the first PT_LOAD segment and up,
 *                       -> kernel_phys, for kernel_size bytes
 *   - kernel_phys is a multiple of BOOT_KERNEL_ALIGN; any such address works
 *     (the kernel never assumes where it was loaded);
 *   - %rdi = physical (identity-mapped) address of the struct boot_info,
 *     which must lie below BOOT_MIN_MAPPED;
 *   - jump to the ELF entry point (e_entry, a 64-bit virtual address).
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

/* Constants are shared with assembly (boot/entry.S): no C suffixes there. */
#ifdef __ASSEMBLER__
#define BOOT_U64(x) x
#else
#include <stdint.h>
#define BOOT_U64(x) x##ULL
#endif

#define BOOT_INFO_MAGIC      BOOT_U64(0x544f4f424d535542)  /* "BUSMBOOT" little-endian */
#define BOOT_INFO_VERSION    1

#define BOOT_DIRECT_MAP_BASE BOOT_U64(0xffff888000000000)  /* phys 0 in the direct map */
#define BOOT_KERNEL_VBASE    BOOT_U64(0xffffffff80000000)  /* top 2 GiB: -mcmodel=kernel */
#define BOOT_KERNEL_ALIGN    BOOT_U64(0x200000)            /* kernel_phys alignment (2 MiB) */
#define BOOT_MIN_MAPPED      BOOT_U64(0x100000000)         /* identity + direct map cover 4 GiB */

#define BOOT_MEMMAP_MAX      256    /* regions kept; loaders merge neighbours first */
#define BOOT_CMDLINE_MAX     1024   /* bytes including the terminating NUL */
#define BOOT_FIRMWARE_MAX    64     /* firmware description, NUL-terminated */

#ifndef __ASSEMBLER__

/* How the kernel was started. */
enum boot_path {
	BOOT_PATH_PVH  = 1,  /* QEMU -kernel, Xen PVH note, hvm_start_info */
	BOOT_PATH_UEFI = 2,  /* BOOTX64.EFI after ExitBootServices */
};

/* Region types; the numbering follows the E820 convention where it can. */
enum boot_mem_type {
	BOOT_MEM_USABLE       = 1,  /* free RAM */
	BOOT_MEM_RESERVED     = 2,  /* firmware, MMIO, anything not to touch */
	BOOT_MEM_ACPI_RECLAIM = 3,  /* ACPI tables; RAM once they are parsed */
	BOOT_MEM_ACPI_NVS     = 4,  /* ACPI non-volatile storage: never reuse */
	BOOT_MEM_UNUSABLE     = 5,  /* RAM with errors */
	BOOT_MEM_LOADER       = 6,  /* loader data (kernel image, this struct, page
	                               tables): RAM once the kernel copied what it needs */
};

struct boot_mem_region {
	uint64_t base;    /* physical start, bytes */
	uint64_t length;  /* bytes */
	uint32_t type;    /* enum boot_mem_type */
	uint32_t flags;   /* reserved, 0 */
};

struct boot_info {
	uint64_t magic;                 /* BOOT_INFO_MAGIC */
	uint32_t version;               /* BOOT_INFO_VERSION */
	uint32_t boot_path;             /* enum boot_path */
	uint64_t rsdp_phys;             /* ACPI RSDP, 0 if the firmware gave none */
	uint64_t kernel_phys;           /* where the first byte of the image landed */
	uint64_t kernel_size;           /* image span incl. .bss, bytes */
	uint32_t mem_count;             /* valid entries in mem[] */
	uint32_t mem_truncated;         /* 1 if the firmware map did not fit */
	struct boot_mem_region mem[BOOT_MEMMAP_MAX];  /* sorted by base */
	char cmdline[BOOT_CMDLINE_MAX]; /* kernel arguments, NUL-terminated */
	char firmware[BOOT_FIRMWARE_MAX]; /* e.g. "EDK II rev 0x10000" */
};

#endif /* !__ASSEMBLER__ */
#endif /* BOOT_BOOT_INFO_H */
