/*
 * mm_test.c - the memory manager on the machine it booted on.
 *
 * The host tests (tests/host/test_buddy.c, test_kmalloc.c, test_memmap.c)
 * prove the logic; these prove the integration: the zones the real memory
 * map produced, RAM above 4 GiB reached through the direct map, a 28-bit
 * limit honoured, all of memory taken and given back, mistakes reported
 * on the console. They run in every scenario (512 MiB and 6 GiB, PVH and
 * UEFI), after the page allocator has been extended to all of RAM.
 */
#define LOG_PREFIX "mm_test"
#include "boot/boot_info.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/printf.h"
#include "kernel/string.h"

#define FOUR_GIB         (DMA32_LIMIT + 1)
#define EDU_DMA_LIMIT    ((1ULL << 28) - 1)   /* the edu device's 28-bit mask */
#define PATTERN_SEED     0x9e3779b97f4a7c15ULL
#define CAPTURE_BYTES    512
#define HIGH_TEST_ORDER  2
#define LIMIT_ORDER_STEP 5                     /* orders 0, 5 and 10 */
#define POISON_VICTIM_WORD 7
#define JUNK_BYTE        0xa5

extern struct boot_info boot_info;

/* Both zones' statistics at one moment. */
struct mm_snapshot {
	struct zone_stats z[MAX_NR_ZONES];
};

/* Take one, to compare the allocator before and after a test. */
static void mm_snapshot(struct mm_snapshot *s)
{
	page_alloc_zone_stats(ZONE_DMA32, &s->z[ZONE_DMA32]);
	page_alloc_zone_stats(ZONE_NORMAL, &s->z[ZONE_NORMAL]);
}

/* Same free lists and sizes in both zones (failure counters aside). */
static bool mm_same_lists(const struct mm_snapshot *a, const struct mm_snapshot *b)
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

/* The suite needs a running page allocator. */
static const char *mm_skip_if(void)
{
	struct zone_stats dma;

	page_alloc_zone_stats(ZONE_DMA32, &dma);
	return dma.present_pages ? NULL : "the page allocator is not initialized";
}

/* The memory map claimed the kernel, the first MiB and the page array: none of them is free. */
static void claims_are_not_managed(struct ktest *t)
{
	KT_EXPECT_UGE(t, memmap_bytes(MEMMAP_KERNEL, 0, UINT64_MAX), boot_info.kernel_size);
	KT_EXPECT_GT(t, memmap_bytes(MEMMAP_PAGE_ARRAY, 0, UINT64_MAX), 0);
	KT_EXPECT_NULL(t, phys_to_page(boot_info.kernel_phys));
	KT_EXPECT_NULL(t, phys_to_page(boot_info.kernel_phys + boot_info.kernel_size - 1));
	KT_EXPECT_NULL(t, phys_to_page(0));
	KT_EXPECT_NULL(t, phys_to_page(MEMMAP_LOW_MEMORY_END - 1));
	KT_EXPECT_UGE(t, memmap_ram_end(), boot_info.kernel_phys + boot_info.kernel_size);
}

/* ZONE_DMA32 always has memory, and GFP_DMA32 stays below 4 GiB. */
static void dma32_zone(struct ktest *t)
{
	struct zone_stats dma;
	struct page *page;

	page_alloc_zone_stats(ZONE_DMA32, &dma);
	KT_EXPECT_UEQ(t, dma.start, 0);
	KT_EXPECT_TRUE(t, dma.end <= FOUR_GIB);
	KT_EXPECT_GT(t, dma.free_pages, 0);
	page = alloc_pages(GFP_DMA32, MAX_ORDER);
	KT_ASSERT_NOT_NULL(t, page);
	KT_EXPECT_TRUE(t, page_to_phys(page) + (PAGE_SIZE << MAX_ORDER) <= FOUR_GIB);
	KT_EXPECT_UEQ(t, page_to_phys(page) % (PAGE_SIZE << MAX_ORDER), 0);
	__free_pages(page, MAX_ORDER);
}

/* Fill a block with a position-dependent pattern; check it reads back. */
static bool mm_pattern_roundtrip(struct page *page, unsigned int order)
{
	uint64_t *w = page_address(page), n = (PAGE_SIZE << order) / sizeof(*w), i;

	for (i = 0; i < n; i++)
		w[i] = (page_to_phys(page) + i) * PATTERN_SEED;
	for (i = 0; i < n; i++)
		if (w[i] != (page_to_phys(page) + i) * PATTERN_SEED)
			return false;
	return true;
}

/* Above 4 GiB: GFP_KERNEL prefers it, and data written through the direct map reads back. */
static void normal_zone_above_4g(struct ktest *t)
{
	struct zone_stats normal;
	struct page *page;
	const uint8_t *bytes;
	uint64_t i;

	page_alloc_zone_stats(ZONE_NORMAL, &normal);
	if (normal.present_pages == 0)
		KT_SKIP(t, "no RAM above 4 GiB on this machine");
	KT_EXPECT_UEQ(t, normal.start, FOUR_GIB);
	page = alloc_pages(GFP_KERNEL, HIGH_TEST_ORDER);
	KT_ASSERT_NOT_NULL(t, page);
	KT_EXPECT_UGE(t, page_to_phys(page), FOUR_GIB);
	KT_EXPECT_TRUE(t, mm_pattern_roundtrip(page, HIGH_TEST_ORDER));
	__free_pages(page, HIGH_TEST_ORDER);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, HIGH_TEST_ORDER);
	KT_ASSERT_NOT_NULL(t, page);
	KT_EXPECT_UGE(t, page_to_phys(page), FOUR_GIB);
	bytes = page_address(page);
	for (i = 0; i < (PAGE_SIZE << HIGH_TEST_ORDER) && bytes[i] == 0; i++)
		;
	KT_EXPECT_UEQ(t, i, PAGE_SIZE << HIGH_TEST_ORDER);
	__free_pages(page, HIGH_TEST_ORDER);
}

/* A 28-bit device (edu) gets memory below 256 MiB, whatever zone GFP_KERNEL prefers. */
static void limit_28_bits(struct ktest *t)
{
	unsigned int order;
	struct page *page;

	for (order = 0; order <= MAX_ORDER; order += LIMIT_ORDER_STEP) {
		page = alloc_pages_limit(GFP_KERNEL, order, EDU_DMA_LIMIT);
		KT_ASSERT_NOT_NULL(t, page);
		KT_EXPECT_TRUE(t, page_to_phys(page) + (PAGE_SIZE << order) - 1 <= EDU_DMA_LIMIT);
		KT_EXPECT_TRUE(t, mm_pattern_roundtrip(page, order));
		__free_pages(page, order);
	}
}

/* Every block taken by mm_take_everything(), to give back afterwards. */
struct mm_hoard {
	struct mm_taken {
		uint64_t phys;
		unsigned int order;
	} *blocks;             /* kmalloc'd before memory runs out */
	uint64_t count;        /* blocks taken */
	uint64_t capacity;     /* room in blocks[] */
};

/*
 * Take every free block, largest first. Once no block of order k is left,
 * each smaller request takes a free block whole, so the count is at most
 * the number of free blocks now, plus the splits the list itself causes.
 * The blocks are recorded, not written to: touching gigabytes of guest RAM
 * would make QEMU allocate all of it on the host.
 */
static bool mm_take_everything(struct mm_hoard *h)
{
	struct mm_snapshot now;
	struct page *page;
	int order, z;

	mm_snapshot(&now);
	h->count = 0;
	h->capacity = MAX_ORDER + 1;
	for (z = 0; z < MAX_NR_ZONES; z++)
		for (order = 0; order <= MAX_ORDER; order++)
			h->capacity += now.z[z].free_blocks[order];
	h->blocks = kmalloc(h->capacity * sizeof(*h->blocks), GFP_KERNEL);
	if (!h->blocks)
		return false;
	for (order = MAX_ORDER; order >= 0; order--) {
		while (h->count < h->capacity &&
		       (page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, (unsigned int)order))) {
			h->blocks[h->count].phys = page_to_phys(page);
			h->blocks[h->count].order = (unsigned int)order;
			h->count++;
		}
	}
	return true;
}

/* Give back everything mm_take_everything() took, and its record. */
static void mm_give_everything(struct mm_hoard *h)
{
	while (h->count) {
		h->count--;
		__free_pages(phys_to_page(h->blocks[h->count].phys), h->blocks[h->count].order);
	}
	kfree(h->blocks);
}

/* All of memory taken: NULL (counted, logged), then every frame back where it was. */
static void exhaust_and_recover(struct ktest *t)
{
	struct mm_snapshot start, empty, end;
	struct mm_hoard hoard;
	unsigned long warns;

	mm_snapshot(&start);
	KT_ASSERT_TRUE(t, mm_take_everything(&hoard));
	mm_snapshot(&empty);
	KT_EXPECT_GT(t, hoard.count, 0);
	KT_EXPECT_UEQ(t, empty.z[ZONE_DMA32].free_pages, 0);
	KT_EXPECT_UEQ(t, empty.z[ZONE_NORMAL].free_pages, 0);
	KT_EXPECT_GT(t, empty.z[ZONE_DMA32].alloc_failures, start.z[ZONE_DMA32].alloc_failures);
	warns = log_count(LOG_WARN);
	KT_EXPECT_NULL(t, alloc_pages(GFP_KERNEL, 0));       /* logged (provoked by the test) */
	KT_EXPECT_EQ(t, log_count(LOG_WARN), warns + 1);
	KT_EXPECT_NULL(t, kmalloc(KMALLOC_MAX_SLAB_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	mm_give_everything(&hoard);
	mm_snapshot(&end);
	KT_EXPECT_TRUE(t, mm_same_lists(&start, &end));
}

/* With poisoning on, a write into a freed block is reported when it is handed out again. */
static void poison_catches_use_after_free(struct ktest *t)
{
	uint64_t errors = page_alloc_poison_errors();
	bool was = page_alloc_set_poison(true);
	struct page *victim, *again;
	struct mm_hoard hoard;
	unsigned int order;

	KT_ASSERT_TRUE(t, mm_take_everything(&hoard));
	KT_EXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	/* Give back the last block taken: it becomes the only free memory. */
	hoard.count--;
	victim = phys_to_page(hoard.blocks[hoard.count].phys);
	order = hoard.blocks[hoard.count].order;
	__free_pages(victim, order);
	ktest_expect_error(t, "mm: error: free memory was written");
	((uint64_t *)page_address(victim))[POISON_VICTIM_WORD] = 0;  /* the use after free */
	again = alloc_pages(GFP_KERNEL, order);
	page_alloc_set_poison(was);
	KT_EXPECT_TRUE(t, again == victim);
	KT_EXPECT_UEQ(t, page_alloc_poison_errors(), errors + 1);
	if (again)
		__free_pages(again, order);
	mm_give_everything(&hoard);
}

/* A bad free is logged with its address, counted, and changes nothing. */
static void bad_free_reported(struct ktest *t)
{
	char cap[CAPTURE_BYTES], where[32];
	struct mm_snapshot before, after;
	uint64_t bad = page_alloc_bad_frees();
	struct page *page = alloc_pages(GFP_KERNEL, 1);

	KT_ASSERT_NOT_NULL(t, page);
	mm_snapshot(&before);
	ktest_expect_error(t, "mm: error: bad free of phys ");
	console_capture_start(cap, sizeof(cap));
	__free_pages(page, 0);                 /* wrong order (provoked by the test) */
	console_capture_stop();
	snprintf(where, sizeof(where), "0x%llx", (unsigned long long)page_to_phys(page));
	KT_EXPECT_SUBSTR(t, cap, where);
	KT_EXPECT_SUBSTR(t, cap, "wrong order");
	__free_pages(phys_to_page(page_to_phys(page) + PAGE_SIZE), 0);   /* inside it */
	mm_snapshot(&after);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 2);
	KT_EXPECT_TRUE(t, mm_same_lists(&before, &after));
	__free_pages(page, 1);
	__free_pages(page, 1);                 /* double free */
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad + 3);
}

/* Every size class: size, alignment, contents; kzalloc zeroes; a double kfree is caught. */
static void kmalloc_classes(struct ktest *t)
{
	struct kmalloc_stats start, end;
	uint64_t bad = kmalloc_bad_frees();
	size_t size, i;
	unsigned int c;
	uint8_t *p;

	kmalloc_get_stats(&start);
	for (c = 0; (size = kmalloc_class_size(c)) != 0; c++) {
		p = kmalloc(size, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_UEQ(t, ksize(p), size);
		KT_EXPECT_UEQ(t, (uintptr_t)p % (size & -size), 0);
		memset(p, JUNK_BYTE, size);
		kfree(p);
		p = kzalloc(size, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		for (i = 0; i < size && p[i] == 0; i++)
			;
		KT_EXPECT_UEQ(t, i, size);
		kfree(p);
	}
	p = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, ksize(p), 4 * PAGE_SIZE);
	kfree(p);
	ktest_expect_error(t, "mm: error: kfree(");
	kfree(p);                              /* double free (provoked by the test) */
	KT_EXPECT_UEQ(t, kmalloc_bad_frees(), bad + 1);
	kmalloc_get_stats(&end);
	KT_EXPECT_MEMEQ(t, &start, &end, sizeof(start));
}

/* The statistics add up: blocks times sizes equal free pages, free within present. */
static void stats_consistent(struct ktest *t)
{
	struct zone_stats s;
	uint64_t sum;
	unsigned int order;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		page_alloc_zone_stats((enum zone_type)z, &s);
		for (sum = 0, order = 0; order <= MAX_ORDER; order++)
			sum += s.free_blocks[order] << order;
		KT_EXPECT_UEQ(t, sum, s.free_pages);
		KT_EXPECT_TRUE(t, s.free_pages <= s.present_pages);
		KT_EXPECT_TRUE(t, s.present_pages << PAGE_SHIFT <= s.end - s.start);
	}
}

/* The sanitized region holding @addr, or NULL in a hole. */
static const struct memmap_region *mm_region_at(uint64_t addr)
{
	const struct memmap_region *r;

	for (uint32_t i = 0; (r = memmap_get(i)); i++)
		if (addr >= r->base && addr < r->end)
			return r;
	return NULL;
}

/* May a firmware region of @fw_type end up as @type in the kernel's map?
 * RAM may be claimed by the kernel (and loader data released to usable);
 * everything else keeps its type exactly. */
static bool mm_type_compatible(uint32_t fw_type, uint32_t type)
{
	bool claim = type == MEMMAP_LOW_MEMORY || type == MEMMAP_PAGE_ARRAY ||
		     type == MEMMAP_KERNEL;

	if (fw_type == BOOT_MEM_USABLE)
		return type == BOOT_MEM_USABLE || claim;
	if (fw_type == BOOT_MEM_LOADER)
		return type == BOOT_MEM_LOADER || type == BOOT_MEM_USABLE || claim;
	return type == fw_type || (fw_type == BOOT_MEM_RESERVED && type == MEMMAP_LOW_MEMORY);
}

/* Every whole page the firmware described is in the kernel's map with a
 * compatible type, at its first, middle and last page. */
static void memory_map_matches_firmware(struct ktest *t)
{
	unsigned checked = 0, bad = 0;

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *fw = &boot_info.mem[i];
		uint64_t first = PAGE_ALIGN(fw->base);
		uint64_t end = (fw->base + fw->length) & PAGE_MASK;
		uint64_t probes[3] = { first, first + (end - first) / 2, end - PAGE_SIZE };
		if (end <= first)
			continue;  /* no whole page: trimmed away, rightly */
		for (int j = 0; j < 3; j++) {
			const struct memmap_region *r = mm_region_at(probes[j] & PAGE_MASK);
			checked++;
			if (r && mm_type_compatible(fw->type, r->type))
				continue;
			bad++;
			ktest_printf("    # firmware [%#llx-%#llx) type %u: page %#llx is %s\n",
				     (unsigned long long)fw->base,
				     (unsigned long long)(fw->base + fw->length), fw->type,
				     (unsigned long long)probes[j],
				     r ? memmap_type_name(r->type) : "missing");
		}
	}
	KT_EXPECT_GT(t, checked, 0);
	KT_EXPECT_EQ(t, bad, 0);
}

KTEST_SUITE_EXT(mm, 0, mm_skip_if,
		KTEST_CASE(memory_map_matches_firmware),
		KTEST_CASE(claims_are_not_managed),
		KTEST_CASE(dma32_zone),
		KTEST_CASE(normal_zone_above_4g),
		KTEST_CASE(limit_28_bits),
		KTEST_CASE(exhaust_and_recover),
		KTEST_CASE(poison_catches_use_after_free),
		KTEST_CASE(bad_free_reported),
		KTEST_CASE(kmalloc_classes),
		KTEST_CASE(stats_consistent));
