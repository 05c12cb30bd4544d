/*
 * bar.c - Base Address Registers and bridge windows.
 *
 * PCI Local Bus 3.0, 6.2.5.1: a BAR asks for a naturally aligned range of
 * memory or I/O space. Its low bits say which kind (bit 0: I/O; bits 2:1:
 * 32- or 64-bit memory; bit 3: prefetchable); the address bits below the
 * size are hardwired to zero. So writing all ones and reading back tells
 * the size: the lowest address bit that stuck. A 64-bit BAR takes two
 * slots, the second holding the upper half. Decoding is switched off in
 * COMMAND while a BAR holds all ones, or the device would answer at a
 * random address meanwhile.
 *
 * PCI-to-PCI Bridge Architecture 1.2, 3.2.5: a bridge forwards an I/O
 * window, a memory window and a prefetchable memory window to its
 * secondary side; each is a base and a limit register with 4 KiB (I/O)
 * or 1 MiB (memory) granularity.
 *
 * Firmware normally gives every BAR an address, and we keep it. A BAR it
 * left at 0 gets the lowest free, aligned range inside the window of the
 * bus the device sits on: the bridge's window, or on a root bus the hole
 * config.c derives from the memory map. Without one, the BAR is reported
 * and stays unusable; address 0 is never used.
 *
 * QEMU: `-device pci-testdev` has a 4 KiB memory BAR0 and a 256-byte I/O
 * BAR1 (`membar=SIZE` adds a 64-bit prefetchable BAR2); `-device nvme` a
 * 16 KiB 64-bit memory BAR0.
 *
 * Pure code: configuration space is reached through access.c only.
 */
#include "drivers/pci/internal.h"
#include "kernel/device.h"
#include "kernel/errno.h"

#define PCI_BAR_REG(i)        (PCI_BASE_ADDRESS_0 + 4 * (i))
#define PCI_BAR_MEM_TYPE_RSVD 0x06          /* memory type 3: reserved */
#define PCI_4G                0x100000000ULL

/* The lowest set bit: how many bytes a BAR with this address mask decodes. */
static uint64_t pci_size_from_mask(uint64_t mask)
{
	return mask & (~mask + 1);
}

/* Write all ones to BAR register @reg, read back what sticks, restore it. */
static uint32_t pci_bar_probe_reg(struct pci_dev *pdev, unsigned reg, uint32_t *orig)
{
	uint32_t mask;

	pci_read_config_dword(pdev, reg, orig);
	pci_write_config_dword(pdev, reg, 0xffffffffu);
	pci_read_config_dword(pdev, reg, &mask);
	pci_write_config_dword(pdev, reg, *orig);
	return mask;
}

/*
 * An I/O BAR: bits 31:2 address. A 16-bit decoder reads bits 31:16 back as
 * zero; the lowest bit that stuck still gives the size.
 */
static void pci_decode_io_bar(struct pci_bar *bar, uint32_t orig, uint32_t mask)
{
	mask &= PCI_BASE_ADDRESS_IO_MASK;
	if (!mask)
		return;   /* not implemented */
	bar->flags = PCI_BAR_IO;
	bar->base = orig & PCI_BASE_ADDRESS_IO_MASK;
	bar->size = pci_size_from_mask(mask);
}

/* A memory BAR: bits 31:4 address (63:4 with the next slot, if 64-bit). */
static unsigned pci_decode_mem_bar(struct pci_dev *pdev, unsigned i, uint32_t lo,
				   uint32_t mask_lo)
{
	struct pci_bar *bar = &pdev->bar[i];
	uint32_t hi = 0, mask_hi = 0xffffffffu;   /* a 32-bit BAR: no upper bits to set */
	uint64_t mask;
	unsigned slots = 1;

	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64) {
		mask_hi = pci_bar_probe_reg(pdev, PCI_BAR_REG(i + 1), &hi);
		pdev->bar[i + 1].flags = PCI_BAR_UPPER;
		bar->flags = PCI_BAR_MEM64;
		slots = 2;
	}
	mask = (uint64_t)mask_hi << 32 | (mask_lo & PCI_BASE_ADDRESS_MEM_MASK);
	if (mask == 0 || (slots == 1 && !(mask_lo & PCI_BASE_ADDRESS_MEM_MASK))) {
		bar->flags = 0;
		return slots;   /* no address bit sticks: not implemented */
	}
	if (lo & PCI_BASE_ADDRESS_MEM_PREFETCH)
		bar->flags |= PCI_BAR_PREFETCH;
	bar->base = (uint64_t)hi << 32 | (lo & PCI_BASE_ADDRESS_MEM_MASK);
	bar->size = pci_size_from_mask(mask);
	return slots;
}

/* Decode BAR slot @i into pdev->bar[i]. Return: the slots it takes (1 or 2). */
static unsigned pci_read_bar(struct pci_dev *pdev, unsigned i)
{
	uint32_t lo, mask_lo, type;

	mask_lo = pci_bar_probe_reg(pdev, PCI_BAR_REG(i), &lo);
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		pci_decode_io_bar(&pdev->bar[i], lo, mask_lo);
		return 1;
	}
	type = lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK;
	if (type == PCI_BAR_MEM_TYPE_RSVD) {
		dev_err(&pdev->dev, "BAR %u has the reserved memory type 3; ignored", i);
		return 1;
	}
	if (type == PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 >= pdev->num_bars) {
		dev_err(&pdev->dev, "BAR %u is 64-bit but is the last BAR, so it has "
			"no upper half; ignored", i);
		return 1;
	}
	return pci_decode_mem_bar(pdev, i, lo, mask_lo);
}

void pci_read_bars(struct pci_dev *pdev)
{
	uint16_t cmd;

	pdev->num_bars = pci_is_bridge(pdev) ? PCI_BRIDGE_NUM_BARS : PCI_STD_NUM_BARS;
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		pdev->bar[i] = (struct pci_bar){ 0 };
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < pdev->num_bars; )
		i += pci_read_bar(pdev, i);
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND, cmd);
	for (unsigned i = 0; i < pdev->num_bars; i++)
		if (pdev->bar[i].size && (pdev->bar[i].base & (pdev->bar[i].size - 1)))
			dev_warn(&pdev->dev, "BAR %u at %#llx is not aligned to its size %#llx",
				 i, (unsigned long long)pdev->bar[i].base,
				 (unsigned long long)pdev->bar[i].size);
}

const char *pci_bar_kind(const struct pci_bar *bar)
{
	if (bar->flags & PCI_BAR_IO)
		return "io";
	if (bar->flags & PCI_BAR_MEM64)
		return bar->flags & PCI_BAR_PREFETCH ? "mem64 pref" : "mem64";
	return bar->flags & PCI_BAR_PREFETCH ? "mem32 pref" : "mem32";
}

/* ---- bridge windows (PCI-to-PCI Bridge 1.2, 3.2.5.6 - 3.2.5.10) ---- */

/* A window from its decoded base and limit; closed if base > limit. */
static struct pci_window pci_window_of(uint64_t base, uint64_t limit)
{
	return limit >= base ? (struct pci_window){ base, limit - base + 1 }
			     : (struct pci_window){ 0, 0 };
}

/* I/O: bits 15:12 in IO_BASE/IO_LIMIT, bits 31:16 in the UPPER16 pair if 32-bit. */
static struct pci_window pci_read_io_window(struct pci_dev *pdev)
{
	uint8_t base, limit;
	uint16_t base_hi = 0, limit_hi = 0;

	pci_read_config_byte(pdev, PCI_IO_BASE, &base);
	pci_read_config_byte(pdev, PCI_IO_LIMIT, &limit);
	if (!base && !limit)
		return (struct pci_window){ 0, 0 };   /* no I/O window implemented */
	if ((base & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32) {
		pci_read_config_word(pdev, PCI_IO_BASE_UPPER16, &base_hi);
		pci_read_config_word(pdev, PCI_IO_LIMIT_UPPER16, &limit_hi);
	}
	return pci_window_of((uint64_t)base_hi << 16 | (base & PCI_IO_RANGE_MASK) << 8,
			     (uint64_t)limit_hi << 16 | (limit & PCI_IO_RANGE_MASK) << 8 | 0xfff);
}

/* Memory: bits 31:20 in the base/limit pair at @reg, bits 63:32 in @upper if 64-bit. */
static struct pci_window pci_read_mem_window(struct pci_dev *pdev, unsigned reg, unsigned upper)
{
	uint16_t base, limit;
	uint32_t base_hi = 0, limit_hi = 0;

	pci_read_config_word(pdev, reg, &base);
	pci_read_config_word(pdev, reg + 2, &limit);
	if (!base && !limit)
		return (struct pci_window){ 0, 0 };
	if (upper && (base & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64) {
		pci_read_config_dword(pdev, upper, &base_hi);
		pci_read_config_dword(pdev, upper + 4, &limit_hi);
	}
	return pci_window_of((uint64_t)base_hi << 32 | (uint64_t)(base & PCI_MEMORY_RANGE_MASK) << 16,
			     (uint64_t)limit_hi << 32 |
			     (uint64_t)(limit & PCI_MEMORY_RANGE_MASK) << 16 | 0xfffff);
}

void pci_read_bridge_windows(struct pci_dev *pdev)
{
	pdev->io_window = pci_read_io_window(pdev);
	pdev->mem_window = pci_read_mem_window(pdev, PCI_MEMORY_BASE, 0);
	pdev->pref_window = pci_read_mem_window(pdev, PCI_PREF_MEMORY_BASE, PCI_PREF_BASE_UPPER32);
}

/* ---- giving unassigned BARs an address ---- */

/* Is @bridge somewhere above @pdev? */
static bool pci_is_above(const struct pci_dev *bridge, const struct pci_dev *pdev)
{
	for (const struct pci_dev *b = pdev->bridge; b; b = b->bridge)
		if (b == bridge)
			return true;
	return false;
}

/* Does [start, end] overlap @w? */
static bool pci_overlaps(const struct pci_window *w, uint64_t start, uint64_t end)
{
	return w->size && start <= w->base + w->size - 1 && w->base <= end;
}

/* Does another assigned BAR of @d in the same space overlap [start, end]? */
static const struct pci_bar *pci_bar_conflict(const struct pci_dev *d, const struct pci_bar *self,
					      bool io, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < d->num_bars; i++) {
		const struct pci_bar *b = &d->bar[i];
		struct pci_window w = { b->base, b->size };

		if (b == self || !b->base || (b->flags & PCI_BAR_UPPER) ||
		    !!(b->flags & PCI_BAR_IO) != io)
			continue;
		if (pci_overlaps(&w, start, end))
			return b;
	}
	return NULL;
}

/* Does one of bridge @d's windows in the same space overlap [start, end]? */
static const struct pci_window *pci_window_conflict(const struct pci_dev *d, bool io,
						    uint64_t start, uint64_t end)
{
	if (io)
		return pci_overlaps(&d->io_window, start, end) ? &d->io_window : NULL;
	if (pci_overlaps(&d->mem_window, start, end))
		return &d->mem_window;
	return pci_overlaps(&d->pref_window, start, end) ? &d->pref_window : NULL;
}

/*
 * Does anything already decode part of [start, end] in the same space
 * (I/O or memory): another BAR, or the window of a bridge that is not
 * above @pdev? If so, *busy_end gets the last address of what is in the way.
 */
static bool pci_range_busy(const struct pci_dev *pdev, const struct pci_bar *self,
			   bool io, uint64_t start, uint64_t end, uint64_t *busy_end)
{
	const struct pci_bar *b;
	const struct pci_window *w;
	struct pci_dev *d;

	pci_for_each_dev(d) {
		if (d->segment != pdev->segment)
			continue;
		b = pci_bar_conflict(d, self, io, start, end);
		if (b) {
			*busy_end = b->base + b->size - 1;
			return true;
		}
		w = pci_is_bridge(d) && !pci_is_above(d, pdev) ?
		    pci_window_conflict(d, io, start, end) : NULL;
		if (w) {
			*busy_end = w->base + w->size - 1;
			return true;
		}
	}
	return false;
}

/* The window BAR @bar of @pdev must live in: its bridge's, or the root's. */
static struct pci_window pci_bar_window(const struct pci_dev *pdev, const struct pci_bar *bar)
{
	const struct pci_dev *br = pdev->bridge;
	const struct pci_root_windows *root;

	if (!br) {
		root = pci_root_windows(pdev->segment);
		if (!root)
			return (struct pci_window){ 0, 0 };
		return bar->flags & PCI_BAR_IO ? root->io : root->mem;
	}
	if (bar->flags & PCI_BAR_IO)
		return br->io_window;
	if ((bar->flags & PCI_BAR_PREFETCH) && br->pref_window.size)
		return br->pref_window;
	return br->mem_window;
}

/* @x rounded up to a multiple of @align (a power of two); 0 if that wraps. */
static uint64_t pci_align_up(uint64_t x, uint64_t align)
{
	uint64_t up = (x + align - 1) & ~(align - 1);

	return up < x ? 0 : up;
}

/* The lowest free address for @bar in @win, naturally aligned; 0 if none. */
static uint64_t pci_find_room(const struct pci_dev *pdev, const struct pci_bar *bar,
			      struct pci_window win)
{
	uint64_t size = bar->size, last = win.base + win.size - 1, addr, busy_end;
	bool io = bar->flags & PCI_BAR_IO;

	if (!(bar->flags & (PCI_BAR_MEM64 | PCI_BAR_IO)) && last >= PCI_4G)
		last = PCI_4G - 1;    /* a 32-bit BAR cannot hold more */
	addr = pci_align_up(win.base ? win.base : size, size);   /* never address 0 */
	while (addr && addr + (size - 1) >= addr && addr + (size - 1) <= last) {
		if (!pci_range_busy(pdev, bar, io, addr, addr + size - 1, &busy_end))
			return addr;
		if (busy_end == UINT64_MAX)
			return 0;   /* what is in the way reaches the top */
		addr = pci_align_up(busy_end + 1, size);
	}
	return 0;
}

/* Write @addr into BAR @i (both halves if 64-bit), decoding off meanwhile. */
static int pci_program_bar(struct pci_dev *pdev, unsigned i, uint64_t addr)
{
	struct pci_bar *bar = &pdev->bar[i];
	uint32_t lo, hi = 0;
	uint16_t cmd;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	pci_write_config_word(pdev, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	pci_write_config_dword(pdev, PCI_BAR_REG(i), (uint32_t)addr);
	if (bar->flags & PCI_BAR_MEM64)
		pci_write_config_dword(pdev, PCI_BAR_REG(i + 1), (uint32_t)(addr >> 32));
	pci_read_config_dword(pdev, PCI_BAR_REG(i), &lo);
	if (bar->flags & PCI_BAR_MEM64)
		pci_read_config_dword(pdev, PCI_BAR_REG(i + 1), &hi);
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	lo &= bar->flags & PCI_BAR_IO ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
	if (((uint64_t)hi << 32 | lo) != addr) {
		dev_err(&pdev->dev, "BAR %u did not keep the address %#llx written to it",
			i, (unsigned long long)addr);
		return -EIO;
	}
	bar->base = addr;
	return 0;
}

int pci_assign_bar(struct pci_dev *pdev, unsigned i)
{
	struct pci_bar *bar = &pdev->bar[i];
	struct pci_window win;
	uint64_t addr;

	if (i >= pdev->num_bars || !bar->size || bar->base || (bar->flags & PCI_BAR_UPPER))
		return -EINVAL;
	win = pci_bar_window(pdev, bar);
	if (!win.size) {
		dev_err(&pdev->dev, "BAR %u (%s, %#llx bytes) unassigned; no window", i,
			pci_bar_kind(bar), (unsigned long long)bar->size);
		return -ENOSPC;
	}
	addr = pci_find_room(pdev, bar, win);
	if (!addr) {
		dev_err(&pdev->dev, "BAR %u (%s, %#llx bytes) unassigned; no room in window "
			"[%#llx-%#llx]", i, pci_bar_kind(bar), (unsigned long long)bar->size,
			(unsigned long long)win.base, (unsigned long long)(win.base + win.size - 1));
		return -ENOSPC;
	}
	if (pci_program_bar(pdev, i, addr))
		return -EIO;
	dev_info(&pdev->dev, "BAR %u (%s) assigned [%#llx-%#llx]", i, pci_bar_kind(bar),
		 (unsigned long long)addr, (unsigned long long)(addr + bar->size - 1));
	return 0;
}
