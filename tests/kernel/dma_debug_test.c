/*
 * dma_debug_test.c - every misuse the DMA-API checker knows, made through
 * the real API on the machine that booted.
 *
 * The host test (tests/host/test_dma_debug.c) proves each check's decision
 * on made-up calls; this suite proves the wiring: dma/mapping.c hands the
 * ledger the right facts, the caller is named by function ("mapped at
 * map_from_stack+0x5a"), the kernel's own stack, text and memory map are
 * recognised, and the direct backend (with or without bouncing) survives
 * the misuse. Each case checks the number of new reports and the text of
 * the last one, and leaves the ledger exactly as it found it.
 *
 * The device is a struct device of our own with a 64-bit mask: no
 * hardware is touched, and nothing bounces unless `swiotlb=force` says so.
 */
#include "dma/debug.h"
#include "dma/debug_seam.h"
#include "dma/dma.h"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "kernel/device.h"
#include "kernel/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc_internal.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"

#define T_DRIVER       "dma_debug_test"
#define T_DEVICE       "dma-debug-test"
#define T_OTHER        "dma-debug-other"
#define T_PREFIX       "DMA-API: " T_DRIVER " " T_DEVICE ": "
#define T_SMALL        256              /* bytes mapped out of a page buffer */
#define T_PIECE        512              /* bytes per scatterlist piece */
#define T_NOWHERE_GAP  0x1000000ULL     /* past the end of RAM: nobody's address */
#define T_SEG_LIMIT    4096u            /* a device with 4 KiB segments */
#define T_BOUNDARY     0xfffULL         /* ... that may not cross 4 KiB lines */
#define T_OLD          0x5a             /* a buffer's bytes before the device writes */
#define T_NEW          0xa5             /* ... and what the device wrote */
#define T_GROW_EXTRA   64               /* mappings past the ledger's free entries */

static struct device t_device;

/* A fresh device of our own: Linux's defaults, then a 64-bit mask. */
static struct device *t_dev(void)
{
	memset(&t_device, 0, sizeof(t_device));
	strlcpy(t_device.name, T_DEVICE, sizeof(t_device.name));
	t_device.driver_name = T_DRIVER;
	dma_device_init(&t_device);
	dma_set_mask_and_coherent(&t_device, DMA_BIT_MASK(64));
	return &t_device;
}

static struct device t_other;

/* A second device of our own, set up alike: the one a slot is handed to. */
static struct device *t_other_dev(void)
{
	memset(&t_other, 0, sizeof(t_other));
	strlcpy(t_other.name, T_OTHER, sizeof(t_other.name));
	t_other.driver_name = T_DRIVER;
	dma_device_init(&t_other);
	dma_set_mask_and_coherent(&t_other, DMA_BIT_MASK(64));
	return &t_other;
}

/* A device address no mapping can have: above all of RAM. */
static dma_addr_t t_nowhere(void)
{
	return memmap_ram_end() + T_NOWHERE_GAP;
}

/* The suite is about the checker: without dma_debug=on there is nothing to test. */
static const char *dma_debug_skip(void)
{
	return dma_debug_enabled() ? NULL : "dma_debug is off (boot with dma_debug=on)";
}

/* What a case starts from; it must leave the ledger as it found it. */
struct t_base {
	unsigned long errors;    /* dma_debug_error_count() */
	unsigned long entries;   /* dma_debug_entry_count(NULL) */
};

static struct t_base t_begin(void)
{
	return (struct t_base){ dma_debug_error_count(), dma_debug_entry_count(NULL) };
}

/* @n new reports, the last one containing @needle. */
/* A case that misuses the API: the reports it provokes name our device. */
static struct t_base t_misuse(struct ktest *t)
{
	ktest_expect_error(t, T_DRIVER " " T_DEVICE ": error: ");
	return t_begin();
}

#define EXPECT_REPORTS(t, b, n, needle)                                        \
	do {                                                                   \
		KT_EXPECT_EQ(t, dma_debug_error_count() - (b).errors, n);      \
		KT_EXPECT_SUBSTR(t, dma_debug_last_report(), needle);          \
	} while (0)

#define EXPECT_NO_REPORT(t, b, n) KT_EXPECT_EQ(t, dma_debug_error_count() - (b).errors, n)

/* The ledger holds what it held before the case, and nothing of our device. */
#define EXPECT_LEDGER_RESTORED(t, b)                                           \
	do {                                                                   \
		KT_EXPECT_UEQ(t, dma_debug_entry_count(NULL), (b).entries);    \
		KT_EXPECT_UEQ(t, dma_debug_entry_count(&t_device), 0);         \
	} while (0)

/* Slots in use in the bounce pool: a bounced mapping's unmap must give them back. */
static unsigned long t_swiotlb_used(void)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	return st.used;
}

/* ---- correct use first: no report at all ---- */

/* Map, sync both ways, unmap: single and page mappings, as a driver should. */
static void correct_streaming_is_silent(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a, p;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	p = dma_map_page(dev, virt_to_page(buf), T_SMALL * 2, T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, p), 0);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 2);
	dma_sync_single_for_cpu(dev, a + 16, 64, DMA_FROM_DEVICE);     /* a sub-range */
	dma_sync_single_for_device(dev, a, T_SMALL, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, p, T_SMALL, DMA_TO_DEVICE);       /* take it back... */
	dma_sync_single_for_device(dev, p, T_SMALL, DMA_TO_DEVICE);    /* ...and return it */
	dma_unmap_page(dev, p, T_SMALL, DMA_TO_DEVICE);
	dma_unmap_single(dev, a, T_SMALL, DMA_FROM_DEVICE);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 0);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* The same for a scatterlist and a coherent allocation. */
static void correct_sg_and_coherent_is_silent(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	struct scatterlist sg[2];
	dma_addr_t c;
	void *cpu;
	int n;

	KT_ASSERT_NOT_NULL(t, buf);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, T_PIECE);
	sg_set_buf(&sg[1], buf + T_PIECE, T_PIECE);
	n = dma_map_sg(dev, sg, 2, DMA_BIDIRECTIONAL);
	KT_ASSERT_GT(t, n, 0);
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, cpu);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 1 + (unsigned long)n);
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_BIDIRECTIONAL);
	dma_sync_sg_for_device(dev, sg, 2, DMA_BIDIRECTIONAL);
	dma_free_coherent(dev, PAGE_SIZE, cpu, c);
	dma_unmap_sg(dev, sg, 2, DMA_BIDIRECTIONAL);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 0);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* ---- unmap and free ---- */

static void unmap_never_mapped(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	dma_addr_t nowhere = t_nowhere();

	dma_unmap_single(dev, nowhere, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver frees DMA memory that was never mapped");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[called from unmap_never_mapped+0x");
	dma_unmap_page(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 2, "device driver tries to free an invalid DMA memory address");
	EXPECT_LEDGER_RESTORED(t, b);
}

/* The second unmap finds nothing: "never mapped (or was freed already)". */
static void double_unmap(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long used;
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_unmap_single(dev, a, T_SMALL, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 0);
	used = t_swiotlb_used();
	ktest_expect_error(t, "was never mapped (or was freed already)");
	dma_unmap_single(dev, a, T_SMALL, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, "was never mapped (or was freed already)");
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used);   /* the backend was not asked */
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/*
 * Bug 4: a device unmaps twice after its bounce slots went to another
 * device. The checker knows the first device holds no such mapping, so
 * the backend is not asked: the other device's bounce survives, slots
 * and data (a write "by the device" into the bounce reaches its buffer
 * at its own unmap). Without a bounce the two share the buffer instead.
 */
static void double_unmap_after_reuse(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev(), *other = t_other_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned char *buf2 = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a, o;
	unsigned long used;

	KT_ASSERT_NOT_NULL(t, buf);
	KT_ASSERT_NOT_NULL(t, buf2);
	a = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_unmap_single(dev, a, T_SMALL, DMA_TO_DEVICE);
	memset(buf2, T_OLD, T_SMALL);
	o = dma_map_single(other, is_swiotlb_buffer(a) ? buf2 : buf, T_SMALL, DMA_BIDIRECTIONAL);
	KT_ASSERT_EQ(t, dma_mapping_error(other, o), 0);
	KT_EXPECT_UEQ(t, o, a);   /* first fit hands out the same slots (or the same buffer) */
	used = t_swiotlb_used();
	ktest_expect_error(t, "was never mapped (or was freed already)");
	dma_unmap_single(dev, a, T_SMALL, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, "was never mapped (or was freed already)");
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(other), 1);
	if (is_swiotlb_buffer(o))
		memset(phys_to_virt(o), T_NEW, T_SMALL);   /* what the device wrote */
	dma_unmap_single(other, o, T_SMALL, DMA_BIDIRECTIONAL);
	EXPECT_NO_REPORT(t, b, 1);
	if (is_swiotlb_buffer(o))
		KT_EXPECT_TRUE(t, buf2[0] == T_NEW && buf2[T_SMALL - 1] == T_NEW);
	kfree(buf2);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(other), 0);
}

/*
 * The ledger reports the wrong size and retires the entry; swiotlb (under
 * swiotlb=force) says so too and unmaps with the recorded size, so the
 * two agree and no bounce slot leaks.
 */
static void unmap_wrong_size(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long used = t_swiotlb_used();
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_unmap_single(dev, a, PAGE_SIZE / 2, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, "frees DMA memory with a different size [freed size=2048 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[size=4096 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "mapped at unmap_wrong_size+0x");
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

static void unmap_wrong_direction(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_unmap_single(dev, a, T_SMALL, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, "with a different direction [freed with DMA_FROM_DEVICE]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped with DMA_TO_DEVICE]");
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* single and page are one kind, as in Linux; a list segment is not a single. */
static void unmap_wrong_function(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	struct scatterlist sg[1];
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_unmap_page(dev, a, T_SMALL, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 0);

	sg_init_table(sg, 1);
	sg_set_buf(&sg[0], buf, T_PIECE);
	KT_ASSERT_EQ(t, dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);
	dma_unmap_single(dev, sg_dma_address(&sg[0]), sg_dma_len(&sg[0]), DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, "with the wrong function [freed as single]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as scatter-gather]");
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/*
 * The CPU address is part of the allocation. The direct backend refuses
 * the wrong one and keeps the memory, and so does the ledger: the
 * allocation stays live, and the proper free that follows is silent.
 */
static void free_coherent_wrong_cpu(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	dma_addr_t c;
	char *cpu = dma_alloc_coherent(dev, PAGE_SIZE, &c, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, cpu);
	dma_free_coherent(dev, PAGE_SIZE, cpu + 64, c);
	EXPECT_REPORTS(t, b, 1, "frees coherent memory with a different CPU address");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as coherent] mapped at "
			 "free_coherent_wrong_cpu+0x");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 1);   /* still live */
	dma_free_coherent(dev, PAGE_SIZE, cpu, c);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/*
 * dma_free_coherent with the failure value as its handle: reported as the
 * free of an invalid address; the backend keeps the memory (the handle is
 * not the allocation's), so the proper free that follows is silent.
 */
static void free_coherent_mapping_error(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	dma_addr_t c;
	char *cpu = dma_alloc_coherent(dev, PAGE_SIZE, &c, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, cpu);
	dma_free_coherent(dev, PAGE_SIZE, cpu, DMA_MAPPING_ERROR);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver tries to free an invalid DMA memory "
		       "address (DMA_MAPPING_ERROR) [freed as coherent]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[called from free_coherent_mapping_error+0x");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 1);   /* the allocation is still live */
	dma_free_coherent(dev, PAGE_SIZE, cpu, c);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Is the page at @p mapped with cache type @type? */
static bool t_cache_is(const void *p, enum page_cache type)
{
	uint64_t pte, size;

	return paging_lookup(p, &pte, &size) && pt_entry_cache(pte, size) == type;
}

/*
 * Bug 3: a free with the wrong size is refused whole. The backend would
 * free another order (the page allocator refuses it and the pages leak)
 * and restore write-back over pages that are not the allocation's, a
 * write-combining neighbour's perhaps. So the entry stays, nothing is
 * freed or remapped, and the correct free that follows is silent.
 */
static void free_coherent_wrong_size(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev();
	uint64_t bad = page_alloc_bad_frees();
	dma_addr_t ha, hn;
	char *a = dma_alloc_attrs(dev, PAGE_SIZE, &ha, GFP_KERNEL, DMA_ATTR_WRITE_COMBINE);
	char *n = dma_alloc_attrs(dev, PAGE_SIZE, &hn, GFP_KERNEL, DMA_ATTR_WRITE_COMBINE);

	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, n);
	ktest_expect_error(t, "frees DMA memory with a different size");
	dma_free_attrs(dev, 2 * PAGE_SIZE, a, ha, DMA_ATTR_WRITE_COMBINE);
	EXPECT_REPORTS(t, b, 1, "frees DMA memory with a different size [freed size=8192 bytes]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as coherent]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 2);    /* both still live */
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad);      /* the allocator was not asked */
	KT_EXPECT_TRUE(t, t_cache_is(a, PAGE_CACHE_WC));     /* nor the page tables */
	KT_EXPECT_TRUE(t, t_cache_is(n, PAGE_CACHE_WC));
	dma_free_attrs(dev, PAGE_SIZE, a, ha, DMA_ATTR_WRITE_COMBINE);
	EXPECT_NO_REPORT(t, b, 1);
	KT_EXPECT_TRUE(t, t_cache_is(a, PAGE_CACHE_WB));     /* really freed this time */
	KT_EXPECT_TRUE(t, t_cache_is(n, PAGE_CACHE_WC));
	dma_free_attrs(dev, PAGE_SIZE, n, hn, DMA_ATTR_WRITE_COMBINE);
	EXPECT_NO_REPORT(t, b, 1);
	KT_EXPECT_UEQ(t, page_alloc_bad_frees(), bad);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* The CPU's view of a segment's bytes: its bounce copy if it bounced. */
static unsigned char *t_dev_view(struct scatterlist *s)
{
	return phys_to_virt(sg_dma_address(s));
}

/*
 * Bug 2: nents past the end of the list. One report, and nothing
 * changes: no entry retired, no bounce slot freed, nothing copied (a
 * "device write" into a bounce does not reach the buffer until a correct
 * sync); the correct calls that follow are silent and give every slot back.
 */
static void sg_nents_past_the_list(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long used0 = t_swiotlb_used(), used;
	struct scatterlist sg[2];
	bool bounced;

	KT_ASSERT_NOT_NULL(t, buf);
	memset(buf, T_OLD, 2 * T_PIECE);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, T_PIECE);
	sg_set_buf(&sg[1], buf + T_PIECE, T_PIECE);
	KT_ASSERT_EQ(t, dma_map_sg(dev, sg, 2, DMA_FROM_DEVICE), 2);
	bounced = is_swiotlb_buffer(sg_dma_address(&sg[1]));
	used = t_swiotlb_used();
	if (bounced)
		memset(t_dev_view(&sg[1]), T_NEW, T_PIECE);   /* what the device wrote */
	ktest_expect_error(t, "with nents 3, but the list ends after 2 entries");
	dma_sync_sg_for_cpu(dev, sg, 3, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, "dma_sync_sg_for_cpu with nents 3, but the list ends after "
		       "2 entries");
	KT_EXPECT_UEQ(t, buf[T_PIECE], T_OLD);               /* nothing copied */
	dma_unmap_sg(dev, sg, 3, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 2, "dma_unmap_sg with nents 3, but the list ends after 2 entries");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 2);     /* nothing retired */
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used);            /* nothing freed */
	KT_EXPECT_UEQ(t, buf[T_PIECE], T_OLD);
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_FROM_DEVICE);
	if (bounced)
		KT_EXPECT_UEQ(t, buf[T_PIECE], T_NEW);
	dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, b, 2);
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used0);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/*
 * dma_unmap_sg takes the nents given to dma_map_sg; another count is
 * reported once and refused whole (the backend would walk entries that
 * were never mapped): the mapping stays live and the right unmap is silent.
 */
static void unmap_sg_wrong_nents(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long used = t_swiotlb_used();
	struct scatterlist sg[2];

	KT_ASSERT_NOT_NULL(t, buf);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, T_PIECE);
	sg_set_buf(&sg[1], buf + T_PIECE, T_PIECE);
	KT_ASSERT_EQ(t, dma_map_sg(dev, sg, 1, DMA_TO_DEVICE), 1);   /* one entry of two */
	dma_unmap_sg(dev, sg, 2, DMA_TO_DEVICE);
	EXPECT_REPORTS(t, b, 1, "frees a scatterlist with a different entry count "
		       "[mapped nents=1] [freed nents=2]");
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), 1);   /* still live */
	dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 1);
	KT_EXPECT_UEQ(t, t_swiotlb_used(), used);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* A single mapping must be checked with dma_mapping_error(); reported at unmap. */
static void missing_map_error_check(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_FROM_DEVICE);
	EXPECT_NO_REPORT(t, b, 0);
	dma_unmap_single(dev, a, T_SMALL, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver never checked this mapping with "
		       "dma_mapping_error()");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "mapped at missing_map_error_check+0x");
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* ---- syncs ---- */

static void sync_not_mapped(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();

	dma_sync_single_for_cpu(dev, t_nowhere(), 64, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, "device driver syncs DMA memory that is not mapped");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[called from sync_not_mapped+0x");
	EXPECT_LEDGER_RESTORED(t, b);
}

/* The mapping is T_SMALL bytes of a page buffer, so a bounce's overrun stays ours. */
static void sync_beyond_end(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	dma_sync_single_for_cpu(dev, a + T_SMALL / 2, T_SMALL, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, "syncs DMA memory beyond the end of its mapping "
		       "[sync offset=128] [sync size=256 bytes]");
	dma_unmap_single(dev, a, T_SMALL, DMA_FROM_DEVICE);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Map one way, sync another, and expect @reports reports containing @text. */
static void t_sync_misuse(struct ktest *t, enum dma_data_direction map_dir, bool for_cpu,
			  enum dma_data_direction sync_dir, int reports, const char *text)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, buf);
	a = dma_map_single(dev, buf, T_SMALL, map_dir);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	if (for_cpu)
		dma_sync_single_for_cpu(dev, a, T_SMALL, sync_dir);
	else
		dma_sync_single_for_device(dev, a, T_SMALL, sync_dir);
	EXPECT_REPORTS(t, b, reports, text);
	dma_unmap_single(dev, a, T_SMALL, map_dir);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

static void sync_wrong_direction(struct ktest *t)
{
	t_sync_misuse(t, DMA_FROM_DEVICE, true, DMA_TO_DEVICE, 1,
		      "syncs DMA memory with a different direction [synced with DMA_TO_DEVICE]");
}

/* A TO_DEVICE buffer synced for the CPU as if the device had written it. */
static void sync_for_cpu_device_read_only(struct ktest *t)
{
	t_sync_misuse(t, DMA_TO_DEVICE, true, DMA_FROM_DEVICE, 2,
		      "syncs for the CPU memory the device only reads "
		      "[synced with DMA_FROM_DEVICE]");
}

/* A FROM_DEVICE buffer synced for the device as if it had data to read. */
static void sync_for_device_device_write_only(struct ktest *t)
{
	t_sync_misuse(t, DMA_FROM_DEVICE, false, DMA_TO_DEVICE, 2,
		      "syncs for the device memory the device only writes "
		      "[synced with DMA_TO_DEVICE]");
}

static void sync_sg_wrong_nents(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	struct scatterlist sg[2];

	KT_ASSERT_NOT_NULL(t, buf);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, T_PIECE);
	sg_set_buf(&sg[1], buf + T_PIECE, T_PIECE);
	KT_ASSERT_EQ(t, dma_map_sg(dev, sg, 1, DMA_FROM_DEVICE), 1);
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_FROM_DEVICE);
	EXPECT_REPORTS(t, b, 1, "syncs a scatterlist with a different entry count "
		       "[mapped nents=1] [synced nents=2]");
	dma_unmap_sg(dev, sg, 1, DMA_FROM_DEVICE);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* ---- memory no device should be lent ---- */

static void map_from_stack(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char on_stack[64];
	dma_addr_t a;

	memset(on_stack, 0, sizeof(on_stack));
	a = dma_map_single(dev, on_stack, sizeof(on_stack), DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver maps memory from a kernel stack");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "mapped at map_from_stack+0x");
	dma_unmap_single(dev, a, sizeof(on_stack), DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/*
 * A stack page handed over as a page, not a pointer: dma_map_page gives the
 * checker only a physical address, and it is caught all the same. The
 * stacks live in the kernel image, whose frames the allocator does not
 * manage (virt_to_page() says NULL), so the page is taken by frame number.
 */
static void map_page_from_stack(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char on_stack[64];
	uint64_t phys = virt_to_phys(on_stack);
	struct page *pg = pfn_to_page(PFN_DOWN(phys));
	dma_addr_t a;

	KT_ASSERT_NOT_NULL(t, pg);
	memset(on_stack, 0, sizeof(on_stack));
	a = dma_map_page(dev, pg, phys & ~PAGE_MASK, sizeof(on_stack), DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver maps memory from a kernel stack");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as page] mapped at "
			 "map_page_from_stack+0x");
	dma_unmap_page(dev, a, sizeof(on_stack), DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

static const char t_rodata[64] = "read-only data: a device must never be given it";

/* Kernel code and read-only data (TO_DEVICE only: a bounce must not write them). */
static void map_kernel_text_and_rodata(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	void *code = (void *)(uintptr_t)&map_kernel_text_and_rodata;
	dma_addr_t a;

	a = dma_map_single(dev, code, 64, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 1, "device driver maps kernel code or read-only data");
	dma_unmap_single(dev, a, 64, DMA_TO_DEVICE);
	a = dma_map_single(dev, (void *)t_rodata, sizeof(t_rodata), DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 2, "device driver maps kernel code or read-only data");
	dma_unmap_single(dev, a, sizeof(t_rodata), DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 2);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* The lowest firmware-owned (non-RAM) region the direct map reaches, or NULL. */
static const struct memmap_region *t_firmware_region(void)
{
	const struct memmap_region *r;

	for (uint32_t i = 0; (r = memmap_get(i)) != NULL; i++) {
		bool ram = r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_LOADER ||
			   r->type >= MEMMAP_LOW_MEMORY;
		if (!ram && r->end - r->base >= T_SMALL && r->end <= paging_direct_map_end() &&
		    r->end <= DMA32_LIMIT + 1)
			return r;
	}
	return NULL;
}

/* Firmware memory is in the direct map, so mapping.c takes it; the ledger does not. */
static void map_not_ram(struct ktest *t)
{
	const struct memmap_region *r = t_firmware_region();
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	dma_addr_t a;

	if (!r)
		KT_SKIP(t, "no firmware region below 4 GiB in the memory map");
	a = dma_map_single(dev, phys_to_virt(r->base), T_SMALL, DMA_TO_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 1, "device driver maps memory that is not RAM");
	dma_unmap_single(dev, a, T_SMALL, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Addresses outside the direct map and the image: refused by mapping.c, reported. */
static void map_invalid_area(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	dma_addr_t a = dma_map_single(dev, (void *)(uintptr_t)PAGE_SIZE, 64, DMA_TO_DEVICE);

	KT_EXPECT_UEQ(t, a, DMA_MAPPING_ERROR);
	KT_EXPECT_NE(t, dma_mapping_error(dev, a), 0);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "dma_map_single of ");
	EXPECT_LEDGER_RESTORED(t, b);
}

/* ---- scatterlist segments against the device's limits ---- */

/* A one-segment list handed to the ledger as a merging backend would map it. */
static __attribute__((noinline)) int t_hand_segment(struct device *dev, struct scatterlist *sg,
						    void *buf, unsigned len)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, len);
	sg->dma_address = virt_to_phys(buf);
	sg->dma_length = len;
	debug_dma_map_sg(dev, sg, 1, 1, DMA_TO_DEVICE, __builtin_return_address(0));
	return 0;
}

/*
 * A list whose one mapped segment is @len bytes at @buf: through the API if
 * the backend accepts it (returns 1), else by hand (returns 0). The direct
 * backend refuses segments that break the device's limits itself.
 */
static int t_map_segment(struct device *dev, struct scatterlist *sg, void *buf, unsigned len)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, len);
	if (dma_map_sg(dev, sg, 1, DMA_TO_DEVICE) == 1)
		return 1;
	return t_hand_segment(dev, sg, buf, len);
}

/* Undo t_map_segment the way it was done. */
static void t_unmap_segment(struct device *dev, struct scatterlist *sg, int through_api)
{
	if (through_api)
		dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
	else
		debug_dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE, NULL);
}

static bool t_crosses(const struct scatterlist *sg, uint64_t mask)
{
	return ((sg->dma_address ^ (sg->dma_address + sg->dma_length - 1)) & ~mask) != 0;
}

static void sg_segment_too_long(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	struct scatterlist sg[1];
	int api;

	KT_ASSERT_NOT_NULL(t, buf);
	dma_set_max_seg_size(dev, T_SEG_LIMIT);
	api = t_map_segment(dev, sg, buf, 2 * T_SEG_LIMIT);
	EXPECT_REPORTS(t, b, 1, "maps a scatterlist segment longer than the device accepts "
		       "[len=8192] [max=4096]");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[mapped as scatter-gather] mapped at ");
	t_unmap_segment(dev, sg, api);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* A bounce may land the segment inside one line: then hand the ledger the crossing one. */
static void sg_segment_crosses_boundary(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);   /* page-aligned */
	unsigned char *piece = buf + PAGE_SIZE - T_SMALL / 2;
	struct scatterlist sg[1];
	int api;

	KT_ASSERT_NOT_NULL(t, buf);
	dma_set_seg_boundary(dev, T_BOUNDARY);
	api = t_map_segment(dev, sg, piece, T_SMALL);
	if (api && !t_crosses(sg, T_BOUNDARY)) {
		EXPECT_NO_REPORT(t, b, 0);
		dma_unmap_sg(dev, sg, 1, DMA_TO_DEVICE);
		api = t_hand_segment(dev, sg, piece, T_SMALL);
	}
	EXPECT_REPORTS(t, b, 1, "maps a scatterlist segment across the device's boundary");
	KT_EXPECT_SUBSTR(t, dma_debug_last_report(), "[boundary mask=0x0000000000000fff]");
	t_unmap_segment(dev, sg, api);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* ---- leaks and the ledger's queries ---- */

/* What the PCI layer does when a driver goes: every leftover is reported. */
static void leaks_reported_per_device(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t a1, a2, c;
	void *cpu;

	KT_ASSERT_NOT_NULL(t, buf);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(dev), 0);
	a1 = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
	a2 = dma_map_single(dev, buf + T_SMALL, T_SMALL, DMA_FROM_DEVICE);
	KT_ASSERT_EQ(t, dma_mapping_error(dev, a1) | dma_mapping_error(dev, a2), 0);
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, cpu);
	KT_EXPECT_EQ(t, dma_debug_entry_count(dev), 3);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(dev), 3);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "device driver leaves DMA mappings or allocations "
		       "behind [count=3]");
	dma_debug_dump(dev);
	dma_unmap_single(dev, a1, T_SMALL, DMA_TO_DEVICE);
	dma_unmap_single(dev, a2, T_SMALL, DMA_FROM_DEVICE);
	dma_free_coherent(dev, PAGE_SIZE, cpu, c);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(dev), 0);
	kfree(buf);
	EXPECT_NO_REPORT(t, b, 1);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Free bounce slots now, 0 when nothing bounces. */
static unsigned long t_swiotlb_free(void)
{
	struct swiotlb_stats st;

	swiotlb_get_stats(&st);
	return st.nslots - st.used;
}

/*
 * The ledger grows past what it holds now (the preallocated entries, or
 * more if an earlier case grew it): every mapping is still recorded and
 * checked, the unmaps all find theirs, and checking stays on. One buffer
 * mapped again and again, unmapped newest first: each lookup is O(1).
 */
static void ledger_grows_on_demand(struct ktest *t)
{
	struct t_base b = t_begin();
	struct device *dev = t_dev();
	unsigned long cap = dma_debug_capacity(), n = dma_debug_free_entries() + T_GROW_EXTRA;
	unsigned char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_addr_t *addr = kmalloc(n * sizeof(*addr), GFP_KERNEL);
	unsigned long i, mapped = 0;

	KT_ASSERT_NOT_NULL(t, buf);
	KT_ASSERT_NOT_NULL(t, addr);
	if (swiotlb_force_bounce() && t_swiotlb_free() < n) {
		kfree(addr);
		kfree(buf);
		KT_SKIP(t, "the bounce pool has fewer than %lu free slots", n);
	}
	for (i = 0; i < n; i++) {
		addr[i] = dma_map_single(dev, buf, T_SMALL, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, addr[i]))
			break;
		mapped++;
	}
	KT_EXPECT_UEQ(t, mapped, n);
	KT_EXPECT_TRUE(t, dma_debug_enabled());
	KT_EXPECT_TRUE(t, dma_debug_capacity() > cap);
	KT_EXPECT_UEQ(t, dma_debug_entry_count(dev), mapped);
	while (mapped-- > 0)
		dma_unmap_single(dev, addr[mapped], T_SMALL, DMA_TO_DEVICE);
	EXPECT_NO_REPORT(t, b, 0);
	kfree(addr);
	kfree(buf);
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Pool misuse and refused calls come through dma_debug_report: counted alike. */
static void outside_reports_counted(struct ktest *t)
{
	struct t_base b = t_misuse(t);
	struct device *dev = t_dev();

	dma_debug_report(dev, "a test report [n=%d]", 7);
	EXPECT_REPORTS(t, b, 1, T_PREFIX "a test report [n=7]");
	KT_EXPECT_STREQ(t, dma_debug_last_report(), T_PREFIX "a test report [n=7]");
	EXPECT_LEDGER_RESTORED(t, b);
}

/* Last: nothing of this suite is left in the ledger. */
static void ledger_left_clean(struct ktest *t)
{
	KT_EXPECT_TRUE(t, dma_debug_enabled());
	KT_EXPECT_UEQ(t, dma_debug_entry_count(&t_device), 0);
	KT_EXPECT_EQ(t, dma_debug_check_leaks(&t_device), 0);
}

KTEST_SUITE_EXT(dma_debug, 0, dma_debug_skip,
	KTEST_CASE(correct_streaming_is_silent),
	KTEST_CASE(correct_sg_and_coherent_is_silent), KTEST_CASE(unmap_never_mapped),
	KTEST_CASE(double_unmap), KTEST_CASE(double_unmap_after_reuse),
	KTEST_CASE(unmap_wrong_size),
	KTEST_CASE(unmap_wrong_direction), KTEST_CASE(unmap_wrong_function),
	KTEST_CASE(free_coherent_wrong_cpu), KTEST_CASE(free_coherent_mapping_error),
	KTEST_CASE(free_coherent_wrong_size), KTEST_CASE(sg_nents_past_the_list),
	KTEST_CASE(unmap_sg_wrong_nents),
	KTEST_CASE(missing_map_error_check), KTEST_CASE(sync_not_mapped),
	KTEST_CASE(sync_beyond_end), KTEST_CASE(sync_wrong_direction),
	KTEST_CASE(sync_for_cpu_device_read_only),
	KTEST_CASE(sync_for_device_device_write_only), KTEST_CASE(sync_sg_wrong_nents),
	KTEST_CASE(map_from_stack), KTEST_CASE(map_page_from_stack),
	KTEST_CASE(map_kernel_text_and_rodata),
	KTEST_CASE(map_not_ram), KTEST_CASE(map_invalid_area),
	KTEST_CASE(sg_segment_too_long), KTEST_CASE(sg_segment_crosses_boundary),
	KTEST_CASE(leaks_reported_per_device), KTEST_CASE(ledger_grows_on_demand),
	KTEST_CASE(outside_reports_counted),
	KTEST_CASE(ledger_left_clean));
