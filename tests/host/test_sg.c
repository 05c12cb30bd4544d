/*
 * test_sg.c - scatterlists: building, walking, and the segment limits a
 * mapped list must respect (max_seg_size, segment boundary).
 */
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "kernel/ktest.h"

#define ENTRIES 5

/* A device with only segment limits set. */
static struct device limited(unsigned int max_seg, uint64_t boundary_mask)
{
	struct device d = { .max_seg_size = max_seg, .seg_boundary_mask = boundary_mask };

	return d;
}

static void init_and_walk(struct ktest *t)
{
	struct scatterlist sg[ENTRIES], *s;
	unsigned n = 0;
	int i;

	sg[2].length = 99;
	sg_init_table(sg, ENTRIES);
	KT_EXPECT_EQ(t, sg[2].length, 0);               /* zeroed */
	for (s = sg; s; s = sg_next(s))
		n++;
	KT_EXPECT_EQ(t, n, ENTRIES);                    /* SG_END on the last */
	n = 0;
	for_each_sg(sg, s, 3, i)                         /* a mapped count stops early */
		n++;
	KT_EXPECT_EQ(t, n, 3);
	sg_mark_end(&sg[1]);
	KT_EXPECT_NULL(t, sg_next(&sg[1]));
}

/* sg_set_page folds whole pages of the offset into the page address. */
static void set_page_offsets(struct ktest *t)
{
	struct scatterlist sg[1];

	sg_init_table(sg, 1);
	sg[0].page_phys = 0x5000;
	sg[0].offset = 0x123;
	KT_EXPECT_UEQ(t, sg_phys(&sg[0]), 0x5123);
}

static void segment_length(struct ktest *t)
{
	struct device d = limited(4096, ~0ULL);

	KT_EXPECT_TRUE(t, dma_segment_fits(&d, 0x1000, 4096));
	KT_EXPECT_FALSE(t, dma_segment_fits(&d, 0x1000, 4097));
	KT_EXPECT_FALSE(t, dma_segment_fits(&d, 0x1000, 0));
	KT_EXPECT_FALSE(t, dma_segment_fits(&d, ~0ULL - 10, 64));  /* wraps */
}

/* A boundary of 2^n: first and last byte in the same 2^n window. */
static void segment_boundary(struct ktest *t)
{
	static const uint64_t masks[] = { 0xfff, 0xffff, 0xffffffff };
	static const uint64_t starts[] = { 0, 1, 0xff0, 0xfff, 0x1000, 0xfff0, 0xfffff000ULL };
	static const unsigned lens[] = { 1, 16, 17, 4095, 4096, 65536 };

	for (unsigned m = 0; m < 3; m++)
		for (unsigned a = 0; a < sizeof(starts) / sizeof(starts[0]); a++)
			for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				struct device d = limited(1u << 30, masks[m]);
				uint64_t first = starts[a], last = first + lens[l] - 1;
				bool want = first / (masks[m] + 1) == last / (masks[m] + 1);
				KT_ASSERT_EQ(t, dma_segment_fits(&d, first, lens[l]), want);
			}
}

/* The first entry that breaks a limit is found, whatever its position. */
static void first_unfit_in_list(struct ktest *t)
{
	struct device d = limited(8192, 0xffff);
	struct scatterlist sg[ENTRIES];

	sg_init_table(sg, ENTRIES);
	for (int i = 0; i < ENTRIES; i++) {
		sg[i].dma_address = 0x10000ULL * (i + 1);
		sg[i].dma_length = 4096;
	}
	KT_EXPECT_EQ(t, dma_sg_first_unfit(&d, sg, ENTRIES), -1);
	sg[3].dma_address = 0x4f000;                      /* crosses 0x50000 */
	sg[3].dma_length = 8192;
	KT_EXPECT_EQ(t, dma_sg_first_unfit(&d, sg, ENTRIES), 3);
	sg[1].dma_length = 8193;                          /* too long */
	KT_EXPECT_EQ(t, dma_sg_first_unfit(&d, sg, ENTRIES), 1);
	KT_EXPECT_EQ(t, dma_sg_first_unfit(&d, sg, 1), -1);  /* only the mapped count */
}

KTEST_SUITE(scatterlist, KTEST_CASE(init_and_walk), KTEST_CASE(set_page_offsets),
	    KTEST_CASE(segment_length), KTEST_CASE(segment_boundary),
	    KTEST_CASE(first_unfit_in_list));
