/*
 * scatterlist.h - a buffer made of pieces, for one DMA transfer.
 *
 * Each entry names a piece by page, offset and length (the CPU's view).
 * dma_map_sg() fills in each entry's dma_address and dma_length (the
 * device's view); it may merge neighbouring pieces into fewer DMA
 * segments, so walk the mapped list with the count dma_map_sg returned.
 *
 *   struct scatterlist sg[2];
 *   sg_init_table(sg, 2);
 *   sg_set_buf(&sg[0], header, 512);
 *   sg_set_buf(&sg[1], payload, 4096);
 *   int n = dma_map_sg(dev, sg, 2, DMA_TO_DEVICE);
 *   for_each_sg(sg, s, n, i)
 *           program(sg_dma_address(s), sg_dma_len(s));
 */
#ifndef DMA_SCATTERLIST_H
#define DMA_SCATTERLIST_H

#include <stddef.h>
#include <stdint.h>
#include "dma/dma.h"
#include "kernel/errno.h"

#define SG_END   0x1u   /* the last entry of the list */
#define SG_CHAIN 0x2u   /* not a piece: the list goes on at ->chain (sg_chain) */

struct scatterlist {
	union {
		uint64_t page_phys;       /* physical address of the piece's first page
		                             (kept as an address: buffers in the kernel
		                             image have no struct page) */
		struct scatterlist *chain;   /* SG_CHAIN: the next array */
	};
	unsigned int offset;      /* byte offset into that page (may exceed a page) */
	unsigned int length;      /* bytes */
	unsigned int flags;       /* SG_END */
	dma_addr_t dma_address;   /* the device's address, after dma_map_sg */
	unsigned int dma_length;  /* bytes at dma_address, after dma_map_sg */
};

/* A list allocated as one array. */
struct sg_table {
	struct scatterlist *sgl;  /* the entries */
	unsigned int nents;       /* DMA segments after mapping */
	unsigned int orig_nents;  /* entries (the CPU's pieces) */
};

/* Zero @nents entries and mark the last one as the end. */
void sg_init_table(struct scatterlist *sgl, unsigned int nents);
/* Point @sg at @buflen bytes at kernel address @buf (direct-mapped memory). */
void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen);
void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
		 unsigned int offset);
void sg_mark_end(struct scatterlist *sg);
/* The piece's first page, or NULL if it is not page-allocator memory. */
struct page *sg_page(const struct scatterlist *sg);
/* The next entry, or NULL after the end. */
struct scatterlist *sg_next(struct scatterlist *sg);
/* Physical and kernel-virtual address of the piece. */
uint64_t sg_phys(const struct scatterlist *sg);
void *sg_virt(const struct scatterlist *sg);

/* Allocate (kmalloc) and initialise a table of @nents entries: 0 or -ENOMEM. */
int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp);
void sg_free_table(struct sg_table *table);

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg)     ((sg)->dma_length)

/* Walk @nr entries, never past the one marked SG_END. */
#define for_each_sg(sglist, sg, nr, i) \
	for ((i) = 0, (sg) = (sglist); (i) < (nr) && (sg); (i)++, (sg) = sg_next(sg))

/* Entries in the list up to and including the one marked SG_END. */
int sg_nents(struct scatterlist *sg);

/**
 * sg_chain - continue a list in another array.
 * @prv: the first array, of @prv_nents entries
 * @sgl: the array the list goes on in
 *
 * @prv's last entry becomes the link (it holds no piece any more), so
 * @prv carries @prv_nents - 1 pieces. sg_next() and for_each_sg() follow
 * the link; the list ends at the SG_END entry of the last array.
 */
void sg_chain(struct scatterlist *prv, unsigned int prv_nents, struct scatterlist *sgl);

/**
 * sg_alloc_table_from_pages_segment - a table for @size bytes spread over
 * @n_pages pages, starting @offset bytes into the first.
 * @max_segment: no entry longer than this (rounded down to whole pages,
 *               at least one page), e.g. dma_get_max_seg_size(dev)
 *
 * Physically consecutive pages are merged into one entry. Every page must
 * hold at least one byte of the range. Free with sg_free_table().
 * Return: 0, -EINVAL (bad arguments, nothing allocated) or -ENOMEM.
 */
int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
				      unsigned int n_pages, unsigned int offset,
				      size_t size, unsigned int max_segment, gfp_t gfp);
/* The same without a segment limit (Linux: UINT_MAX). */
int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
			      unsigned int n_pages, unsigned int offset,
			      size_t size, gfp_t gfp);

/* Walk a table's CPU pieces (orig_nents), or its mapped DMA segments
 * (nents, after dma_map_sgtable()). */
#define for_each_sgtable_sg(sgt, sg, i) \
	for_each_sg((sgt)->sgl, sg, (int)(sgt)->orig_nents, i)
#define for_each_sgtable_dma_sg(sgt, sg, i) \
	for_each_sg((sgt)->sgl, sg, (int)(sgt)->nents, i)

/* ---- DMA over a whole table (Linux's dma-mapping.h wrappers) ---- */

/**
 * dma_map_sgtable - map the table's orig_nents pieces; sets @sgt->nents to
 * the DMA segment count. Return: 0, or -EIO (nothing is left mapped).
 */
static inline int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
				  enum dma_data_direction dir, unsigned long attrs)
{
	int n = dma_map_sg_attrs(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);

	if (n <= 0)
		return -EIO;
	sgt->nents = (unsigned int)n;
	return 0;
}

static inline void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
				     enum dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_sg_attrs(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);
}

static inline void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
					    enum dma_data_direction dir)
{
	dma_sync_sg_for_cpu(dev, sgt->sgl, (int)sgt->orig_nents, dir);
}

static inline void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
					       enum dma_data_direction dir)
{
	dma_sync_sg_for_device(dev, sgt->sgl, (int)sgt->orig_nents, dir);
}

#endif /* DMA_SCATTERLIST_H */
