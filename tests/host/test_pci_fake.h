/*
 * test_pci_fake.h - a fake PCI configuration space for the host tests of
 * drivers/pci/ (test_pci_bar.c, test_pci_cap.c, test_pci_enum.c).
 *
 * A fake machine is a list of functions, each with 4 KiB of configuration
 * space, the BAR sizes it decodes and the bridge it sits behind. It is
 * plugged in as the struct pci_config_ops the PCI code reaches
 * configuration space through, and behaves like hardware where the code
 * under test depends on it:
 *
 *   - BARs keep only the address bits their size allows, and their type
 *     bits are read-only, so writing all ones reads back the size mask;
 *   - a function is reachable only on the bus its bridge's secondary bus
 *     number says, and only if every bridge above forwards that bus: bus
 *     numbering really decides what enumeration finds;
 *   - identity registers and capability lists are read-only;
 *   - it records whether a BAR was sized while decoding was on.
 */
#ifndef TESTS_HOST_TEST_PCI_FAKE_H
#define TESTS_HOST_TEST_PCI_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/pci/internal.h"

#define FAKE_MAX_FNS 32

struct fake_fn {
	int parent;                    /* index of the bridge above, -1 on a root bus */
	uint8_t root_bus;              /* which root bus, if parent is -1 (0 unless set) */
	uint8_t devfn;
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint64_t bar_size[PCI_STD_NUM_BARS];  /* per BAR; a 64-bit BAR's size sits at its first slot */
	bool io16[PCI_STD_NUM_BARS];   /* I/O BAR whose decoder has only 16 bits */
	bool sized_while_decoding;     /* a BAR held all ones with COMMAND.IO/MEMORY set */
};

struct fake_pci {
	struct fake_fn fn[FAKE_MAX_FNS];
	unsigned count;
	struct pci_config_ops ops;     /* what pci_config_set_ops() gets */
	unsigned reads, writes;
};

/* Start an empty fake machine reaching @cfg_size bytes (4096 or 256) per function;
 * boots the host memory manager (kzalloc) and forgets earlier PCI devices. */
void fake_init(struct fake_pci *f, uint16_t cfg_size);
/* Plug @f in as the configuration mechanism. */
void fake_install(struct fake_pci *f);

/* Add a function at @slot.@fn behind bridge @parent (-1: root bus). Return: its index. */
int fake_add(struct fake_pci *f, int parent, unsigned slot, unsigned fn, uint16_t vendor,
	     uint16_t device, uint32_t class, uint8_t hdr_type);

/* Give BAR @i the type bits @type (PCI_BASE_ADDRESS_*) and @size, holding @base. */
void fake_bar(struct fake_pci *f, int idx, unsigned i, uint32_t type, uint64_t size,
	      uint64_t base);

/* Append capability @id at @off to the standard list (sets STATUS.CAP_LIST). */
void fake_cap(struct fake_pci *f, int idx, uint8_t off, uint8_t id);
/* Set the raw next pointer of the capability at @off (for malformed lists). */
void fake_cap_next(struct fake_pci *f, int idx, uint8_t off, uint8_t next);
/* Write an extended capability header at @off: @id, version 1, @next. */
void fake_ext_cap(struct fake_pci *f, int idx, uint16_t off, uint16_t id, uint16_t next);

/* Put root-bus function @idx on root bus @bus (another host bridge's). */
void fake_root_bus(struct fake_pci *f, int idx, uint8_t bus);

/* Program a bridge's bus numbers. */
void fake_bridge_buses(struct fake_pci *f, int idx, uint8_t primary, uint8_t secondary,
		       uint8_t subordinate);

/* Raw little-endian access to a function's configuration space. */
uint32_t fake_get(const struct fake_pci *f, int idx, unsigned reg, unsigned width);
void fake_set(struct fake_pci *f, int idx, unsigned reg, unsigned width, uint32_t val);

/* Enumerate segment 0, buses 0-@bus_end, with root windows io 0x1000-0xffff
 * and mem 0xc0000000-0xfebfffff. Return: devices found. */
unsigned fake_scan(struct fake_pci *f, bool assign_busses, uint8_t bus_end);

/* The struct pci_dev enumeration made for fake function @idx, or NULL. */
struct pci_dev *fake_pdev(const struct fake_pci *f, int idx);

/* The last log line (from host_stubs.c). */
const char *fake_last_log(void);

#endif /* TESTS_HOST_TEST_PCI_FAKE_H */
