/*
 * pci_regs.h - the layout of PCI configuration space.
 *
 * Sources: PCI Local Bus Specification 3.0, chapter 6 (the type 0 header,
 * capabilities, MSI in 6.8); PCI-to-PCI Bridge Architecture Specification
 * 1.2, chapter 3 (the type 1 header); PCI Express Base Specification 4.0,
 * chapter 7 (extended configuration space, the PCI Express capability,
 * MSI-X in 7.7.2, extended capabilities). Names follow Linux's
 * include/uapi/linux/pci_regs.h so that code reads the same there and here.
 *
 * Every function has 256 bytes of configuration space (4096 on PCI
 * Express). The first 64 bytes are the header; its format depends on the
 * header type. All registers are little-endian. "RO" and "RW" below are
 * from the host's point of view.
 */
#ifndef DRIVERS_PCI_PCI_REGS_H
#define DRIVERS_PCI_PCI_REGS_H

/* ---- common to every header type (PCI 3.0, 6.1) ---- */
#define PCI_VENDOR_ID          0x00   /* 16 RO: 0xffff = no function here */
#define PCI_DEVICE_ID          0x02   /* 16 RO */
#define PCI_COMMAND            0x04   /* 16 RW: what the function may do */
#define PCI_STATUS             0x06   /* 16 RO (error bits RW1C) */
#define PCI_CLASS_REVISION     0x08   /* 32 RO: class << 8 | revision */
#define PCI_REVISION_ID        0x08   /*  8 RO */
#define PCI_CLASS_PROG         0x09   /*  8 RO: programming interface */
#define PCI_CLASS_DEVICE       0x0a   /* 16 RO: base class << 8 | subclass */
#define PCI_CACHE_LINE_SIZE    0x0c   /*  8 RW */
#define PCI_LATENCY_TIMER      0x0d   /*  8 RW */
#define PCI_HEADER_TYPE        0x0e   /*  8 RO: layout, bit 7 multifunction */
#define PCI_BIST               0x0f   /*  8 RW: built-in self test */
#define PCI_BASE_ADDRESS_0     0x10   /* 32 RW: BARs, 4 bytes each */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c  /* 16 RO, type 0 only: the board's vendor */
#define PCI_SUBSYSTEM_ID       0x2e   /* 16 RO, type 0 only: the board's model */
#define PCI_CAPABILITY_LIST    0x34   /*  8 RO: offset of the first capability */
#define PCI_INTERRUPT_LINE     0x3c   /*  8 RW: scratch for the OS (legacy IRQ) */
#define PCI_INTERRUPT_PIN      0x3d   /*  8 RO: 0 none, 1-4 INTA#-INTD# */

#define PCI_STD_HEADER_SIZEOF  0x40   /* capabilities start at or after this */
#define PCI_CFG_SPACE_SIZE     0x100  /* conventional PCI */
#define PCI_CFG_SPACE_EXP_SIZE 0x1000 /* PCI Express */

/* COMMAND bits */
#define PCI_COMMAND_IO             0x0001  /* decode I/O BARs */
#define PCI_COMMAND_MEMORY         0x0002  /* decode memory BARs */
#define PCI_COMMAND_MASTER         0x0004  /* may issue memory requests: DMA and MSI */
#define PCI_COMMAND_SERR           0x0100
#define PCI_COMMAND_INTX_DISABLE   0x0400  /* the INTx# pin stays deasserted */

/* STATUS bits */
#define PCI_STATUS_INTERRUPT       0x0008  /* INTx# is asserted (or would be) */
#define PCI_STATUS_CAP_LIST        0x0010  /* PCI_CAPABILITY_LIST is valid */

/* HEADER_TYPE */
#define PCI_HEADER_TYPE_MASK       0x7f
#define PCI_HEADER_TYPE_NORMAL     0       /* an endpoint: six BARs */
#define PCI_HEADER_TYPE_BRIDGE     1       /* PCI-to-PCI bridge: two BARs, bus numbers, windows */
#define PCI_HEADER_TYPE_CARDBUS    2
#define PCI_HEADER_TYPE_MFD        0x80    /* functions 1-7 may exist */

/* ---- class codes (PCI Code and ID Assignment Specification 1.12) ---- */
#define PCI_BASE_CLASS_BRIDGE      0x06    /* host, ISA, PCI-to-PCI, ... bridges */

/* ---- Base Address Registers (PCI 3.0, 6.2.5.1) ---- */
#define PCI_STD_NUM_BARS           6       /* type 0 header */
#define PCI_BRIDGE_NUM_BARS        2       /* type 1 header */
#define PCI_BASE_ADDRESS_SPACE_IO  0x01    /* bit 0: 1 = I/O space, 0 = memory */
#define PCI_BASE_ADDRESS_MEM_TYPE_MASK 0x06
#define PCI_BASE_ADDRESS_MEM_TYPE_32   0x00 /* anywhere in 32-bit space */
#define PCI_BASE_ADDRESS_MEM_TYPE_64   0x04 /* 64-bit: this BAR and the next */
#define PCI_BASE_ADDRESS_MEM_PREFETCH  0x08 /* reads have no side effects */
#define PCI_BASE_ADDRESS_MEM_MASK  (~0x0fu)
#define PCI_BASE_ADDRESS_IO_MASK   (~0x03u)

/* ---- type 1 header: PCI-to-PCI bridges (Bridge spec 1.2, 3.2) ---- */
#define PCI_PRIMARY_BUS            0x18    /*  8 RW: the bus the bridge sits on */
#define PCI_SECONDARY_BUS          0x19    /*  8 RW: the bus right below it */
#define PCI_SUBORDINATE_BUS        0x1a    /*  8 RW: the highest bus below it */
#define PCI_SEC_LATENCY_TIMER      0x1b
#define PCI_IO_BASE                0x1c    /*  8 RW: I/O window, bits 15:12 */
#define PCI_IO_LIMIT               0x1d    /*  8 RW */
#define PCI_SEC_STATUS             0x1e
#define PCI_MEMORY_BASE            0x20    /* 16 RW: memory window, bits 31:20 */
#define PCI_MEMORY_LIMIT           0x22    /* 16 RW */
#define PCI_PREF_MEMORY_BASE       0x24    /* 16 RW: prefetchable window, bits 31:20 */
#define PCI_PREF_MEMORY_LIMIT      0x26    /* 16 RW */
#define PCI_PREF_BASE_UPPER32      0x28    /* 32 RW: bits 63:32 of the above */
#define PCI_PREF_LIMIT_UPPER32     0x2c    /* 32 RW */
#define PCI_IO_BASE_UPPER16        0x30    /* 16 RW: bits 31:16 of the I/O window */
#define PCI_IO_LIMIT_UPPER16       0x32    /* 16 RW */
#define PCI_BRIDGE_CONTROL         0x3e    /* 16 RW */

#define PCI_IO_RANGE_TYPE_MASK     0x0f    /* low bits of IO_BASE: 1 = 32-bit I/O */
#define PCI_IO_RANGE_TYPE_32       0x01
#define PCI_IO_RANGE_MASK          0xf0
#define PCI_MEMORY_RANGE_MASK      0xfff0
#define PCI_PREF_RANGE_TYPE_MASK   0x000f  /* 1 = 64-bit prefetchable window */
#define PCI_PREF_RANGE_TYPE_64     0x0001

/* ---- capability list (PCI 3.0, 6.7) ---- */
#define PCI_CAP_LIST_ID            0       /*  8: capability ID */
#define PCI_CAP_LIST_NEXT          1       /*  8: next capability, 0 ends */

#define PCI_CAP_ID_PM              0x01    /* power management */
#define PCI_CAP_ID_AGP             0x02
#define PCI_CAP_ID_VPD             0x03    /* vital product data */
#define PCI_CAP_ID_SLOTID          0x04    /* slot identification (bridges) */
#define PCI_CAP_ID_MSI             0x05    /* message signalled interrupts */
#define PCI_CAP_ID_CHSWP           0x06    /* CompactPCI hot swap */
#define PCI_CAP_ID_PCIX            0x07
#define PCI_CAP_ID_HT              0x08    /* HyperTransport */
#define PCI_CAP_ID_VNDR            0x09    /* vendor-specific */
#define PCI_CAP_ID_DBG             0x0a    /* debug port */
#define PCI_CAP_ID_CCRC            0x0b    /* CompactPCI central resource control */
#define PCI_CAP_ID_SHPC            0x0c    /* standard hot-plug controller */
#define PCI_CAP_ID_SSVID           0x0d    /* bridge subsystem vendor/device ID */
#define PCI_CAP_ID_AGP3            0x0e
#define PCI_CAP_ID_SECDEV          0x0f    /* secure device */
#define PCI_CAP_ID_EXP             0x10    /* PCI Express */
#define PCI_CAP_ID_MSIX            0x11    /* MSI-X */
#define PCI_CAP_ID_SATA            0x12
#define PCI_CAP_ID_AF              0x13    /* advanced features */
#define PCI_CAP_ID_EA              0x14    /* enhanced allocation */
#define PCI_CAP_ID_FPB             0x15    /* flattening portal bridge */

/* ---- extended capabilities, from 0x100 (PCIe 4.0, 7.6) ---- */
/* Header: bits 15:0 ID, 19:16 version, 31:20 offset of the next one. */
#define PCI_EXT_CAP_ID(h)          ((h) & 0xffff)
#define PCI_EXT_CAP_VER(h)         (((h) >> 16) & 0xf)
#define PCI_EXT_CAP_NEXT(h)        (((h) >> 20) & 0xffc)

#define PCI_EXT_CAP_ID_ERR         0x01    /* advanced error reporting */
#define PCI_EXT_CAP_ID_VC          0x02    /* virtual channel */
#define PCI_EXT_CAP_ID_DSN         0x03    /* device serial number */
#define PCI_EXT_CAP_ID_PWR         0x04    /* power budgeting */
#define PCI_EXT_CAP_ID_RCLD        0x05    /* root complex link declaration */
#define PCI_EXT_CAP_ID_RCILC       0x06    /* root complex internal link control */
#define PCI_EXT_CAP_ID_RCEC        0x07    /* root complex event collector */
#define PCI_EXT_CAP_ID_MFVC        0x08    /* multi-function virtual channel */
#define PCI_EXT_CAP_ID_VC9         0x09    /* virtual channel (with MFVC) */
#define PCI_EXT_CAP_ID_RCRB        0x0a    /* root complex register block */
#define PCI_EXT_CAP_ID_VNDR        0x0b    /* vendor-specific */
#define PCI_EXT_CAP_ID_ACS         0x0d    /* access control services */
#define PCI_EXT_CAP_ID_ARI         0x0e    /* alternative routing-ID */
#define PCI_EXT_CAP_ID_ATS         0x0f    /* address translation services */
#define PCI_EXT_CAP_ID_SRIOV       0x10    /* single-root I/O virtualization */
#define PCI_EXT_CAP_ID_MCAST       0x12    /* multicast */
#define PCI_EXT_CAP_ID_PRI         0x13    /* page request interface */
#define PCI_EXT_CAP_ID_REBAR       0x15    /* resizable BAR */
#define PCI_EXT_CAP_ID_DPA         0x16    /* dynamic power allocation */
#define PCI_EXT_CAP_ID_TPH         0x17    /* TLP processing hints */
#define PCI_EXT_CAP_ID_LTR         0x18    /* latency tolerance reporting */
#define PCI_EXT_CAP_ID_SECPCI      0x19    /* secondary PCI Express */
#define PCI_EXT_CAP_ID_PMUX        0x1a    /* protocol multiplexing */
#define PCI_EXT_CAP_ID_PASID       0x1b    /* process address space ID */
#define PCI_EXT_CAP_ID_DPC         0x1d    /* downstream port containment */
#define PCI_EXT_CAP_ID_L1SS        0x1e    /* L1 PM substates */
#define PCI_EXT_CAP_ID_PTM         0x1f    /* precision time measurement */
#define PCI_EXT_CAP_ID_DVSEC       0x23    /* designated vendor-specific */
#define PCI_EXT_CAP_ID_DLF         0x25    /* data link feature */
#define PCI_EXT_CAP_ID_PL_16GT     0x26    /* physical layer 16 GT/s */

/* ---- PCI Express capability (PCIe 4.0, 7.5.3) ---- */
#define PCI_EXP_FLAGS              0x02    /* 16 RO: version, port type */
#define PCI_EXP_FLAGS_TYPE_SHIFT   4
#define PCI_EXP_FLAGS_TYPE_MASK    0x00f0
#define PCI_EXP_TYPE_ENDPOINT      0x0     /* PCI Express endpoint */
#define PCI_EXP_TYPE_LEG_END       0x1     /* legacy endpoint */
#define PCI_EXP_TYPE_ROOT_PORT     0x4
#define PCI_EXP_TYPE_UPSTREAM      0x5     /* switch upstream port */
#define PCI_EXP_TYPE_DOWNSTREAM    0x6     /* switch downstream port */
#define PCI_EXP_TYPE_PCI_BRIDGE    0x7     /* PCIe-to-PCI/PCI-X bridge */
#define PCI_EXP_TYPE_PCIE_BRIDGE   0x8     /* PCI/PCI-X-to-PCIe bridge */
#define PCI_EXP_TYPE_RC_END        0x9     /* root complex integrated endpoint */
#define PCI_EXP_TYPE_RC_EC         0xa     /* root complex event collector */

/* ---- MSI capability (PCI 3.0, 6.8.1) ---- */
#define PCI_MSI_FLAGS              0x02    /* 16 RW: message control */
#define PCI_MSI_FLAGS_ENABLE       0x0001
#define PCI_MSI_FLAGS_QMASK        0x000e  /* vectors the function asks for: log2, RO */
#define PCI_MSI_FLAGS_QSIZE        0x0070  /* vectors the host grants: log2, RW */
#define PCI_MSI_FLAGS_64BIT        0x0080  /* the address has an upper half */
#define PCI_MSI_FLAGS_MASKBIT      0x0100  /* per-vector mask and pending bits exist */
#define PCI_MSI_ADDRESS_LO         0x04    /* 32 RW: message address, bits 31:2 */
#define PCI_MSI_ADDRESS_HI         0x08    /* 32 RW: bits 63:32, 64-bit format only */
#define PCI_MSI_DATA_32            0x08    /* 16 RW: message data, 32-bit format */
#define PCI_MSI_DATA_64            0x0c    /* 16 RW: message data, 64-bit format */
#define PCI_MSI_MASK_32            0x0c    /* 32 RW: mask bits, 32-bit format */
#define PCI_MSI_MASK_64            0x10    /* 32 RW: mask bits, 64-bit format */

/* ---- MSI-X capability (PCIe 4.0, 7.7.2) ---- */
#define PCI_MSIX_FLAGS             0x02    /* 16 RW: message control */
#define PCI_MSIX_FLAGS_QSIZE       0x07ff  /* table size - 1, RO */
#define PCI_MSIX_FLAGS_MASKALL     0x4000  /* function mask: no vector may fire */
#define PCI_MSIX_FLAGS_ENABLE      0x8000
#define PCI_MSIX_TABLE             0x04    /* 32 RO: table offset | BIR */
#define PCI_MSIX_PBA               0x08    /* 32 RO: pending bit array offset | BIR */
#define PCI_MSIX_BIR_MASK          0x7     /* which BAR holds it */
#define PCI_MSIX_OFFSET_MASK       (~0x7u) /* offset inside that BAR, 8-aligned */

/* One MSI-X table entry, in the BAR the table lives in: 16 bytes. */
#define PCI_MSIX_ENTRY_SIZE        16
#define PCI_MSIX_ENTRY_LOWER_ADDR  0x0     /* 32 RW */
#define PCI_MSIX_ENTRY_UPPER_ADDR  0x4     /* 32 RW */
#define PCI_MSIX_ENTRY_DATA        0x8     /* 32 RW */
#define PCI_MSIX_ENTRY_VECTOR_CTRL 0xc     /* 32 RW: bit 0 masks this vector */
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1

#endif /* DRIVERS_PCI_PCI_REGS_H */
