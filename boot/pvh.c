/*
 * pvh.c - turn QEMU's PVH start info into the kernel's struct boot_info.
 *
 * With `-kernel build/kernel.elf`, QEMU (through its pvh.bin option ROM)
 * passes a struct hvm_start_info, defined by Xen's public header
 * arch-x86/hvm/start_info.h: magic, version, the command line (`-append`),
 * the ACPI RSDP and, from version 1, an E820-style memory map. All of it
 * sits in low RAM, reachable through the boot direct map. We copy what the
 * kernel needs into a boot_info of our own, so nothing points back into
 * memory the kernel may later reuse.
 */
#include "boot/boot_info.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

#define HVM_START_MAGIC   0x336ec578u  /* "xEn3" with the top bit set */
#define HVM_MEMMAP_VERSION 1           /* first version with memmap_* fields */

/* Xen start_info layout, as the PVH ABI defines it (all physical addresses). */
struct hvm_start_info {
	uint32_t magic;            /* HVM_START_MAGIC */
	uint32_t version;          /* 0 or 1 */
	uint32_t flags;
	uint32_t nr_modules;       /* -initrd modules */
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;    /* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;       /* ACPI RSDP, 0 if none */
	uint64_t memmap_paddr;     /* version >= 1: array of hvm_memmap_entry */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;             /* E820 type */
	uint32_t reserved;
};

#define E820_TYPE_MAX 5  /* types 1..5 match enum boot_mem_type */

void pvh_main(uint32_t start_info_phys);
void kernel_main(const struct boot_info *bi) __attribute__((noreturn));

/* Built here; kernel_main copies it again, like any loader's. */
static struct boot_info pvh_boot_info;

/* Sort regions by base: the boot_info contract promises it, and a PVH
 * loader other than QEMU's need not. Insertion sort: maps are short. */
static void pvh_sort_memmap(struct boot_info *bi)
{
	for (uint32_t i = 1; i < bi->mem_count; i++) {
		struct boot_mem_region r = bi->mem[i];
		uint32_t j = i;
		for (; j > 0 && bi->mem[j - 1].base > r.base; j--)
			bi->mem[j] = bi->mem[j - 1];
		bi->mem[j] = r;
	}
}

/* Copy the E820 map; unknown types become reserved. */
static void pvh_copy_memmap(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	uint32_t i, n = si->memmap_entries;

	if (si->version < HVM_MEMMAP_VERSION || !si->memmap_paddr)
		return;  /* the kernel reports an empty map */
	if (n > BOOT_MEMMAP_MAX) {
		n = BOOT_MEMMAP_MAX;
		bi->mem_truncated = 1;
	}
	e = phys_to_virt(si->memmap_paddr);
	for (i = 0; i < n; i++) {
		bi->mem[i].base = e[i].addr;
		bi->mem[i].length = e[i].size;
		bi->mem[i].type = e[i].type >= 1 && e[i].type <= E820_TYPE_MAX
				  ? e[i].type : BOOT_MEM_RESERVED;
	}
	bi->mem_count = n;
	pvh_sort_memmap(bi);
}

/* Called from boot/entry.S in long mode, on the boot stack. */
void pvh_main(uint32_t start_info_phys)
{
	const struct hvm_start_info *si = phys_to_virt(start_info_phys);
	struct boot_info *bi = &pvh_boot_info;

	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->boot_path = BOOT_PATH_PVH;
	bi->kernel_phys = (uintptr_t)__kernel_start - BOOT_KERNEL_VBASE;
	bi->kernel_size = (uintptr_t)__kernel_end - (uintptr_t)__kernel_start;
	strlcpy(bi->firmware, "QEMU PVH", sizeof(bi->firmware));
	if (si->magic == HVM_START_MAGIC) {
		bi->rsdp_phys = si->rsdp_paddr;
		if (si->cmdline_paddr)
			strlcpy(bi->cmdline, phys_to_virt(si->cmdline_paddr),
				sizeof(bi->cmdline));
		pvh_copy_memmap(bi, si);
	} else {
		/* kernel_main sees no memory map and says why. */
		strlcpy(bi->firmware, "PVH (bad hvm_start_info magic)", sizeof(bi->firmware));
	}
	kernel_main(bi);
}
