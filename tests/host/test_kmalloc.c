/*
 * test_kmalloc.c - kmalloc over the real page allocator on a fake machine.
 *
 * Every size class, alignment, reuse, ksize and kzalloc; every kind of bad
 * kfree; and a long random run in which each object is filled with a
 * pattern of its own and checked before it is freed, so an object handed
 * out twice, or overlapping another, shows up as a damaged pattern (and
 * under ASan, any access outside the fake RAM as an error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot/boot_info.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page_alloc_internal.h"
#include "tests/host/host_stubs.h"

#define N(a)          ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define T_SEED        0xca11ab1eULL
#define T_OPS         100000
#define T_MAX_LIVE    3000
#define T_BIG_EVERY   64           /* one request in this many is above the classes */
#define T_BIG_MAX     (5 * PAGE_SIZE)
#define T_JUNK        0xa5

/* 64 MiB of RAM above the first MiB; the kernel at 2 MiB. */
static const struct boot_mem_region machine[] = {
	{ 0x100000, 63 * HOST_MIB, BOOT_MEM_USABLE, 0 },
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	return host_xorshift(&rnd_state);
}

static int t_boot(void)
{
	return host_mm_boot(machine, N(machine), 2 * HOST_MIB, HOST_MIB, NULL);
}

/* Frames free in the DMA32 zone (the only one this machine has). */
static uint64_t t_free_pages(void)
{
	struct zone_stats s;

	page_alloc_zone_stats(ZONE_DMA32, &s);
	return s.free_pages;
}

/* The alignment a class promises: its largest power-of-two divisor. */
static size_t t_align_of(size_t class_size)
{
	return class_size & -class_size;
}

/* Each class serves exactly the sizes between the previous class and itself. */
static void every_size_class(struct ktest *t)
{
	size_t size, prev = 0, want;
	unsigned int i;
	void *p;

	KT_ASSERT_EQ(t, t_boot(), 0);
	for (i = 0; kmalloc_class_size(i); prev = kmalloc_class_size(i), i++) {
		want = kmalloc_class_size(i);
		for (size = prev + 1; size <= want; size++) {
			p = kmalloc(size, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, p);
			KT_ASSERT_UEQ(t, ksize(p), want);
			KT_ASSERT_UEQ(t, (uintptr_t)p % t_align_of(want), 0);
			KT_ASSERT_UEQ(t, (uintptr_t)p % KMALLOC_MIN_ALIGN, 0);
			memset(p, T_JUNK, size);
			kfree(p);
		}
	}
	KT_EXPECT_UEQ(t, prev, KMALLOC_MAX_SLAB_SIZE);
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), 0);
}

/* Above the classes: whole pages, page-aligned, the next power of two. */
static void large_allocations(struct ktest *t)
{
	static const size_t sizes[] = {
		KMALLOC_MAX_SLAB_SIZE + 1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE,
		64 * 1024, KMALLOC_MAX_SIZE,
	};
	static const size_t want[] = {
		PAGE_SIZE, PAGE_SIZE, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 64 * 1024, KMALLOC_MAX_SIZE,
	};
	uint64_t before;
	unsigned int i;
	void *p;

	KT_ASSERT_EQ(t, t_boot(), 0);
	before = t_free_pages();
	for (i = 0; i < N(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_UEQ(t, ksize(p), want[i]);
		KT_EXPECT_UEQ(t, (uintptr_t)p % PAGE_SIZE, 0);
		memset(p, T_JUNK, sizes[i]);
		kfree(p);
	}
	KT_EXPECT_NULL(t, kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	KT_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KT_EXPECT_UEQ(t, t_free_pages(), before);
}

/* A freed object is the next one handed out; kzalloc zeroes what was dirty. */
static void reuse_and_kzalloc(struct ktest *t)
{
	unsigned int i;
	uint8_t *p, *q;
	size_t size, j;

	KT_ASSERT_EQ(t, t_boot(), 0);
	for (i = 0; (size = kmalloc_class_size(i)) != 0; i++) {
		p = kmalloc(size, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		memset(p, T_JUNK, size);
		q = kmalloc(size, GFP_KERNEL);    /* keeps the slab alive */
		kfree(p);
		KT_ASSERT_TRUE(t, kzalloc(size, GFP_KERNEL) == p);
		for (j = 0; j < size && p[j] == 0; j++)
			;
		KT_EXPECT_UEQ(t, j, size);
		kfree(p);
		kfree(q);
	}
	p = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	memset(p, T_JUNK, 3 * PAGE_SIZE);
	kfree(p);
	p = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	for (j = 0; j < 4 * PAGE_SIZE && p[j] == 0; j++)
		;
	KT_EXPECT_UEQ(t, j, 4 * PAGE_SIZE);
	kfree(p);
}

/* Check one refused kfree: counted, logged with @ptr and @why. */
static void t_expect_refused(struct ktest *t, const void *ptr, const char *why)
{
	uint64_t bad = kmalloc_bad_frees();
	char where[32];

	kfree(ptr);
	snprintf(where, sizeof(where), "%p", ptr);
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), bad + 1);
	KT_EXPECT_SUBSTR(t, host_log_last(), where);
	KT_EXPECT_SUBSTR(t, host_log_last(), why);
}

/* Double frees, interior and foreign pointers: reported, counted, harmless. */
static void bad_kfrees(struct ktest *t)
{
	struct kmalloc_stats before, after;
	char *a, *b, *big, on_stack[16];
	void *heap = malloc(64);
	struct page *page;

	KT_ASSERT_EQ(t, t_boot(), 0);
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	big = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	page = alloc_pages(GFP_KERNEL, 0);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, big);
	KT_ASSERT_NOT_NULL(t, page);
	kfree(a);
	kmalloc_get_stats(&before);
	t_expect_refused(t, a, "not allocated (double free?)");
	t_expect_refused(t, b + 8, "not the start of an object");
	t_expect_refused(t, a + 64 * 63, "not the start of an object");  /* the header */
	t_expect_refused(t, big + PAGE_SIZE, "not from kmalloc");
	t_expect_refused(t, big + 16, "not the start of the allocation");
	t_expect_refused(t, page_address(page), "not from kmalloc");
	t_expect_refused(t, on_stack, "not in memory kmalloc manages");
	t_expect_refused(t, heap, "not in memory kmalloc manages");
	KT_EXPECT_UEQ(t, ksize(b + 8), 0);
	KT_EXPECT_UEQ(t, ksize(heap), 0);
	kmalloc_get_stats(&after);
	KT_EXPECT_MEMEQ(t, &before, &after, sizeof(before));
	kfree(big);
	t_expect_refused(t, big, "not from kmalloc (or already freed)");
	kfree(NULL);                                  /* allowed */
	KT_EXPECT_UEQ(t, ksize(NULL), 0);
	kfree(b);
	free(heap);
}

/* The page allocator refuses kmalloc's pages; kmalloc refuses zone flags. */
static void layers_stay_apart(struct ktest *t)
{
	uint64_t bad = page_alloc_bad_frees();
	void *p;

	KT_ASSERT_EQ(t, t_boot(), 0);
	p = kmalloc(100, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	__free_pages(virt_to_page(p), 0);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 1);
	KT_EXPECT_SUBSTR(t, host_log_last(), "kfree");
	KT_EXPECT_UEQ(t, ksize(p), 128);
	KT_EXPECT_NULL(t, kmalloc(100, GFP_DMA32));
	KT_EXPECT_SUBSTR(t, host_log_last(), "not supported");
	kfree(p);
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), 0);
}

/* Running off the end of a slab's last object is noticed at kfree. */
static void header_overrun_detected(struct ktest *t)
{
	char *objs[64];
	unsigned int i, n = 0;

	KT_ASSERT_EQ(t, t_boot(), 0);
	/* Fill one order-0 slab of 64-byte objects: 63 fit before the header. */
	for (i = 0; i < 63; i++)
		objs[n++] = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_UEQ(t, ((uintptr_t)objs[62] + 64) % PAGE_SIZE, PAGE_SIZE - 64);
	memset(objs[62], T_JUNK, 64 + 8);              /* 8 bytes too many */
	t_expect_refused(t, objs[0], "slab header overwritten");
}

/* Slabs go back to the page allocator when their last object is freed. */
static void slabs_return_pages(struct ktest *t)
{
	static void *objs[4096];
	struct kmalloc_stats s;
	uint64_t before;
	unsigned int i;

	KT_ASSERT_EQ(t, t_boot(), 0);
	before = t_free_pages();
	for (i = 0; i < N(objs); i++)
		objs[i] = kmalloc(16 + i % (KMALLOC_MAX_SLAB_SIZE - 15), GFP_KERNEL);
	kmalloc_get_stats(&s);
	KT_EXPECT_UEQ(t, s.objects, N(objs));
	KT_EXPECT_GT(t, s.slabs, 10);
	KT_EXPECT_UEQ(t, before - t_free_pages(), s.slab_pages);
	for (i = 0; i < N(objs); i++)
		kfree(objs[i]);
	kmalloc_get_stats(&s);
	KT_EXPECT_UEQ(t, s.objects, 0);
	KT_EXPECT_UEQ(t, s.slabs, 0);
	KT_EXPECT_UEQ(t, t_free_pages(), before);
}

/* Out of pages: kmalloc returns NULL, and everything frees back. */
static void exhaustion(struct ktest *t)
{
	struct zone_stats z;
	void **list = NULL, **p;
	uint64_t before, n = 0;

	KT_ASSERT_EQ(t, t_boot(), 0);
	before = t_free_pages();
	/* Chain the objects through themselves: no other memory needed. */
	while ((p = kmalloc(1024, GFP_KERNEL | __GFP_NOWARN)) != NULL) {
		*p = list;
		list = p;
		n++;
	}
	page_alloc_zone_stats(ZONE_DMA32, &z);
	KT_EXPECT_UEQ(t, z.free_pages, 0);
	KT_EXPECT_GT(t, n, 50000);
	while (list && n--) {                         /* bounded, even if the chain loops */
		p = *list;
		kfree(list);
		list = p;
	}
	KT_EXPECT_UEQ(t, t_free_pages(), before);
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), 0);
}

/* The pattern object @id is filled with. */
static uint8_t t_pattern(uint32_t id, size_t offset)
{
	return (uint8_t)(id * 31 + offset * 7 + 1);
}

/* Is every byte of @p still object @id's pattern? */
static bool t_pattern_intact(const uint8_t *p, size_t size, uint32_t id)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != t_pattern(id, i))
			return false;
	return true;
}

/* Mostly small sizes, now and then one above the classes. */
static size_t rnd_size(void)
{
	if (rnd() % T_BIG_EVERY == 0)
		return KMALLOC_MAX_SLAB_SIZE + 1 + rnd() % T_BIG_MAX;
	return 1 + rnd() % (rnd() % 2 ? 128 : KMALLOC_MAX_SLAB_SIZE);
}

/* 100k random kmalloc/kfree with every object's contents checked before its free. */
static void random_with_patterns(struct ktest *t)
{
	static struct { uint8_t *p; size_t size; uint32_t id; } live[T_MAX_LIVE];
	uint32_t nlive = 0, op, k, id = 0;
	struct kmalloc_stats s;
	uint64_t before;
	size_t i;

	KT_ASSERT_EQ(t, t_boot(), 0);
	before = t_free_pages();
	rnd_state = T_SEED;
	for (op = 0; op < T_OPS; op++) {
		if (nlive < T_MAX_LIVE && (nlive == 0 || rnd() % 2)) {
			live[nlive].size = rnd_size();
			live[nlive].p = kmalloc(live[nlive].size, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, live[nlive].p);
			KT_ASSERT_TRUE(t, ksize(live[nlive].p) >= live[nlive].size);
			live[nlive].id = id++;
			for (i = 0; i < live[nlive].size; i++)
				live[nlive].p[i] = t_pattern(live[nlive].id, i);
			nlive++;
			continue;
		}
		k = (uint32_t)(rnd() % nlive);
		if (!t_pattern_intact(live[k].p, live[k].size, live[k].id))
			KT_FAIL(t, "object %u (%zu bytes at %p) was overwritten", live[k].id,
				live[k].size, (void *)live[k].p);
		kfree(live[k].p);
		live[k] = live[--nlive];
	}
	kmalloc_get_stats(&s);
	KT_EXPECT_UEQ(t, s.objects + s.large, nlive);
	while (nlive) {
		nlive--;
		KT_EXPECT_TRUE(t, t_pattern_intact(live[nlive].p, live[nlive].size,
						   live[nlive].id));
		kfree(live[nlive].p);
	}
	kmalloc_get_stats(&s);
	KT_EXPECT_UEQ(t, s.objects + s.slabs + s.large + s.large_pages, 0);
	KT_EXPECT_UEQ(t, t_free_pages(), before);
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), 0);
}

KTEST_SUITE(kmalloc,
	    KTEST_CASE(every_size_class),
	    KTEST_CASE(large_allocations),
	    KTEST_CASE(reuse_and_kzalloc),
	    KTEST_CASE(bad_kfrees),
	    KTEST_CASE(layers_stay_apart),
	    KTEST_CASE(header_overrun_detected),
	    KTEST_CASE(slabs_return_pages),
	    KTEST_CASE(exhaustion),
	    KTEST_CASE(random_with_patterns));
