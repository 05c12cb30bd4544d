/*
 * scatterlist.c - building and walking scatterlists, and the segment
 * limits a mapped list must respect.
 *
 * A list is an array of entries; the last one carries SG_END. There is no
 * chaining: sg_alloc_table() allocates the whole array at once (kmalloc
 * hands out contiguous pages for large tables).
 */
#include "dma/internal.h"
#include "dma/scatterlist.h"
#include "kernel/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/string.h"

void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, nents * sizeof(*sgl));
	if (nents)
		sg_mark_end(&sgl[nents - 1]);
}

void sg_mark_end(struct scatterlist *sg)
{
	sg->flags |= SG_END;
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

struct scatterlist *sg_next(struct scatterlist *sg)
{
	return (sg->flags & SG_END) ? NULL : sg + 1;
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
