/*
 * device.h - what every device has, whatever bus it sits on.
 *
 * struct device is embedded in the bus's own structure (struct pci_dev)
 * and is what the rest of the kernel passes around: the logger names
 * devices through it, and the DMA layer (dma/dma.h) keeps each device's
 * DMA constraints and backend here, in one place, as Linux does.
 */
#ifndef KERNEL_DEVICE_H
#define KERNEL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/log.h"

struct dma_map_ops;

struct device {
	char name[24];               /* "0000:01:00.0": how logs name it */
	struct device *parent;       /* the bridge or bus above, NULL at the root */
	const char *driver_name;     /* bound driver ("nvme"), NULL if none */
	void *driver_data;           /* the bound driver's private state */

	/* DMA constraints, set by the driver through dma/dma.h. */
	uint64_t dma_mask;           /* streaming: highest address the device can reach */
	uint64_t coherent_dma_mask;  /* the same, for dma_alloc_coherent() */
	uint64_t bus_dma_limit;      /* what the bus/platform lets through, 0 = none */
	uint32_t max_seg_size;       /* largest scatter-gather segment */
	uint64_t seg_boundary_mask;  /* segments must not cross (mask + 1) multiples */
	uint64_t min_align_mask;     /* address bits a bounce must preserve */
	const struct dma_map_ops *dma_ops;  /* direct, swiotlb or IOMMU backend */
	bool dma_skip_sync;          /* no mapping of it needs a sync (none bounced yet) */
	void *iommu_domain;          /* the IOMMU domain it is attached to, if any */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev ? dev->name : "(no device)";
}

/*
 * Device-prefixed logging: "[    0.1] nvme 0000:01:00.0: error: ...".
 * The prefix is the bound driver's name, then the device's.
 */
void dev_log(int level, const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define dev_err(dev, ...)   dev_log(LOG_ERR, dev, __VA_ARGS__)
#define dev_warn(dev, ...)  dev_log(LOG_WARN, dev, __VA_ARGS__)
#define dev_info(dev, ...)  dev_log(LOG_INFO, dev, __VA_ARGS__)
#define dev_dbg(dev, ...)   dev_log(LOG_DEBUG, dev, __VA_ARGS__)

#endif /* KERNEL_DEVICE_H */
