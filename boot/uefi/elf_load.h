/*
 * elf_load.h - checking kernel.elf and planning where its bytes go.
 *
 * The ELF64 layouts follow the System V ABI "Object Files" chapter and its
 * x86-64 supplement. The loader trusts nothing in the file: elf_plan_image()
 * checks every field it uses against the file's size before the loader
 * allocates or copies anything, and says which field was wrong.
 *
 * Pure code: no firmware calls, no libc, so the host unit tests
 * (tests/host/test_uefi_elf.c) build it unchanged.
 */
#ifndef BOOT_UEFI_ELF_LOAD_H
#define BOOT_UEFI_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* e_ident[] */
#define ELF_NIDENT        16
#define ELF_EI_CLASS      4
#define ELF_EI_DATA       5
#define ELF_EI_VERSION    6
#define ELF_MAGIC         "\177ELF"
#define ELF_MAGIC_LEN     4
#define ELF_CLASS64       2     /* 64-bit objects */
#define ELF_DATA2LSB      1     /* little-endian */
#define ELF_EV_CURRENT    1

#define ELF_ET_EXEC       2     /* e_type: executable */
#define ELF_EM_X86_64     62    /* e_machine: AMD x86-64 */
#define ELF_PN_XNUM       0xffff /* e_phnum: real count lives elsewhere */
#define ELF_PT_LOAD       1     /* p_type: loadable segment */

struct elf64_ehdr {
	uint8_t  e_ident[ELF_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;     /* ignored: the loader chooses the physical address */
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

#define ELF_PLAN_MAX_SEGMENTS 16              /* PT_LOADs the loader accepts */
#define ELF_MAX_SPAN          (1ULL << 30)    /* 1 GiB: two page directories */

/* Why a file was refused; elf_error_string() words each one. */
enum elf_error {
	ELF_OK = 0,
	ELF_ERR_TOO_SMALL,      /* shorter than the ELF header */
	ELF_ERR_MAGIC,
	ELF_ERR_CLASS,
	ELF_ERR_DATA,
	ELF_ERR_VERSION,
	ELF_ERR_TYPE,
	ELF_ERR_MACHINE,
	ELF_ERR_PHENTSIZE,
	ELF_ERR_PHNUM,
	ELF_ERR_PHOFF,          /* program header table outside the file */
	ELF_ERR_SEG_FILESZ,     /* p_filesz > p_memsz */
	ELF_ERR_SEG_OFFSET,     /* p_offset + p_filesz outside the file */
	ELF_ERR_SEG_WRAP,       /* p_vaddr + p_memsz wraps around */
	ELF_ERR_SEG_ORDER,      /* below or overlapping the previous PT_LOAD */
	ELF_ERR_SEG_COUNT,      /* more than ELF_PLAN_MAX_SEGMENTS */
	ELF_ERR_NO_LOAD,
	ELF_ERR_BASE_ALIGN,     /* lowest p_vaddr not BOOT_KERNEL_ALIGN aligned */
	ELF_ERR_BASE_LOW,       /* lowest p_vaddr below BOOT_KERNEL_VBASE */
	ELF_ERR_SPAN,           /* segments spread over more than ELF_MAX_SPAN */
	ELF_ERR_ENTRY,          /* e_entry not in any PT_LOAD's file bytes */
	ELF_ERR_COUNT
};

/* One PT_LOAD: file bytes to copy and where they go within the image. */
struct elf_segment {
	uint64_t file_offset;   /* p_offset */
	uint64_t file_size;     /* p_filesz: bytes copied */
	uint64_t mem_size;      /* p_memsz: the rest up to here is zeroed */
	uint64_t dest_offset;   /* p_vaddr - min_vaddr */
};

/* The result of checking a file: everything the loader needs to place it. */
struct elf_plan {
	uint64_t min_vaddr;     /* link address of the image's first byte */
	uint64_t span;          /* bytes to reserve, a multiple of 2 MiB */
	uint64_t entry;         /* e_entry, a virtual address */
	unsigned int nsegments;
	struct elf_segment segments[ELF_PLAN_MAX_SEGMENTS];
	int bad_phdr;           /* program header an error is about, or -1 */
};

enum elf_error elf_plan_image(const void *file, size_t size,
			      struct elf_plan *plan);
const char *elf_error_string(enum elf_error err);
void elf_copy_image(const void *file, const struct elf_plan *plan, void *dest);

#endif /* BOOT_UEFI_ELF_LOAD_H */
