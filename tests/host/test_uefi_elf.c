/*
 * test_uefi_elf.c - host tests of the UEFI loader's ELF checks and plan.
 *
 * Each case starts from one good kernel image built in memory (a struct
 * laid out exactly like the file: header, program headers, segment bytes)
 * and breaks a single field, then checks that boot/uefi/elf_load.c refuses
 * it for that reason and no other.
 */
#include <stdlib.h>
#include <string.h>
#include "boot/boot_info.h"
#include "boot/uefi/elf_load.h"
#include "kernel/ktest.h"

#define T_BASE       0xffffffff80200000ULL   /* link address of the image */
#define T_PHNUM      3                       /* text, a PT_NOTE, data+bss */
#define T_PH_MAX     (ELF_PLAN_MAX_SEGMENTS + 2)
#define T_TEXT_SIZE  0x100
#define T_DATA_SIZE  0x80
#define T_DATA_VOFF  0x201000ULL             /* data lands past the first 2 MiB */
#define T_DATA_MEM   0x300000ULL             /* data + bss */
#define T_ENTRY_OFF  0x10
#define T_TEXT_BYTE  0xa0                    /* text is 0xa0, 0xa1, ... */
#define T_DATA_BYTE  0x5a
#define T_POISON     0xcc                    /* what dest holds before the copy */
#define T_PT_NOTE    4
#define T_EM_386     3
#define T_ET_DYN     3

/* A whole ELF file as one struct: offsetof() gives every p_offset. */
struct t_elf {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[T_PH_MAX];
	uint8_t text[T_TEXT_SIZE];
	uint8_t note[8];
	uint8_t data[T_DATA_SIZE];
};

/* One PT_LOAD (or other) program header. */
static struct elf64_phdr t_phdr(uint32_t type, uint64_t off, uint64_t vaddr,
				uint64_t filesz, uint64_t memsz)
{
	struct elf64_phdr ph = {
		.p_type = type, .p_offset = off, .p_vaddr = vaddr,
		.p_paddr = vaddr - BOOT_KERNEL_VBASE, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = 0x1000,
	};
	return ph;
}

/* The good image: text at T_BASE, a PT_NOTE, data+bss at T_BASE + 2 MiB + 4 KiB. */
static void t_build(struct t_elf *f)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	memcpy(f->eh.e_ident, ELF_MAGIC, ELF_MAGIC_LEN);
	f->eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	f->eh.e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	f->eh.e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	f->eh.e_type = ELF_ET_EXEC;
	f->eh.e_machine = ELF_EM_X86_64;
	f->eh.e_version = ELF_EV_CURRENT;
	f->eh.e_entry = T_BASE + T_ENTRY_OFF;
	f->eh.e_phoff = offsetof(struct t_elf, ph);
	f->eh.e_ehsize = sizeof(f->eh);
	f->eh.e_phentsize = sizeof(struct elf64_phdr);
	f->eh.e_phnum = T_PHNUM;
	f->ph[0] = t_phdr(ELF_PT_LOAD, offsetof(struct t_elf, text), T_BASE,
			  T_TEXT_SIZE, T_TEXT_SIZE);
	f->ph[1] = t_phdr(T_PT_NOTE, offsetof(struct t_elf, note), T_BASE + T_TEXT_SIZE,
			  sizeof(f->note), sizeof(f->note));
	f->ph[2] = t_phdr(ELF_PT_LOAD, offsetof(struct t_elf, data), T_BASE + T_DATA_VOFF,
			  T_DATA_SIZE, T_DATA_MEM);
	for (i = 0; i < T_TEXT_SIZE; i++)
		f->text[i] = (uint8_t)(T_TEXT_BYTE + i);
	memset(f->data, T_DATA_BYTE, sizeof(f->data));
}

/* Plan @f as a file of its full size. */
static enum elf_error t_plan(const struct t_elf *f, struct elf_plan *plan)
{
	return elf_plan_image(f, sizeof(*f), plan);
}

/* The good image is accepted and planned segment by segment. */
static void elf_good_image_plan(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	KT_ASSERT_EQ(t, t_plan(&f, &plan), ELF_OK);
	KT_EXPECT_EQ(t, plan.bad_phdr, -1);
	KT_EXPECT_UEQ(t, plan.min_vaddr, T_BASE);
	KT_EXPECT_UEQ(t, plan.entry, T_BASE + T_ENTRY_OFF);
	/* 0x201000 + 0x300000 = 0x501000 rounded up to 2 MiB */
	KT_EXPECT_UEQ(t, plan.span, 0x600000);
	KT_ASSERT_EQ(t, plan.nsegments, 2);
	KT_EXPECT_UEQ(t, plan.segments[0].dest_offset, 0);
	KT_EXPECT_UEQ(t, plan.segments[0].file_offset, offsetof(struct t_elf, text));
	KT_EXPECT_UEQ(t, plan.segments[0].file_size, T_TEXT_SIZE);
	KT_EXPECT_UEQ(t, plan.segments[1].dest_offset, T_DATA_VOFF);
	KT_EXPECT_UEQ(t, plan.segments[1].file_offset, offsetof(struct t_elf, data));
	KT_EXPECT_UEQ(t, plan.segments[1].file_size, T_DATA_SIZE);
	KT_EXPECT_UEQ(t, plan.segments[1].mem_size, T_DATA_MEM);
}

/* A span that is already a 2 MiB multiple is not rounded further. */
static void elf_span_exact_multiple(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[2].p_memsz = 2 * BOOT_KERNEL_ALIGN - T_DATA_VOFF;
	KT_ASSERT_EQ(t, t_plan(&f, &plan), ELF_OK);
	KT_EXPECT_UEQ(t, plan.span, 2 * BOOT_KERNEL_ALIGN);
}

/* The copy puts file bytes at their offsets and zeroes everything else. */
static void elf_copy_places_and_zeroes(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;
	uint8_t *dest;
	uint64_t i;
	bool zero = true;

	t_build(&f);
	KT_ASSERT_EQ(t, t_plan(&f, &plan), ELF_OK);
	dest = malloc(plan.span);
	KT_ASSERT_NOT_NULL(t, dest);
	memset(dest, T_POISON, plan.span);
	elf_copy_image(&f, &plan, dest);
	KT_EXPECT_MEMEQ(t, dest, f.text, T_TEXT_SIZE);
	KT_EXPECT_MEMEQ(t, dest + T_DATA_VOFF, f.data, T_DATA_SIZE);
	for (i = T_TEXT_SIZE; i < T_DATA_VOFF; i++)
		zero = zero && dest[i] == 0;
	for (i = T_DATA_VOFF + T_DATA_SIZE; i < plan.span; i++)
		zero = zero && dest[i] == 0;
	KT_EXPECT_TRUE(t, zero);
	free(dest);
}

/* Only PT_LOAD counts: a PT_NOTE pointing outside the file is ignored. */
static void elf_ignores_other_segments(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[1].p_offset = UINT64_MAX;
	f.ph[1].p_vaddr = 0;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_OK);
	KT_EXPECT_EQ(t, plan.nsegments, 2);
}

/* An empty PT_LOAD is checked but adds nothing; a memsz-0 one with bytes is refused. */
static void elf_empty_segment(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[1] = t_phdr(ELF_PT_LOAD, 0, 0, 0, 0);     /* would break the base rules */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_OK);
	KT_EXPECT_EQ(t, plan.nsegments, 2);
	f.ph[1].p_filesz = 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_FILESZ);
	KT_EXPECT_EQ(t, plan.bad_phdr, 1);
}

/* A file shorter than the ELF header. */
static void elf_rejects_short_file(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	KT_EXPECT_EQ(t, elf_plan_image(&f, sizeof(f.eh) - 1, &plan), ELF_ERR_TOO_SMALL);
	KT_EXPECT_EQ(t, elf_plan_image(&f, 0, &plan), ELF_ERR_TOO_SMALL);
}

/* Identification bytes: magic, class, data encoding, version. */
static void elf_rejects_bad_ident(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.eh.e_ident[1] = 'X';
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_MAGIC);
	t_build(&f);
	f.eh.e_ident[ELF_EI_CLASS] = 1;    /* ELFCLASS32 */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_CLASS);
	t_build(&f);
	f.eh.e_ident[ELF_EI_DATA] = 2;     /* ELFDATA2MSB */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_DATA);
	t_build(&f);
	f.eh.e_version = 0;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_VERSION);
}

/* Header fields: type, machine, program header entry size and count. */
static void elf_rejects_bad_header_fields(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.eh.e_type = T_ET_DYN;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_TYPE);
	t_build(&f);
	f.eh.e_machine = T_EM_386;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_MACHINE);
	t_build(&f);
	f.eh.e_phentsize = sizeof(struct elf64_phdr) - 8;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHENTSIZE);
	t_build(&f);
	f.eh.e_phnum = 0;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHNUM);
	KT_EXPECT_EQ(t, plan.bad_phdr, -1);
}

/* The program header table must lie inside the file. */
static void elf_rejects_phdrs_past_end(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.eh.e_phoff = sizeof(f);
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHOFF);
	t_build(&f);
	f.eh.e_phoff = sizeof(f) - sizeof(struct elf64_phdr);   /* straddles the end */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHOFF);
}

/* phoff + phnum * phentsize must not wrap past 2^64 into "inside the file". */
static void elf_rejects_phdr_table_overflow(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.eh.e_phoff = UINT64_MAX - 8;        /* + 3 * 56 wraps to 159 */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHOFF);
	t_build(&f);
	f.eh.e_phnum = ELF_PN_XNUM - 1;       /* 65534 * 56 bytes: far past the end */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_PHOFF);
}

/* A PT_LOAD whose bytes run past the end of the file, or wrap around. */
static void elf_rejects_segment_past_end(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[2].p_filesz = T_DATA_SIZE + 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_OFFSET);
	KT_EXPECT_EQ(t, plan.bad_phdr, 2);
	t_build(&f);
	f.ph[0].p_offset = UINT64_MAX - 0x10;  /* + 0x100 wraps to 0xef */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_OFFSET);
	KT_EXPECT_EQ(t, plan.bad_phdr, 0);
}

/* p_filesz larger than p_memsz. */
static void elf_rejects_filesz_over_memsz(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[0].p_memsz = T_TEXT_SIZE - 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_FILESZ);
	KT_EXPECT_EQ(t, plan.bad_phdr, 0);
}

/* p_vaddr + p_memsz past 2^64. */
static void elf_rejects_vaddr_wrap(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[2].p_vaddr = UINT64_MAX - 0xfff;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_WRAP);
	KT_EXPECT_EQ(t, plan.bad_phdr, 2);
}

/* PT_LOADs must ascend without overlapping. */
static void elf_rejects_overlapping_segments(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[2].p_vaddr = T_BASE + T_TEXT_SIZE / 2;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_ORDER);
	KT_EXPECT_EQ(t, plan.bad_phdr, 2);
}

/* The lowest p_vaddr must be 2 MiB aligned and in the top 2 GiB. */
static void elf_rejects_bad_base(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[0].p_vaddr = T_BASE + 0x1000;
	f.eh.e_entry = T_BASE + 0x1000;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_BASE_ALIGN);
	t_build(&f);
	f.ph[0].p_vaddr = BOOT_KERNEL_VBASE - BOOT_KERNEL_ALIGN;
	f.eh.e_entry = f.ph[0].p_vaddr;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_BASE_LOW);
}

/* Segments may spread over at most 1 GiB. */
static void elf_rejects_huge_span(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.ph[2].p_vaddr = T_BASE + ELF_MAX_SPAN - T_DATA_MEM + 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SPAN);
	t_build(&f);
	f.ph[2].p_vaddr = T_BASE + ELF_MAX_SPAN - T_DATA_MEM;   /* exactly 1 GiB */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_OK);
	KT_EXPECT_UEQ(t, plan.span, ELF_MAX_SPAN);
}

/* e_entry must be in a PT_LOAD's file bytes: not outside, not in .bss. */
static void elf_rejects_entry_outside(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;

	t_build(&f);
	f.eh.e_entry = T_BASE - 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_ENTRY);
	f.eh.e_entry = T_BASE + T_TEXT_SIZE;            /* the gap after text */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_ENTRY);
	f.eh.e_entry = T_BASE + T_DATA_VOFF + T_DATA_SIZE;   /* .bss */
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_ENTRY);
	f.eh.e_entry = T_BASE + T_DATA_VOFF + T_DATA_SIZE - 1;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_OK);
}

/* No PT_LOAD at all, and more PT_LOADs than the plan can hold. */
static void elf_rejects_segment_counts(struct ktest *t)
{
	struct elf_plan plan;
	struct t_elf f;
	unsigned int i;

	t_build(&f);
	f.ph[0].p_type = T_PT_NOTE;
	f.ph[2].p_type = T_PT_NOTE;
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_NO_LOAD);

	t_build(&f);
	f.eh.e_phnum = ELF_PLAN_MAX_SEGMENTS + 1;
	for (i = 0; i < f.eh.e_phnum; i++)
		f.ph[i] = t_phdr(ELF_PT_LOAD, offsetof(struct t_elf, text),
				 T_BASE + i * T_TEXT_SIZE, T_TEXT_SIZE, T_TEXT_SIZE);
	KT_EXPECT_EQ(t, t_plan(&f, &plan), ELF_ERR_SEG_COUNT);
	KT_EXPECT_EQ(t, plan.bad_phdr, ELF_PLAN_MAX_SEGMENTS);
}

/* Every error has its own message, naming the field at fault. */
static void elf_error_strings(struct ktest *t)
{
	int i, j;

	for (i = 0; i < ELF_ERR_COUNT; i++) {
		KT_ASSERT_NOT_NULL(t, elf_error_string(i));
		for (j = 0; j < i; j++)
			KT_EXPECT_STRNEQ(t, elf_error_string(i), elf_error_string(j));
	}
	KT_EXPECT_SUBSTR(t, elf_error_string(ELF_ERR_MACHINE), "e_machine");
	KT_EXPECT_SUBSTR(t, elf_error_string(ELF_ERR_SEG_FILESZ), "p_memsz");
	KT_EXPECT_SUBSTR(t, elf_error_string(ELF_ERR_ENTRY), "e_entry");
	KT_EXPECT_SUBSTR(t, elf_error_string(ELF_ERR_COUNT), "unknown");
}

KTEST_SUITE(uefi_elf,
	    KTEST_CASE(elf_good_image_plan),
	    KTEST_CASE(elf_span_exact_multiple),
	    KTEST_CASE(elf_copy_places_and_zeroes),
	    KTEST_CASE(elf_ignores_other_segments),
	    KTEST_CASE(elf_empty_segment),
	    KTEST_CASE(elf_rejects_short_file),
	    KTEST_CASE(elf_rejects_bad_ident),
	    KTEST_CASE(elf_rejects_bad_header_fields),
	    KTEST_CASE(elf_rejects_phdrs_past_end),
	    KTEST_CASE(elf_rejects_phdr_table_overflow),
	    KTEST_CASE(elf_rejects_segment_past_end),
	    KTEST_CASE(elf_rejects_filesz_over_memsz),
	    KTEST_CASE(elf_rejects_vaddr_wrap),
	    KTEST_CASE(elf_rejects_overlapping_segments),
	    KTEST_CASE(elf_rejects_bad_base),
	    KTEST_CASE(elf_rejects_huge_span),
	    KTEST_CASE(elf_rejects_entry_outside),
	    KTEST_CASE(elf_rejects_segment_counts),
	    KTEST_CASE(elf_error_strings));
