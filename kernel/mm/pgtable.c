/*
 * pgtable.c - build, walk and trim x86-64 page tables through struct pt_ops.
 *
 * Invariants the code keeps:
 *   - a non-leaf entry always points at a table page obtained from
 *     ops->alloc_table, present and writable (permissions are decided at
 *     the leaf; upper levels never restrict);
 *   - a leaf is a 4 KiB PTE, or a PS entry in a PD (2 MiB) or PDPT (1 GiB);
 *   - pt_map never replaces a present entry: overlapping maps are refused,
 *     so nobody silently loses a mapping.
 * Table pages are never freed: the kernel's tables only grow, except for
 * 4 KiB leaves cleared by pt_unmap (ioremap's area). A large page is split
 * into a table of smaller ones (pt_set_cache) only when part of it must
 * change; the split keeps every attribute, so it changes no translation.
 */
#include <stddef.h>
#include "kernel/mm/pgtable.h"
#include "kernel/errno.h"

#define PT_INDEX_BITS   9
#define PT_LEVEL_SHIFT(level) (12 + PT_INDEX_BITS * ((level) - 1))  /* level 1 = PT */
#define PT_INDEX(va, level)   (((va) >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))
#define PT_TABLE_FLAGS  (PTE_PRESENT | PTE_WRITE)
#define VA_CANONICAL_BITS 48

/* Bytes one entry at @level maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static uint64_t pt_level_size(int level)
{
	return 1ULL << PT_LEVEL_SHIFT(level);
}

/* Bits 63..47 all equal: the address is canonical. */
static bool pt_canonical(uint64_t va)
{
	int64_t top = (int64_t)va >> (VA_CANONICAL_BITS - 1);

	return top == 0 || top == -1;
}

/* (PAT, PCD, PWT) index of each memory type in the kernel's PAT layout. */
static const uint8_t pt_cache_index[] = {
	[PAGE_CACHE_WB] = 0, [PAGE_CACHE_WC] = 1, [PAGE_CACHE_UC_MINUS] = 2,
	[PAGE_CACHE_UC] = 3, [PAGE_CACHE_WP] = 5, [PAGE_CACHE_WT] = 7,
};

/* The reverse: index -> type, following PAT_MSR_VALUE. */
static const enum page_cache pt_index_cache[8] = {
	PAGE_CACHE_WB, PAGE_CACHE_WC, PAGE_CACHE_UC_MINUS, PAGE_CACHE_UC,
	PAGE_CACHE_WB, PAGE_CACHE_WP, PAGE_CACHE_UC_MINUS, PAGE_CACHE_WT,
};

/* Leaf bits for a page of @size: presence, permissions, memory type. */
static uint64_t pt_leaf_bits(const struct page_table *pt, uint64_t size, unsigned flags,
			     enum page_cache cache)
{
	unsigned idx = pt_cache_index[cache];
	uint64_t pat = size == PT_SIZE_4K ? PTE_PAT_4K : PTE_PAT_LARGE;
	uint64_t bits = PTE_PRESENT;

	if (size != PT_SIZE_4K)
		bits |= PTE_HUGE;
	if (flags & PT_MAP_WRITE)
		bits |= PTE_WRITE;
	if (!(flags & PT_MAP_EXEC) && pt->use_nx)
		bits |= PTE_NX;
	if (flags & PT_MAP_GLOBAL)
		bits |= PTE_GLOBAL;
	if (idx & 1)
		bits |= PTE_PWT;
	if (idx & 2)
		bits |= PTE_PCD;
	if (idx & 4)
		bits |= pat;
	return bits;
}

enum page_cache pt_entry_cache(uint64_t pte, uint64_t page_size)
{
	uint64_t pat = page_size == PT_SIZE_4K ? PTE_PAT_4K : PTE_PAT_LARGE;
	unsigned idx = (pte & PTE_PWT ? 1 : 0) | (pte & PTE_PCD ? 2 : 0) | (pte & pat ? 4 : 0);

	return pt_index_cache[idx];
}

uint64_t pt_entry_phys(uint64_t pte, uint64_t page_size, uint64_t virt)
{
	/* In a large entry, bit 12 is the PAT bit, not an address bit. */
	uint64_t base = pte & PTE_ADDR_MASK & ~(page_size - 1);

	return base + (virt & (page_size - 1));
}

int pt_init(struct page_table *pt, const struct pt_ops *ops, bool allow_1g, bool use_nx)
{
	pt->ops = ops;
	pt->allow_1g = allow_1g;
	pt->use_nx = use_nx;
	pt->root = ops->alloc_table(ops->ctx);
	return pt->root ? 0 : -ENOMEM;
}

/* The table the entry at @level for @va points to, allocating it if absent.
 * NULL if allocation fails or a large page is in the way. */
static uint64_t *pt_next_table(struct page_table *pt, uint64_t *table, uint64_t va,
			       int level, int *err)
{
	uint64_t *e = &table[PT_INDEX(va, level)];

	if (!(*e & PTE_PRESENT)) {
		uint64_t phys = pt->ops->alloc_table(pt->ops->ctx);
		if (!phys) {
			*err = -ENOMEM;
			return NULL;
		}
		*e = phys | PT_TABLE_FLAGS;
	} else if (*e & PTE_HUGE) {
		*err = -EINVAL;   /* overlaps an existing large page */
		return NULL;
	}
	return pt->ops->table_virt(pt->ops->ctx, *e & PTE_ADDR_MASK);
}

/* Largest page that fits at (va, pa) with @left bytes to go. */
static int pt_pick_level(const struct page_table *pt, uint64_t va, uint64_t pa,
			 uint64_t left, unsigned flags)
{
	for (int level = pt->allow_1g ? 3 : 2; level > 1; level--) {
		uint64_t sz = pt_level_size(level);
		if (!(flags & PT_MAP_4K_ONLY) && !(va & (sz - 1)) &&
		    !(pa & (sz - 1)) && left >= sz)
			return level;
	}
	return 1;
}

/* Map one page of the size @leaf_level gives. */
static int pt_map_one(struct page_table *pt, uint64_t va, uint64_t pa, int leaf_level,
		      unsigned flags, enum page_cache cache)
{
	uint64_t *table = pt->ops->table_virt(pt->ops->ctx, pt->root);
	uint64_t *e;
	int err = 0;

	for (int level = PT_LEVELS; level > leaf_level; level--) {
		table = pt_next_table(pt, table, va, level, &err);
		if (!table)
			return err;
	}
	e = &table[PT_INDEX(va, leaf_level)];
	if (*e & PTE_PRESENT)
		return -EINVAL;   /* never replace a mapping silently */
	*e = pa | pt_leaf_bits(pt, pt_level_size(leaf_level), flags, cache);
	return 0;
}

int pt_map(struct page_table *pt, uint64_t virt, uint64_t phys, uint64_t size,
	   unsigned flags, enum page_cache cache)
{
	if (!size || (virt | phys | size) & (PT_SIZE_4K - 1) || !pt_canonical(virt) ||
	    virt + size - 1 < virt || !pt_canonical(virt + size - 1) ||
	    (phys + size - 1) & ~PTE_ADDR_MASK & ~(PT_SIZE_4K - 1) ||
	    (unsigned)cache >= sizeof(pt_cache_index))
		return -EINVAL;
	while (size) {
		int level = pt_pick_level(pt, virt, phys, size, flags);
		uint64_t step = pt_level_size(level);
		int err = pt_map_one(pt, virt, phys, level, flags, cache);
		if (err)
			return err;
		virt += step;
		phys += step;
		size -= step;
	}
	return 0;
}

/* Walk to the leaf for @va; *level gets its level (1..3), NULL if unmapped. */
static uint64_t *pt_walk(const struct page_table *pt, uint64_t va, int *level)
{
	uint64_t *table = pt->ops->table_virt(pt->ops->ctx, pt->root);

	for (int l = PT_LEVELS; l >= 1; l--) {
		uint64_t *e = &table[PT_INDEX(va, l)];
		if (!(*e & PTE_PRESENT))
			return NULL;
		if (l == 1 || (l <= 3 && (*e & PTE_HUGE))) {
			*level = l;
			return e;
		}
		table = pt->ops->table_virt(pt->ops->ctx, *e & PTE_ADDR_MASK);
	}
	return NULL;
}

bool pt_lookup(const struct page_table *pt, uint64_t virt, uint64_t *pte,
	       uint64_t *page_size)
{
	int level = 0;
	uint64_t *e;

	if (!pt_canonical(virt))
		return false;
	e = pt_walk(pt, virt, &level);
	if (!e)
		return false;
	*pte = *e;
	*page_size = pt_level_size(level);
	return true;
}

int pt_unmap(struct page_table *pt, uint64_t virt, uint64_t size)
{
	uint64_t va;
	int level = 0;

	if (!size || (virt | size) & (PT_SIZE_4K - 1) || !pt_canonical(virt))
		return -EINVAL;
	/* Check the whole range first, so a refusal changes nothing. */
	for (va = virt; va - virt < size; va += PT_SIZE_4K)
		if (!pt_walk(pt, va, &level) || level != 1)
			return -EINVAL;
	for (va = virt; va - virt < size; va += PT_SIZE_4K)
		*pt_walk(pt, va, &level) = 0;
	return 0;
}

/* The bits that select the memory type in a leaf of @page_size. */
static uint64_t pt_cache_bits(uint64_t page_size)
{
	return PTE_PWT | PTE_PCD | (page_size == PT_SIZE_4K ? PTE_PAT_4K : PTE_PAT_LARGE);
}

/* Replace the large leaf @e at @level by a table of 512 smaller leaves
 * that map the same memory with the same attributes. */
static int pt_split(struct page_table *pt, uint64_t *e, int level)
{
	uint64_t size = pt_level_size(level), child = pt_level_size(level - 1);
	uint64_t base = *e & PTE_ADDR_MASK & ~(size - 1);
	uint64_t flags = *e & ~PTE_ADDR_MASK;            /* P, W, NX, G, PS ... */
	bool pat = *e & PTE_PAT_LARGE;
	uint64_t table = pt->ops->alloc_table(pt->ops->ctx);
	uint64_t *t;

	if (!table)
		return -ENOMEM;
	if (level - 1 == 1) {           /* 4 KiB leaves: no PS, PAT moves to bit 7 */
		flags &= ~PTE_HUGE;
		if (pat)
			flags |= PTE_PAT_4K;
	} else if (pat) {
		flags |= PTE_PAT_LARGE;
	}
	t = pt->ops->table_virt(pt->ops->ctx, table);
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + (uint64_t)i * child) | flags;
	*e = table | PT_TABLE_FLAGS;
	return 0;
}

int pt_set_cache(struct page_table *pt, uint64_t virt, uint64_t size, enum page_cache cache)
{
	uint64_t va = virt, end = virt + size;

	if (!size || (virt | size) & (PT_SIZE_4K - 1) || !pt_canonical(virt) ||
	    end < virt || (unsigned)cache >= sizeof(pt_cache_index))
		return -EINVAL;
	while (va < end) {
		int level = 0;
		uint64_t *e = pt_walk(pt, va, &level), psz;
		if (!e)
			return -EINVAL;
		psz = pt_level_size(level);
		if ((va & (psz - 1)) || end - va < psz) {
			int err = pt_split(pt, e, level);   /* only part of it changes */
			if (err)
				return err;
			continue;
		}
		*e = (*e & ~pt_cache_bits(psz)) |
		     (pt_leaf_bits(pt, psz, 0, cache) & pt_cache_bits(psz));
		va += psz;
	}
	return 0;
}
