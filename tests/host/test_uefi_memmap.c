/*
 * test_uefi_memmap.c - host tests of the UEFI memory map conversion.
 *
 * Maps are built byte by byte the way GetMemoryMap() writes them: one
 * EFI_MEMORY_DESCRIPTOR every `stride` bytes, where the stride is the
 * firmware's DescriptorSize (48 under OVMF), not sizeof (40).
 */
#include <string.h>
#include "boot/boot_info.h"
#include "boot/uefi/efi_types.h"
#include "boot/uefi/memmap.h"
#include "kernel/ktest.h"

#define T_STRIDE_OVMF   48          /* OVMF's DescriptorSize */
#define T_STRIDE_ODD    44          /* unaligned descriptors */
#define T_MAX_DESCS     320
#define T_FILL          0xee        /* garbage between descriptors */
#define T_MIB           (1ULL << 20)
#define T_GIB           (1ULL << 30)
#define T_PAGES(bytes)  ((bytes) / EFI_PAGE_SIZE)

/* A map under construction. */
struct t_map {
	uint8_t bytes[T_MAX_DESCS * T_STRIDE_OVMF];
	size_t stride;
	size_t count;
};

static void t_map_init(struct t_map *m, size_t stride)
{
	memset(m->bytes, T_FILL, sizeof(m->bytes));
	m->stride = stride;
	m->count = 0;
}

/* Append one descriptor of @type covering [base, base + bytes). */
static void t_map_add(struct t_map *m, uint32_t type, uint64_t base, uint64_t bytes)
{
	struct efi_memory_descriptor d = {
		.type = type, .physical_start = base, .virtual_start = 0,
		.number_of_pages = T_PAGES(bytes), .attribute = 0,
	};

	memcpy(m->bytes + m->count * m->stride, &d, sizeof(d));
	m->count++;
}

/* Convert @m into @out, returning the count. */
static uint32_t t_convert(const struct t_map *m, struct boot_mem_region *out,
			  uint32_t out_max, bool *truncated)
{
	return uefi_memmap_convert(m->bytes, m->count * m->stride, m->stride,
				   out, out_max, truncated);
}

/* Every EFI memory type lands in the boot_info type the contract names. */
static void memmap_type_mapping(struct ktest *t)
{
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_CONVENTIONAL_MEMORY), BOOT_MEM_USABLE);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_BOOT_SERVICES_CODE), BOOT_MEM_USABLE);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_BOOT_SERVICES_DATA), BOOT_MEM_USABLE);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_LOADER_CODE), BOOT_MEM_LOADER);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_LOADER_DATA), BOOT_MEM_LOADER);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_ACPI_RECLAIM_MEMORY), BOOT_MEM_ACPI_RECLAIM);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_ACPI_MEMORY_NVS), BOOT_MEM_ACPI_NVS);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_UNUSABLE_MEMORY), BOOT_MEM_UNUSABLE);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_PERSISTENT_MEMORY), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_RESERVED_MEMORY_TYPE), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_RUNTIME_SERVICES_CODE), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_RUNTIME_SERVICES_DATA), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_MEMORY_MAPPED_IO), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_MEMORY_MAPPED_IO_PORT_SPACE), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_PAL_CODE), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(EFI_UNACCEPTED_MEMORY), BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, uefi_memmap_type(0x70000000), BOOT_MEM_RESERVED);  /* OEM */
	KT_EXPECT_EQ(t, uefi_memmap_type(0x80000000), BOOT_MEM_RESERVED);  /* OS loader */
}

/* With OVMF's 48-byte stride and junk in the gaps, fields still read right. */
static void memmap_uses_descriptor_size(struct ktest *t)
{
	struct boot_mem_region out[4];
	struct t_map m;
	bool trunc;

	t_map_init(&m, T_STRIDE_OVMF);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 0, 640 * 1024);
	t_map_add(&m, EFI_ACPI_MEMORY_NVS, T_MIB, T_MIB);
	t_map_add(&m, EFI_LOADER_DATA, 4 * T_MIB, 2 * T_MIB);
	KT_ASSERT_EQ(t, t_convert(&m, out, 4, &trunc), 3);
	KT_EXPECT_FALSE(t, trunc);
	KT_EXPECT_UEQ(t, out[0].base, 0);
	KT_EXPECT_UEQ(t, out[0].length, 640 * 1024);
	KT_EXPECT_EQ(t, out[0].type, BOOT_MEM_USABLE);
	KT_EXPECT_UEQ(t, out[1].base, T_MIB);
	KT_EXPECT_EQ(t, out[1].type, BOOT_MEM_ACPI_NVS);
	KT_EXPECT_UEQ(t, out[2].base, 4 * T_MIB);
	KT_EXPECT_UEQ(t, out[2].length, 2 * T_MIB);
	KT_EXPECT_EQ(t, out[2].type, BOOT_MEM_LOADER);
	KT_EXPECT_EQ(t, out[2].flags, 0);
}

/* A stride that leaves descriptors unaligned works; one below sizeof is no map. */
static void memmap_odd_and_bad_strides(struct ktest *t)
{
	struct boot_mem_region out[4];
	struct t_map m;
	bool trunc;

	t_map_init(&m, T_STRIDE_ODD);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 2 * T_MIB, T_MIB);
	t_map_add(&m, EFI_RUNTIME_SERVICES_DATA, 8 * T_MIB, T_MIB);
	KT_ASSERT_EQ(t, t_convert(&m, out, 4, &trunc), 2);
	KT_EXPECT_UEQ(t, out[1].base, 8 * T_MIB);
	KT_EXPECT_EQ(t, out[1].type, BOOT_MEM_RESERVED);

	KT_EXPECT_EQ(t, uefi_memmap_convert(m.bytes, sizeof(m.bytes),
					    sizeof(struct efi_memory_descriptor) - 1,
					    out, 4, &trunc), 0);
	KT_EXPECT_EQ(t, uefi_memmap_convert(NULL, 0, T_STRIDE_OVMF, out, 4, &trunc), 0);
	KT_EXPECT_FALSE(t, trunc);
}

/* Output is sorted by base whatever order the firmware used. */
static void memmap_sorts_by_base(struct ktest *t)
{
	struct boot_mem_region out[8];
	struct t_map m;
	bool trunc;
	uint32_t i, n;

	t_map_init(&m, T_STRIDE_OVMF);
	t_map_add(&m, EFI_ACPI_RECLAIM_MEMORY, 3 * T_GIB, T_MIB);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 0, T_MIB);
	t_map_add(&m, EFI_MEMORY_MAPPED_IO, 2 * T_GIB, T_MIB);
	t_map_add(&m, EFI_ACPI_MEMORY_NVS, T_GIB, T_MIB);
	t_map_add(&m, EFI_UNUSABLE_MEMORY, 5 * T_GIB, T_MIB);
	n = t_convert(&m, out, 8, &trunc);
	KT_ASSERT_EQ(t, n, 5);
	for (i = 1; i < n; i++)
		KT_EXPECT_ULT(t, out[i - 1].base, out[i].base);
	KT_EXPECT_EQ(t, out[0].type, BOOT_MEM_USABLE);
	KT_EXPECT_EQ(t, out[1].type, BOOT_MEM_ACPI_NVS);
	KT_EXPECT_EQ(t, out[2].type, BOOT_MEM_RESERVED);
	KT_EXPECT_EQ(t, out[3].type, BOOT_MEM_ACPI_RECLAIM);
	KT_EXPECT_EQ(t, out[4].type, BOOT_MEM_UNUSABLE);
}

/* Touching regions of one boot type merge; a gap or a type change does not. */
static void memmap_merges_neighbours(struct ktest *t)
{
	struct boot_mem_region out[8];
	struct t_map m;
	bool trunc;

	t_map_init(&m, T_STRIDE_OVMF);
	t_map_add(&m, EFI_BOOT_SERVICES_DATA, 2 * T_MIB, T_MIB);   /* usable */
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, T_MIB, T_MIB);      /* usable, before it */
	t_map_add(&m, EFI_BOOT_SERVICES_CODE, 3 * T_MIB, T_MIB);   /* usable */
	t_map_add(&m, EFI_LOADER_CODE, 4 * T_MIB, T_MIB);          /* loader */
	t_map_add(&m, EFI_LOADER_DATA, 5 * T_MIB, T_MIB);          /* loader */
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 7 * T_MIB, T_MIB);  /* after a gap */
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 8 * T_MIB, T_MIB);
	KT_ASSERT_EQ(t, t_convert(&m, out, 8, &trunc), 3);
	KT_EXPECT_UEQ(t, out[0].base, T_MIB);
	KT_EXPECT_UEQ(t, out[0].length, 3 * T_MIB);
	KT_EXPECT_EQ(t, out[0].type, BOOT_MEM_USABLE);
	KT_EXPECT_UEQ(t, out[1].base, 4 * T_MIB);
	KT_EXPECT_UEQ(t, out[1].length, 2 * T_MIB);
	KT_EXPECT_EQ(t, out[1].type, BOOT_MEM_LOADER);
	KT_EXPECT_UEQ(t, out[2].base, 7 * T_MIB);
	KT_EXPECT_UEQ(t, out[2].length, 2 * T_MIB);
}

/* Empty descriptors and ones running past 2^64 are dropped. */
static void memmap_skips_empty_and_wrapping(struct ktest *t)
{
	struct boot_mem_region out[4];
	struct t_map m;
	bool trunc;

	t_map_init(&m, T_STRIDE_OVMF);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, T_MIB, 0);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, UINT64_MAX - EFI_PAGE_SIZE + 1, 2 * EFI_PAGE_SIZE);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 2 * T_MIB, T_MIB);
	KT_ASSERT_EQ(t, t_convert(&m, out, 4, &trunc), 1);
	KT_EXPECT_UEQ(t, out[0].base, 2 * T_MIB);
}

/* Bytes past the last whole descriptor are not read as one. */
static void memmap_ignores_partial_tail(struct ktest *t)
{
	struct boot_mem_region out[4];
	struct t_map m;
	bool trunc;

	t_map_init(&m, T_STRIDE_OVMF);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, T_MIB, T_MIB);
	t_map_add(&m, EFI_ACPI_MEMORY_NVS, 4 * T_MIB, T_MIB);
	KT_EXPECT_EQ(t, uefi_memmap_convert(m.bytes, 2 * m.stride - 1, m.stride,
					    out, 4, &trunc), 1);
}

/* Fill @m with @n regions that cannot merge: alternating types, with gaps. */
static void t_map_fill_unmergeable(struct t_map *m, unsigned int n)
{
	unsigned int i;

	t_map_init(m, T_STRIDE_OVMF);
	for (i = 0; i < n; i++)     /* highest first, to exercise the sort too */
		t_map_add(m, (n - 1 - i) % 2 ? EFI_CONVENTIONAL_MEMORY : EFI_ACPI_MEMORY_NVS,
			  (uint64_t)(n - 1 - i) * 2 * T_MIB, T_MIB);
}

/* Too many regions: the lowest BOOT_MEMMAP_MAX are kept and the flag is set. */
static void memmap_truncates_keeping_lowest(struct ktest *t)
{
	static struct t_map m;
	struct boot_mem_region out[BOOT_MEMMAP_MAX];
	bool trunc;

	t_map_fill_unmergeable(&m, BOOT_MEMMAP_MAX + 44);
	KT_ASSERT_EQ(t, t_convert(&m, out, BOOT_MEMMAP_MAX, &trunc), BOOT_MEMMAP_MAX);
	KT_EXPECT_TRUE(t, trunc);
	KT_EXPECT_UEQ(t, out[0].base, 0);
	KT_EXPECT_UEQ(t, out[BOOT_MEMMAP_MAX - 1].base, (BOOT_MEMMAP_MAX - 1) * 2 * T_MIB);

	t_map_fill_unmergeable(&m, BOOT_MEMMAP_MAX);     /* exactly full */
	KT_EXPECT_EQ(t, t_convert(&m, out, BOOT_MEMMAP_MAX, &trunc), BOOT_MEMMAP_MAX);
	KT_EXPECT_FALSE(t, trunc);
}

/* Merging happens before the limit bites: many touching regions fit in one. */
static void memmap_merges_before_truncating(struct ktest *t)
{
	static struct t_map m;
	struct boot_mem_region out[2];
	unsigned int i;
	bool trunc;

	t_map_init(&m, T_STRIDE_OVMF);
	for (i = 0; i < T_MAX_DESCS; i++)
		t_map_add(&m, i % 2 ? EFI_BOOT_SERVICES_DATA : EFI_CONVENTIONAL_MEMORY,
			  (uint64_t)i * T_MIB, T_MIB);
	KT_ASSERT_EQ(t, t_convert(&m, out, 2, &trunc), 1);
	KT_EXPECT_FALSE(t, trunc);
	KT_EXPECT_UEQ(t, out[0].length, (uint64_t)T_MAX_DESCS * T_MIB);
}

/* The top of memory is the end of the highest region of any type. */
static void memmap_top(struct ktest *t)
{
	struct t_map m;

	t_map_init(&m, T_STRIDE_OVMF);
	KT_EXPECT_UEQ(t, uefi_memmap_top(m.bytes, 0, m.stride), 0);
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 4 * T_GIB, 4 * T_GIB);   /* -m 6G */
	t_map_add(&m, EFI_CONVENTIONAL_MEMORY, 0, 2 * T_GIB);
	t_map_add(&m, EFI_MEMORY_MAPPED_IO, 0xb0000000, 256 * T_MIB);
	KT_EXPECT_UEQ(t, uefi_memmap_top(m.bytes, m.count * m.stride, m.stride), 8 * T_GIB);
}

KTEST_SUITE(uefi_memmap,
	    KTEST_CASE(memmap_type_mapping),
	    KTEST_CASE(memmap_uses_descriptor_size),
	    KTEST_CASE(memmap_odd_and_bad_strides),
	    KTEST_CASE(memmap_sorts_by_base),
	    KTEST_CASE(memmap_merges_neighbours),
	    KTEST_CASE(memmap_skips_empty_and_wrapping),
	    KTEST_CASE(memmap_ignores_partial_tail),
	    KTEST_CASE(memmap_truncates_keeping_lowest),
	    KTEST_CASE(memmap_merges_before_truncating),
	    KTEST_CASE(memmap_top));
