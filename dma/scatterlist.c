/*
 * scatterlist.c - building and walking scatterlists, and the segment
 * limits a mapped list must respect.
 *
 * A list is an array of entries; the last one carries SG_END. Arrays can
 * be chained (sg_chain): an entry carrying SG_CHAIN holds no piece but
 * points at the next array, and sg_next() steps over it, so every walk
 * that uses sg_next() or for_each_sg() follows chains. sg_alloc_table()
 * still allocates one array (kmalloc hands out contiguous pages for large
 * tables); sg_alloc_table_from_pages() merges physically consecutive
 * pages into one entry, never longer than the caller's segment limit.
 */
#define LOG_PREFIX "scatterlist"
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, nents * sizeof(*sgl));
	if (nents)
		sg_mark_end(&sgl[nents - 1]);
}

/* The end is never a link (Linux clears the chain bit too). */
void sg_mark_end(struct scatterlist *sg)
{
	sg->flags = (sg->flags | SG_END) & ~SG_CHAIN;
}

/* Record where the piece is; any offset is folded into whole pages. */
void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
		 unsigned int offset)
{
	sg->page_phys = page_to_phys(page) + (offset & PAGE_MASK);
	sg->offset = offset & ~PAGE_MASK;
	sg->length = len;
}

void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	uint64_t phys = virt_to_phys(buf);

	sg->page_phys = phys & PAGE_MASK;
	sg->offset = phys & ~PAGE_MASK;
	sg->length = buflen;
}

/* The following entry; a link entry is stepped over into its array. */
struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg->flags & SG_END)
		return NULL;
	sg++;
	if (sg->flags & SG_CHAIN)
		sg = sg->chain;
	return sg;
}

void sg_chain(struct scatterlist *prv, unsigned int prv_nents, struct scatterlist *sgl)
{
	struct scatterlist *link = &prv[prv_nents - 1];

	link->chain = sgl;
	link->offset = link->length = 0;
	link->dma_address = 0;
	link->dma_length = 0;
	link->flags = (link->flags & ~SG_END) | SG_CHAIN;
}

int sg_nents(struct scatterlist *sg)
{
	int n = 0;

	for (; sg; sg = sg_next(sg))
		n++;
	return n;
}

uint64_t sg_phys(const struct scatterlist *sg)
{
	return sg->page_phys + sg->offset;
}

void *sg_virt(const struct scatterlist *sg)
{
	return phys_to_virt(sg_phys(sg));
}

struct page *sg_page(const struct scatterlist *sg)
{
	return phys_to_page(sg->page_phys);
}

int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp)
{
	table->sgl = nents ? kmalloc(nents * sizeof(*table->sgl), gfp) : NULL;
	if (!table->sgl)
		return -ENOMEM;
	sg_init_table(table->sgl, nents);
	table->nents = table->orig_nents = nents;
	return 0;
}

void sg_free_table(struct sg_table *table)
{
	kfree(table->sgl);
	table->sgl = NULL;
	table->nents = table->orig_nents = 0;
}

bool dma_segment_fits(const struct device *dev, dma_addr_t addr, unsigned int len)
{
	dma_addr_t last = addr + len - 1;

	if (!len || len > dev->max_seg_size || last < addr)
		return false;
	/* Same boundary window for the first and the last byte. */
	return (addr & ~dev->seg_boundary_mask) == (last & ~dev->seg_boundary_mask);
}

int dma_sg_first_unfit(const struct device *dev, struct scatterlist *sg, int count)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sg, s, count, i)
		if (!dma_segment_fits(dev, sg_dma_address(s), sg_dma_len(s)))
			return i;
	return -1;
}

/* ---- tables from page arrays ---- */

/* How many pages from @pages[@i] on continue it physically, at most @max. */
static unsigned int sg_run_pages(struct page **pages, unsigned int i, unsigned int n_pages,
				 unsigned int max)
{
	unsigned int j = i + 1;

	while (j < n_pages && j - i < max &&
	       page_to_phys(pages[j]) == page_to_phys(pages[j - 1]) + PAGE_SIZE)
		j++;
	return j - i;
}

/* Are the arguments a range every page of which holds some byte? Say why not. */
static bool sg_from_pages_valid(struct page **pages, unsigned int n_pages,
				unsigned int offset, size_t size, unsigned int max_pages)
{
	unsigned int i;

	if (!pages || !n_pages || offset >= PAGE_SIZE || !max_pages ||
	    size > (size_t)n_pages * PAGE_SIZE - offset ||
	    size + offset <= ((size_t)n_pages - 1) * PAGE_SIZE) {
		pr_err("sg_alloc_table_from_pages: %zu bytes at offset %u do not fill %u "
		       "pages (or the segment limit is under a page)", size, offset, n_pages);
		return false;
	}
	for (i = 0; i < n_pages; i++)
		if (!pages[i]) {
			pr_err("sg_alloc_table_from_pages: page %u is NULL", i);
			return false;
		}
	return true;
}

int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
				      unsigned int n_pages, unsigned int offset,
				      size_t size, unsigned int max_segment, gfp_t gfp)
{
	unsigned int max_pages = max_segment >> PAGE_SHIFT, chunks = 0, i, run;
	struct scatterlist *s;
	int err;

	if (!sg_from_pages_valid(pages, n_pages, offset, size, max_pages))
		return -EINVAL;
	for (i = 0; i < n_pages; i += sg_run_pages(pages, i, n_pages, max_pages))
		chunks++;
	err = sg_alloc_table(sgt, chunks, gfp);
	if (err)
		return err;
	for (i = 0, s = sgt->sgl; s; i += run, s = sg_next(s)) {
		size_t chunk;

		run = sg_run_pages(pages, i, n_pages, max_pages);
		chunk = ((size_t)run << PAGE_SHIFT) - offset;
		sg_set_page(s, pages[i], (unsigned int)(chunk < size ? chunk : size), offset);
		size -= s->length;
		offset = 0;
	}
	return 0;
}

int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
			      unsigned int n_pages, unsigned int offset,
			      size_t size, gfp_t gfp)
{
	return sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset, size,
						 UINT32_MAX, gfp);
}
