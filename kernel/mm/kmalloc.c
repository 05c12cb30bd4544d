/*
 * kmalloc.c - small allocations carved from pages, one slab list per size class.
 *
 * A request is rounded up to the smallest size class that holds it. Each
 * class cuts slabs into objects of its size; a slab is a block of 2^order
 * pages from the page allocator, with its bookkeeping in a header at the
 * very end:
 *
 *   slab of class 64, order 0:
 *   +--------+--------+-- ... --+---------+------------------------------+
 *   | obj 0  | obj 1  |         | obj 62  | header: magic, list links,   |
 *   |        |        |         |         | class, in-use count, bitmap  |
 *   +--------+--------+-- ... --+---------+------------------------------+
 *   0        64       128       3968      4032                        4096
 *
 * Objects start at offset 0 of a naturally aligned block, so an object of
 * a power-of-two class is aligned to its own size. The header's bitmap has
 * one bit per object, set while the object is allocated: allocation takes
 * the first clear bit (a scan of at most four 64-bit words), and kfree()
 * clears it. A double free is therefore always seen (the bit is already
 * clear), and no pointer is ever stored inside a free object, so a write
 * to freed memory cannot corrupt the allocator. Bits past the slab's last
 * object are set once, when the slab is made, so they are never taken.
 * The header's magic comes first: running off the end of the last object
 * lands on it, and kfree() notices.
 *
 * Each class keeps a doubly linked list of its slabs that have a free
 * object. A full slab is on no list; a slab whose last object is freed
 * goes straight back to the page allocator. So kmalloc and kfree are O(1).
 *
 * kfree() must find a pointer's slab without trusting the pointer. Every
 * page of a slab records, in its struct page, owner PAGE_OWNER_SLAB and its
 * class (page->private). From any address, virt_to_page() gives the page;
 * the class gives the slab's order, and since buddy blocks are aligned to
 * their size, the slab starts at the page's frame number rounded down to
 * that order. A pointer whose page kmalloc does not own, that is not at
 * the start of an object, or whose object is not allocated is reported
 * and ignored.
 *
 * Requests above the largest class get 2^order whole pages; the block's
 * first page is marked PAGE_OWNER_KMALLOC, and the page allocator
 * remembers the order.
 */
#define LOG_PREFIX "mm"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page_alloc_internal.h"
#ifdef KTEST_HOST
#include <string.h>
#else
#include "kernel/string.h"
#endif

#define KMALLOC_SLAB_MAGIC    0x62616c73636f6c6bULL  /* "klocslab" */
#define KMALLOC_MAX_OBJECTS   256                   /* per slab: the bitmap's size */
#define BITS_PER_WORD         64
#define KMALLOC_BITMAP_WORDS  (KMALLOC_MAX_OBJECTS / BITS_PER_WORD)
#define KMALLOC_NO_OBJECT     UINT32_MAX
#define KMALLOC_WASTE_SHIFT   3   /* a slab may waste at most 1/8 of itself */
#define KMALLOC_MAX_SLAB_ORDER 3  /* no class needs a slab above 32 KiB */
#define KMALLOC_KIB_SHIFT     10

/* The bookkeeping at the end of every slab. */
struct kmalloc_slab {
	uint64_t magic;                       /* KMALLOC_SLAB_MAGIC, next to the last object */
	struct kmalloc_slab *next;            /* the class's list of slabs with a free object */
	struct kmalloc_slab *prev;
	uint16_t class;                       /* index into kmalloc.classes[] */
	uint16_t in_use;                      /* objects allocated */
	uint32_t unused;
	uint64_t used[KMALLOC_BITMAP_WORDS];  /* bit i set: object i is allocated */
};

/* One size class and its slabs. */
struct kmalloc_class {
	uint32_t size;                  /* object size in bytes */
	uint8_t order;                  /* each slab is 2^order pages */
	uint16_t capacity;              /* objects per slab */
	struct kmalloc_slab *partial;   /* slabs with at least one free object */
	uint64_t objects;               /* objects allocated */
	uint64_t slabs;                 /* slabs in existence */
};

/* What kfree() and ksize() learn about a pointer before they trust it. */
struct kmalloc_ref {
	struct kmalloc_slab *slab;  /* the object's slab, or NULL for a page block */
	struct page *page;          /* a page block's first frame */
	uint32_t index;             /* the object's number in its slab */
	size_t size;                /* bytes the caller may use */
};

static const uint32_t kmalloc_sizes[] = {
	16, 32, 64, 96, 128, 192, 256, 512, 1024, KMALLOC_MAX_SLAB_SIZE,
};

#define KMALLOC_NR_CLASSES (sizeof(kmalloc_sizes) / sizeof(kmalloc_sizes[0]))

/* All of kmalloc's state. */
static struct kmalloc_state {
	struct kmalloc_class classes[KMALLOC_NR_CLASSES]; /* smallest first */
	bool ready;                     /* kmalloc_init() ran */
	uint64_t large;                 /* page-block allocations live */
	uint64_t large_pages;           /* pages they hold */
	uint64_t bad_frees;             /* kfree() calls refused */
} km;

/* ---- slabs ---- */

/* Bytes in a slab of @cls. */
static size_t kmalloc_slab_bytes(const struct kmalloc_class *cls)
{
	return (size_t)PAGE_SIZE << cls->order;
}

/* The header of the slab starting at @base. */
static struct kmalloc_slab *kmalloc_header(uintptr_t base, const struct kmalloc_class *cls)
{
	return (struct kmalloc_slab *)(base + kmalloc_slab_bytes(cls) -
				       sizeof(struct kmalloc_slab));
}

/* Where the objects of @slab begin: the start of its page block. */
static uintptr_t kmalloc_slab_base(const struct kmalloc_slab *slab,
				   const struct kmalloc_class *cls)
{
	return (uintptr_t)slab + sizeof(struct kmalloc_slab) - kmalloc_slab_bytes(cls);
}

/* Put @slab at the front of its class's partial list. */
static void kmalloc_partial_push(struct kmalloc_class *cls, struct kmalloc_slab *slab)
{
	slab->prev = NULL;
	slab->next = cls->partial;
	if (cls->partial)
		cls->partial->prev = slab;
	cls->partial = slab;
}

/* Take @slab off its class's partial list. */
static void kmalloc_partial_unlink(struct kmalloc_class *cls, struct kmalloc_slab *slab)
{
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		cls->partial = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	slab->next = NULL;
	slab->prev = NULL;
}

/* Mark (or unmark) every page of a block as kmalloc's, so kfree can find it. */
static void kmalloc_own(struct page *head, unsigned int order, enum page_owner owner,
			uint32_t class)
{
	uint64_t pfn = page_to_pfn(head), i;

	for (i = 0; i < (1ULL << order); i++) {
		pfn_to_page(pfn + i)->owner = (uint8_t)owner;
		pfn_to_page(pfn + i)->private = class;
	}
}

/* A fresh slab for @cls, on its partial list; NULL if no pages are left. */
static struct kmalloc_slab *kmalloc_slab_new(struct kmalloc_class *cls, gfp_t gfp)
{
	struct page *page = alloc_pages(gfp & __GFP_NOWARN, cls->order);
	struct kmalloc_slab *slab;
	uint32_t i;

	if (!page)
		return NULL;
	kmalloc_own(page, cls->order, PAGE_OWNER_SLAB, (uint32_t)(cls - km.classes));
	slab = kmalloc_header((uintptr_t)page_address(page), cls);
	*slab = (struct kmalloc_slab){ .magic = KMALLOC_SLAB_MAGIC,
				       .class = (uint16_t)(cls - km.classes) };
	for (i = cls->capacity; i < KMALLOC_MAX_OBJECTS; i++)
		slab->used[i / BITS_PER_WORD] |= 1ULL << (i % BITS_PER_WORD);
	kmalloc_partial_push(cls, slab);
	cls->slabs++;
	return slab;
}

/* Give an empty slab's pages back; its magic goes first, so stale pointers fail. */
static void kmalloc_slab_free(struct kmalloc_class *cls, struct kmalloc_slab *slab)
{
	struct page *page = virt_to_page((const void *)kmalloc_slab_base(slab, cls));

	kmalloc_partial_unlink(cls, slab);
	slab->magic = 0;
	kmalloc_own(page, cls->order, PAGE_OWNER_NONE, 0);
	__free_pages(page, cls->order);
	cls->slabs--;
}

/* The first free object of @slab; bits past the last object are always set. */
static uint32_t kmalloc_first_free(const struct kmalloc_slab *slab)
{
	uint32_t w;

	for (w = 0; w < KMALLOC_BITMAP_WORDS; w++)
		if (~slab->used[w])
			return w * BITS_PER_WORD + (uint32_t)__builtin_ctzll(~slab->used[w]);
	return KMALLOC_NO_OBJECT;
}

/* ---- allocation ---- */

/* The smallest class that holds @size bytes, or NULL if none does. */
static struct kmalloc_class *kmalloc_class_for(size_t size)
{
	unsigned int i;

	for (i = 0; i < KMALLOC_NR_CLASSES; i++)
		if (size <= km.classes[i].size)
			return &km.classes[i];
	return NULL;
}

/* One object of @cls: from a partial slab, or a new slab if none has room. */
static void *kmalloc_object(struct kmalloc_class *cls, gfp_t gfp)
{
	struct kmalloc_slab *slab = cls->partial ? cls->partial : kmalloc_slab_new(cls, gfp);
	uint32_t index;

	if (!slab)
		return NULL;
	index = kmalloc_first_free(slab);
	slab->used[index / BITS_PER_WORD] |= 1ULL << (index % BITS_PER_WORD);
	if (++slab->in_use == cls->capacity)
		kmalloc_partial_unlink(cls, slab);
	cls->objects++;
	return (void *)(kmalloc_slab_base(slab, cls) + (uintptr_t)index * cls->size);
}

/* A request too big for any class: a block of whole pages. */
static void *kmalloc_pages(size_t size, gfp_t gfp)
{
	unsigned int order = 0;
	struct page *page;

	while (order < MAX_ORDER && ((size_t)PAGE_SIZE << order) < size)
		order++;
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	kmalloc_own(page, 0, PAGE_OWNER_KMALLOC, 0);
	km.large++;
	km.large_pages += 1ULL << order;
	return page_address(page);
}

/* Why kmalloc cannot serve @gfp at all, or NULL if it can. */
static const char *kmalloc_refusal(gfp_t gfp)
{
	if (!km.ready)
		return "called before kmalloc_init()";
	if (gfp & __GFP_DMA32)
		return "zone flags are not supported; use alloc_pages() or the DMA API";
	return NULL;
}

/* Check the request, then a class object or a page block. */
void *kmalloc(size_t size, gfp_t gfp)
{
	struct kmalloc_class *cls;
	void *p;

	if (kmalloc_refusal(gfp)) {
		pr_err("kmalloc(%zu): %s", size, kmalloc_refusal(gfp));
		return NULL;
	}
	if (size == 0)
		return NULL;
	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc(%zu): larger than the largest block (%llu bytes)",
				size, (unsigned long long)KMALLOC_MAX_SIZE);
		return NULL;
	}
	cls = kmalloc_class_for(size);
	if (!cls)
		return kmalloc_pages(size, gfp);
	p = kmalloc_object(cls, gfp);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, cls->size);
	return p;
}

/* Zeroing is kmalloc's job (it knows the real size), so this only adds the flag. */
void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

/* ---- free ---- */

/* Check that @ptr is an allocated object of the slab page @page. */
static const char *kmalloc_find_object(const void *ptr, struct page *page,
				       struct kmalloc_ref *ref)
{
	struct kmalloc_class *cls;
	uint64_t head_pfn;
	uintptr_t base, offset;

	if (page->private >= KMALLOC_NR_CLASSES)
		return "slab page with an impossible class: memory corrupted";
	cls = &km.classes[page->private];
	head_pfn = page_to_pfn(page) & ~((1ULL << cls->order) - 1);
	base = (uintptr_t)page_address(pfn_to_page(head_pfn));
	ref->slab = kmalloc_header(base, cls);
	if (ref->slab->magic != KMALLOC_SLAB_MAGIC)
		return "slab header overwritten (an overrun of its last object?)";
	offset = (uintptr_t)ptr - base;
	if (offset % cls->size || offset / cls->size >= cls->capacity)
		return "not the start of an object";
	ref->index = (uint32_t)(offset / cls->size);
	ref->size = cls->size;
	if (!(ref->slab->used[ref->index / BITS_PER_WORD] & (1ULL << (ref->index % BITS_PER_WORD))))
		return "the object is not allocated (double free?)";
	return NULL;
}

/* Check that @ptr starts a page block kmalloc handed out. */
static const char *kmalloc_find_pages(const void *ptr, struct page *page,
				      struct kmalloc_ref *ref)
{
	if (page_address(page) != ptr)
		return "not the start of the allocation";
	ref->slab = NULL;
	ref->page = page;
	ref->size = (size_t)PAGE_SIZE << page->order;
	return NULL;
}

/* What @ptr is, or why kmalloc does not own it. */
static const char *kmalloc_lookup(const void *ptr, struct kmalloc_ref *ref)
{
	struct page *page = virt_to_page(ptr);

	if (!page)
		return "not in memory kmalloc manages";
	switch (page->owner) {
	case PAGE_OWNER_SLAB:
		return kmalloc_find_object(ptr, page, ref);
	case PAGE_OWNER_KMALLOC:
		return kmalloc_find_pages(ptr, page, ref);
	default:
		return "not from kmalloc (or already freed)";
	}
}

/* Return object @ref->index to its slab; an emptied slab goes back to the pages. */
static void kmalloc_put_object(const struct kmalloc_ref *ref)
{
	struct kmalloc_slab *slab = ref->slab;
	struct kmalloc_class *cls = &km.classes[slab->class];

	slab->used[ref->index / BITS_PER_WORD] &= ~(1ULL << (ref->index % BITS_PER_WORD));
	if (slab->in_use-- == cls->capacity)
		kmalloc_partial_push(cls, slab);
	cls->objects--;
	if (slab->in_use == 0)
		kmalloc_slab_free(cls, slab);
}

/* Trust nothing about @ptr until kmalloc_lookup() has vouched for it. */
void kfree(const void *ptr)
{
	struct kmalloc_ref ref;
	const char *problem;

	if (!ptr)
		return;
	problem = kmalloc_lookup(ptr, &ref);
	if (problem) {
		km.bad_frees++;
		pr_err("kfree(%p): %s", ptr, problem);
		return;
	}
	if (ref.slab) {
		kmalloc_put_object(&ref);
		return;
	}
	km.large--;
	km.large_pages -= 1ULL << ref.page->order;
	kmalloc_own(ref.page, 0, PAGE_OWNER_NONE, 0);
	__free_pages(ref.page, ref.page->order);
}

/* The same checks as kfree, so a wrong pointer is reported rather than believed. */
size_t ksize(const void *ptr)
{
	struct kmalloc_ref ref;
	const char *problem;

	if (!ptr)
		return 0;
	problem = kmalloc_lookup(ptr, &ref);
	if (problem) {
		pr_err("ksize(%p): %s", ptr, problem);
		return 0;
	}
	return ref.size;
}

/* ---- setup and statistics ---- */

/* Choose the smallest slab order that wastes at most 1/8 of the slab. */
static void kmalloc_class_setup(struct kmalloc_class *cls, uint32_t size)
{
	size_t bytes, fit;

	*cls = (struct kmalloc_class){ .size = size };
	for (cls->order = 0; cls->order < KMALLOC_MAX_SLAB_ORDER; cls->order++) {
		bytes = kmalloc_slab_bytes(cls);
		fit = (bytes - sizeof(struct kmalloc_slab)) / size;
		if (bytes - fit * size <= bytes >> KMALLOC_WASTE_SHIFT)
			break;
	}
	bytes = kmalloc_slab_bytes(cls);
	fit = (bytes - sizeof(struct kmalloc_slab)) / size;
	cls->capacity = (uint16_t)(fit < KMALLOC_MAX_OBJECTS ? fit : KMALLOC_MAX_OBJECTS);
}

/* Compute each class's geometry once; say what the classes are. */
void kmalloc_init(void)
{
	unsigned int i;

	km = (struct kmalloc_state){ 0 };
	for (i = 0; i < KMALLOC_NR_CLASSES; i++) {
		kmalloc_class_setup(&km.classes[i], kmalloc_sizes[i]);
		pr_debug("kmalloc-%u: %u objects per %llu KiB slab", km.classes[i].size,
			 km.classes[i].capacity, (unsigned long long)
			 (kmalloc_slab_bytes(&km.classes[i]) >> KMALLOC_KIB_SHIFT));
	}
	km.ready = true;
	pr_info("kmalloc: %u size classes from %u to %u bytes; larger requests get whole pages",
		(unsigned int)KMALLOC_NR_CLASSES, kmalloc_sizes[0], KMALLOC_MAX_SLAB_SIZE);
}

/* Tests check that each provoked mistake was seen exactly once. */
uint64_t kmalloc_bad_frees(void)
{
	return km.bad_frees;
}

/* Lets tests walk every class without knowing the table. */
size_t kmalloc_class_size(unsigned int index)
{
	return index < KMALLOC_NR_CLASSES ? kmalloc_sizes[index] : 0;
}

/* Totals over all classes: what kmalloc holds from the page allocator. */
void kmalloc_get_stats(struct kmalloc_stats *out)
{
	unsigned int i;

	*out = (struct kmalloc_stats){ 0 };
	for (i = 0; i < KMALLOC_NR_CLASSES; i++) {
		out->objects += km.classes[i].objects;
		out->slabs += km.classes[i].slabs;
		out->slab_pages += km.classes[i].slabs << km.classes[i].order;
	}
	out->large = km.large;
	out->large_pages = km.large_pages;
}
