/*
 * test_buddy.c - the page allocator over fake physical memory.
 *
 * The whole allocator runs here, page array and all, on machines described
 * by a memory map (tests/host/host_stubs.c backs their "physical memory").
 * The long random runs check every answer against a reference model: a
 * byte per frame saying whether it is managed and whether it is allocated.
 * A block handed out must be aligned, inside managed RAM, free in the
 * model, and within the zone and limit asked for; a NULL is only allowed
 * when the model has no such block either; and after everything is freed
 * the free lists must be exactly the ones the allocator started with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot/boot_info.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc_internal.h"
#include "tests/host/host_stubs.h"

#define USABLE   BOOT_MEM_USABLE
#define RESERVED BOOT_MEM_RESERVED
#define LOADER   BOOT_MEM_LOADER
#define N(a)     ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#define T_KERNEL_PHYS   (2 * HOST_MIB)
#define T_KERNEL_SIZE   HOST_MIB
#define T_4G            (4 * HOST_GIB)
#define T_PFN_4G        PFN_DOWN(T_4G)
#define T_SEED          0xb0dd1e5ULL
#define T_OPS_SMALL     100000
#define T_OPS_HIGH      30000
#define T_MAX_LIVE      4096
#define T_CHECK_EVERY   997          /* full consistency check period (prime) */
#define T_JUNK          0xa5

/* 64 MiB with the usual low-memory holes: one zone. */
static const struct boot_mem_region m_small[] = {
	{ 0x0, 0x9fc00, USABLE, 0 },
	{ 0x9fc00, 0x400, RESERVED, 0 },
	{ 0xf0000, 0x10000, RESERVED, 0 },
	{ 0x100000, 63 * HOST_MIB, USABLE, 0 },
	{ 0xfffc0000, 0x40000, RESERVED, 0 },
};

/* 32 MiB below 4 GiB and 32 MiB above it, like a small -m 6G: two zones. */
static const struct boot_mem_region m_high[] = {
	{ 0x100000, 31 * HOST_MIB, USABLE, 0 },
	{ 0xb0000000, 0x10000000, RESERVED, 0 },
	{ T_4G, 32 * HOST_MIB, USABLE, 0 },
};

/* A UEFI-like machine: loader regions below and above 4 GiB, the kernel inside one. */
static const struct boot_mem_region m_loader[] = {
	{ 0x100000, 15 * HOST_MIB, USABLE, 0 },
	{ 0x1000000, 4 * HOST_MIB, LOADER, 0 },       /* the kernel: first 2 MiB */
	{ 0x1400000, 44 * HOST_MIB, USABLE, 0 },      /* room for the 16 MiB page array */
	{ 0x4000000, 0x10000, LOADER, 0 },            /* page tables, boot_info */
	{ T_4G, 8 * HOST_MIB, USABLE, 0 },
	{ T_4G + 8 * HOST_MIB, 0x8000, LOADER, 0 },   /* the map buffer */
	{ T_4G + 8 * HOST_MIB + 0x8000, 8 * HOST_MIB - 0x8000, USABLE, 0 },
};

/* The reference model, one entry per frame. */
static struct {
	uint8_t *managed;        /* the frame was given to the allocator */
	uint8_t *allocated;      /* the frame is in a block handed out */
	uint64_t nr;             /* frames modelled */
	struct { uint64_t pfn; unsigned int order; } live[T_MAX_LIVE];
	uint32_t nlive;          /* blocks handed out and not yet freed */
} ref;

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	return host_xorshift(&rnd_state);
}

/* Boot a machine; 0, or -1 if the host could not back its memory. */
static int t_boot(const struct boot_mem_region *mem, uint32_t n, const char *cmdline)
{
	return host_mm_boot(mem, n, T_KERNEL_PHYS, T_KERNEL_SIZE, cmdline);
}

/* Both zones' statistics, for before/after comparisons. */
struct t_stats {
	struct zone_stats z[MAX_NR_ZONES];
};

static void t_stats(struct t_stats *s)
{
	memset(s, 0, sizeof(*s));
	page_alloc_zone_stats(ZONE_DMA32, &s->z[ZONE_DMA32]);
	page_alloc_zone_stats(ZONE_NORMAL, &s->z[ZONE_NORMAL]);
}

/* Free lists and counts equal (failure counters may differ). */
static bool t_same_lists(const struct t_stats *a, const struct t_stats *b)
{
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		if (a->z[z].present_pages != b->z[z].present_pages ||
		    a->z[z].free_pages != b->z[z].free_pages ||
		    memcmp(a->z[z].free_blocks, b->z[z].free_blocks,
			   sizeof(a->z[z].free_blocks)) != 0)
			return false;
	return true;
}

/* ---- the reference model ---- */

/* Model the machine as booted: managed = what the memory map calls usable, below @limit. */
static void ref_init(uint64_t limit)
{
	const struct memmap_region *r;
	uint64_t pfn, end;
	uint32_t i;

	free(ref.managed);
	free(ref.allocated);
	ref.nr = PFN_UP(memmap_ram_end());
	ref.managed = calloc(ref.nr, 1);
	ref.allocated = calloc(ref.nr, 1);
	ref.nlive = 0;
	for (i = 0; (r = memmap_get(i)) != NULL; i++)
		if (r->type == USABLE) {
			end = PFN_DOWN(r->end < limit ? r->end : limit);
			for (pfn = PFN_UP(r->base); pfn < end; pfn++)
				ref.managed[pfn] = 1;
		}
}

/* Does the model agree with the allocator on which frames are managed? */
static bool ref_managed_matches(void)
{
	uint64_t pfn;

	for (pfn = 0; pfn < ref.nr; pfn++)
		if (ref.managed[pfn] != (phys_to_page(pfn << PAGE_SHIFT) != NULL))
			return false;
	return true;
}

/* Is there any aligned run of 2^@order free managed frames in [@lo, @hi)? */
static bool ref_has_block(unsigned int order, uint64_t lo, uint64_t hi)
{
	uint64_t pfn, i, span = 1ULL << order;

	for (pfn = lo; pfn + span <= hi && pfn + span <= ref.nr; pfn += span) {
		for (i = 0; i < span && ref.managed[pfn + i] && !ref.allocated[pfn + i]; i++)
			;
		if (i == span)
			return true;
	}
	return false;
}

/* Check a block the allocator handed out, and record it. */
static void ref_take(struct ktest *t, struct page *page, unsigned int order,
		     uint64_t end_pfn)
{
	uint64_t pfn = page_to_pfn(page), i;

	KT_ASSERT_UEQ(t, pfn % (1ULL << order), 0);
	KT_ASSERT_TRUE(t, pfn + (1ULL << order) <= end_pfn);
	for (i = pfn; i < pfn + (1ULL << order); i++) {
		if (!ref.managed[i] || ref.allocated[i])
			KT_FAIL(t, "frame 0x%llx handed out but %s", (unsigned long long)i,
				ref.managed[i] ? "already allocated" : "not managed");
		ref.allocated[i] = 1;
	}
	ref.live[ref.nlive].pfn = pfn;
	ref.live[ref.nlive].order = order;
	ref.nlive++;
}

/* Free live block @k through the allocator and in the model. */
static void ref_give(uint32_t k)
{
	uint64_t pfn = ref.live[k].pfn, i;
	unsigned int order = ref.live[k].order;

	__free_pages(pfn_to_page(pfn), order);
	for (i = pfn; i < pfn + (1ULL << order); i++)
		ref.allocated[i] = 0;
	ref.live[k] = ref.live[--ref.nlive];
}

/* Free counts per zone must equal managed minus allocated frames. */
static void ref_check_counts(struct ktest *t)
{
	uint64_t want[MAX_NR_ZONES] = { 0 }, blocks, pfn;
	struct t_stats s;
	unsigned int k;
	int z;

	for (pfn = 0; pfn < ref.nr; pfn++)
		if (ref.managed[pfn] && !ref.allocated[pfn])
			want[pfn < T_PFN_4G ? ZONE_DMA32 : ZONE_NORMAL]++;
	t_stats(&s);
	for (z = 0; z < MAX_NR_ZONES; z++) {
		KT_EXPECT_UEQ(t, s.z[z].free_pages, want[z]);
		for (blocks = 0, k = 0; k <= MAX_ORDER; k++)
			blocks += s.z[z].free_blocks[k] << k;
		KT_EXPECT_UEQ(t, blocks, s.z[z].free_pages);
	}
}

/* ---- random runs ---- */

/* Small orders are common, big ones rare: order k with probability 2^-(k+1). */
static unsigned int rnd_order(void)
{
	unsigned int order = (unsigned int)__builtin_ctzll(rnd() | (1ULL << MAX_ORDER));

	return order;
}

/* One random allocation: a zone flag or a limit now and then; NULL must be justified. */
static void rnd_alloc(struct ktest *t)
{
	unsigned int order = rnd_order();
	uint64_t pick = rnd() % 8, limit = UINT64_MAX, end_pfn = ref.nr;
	gfp_t gfp = __GFP_NOWARN;
	struct page *page;

	if (pick == 0) {
		gfp |= __GFP_DMA32;
		end_pfn = end_pfn < T_PFN_4G ? end_pfn : T_PFN_4G;
	} else if (pick == 1) {
		limit = rnd() % (ref.nr << PAGE_SHIFT);
		end_pfn = PFN_DOWN(limit + 1);
	}
	page = limit == UINT64_MAX ? alloc_pages(gfp, order) : alloc_pages_limit(gfp, order, limit);
	if (page) {
		ref_take(t, page, order, end_pfn);
		return;
	}
	if (ref_has_block(order, 0, end_pfn))
		KT_FAIL(t, "order %u returned NULL below frame 0x%llx, but a free block exists",
			order, (unsigned long long)end_pfn);
}

/* A deliberate mistake: freeing a live block with the wrong order, or a frame inside it. */
static void rnd_bad_free(struct ktest *t)
{
	uint32_t k = (uint32_t)(rnd() % ref.nlive);
	uint64_t pfn = ref.live[k].pfn, bad = page_alloc_bad_frees();
	unsigned int order = ref.live[k].order;
	struct t_stats before, after;

	t_stats(&before);
	if (order > 0 && rnd() % 2)
		__free_pages(pfn_to_page(pfn + 1), 0);           /* a frame inside */
	else
		__free_pages(pfn_to_page(pfn), order == MAX_ORDER ? 0 : order + 1);
	t_stats(&after);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 1);
	KT_EXPECT_TRUE(t, t_same_lists(&before, &after));
}

/* @ops random operations against the model, then free all and compare with the start. */
static void rnd_run(struct ktest *t, uint32_t ops)
{
	struct t_stats start, end;
	uint32_t i;

	t_stats(&start);
	for (i = 0; i < ops && t->status == KTEST_PASS; i++) {
		if (ref.nlive < T_MAX_LIVE && (ref.nlive == 0 || rnd() % 16 < 9))
			rnd_alloc(t);
		else if (rnd() % 64 == 0)
			rnd_bad_free(t);
		else
			ref_give((uint32_t)(rnd() % ref.nlive));
		if (i % T_CHECK_EVERY == 0)
			ref_check_counts(t);
	}
	while (ref.nlive)
		ref_give(ref.nlive - 1);
	ref_check_counts(t);
	t_stats(&end);
	KT_EXPECT_TRUE(t, t_same_lists(&start, &end));
}

/* 100k operations on one zone: splits, merges, limits, exhaustion, bad frees. */
static void random_against_model(struct ktest *t)
{
	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	ref_init(UINT64_MAX);
	KT_ASSERT_TRUE(t, ref_managed_matches());
	rnd_state = T_SEED;
	rnd_run(t, T_OPS_SMALL);
}

/* The same on two zones, after the direct map has been extended above 4 GiB. */
static void random_two_zones(struct ktest *t)
{
	if (t_boot(m_high, N(m_high), NULL) != 0)
		KT_SKIP(t, "the host refused a 4 GiB MAP_NORESERVE mapping");
	page_alloc_extend(memmap_ram_end());
	ref_init(UINT64_MAX);
	KT_ASSERT_TRUE(t, ref_managed_matches());
	rnd_state = T_SEED + 1;
	rnd_run(t, T_OPS_HIGH);
}

/* ---- one property at a time ---- */

/* Every order comes back aligned to its size; MAX_ORDER + 1 is refused. */
static void blocks_are_aligned(struct ktest *t)
{
	struct page *pages[MAX_ORDER + 1];
	unsigned long errs = log_count(LOG_ERR);
	unsigned int order;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	for (order = 0; order <= MAX_ORDER; order++) {
		pages[order] = alloc_pages(GFP_KERNEL, order);
		KT_ASSERT_NOT_NULL(t, pages[order]);
		KT_EXPECT_UEQ(t, page_to_phys(pages[order]) % (PAGE_SIZE << order), 0);
		KT_EXPECT_TRUE(t, page_address(pages[order]) ==
				  mm_phys_to_virt(page_to_phys(pages[order])));
	}
	KT_EXPECT_NULL(t, alloc_pages(GFP_KERNEL, MAX_ORDER + 1));
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	for (order = 0; order <= MAX_ORDER; order++)
		__free_pages(pages[order], order);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), 0);
}

/* After boot the lists hold the largest blocks; one split and merge restores them. */
static void split_and_coalesce(struct ktest *t)
{
	struct t_stats start, mid, end;
	struct page *page;
	unsigned int k;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	t_stats(&start);
	KT_EXPECT_GT(t, start.z[ZONE_DMA32].free_blocks[MAX_ORDER], 10);
	page = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, page);
	t_stats(&mid);
	if (start.z[ZONE_DMA32].free_blocks[0] == 0) {
		/* The request split a bigger block: one new block per order on the way. */
		for (k = 0; k < MAX_ORDER && start.z[ZONE_DMA32].free_blocks[k] == 0; k++)
			KT_EXPECT_UEQ(t, mid.z[ZONE_DMA32].free_blocks[k], 1);
	}
	__free_pages(page, 0);
	t_stats(&end);
	KT_EXPECT_TRUE(t, t_same_lists(&start, &end));
}

/* Exhaustion: NULL, a counted failure, a warning unless __GFP_NOWARN; all frees back. */
static void exhaustion(struct ktest *t)
{
	static uint64_t pfns[PFN_DOWN(64 * HOST_MIB)];
	struct t_stats start, empty, end;
	unsigned long warns;
	struct page *page;
	uint64_t n = 0, i;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	t_stats(&start);
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		pfns[n++] = page_to_pfn(page);
	KT_EXPECT_UEQ(t, n, start.z[ZONE_DMA32].free_pages);
	t_stats(&empty);
	KT_EXPECT_UEQ(t, empty.z[ZONE_DMA32].free_pages, 0);
	KT_EXPECT_UEQ(t, empty.z[ZONE_DMA32].alloc_failures,
		      start.z[ZONE_DMA32].alloc_failures + 1);
	warns = log_count(LOG_WARN);
	KT_EXPECT_NULL(t, alloc_pages(GFP_KERNEL, 3));
	KT_EXPECT_EQ(t, log_count(LOG_WARN), warns + 1);
	KT_EXPECT_SUBSTR(t, host_log_last(), "out of memory");
	KT_EXPECT_NULL(t, alloc_pages_limit(GFP_DMA32 | __GFP_NOWARN, 0, DMA32_LIMIT));
	KT_EXPECT_EQ(t, log_count(LOG_WARN), warns + 1);
	for (i = 0; i < n; i++)
		__free_pages(pfn_to_page(pfns[i]), 0);
	t_stats(&end);
	KT_EXPECT_TRUE(t, t_same_lists(&start, &end));
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), 0);
}

/* Every kind of bad free is counted, named in the log, and changes nothing. */
static void bad_frees(struct ktest *t)
{
	struct page *a, *b, fake;
	struct t_stats before, after;
	uint64_t bad;
	char where[32];

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	a = alloc_pages(GFP_KERNEL, 2);
	b = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	__free_pages(b, 0);
	t_stats(&before);
	bad = page_alloc_bad_frees();
	snprintf(where, sizeof(where), "0x%llx", (unsigned long long)page_to_phys(b));
	__free_pages(b, 0);                                   /* double free */
	KT_EXPECT_SUBSTR(t, host_log_last(), where);
	KT_EXPECT_SUBSTR(t, host_log_last(), "double free");
	__free_pages(a, 1);                                   /* wrong order */
	KT_EXPECT_SUBSTR(t, host_log_last(), "it has order 2");
	__free_pages(a + 1, 0);                               /* inside the block */
	__free_pages(a + 1, 1);                               /* misaligned */
	KT_EXPECT_SUBSTR(t, host_log_last(), "misaligned");
	__free_pages(pfn_to_page(PFN_DOWN(T_KERNEL_PHYS)), 0);  /* the kernel image */
	KT_EXPECT_SUBSTR(t, host_log_last(), "not a frame the allocator manages");
	__free_pages(&fake, 0);                               /* not a struct page */
	__free_pages(NULL, 0);
	__free_pages(a, MAX_ORDER + 1);
	free_pages((unsigned long)page_address(a) + 8, 2);    /* not a page start */
	free_pages((unsigned long)&fake, 0);                  /* not in RAM at all */
	free_pages(0, 0);                                     /* allowed, like free(NULL) */
	t_stats(&after);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 10);
	KT_EXPECT_TRUE(t, t_same_lists(&before, &after));
	__free_pages(a, 2);                                   /* the real one still works */
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 10);
}

/* GFP_DMA32 stays below 4 GiB; GFP_KERNEL prefers above; limits hold; Normal waits for extend. */
static void zones_and_limits(struct ktest *t)
{
	struct zone_stats dma, normal;
	struct page *p;

	if (t_boot(m_high, N(m_high), NULL) != 0)
		KT_SKIP(t, "the host refused a 4 GiB MAP_NORESERVE mapping");
	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	KT_EXPECT_UEQ(t, normal.present_pages, 0);           /* not mapped yet */
	KT_EXPECT_UEQ(t, normal.start, T_4G);
	p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_ULT(t, page_to_phys(p), T_4G);
	__free_pages(p, 0);
	page_alloc_extend(memmap_ram_end());
	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	KT_EXPECT_UEQ(t, normal.present_pages, PFN_DOWN(32 * HOST_MIB));
	p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UGE(t, page_to_phys(p), T_4G);
	__free_pages(p, 0);
	p = alloc_pages(GFP_DMA32, MAX_ORDER);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_ULT(t, page_to_phys(p), T_4G);
	__free_pages(p, MAX_ORDER);
	p = alloc_pages_limit(GFP_KERNEL, 4, 0x7fffff);      /* 23 bits */
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_ULT(t, page_to_phys(p) + (PAGE_SIZE << 4) - 1, 0x800000);
	__free_pages(p, 4);
	/* Nothing in the first MiB; no 2 MiB block ends below 0x101000. */
	KT_EXPECT_NULL(t, alloc_pages_limit(GFP_KERNEL | __GFP_NOWARN, 0, 0xfffff));
	KT_EXPECT_NULL(t, alloc_pages_limit(GFP_KERNEL | __GFP_NOWARN, 9, 0x100fff));
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	KT_EXPECT_UEQ(t, dma.alloc_failures, 2);
}

/* With DMA32 exhausted, GFP_DMA32 fails even though Normal has room, and the reverse. */
static void zone_exhaustion_does_not_leak(struct ktest *t)
{
	struct zone_stats dma;
	struct page *p;
	uint64_t n = 0;

	if (t_boot(m_high, N(m_high), NULL) != 0)
		KT_SKIP(t, "the host refused a 4 GiB MAP_NORESERVE mapping");
	page_alloc_extend(memmap_ram_end());
	while ((p = alloc_pages(GFP_DMA32 | __GFP_NOWARN, 0)) != NULL) {
		KT_ASSERT_TRUE(t, page_to_phys(p) < T_4G);
		n++;
	}
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	KT_EXPECT_UEQ(t, dma.free_pages, 0);
	KT_EXPECT_UEQ(t, dma.alloc_failures, 1);
	KT_EXPECT_GT(t, n, 0);
	p = alloc_pages(GFP_KERNEL, 0);                      /* Normal still serves */
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UGE(t, page_to_phys(p), T_4G);
}

/* __GFP_ZERO clears a block even when all of memory was dirty. */
static void zeroing(struct ktest *t)
{
	static uint64_t pfns[PFN_DOWN(64 * HOST_MIB)];
	struct page *page;
	uint64_t n = 0, i, j;
	const uint8_t *bytes;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL) {
		memset(page_address(page), T_JUNK, PAGE_SIZE);
		pfns[n++] = page_to_pfn(page);
	}
	for (i = 0; i < n; i++)
		__free_pages(pfn_to_page(pfns[i]), 0);
	for (i = 0; i < 64; i++) {
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
		KT_ASSERT_NOT_NULL(t, page);
		bytes = page_address(page);
		for (j = 0; j < (PAGE_SIZE << 2) && bytes[j] == 0; j++)
			;
		KT_ASSERT_UEQ(t, j, PAGE_SIZE << 2);
	}
}

/*
 * page_poison=on: freed pages hold poison, and a write into one is caught
 * when it is handed out again, even after its block was merged and split.
 */
static void poisoning(struct ktest *t)
{
	static uint64_t pfns[PFN_DOWN(64 * HOST_MIB)];
	struct page *page;
	uint64_t n = 0, i, errors, group, *words;
	char where[32];

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), "page_poison=on"), 0);
	errors = page_alloc_poison_errors();
	/* Take everything, so the pages freed below are the only free ones. */
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)) != NULL)
		pfns[n++] = page_to_pfn(page);
	KT_ASSERT_GT(t, n, 8);
	group = pfns[n / 2] & ~3ULL;                 /* four frames, one order-2 block */
	for (i = group; i < group + 4; i++)
		KT_ASSERT_NOT_NULL(t, phys_to_page(i << PAGE_SHIFT));
	for (i = group; i < group + 4; i++)
		__free_pages(pfn_to_page(i), 0);
	words = page_address(pfn_to_page(group + 3));
	KT_EXPECT_UEQ(t, words[0], 0x6567617065657266ULL);   /* "freepage" */
	KT_EXPECT_UEQ(t, words[PAGE_SIZE / sizeof(uint64_t) - 1], words[0]);
	words[100] = 42;                                       /* the use after free */
	for (i = 0; i < 4; i++)
		KT_ASSERT_NOT_NULL(t, alloc_pages(GFP_KERNEL, 0));
	KT_EXPECT_UEQ(t, page_alloc_poison_errors(), errors + 1);
	snprintf(where, sizeof(where), "0x%llx",
		 (unsigned long long)(((group + 3) << PAGE_SHIFT) + 100 * sizeof(uint64_t)));
	KT_EXPECT_SUBSTR(t, host_log_last(), where);
	/* Untouched, the same page comes and goes without a report. */
	__free_pages(pfn_to_page(group + 3), 0);
	KT_ASSERT_TRUE(t, alloc_pages(GFP_KERNEL, 0) == pfn_to_page(group + 3));
	KT_EXPECT_UEQ(t, page_alloc_poison_errors(), errors + 1);
	for (i = 0; i < n; i++)
		__free_pages(pfn_to_page(pfns[i]), 0);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), 0);
}

/* A random run with poisoning on and every block written: never a false alarm. */
static void poisoning_no_false_alarms(struct ktest *t)
{
	uint32_t i, k;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), "page_poison=on"), 0);
	KT_ASSERT_TRUE(t, page_alloc_set_poison(true));
	ref_init(UINT64_MAX);
	rnd_state = T_SEED + 2;
	for (i = 0; i < T_OPS_SMALL / 10; i++) {
		if (ref.nlive < T_MAX_LIVE && (ref.nlive == 0 || rnd() % 2)) {
			rnd_alloc(t);
			k = ref.nlive - 1;
			if (ref.nlive && rnd() % 4 == 0)
				memset(page_address(pfn_to_page(ref.live[k].pfn)), T_JUNK,
				       PAGE_SIZE << ref.live[k].order);
		} else {
			ref_give((uint32_t)(rnd() % ref.nlive));
		}
	}
	while (ref.nlive)
		ref_give(ref.nlive - 1);
	KT_EXPECT_UEQ(t, page_alloc_poison_errors(), 0);
	KT_EXPECT_TRUE(t, page_alloc_set_poison(false));
}

/* Address conversions agree, and unmanaged frames have no struct page to give. */
static void conversions(struct ktest *t)
{
	struct page *p;

	KT_ASSERT_EQ(t, t_boot(m_small, N(m_small), NULL), 0);
	p = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, phys_to_page(page_to_phys(p)) == p);
	KT_EXPECT_TRUE(t, phys_to_page(page_to_phys(p) + PAGE_SIZE - 1) == p);
	KT_EXPECT_TRUE(t, virt_to_page((char *)page_address(p) + 123) == p);
	KT_EXPECT_NULL(t, phys_to_page(T_KERNEL_PHYS));      /* kernel image */
	KT_EXPECT_NULL(t, phys_to_page(0x1000));             /* first MiB */
	KT_EXPECT_NULL(t, phys_to_page(64 * HOST_MIB - PAGE_SIZE));  /* the page array */
	KT_EXPECT_NULL(t, phys_to_page(T_4G));               /* beyond RAM */
	KT_EXPECT_NULL(t, virt_to_page(&p));                 /* a stack address */
	KT_EXPECT_UEQ(t, __get_free_pages(GFP_KERNEL, 0) % PAGE_SIZE, 0);
}

/* Loader memory joins only on release, minus the kernel; extend after release includes it. */
static void loader_release(struct ktest *t)
{
	struct zone_stats dma, normal;
	uint64_t present;

	if (host_mm_boot(m_loader, N(m_loader), 0x1000000, 2 * HOST_MIB, NULL) != 0)
		KT_SKIP(t, "the host refused a 4 GiB MAP_NORESERVE mapping");
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	present = dma.present_pages;
	KT_EXPECT_NULL(t, phys_to_page(0x1200000));          /* loader, not yet */
	page_alloc_release_loader();
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	KT_EXPECT_UEQ(t, dma.present_pages, present + PFN_DOWN(2 * HOST_MIB + 0x10000));
	KT_EXPECT_NOT_NULL(t, phys_to_page(0x1200000));
	KT_EXPECT_NULL(t, phys_to_page(0x1000000));          /* the kernel stays */
	KT_EXPECT_NULL(t, phys_to_page(T_4G + 8 * HOST_MIB)); /* above the mapped limit */
	page_alloc_release_loader();                          /* twice: a warning, no change */
	KT_EXPECT_SUBSTR(t, host_log_last(), "already released");
	page_alloc_extend(memmap_ram_end());
	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	KT_EXPECT_UEQ(t, normal.present_pages, PFN_DOWN(16 * HOST_MIB));
	KT_EXPECT_NOT_NULL(t, phys_to_page(T_4G + 8 * HOST_MIB));
}

/* A map shaped like QEMU's UEFI 6 GiB one: 8 GiB of frames, a loader block above 4 GiB. */
static void uefi_like_6g(struct ktest *t)
{
	static const struct boot_mem_region map[] = {
		{ 0x0, 0xa0000, USABLE, 0 },
		{ 0x100000, 0x700000, USABLE, 0 },
		{ 0x800000, 0x100000, BOOT_MEM_ACPI_NVS, 0 },
		{ 0x900000, 0x7d700000, USABLE, 0 },
		{ 0x7e000000, 0x200000, LOADER, 0 },
		{ 0x7e200000, 0x1800000, USABLE, 0 },
		{ 0x7fa00000, 0x600000, RESERVED, 0 },
		{ 0xb0000000, 0x10000000, RESERVED, 0 },
		{ 0x100000000, 0x40000000, USABLE, 0 },
		{ 0x140000000, 0xa000, LOADER, 0 },
		{ 0x14000a000, 0xbfff6000, USABLE, 0 },
	};
	struct zone_stats dma, normal;
	struct page *p;
	uint64_t blocks = 0;

	if (host_mm_boot(map, N(map), 0x7e000000, 2 * HOST_MIB, NULL) != 0)
		KT_SKIP(t, "the host refused an 8 GiB MAP_NORESERVE mapping");
	page_alloc_extend(memmap_ram_end());
	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	KT_EXPECT_UEQ(t, normal.present_pages, PFN_DOWN(4 * HOST_GIB - 0xa000));
	KT_EXPECT_UEQ(t, normal.free_blocks[MAX_ORDER], 1024 - 1);  /* one holds the loader */
	page_alloc_release_loader();
	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	KT_EXPECT_UEQ(t, normal.present_pages, PFN_DOWN(4 * HOST_GIB));
	KT_EXPECT_UEQ(t, normal.free_blocks[MAX_ORDER], 1024);      /* merged back */
	page_alloc_zone_stats(ZONE_DMA32, &dma);
	KT_EXPECT_UEQ(t, dma.end, 4 * HOST_GIB);
	/* 32 MiB of page array for 8 GiB, taken from the top of low RAM */
	KT_EXPECT_UEQ(t, memmap_bytes(MEMMAP_PAGE_ARRAY, 0, UINT64_MAX), 32 * HOST_MIB);
	while ((p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER)) != NULL)
		blocks++;
	KT_EXPECT_GT(t, blocks, 1400);
}

KTEST_SUITE(buddy,
	    KTEST_CASE(blocks_are_aligned),
	    KTEST_CASE(split_and_coalesce),
	    KTEST_CASE(exhaustion),
	    KTEST_CASE(bad_frees),
	    KTEST_CASE(zones_and_limits),
	    KTEST_CASE(zone_exhaustion_does_not_leak),
	    KTEST_CASE(zeroing),
	    KTEST_CASE(poisoning),
	    KTEST_CASE(poisoning_no_false_alarms),
	    KTEST_CASE(conversions),
	    KTEST_CASE(loader_release),
	    KTEST_CASE(uefi_like_6g),
	    KTEST_CASE(random_against_model),
	    KTEST_CASE(random_two_zones));
