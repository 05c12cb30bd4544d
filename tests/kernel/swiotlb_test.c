/*
 * swiotlb_test.c - the bounce pool on the machine it booted on.
 *
 * The host tests (tests/host/test_swiotlb.c) prove the slot allocator
 * against a model; these prove the pool the kernel really built: where it
 * is, that it serves a 28-bit device from a buffer the device cannot
 * reach, that every copy happens exactly when the rules say (and a
 * missing sync really leaves stale data), that min_align_mask survives a
 * bounce, that a full pool fails loudly and recovers, and that an unmap
 * with the wrong size still gives its slots back. They call the
 * swiotlb functions directly on a device of their own, so they run in
 * every scenario, with or without `swiotlb=force`, 64 MiB to 6 GiB.
 */
#define LOG_PREFIX "swiotlb_test"
#include "dma/swiotlb.h"
#include "kernel/console.h"
#include "kernel/device.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/string.h"

#define EDU_LIMIT        DMA_BIT_MASK(28)   /* QEMU edu's reach: 256 MiB */
#define NVME_ALIGN_MASK  0xfffULL            /* NVMe keeps the offset in a 4 KiB page */
#define MAX_MAP          ((size_t)IO_TLB_SEGSIZE * IO_TLB_SIZE)   /* 256 KiB */
#define MAX_MAP_ORDER    6                   /* 256 KiB of pages */
#define DEV_BYTE         0x3c                /* what the "device" writes */
#define CPU_BYTE         0xc3                /* what the CPU writes */
#define CAPTURE_BYTES    2048

/* A buffer for one case: its pages and physical address. */
struct tbuf {
	struct page *pg;
	unsigned int order;
	uint64_t phys;
};

/* The suite needs a pool; without one (boot did not build it) there is nothing to test. */
static const char *swiotlb_skip_if(void)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	return st.nslots ? NULL : "no bounce pool (swiotlb_init did not run or failed)";
}

/* A device like edu: 28-bit masks, no boundary, optionally NVMe's min_align_mask. */
static void test_dev(struct device *dev, uint64_t min_align_mask)
{
	memset(dev, 0, sizeof(*dev));
	strlcpy(dev->name, "swiotlb-test", sizeof(dev->name));
	dev->dma_mask = EDU_LIMIT;
	dev->coherent_dma_mask = EDU_LIMIT;
	dev->max_seg_size = MAX_MAP;
	dev->seg_boundary_mask = ~0ULL;
	dev->min_align_mask = min_align_mask;
}

/* Fill @len bytes at @phys with a pattern that differs at every offset. */
static void fill_pattern(uint64_t phys, size_t len, uint8_t seed)
{
	uint8_t *p = phys_to_virt(phys);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* The pattern's byte at offset @i. */
static uint8_t pattern_at(size_t i, uint8_t seed)
{
	return (uint8_t)(seed + i * 7 + (i >> 8));
}

/* Does the machine have RAM the test device cannot reach? */
static bool ram_above_limit(void)
{
	return memmap_bytes(BOOT_MEM_USABLE, EDU_LIMIT + 1, UINT64_MAX) != 0;
}

/* Take 4 MiB blocks until one lies above the edu limit (the allocator
 * hands out its highest first), chaining the low ones through their own
 * first bytes; give the low ones back. Return: the high block, or NULL. */
static struct page *high_block(void)
{
	struct page *pg, *chain = NULL, *next;

	while ((pg = alloc_pages(GFP_KERNEL, MAX_ORDER)) != NULL &&
	       page_to_phys(pg) <= EDU_LIMIT) {
		*(struct page **)phys_to_virt(page_to_phys(pg)) = chain;
		chain = pg;
	}
	for (; chain; chain = next) {
		next = *(struct page **)phys_to_virt(page_to_phys(chain));
		__free_pages(chain, MAX_ORDER);
	}
	return pg;
}

/*
 * A patterned buffer of 2^@order pages, above the edu limit where the
 * machine has RAM there (cut from a 4 MiB block: small blocks come from
 * fragments low in memory). On a machine without such RAM (-m 64M, 128M)
 * any buffer serves: the cases call swiotlb_tbl_map() directly, which
 * bounces whatever it is given.
 */
static bool tbuf_get(struct tbuf *b, unsigned int order, uint8_t seed)
{
	b->pg = ram_above_limit() ? high_block() : NULL;
	b->order = MAX_ORDER;
	if (!b->pg) {
		b->order = order;
		b->pg = alloc_pages(GFP_KERNEL, order);
	}
	if (!b->pg)
		return false;
	b->phys = page_to_phys(b->pg);
	if (b->phys <= EDU_LIMIT)
		ktest_printf("    # buffer at %#llx is within the device's reach (%s); bouncing "
			     "anyway\n", (unsigned long long)b->phys,
			     ram_above_limit() ? "no free 4 MiB block above it" :
			     "no RAM above 256 MiB");
	fill_pattern(b->phys, PAGE_SIZE << order, seed);
	return true;
}

/* Give a case's buffer back. */
static void tbuf_put(struct tbuf *b)
{
	if (b->pg)
		__free_pages(b->pg, b->order);
}

/* The CPU's view of a physical address: original or bounce copy alike. */
static uint8_t *at(uint64_t phys)
{
	return phys_to_virt(phys);
}

/* The pool is below 4 GiB, reaches down far enough for edu, and its numbers add up. */
static void pool_is_low(struct ktest *t)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	KT_EXPECT_UGE(t, st.end - st.base, (uint64_t)st.nslots * IO_TLB_SIZE);
	KT_EXPECT_TRUE(t, st.end - 1 <= DMA32_LIMIT);
	KT_EXPECT_GT(t, swiotlb_slots_below(EDU_LIMIT), 0);
	KT_EXPECT_UGE(t, st.high_water, st.used);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(st.base));
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(st.end - 1));
	KT_EXPECT_FALSE(t, is_swiotlb_buffer(st.end));
	ktest_printf("    # pool_is_low: [%#llx-%#llx], %lu slots, %lu used, high water %lu, "
		     "force %s\n",
		     (unsigned long long)st.base, (unsigned long long)st.end - 1, st.nslots,
		     st.used, st.high_water, swiotlb_force_bounce() ? "on" : "off");
}

/* TO_DEVICE: the map copies in; what the device writes never comes back. */
static void to_device_copies_in_only(struct ktest *t)
{
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 1, 11));
	tlb = swiotlb_tbl_map(&dev, b.phys + 100, 5000, EDU_LIMIT, DMA_TO_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_TRUE(t, is_swiotlb_buffer(tlb) && tlb + 5000 - 1 <= EDU_LIMIT);
	KT_EXPECT_MEMEQ(t, at(tlb), at(b.phys + 100), 5000);
	at(b.phys + 100)[7] = CPU_BYTE;                  /* the CPU updates the buffer */
	KT_EXPECT_NE(t, at(tlb)[7], CPU_BYTE);           /* ... the device cannot see it yet */
	swiotlb_sync_for_device(&dev, tlb, 5000, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, at(tlb)[7], CPU_BYTE);
	memset(at(tlb), DEV_BYTE, 5000);                 /* a device writing what it should not */
	swiotlb_sync_for_cpu(&dev, tlb, 5000, DMA_TO_DEVICE);
	swiotlb_tbl_unmap(&dev, tlb, 5000, DMA_TO_DEVICE, 0);
	KT_EXPECT_EQ(t, at(b.phys + 100)[0], pattern_at(100, 11));
	KT_EXPECT_EQ(t, at(b.phys + 100)[4999], pattern_at(5099, 11));
	tbuf_put(&b);
}

/* FROM_DEVICE: the device's data reaches the CPU only at sync_for_cpu or unmap. */
static void from_device_needs_sync(struct ktest *t)
{
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 2, 22));
	tlb = swiotlb_tbl_map(&dev, b.phys, 3 * PAGE_SIZE, EDU_LIMIT, DMA_FROM_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	KT_EXPECT_MEMEQ(t, at(tlb), at(b.phys), 3 * PAGE_SIZE);   /* no stale slot data */
	memset(at(tlb), DEV_BYTE, PAGE_SIZE);                      /* the device writes a page */
	KT_EXPECT_EQ(t, at(b.phys)[0], pattern_at(0, 22));        /* a missing sync: stale */
	swiotlb_sync_for_device(&dev, tlb, 3 * PAGE_SIZE, DMA_FROM_DEVICE);
	KT_EXPECT_EQ(t, at(tlb)[0], DEV_BYTE);                     /* that copies nothing */
	swiotlb_sync_for_cpu(&dev, tlb, 3 * PAGE_SIZE, DMA_FROM_DEVICE);
	KT_EXPECT_EQ(t, at(b.phys)[PAGE_SIZE - 1], DEV_BYTE);
	KT_EXPECT_EQ(t, at(b.phys)[PAGE_SIZE], pattern_at(PAGE_SIZE, 22));
	memset(at(tlb + 2 * PAGE_SIZE), DEV_BYTE, PAGE_SIZE);      /* a second transfer */
	swiotlb_tbl_unmap(&dev, tlb, 3 * PAGE_SIZE, DMA_FROM_DEVICE, 0);
	KT_EXPECT_EQ(t, at(b.phys)[2 * PAGE_SIZE], DEV_BYTE);
	KT_EXPECT_EQ(t, at(b.phys)[3 * PAGE_SIZE], pattern_at(3 * PAGE_SIZE, 22));
	tbuf_put(&b);
}

/* BIDIRECTIONAL copies both ways; DMA_ATTR_SKIP_CPU_SYNC skips the unmap's copy. */
static void bidirectional_and_skip(struct ktest *t)
{
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 0, 33));
	tlb = swiotlb_tbl_map(&dev, b.phys, 256, EDU_LIMIT, DMA_BIDIRECTIONAL, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	at(b.phys)[1] = CPU_BYTE;
	swiotlb_sync_for_device(&dev, tlb, 256, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, at(tlb)[1], CPU_BYTE);
	at(tlb)[2] = DEV_BYTE;
	swiotlb_sync_for_cpu(&dev, tlb, 256, DMA_BIDIRECTIONAL);
	KT_EXPECT_EQ(t, at(b.phys)[2], DEV_BYTE);
	at(tlb)[3] = DEV_BYTE;
	swiotlb_tbl_unmap(&dev, tlb, 256, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	KT_EXPECT_EQ(t, at(b.phys)[3], pattern_at(3, 33));
	tbuf_put(&b);
}

/* A sync of part of a mapping copies that part and nothing else. */
static void partial_sync(struct ktest *t)
{
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 4, 44));
	tlb = swiotlb_tbl_map(&dev, b.phys, 16 * PAGE_SIZE, EDU_LIMIT, DMA_FROM_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	memset(at(tlb), DEV_BYTE, 16 * PAGE_SIZE);
	swiotlb_sync_for_cpu(&dev, tlb + 30000, 100, DMA_FROM_DEVICE);
	KT_EXPECT_EQ(t, at(b.phys)[29999], pattern_at(29999, 44));
	KT_EXPECT_EQ(t, at(b.phys)[30000], DEV_BYTE);
	KT_EXPECT_EQ(t, at(b.phys)[30099], DEV_BYTE);
	KT_EXPECT_EQ(t, at(b.phys)[30100], pattern_at(30100, 44));
	swiotlb_tbl_unmap(&dev, tlb, 16 * PAGE_SIZE, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KT_EXPECT_EQ(t, at(b.phys)[0], pattern_at(0, 44));
	tbuf_put(&b);
}

/* NVMe's min_align_mask: the bounce keeps each buffer's offset in its 4 KiB page. */
static void min_align_mask_kept(struct ktest *t)
{
	static const uint64_t offsets[] = { 0, 0x200, 0x7ff, 0x800, 0xe00, 0xfff };
	struct device dev;
	struct tbuf b;
	uint64_t tlb;
	unsigned int i;

	test_dev(&dev, NVME_ALIGN_MASK);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 2, 55));
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		tlb = swiotlb_tbl_map(&dev, b.phys + offsets[i], 2 * PAGE_SIZE, EDU_LIMIT,
				      DMA_TO_DEVICE, 0);
		KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
		KT_EXPECT_UEQ(t, tlb & NVME_ALIGN_MASK, offsets[i]);
		KT_EXPECT_MEMEQ(t, at(tlb), at(b.phys + offsets[i]), 2 * PAGE_SIZE);
		swiotlb_tbl_unmap(&dev, tlb, 2 * PAGE_SIZE, DMA_TO_DEVICE, 0);
	}
	KT_EXPECT_UEQ(t, swiotlb_max_mapping_size(&dev), MAX_MAP - (NVME_ALIGN_MASK + 1));
	tbuf_put(&b);
}

/* Map the largest mappings until the pool refuses; returns how many were made. */
static unsigned long fill_pool(struct device *dev, uint64_t orig, uint64_t *tlbs,
			       unsigned long max)
{
	unsigned long n = 0;

	while (n < max) {
		tlbs[n] = swiotlb_tbl_map(dev, orig, MAX_MAP, ~0ULL, DMA_TO_DEVICE, 0);
		if (tlbs[n] == DMA_MAPPING_ERROR)
			break;
		n++;
	}
	return n;
}

/* Unmap the @n mappings fill_pool() made and check the pool is back where it was. */
static void empty_pool(struct ktest *t, struct device *dev, const uint64_t *tlbs,
		       unsigned long n, const struct swiotlb_stats *before, unsigned long full_used)
{
	struct swiotlb_stats after;
	unsigned long i;

	for (i = 0; i < n; i++)
		swiotlb_tbl_unmap(dev, tlbs[i], MAX_MAP, DMA_TO_DEVICE, 0);
	swiotlb_get_stats(&after);
	KT_EXPECT_UEQ(t, after.used, before->used);
	KT_EXPECT_UEQ(t, after.mappings, before->mappings);
	KT_EXPECT_UGE(t, after.high_water, full_used);
	ktest_printf("    # full_pool_recovers: %lu mappings of 256 KiB filled the pool; high "
		     "water %lu of %lu slots\n", n, after.high_water, after.nslots);
}

/* A full pool gives DMA_MAPPING_ERROR with a clear message; unmapping everything empties it. */
static void full_pool_recovers(struct ktest *t)
{
	struct swiotlb_stats before, full;
	char cap[CAPTURE_BYTES];
	unsigned long max, n;
	struct device dev;
	uint64_t *tlbs;
	struct tbuf b;

	test_dev(&dev, 0);
	swiotlb_get_stats(&before);
	max = before.nslots / IO_TLB_SEGSIZE + 1;
	tlbs = kmalloc(max * sizeof(*tlbs), GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, tlbs);
	KT_ASSERT_TRUE(t, tbuf_get(&b, MAX_MAP_ORDER, 66));
	ktest_expect_error(t, "swiotlb-test: error: swiotlb: buffer full");
	console_capture_start(cap, sizeof(cap));
	n = fill_pool(&dev, b.phys, tlbs, max);
	console_capture_stop();
	swiotlb_get_stats(&full);
	KT_EXPECT_LT(t, n, max);
	KT_EXPECT_SUBSTR(t, cap, "swiotlb-test: error: swiotlb: buffer full: need 128 slots "
			 "for 262144 bytes");
	KT_EXPECT_UEQ(t, full.full, before.full + 1);
	KT_EXPECT_UEQ(t, full.high_water, full.used);
	if (before.used == 0)   /* pool areas are whole multiples of 256 KiB */
		KT_EXPECT_UEQ(t, full.used, full.nslots);
	empty_pool(t, &dev, tlbs, n, &before, full.used);
	kfree(tlbs);
	tbuf_put(&b);
}

/* Too big, below the pool, wrong addresses: each refused with a message, nothing changed. */
static void mistakes_are_reported(struct ktest *t)
{
	struct swiotlb_stats before, after;
	char cap[CAPTURE_BYTES];
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, MAX_MAP_ORDER, 77));
	swiotlb_get_stats(&before);
	ktest_expect_error(t, "swiotlb-test: error: swiotlb: ");
	console_capture_start(cap, sizeof(cap));
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, b.phys, MAX_MAP + 1, EDU_LIMIT, DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	KT_EXPECT_EQ(t, swiotlb_tbl_map(&dev, b.phys, 64, before.base - 1, DMA_TO_DEVICE, 0),
		     DMA_MAPPING_ERROR);
	tlb = swiotlb_tbl_map(&dev, b.phys, 512, EDU_LIMIT, DMA_FROM_DEVICE, 0);
	swiotlb_tbl_unmap(&dev, tlb + 8, 504, DMA_FROM_DEVICE, 0);
	swiotlb_tbl_unmap(&dev, tlb, 512, DMA_FROM_DEVICE, 0);
	swiotlb_tbl_unmap(&dev, tlb, 512, DMA_FROM_DEVICE, 0);
	console_capture_stop();
	swiotlb_get_stats(&after);
	KT_EXPECT_SUBSTR(t, cap, "the largest mapping is 262144 bytes");
	KT_EXPECT_SUBSTR(t, cap, "no slot of the pool");
	KT_EXPECT_SUBSTR(t, cap, "not its start; not unmapped");
	KT_EXPECT_SUBSTR(t, cap, "no bounce mapping there");
	KT_EXPECT_UEQ(t, after.used, before.used);
	KT_EXPECT_UEQ(t, after.mappings, before.mappings);
	tbuf_put(&b);
}

/*
 * An unmap with the wrong size is reported, then done as Linux does it:
 * the caller's bytes come back (never more than were mapped) and the slots
 * the mapping was made with are free again: no leak.
 */
static void wrong_size_unmaps_whole_mapping(struct ktest *t)
{
	struct swiotlb_stats before, after;
	char cap[CAPTURE_BYTES];
	struct device dev;
	struct tbuf b;
	uint64_t tlb;

	test_dev(&dev, 0);
	KT_ASSERT_TRUE(t, tbuf_get(&b, 0, 88));
	swiotlb_get_stats(&before);
	tlb = swiotlb_tbl_map(&dev, b.phys, 512, EDU_LIMIT, DMA_FROM_DEVICE, 0);
	KT_ASSERT_NE(t, tlb, DMA_MAPPING_ERROR);
	memset(at(tlb), DEV_BYTE, 512);                  /* the device fills the buffer */
	ktest_expect_error(t, "swiotlb-test: error: swiotlb: unmap of ");
	console_capture_start(cap, sizeof(cap));
	swiotlb_tbl_unmap(&dev, tlb, 256, DMA_FROM_DEVICE, 0);
	console_capture_stop();
	swiotlb_get_stats(&after);
	KT_EXPECT_SUBSTR(t, cap, "swiotlb-test: error: swiotlb: unmap of ");
	KT_EXPECT_SUBSTR(t, cap, "with 256 bytes, but it was mapped with 512 bytes; "
			 "copied back 256, unmapped the 512 bytes mapped");
	KT_EXPECT_EQ(t, at(b.phys)[255], DEV_BYTE);
	KT_EXPECT_EQ(t, at(b.phys)[256], pattern_at(256, 88));   /* only what was asked */
	KT_EXPECT_EQ(t, at(b.phys)[512], pattern_at(512, 88));
	KT_EXPECT_UEQ(t, after.used, before.used);
	KT_EXPECT_UEQ(t, after.mappings, before.mappings);
	tbuf_put(&b);
}

KTEST_SUITE_EXT(swiotlb, 0, swiotlb_skip_if,
		KTEST_CASE(pool_is_low), KTEST_CASE(to_device_copies_in_only),
		KTEST_CASE(from_device_needs_sync), KTEST_CASE(bidirectional_and_skip),
		KTEST_CASE(partial_sync), KTEST_CASE(min_align_mask_kept),
		KTEST_CASE(full_pool_recovers), KTEST_CASE(mistakes_are_reported),
		KTEST_CASE(wrong_size_unmaps_whole_mapping));
