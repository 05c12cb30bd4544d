/*
 * internal.h - what the files of drivers/pci/ share, and nobody else.
 *
 * The pure parts (access.c, probe.c, bar.c, cap.c, show.c) reach
 * configuration space only through struct pci_config_ops, so the host
 * tests (tests/host/test_pci*.c) run them over a fake configuration
 * space. config.c plugs in the real mechanisms, ECAM and CF8.
 */
#ifndef DRIVERS_PCI_INTERNAL_H
#define DRIVERS_PCI_INTERNAL_H

#include "drivers/pci/pci.h"

/* ---- the configuration-access seam (access.c) ---- */

/*
 * A way to reach configuration space. @width is 1, 2 or 4; @reg is
 * aligned to it and below @size (access.c checks both before calling).
 * A read from a function that does not exist must give all ones.
 */
struct pci_config_ops {
	const char *name;          /* "ECAM" or "CF8", for the log */
	uint16_t size;             /* bytes reachable per function: 4096 or 256 */
	int (*read)(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn,
		    uint16_t reg, unsigned width, uint32_t *val);
	int (*write)(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn,
		     uint16_t reg, unsigned width, uint32_t val);
	void *ctx;                 /* passed to read and write */
};

/* Route every configuration access through @ops (NULL: none possible). */
void pci_config_set_ops(const struct pci_config_ops *ops);
const struct pci_config_ops *pci_config_get_ops(void);

/* The mechanisms config.c offers; the in-kernel tests compare the two. */
extern const struct pci_config_ops pci_ecam_ops, pci_cf8_ops;

/* Where ECAM has @seg:@bus:@devfn's register @reg mapped, or NULL. */
volatile void *pci_ecam_addr(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg);

/* Configuration access by address, before a struct pci_dev exists. */
int pci_bus_read_config(uint16_t seg, uint8_t bus, uint8_t devfn, unsigned where,
			unsigned width, uint32_t *val);
int pci_bus_write_config(uint16_t seg, uint8_t bus, uint8_t devfn, unsigned where,
			 unsigned width, uint32_t val);

/* ---- enumeration (probe.c) ---- */

/* Where unassigned BARs on a root bus may go (bar.c reads it). */
struct pci_root_windows {
	struct pci_window io;      /* I/O ports */
	struct pci_window mem;     /* 32-bit memory */
};

/* How to enumerate one segment. */
struct pci_scan_params {
	uint16_t segment;
	uint8_t bus_start, bus_end;     /* the bus numbers that can be reached */
	bool assign_busses;             /* renumber every bridge (pci=assign-busses) */
	struct pci_root_windows root;   /* for BARs on the root bus */
};

/**
 * pci_scan_segment - find every device of one segment, append them to the
 * device list, assign unassigned BARs.
 * Return: the number of devices found.
 */
unsigned pci_scan_segment(const struct pci_scan_params *params);

/* Forget every device (frees them); the host tests start each case so. */
void pci_forget_devices(void);

/* Devices enumeration found mastering the bus (left so by firmware) and stopped. */
unsigned pci_masters_stopped(void);

/* The root windows of @segment, as pci_scan_segment() was given them. */
const struct pci_root_windows *pci_root_windows(uint16_t segment);

/* ---- BARs and bridge windows (bar.c) ---- */

/* Size and decode @pdev's BARs into pdev->bar[], decoding switched off meanwhile. */
void pci_read_bars(struct pci_dev *pdev);
/* Read a bridge's I/O, memory and prefetchable windows. */
void pci_read_bridge_windows(struct pci_dev *pdev);

/**
 * pci_assign_bar - give unassigned BAR @i of @pdev an address: the lowest
 * free, naturally aligned one inside the window of the bus it sits on.
 * Return: 0, -EINVAL (no such BAR, or it has an address), -ENOSPC (no
 * window, or no room in it: reported naming the device and BAR).
 */
int pci_assign_bar(struct pci_dev *pdev, unsigned i);

/* "mem64 pref", "io", ... for the log. */
const char *pci_bar_kind(const struct pci_bar *bar);

/* ---- capabilities (cap.c) ---- */

/*
 * Walk @pdev's capability list and, if its configuration space reaches
 * 0x100 and holds one, the extended list; fill pdev->caps[]. A malformed
 * list is reported naming the device and cut where it goes wrong.
 */
void pci_read_caps(struct pci_dev *pdev);

/* ---- drivers and interrupt vectors (driver.c, irq.c, msi.c) ---- */

/* Release what a driver left behind: vectors, mappings, bus mastering. */
void pci_release_resources(struct pci_dev *pdev);

/*
 * The rungs of pci_alloc_irq_vectors() (irq.c): turn MSI-X or MSI on with
 * between @min and @max vectors, each masked where the device can mask,
 * and fill pdev->irq.descs. On failure nothing has changed and @why (of
 * @len bytes) says why in a few words.
 * Return: the number of vectors, or -ENODEV (no capability), -ENOSPC
 * (fewer than @min), -EINVAL (MSI-X table outside its BAR), -ENOMEM.
 */
int pci_msix_enable_range(struct pci_dev *pdev, unsigned min, unsigned max,
			  char *why, size_t len);
int pci_msi_enable_range(struct pci_dev *pdev, unsigned min, unsigned max,
			 char *why, size_t len);
/* Turn MSI-X or MSI off and free its vectors, INTx allowed again. */
void pci_msix_shutdown(struct pci_dev *pdev);
void pci_msi_shutdown(struct pci_dev *pdev);

/* Format a refusal into @why; return @err. */
int pci_irq_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- the table (show.c) ---- */

/* Format a size as "4 KiB", "256 B", "16 MiB". Return: @buf. */
const char *pci_format_size(char *buf, size_t len, uint64_t size);

#endif /* DRIVERS_PCI_INTERNAL_H */
