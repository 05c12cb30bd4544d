/*
 * test_dma_debug.c - the DMA-API checker's ledger and every check's
 * decision, on synthetic calls.
 *
 * No memory is ever mapped here: the hooks of dma/internal.h are called
 * directly with fake devices and made-up addresses, the way dma/mapping.c
 * would call them. What only the kernel knows (stacks, kernel text, RAM,
 * symbol names) comes from a fake platform installed through the seam in
 * dma/debug_seam.h: a "stack", a "text" and a RAM range at fixed physical
 * addresses, and two named "functions" for callers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dma/debug.h"
#include "dma/debug_seam.h"
#include "dma/internal.h"
#include "kernel/ktest.h"
#include "tests/host/host_stubs.h"

#define N(a)            ((int)(sizeof(a) / sizeof((a)[0])))

/* The fake machine. */
#define F_RAM_END       (1ULL << 30)        /* RAM: [0, 1 GiB) */
#define F_STACK_LO      0x00200000ULL       /* a kernel stack */
#define F_STACK_HI      0x00204000ULL
#define F_TEXT_LO       0x00300000ULL       /* kernel text and rodata */
#define F_TEXT_HI       0x00380000ULL
#define F_BUF           0x01000000ULL       /* an ordinary buffer */
#define F_MMIO          0xfebd0000ULL       /* a BAR, far above RAM */

/* Two fake driver functions, for "mapped at" and "called from". */
#define F_FN_MAP        0x7000ULL
#define F_FN_UNMAP      0x7400ULL
#define F_FN_SIZE       0x400ULL
#define F_MAP_CALL      ((const void *)(uintptr_t)(F_FN_MAP + 0x35))
#define F_UNMAP_CALL    ((const void *)(uintptr_t)(F_FN_UNMAP + 0x1c))

#define T_SEED          0xdeb06ULL
#define T_HASH_SPAN     ((uint64_t)DMA_DEBUG_HASH_SIZE << DMA_DEBUG_HASH_SHIFT)

static bool f_overlaps(uint64_t phys, size_t size, uint64_t lo, uint64_t hi)
{
	return phys < hi && phys + size > lo;
}

static bool f_on_stack(uint64_t phys, size_t size)
{
	return f_overlaps(phys, size, F_STACK_LO, F_STACK_HI);
}

static bool f_in_ro(uint64_t phys, size_t size)
{
	return f_overlaps(phys, size, F_TEXT_LO, F_TEXT_HI);
}

static bool f_is_ram(uint64_t phys, size_t size)
{
	return phys + size <= F_RAM_END;
}

static uint64_t f_sg_phys(const struct scatterlist *sg)
{
	return sg->page_phys + sg->offset;
}

static unsigned int f_max_seg(const struct device *dev)
{
	return dev->max_seg_size;
}

static uint64_t f_boundary(const struct device *dev)
{
	return dev->seg_boundary_mask;
}

static const char *f_symbolize(uint64_t addr, uint64_t *offset)
{
	if (addr >= F_FN_MAP && addr < F_FN_MAP + F_FN_SIZE) {
		*offset = addr - F_FN_MAP;
		return "edu_dma_start";
	}
	if (addr >= F_FN_UNMAP && addr < F_FN_UNMAP + F_FN_SIZE) {
		*offset = addr - F_FN_UNMAP;
		return "edu_dma_stop";
	}
	return NULL;
}

/* Ledger chunks: from malloc, while the budget lasts (-1: no limit). */
static int f_chunk_budget = -1;
static int f_chunks_live;

static void *f_chunk_alloc(size_t bytes)
{
	void *c;

	if (f_chunk_budget == 0)
		return NULL;
	c = malloc(bytes);
	if (c) {
		f_chunks_live++;
		if (f_chunk_budget > 0)
			f_chunk_budget--;
	}
	return c;
}

static void f_chunk_free(void *chunk)
{
	f_chunks_live--;
	free(chunk);
}

static const struct dma_debug_platform fake_platform = {
	.chunk_alloc = f_chunk_alloc,
	.chunk_free = f_chunk_free,
	.on_stack = f_on_stack,
	.in_kernel_ro = f_in_ro,
	.is_ram = f_is_ram,
	.sg_phys = f_sg_phys,
	.max_seg_size = f_max_seg,
	.seg_boundary = f_boundary,
	.symbolize = f_symbolize,
};

static struct device dev_a, dev_b;

static void fake_device(struct device *dev, const char *name, const char *driver)
{
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->driver_name = driver;
	dev->dma_mask = dev->coherent_dma_mask = DMA_BIT_MASK(64);
	dev->max_seg_size = DMA_DEFAULT_MAX_SEG_SIZE;
	dev->seg_boundary_mask = DMA_DEFAULT_SEG_BOUNDARY;
}

/* A fresh ledger, checking on, the fake machine answering. */
static void fresh(void)
{
	fake_device(&dev_a, "0000:00:03.0", "edu");
	fake_device(&dev_b, "0000:00:04.0", "nvme");
	dma_debug_set_platform(&fake_platform);
	dma_debug_init(true);
	f_chunk_budget = -1;
}

/* A single mapping at device address @addr of the RAM at the same address, checked. */
static void map1(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	debug_dma_map(dev, DMA_DEBUG_SINGLE, NULL, addr, size, addr, dir, F_MAP_CALL);
	debug_dma_mapping_error(dev, addr);
}

/* Its unmap; returns the checker's verdict (may the backend proceed?). */
static bool unmap1(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	return debug_dma_unmap(dev, DMA_DEBUG_SINGLE, addr, size, dir, F_UNMAP_CALL);
}

/* @n reports since @before, the last one containing @needle. */
#define EXPECT_REPORTS(t, before, n, needle)                                   \
	do {                                                                   \
		KT_EXPECT_EQ(t, dma_debug_error_count() - (before), n);        \
		KT_EXPECT_SUBSTR(t, dma_debug_last_report(), needle);          \
	} while (0)

#define EXPECT_NO_REPORT(t, before) KT_EXPECT_EQ(t, dma_debug_error_count() - (before), 0)

/* A list of @n pieces of @len bytes, @gap apart, "mapped" 1:1 at the same addresses. */
static void fake_sg(struct scatterlist *sg, int n, uint64_t base, unsigned len, uint64_t gap)
{
	memset(sg, 0, (size_t)n * sizeof(*sg));
	for (int i = 0; i < n; i++) {
		sg[i].page_phys = (base + (uint64_t)i * gap) & ~0xfffULL;
		sg[i].offset = (unsigned)((base + (uint64_t)i * gap) & 0xfff);
		sg[i].length = len;
		sg[i].dma_address = base + (uint64_t)i * gap;
		sg[i].dma_length = len;
	}
	sg[n - 1].flags = SG_END;
}

/* ---- the ledger's data structure ---- */

/* Many entries in one bucket and across buckets; removal in random order. */
static void hash_insert_lookup_remove(struct ktest *t)
{
	enum { COUNT = 96 };
	dma_addr_t addrs[COUNT];
	uint64_t rnd = T_SEED;
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	for (int i = 0; i < COUNT; i++) {
		/* even: all in bucket of F_BUF; odd: one per bucket */
		addrs[i] = i % 2 ? F_BUF + (uint64_t)i * 0x2000 : F_BUF + (uint64_t)i * T_HASH_SPAN;
		debug_dma_map(&dev_a, DMA_DEBUG_SINGLE, NULL, F_BUF, 256, addrs[i],
			      DMA_TO_DEVICE, F_MAP_CALL);
		debug_dma_mapping_error(&dev_a, addrs[i]);
	}
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), COUNT);
	KT_EXPECT_UEQ(t, dma_debug_free_entries(), DMA_DEBUG_INITIAL_ENTRIES - COUNT);
	for (int i = COUNT - 1; i > 0; i--) {   /* shuffle */
		int j = (int)(host_xorshift(&rnd) % (uint64_t)(i + 1));
		dma_addr_t tmp = addrs[i];
		addrs[i] = addrs[j];
		addrs[j] = tmp;
	}
	for (int i = 0; i < COUNT; i++)
		unmap1(&dev_a, addrs[i], 256, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, before);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
	KT_EXPECT_UEQ(t, dma_debug_free_entries(), DMA_DEBUG_INITIAL_ENTRIES);
	KT_EXPECT_UEQ(t, dma_debug_min_free_entries(), DMA_DEBUG_INITIAL_ENTRIES - COUNT);
}

/* The same address on two devices: two entries, each found by its own device. */
static void entries_belong_to_devices(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 512, DMA_TO_DEVICE);
	map1(&dev_b, F_BUF, 512, DMA_TO_DEVICE);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 1);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_b), 1);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 2);
	unmap1(&dev_b, F_BUF, 512, DMA_TO_DEVICE);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 1);
	unmap1(&dev_b, F_BUF, 512, DMA_TO_DEVICE);   /* dev_a's entry is not dev_b's */
	EXPECT_REPORTS(t, before, 1, "never mapped");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "DMA-API: nvme 0000:00:04.0: ");
	unmap1(&dev_a, F_BUF, 512, DMA_TO_DEVICE);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* One buffer mapped twice: each unmap retires the entry that fits it. */
static void best_fit_among_duplicates(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	map1(&dev_a, F_BUF, 512, DMA_FROM_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);     /* the older one, under the newer */
	EXPECT_NO_REPORT(t, before);
	unmap1(&dev_a, F_BUF, 512, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, before);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);

	/* The perfect fit wins over a newer near miss (3 points of 4). */
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	map1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, before);

	/* No perfect fit: the best one is taken and its difference reported. */
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	map1(&dev_a, F_BUF, 512, DMA_FROM_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);   /* 3 points each: newest wins */
	EXPECT_REPORTS(t, before, 1, "different size [freed size=4096 bytes]");
	unmap1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 1, "different size");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* dma_mapping_error() settles one mapping's duty, not every one at the address. */
static void mapping_error_marks_one(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	debug_dma_map(&dev_a, DMA_DEBUG_SINGLE, NULL, F_BUF, 64, F_BUF, DMA_TO_DEVICE, F_MAP_CALL);
	debug_dma_map(&dev_a, DMA_DEBUG_SINGLE, NULL, F_BUF, 64, F_BUF, DMA_TO_DEVICE, F_MAP_CALL);
	debug_dma_mapping_error(&dev_a, F_BUF);
	debug_dma_mapping_error(&dev_b, F_BUF);          /* another device's: no effect */
	unmap1(&dev_a, F_BUF, 64, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 1, "never checked this mapping with dma_mapping_error()");
}

/* Map @n distinct single mappings of dev_a, 64 bytes apart from F_BUF. */
static void map_many(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		map1(&dev_a, F_BUF + i * 64, 64, DMA_TO_DEVICE);
}

/*
 * Past the preallocated entries the ledger grows a chunk at a time and
 * keeps checking every mapping; dma_debug_init() gives the chunks back.
 */
static void ledger_grows(struct ktest *t)
{
	unsigned long before, n = DMA_DEBUG_INITIAL_ENTRIES * 2 + 5, silent = 0;

	fresh();
	before = dma_debug_error_count();
	map_many(n);
	KT_EXPECT_TRUE(t, dma_debug_enabled());
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), n);
	KT_EXPECT_TRUE(t, dma_debug_capacity() > DMA_DEBUG_INITIAL_ENTRIES);
	KT_EXPECT_UEQ(t, dma_debug_capacity() - dma_debug_free_entries(), n);
	KT_EXPECT_GT(t, f_chunks_live, 1);
	for (unsigned long i = 0; i < n; i++)   /* every one found, the newest too */
		silent += unmap1(&dev_a, F_BUF + i * 64, 64, DMA_TO_DEVICE);
	KT_EXPECT_UEQ(t, silent, n);
	EXPECT_NO_REPORT(t, before);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
	KT_EXPECT_UEQ(t, dma_debug_free_entries(), dma_debug_capacity());
	unmap1(&dev_a, F_BUF, 64, DMA_TO_DEVICE);   /* still checking */
	EXPECT_REPORTS(t, before, 1, "never mapped");
	fresh();
	KT_EXPECT_EQ(t, f_chunks_live, 0);
	KT_EXPECT_UEQ(t, dma_debug_capacity(), DMA_DEBUG_INITIAL_ENTRIES);
}

/* No memory to grow: one message naming the size reached, checking off,
 * nothing counted as misuse. */
static void exhaustion_disables(struct ktest *t)
{
	unsigned long before, cap;
	char want[96];

	fresh();
	f_chunk_budget = 1;
	before = dma_debug_error_count();
	map_many(DMA_DEBUG_INITIAL_ENTRIES + 1);          /* the one chunk is taken */
	cap = dma_debug_capacity();
	KT_EXPECT_TRUE(t, cap > DMA_DEBUG_INITIAL_ENTRIES);
	map_many(cap);                                    /* past it: the same addresses again */
	KT_EXPECT_FALSE(t, dma_debug_enabled());
	KT_EXPECT_UEQ(t, dma_debug_free_entries(), 0);
	KT_EXPECT_UEQ(t, dma_debug_capacity(), cap);
	snprintf(want, sizeof(want), "all %lu ledger entries are in use and no memory for", cap);
	KT_EXPECT_SUBSTR(t, host_log_last(), want);
	KT_EXPECT_SUBSTR(t, host_log_last(), "DMA-API checking is off from now on");
	KT_EXPECT_TRUE(t, unmap1(&dev_a, 0x1234, 64, DMA_TO_DEVICE));   /* off: not looked at */
	KT_EXPECT_EQ(t, dma_debug_check_leaks(&dev_a), 0);
	EXPECT_NO_REPORT(t, before);
	fresh();
	KT_EXPECT_TRUE(t, dma_debug_enabled());
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
	KT_EXPECT_EQ(t, f_chunks_live, 0);
}

/* Off: every hook returns at once, nothing is recorded or reported. */
static void disabled_does_nothing(struct ktest *t)
{
	fake_device(&dev_a, "0000:00:03.0", "edu");
	dma_debug_init(false);
	map1(&dev_a, F_STACK_LO, 64, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 64, DMA_FROM_DEVICE);
	debug_dma_sync(&dev_a, F_BUF, 64, DMA_TO_DEVICE, true, F_UNMAP_CALL);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
	KT_EXPECT_UEQ(t, dma_debug_error_count(), 0);
	KT_EXPECT_STREQ(t, dma_debug_last_report(), "");
	KT_EXPECT_FALSE(t, dma_debug_enabled());
}

/* ---- unmap and free ---- */

static void unmap_unknown(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	unmap1(&dev_a, 0x12340000, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 1, "frees DMA memory that was never mapped (or was freed "
		       "already) [device address=0x0000000012340000] [size=64 bytes] [freed as single]");
	unmap1(&dev_a, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 2, "tries to free an invalid DMA memory address");
	debug_dma_free_coherent(&dev_a, 4096, (void *)0x1000, 0x5000, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 3, "[freed as coherent]");
}

static void double_unmap(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 128, DMA_BIDIRECTIONAL);
	unmap1(&dev_a, F_BUF, 128, DMA_BIDIRECTIONAL);
	EXPECT_NO_REPORT(t, before);
	unmap1(&dev_a, F_BUF, 128, DMA_BIDIRECTIONAL);
	EXPECT_REPORTS(t, before, 1, "never mapped");
}

/* Each differing argument is its own report; the entry is retired anyway. */
static void unmap_mismatches(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 2048, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 1, "with a different size [freed size=2048 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[size=4096 bytes]");

	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, before, 2, "with a different direction [freed with DMA_FROM_DEVICE]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped with DMA_TO_DEVICE]");

	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 1024, DMA_FROM_DEVICE);   /* two differences, two reports */
	EXPECT_REPORTS(t, before, 4, "different direction");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* single and page are one kind (Linux's rule); sg and coherent are not. */
static void unmap_wrong_function(struct ktest *t)
{
	struct scatterlist sg[1];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 256, DMA_TO_DEVICE);
	debug_dma_unmap(&dev_a, DMA_DEBUG_PAGE, F_BUF, 256, DMA_TO_DEVICE, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);

	fake_sg(sg, 1, F_BUF, 256, 0);
	debug_dma_map_sg(&dev_a, sg, 1, 1, DMA_TO_DEVICE, F_MAP_CALL);
	unmap1(&dev_a, F_BUF, 256, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 1, "with the wrong function [freed as single]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as scatter-gather]");

	/* Across the coherent/streaming line the backend must not act: refused. */
	debug_dma_alloc_coherent(&dev_a, 4096, F_BUF, (void *)0x1000, F_MAP_CALL);
	KT_EXPECT_FALSE(t, unmap1(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL));
	EXPECT_REPORTS(t, before, 2, "[freed as single]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as coherent]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 1);
	KT_EXPECT_TRUE(t, debug_dma_free_coherent(&dev_a, 4096, (void *)0x1000, F_BUF,
						  F_UNMAP_CALL));
	map1(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL);
	KT_EXPECT_FALSE(t, debug_dma_free_coherent(&dev_a, 4096, (void *)0x1000, F_BUF,
						   F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 3, "[freed as coherent]");
	KT_EXPECT_TRUE(t, unmap1(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL));
	EXPECT_NO_REPORT(t, before + 3);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

static void free_coherent_checks(struct ktest *t)
{
	void *cpu = (void *)0xffff888001000000ULL;
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	debug_dma_alloc_coherent(&dev_a, 8192, F_BUF, cpu, F_MAP_CALL);
	KT_EXPECT_FALSE(t, debug_dma_free_coherent(&dev_a, 8192, (char *)cpu + 64, F_BUF,
						   F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 1, "coherent memory with a different CPU address "
		       "[freed cpu address=0xffff888001000040]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[cpu address=0xffff888001000000]");
	/* Refused: the backend is not called, the allocation stays in the ledger. */
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 1);
	KT_EXPECT_TRUE(t, debug_dma_free_coherent(&dev_a, 8192, cpu, F_BUF, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 1);

	/* A wrong size is refused alike (bug 3): the allocator would free other
	 * pages or refuse, and the later correct free must still find the entry. */
	debug_dma_alloc_coherent(&dev_a, 8192, F_BUF, cpu, F_MAP_CALL);
	KT_EXPECT_FALSE(t, debug_dma_free_coherent(&dev_a, 4096, cpu, F_BUF, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "different size [freed size=4096 bytes]");
	KT_EXPECT_FALSE(t, debug_dma_free_coherent(&dev_a, 16384, cpu, F_BUF, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 3, "different size [freed size=16384 bytes]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 1);
	KT_EXPECT_TRUE(t, debug_dma_free_coherent(&dev_a, 8192, cpu, F_BUF, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 3);   /* coherent memory owes no error check */
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* Noncoherent pages are an allocation: a wrong-size or wrong-function free
 * is refused (the entry stays); resources are MMIO: no memory report. */
static void noncoherent_and_resource_kinds(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	debug_dma_map(&dev_a, DMA_DEBUG_NONCOHERENT, NULL, F_BUF, 8192, F_BUF,
		      DMA_FROM_DEVICE, F_MAP_CALL);
	KT_EXPECT_FALSE(t, debug_dma_unmap(&dev_a, DMA_DEBUG_NONCOHERENT, F_BUF, 4096,
					   DMA_FROM_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 1, "different size [freed size=4096 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as noncoherent]");
	KT_EXPECT_FALSE(t, debug_dma_unmap(&dev_a, DMA_DEBUG_PAGE, F_BUF, 8192,
					   DMA_FROM_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "wrong function [freed as page]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 1);
	KT_EXPECT_TRUE(t, debug_dma_unmap(&dev_a, DMA_DEBUG_NONCOHERENT, F_BUF, 8192,
					  DMA_FROM_DEVICE, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 2);   /* no error check owed */

	debug_dma_map(&dev_a, DMA_DEBUG_RESOURCE, NULL, F_MMIO, 4, F_MMIO, DMA_TO_DEVICE,
		      F_MAP_CALL);
	EXPECT_NO_REPORT(t, before + 2);   /* not RAM, and rightly so */
	debug_dma_mapping_error(&dev_a, F_MMIO);
	KT_EXPECT_FALSE(t, debug_dma_unmap(&dev_a, DMA_DEBUG_RESOURCE, F_MMIO + 8, 4,
					   DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 3, "never mapped");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[freed as resource]");
	KT_EXPECT_TRUE(t, debug_dma_unmap(&dev_a, DMA_DEBUG_RESOURCE, F_MMIO, 4,
					  DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 3);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

static void missing_error_check(struct ktest *t)
{
	struct scatterlist sg[2];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	debug_dma_map(&dev_a, DMA_DEBUG_PAGE, NULL, F_BUF, 512, F_BUF, DMA_FROM_DEVICE, F_MAP_CALL);
	unmap1(&dev_a, F_BUF, 512, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, before, 1, "never checked this mapping with dma_mapping_error() "
		       "[called from edu_dma_stop+0x1c]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as page] mapped at edu_dma_start+0x35");

	fake_sg(sg, 2, F_BUF, 512, 0x1000);          /* sg and coherent owe nothing */
	debug_dma_map_sg(&dev_a, sg, 2, 2, DMA_FROM_DEVICE, F_MAP_CALL);
	debug_dma_unmap_sg(&dev_a, sg, 2, DMA_FROM_DEVICE, F_UNMAP_CALL);
	debug_dma_alloc_coherent(&dev_a, 4096, F_BUF, (void *)0x1000, F_MAP_CALL);
	debug_dma_free_coherent(&dev_a, 4096, (void *)0x1000, F_BUF, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before + 1);
}

/* ---- scatterlists ---- */

/* nents must be the map call's, not the count it returned: one report per call. */
static void sg_nents_checks(struct ktest *t)
{
	struct scatterlist sg[3];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 3, F_BUF, 1024, 0x1000);
	debug_dma_map_sg(&dev_a, sg, 3, 3, DMA_TO_DEVICE, F_MAP_CALL);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);
	debug_dma_sync_sg(&dev_a, sg, 3, DMA_TO_DEVICE, false, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);
	debug_dma_sync_sg(&dev_a, sg, 2, DMA_TO_DEVICE, false, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 1, "syncs a scatterlist with a different entry count "
		       "[mapped nents=3] [synced nents=2]");
	/* The backend would walk other entries than were mapped: refused whole. */
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, sg, 2, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "frees a scatterlist with a different entry count "
		       "[mapped nents=3] [freed nents=2]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);
	KT_EXPECT_TRUE(t, debug_dma_unmap_sg(&dev_a, sg, 3, DMA_TO_DEVICE, F_UNMAP_CALL));
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
	EXPECT_NO_REPORT(t, before + 2);
}

/* nents past the list's end: one report, refused before any lookup. */
static void sg_nents_past_list(struct ktest *t)
{
	struct scatterlist sg[3];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 3, F_BUF, 1024, 0x1000);
	debug_dma_map_sg(&dev_a, sg, 3, 3, DMA_TO_DEVICE, F_MAP_CALL);
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, sg, 4, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 1, "calls dma_unmap_sg with nents 4, but the list holds "
		       "3 entries");
	KT_EXPECT_FALSE(t, debug_dma_sync_sg(&dev_a, sg, 4, DMA_TO_DEVICE, true, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "calls dma_sync_sg_for_cpu with nents 4");
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, sg, 0, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 3, "with nents 0");
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, sg, 3, (enum dma_data_direction)7,
					      F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 4, "calls dma_unmap_sg with an invalid direction "
		       "[direction=7]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);
	KT_EXPECT_TRUE(t, debug_dma_unmap_sg(&dev_a, sg, 3, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 4);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/*
 * A list unmapped whole or not at all: a segment the ledger does not hold
 * (here the last, and a list naming one mapping twice) refuses the call
 * after earlier segments were matched, and those stay live and matchable.
 */
static void sg_refused_after_partial_match(struct ktest *t)
{
	struct scatterlist sg[3], bad[3];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 3, F_BUF, 1024, 0x1000);
	debug_dma_map_sg(&dev_a, sg, 3, 3, DMA_TO_DEVICE, F_MAP_CALL);
	memcpy(bad, sg, sizeof(bad));
	bad[2].dma_address = F_BUF + 0x10000;          /* never mapped */
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, bad, 3, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 1, "never mapped (or was freed already) "
		       "[device address=0x0000000001010000]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);
	bad[2] = sg[1];                                /* the second mapping named twice */
	bad[2].flags = SG_END;
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, bad, 3, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "never mapped (or was freed already) "
		       "[device address=0x0000000001001000]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);
	KT_EXPECT_TRUE(t, debug_dma_unmap_sg(&dev_a, sg, 3, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_NO_REPORT(t, before + 2);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* A merging backend: 3 pieces, 2 segments; unmap walks the 2 segments only. */
static void sg_merged_segments(struct ktest *t)
{
	struct scatterlist sg[3];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 3, F_BUF, 1024, 0x1000);
	sg[0].dma_length = 0x1000 + 1024;    /* pieces 0 and 1 became one segment */
	sg[1].dma_address = sg[2].dma_address;
	sg[1].dma_length = 1024;
	sg[2].dma_address = 0;
	sg[2].dma_length = 0;
	debug_dma_map_sg(&dev_a, sg, 3, 2, DMA_FROM_DEVICE, F_MAP_CALL);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 2);
	debug_dma_sync_sg(&dev_a, sg, 3, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	debug_dma_unmap_sg(&dev_a, sg, 3, DMA_FROM_DEVICE, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* A list the ledger does not know: one report, and the backend must not act. */
static void sg_unknown_list(struct ktest *t)
{
	struct scatterlist sg[2];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 2, F_BUF, 512, 0x1000);
	KT_EXPECT_FALSE(t, debug_dma_sync_sg(&dev_a, sg, 2, DMA_TO_DEVICE, true, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 1, "syncs DMA memory that is not mapped");
	KT_EXPECT_FALSE(t, debug_dma_unmap_sg(&dev_a, sg, 2, DMA_TO_DEVICE, F_UNMAP_CALL));
	EXPECT_REPORTS(t, before, 2, "never mapped");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[freed as scatter-gather]");
}

/* Mapped segments must respect max_seg_size and the segment boundary. */
static void sg_segment_limits(struct ktest *t)
{
	struct scatterlist sg[2];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	dev_a.max_seg_size = 4096;
	fake_sg(sg, 1, F_BUF, 8192, 0);
	debug_dma_map_sg(&dev_a, sg, 1, 1, DMA_TO_DEVICE, F_MAP_CALL);
	EXPECT_REPORTS(t, before, 1, "segment longer than the device accepts [len=8192] [max=4096]");
	debug_dma_unmap_sg(&dev_a, sg, 1, DMA_TO_DEVICE, F_UNMAP_CALL);

	dev_a.max_seg_size = DMA_DEFAULT_MAX_SEG_SIZE;
	dev_a.seg_boundary_mask = 0xfff;
	fake_sg(sg, 2, F_BUF + 0xf00, 0x100, 0x1000);     /* ends exactly at 4 KiB: fine */
	debug_dma_map_sg(&dev_a, sg, 2, 2, DMA_TO_DEVICE, F_MAP_CALL);
	EXPECT_NO_REPORT(t, before + 1);
	debug_dma_unmap_sg(&dev_a, sg, 2, DMA_TO_DEVICE, F_UNMAP_CALL);
	fake_sg(sg, 1, F_BUF + 0xf00, 0x200, 0);          /* crosses it */
	debug_dma_map_sg(&dev_a, sg, 1, 1, DMA_TO_DEVICE, F_MAP_CALL);
	EXPECT_REPORTS(t, before, 2, "across the device's boundary [start=0x0000000001000f00] "
		       "[end=0x00000000010010ff] [boundary mask=0x0000000000000fff]");
	debug_dma_unmap_sg(&dev_a, sg, 1, DMA_TO_DEVICE, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before + 2);
}

/* ---- syncs ---- */

static void sync_range_checks(struct ktest *t)
{
	const dma_addr_t big = 0x20000000;   /* 1 MiB: 128 hash windows */
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, big, 1 << 20, DMA_FROM_DEVICE);
	debug_dma_sync(&dev_a, big + 0x80000, 4096, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	debug_dma_sync(&dev_a, big + 0xfff00, 0x100, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	debug_dma_sync(&dev_a, big, 1 << 20, DMA_FROM_DEVICE, false, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);
	debug_dma_sync(&dev_a, big + 0xfff00, 0x200, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 1, "beyond the end of its mapping [sync offset=1048320] "
		       "[sync size=512 bytes]");
	debug_dma_sync(&dev_a, big + (1 << 20), 16, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 2, "syncs DMA memory that is not mapped "
		       "[device address=0x0000000020100000] [size=16 bytes]");
	debug_dma_sync(&dev_b, big, 16, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 3, "nvme 0000:00:04.0: device driver syncs DMA memory that is not mapped");
	debug_dma_sync(&dev_a, big - 1, 16, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 4, "not mapped");
	unmap1(&dev_a, big, 1 << 20, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, before + 4);
}

/*
 * Without an IOMMU a small mapping may lie inside a large one (another
 * buffer in the same memory). A sync the large one holds entirely is not
 * "beyond the end" of the small one, even though the small one's bucket
 * comes first on the walk back; the nearest partial match is reported only
 * when no mapping holds the whole range.
 */
static void sync_nested_mappings(struct ktest *t)
{
	const dma_addr_t big = 0x20000000, inner = big + 0x80000;
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, big, 1 << 20, DMA_FROM_DEVICE);
	map1(&dev_a, inner, 256, DMA_TO_DEVICE);      /* its own bucket, 64 windows up */
	debug_dma_sync(&dev_a, inner, 4096, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);                   /* the 1 MiB mapping holds it all */
	debug_dma_sync(&dev_a, inner, 128, DMA_TO_DEVICE, false, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);                   /* the nearer one holds it: TO_DEVICE fits */
	debug_dma_sync(&dev_a, inner, 2 << 20, DMA_TO_DEVICE, false, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 1, "beyond the end of its mapping [sync offset=0] "
		       "[sync size=2097152 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[size=256 bytes]");  /* the nearest */
	unmap1(&dev_a, inner, 256, DMA_TO_DEVICE);
	unmap1(&dev_a, big, 1 << 20, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, before + 1);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 0);
}

/* Direction rules, after Linux: see docs/dma-debug.md for each case. */
static void sync_direction_checks(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_TO_DEVICE, true, F_UNMAP_CALL);   /* fine */
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_TO_DEVICE, false, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before);
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE, false, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 1, "syncs DMA memory with a different direction "
		       "[synced with DMA_FROM_DEVICE]");
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE, true, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 3, "syncs for the CPU memory the device only reads");
	unmap1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);

	map1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE, false, F_UNMAP_CALL);  /* fine */
	EXPECT_NO_REPORT(t, before + 3);
	debug_dma_sync(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL, false, F_UNMAP_CALL);
	EXPECT_REPORTS(t, before, 5, "syncs for the device memory the device only writes "
		       "[synced with DMA_BIDIRECTIONAL]");
	unmap1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);

	map1(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL);    /* anything goes */
	debug_dma_sync(&dev_a, F_BUF, 64, DMA_TO_DEVICE, true, F_UNMAP_CALL);
	debug_dma_sync(&dev_a, F_BUF, 64, DMA_FROM_DEVICE, false, F_UNMAP_CALL);
	unmap1(&dev_a, F_BUF, 4096, DMA_BIDIRECTIONAL);
	EXPECT_NO_REPORT(t, before + 5);
}

/* ---- memory no device may have ---- */

static void map_forbidden_memory(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_STACK_LO + 0x100, 64, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, before, 1, "maps memory from a kernel stack "
		       "[phys=0x0000000000200100] [len=64]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "mapped at edu_dma_start+0x35");
	map1(&dev_a, F_TEXT_LO + 0x40, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 2, "maps kernel code or read-only data");
	map1(&dev_a, F_MMIO, 4096, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, before, 3, "maps memory that is not RAM");
	map1(&dev_a, F_RAM_END - 64, 128, DMA_TO_DEVICE);   /* half RAM, half not */
	EXPECT_REPORTS(t, before, 4, "not RAM");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 4);  /* reported, still tracked */
	unmap1(&dev_a, F_STACK_LO + 0x100, 64, DMA_FROM_DEVICE);
	unmap1(&dev_a, F_TEXT_LO + 0x40, 64, DMA_TO_DEVICE);
	unmap1(&dev_a, F_MMIO, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_RAM_END - 64, 128, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, before + 4);
}

/* Every CPU piece of a list is checked, not only the mapped segments. */
static void map_sg_forbidden_memory(struct ktest *t)
{
	struct scatterlist sg[3];
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	fake_sg(sg, 3, F_BUF, 256, 0x1000);
	sg[1].page_phys = F_STACK_LO;
	sg[2].page_phys = F_TEXT_LO;
	debug_dma_map_sg(&dev_a, sg, 3, 3, DMA_BIDIRECTIONAL, F_MAP_CALL);
	EXPECT_REPORTS(t, before, 2, "kernel code or read-only data");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[called from edu_dma_start+0x35]");
	debug_dma_unmap_sg(&dev_a, sg, 3, DMA_BIDIRECTIONAL, F_UNMAP_CALL);
	EXPECT_NO_REPORT(t, before + 2);
}

/* ---- leaks, dumps and the report's shape ---- */

static void leaks_per_device(struct ktest *t)
{
	unsigned long before;

	fresh();
	before = dma_debug_error_count();
	map1(&dev_a, F_BUF, 64, DMA_TO_DEVICE);
	map1(&dev_a, F_BUF + 0x10000, 64, DMA_TO_DEVICE);
	debug_dma_alloc_coherent(&dev_a, 4096, 0x2000000, (void *)0x1000, F_MAP_CALL);
	map1(&dev_b, F_BUF, 64, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(&dev_a), 3);
	EXPECT_REPORTS(t, before, 1, "DMA-API: edu 0000:00:03.0: device driver leaves DMA "
		       "mappings or allocations behind [count=3]");
	KT_EXPECT_SUBSTR(t, host_log_last(), "leaked: ");
	KT_EXPECT_SUBSTR(t, host_log_last(), "mapped at edu_dma_start+0x35");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&dev_a), 3);   /* reported, not forgotten */
	KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), 4);
	unmap1(&dev_a, F_BUF, 64, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF + 0x10000, 64, DMA_TO_DEVICE);
	debug_dma_free_coherent(&dev_a, 4096, (void *)0x1000, 0x2000000, F_UNMAP_CALL);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(&dev_a), 0);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(&dev_b), 1);
	EXPECT_NO_REPORT(t, before + 2);
	unmap1(&dev_b, F_BUF, 64, DMA_TO_DEVICE);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(NULL), 0);
}

static void dump_lists_entries(struct ktest *t)
{
	struct scatterlist sg[2];

	fresh();
	fake_sg(sg, 2, F_BUF, 512, 0x1000);
	debug_dma_map_sg(&dev_a, sg, 2, 2, DMA_TO_DEVICE, F_MAP_CALL);
	dma_debug_dump(&dev_a);
	KT_EXPECT_SUBSTR(t, host_log_last(), "ledger: 2 live entries for 0000:00:03.0");
	dma_debug_dump(&dev_b);
	KT_EXPECT_SUBSTR(t, host_log_last(), "ledger: 0 live entries");
	debug_dma_unmap_sg(&dev_a, sg, 2, DMA_TO_DEVICE, F_UNMAP_CALL);
	KT_EXPECT_UEQ(t, dma_debug_error_count(), 0);
}

/* Names: the driver and device; callers by function; the rest plainly. */
static void report_format(struct ktest *t)
{
	struct device anon;

	fresh();
	map1(&dev_a, F_BUF, 4096, DMA_TO_DEVICE);
	unmap1(&dev_a, F_BUF, 4096, DMA_FROM_DEVICE);
	KT_EXPECT_STREQ(t, dma_debug_last_report(),
		"DMA-API: edu 0000:00:03.0: device driver frees DMA memory with a different "
		"direction [freed with DMA_FROM_DEVICE] [called from edu_dma_stop+0x1c] "
		"[device address=0x0000000001000000] [size=4096 bytes] "
		"[mapped with DMA_TO_DEVICE] [mapped as single] mapped at edu_dma_start+0x35");
	KT_EXPECT_SUBSTR(t, host_log_last(), "DMA-API: edu 0000:00:03.0: error: device driver");

	fake_device(&anon, "platform-dev", NULL);
	debug_dma_unmap(&anon, DMA_DEBUG_SINGLE, F_BUF, 8, DMA_TO_DEVICE, (const void *)0x9999);
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "DMA-API: (no driver) platform-dev: ");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[called from 0x0000000000009999]");
	dma_debug_report(&dev_b, "pool %s: block freed twice", "prp");
	KT_EXPECT_STREQ(t, dma_debug_last_report(),
			"DMA-API: nvme 0000:00:04.0: pool prp: block freed twice");
	dma_debug_report(NULL, "x");
	KT_EXPECT_STREQ(t, dma_debug_last_report(), "DMA-API: (no driver) (no device): x");
	KT_EXPECT_UEQ(t, dma_debug_error_count(), 4);
	dma_debug_init(true);
	KT_EXPECT_UEQ(t, dma_debug_error_count(), 0);
	KT_EXPECT_STREQ(t, dma_debug_last_report(), "");
}

/* A report longer than the buffer is cut, never overflowed. */
static void report_truncates(struct ktest *t)
{
	char big[DMA_DEBUG_REPORT_MAX * 2];

	fresh();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dma_debug_report(&dev_a, "%s", big);
	KT_EXPECT_EQ(t, strlen(dma_debug_last_report()),
		     strlen("DMA-API: edu 0000:00:03.0: ") + DMA_DEBUG_REPORT_MAX - 1);
	dma_debug_set_platform(NULL);
	dma_debug_init(false);
}

KTEST_SUITE(dma_debug_ledger,
	    KTEST_CASE(hash_insert_lookup_remove), KTEST_CASE(entries_belong_to_devices),
	    KTEST_CASE(best_fit_among_duplicates), KTEST_CASE(mapping_error_marks_one),
	    KTEST_CASE(ledger_grows),
	    KTEST_CASE(exhaustion_disables), KTEST_CASE(disabled_does_nothing),
	    KTEST_CASE(unmap_unknown), KTEST_CASE(double_unmap), KTEST_CASE(unmap_mismatches),
	    KTEST_CASE(unmap_wrong_function), KTEST_CASE(free_coherent_checks),
	    KTEST_CASE(noncoherent_and_resource_kinds),
	    KTEST_CASE(missing_error_check), KTEST_CASE(sg_nents_checks),
	    KTEST_CASE(sg_nents_past_list), KTEST_CASE(sg_refused_after_partial_match),
	    KTEST_CASE(sg_merged_segments), KTEST_CASE(sg_unknown_list),
	    KTEST_CASE(sg_segment_limits), KTEST_CASE(sync_range_checks),
	    KTEST_CASE(sync_nested_mappings), KTEST_CASE(sync_direction_checks),
	    KTEST_CASE(map_forbidden_memory), KTEST_CASE(map_sg_forbidden_memory),
	    KTEST_CASE(leaks_per_device), KTEST_CASE(dump_lists_entries),
	    KTEST_CASE(report_format), KTEST_CASE(report_truncates));
