/*
 * test_uefi_pagetable.c - host tests of the loader's first page tables.
 *
 * The tables are built in an ordinary array that pretends to sit at a
 * physical address (T_TABLES_PHYS); a small software page walker then
 * follows the entries like the MMU would and checks what each view maps.
 */
#include <string.h>
#include "boot/boot_info.h"
#include "boot/uefi/pagetable.h"
#include "kernel/ktest.h"

#define T_MAX_PAGES    24
#define T_TABLES_PHYS  0x7e2da000ULL        /* where the block "is" */
#define T_KERNEL_PHYS  0x7de00000ULL        /* 2 MiB aligned */
#define T_KERNEL_VA    0xffffffff80200000ULL
#define T_MIB          (1ULL << 20)
#define T_GIB          (1ULL << 30)
#define T_ADDR_MASK    0x000ffffffffff000ULL /* physical address bits of an entry */
#define T_LARGE_MASK   (PT_LARGE_PAGE - 1)

static uint64_t t_tables[T_MAX_PAGES][PT_ENTRIES] __attribute__((aligned(4096)));

/* The array slot behind a table's physical address, or NULL if outside. */
static const uint64_t *t_table_at(uint64_t phys)
{
	uint64_t n = (phys - T_TABLES_PHYS) / PT_PAGE_SIZE;

	if (phys < T_TABLES_PHYS || n >= T_MAX_PAGES || phys % PT_PAGE_SIZE)
		return NULL;
	return t_tables[n];
}

/* Walk PML4 -> PDPT -> PD like the MMU; false if @va is not mapped. */
static bool t_translate(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	const uint64_t *pml4 = t_table_at(cr3), *pdpt, *pd;
	uint64_t e;

	if (!pml4 || !((e = pml4[PT_PML4_INDEX(va)]) & PT_PRESENT))
		return false;
	if (!(pdpt = t_table_at(e & T_ADDR_MASK)) ||
	    !((e = pdpt[PT_PDPT_INDEX(va)]) & PT_PRESENT))
		return false;
	if (!(pd = t_table_at(e & T_ADDR_MASK)) ||
	    !((e = pd[PT_PD_INDEX(va)]) & PT_PRESENT) || !(e & PT_PAGE_SIZE_BIT) ||
	    !(e & PT_WRITABLE))
		return false;
	*pa = (e & T_ADDR_MASK & ~T_LARGE_MASK) | (va & T_LARGE_MASK);
	return true;
}

/* True if @va maps to exactly @want. */
static bool t_maps(uint64_t cr3, uint64_t va, uint64_t want)
{
	uint64_t pa;

	return t_translate(cr3, va, &pa) && pa == want;
}

/* 512 MiB of RAM still gets the 4 GiB minimum; one directory per GiB. */
static void pt_plan_small_machine(struct ktest *t)
{
	struct uefi_pt_layout pt;

	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, 0x20000000, T_KERNEL_VA, 2 * T_MIB), UEFI_PT_OK);
	KT_EXPECT_UEQ(t, pt.map_top, BOOT_MIN_MAPPED);
	KT_EXPECT_EQ(t, pt.low_pds, 4);
	KT_EXPECT_EQ(t, pt.kernel_pds, 1);
	KT_EXPECT_EQ(t, pt.pages, 3 + 4 + 1);
}

/* Memory above 4 GiB is covered up to its top, rounded up to a GiB. */
static void pt_plan_above_4g(struct ktest *t)
{
	struct uefi_pt_layout pt;

	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, 8 * T_GIB, T_KERNEL_VA, 2 * T_MIB), UEFI_PT_OK);
	KT_EXPECT_UEQ(t, pt.map_top, 8 * T_GIB);
	KT_EXPECT_EQ(t, pt.low_pds, 8);
	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, 4 * T_GIB + 4096, T_KERNEL_VA, 2 * T_MIB), UEFI_PT_OK);
	KT_EXPECT_UEQ(t, pt.map_top, 5 * T_GIB);
}

/* One PDPT covers 512 GiB; more is refused, not silently cut. */
static void pt_plan_limits(struct ktest *t)
{
	struct uefi_pt_layout pt;

	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, PT_PDPT_REACH, T_KERNEL_VA, 2 * T_MIB), UEFI_PT_OK);
	KT_EXPECT_EQ(t, pt.low_pds, PT_ENTRIES);
	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, PT_PDPT_REACH + 4096, T_KERNEL_VA, 2 * T_MIB),
		     UEFI_PT_ERR_TOO_MUCH_RAM);
	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, T_GIB, BOOT_KERNEL_VBASE - 2 * T_MIB, 2 * T_MIB),
		     UEFI_PT_ERR_KERNEL_RANGE);
	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, T_GIB, T_KERNEL_VA + 4096, 2 * T_MIB),
		     UEFI_PT_ERR_KERNEL_RANGE);
	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, T_GIB, T_KERNEL_VA, 0), UEFI_PT_ERR_KERNEL_RANGE);
	KT_EXPECT_EQ(t, uefi_pt_plan(&pt, T_GIB, T_KERNEL_VA, T_MIB), UEFI_PT_ERR_KERNEL_RANGE);
}

/* Identity and direct map agree on [0, map_top) and stop there. */
static void pt_build_identity_and_direct(struct ktest *t)
{
	struct uefi_pt_layout pt;
	uint64_t cr3;

	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, 6 * T_GIB, T_KERNEL_VA, 4 * T_MIB), UEFI_PT_OK);
	KT_ASSERT_LE(t, pt.pages, T_MAX_PAGES);
	memset(t_tables, 0xff, sizeof(t_tables));   /* build must clear what it uses */
	cr3 = uefi_pt_build(&pt, t_tables, T_TABLES_PHYS, T_KERNEL_PHYS);
	KT_EXPECT_UEQ(t, cr3, T_TABLES_PHYS);
	KT_EXPECT_TRUE(t, t_maps(cr3, 0, 0));
	KT_EXPECT_TRUE(t, t_maps(cr3, 0x12345678, 0x12345678));
	KT_EXPECT_TRUE(t, t_maps(cr3, 0xfee00000, 0xfee00000));          /* LAPIC */
	KT_EXPECT_TRUE(t, t_maps(cr3, 6 * T_GIB - 1, 6 * T_GIB - 1));
	KT_EXPECT_FALSE(t, t_maps(cr3, 6 * T_GIB, 6 * T_GIB));
	KT_EXPECT_TRUE(t, t_maps(cr3, BOOT_DIRECT_MAP_BASE, 0));
	KT_EXPECT_TRUE(t, t_maps(cr3, BOOT_DIRECT_MAP_BASE + 5 * T_GIB + 7, 5 * T_GIB + 7));
	KT_EXPECT_FALSE(t, t_maps(cr3, BOOT_DIRECT_MAP_BASE + 6 * T_GIB, 6 * T_GIB));
	KT_EXPECT_FALSE(t, t_maps(cr3, BOOT_DIRECT_MAP_BASE - 4096, 0));
}

/* The image appears at its link address, nothing on either side of it. */
static void pt_build_kernel_mapping(struct ktest *t)
{
	struct uefi_pt_layout pt;
	uint64_t cr3, pa;

	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, T_GIB, T_KERNEL_VA, 4 * T_MIB), UEFI_PT_OK);
	memset(t_tables, 0xff, sizeof(t_tables));
	cr3 = uefi_pt_build(&pt, t_tables, T_TABLES_PHYS, T_KERNEL_PHYS);
	KT_EXPECT_TRUE(t, t_maps(cr3, T_KERNEL_VA, T_KERNEL_PHYS));
	KT_EXPECT_TRUE(t, t_maps(cr3, T_KERNEL_VA + 0x201234, T_KERNEL_PHYS + 0x201234));
	KT_EXPECT_TRUE(t, t_maps(cr3, T_KERNEL_VA + 4 * T_MIB - 1, T_KERNEL_PHYS + 4 * T_MIB - 1));
	KT_EXPECT_FALSE(t, t_translate(cr3, T_KERNEL_VA + 4 * T_MIB, &pa));
	KT_EXPECT_FALSE(t, t_translate(cr3, T_KERNEL_VA - 1, &pa));
	KT_EXPECT_FALSE(t, t_translate(cr3, BOOT_KERNEL_VBASE, &pa));
}

/* A 1 GiB image starting 2 MiB in crosses into PDPT[511]: two directories. */
static void pt_build_kernel_across_gib(struct ktest *t)
{
	struct uefi_pt_layout pt;
	uint64_t cr3;

	KT_ASSERT_EQ(t, uefi_pt_plan(&pt, T_GIB, T_KERNEL_VA, T_GIB), UEFI_PT_OK);
	KT_EXPECT_EQ(t, pt.kernel_pds, 2);
	KT_ASSERT_LE(t, pt.pages, T_MAX_PAGES);
	cr3 = uefi_pt_build(&pt, t_tables, T_TABLES_PHYS, T_KERNEL_PHYS);
	KT_EXPECT_TRUE(t, t_maps(cr3, 0xffffffffbfffffffULL,
				 T_KERNEL_PHYS + 0xffffffffbfffffffULL - T_KERNEL_VA));
	KT_EXPECT_TRUE(t, t_maps(cr3, 0xffffffffc0000000ULL,
				 T_KERNEL_PHYS + 0xffffffffc0000000ULL - T_KERNEL_VA));
	KT_EXPECT_TRUE(t, t_maps(cr3, T_KERNEL_VA + T_GIB - 1, T_KERNEL_PHYS + T_GIB - 1));
}

KTEST_SUITE(uefi_pagetable,
	    KTEST_CASE(pt_plan_small_machine),
	    KTEST_CASE(pt_plan_above_4g),
	    KTEST_CASE(pt_plan_limits),
	    KTEST_CASE(pt_build_identity_and_direct),
	    KTEST_CASE(pt_build_kernel_mapping),
	    KTEST_CASE(pt_build_kernel_across_gib));
