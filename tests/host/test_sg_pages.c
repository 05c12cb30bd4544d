/*
 * test_sg_pages.c - chained scatterlists (sg_chain) and tables built from
 * page arrays (sg_alloc_table_from_pages), over the real page allocator
 * and kmalloc of a fake machine.
 */
#include "boot/boot_info.h"
#include "dma/scatterlist.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/mm/page_alloc.h"
#include "tests/host/host_stubs.h"

#define N(a)        ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define RUN_ORDER   3                  /* 8 physically consecutive pages */
#define RUN_PAGES   (1u << RUN_ORDER)

/* 64 MiB of RAM above the first MiB; the kernel at 2 MiB. */
static const struct boot_mem_region machine[] = {
	{ 0x100000, 63 * HOST_MIB, BOOT_MEM_USABLE, 0 },
};

/* Page @i of the block starting at @first (consecutive struct pages do
 * not have to be adjacent in the array: go through the address). */
static struct page *nth(struct page *first, unsigned i)
{
	return phys_to_page(page_to_phys(first) + (uint64_t)i * PAGE_SIZE);
}

/* Two arrays chained: the walk skips the link, counts pieces only. */
static void chain_walks_both_arrays(struct ktest *t)
{
	struct scatterlist a[3], b[2], *s;
	unsigned seen[5], n = 0;
	int i;

	sg_init_table(a, 3);
	sg_init_table(b, 2);
	for (i = 0; i < 3; i++)
		a[i].length = 10 + i;
	b[0].length = 20;
	b[1].length = 21;
	sg_chain(a, 3, b);                       /* a[2] becomes the link */
	KT_EXPECT_TRUE(t, a[2].flags & SG_CHAIN);
	KT_EXPECT_FALSE(t, a[2].flags & SG_END);
	for (s = a; s; s = sg_next(s))
		seen[n++] = s->length;
	KT_ASSERT_EQ(t, n, 4);
	KT_EXPECT_EQ(t, seen[0], 10);
	KT_EXPECT_EQ(t, seen[1], 11);
	KT_EXPECT_EQ(t, seen[2], 20);            /* straight into b */
	KT_EXPECT_EQ(t, seen[3], 21);
	KT_EXPECT_EQ(t, sg_nents(a), 4);
	n = 0;
	for_each_sg(a, s, 3, i)                  /* a count stops inside b */
		n += s->length;
	KT_EXPECT_EQ(t, n, 10 + 11 + 20);
}

/* A chain of one-entry-plus-link arrays, and marking an end inside it. */
static void chain_of_several_and_mark_end(struct ktest *t)
{
	struct scatterlist a[2], b[2], c[1];

	sg_init_table(a, 2);
	sg_init_table(b, 2);
	sg_init_table(c, 1);
	sg_chain(a, 2, b);
	sg_chain(b, 2, c);
	KT_EXPECT_EQ(t, sg_nents(a), 3);
	KT_EXPECT_TRUE(t, sg_next(a) == &b[0]);
	KT_EXPECT_TRUE(t, sg_next(&b[0]) == &c[0]);
	KT_EXPECT_NULL(t, sg_next(&c[0]));
	sg_mark_end(&b[0]);                      /* cut the list after b[0] */
	KT_EXPECT_EQ(t, sg_nents(a), 2);
}

/* Check @sgt's entries: lengths @len[], first pages @page[], total @size. */
static void expect_entries(struct ktest *t, struct sg_table *sgt, unsigned n,
			   const unsigned *len, struct page *const *page, unsigned offset)
{
	struct scatterlist *s;
	int i;

	KT_ASSERT_EQ(t, sgt->orig_nents, n);
	KT_EXPECT_EQ(t, sgt->nents, n);
	KT_EXPECT_EQ(t, sg_nents(sgt->sgl), (int)n);
	for_each_sgtable_sg(sgt, s, i) {
		KT_EXPECT_EQ(t, s->length, len[i]);
		KT_EXPECT_UEQ(t, sg_phys(s), page_to_phys(page[i]) + (i ? 0 : offset));
	}
}

/* Consecutive pages merge; a gap or a backwards step starts a new entry. */
static void from_pages_merges_consecutive(struct ktest *t)
{
	struct page *blk, *pages[6];
	struct sg_table sgt;
	const unsigned off = 0x100, size = 6 * PAGE_SIZE - off - 0x80;

	KT_ASSERT_EQ(t, host_mm_boot(machine, N(machine), 2 * HOST_MIB, HOST_MIB, NULL), 0);
	blk = alloc_pages(GFP_KERNEL, RUN_ORDER);
	KT_ASSERT_NOT_NULL(t, blk);
	pages[0] = nth(blk, 0);                  /* run 0-1-2 */
	pages[1] = nth(blk, 1);
	pages[2] = nth(blk, 2);
	pages[3] = nth(blk, 5);                  /* gap */
	pages[4] = nth(blk, 4);                  /* backwards */
	pages[5] = nth(blk, 5);                  /* consecutive with 4 */
	KT_ASSERT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 6, off, size, GFP_KERNEL), 0);
	{
		const unsigned len[] = { 3 * PAGE_SIZE - off, PAGE_SIZE, 2 * PAGE_SIZE - 0x80 };
		struct page *first[] = { pages[0], pages[3], pages[4] };

		expect_entries(t, &sgt, 3, len, first, off);
	}
	sg_free_table(&sgt);
	__free_pages(blk, RUN_ORDER);
}

/* A segment limit splits a run into pieces no longer than the limit. */
static void from_pages_respects_max_segment(struct ktest *t)
{
	struct page *blk, *pages[RUN_PAGES];
	struct sg_table sgt;
	const unsigned off = 0x200;
	unsigned i;

	KT_ASSERT_EQ(t, host_mm_boot(machine, N(machine), 2 * HOST_MIB, HOST_MIB, NULL), 0);
	blk = alloc_pages(GFP_KERNEL, RUN_ORDER);
	KT_ASSERT_NOT_NULL(t, blk);
	for (i = 0; i < RUN_PAGES; i++)
		pages[i] = nth(blk, i);
	/* no limit: one entry for the whole run */
	KT_ASSERT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, RUN_PAGES, off,
						  RUN_PAGES * PAGE_SIZE - off, GFP_KERNEL), 0);
	KT_EXPECT_EQ(t, sgt.orig_nents, 1);
	KT_EXPECT_EQ(t, sgt.sgl[0].length, RUN_PAGES * PAGE_SIZE - off);
	sg_free_table(&sgt);
	/* 3 pages (a limit that is not whole pages rounds down): 3 + 3 + 2 */
	KT_ASSERT_EQ(t, sg_alloc_table_from_pages_segment(&sgt, pages, RUN_PAGES, off,
							  RUN_PAGES * PAGE_SIZE - off,
							  3 * PAGE_SIZE + 100, GFP_KERNEL), 0);
	{
		const unsigned len[] = { 3 * PAGE_SIZE - off, 3 * PAGE_SIZE, 2 * PAGE_SIZE };
		struct page *first[] = { pages[0], pages[3], pages[6] };

		expect_entries(t, &sgt, 3, len, first, off);
	}
	sg_free_table(&sgt);
	__free_pages(blk, RUN_ORDER);
}

/* Ranges that leave a page empty, overrun the pages, or name no page are
 * refused, and nothing is allocated. */
static void from_pages_refuses_bad_ranges(struct ktest *t)
{
	struct page *blk, *pages[2];
	struct sg_table sgt = { 0 };

	KT_ASSERT_EQ(t, host_mm_boot(machine, N(machine), 2 * HOST_MIB, HOST_MIB, NULL), 0);
	blk = alloc_pages(GFP_KERNEL, 1);
	KT_ASSERT_NOT_NULL(t, blk);
	pages[0] = nth(blk, 0);
	pages[1] = nth(blk, 1);
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 2, 0, PAGE_SIZE, GFP_KERNEL),
		     -EINVAL);                      /* page 1 would hold nothing */
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 2, 1, 2 * PAGE_SIZE, GFP_KERNEL),
		     -EINVAL);                      /* one byte past the pages */
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 1, 0, 0, GFP_KERNEL), -EINVAL);
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 0, 0, 1, GFP_KERNEL), -EINVAL);
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 1, PAGE_SIZE, 1, GFP_KERNEL),
		     -EINVAL);                      /* offset past the first page */
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages_segment(&sgt, pages, 2, 0, 2 * PAGE_SIZE,
							  PAGE_SIZE - 1, GFP_KERNEL), -EINVAL);
	pages[1] = NULL;
	KT_EXPECT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 2, 0, 2 * PAGE_SIZE, GFP_KERNEL),
		     -EINVAL);
	KT_EXPECT_NULL(t, sgt.sgl);
	/* the smallest and the largest valid range of two pages */
	pages[1] = nth(blk, 1);
	KT_ASSERT_EQ(t, sg_alloc_table_from_pages(&sgt, pages, 2, PAGE_SIZE - 1, 2, GFP_KERNEL), 0);
	KT_EXPECT_EQ(t, sgt.orig_nents, 1);
	KT_EXPECT_EQ(t, sgt.sgl[0].length, 2);
	sg_free_table(&sgt);
	__free_pages(blk, 1);
}

KTEST_SUITE(sg_pages, KTEST_CASE(chain_walks_both_arrays),
	    KTEST_CASE(chain_of_several_and_mark_end), KTEST_CASE(from_pages_merges_consecutive),
	    KTEST_CASE(from_pages_respects_max_segment), KTEST_CASE(from_pages_refuses_bad_ranges));
