/*
 * elf_load.c - validate kernel.elf and plan its placement (pure code).
 *
 * BOOTX64.EFI reads \EFI\BOOT\kernel.elf into a buffer, then asks this file
 * two things: is the file sane (elf_plan_image), and what goes where
 * (the resulting struct elf_plan, applied by elf_copy_image). Only PT_LOAD
 * program headers matter; the kernel's PT_NOTE for QEMU's PVH boot and any
 * other segment type are ignored, and section headers are never read.
 *
 * The image keeps its link-time layout: a segment linked at p_vaddr lands
 * at kernel_phys + (p_vaddr - min_vaddr). The physical address comes from
 * the loader's allocation, never from p_paddr.
 *
 * Every size check is written as "does it fit in what is left" so that
 * no sum of two file-controlled values can wrap around.
 */
#include <stdbool.h>
#include "boot/boot_info.h"
#include "boot/uefi/elf_load.h"

static const char *const elf_error_text[ELF_ERR_COUNT] = {
	[ELF_OK]             = "no error",
	[ELF_ERR_TOO_SMALL]  = "file is shorter than an ELF64 header",
	[ELF_ERR_MAGIC]      = "e_ident: not an ELF file (bad magic)",
	[ELF_ERR_CLASS]      = "e_ident[EI_CLASS] is not ELFCLASS64",
	[ELF_ERR_DATA]       = "e_ident[EI_DATA] is not ELFDATA2LSB (little-endian)",
	[ELF_ERR_VERSION]    = "e_version / e_ident[EI_VERSION] is not EV_CURRENT",
	[ELF_ERR_TYPE]       = "e_type is not ET_EXEC",
	[ELF_ERR_MACHINE]    = "e_machine is not EM_X86_64",
	[ELF_ERR_PHENTSIZE]  = "e_phentsize is not sizeof(Elf64_Phdr)",
	[ELF_ERR_PHNUM]      = "e_phnum is 0 or PN_XNUM",
	[ELF_ERR_PHOFF]      = "e_phoff + e_phnum * e_phentsize is past the end of the file",
	[ELF_ERR_SEG_FILESZ] = "p_filesz is larger than p_memsz",
	[ELF_ERR_SEG_OFFSET] = "p_offset + p_filesz is past the end of the file",
	[ELF_ERR_SEG_WRAP]   = "p_vaddr + p_memsz wraps around the address space",
	[ELF_ERR_SEG_ORDER]  = "p_vaddr is below or overlaps the previous PT_LOAD",
	[ELF_ERR_SEG_COUNT]  = "too many PT_LOAD segments",
	[ELF_ERR_NO_LOAD]    = "no PT_LOAD segment",
	[ELF_ERR_BASE_ALIGN] = "lowest PT_LOAD p_vaddr is not 2 MiB aligned",
	[ELF_ERR_BASE_LOW]   = "lowest PT_LOAD p_vaddr is below 0xffffffff80000000",
	[ELF_ERR_SPAN]       = "PT_LOAD segments span more than 1 GiB",
	[ELF_ERR_ENTRY]      = "e_entry is not inside the file bytes of any PT_LOAD",
};

/**
 * elf_error_string - describe a rejection, naming the ELF field at fault.
 * @err: a value returned by elf_plan_image()
 *
 * Return: a static, human-readable string.
 */
const char *elf_error_string(enum elf_error err)
{
	if ((unsigned int)err >= ELF_ERR_COUNT)
		return "unknown ELF error";
	return elf_error_text[err];
}

/* Byte copy: headers in the file buffer have no alignment promise. */
static void elf_copy_bytes(void *dst, const void *src, uint64_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (len--)
		*d++ = *s++;
}

/* Byte fill for the image's .bss and padding. */
static void elf_zero_bytes(void *dst, uint64_t len)
{
	uint8_t *d = dst;

	while (len--)
		*d++ = 0;
}

/* True if [off, off + len) lies inside @size bytes, with no sum that wraps. */
static bool elf_fits(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* The identification bytes: magic, 64-bit, little-endian, version 1. */
static enum elf_error elf_check_ident(const struct elf64_ehdr *eh)
{
	unsigned int i;

	for (i = 0; i < ELF_MAGIC_LEN; i++)
		if (eh->e_ident[i] != (uint8_t)ELF_MAGIC[i])
			return ELF_ERR_MAGIC;
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return ELF_ERR_CLASS;
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
		return ELF_ERR_DATA;
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return ELF_ERR_VERSION;
	return ELF_OK;
}

/* The rest of the header: an x86-64 executable whose phdrs are in the file. */
static enum elf_error elf_check_header(const struct elf64_ehdr *eh, size_t size)
{
	enum elf_error err = elf_check_ident(eh);

	if (err != ELF_OK)
		return err;
	if (eh->e_version != ELF_EV_CURRENT)
		return ELF_ERR_VERSION;
	if (eh->e_type != ELF_ET_EXEC)
		return ELF_ERR_TYPE;
	if (eh->e_machine != ELF_EM_X86_64)
		return ELF_ERR_MACHINE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_ERR_PHENTSIZE;
	if (eh->e_phnum == 0 || eh->e_phnum == ELF_PN_XNUM)
		return ELF_ERR_PHNUM;
	if (!elf_fits(eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, size))
		return ELF_ERR_PHOFF;
	return ELF_OK;
}

/* One past the highest virtual address the planned segments reach. */
static uint64_t elf_plan_end(const struct elf_plan *plan)
{
	const struct elf_segment *last = &plan->segments[plan->nsegments - 1];

	return plan->min_vaddr + last->dest_offset + last->mem_size;
}

/* Check one PT_LOAD on its own and against the one before, then record it. */
static enum elf_error elf_add_segment(struct elf_plan *plan,
				      const struct elf64_phdr *ph, size_t size)
{
	struct elf_segment *seg;

	if (ph->p_filesz > ph->p_memsz)
		return ELF_ERR_SEG_FILESZ;
	if (!elf_fits(ph->p_offset, ph->p_filesz, size))
		return ELF_ERR_SEG_OFFSET;
	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return ELF_ERR_SEG_WRAP;
	if (ph->p_memsz == 0)
		return ELF_OK;      /* well-formed, but loads nothing */
	if (plan->nsegments == 0)
		plan->min_vaddr = ph->p_vaddr;
	else if (ph->p_vaddr < elf_plan_end(plan))
		return ELF_ERR_SEG_ORDER;
	if (plan->nsegments == ELF_PLAN_MAX_SEGMENTS)
		return ELF_ERR_SEG_COUNT;

	seg = &plan->segments[plan->nsegments++];
	seg->file_offset = ph->p_offset;
	seg->file_size = ph->p_filesz;
	seg->mem_size = ph->p_memsz;
	seg->dest_offset = ph->p_vaddr - plan->min_vaddr;
	return ELF_OK;
}

/* Walk the program headers, checking every PT_LOAD and keeping non-empty ones. */
static enum elf_error elf_collect_segments(struct elf_plan *plan,
					   const uint8_t *file, size_t size,
					   const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;
	enum elf_error err;
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++) {
		elf_copy_bytes(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph),
			       sizeof(ph));
		if (ph.p_type != ELF_PT_LOAD)
			continue;   /* PT_NOTE (the PVH entry) and friends */
		err = elf_add_segment(plan, &ph, size);
		if (err != ELF_OK) {
			plan->bad_phdr = (int)i;
			return err;
		}
	}
	return plan->nsegments ? ELF_OK : ELF_ERR_NO_LOAD;
}

/* True if @entry lies in bytes the file provides (not in zero-filled .bss). */
static bool elf_entry_is_loaded(const struct elf_plan *plan, uint64_t entry)
{
	unsigned int i;

	if (entry < plan->min_vaddr)
		return false;
	for (i = 0; i < plan->nsegments; i++) {
		const struct elf_segment *seg = &plan->segments[i];
		uint64_t off = entry - plan->min_vaddr;

		if (off >= seg->dest_offset && off - seg->dest_offset < seg->file_size)
			return true;
	}
	return false;
}

/* Whole-image rules: base address, alignment, size, entry point. */
static enum elf_error elf_check_image(struct elf_plan *plan, uint64_t entry)
{
	uint64_t extent;

	if (plan->min_vaddr % BOOT_KERNEL_ALIGN)
		return ELF_ERR_BASE_ALIGN;
	if (plan->min_vaddr < BOOT_KERNEL_VBASE)
		return ELF_ERR_BASE_LOW;
	extent = elf_plan_end(plan) - plan->min_vaddr;
	if (extent > ELF_MAX_SPAN)
		return ELF_ERR_SPAN;
	if (!elf_entry_is_loaded(plan, entry))
		return ELF_ERR_ENTRY;
	plan->span = (extent + BOOT_KERNEL_ALIGN - 1) & ~(BOOT_KERNEL_ALIGN - 1);
	plan->entry = entry;
	return ELF_OK;
}

/**
 * elf_plan_image - validate an ELF64 kernel and compute its placement.
 * @file: the whole file, any alignment
 * @size: its length in bytes
 * @plan: filled in; on failure, plan->bad_phdr names the program header at
 *        fault (or is -1 when the problem is in the ELF header)
 *
 * Accepts only a little-endian x86-64 ET_EXEC whose PT_LOAD segments lie
 * inside the file, come in ascending non-overlapping address order, start
 * at a 2 MiB aligned address in the top 2 GiB, span at most 1 GiB, and
 * contain e_entry.
 *
 * Return: ELF_OK, or the first problem found.
 */
enum elf_error elf_plan_image(const void *file, size_t size,
			      struct elf_plan *plan)
{
	struct elf64_ehdr eh;
	enum elf_error err;

	elf_zero_bytes(plan, sizeof(*plan));
	plan->bad_phdr = -1;
	if (size < sizeof(eh))
		return ELF_ERR_TOO_SMALL;
	elf_copy_bytes(&eh, file, sizeof(eh));

	err = elf_check_header(&eh, size);
	if (err == ELF_OK)
		err = elf_collect_segments(plan, file, size, &eh);
	if (err == ELF_OK)
		err = elf_check_image(plan, eh.e_entry);
	return err;
}

/**
 * elf_copy_image - lay a checked file out in memory as its plan says.
 * @file: the file elf_plan_image() accepted
 * @plan: its plan
 * @dest: plan->span writable bytes (the image's first byte, kernel_phys)
 *
 * Zeroes the whole span first, so .bss and the padding up to the 2 MiB
 * boundary read as zero, then copies each segment's file bytes.
 */
void elf_copy_image(const void *file, const struct elf_plan *plan, void *dest)
{
	const uint8_t *src = file;
	uint8_t *dst = dest;
	unsigned int i;

	elf_zero_bytes(dst, plan->span);
	for (i = 0; i < plan->nsegments; i++) {
		const struct elf_segment *seg = &plan->segments[i];

		elf_copy_bytes(dst + seg->dest_offset, src + seg->file_offset,
			       seg->file_size);
	}
}
