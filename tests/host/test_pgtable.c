/*
 * test_pgtable.c - page-table building and walking over fake memory.
 *
 * Table pages come from a small array; their "physical" addresses are
 * made up (index * 4 KiB plus a base), so every lookup exercises the same
 * translation the kernel does through its direct map.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/pgtable.h"

#define FAKE_TABLES     64
#define FAKE_PHYS_BASE  0x100000ULL

struct fake_mem {
	uint64_t (*pages)[PT_ENTRIES];  /* table storage */
	unsigned used, limit;           /* pages handed out, and the cap */
};

static uint64_t fake_alloc(void *ctx)
{
	struct fake_mem *m = ctx;

	if (m->used == m->limit)
		return 0;
	memset(m->pages[m->used], 0, sizeof(m->pages[0]));
	return FAKE_PHYS_BASE + (uint64_t)m->used++ * PT_SIZE_4K;
}

static uint64_t *fake_virt(void *ctx, uint64_t phys)
{
	struct fake_mem *m = ctx;

	return m->pages[(phys - FAKE_PHYS_BASE) / PT_SIZE_4K];
}

/* A fresh table with room for @limit table pages. */
static void fake_table(struct fake_mem *m, struct pt_ops *ops, struct page_table *pt,
		       unsigned limit, bool allow_1g)
{
	m->pages = calloc(FAKE_TABLES, sizeof(*m->pages));
	m->used = 0;
	m->limit = limit;
	*ops = (struct pt_ops){ fake_alloc, fake_virt, m };
	pt_init(pt, ops, allow_1g, true);
}

static void map_and_lookup_4k(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t pte = 0, size = 0;

	fake_table(&m, &ops, &pt, FAKE_TABLES, false);
	KT_ASSERT_EQ(t, pt_map(&pt, 0xffffc90000001000ULL, 0xfee00000ULL, 0x2000,
			       PT_MAP_WRITE, PAGE_CACHE_UC), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, 0xffffc90000002abcULL, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_4K);
	KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, 0xffffc90000002abcULL), 0xfee01abcULL);
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_UC);
	KT_EXPECT_TRUE(t, pte & PTE_WRITE);
	KT_EXPECT_TRUE(t, pte & PTE_NX);
	KT_EXPECT_FALSE(t, pt_lookup(&pt, 0xffffc90000000000ULL, &pte, &size));
	KT_EXPECT_FALSE(t, pt_lookup(&pt, 0xffffc90000003000ULL, &pte, &size));
	KT_EXPECT_EQ(t, m.used, 4);  /* PML4, PDPT, PD, PT */
	free(m.pages);
}

/* Alignment picks the page size: 1 GiB when allowed, else 2 MiB, else 4 KiB. */
static void large_pages_when_aligned(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t base = 0xffff888000000000ULL, pte = 0, size = 0;

	fake_table(&m, &ops, &pt, FAKE_TABLES, true);
	/* [1 GiB - 4 KiB, 2 GiB + 2 MiB + 4 KiB): a 4K head, a 1G middle,
	 * a 2M piece and a 4K tail. */
	KT_ASSERT_EQ(t, pt_map(&pt, base + PT_SIZE_1G - PT_SIZE_4K, PT_SIZE_1G - PT_SIZE_4K,
			       PT_SIZE_1G + PT_SIZE_2M + 2 * PT_SIZE_4K, PT_MAP_WRITE,
			       PAGE_CACHE_WB), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, base + PT_SIZE_1G - 1, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_4K);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, base + PT_SIZE_1G + 12345, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_1G);
	KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, base + PT_SIZE_1G + 12345), PT_SIZE_1G + 12345);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, base + 2 * PT_SIZE_1G + 5, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_2M);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, base + 2 * PT_SIZE_1G + PT_SIZE_2M, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_4K);
	KT_EXPECT_FALSE(t, pt_lookup(&pt, base + 2 * PT_SIZE_1G + PT_SIZE_2M + PT_SIZE_4K,
				     &pte, &size));
	free(m.pages);
}

/* Every memory type survives the round trip, in 4 KiB and large entries;
 * for large pages the PAT bit sits at bit 12 and is not an address bit. */
static void cache_types_round_trip(struct ktest *t)
{
	static const enum page_cache types[] = { PAGE_CACHE_WB, PAGE_CACHE_WC,
		PAGE_CACHE_UC_MINUS, PAGE_CACHE_UC, PAGE_CACHE_WT, PAGE_CACHE_WP };
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t pte = 0, size = 0;

	fake_table(&m, &ops, &pt, FAKE_TABLES, false);
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint64_t va4k = 0x400000000000ULL + i * PT_SIZE_4K;
		uint64_t va2m = 0x500000000000ULL + i * PT_SIZE_2M;
		KT_ASSERT_EQ(t, pt_map(&pt, va4k, 0x1000, PT_SIZE_4K, 0, types[i]), 0);
		KT_ASSERT_EQ(t, pt_map(&pt, va2m, PT_SIZE_2M * 3, PT_SIZE_2M, 0, types[i]), 0);
		KT_ASSERT_TRUE(t, pt_lookup(&pt, va4k, &pte, &size));
		KT_EXPECT_EQ(t, pt_entry_cache(pte, size), types[i]);
		KT_ASSERT_TRUE(t, pt_lookup(&pt, va2m + 7, &pte, &size));
		KT_EXPECT_EQ(t, pt_entry_cache(pte, size), types[i]);
		KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, va2m + 7), PT_SIZE_2M * 3 + 7);
	}
	free(m.pages);
}

static void permissions(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t pte = 0, size = 0;

	fake_table(&m, &ops, &pt, FAKE_TABLES, false);
	KT_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0x1000, 0x1000, PT_MAP_EXEC, PAGE_CACHE_WB), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, 0x1000, &pte, &size));
	KT_EXPECT_FALSE(t, pte & PTE_WRITE);
	KT_EXPECT_FALSE(t, pte & PTE_NX);
	KT_ASSERT_EQ(t, pt_map(&pt, 0x2000, 0x2000, 0x1000, PT_MAP_WRITE | PT_MAP_GLOBAL,
			       PAGE_CACHE_WB), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, 0x2000, &pte, &size));
	KT_EXPECT_TRUE(t, (pte & (PTE_WRITE | PTE_NX | PTE_GLOBAL)) ==
			  (PTE_WRITE | PTE_NX | PTE_GLOBAL));
	/* Without NX support the bit is never set: it would be reserved. */
	pt.use_nx = false;
	KT_ASSERT_EQ(t, pt_map(&pt, 0x3000, 0x3000, 0x1000, 0, PAGE_CACHE_WB), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, 0x3000, &pte, &size));
	KT_EXPECT_FALSE(t, pte & PTE_NX);
	free(m.pages);
}

static void rejects_bad_input(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;

	fake_table(&m, &ops, &pt, FAKE_TABLES, true);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1001, 0, 0x1000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x10, 0x1000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, 0, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x0000800000000000ULL, 0, 0x1000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x00007ffffffff000ULL, 0, 0x2000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0xfffffffffffff000ULL, 0, 0x2000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 1ULL << 52, 0x1000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0, 0x1000, 0, (enum page_cache)99), -EINVAL);
	/* Overlap with a 4 KiB page, and with a large page, is refused. */
	KT_ASSERT_EQ(t, pt_map(&pt, 0x1000, 0, 0x1000, 0, PAGE_CACHE_WB), 0);
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x5000, 0x1000, 0, PAGE_CACHE_WB), -EINVAL);
	KT_ASSERT_EQ(t, pt_map(&pt, PT_SIZE_1G, 0, PT_SIZE_1G, 0, PAGE_CACHE_WB), 0);
	KT_EXPECT_EQ(t, pt_map(&pt, PT_SIZE_1G + PT_SIZE_4K, 0, PT_SIZE_4K, 0, PAGE_CACHE_WB),
		     -EINVAL);
	free(m.pages);
}

static void unmap(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t pte = 0, size = 0;

	fake_table(&m, &ops, &pt, FAKE_TABLES, false);
	KT_ASSERT_EQ(t, pt_map(&pt, 0x10000, 0x10000, 0x3000, 0, PAGE_CACHE_WB), 0);
	KT_ASSERT_EQ(t, pt_map(&pt, PT_SIZE_2M * 4, 0, PT_SIZE_2M, 0, PAGE_CACHE_WB), 0);
	/* A range with a hole, or cutting a large page, changes nothing. */
	KT_EXPECT_EQ(t, pt_unmap(&pt, 0x10000, 0x4000), -EINVAL);
	KT_EXPECT_TRUE(t, pt_lookup(&pt, 0x10000, &pte, &size));
	KT_EXPECT_EQ(t, pt_unmap(&pt, PT_SIZE_2M * 4, PT_SIZE_4K), -EINVAL);
	KT_EXPECT_EQ(t, pt_unmap(&pt, 0x11000, 0x1000), 0);
	KT_EXPECT_TRUE(t, pt_lookup(&pt, 0x10000, &pte, &size));
	KT_EXPECT_FALSE(t, pt_lookup(&pt, 0x11000, &pte, &size));
	KT_EXPECT_TRUE(t, pt_lookup(&pt, 0x12000, &pte, &size));
	/* The freed slot can be mapped again. */
	KT_EXPECT_EQ(t, pt_map(&pt, 0x11000, 0x99000, 0x1000, 0, PAGE_CACHE_WB), 0);
	free(m.pages);
}

/* Running out of table pages is an error, not a crash. */
static void out_of_table_pages(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;

	fake_table(&m, &ops, &pt, 3, false);   /* PML4 + 2: one short for a 4K map */
	KT_EXPECT_EQ(t, pt_map(&pt, 0x1000, 0x1000, 0x1000, 0, PAGE_CACHE_WB), -ENOMEM);
	free(m.pages);
}

/* Changing the type of part of a 1 GiB page splits it down to 4 KiB pages
 * around the range, keeps every other translation and attribute, and
 * changes exactly the pages asked for. */
static void set_cache_splits_large_pages(struct ktest *t)
{
	struct fake_mem m; struct pt_ops ops; struct page_table pt;
	uint64_t base = 0xffff888000000000ULL, pte = 0, size = 0;
	uint64_t lo = base + PT_SIZE_2M + 3 * PT_SIZE_4K, len = 2 * PT_SIZE_4K;

	fake_table(&m, &ops, &pt, FAKE_TABLES, true);
	KT_ASSERT_EQ(t, pt_map(&pt, base, 0, PT_SIZE_1G, PT_MAP_WRITE, PAGE_CACHE_WT), 0);
	KT_ASSERT_EQ(t, pt_set_cache(&pt, lo, len, PAGE_CACHE_WC), 0);
	for (uint64_t va = base; va < base + 2 * PT_SIZE_2M; va += PT_SIZE_4K) {
		bool inside = va >= lo && va < lo + len;
		KT_ASSERT_TRUE(t, pt_lookup(&pt, va + 5, &pte, &size));
		KT_ASSERT_UEQ(t, pt_entry_phys(pte, size, va + 5), va - base + 5);
		KT_ASSERT_EQ(t, pt_entry_cache(pte, size), inside ? PAGE_CACHE_WC : PAGE_CACHE_WT);
		KT_ASSERT_TRUE(t, (pte & (PTE_WRITE | PTE_NX)) == (PTE_WRITE | PTE_NX));
	}
	KT_EXPECT_TRUE(t, pt_lookup(&pt, lo, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_4K);
	KT_EXPECT_TRUE(t, pt_lookup(&pt, base + 4 * PT_SIZE_2M, &pte, &size));
	KT_EXPECT_UEQ(t, size, PT_SIZE_2M);                 /* untouched 2 MiB pages stay */
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WT);
	/* Back to the original type; an unmapped range is refused. */
	KT_EXPECT_EQ(t, pt_set_cache(&pt, lo, len, PAGE_CACHE_WT), 0);
	KT_ASSERT_TRUE(t, pt_lookup(&pt, lo, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WT);
	KT_EXPECT_EQ(t, pt_set_cache(&pt, base + PT_SIZE_1G, PT_SIZE_4K, PAGE_CACHE_UC), -EINVAL);
	free(m.pages);
}

KTEST_SUITE(pgtable, KTEST_CASE(map_and_lookup_4k), KTEST_CASE(large_pages_when_aligned),
	    KTEST_CASE(cache_types_round_trip), KTEST_CASE(permissions),
	    KTEST_CASE(rejects_bad_input), KTEST_CASE(unmap), KTEST_CASE(out_of_table_pages),
	    KTEST_CASE(set_cache_splits_large_pages));
