/*
 * test_swiotlb.c - the bounce pool on the host.
 *
 * Suite swiotlb_slots drives the pure slot allocator (dma/swiotlb_slots.c)
 * over metadata in host memory; no slot memory exists or is touched. The
 * long random run checks every answer against a reference model that
 * knows, per slot, only "used or free", and recomputes from scratch where
 * a mapping must go: the highest area that has room, the first start
 * there that keeps the aligned bits, ends at or below the limit and does
 * not cross the boundary. So a mapping succeeds exactly when such a run of
 * free slots exists, lands exactly where the rules say, and a refusal
 * means the model has no room either.
 *
 * Suite swiotlb_copy runs dma/swiotlb.c itself on a fake machine
 * (tests/host/host_stubs.c): the pool comes from the page allocator, and
 * the copies go through the fake physical memory, so the copy rules of
 * every direction, partial syncs, min_align_mask, the messages and the
 * statistics are checked here as well as in the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dma/ratelimit.h"
#include "dma/swiotlb.h"
#include "dma/swiotlb_slots.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc_internal.h"
#include "tests/host/host_stubs.h"

#define N(a)            (sizeof(a) / sizeof((a)[0]))
#define T_SLOT          ((uint64_t)IO_TLB_SIZE)
#define T_MAX           SWIOTLB_MAX_BYTES
#define T_SEED          0x5a170bULL
#define T_RANDOM_OPS    40000
#define T_MAX_LIVE      512
#define T_CHECK_EVERY   101           /* full invariant check period (prime) */
#define T_BAD_EVERY     37            /* a wrong unmap attempt every so often */
#define T_SMALL_BYTES   4096          /* "small" mappings: up to a page */
#define T_4G            (4 * HOST_GIB)
#define T_KERNEL_PHYS   (2 * HOST_MIB)
#define T_KERNEL_SIZE   HOST_MIB
#define T_POOL          (8 * HOST_MIB)
#define T_JUNK          0xa5
#define T_DEV_BYTE      0x3c
#define T_NVME_MASK     0xfffULL
#define T_PAGE_MASK     0xfffULL      /* alloc_align_mask of a 4 KiB IOMMU granule */
#define T_BOUNDARY_64K  0xffffULL


/* ---- a pool of fake areas: metadata only ---- */

/* Four areas of odd sizes and alignments, given out of order on purpose. */
static const struct { uint64_t base; unsigned int nslots; } t_layout[] = {
	{ 0x08000000, 512 },   /* 128 MiB, 1 MiB */
	{ 0x00400000, 200 },   /* 4 MiB, not a power of two */
	{ 0x20000800, 130 },   /* only 2 KiB aligned */
	{ 0x01000000, 128 },   /* 16 MiB, exactly one largest mapping */
};

#define T_NAREAS N(t_layout)

struct t_pool {
	struct swiotlb_pool pool;
	struct swiotlb_area areas[T_NAREAS];
	struct swiotlb_slot *meta[T_NAREAS];
};

/* Set up the fake pool: every slot free. */
static void t_pool_make(struct t_pool *tp)
{
	unsigned int i;

	for (i = 0; i < T_NAREAS; i++) {
		tp->meta[i] = calloc(t_layout[i].nslots, sizeof(struct swiotlb_slot));
		swiotlb_area_setup(&tp->areas[i], t_layout[i].base, t_layout[i].nslots,
				   tp->meta[i]);
	}
	swiotlb_pool_init(&tp->pool, tp->areas, T_NAREAS);
}

/* Free the fake pool's metadata. */
static void t_pool_free(struct t_pool *tp)
{
	unsigned int i;

	for (i = 0; i < T_NAREAS; i++)
		free(tp->meta[i]);
}

/* A copy of all metadata and counters, to prove a refusal changed nothing. */
struct t_snapshot {
	struct swiotlb_pool pool;
	struct swiotlb_slot *slots[T_NAREAS];
};

/* Take a snapshot (t_same() compares and frees it). */
static void t_snap(const struct t_pool *tp, struct t_snapshot *s)
{
	unsigned int i;

	s->pool = tp->pool;
	for (i = 0; i < T_NAREAS; i++) {
		s->slots[i] = malloc(tp->areas[i].nslots * sizeof(struct swiotlb_slot));
		memcpy(s->slots[i], tp->areas[i].slots, tp->areas[i].nslots * sizeof(struct swiotlb_slot));
	}
}

/* Same metadata as the snapshot (the pool's counters compared apart); frees it. */
static bool t_same(const struct t_pool *tp, struct t_snapshot *s)
{
	bool same = true;
	unsigned int i;

	for (i = 0; i < T_NAREAS; i++) {
		same &= memcmp(s->slots[i], tp->areas[i].slots,
			       tp->areas[i].nslots * sizeof(struct swiotlb_slot)) == 0;
		free(s->slots[i]);
	}
	return same && s->pool.used == tp->pool.used && s->pool.mappings == tp->pool.mappings;
}

/* Every area as fresh as swiotlb_area_setup() leaves it: free space merged back. */
static bool t_all_free(const struct t_pool *tp)
{
	struct swiotlb_area fresh;
	struct swiotlb_slot *meta;
	bool same = true;
	unsigned int i;

	for (i = 0; i < T_NAREAS; i++) {
		meta = calloc(tp->areas[i].nslots, sizeof(*meta));
		swiotlb_area_setup(&fresh, tp->areas[i].base, tp->areas[i].nslots, meta);
		same &= memcmp(meta, tp->areas[i].slots, tp->areas[i].nslots * sizeof(*meta)) == 0;
		same &= tp->areas[i].used == 0;
		free(meta);
	}
	return same && tp->pool.used == 0 && tp->pool.mappings == 0;
}

/* A request without a boundary. */
static struct swiotlb_req t_req(uint64_t orig, size_t size, uint64_t mask, uint64_t limit)
{
	return (struct swiotlb_req){ .orig = orig, .size = size, .min_align_mask = mask,
				     .limit = limit };
}

static uint64_t rnd_state;

/* The next pseudo-random number: the same run on every machine. */
static uint64_t rnd(void)
{
	return host_xorshift(&rnd_state);
}

/* ---- swiotlb_slots: fixed cases ---- */

/* The bounce address keeps the original's bits under min_align_mask, for many addresses. */
static void alignment_is_preserved(struct ktest *t)
{
	static const uint64_t masks[] = { 0, 0x7ff, T_NVME_MASK, 0x3fff };
	struct swiotlb_mapping m;
	struct swiotlb_req r;
	struct t_pool tp;
	unsigned int i, j;

	t_pool_make(&tp);
	rnd_state = T_SEED;
	for (i = 0; i < N(masks); i++)
		for (j = 0; j < 2000; j++) {
			r = t_req(rnd() & 0xffffffffffULL, 1 + rnd() % swiotlb_slots_max_size(masks[i]),
				  masks[i], UINT64_MAX);
			KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), 0);
			KT_EXPECT_UEQ(t, m.tlb & masks[i], r.orig & masks[i]);
			KT_EXPECT_UEQ(t, m.slot_base & (T_SLOT - 1), 0);
			KT_EXPECT_LT(t, m.tlb - m.slot_base, T_SLOT);
			KT_EXPECT_UGE(t, m.slot_base + m.nslots * T_SLOT, m.tlb + r.size);
			KT_EXPECT_UEQ(t, m.orig, r.orig);
			KT_ASSERT_EQ(t, swiotlb_pool_free(&tp.pool, m.tlb, r.size, &m), 0);
		}
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	t_pool_free(&tp);
}

/*
 * With alloc_align_mask (an IOMMU's 4 KiB granule) a run starts and ends on
 * a page, so no two mappings share one; min_align_mask bits inside the page
 * are kept by the pad, which may then span slots.
 */
static void alloc_align_gives_whole_pages(struct ktest *t)
{
	static const uint64_t offsets[] = { 0, 0x10, 0x800, 0x9ff, 0xfff };
	struct swiotlb_mapping m[N(offsets)];
	struct swiotlb_req r;
	struct t_pool tp;
	unsigned int i;

	t_pool_make(&tp);
	for (i = 0; i < N(offsets); i++) {
		r = t_req(0x7654321000ULL + offsets[i], 100 + i * 3000, T_NVME_MASK, UINT64_MAX);
		r.alloc_align_mask = T_PAGE_MASK;
		KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m[i]), 0);
		KT_EXPECT_UEQ(t, m[i].slot_base & T_PAGE_MASK, 0);
		KT_EXPECT_UEQ(t, (m[i].nslots * T_SLOT) & T_PAGE_MASK, 0);
		KT_EXPECT_UEQ(t, m[i].tlb & T_NVME_MASK, offsets[i]);
		KT_EXPECT_UGE(t, m[i].slot_base + m[i].nslots * T_SLOT, m[i].tlb + r.size);
	}
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	for (i = 0; i < N(offsets); i++)
		KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, m[i].tlb, m[i].size, &m[i]), 0);
	r.alloc_align_mask = SWIOTLB_ALLOC_ALIGN_MAX + 1;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m[0]), -EINVAL);
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	t_pool_free(&tp);
}

/* 256 KiB is the most one mapping holds; a pad under min_align_mask comes off it. */
static void largest_mapping(struct ktest *t)
{
	struct swiotlb_mapping m;
	struct swiotlb_req r = t_req(0x123456000ULL, T_MAX, 0, UINT64_MAX);
	struct t_pool tp;

	t_pool_make(&tp);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), 0);
	KT_EXPECT_EQ(t, m.nslots, IO_TLB_SEGSIZE);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, m.tlb, T_MAX, &m), 0);
	r.size = T_MAX + 1;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -E2BIG);
	/* 128 slots hold the worst pad and the rest: more than drivers are promised */
	r = t_req(0x123456fffULL, T_MAX - 0x7ff, T_NVME_MASK, UINT64_MAX);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), 0);
	KT_EXPECT_UEQ(t, m.tlb & T_NVME_MASK, 0xfff);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, m.tlb, r.size, &m), 0);
	r.size++;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -E2BIG);
	r.size = 0;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -EINVAL);
	r.size = SIZE_MAX;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -E2BIG);
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	KT_EXPECT_EQ(t, tp.pool.full, 0);
	t_pool_free(&tp);
}

/*
 * The size drivers are told (Linux's rule): 256 KiB less the mask rounded
 * up to whole slots, so a whole number of 512-byte sectors, of slots, and
 * of the device's alignment units (NVMe: 63 pages, 258048 bytes).
 */
static void max_size_is_whole_units(struct ktest *t)
{
	static const uint64_t units[] = { 0x800, 0x1000, 0x4000, 0x20000 };
	unsigned int i;

	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(0), T_MAX);
	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(T_NVME_MASK), 258048);
	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(0x1), T_MAX - T_SLOT);      /* rounded up */
	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(0xa00), 258048);            /* covers 0xfff */
	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(0x3ffff), T_SLOT);          /* absurd: one slot */
	KT_EXPECT_UEQ(t, swiotlb_slots_max_size(UINT64_MAX), T_SLOT);
	for (i = 0; i < N(units); i++) {
		KT_EXPECT_UEQ(t, swiotlb_slots_max_size(units[i] - 1), T_MAX - units[i]);
		KT_EXPECT_UEQ(t, swiotlb_slots_max_size(units[i] - 1) % units[i], 0);
		KT_EXPECT_UEQ(t, swiotlb_slots_max_size(units[i] - 1) % T_SLOT, 0);
	}
}

/*
 * The promise behind the size: it fits whatever the original's address,
 * even in one area of exactly 128 slots, where the bits above a slot fix
 * which slots may be first. (256 KiB less only the in-slot pad did not:
 * NVMe's 260097 bytes at an odd 2 KiB offset needed slots 1..128.)
 */
static void max_size_fits_smallest_area(struct ktest *t)
{
	static const uint64_t masks[] = { 0, 0x7ff, T_NVME_MASK, 0x3fff, 0x1ffff };
	struct swiotlb_slot meta[IO_TLB_SEGSIZE];
	struct swiotlb_pool pool;
	struct swiotlb_area area;
	struct swiotlb_mapping m;
	struct swiotlb_req r;
	unsigned int i;
	uint64_t off;

	swiotlb_area_setup(&area, 0x01000000, IO_TLB_SEGSIZE, meta);
	swiotlb_pool_init(&pool, &area, 1);
	for (i = 0; i < N(masks); i++)
		for (off = 0; off <= masks[i]; off += masks[i] > T_NVME_MASK ? 0x7ff : 1) {
			r = t_req(0x123400000ULL + off, swiotlb_slots_max_size(masks[i]), masks[i],
				  UINT64_MAX);
			KT_ASSERT_EQ(t, swiotlb_pool_alloc(&pool, &r, &m), 0);
			KT_EXPECT_UEQ(t, m.tlb & masks[i], r.orig & masks[i]);
			KT_ASSERT_EQ(t, swiotlb_pool_free(&pool, m.tlb, r.size, &m), 0);
		}
	KT_EXPECT_NULL(t, swiotlb_pool_check(&pool));
}

/* Fill the pool with one-slot mappings: the next one fails and changes nothing. */
static void exhaustion_changes_nothing(struct ktest *t)
{
	static uint64_t tlbs[1024];
	struct swiotlb_mapping m;
	struct swiotlb_req r = t_req(0x5000, 100, 0, UINT64_MAX);
	struct t_snapshot snap;
	struct t_pool tp;
	unsigned long n = 0, i;

	t_pool_make(&tp);
	while (swiotlb_pool_alloc(&tp.pool, &r, &m) == 0)
		tlbs[n++] = m.tlb;
	KT_EXPECT_UEQ(t, n, tp.pool.nslots);
	KT_EXPECT_UEQ(t, tp.pool.used, tp.pool.nslots);
	KT_EXPECT_UEQ(t, tp.pool.high_water, tp.pool.nslots);
	KT_EXPECT_UEQ(t, tp.pool.full, 1);
	t_snap(&tp, &snap);
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ENOSPC);
	r.size = T_MAX;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ENOSPC);
	KT_EXPECT_TRUE(t, t_same(&tp, &snap));
	KT_EXPECT_UEQ(t, tp.pool.full, 3);
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	for (i = 0; i < n; i++)
		KT_ASSERT_EQ(t, swiotlb_pool_free(&tp.pool, tlbs[i], 100, &m), 0);
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	KT_EXPECT_UEQ(t, tp.pool.high_water, tp.pool.nslots);
	t_pool_free(&tp);
}

/* Mappings take the highest area below the limit; below every slot is -ERANGE. */
static void limit_picks_areas(struct ktest *t)
{
	struct swiotlb_mapping m;
	struct swiotlb_req r = t_req(0x7654321000ULL, 3 * T_SLOT, 0, UINT64_MAX);
	struct t_pool tp;

	t_pool_make(&tp);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), 0);
	KT_EXPECT_UEQ(t, m.slot_base, 0x20000800);   /* the highest area first */
	r.limit = 0x0fffffff;                         /* a 28-bit device */
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), 0);
	KT_EXPECT_UEQ(t, m.slot_base, 0x08000000);
	KT_EXPECT_UEQ(t, swiotlb_pool_slots_below(&tp.pool, 0x003fffff), 0);
	KT_EXPECT_UEQ(t, swiotlb_pool_slots_below(&tp.pool, UINT64_MAX), tp.pool.nslots);
	r.limit = 0x003fffff;                         /* below every slot */
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ERANGE);
	r.limit = 0x00400000 + 2 * T_SLOT - 1;        /* 2 slots: too few for 3 */
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ERANGE);
	KT_EXPECT_EQ(t, tp.pool.full, 0);
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	t_pool_free(&tp);
}

/* A limit inside an area: runs that would end past it are refused as "full". */
static void limit_cuts_an_area(struct ktest *t)
{
	struct swiotlb_mapping m;
	uint64_t cut = 0x00400000 + 10 * T_SLOT - 1;   /* 10 slots of the lowest area */
	struct swiotlb_req r = t_req(0x7654321000ULL, 3 * T_SLOT, 0, cut);
	struct t_pool tp;
	unsigned int n = 0;

	t_pool_make(&tp);
	while (swiotlb_pool_alloc(&tp.pool, &r, &m) == 0) {
		KT_EXPECT_TRUE(t, m.slot_base + m.nslots * T_SLOT - 1 <= cut);
		n++;
	}
	KT_EXPECT_EQ(t, n, 3);                          /* 9 slots in runs of 3 */
	KT_EXPECT_UEQ(t, swiotlb_pool_slots_below(&tp.pool, cut), 10);
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ENOSPC);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, 0x00400000 + 3 * T_SLOT, r.size, &m), 0);
	r.limit = 0x00400000 + 5 * T_SLOT - 1;          /* slots 3 and 4 free below it */
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ENOSPC);
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	t_pool_free(&tp);
}

/* The bounce copy never crosses the device's segment boundary. */
static void boundary_is_honoured(struct ktest *t)
{
	struct swiotlb_mapping m;
	struct swiotlb_req r = t_req(0x1800, 60 * 1024, 0, UINT64_MAX);
	struct t_pool tp;
	int i;

	t_pool_make(&tp);
	r.boundary_mask = T_BOUNDARY_64K;
	for (i = 0; i < 20 && swiotlb_pool_alloc(&tp.pool, &r, &m) == 0; i++)
		KT_EXPECT_UEQ(t, m.tlb >> 16, (m.tlb + r.size - 1) >> 16);
	KT_EXPECT_EQ(t, i, 20);
	r.size = 64 * 1024 + 1;
	KT_EXPECT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &m), -ERANGE);
	KT_EXPECT_NULL(t, swiotlb_pool_check(&tp.pool));
	t_pool_free(&tp);
}

/* Unknown, inner, wrong-size and double unmaps are refused and change nothing. */
static void bad_frees_are_refused(struct ktest *t)
{
	struct swiotlb_mapping m, a, b;
	struct swiotlb_req r = t_req(0x10234, 5000, T_NVME_MASK, UINT64_MAX);
	struct t_snapshot snap;
	struct t_pool tp;

	t_pool_make(&tp);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &a), 0);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &b), 0);
	t_snap(&tp, &snap);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, 0x1000, 5000, &m), -EFAULT);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, 0x00400000 + 100 * T_SLOT, 5000, &m), -ENOENT);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, a.tlb + 8, 5000, &m), -ERANGE);
	KT_EXPECT_UEQ(t, m.tlb, a.tlb);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, a.slot_base, 5000, &m), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, a.tlb, 4096, &m), -EINVAL);
	KT_EXPECT_UEQ(t, m.size, 5000);
	KT_EXPECT_TRUE(t, t_same(&tp, &snap));
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, a.tlb, 5000, &m), 0);
	t_snap(&tp, &snap);
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, a.tlb, 5000, &m), -ENOENT);
	KT_EXPECT_TRUE(t, t_same(&tp, &snap));
	KT_EXPECT_EQ(t, swiotlb_pool_free(&tp.pool, b.tlb, 5000, &m), 0);
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	t_pool_free(&tp);
}

/* A sync range is found through any slot of its mapping, and must stay inside it. */
static void find_partial_ranges(struct ktest *t)
{
	struct swiotlb_mapping m, a;
	struct swiotlb_req r = t_req(0x40300, 9000, T_NVME_MASK, UINT64_MAX);
	struct t_pool tp;

	t_pool_make(&tp);
	KT_ASSERT_EQ(t, swiotlb_pool_alloc(&tp.pool, &r, &a), 0);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.tlb, 9000, &m), 0);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.tlb + 5000, 4000, &m), 0);
	KT_EXPECT_UEQ(t, m.orig, 0x40300);
	KT_EXPECT_UEQ(t, m.tlb, a.tlb);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.tlb + 8999, 1, &m), 0);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.tlb + 5000, 4001, &m), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.tlb - 1, 2, &m), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, a.slot_base + a.nslots * T_SLOT, 1, &m),
		     -ENOENT);
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, 0xfff00000, 1, &m), -EFAULT);
	KT_EXPECT_TRUE(t, swiotlb_pool_contains(&tp.pool, 0x20000800));
	KT_EXPECT_FALSE(t, swiotlb_pool_contains(&tp.pool, 0x20000000));
	t_pool_free(&tp);
}

/* ---- swiotlb_slots: the random run against a model ---- */

struct t_live {
	uint64_t tlb;
	size_t size;
};

/* The model: per slot, used or free; plus the live mappings. */
static struct {
	uint8_t *used[T_NAREAS];
	struct t_live live[T_MAX_LIVE];
	unsigned int nlive;
} md;

/* Where the rules put @r in the model: area and start, or -1 (@any ignores occupancy). */
static long md_place(const struct t_pool *tp, const struct swiotlb_req *r, unsigned int *area,
		     bool any)
{
	uint64_t unit = r->alloc_align_mask | (T_SLOT - 1), k, s, j, addr;
	uint64_t pad = r->orig & r->min_align_mask & unit;
	const struct swiotlb_area *a;
	int i;

	k = (pad + r->size + unit) / (unit + 1) * (unit + 1) / T_SLOT;
	for (i = T_NAREAS - 1; i >= 0; i--) {
		a = &tp->areas[i];
		for (s = 0; s + k <= a->nslots; s++) {
			addr = a->base + s * T_SLOT;
			if (((addr + pad) ^ r->orig) & r->min_align_mask || addr & unit & ~(T_SLOT - 1) ||
			    addr + k * T_SLOT - 1 > r->limit ||
			    (r->boundary_mask && ((addr + pad) ^ (addr + pad + r->size - 1)) &
			     ~r->boundary_mask))
				continue;
			for (j = 0; j < k && (any || !md.used[i][s + j]); j++)
				;
			if (j == k) {
				*area = (unsigned int)i;
				return (long)s;
			}
		}
	}
	return -1;
}

/* A random request: mostly small, sometimes up to the largest, various constraints. */
static struct swiotlb_req md_random_req(void)
{
	static const uint64_t masks[] = { 0, 0x7ff, T_NVME_MASK, 0 };
	struct swiotlb_req r;
	uint64_t mask = masks[rnd() % N(masks)];
	size_t max = swiotlb_slots_max_size(mask);

	r = t_req(rnd() & 0xfffffffffULL, rnd() % 4 ? 1 + rnd() % T_SMALL_BYTES : 1 + rnd() % max,
		  mask, UINT64_MAX);
	if (rnd() % 3 == 0)   /* a limit inside an area, sometimes below all of it */
		r.limit = t_layout[rnd() % T_NAREAS].base - T_SLOT +
			  rnd() % ((t_layout[0].nslots + 1) * T_SLOT);
	if (rnd() % 8 == 0 && r.size <= 0x10000) {
		r.boundary_mask = T_BOUNDARY_64K;
		r.min_align_mask = 0;
	}
	if (rnd() % 5 == 0)   /* an IOMMU's granule: whole pages */
		r.alloc_align_mask = T_PAGE_MASK;
	return r;
}

/* One allocation, checked against the model's answer. */
static void md_alloc(struct ktest *t, struct t_pool *tp)
{
	struct swiotlb_req r = md_random_req();
	struct swiotlb_mapping m;
	unsigned int area = 0, i;
	long want = md_place(tp, &r, &area, false);
	int err = swiotlb_pool_alloc(&tp->pool, &r, &m);

	if (want < 0) {
		KT_EXPECT_EQ(t, err, md_place(tp, &r, &area, true) < 0 ? -ERANGE : -ENOSPC);
		return;
	}
	KT_ASSERT_EQ(t, err, 0);
	KT_EXPECT_UEQ(t, m.slot_base, tp->areas[area].base + (uint64_t)want * T_SLOT);
	for (i = 0; i < m.nslots; i++)
		md.used[area][want + i] = 1;
	md.live[md.nlive++] = (struct t_live){ m.tlb, r.size };
}

/* Free a random live mapping, sometimes after a wrong attempt that must change nothing. */
static void md_free(struct ktest *t, struct t_pool *tp, unsigned long op)
{
	unsigned int v = (unsigned int)(rnd() % md.nlive), area, i;
	struct t_live l = md.live[v];
	struct swiotlb_mapping m;
	long ai;

	if (op % T_BAD_EVERY == 0) {
		KT_EXPECT_EQ(t, swiotlb_pool_free(&tp->pool, l.tlb, l.size + 1, &m), -EINVAL);
		KT_EXPECT_EQ(t, swiotlb_pool_free(&tp->pool, l.tlb + 1, l.size, &m), -ERANGE);
	}
	KT_ASSERT_EQ(t, swiotlb_pool_free(&tp->pool, l.tlb, l.size, &m), 0);
	for (ai = -1, area = 0; area < T_NAREAS; area++)
		if (m.slot_base >= tp->areas[area].base &&
		    m.slot_base < tp->areas[area].base + tp->areas[area].nslots * T_SLOT)
			ai = area;
	KT_ASSERT_GE(t, ai, 0);
	for (i = 0; i < m.nslots; i++)
		md.used[ai][(m.slot_base - tp->areas[ai].base) / T_SLOT + i] = 0;
	md.live[v] = md.live[--md.nlive];
}

/* Thousands of random maps and unmaps; the model predicts every placement and refusal. */
static void random_against_model(struct ktest *t)
{
	struct swiotlb_mapping m;
	struct t_pool tp;
	unsigned long op;
	unsigned int i;

	t_pool_make(&tp);
	for (i = 0; i < T_NAREAS; i++)
		md.used[i] = calloc(tp.areas[i].nslots, 1);
	md.nlive = 0;
	rnd_state = T_SEED ^ 0x77;
	for (op = 1; op <= T_RANDOM_OPS && t->status == KTEST_PASS; op++) {
		if (md.nlive < T_MAX_LIVE && (md.nlive == 0 || rnd() % 100 < 55))
			md_alloc(t, &tp);
		else
			md_free(t, &tp, op);
		if (op % T_CHECK_EVERY == 0 && swiotlb_pool_check(&tp.pool))
			KT_FAIL(t, "after %lu operations: %s", op, swiotlb_pool_check(&tp.pool));
	}
	while (md.nlive && t->status == KTEST_PASS)
		md_free(t, &tp, 1);
	KT_EXPECT_TRUE(t, t_all_free(&tp));
	KT_EXPECT_GT(t, tp.pool.full, 0);          /* the run did meet a full pool */
	KT_EXPECT_EQ(t, swiotlb_pool_find(&tp.pool, tp.areas[0].base, 1, &m), -ENOENT);
	for (i = 0; i < T_NAREAS; i++)
		free(md.used[i]);
	t_pool_free(&tp);
}

KTEST_SUITE(swiotlb_slots,
	    KTEST_CASE(alignment_is_preserved), KTEST_CASE(alloc_align_gives_whole_pages),
	    KTEST_CASE(largest_mapping),
	    KTEST_CASE(max_size_is_whole_units), KTEST_CASE(max_size_fits_smallest_area),
	    KTEST_CASE(exhaustion_changes_nothing), KTEST_CASE(limit_picks_areas),
	    KTEST_CASE(limit_cuts_an_area),
	    KTEST_CASE(boundary_is_honoured), KTEST_CASE(bad_frees_are_refused),
	    KTEST_CASE(find_partial_ranges), KTEST_CASE(random_against_model));

/* ---- swiotlb_copy: dma/swiotlb.c on a fake machine ---- */

/* 512 MiB below 4 GiB and 64 MiB above, like a small -m 6G. */
static const struct boot_mem_region m_machine[] = {
	{ 0x0, 0x9fc00, BOOT_MEM_USABLE, 0 },
	{ 0x100000, 511 * HOST_MIB, BOOT_MEM_USABLE, 0 },
	{ 0xb0000000, 0x10000000, BOOT_MEM_RESERVED, 0 },
	{ T_4G, 64 * HOST_MIB, BOOT_MEM_USABLE, 0 },
};

/* Boot the fake machine with all its RAM managed and an 8 MiB pool. */
static int t_boot(bool force)
{
	swiotlb_exit();   /* a case that failed an assertion may have left its pool */
	if (host_mm_boot(m_machine, N(m_machine), T_KERNEL_PHYS, T_KERNEL_SIZE, "") != 0)
		return -1;
	page_alloc_extend(memmap_ram_end());
	return swiotlb_init(T_POOL, force);
}

/* A device that reaches 28 bits, like edu, with Linux's other defaults. */
static void t_dev(struct device *dev, uint64_t min_align_mask)
{
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "0000:00:04.0");
	dev->dma_mask = dev->coherent_dma_mask = DMA_BIT_MASK(28);
	dev->seg_boundary_mask = ~0ULL;
	dev->max_seg_size = 0x10000;
	dev->min_align_mask = min_align_mask;
}

/* A buffer above 4 GiB (out of the device's reach), filled with a pattern. */
static uint64_t t_high_buffer(unsigned int order, uint8_t seed)
{
	struct page *pg = alloc_pages(GFP_KERNEL, order);
	uint8_t *p = page_address(pg);
	size_t i;

	for (i = 0; i < (PAGE_SIZE << order); i++)
		p[i] = (uint8_t)(seed + i * 7);
	return page_to_phys(pg);
}

/* The fake machine's physical memory, as the CPU sees it. */
static void *t_virt(uint64_t phys)
{
	return mm_phys_to_virt(phys);
}

/* `swiotlb=` values: force, a size with a suffix, both; and what is refused. */
static void cmdline_values(struct ktest *t)
{
	uint64_t size = 1;
	bool force = false;

	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("force", &size, &force), 0);
	KT_EXPECT_TRUE(t, force);
	KT_EXPECT_UEQ(t, size, 1);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("32M", &size, &force), 0);
	KT_EXPECT_UEQ(t, size, 32 * HOST_MIB);
	KT_EXPECT_FALSE(t, force);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("512k,force", &size, &force), 0);
	KT_EXPECT_UEQ(t, size, 512 * HOST_KIB);
	KT_EXPECT_TRUE(t, force);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("0x4000000", &size, &force), 0);
	KT_EXPECT_UEQ(t, size, 64 * HOST_MIB);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("0x10M", &size, &force), 0);
	KT_EXPECT_UEQ(t, size, 16 * HOST_MIB);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("0xM", &size, &force), -EINVAL);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("1G", &size, &force), 0);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("2G", &size, &force), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("4096", &size, &force), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("99999999999999999999", &size, &force), -ERANGE);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("64M,forc", &size, &force), -EINVAL);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline(",force", &size, &force), -EINVAL);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("64X", &size, &force), -EINVAL);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("", &size, &force), -EINVAL);
	KT_EXPECT_EQ(t, swiotlb_parse_cmdline("noforce", &size, &force), -EINVAL);
	KT_EXPECT_UEQ(t, size, HOST_GIB);
}

/* The pool is low, whole, logged, and reports its statistics. */
static void init_places_pool_low(struct ktest *t)
{
	struct swiotlb_stats st;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	KT_EXPECT_SUBSTR(t, host_log_last(), "bounce pool [mem ");
	KT_EXPECT_SUBSTR(t, host_log_last(), "4096 slots of 2048 bytes");
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.nslots, T_POOL / IO_TLB_SIZE);
	KT_EXPECT_UEQ(t, st.used, 0);
	KT_EXPECT_LT(t, st.end, 64 * HOST_MIB);   /* the ladder found low blocks */
	KT_EXPECT_UEQ(t, swiotlb_slots_below(DMA_BIT_MASK(28)), st.nslots);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(st.base));
	KT_EXPECT_FALSE(t, is_swiotlb_buffer(st.end));
	KT_EXPECT_FALSE(t, swiotlb_force_bounce());
	KT_EXPECT_EQ(t, swiotlb_init(T_POOL, false), -EBUSY);
	swiotlb_exit();
	KT_EXPECT_FALSE(t, is_swiotlb_buffer(st.base));
	KT_ASSERT_EQ(t, swiotlb_init_from_cmdline(&kernel_cmdline), 0);
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.nslots, IO_TLB_DEFAULT_SIZE / IO_TLB_SIZE);
	swiotlb_exit();
	cmdline_parse(&kernel_cmdline, "swiotlb=1M,force");
	KT_ASSERT_EQ(t, swiotlb_init_from_cmdline(&kernel_cmdline), 0);
	KT_EXPECT_TRUE(t, swiotlb_force_bounce());
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.nslots, HOST_MIB / IO_TLB_SIZE);
	swiotlb_exit();
}

/* TO_DEVICE: map copies; the device's writes never reach the original. */
static void to_device_copies(struct ktest *t)
{
	struct device dev;
	uint64_t orig, tlb;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(1, 1) + 100;
	tlb = swiotlb_tbl_map(&dev, orig, 5000, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_TRUE(t, tlb + 5000 - 1 <= DMA_BIT_MASK(28) && is_swiotlb_buffer(tlb));
	KT_EXPECT_MEMEQ(t, t_virt(tlb), t_virt(orig), 5000);
	((uint8_t *)t_virt(orig))[10] = T_JUNK;               /* the CPU changes its copy */
	swiotlb_sync_for_device(&dev, tlb, 5000, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, ((uint8_t *)t_virt(tlb))[10], T_JUNK);
	memset(t_virt(tlb), T_DEV_BYTE, 5000);                /* a misbehaving device */
	swiotlb_sync_for_cpu(&dev, tlb, 5000, DMA_TO_DEVICE);
	swiotlb_tbl_unmap(&dev, tlb, 5000, DMA_TO_DEVICE, 0);
	KT_EXPECT_EQ(t, ((uint8_t *)t_virt(orig))[0], (uint8_t)(1 + 100 * 7));
	KT_EXPECT_EQ(t, ((uint8_t *)t_virt(orig))[10], T_JUNK);
	swiotlb_exit();
}

/* FROM_DEVICE: map still copies in; writes reach the original at sync_for_cpu or unmap. */
static void from_device_copies_back(struct ktest *t)
{
	struct device dev;
	uint8_t *o;
	uint64_t orig, tlb;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(2, 9);
	o = t_virt(orig);
	tlb = swiotlb_tbl_map(&dev, orig, 12288, DMA_BIT_MASK(28), DMA_FROM_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_MEMEQ(t, t_virt(tlb), o, 12288);            /* no stale slot data */
	memset(t_virt(tlb), T_DEV_BYTE, 4096);                /* the device writes a page */
	KT_EXPECT_NE(t, o[0], T_DEV_BYTE);
	swiotlb_sync_for_device(&dev, tlb, 12288, DMA_FROM_DEVICE);   /* copies nothing */
	KT_EXPECT_EQ(t, ((uint8_t *)t_virt(tlb))[0], T_DEV_BYTE);
	swiotlb_sync_for_cpu(&dev, tlb, 12288, DMA_FROM_DEVICE);
	KT_EXPECT_EQ(t, o[0], T_DEV_BYTE);
	KT_EXPECT_EQ(t, o[4096], (uint8_t)(9 + 4096 * 7));   /* unwritten bytes survive */
	memset((uint8_t *)t_virt(tlb) + 8192, T_JUNK, 4096);
	swiotlb_tbl_unmap(&dev, tlb, 12288, DMA_FROM_DEVICE, 0);
	KT_EXPECT_EQ(t, o[8192], T_JUNK);
	tlb = swiotlb_tbl_map(&dev, orig, 4096, DMA_BIT_MASK(28), DMA_BIDIRECTIONAL, 0);
	memset(t_virt(tlb), 0x11, 4096);
	swiotlb_tbl_unmap(&dev, tlb, 4096, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	KT_EXPECT_EQ(t, o[0], T_DEV_BYTE);                    /* skipped: nothing copied */
	swiotlb_exit();
}

/* A partial sync copies exactly its range, found from any offset in the mapping. */
static void partial_sync(struct ktest *t)
{
	struct device dev;
	uint8_t *o, *b;
	uint64_t orig, tlb;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(4, 3);
	o = t_virt(orig);
	tlb = swiotlb_tbl_map(&dev, orig, 65536, DMA_BIT_MASK(28), DMA_BIDIRECTIONAL, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	b = t_virt(tlb);
	memset(b, T_DEV_BYTE, 65536);
	swiotlb_sync_for_cpu(&dev, tlb + 30000, 100, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, o[29999], (uint8_t)(3 + 29999 * 7));
	KT_EXPECT_EQ(t, o[30000], T_DEV_BYTE);
	KT_EXPECT_EQ(t, o[30099], T_DEV_BYTE);
	KT_EXPECT_EQ(t, o[30100], (uint8_t)(3 + 30100 * 7));
	o[50000] = T_JUNK;
	o[50001] = T_JUNK;
	swiotlb_sync_for_device(&dev, tlb + 50000, 1, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, b[50000], T_JUNK);
	KT_EXPECT_EQ(t, b[50001], T_DEV_BYTE);
	swiotlb_sync_for_cpu(&dev, tlb + 65000, 1000, DMA_BIDIRECTIONAL);   /* runs past the end */
	KT_EXPECT_SUBSTR(t, host_log_last(), "is not inside the mapping");
	KT_EXPECT_EQ(t, o[65000], (uint8_t)(3 + 65000 * 7));
	swiotlb_tbl_unmap(&dev, tlb, 65536, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	swiotlb_exit();
}

/* NVMe's 4 KiB mask: the bounce address keeps the offset in the controller page. */
static void min_align_mask_kept(struct ktest *t)
{
	static const uint64_t offsets[] = { 0, 0x200, 0x7ff, 0x800, 0xa10, 0xfff };
	struct device dev;
	uint64_t orig = 0, tlb;
	unsigned int i;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, T_NVME_MASK);
	orig = t_high_buffer(3, 5);
	KT_EXPECT_UEQ(t, swiotlb_max_mapping_size(&dev), T_MAX - (T_NVME_MASK + 1));
	for (i = 0; i < N(offsets); i++) {
		tlb = swiotlb_tbl_map(&dev, orig + offsets[i], 4096, DMA_BIT_MASK(28),
				      DMA_TO_DEVICE, 0);
		KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
		KT_EXPECT_UEQ(t, tlb & T_NVME_MASK, offsets[i]);
		KT_EXPECT_MEMEQ(t, t_virt(tlb), t_virt(orig + offsets[i]), 4096);
		swiotlb_tbl_unmap(&dev, tlb, 4096, DMA_TO_DEVICE, 0);
	}
	swiotlb_exit();
}

/* A full pool: DMA_MAPPING_ERROR and the message; unmapping everything empties it. */
static void full_pool_and_stats(struct ktest *t)
{
	static uint64_t tlbs[T_POOL / T_MAX];
	struct swiotlb_stats st;
	struct device dev;
	uint64_t orig;
	unsigned int i;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(6, 7);
	for (i = 0; i < N(tlbs); i++) {
		tlbs[i] = swiotlb_tbl_map(&dev, orig, T_MAX, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0);
		KT_ASSERT_NE(t, tlbs[i], DMA_MAPPING_ERROR);
	}
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, 1, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_SUBSTR(t, host_log_last(), "0000:00:04.0: error: swiotlb: buffer full: need 1 "
			 "slots for 1 bytes, 4096 of 4096 slots used");
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.used, st.nslots);
	KT_EXPECT_UEQ(t, st.mappings, N(tlbs));
	KT_EXPECT_UEQ(t, st.full, 1);
	for (i = 0; i < N(tlbs); i++)
		swiotlb_tbl_unmap(&dev, tlbs[i], T_MAX, DMA_TO_DEVICE, 0);
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.used, 0);
	KT_EXPECT_UEQ(t, st.mappings, 0);
	KT_EXPECT_UEQ(t, st.high_water, st.nslots);
	swiotlb_exit();
}

/* DMA_ATTR_NO_WARN: a map failure the caller handles itself is not logged. */
static void no_warn_keeps_failures_quiet(struct ktest *t)
{
	unsigned long errs;
	struct device dev;
	uint64_t orig;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(6, 7);
	errs = log_count(LOG_ERR);
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, T_MAX + 1, DMA_BIT_MASK(28), DMA_TO_DEVICE,
					DMA_ATTR_NO_WARN), DMA_MAPPING_ERROR);
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, 64, 0xfffff, DMA_TO_DEVICE, DMA_ATTR_NO_WARN),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, T_MAX + 1, DMA_BIT_MASK(28), DMA_TO_DEVICE,
					0), DMA_MAPPING_ERROR);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	swiotlb_exit();
}

/* Ten messages per five seconds from one place; the held-back count is said once. */
static void ratelimit_burst_then_window(struct ktest *t)
{
	struct dma_ratelimit rs = { 0 };
	unsigned int i, ok = 0, sup = 1;
	uint64_t t0 = 123456789;

	for (i = 0; i < 3 * DMA_RATELIMIT_BURST; i++)
		ok += dma_ratelimit_ok(&rs, t0 + i, &sup);
	KT_EXPECT_EQ(t, ok, DMA_RATELIMIT_BURST);
	KT_EXPECT_EQ(t, sup, 0);
	KT_EXPECT_FALSE(t, dma_ratelimit_ok(&rs, t0 + DMA_RATELIMIT_INTERVAL_NS - 1, &sup));
	KT_EXPECT_TRUE(t, dma_ratelimit_ok(&rs, t0 + DMA_RATELIMIT_INTERVAL_NS, &sup));
	KT_EXPECT_EQ(t, sup, 2 * DMA_RATELIMIT_BURST + 1);
	KT_EXPECT_TRUE(t, dma_ratelimit_ok(&rs, t0 + DMA_RATELIMIT_INTERVAL_NS + 1, &sup));
	KT_EXPECT_EQ(t, sup, 0);
}

/*
 * A bounce of a page or more starts on a page when the device asks for no
 * min_align_mask (Linux's rule), even where the first free slot is the
 * second half of a page; with NVMe's mask the offset is kept instead.
 */
static void page_bounce_is_page_aligned(struct ktest *t)
{
	uint64_t orig, half, tlb;
	struct device dev;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(2, 5);
	half = swiotlb_tbl_map(&dev, orig, T_SLOT, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0);
	KT_ASSERT_NE(t, half, DMA_MAPPING_ERROR);
	tlb = swiotlb_tbl_map(&dev, orig + 0x800, PAGE_SIZE, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_UEQ(t, tlb & (PAGE_SIZE - 1), 0);
	KT_EXPECT_EQ(t, memcmp(t_virt(tlb), t_virt(orig + 0x800), PAGE_SIZE), 0);
	swiotlb_tbl_unmap(&dev, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0);
	t_dev(&dev, T_NVME_MASK);
	tlb = swiotlb_tbl_map(&dev, orig + 0x800, PAGE_SIZE, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_UEQ(t, tlb & T_NVME_MASK, 0x800);
	swiotlb_tbl_unmap(&dev, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0);
	swiotlb_tbl_unmap(&dev, half, T_SLOT, DMA_TO_DEVICE, 0);
	swiotlb_exit();
}

/* Too big, or a limit below the pool: refused with a message that says which. */
static void impossible_maps_refused(struct ktest *t)
{
	struct swiotlb_stats st;
	struct device dev;
	uint64_t orig;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(6, 7);
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, T_MAX + 1, DMA_BIT_MASK(28), DMA_TO_DEVICE,
					0), DMA_MAPPING_ERROR);
	KT_EXPECT_SUBSTR(t, host_log_last(), "the largest mapping is 262144 bytes");
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, 64, 0xfffff, DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_SUBSTR(t, host_log_last(), "no slot of the pool");
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, 0, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_SUBSTR(t, host_log_last(), "a mapping of 0 bytes");
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.used + st.mappings + st.full + st.high_water, 0);
	swiotlb_exit();
}

/* Wrong addresses are reported and leave the mapping intact; no pool, no mapping. */
static void wrong_unmaps_reported(struct ktest *t)
{
	struct swiotlb_stats st;
	struct device dev;
	uint64_t orig, tlb;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(0, 2);
	tlb = swiotlb_tbl_map(&dev, orig, 512, DMA_BIT_MASK(28), DMA_FROM_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	swiotlb_tbl_unmap(&dev, tlb + 16, 496, DMA_FROM_DEVICE, 0);
	KT_EXPECT_SUBSTR(t, host_log_last(), "not its start; not unmapped");
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.mappings, 1);
	swiotlb_tbl_unmap(&dev, tlb, 512, DMA_FROM_DEVICE, 0);
	swiotlb_tbl_unmap(&dev, tlb, 512, DMA_FROM_DEVICE, 0);
	KT_EXPECT_SUBSTR(t, host_log_last(), "no bounce mapping there");
	swiotlb_tbl_unmap(&dev, orig, 512, DMA_FROM_DEVICE, 0);
	KT_EXPECT_SUBSTR(t, host_log_last(), "not an address in the bounce pool");
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.used, 0);
	swiotlb_exit();
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, orig, 512, DMA_BIT_MASK(28), DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_SUBSTR(t, host_log_last(), "no bounce pool");
}

/* Map @size bytes of @orig for @dev's reach; the "device" then writes @len bytes of @byte. */
static uint64_t t_map_written(struct device *dev, uint64_t orig, size_t size,
			      enum dma_data_direction dir, size_t len, uint8_t byte)
{
	uint64_t tlb = swiotlb_tbl_map(dev, orig, size, DMA_BIT_MASK(28), dir, 0);

	if (tlb != DMA_MAPPING_ERROR)
		memset(t_virt(tlb), byte, len);
	return tlb;
}

/*
 * An unmap with the wrong size is reported, then done as Linux does it:
 * the caller's size is copied back (clamped to what was mapped) when the
 * direction says so, and the slots recorded at map time are freed: no
 * slot leaks.
 */
static void wrong_size_unmaps_recorded(struct ktest *t)
{
	struct swiotlb_stats st;
	struct device dev;
	uint64_t orig, tlb;
	uint8_t *o;

	KT_ASSERT_EQ(t, t_boot(false), 0);
	t_dev(&dev, 0);
	orig = t_high_buffer(0, 4);
	o = t_virt(orig);
	tlb = t_map_written(&dev, orig, 512, DMA_FROM_DEVICE, 512, T_DEV_BYTE);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	swiotlb_tbl_unmap(&dev, tlb, 256, DMA_FROM_DEVICE, 0);       /* too short */
	KT_EXPECT_SUBSTR(t, host_log_last(), "0000:00:04.0: error: swiotlb: unmap of ");
	KT_EXPECT_SUBSTR(t, host_log_last(), "with 256 bytes, but it was mapped with 512 "
			 "bytes; copied back 256, unmapped the 512 bytes mapped");
	KT_EXPECT_EQ(t, o[255], T_DEV_BYTE);                          /* the 256 asked for */
	KT_EXPECT_EQ(t, o[256], (uint8_t)(4 + 256 * 7));              /* no more */
	KT_EXPECT_EQ(t, o[512], (uint8_t)(4 + 512 * 7));
	tlb = t_map_written(&dev, orig, 512, DMA_BIDIRECTIONAL, 1024, T_JUNK);
	swiotlb_tbl_unmap(&dev, tlb, 1024, DMA_BIDIRECTIONAL, 0);    /* too long */
	KT_EXPECT_EQ(t, o[511], T_JUNK);
	KT_EXPECT_EQ(t, o[512], (uint8_t)(4 + 512 * 7));             /* nothing past the mapping */
	tlb = t_map_written(&dev, orig, 512, DMA_FROM_DEVICE, 512, T_DEV_BYTE);
	swiotlb_tbl_unmap(&dev, tlb, 100, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	tlb = t_map_written(&dev, orig, 512, DMA_TO_DEVICE, 512, T_DEV_BYTE);
	swiotlb_tbl_unmap(&dev, tlb, 100, DMA_TO_DEVICE, 0);
	KT_EXPECT_EQ(t, o[0], T_JUNK);                                /* neither copied back */
	swiotlb_get_stats(&st);
	KT_EXPECT_UEQ(t, st.used, 0);
	KT_EXPECT_UEQ(t, st.mappings, 0);
	swiotlb_exit();
}

KTEST_SUITE(swiotlb_copy,
	    KTEST_CASE(cmdline_values), KTEST_CASE(init_places_pool_low),
	    KTEST_CASE(to_device_copies), KTEST_CASE(from_device_copies_back),
	    KTEST_CASE(partial_sync), KTEST_CASE(min_align_mask_kept),
	    KTEST_CASE(full_pool_and_stats), KTEST_CASE(impossible_maps_refused),
	    KTEST_CASE(no_warn_keeps_failures_quiet), KTEST_CASE(ratelimit_burst_then_window),
	    KTEST_CASE(page_bounce_is_page_aligned),
	    KTEST_CASE(wrong_unmaps_reported), KTEST_CASE(wrong_size_unmaps_recorded));
