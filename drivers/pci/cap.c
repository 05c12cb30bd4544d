/*
 * cap.c - capability lists: PCI Local Bus 3.0, 6.7 and PCI Express Base
 * 4.0, 7.6 (extended capabilities).
 *
 * A function advertises optional features as a linked list in its own
 * configuration space. The list starts at the byte at 0x34 (if STATUS has
 * CAP_LIST set); each entry begins with an ID byte and the offset of the
 * next entry, 0 ending the list. PCI Express adds a second list from 0x100
 * with 32-bit headers: a 16-bit ID, a 4-bit version and a 12-bit next
 * offset.
 *
 * The lists come from devices, so they are checked like any other input:
 * a pointer into the header (below 0x40, or below 0x100 for the extended
 * list), past the end of the space, not dword aligned, or back to an
 * entry already seen (a loop) is reported naming the device, and the list
 * is cut there. The spec says software should mask the two low bits of a
 * pointer; we report them instead, as no correct device sets them.
 *
 * Pure code: configuration space is reached through access.c only.
 */
#include "drivers/pci/internal.h"
#include "kernel/device.h"

#define PCI_CAP_PTR_REG    PCI_CAPABILITY_LIST
#define PCI_EXT_CAP_START  PCI_CFG_SPACE_SIZE      /* the extended list starts at 0x100 */

/*
 * One walk in progress: which dwords it has visited (a second visit is a
 * loop) and what it needs for its messages.
 */
struct pci_cap_walk {
	struct pci_dev *pdev;
	const char *list;          /* "capability" or "extended capability" */
	unsigned lowest;           /* the first offset an entry may have */
	uint64_t seen[PCI_CFG_SPACE_EXP_SIZE / 4 / 64];  /* one bit per dword */
};

/* Remember capability @id at @offset; note the ones the core uses.
 * Return: false if the table is full (reported; the walk stops). */
static bool pci_cap_add(struct pci_dev *pdev, uint16_t id, uint16_t offset,
			uint8_t version, bool extended)
{
	if (pdev->cap_count == PCI_MAX_CAPS) {
		dev_warn(&pdev->dev, "more than %d capabilities; list cut at 0x%03x",
			 PCI_MAX_CAPS, offset);
		return false;
	}
	pdev->caps[pdev->cap_count++] = (struct pci_cap){ id, offset, version, extended };
	if (extended)
		return true;
	if (id == PCI_CAP_ID_EXP && !pdev->pcie_cap)
		pdev->pcie_cap = (uint8_t)offset;
	else if (id == PCI_CAP_ID_MSI && !pdev->msi_cap)
		pdev->msi_cap = (uint8_t)offset;
	else if (id == PCI_CAP_ID_MSIX && !pdev->msix_cap)
		pdev->msix_cap = (uint8_t)offset;
	return true;
}

/* May the walk go from @from to @ptr? If not, say why; the list ends. */
static bool pci_cap_step_ok(struct pci_cap_walk *w, unsigned from, unsigned ptr)
{
	const char *why = NULL;

	if (ptr < w->lowest)
		why = w->lowest == PCI_EXT_CAP_START ? "below 0x100" : "inside the header";
	else if (ptr + 4 > w->pdev->cfg_size)
		why = "past the end of configuration space";
	else if (ptr & 3)
		why = "not dword aligned";
	else if (w->seen[ptr / 4 / 64] & (1ULL << (ptr / 4 % 64)))
		why = "back to an entry already seen (a loop)";
	if (why) {
		dev_err(&w->pdev->dev, "%s list: pointer at 0x%03x leads to 0x%03x, %s; list cut",
			w->list, from, ptr, why);
		return false;
	}
	w->seen[ptr / 4 / 64] |= 1ULL << (ptr / 4 % 64);
	return true;
}

/* The list from 0x34 (PCI 3.0, 6.7). */
static void pci_walk_std_caps(struct pci_dev *pdev)
{
	struct pci_cap_walk w = { pdev, "capability", PCI_STD_HEADER_SIZEOF, { 0 } };
	unsigned from = PCI_CAP_PTR_REG;
	uint16_t status;
	uint8_t ptr, id;

	pci_read_config_word(pdev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST) || status == 0xffff)
		return;
	pci_read_config_byte(pdev, PCI_CAP_PTR_REG, &ptr);
	while (ptr && pci_cap_step_ok(&w, from, ptr)) {
		pci_read_config_byte(pdev, ptr + PCI_CAP_LIST_ID, &id);
		if (!pci_cap_add(pdev, id, ptr, 0, false))
			return;
		from = ptr + PCI_CAP_LIST_NEXT;
		pci_read_config_byte(pdev, from, &ptr);
	}
}

/* The list from 0x100 (PCIe 4.0, 7.6.3). Entries' next fields are not masked. */
static void pci_walk_ext_caps(struct pci_dev *pdev)
{
	struct pci_cap_walk w = { pdev, "extended capability", PCI_EXT_CAP_START, { 0 } };
	unsigned from = 0, ptr = PCI_EXT_CAP_START;
	uint32_t header;

	pci_read_config_dword(pdev, PCI_EXT_CAP_START, &header);
	if (header == 0 || header == 0xffffffffu)
		return;   /* no extended capabilities at all */
	while (ptr && pci_cap_step_ok(&w, from, ptr)) {
		pci_read_config_dword(pdev, ptr, &header);
		if (header == 0 || header == 0xffffffffu) {
			dev_err(&pdev->dev, "extended capability list: pointer at 0x%03x leads to "
				"0x%03x, which holds no capability; list cut", from, ptr);
			return;
		}
		if (!pci_cap_add(pdev, PCI_EXT_CAP_ID(header), (uint16_t)ptr,
				 PCI_EXT_CAP_VER(header), true))
			return;
		from = ptr;
		ptr = header >> 20;
	}
}

/*
 * Configuration space beyond 256 bytes exists only for PCI Express
 * functions, and only through ECAM: decide after the first list has told
 * us whether the function is PCI Express.
 */
void pci_read_caps(struct pci_dev *pdev)
{
	const struct pci_config_ops *ops = pci_config_get_ops();
	uint16_t flags;

	pdev->cap_count = 0;
	pdev->pcie_cap = pdev->msi_cap = pdev->msix_cap = 0;
	pdev->cfg_size = PCI_CFG_SPACE_SIZE;
	pci_walk_std_caps(pdev);
	if (pdev->pcie_cap) {
		pci_read_config_word(pdev, pdev->pcie_cap + PCI_EXP_FLAGS, &flags);
		pdev->pcie_type = (flags & PCI_EXP_FLAGS_TYPE_MASK) >> PCI_EXP_FLAGS_TYPE_SHIFT;
		if (ops && ops->size >= PCI_CFG_SPACE_EXP_SIZE)
			pdev->cfg_size = PCI_CFG_SPACE_EXP_SIZE;
	}
	if (pdev->cfg_size == PCI_CFG_SPACE_EXP_SIZE)
		pci_walk_ext_caps(pdev);
}

uint8_t pci_find_capability(const struct pci_dev *pdev, uint8_t cap_id)
{
	for (unsigned i = 0; i < pdev->cap_count; i++)
		if (!pdev->caps[i].extended && pdev->caps[i].id == cap_id)
			return (uint8_t)pdev->caps[i].offset;
	return 0;
}

uint16_t pci_find_ext_capability(const struct pci_dev *pdev, uint16_t cap_id)
{
	for (unsigned i = 0; i < pdev->cap_count; i++)
		if (pdev->caps[i].extended && pdev->caps[i].id == cap_id)
			return pdev->caps[i].offset;
	return 0;
}

/* ---- names, as the table in the boot log shows them ---- */

/* Standard capabilities, indexed by ID (PCI Code and ID Assignment spec). */
static const char *const pci_cap_names[] = {
	[PCI_CAP_ID_PM] = "PM",           [PCI_CAP_ID_AGP] = "AGP",
	[PCI_CAP_ID_VPD] = "VPD",         [PCI_CAP_ID_SLOTID] = "slot-ID",
	[PCI_CAP_ID_MSI] = "MSI",         [PCI_CAP_ID_CHSWP] = "hot-swap",
	[PCI_CAP_ID_PCIX] = "PCI-X",      [PCI_CAP_ID_HT] = "HyperTransport",
	[PCI_CAP_ID_VNDR] = "vendor",     [PCI_CAP_ID_DBG] = "debug-port",
	[PCI_CAP_ID_CCRC] = "CPCI-CRC",   [PCI_CAP_ID_SHPC] = "SHPC",
	[PCI_CAP_ID_SSVID] = "bridge-SSID", [PCI_CAP_ID_AGP3] = "AGP3",
	[PCI_CAP_ID_SECDEV] = "secure",   [PCI_CAP_ID_EXP] = "PCIe",
	[PCI_CAP_ID_MSIX] = "MSI-X",      [PCI_CAP_ID_SATA] = "SATA",
	[PCI_CAP_ID_AF] = "AF",           [PCI_CAP_ID_EA] = "EA",
	[PCI_CAP_ID_FPB] = "FPB",
};

const char *pci_cap_name(uint16_t cap_id)
{
	if (cap_id < sizeof(pci_cap_names) / sizeof(pci_cap_names[0]) && pci_cap_names[cap_id])
		return pci_cap_names[cap_id];
	return "unknown";
}

/* Extended capabilities, indexed by ID. */
static const char *const pci_ext_cap_names[] = {
	[PCI_EXT_CAP_ID_ERR] = "AER",     [PCI_EXT_CAP_ID_VC] = "VC",
	[PCI_EXT_CAP_ID_DSN] = "serial",  [PCI_EXT_CAP_ID_PWR] = "power-budget",
	[PCI_EXT_CAP_ID_RCLD] = "RC-link", [PCI_EXT_CAP_ID_RCILC] = "RC-ILC",
	[PCI_EXT_CAP_ID_RCEC] = "RCEC",   [PCI_EXT_CAP_ID_MFVC] = "MFVC",
	[PCI_EXT_CAP_ID_VC9] = "VC",      [PCI_EXT_CAP_ID_RCRB] = "RCRB",
	[PCI_EXT_CAP_ID_VNDR] = "vendor", [PCI_EXT_CAP_ID_ACS] = "ACS",
	[PCI_EXT_CAP_ID_ARI] = "ARI",     [PCI_EXT_CAP_ID_ATS] = "ATS",
	[PCI_EXT_CAP_ID_SRIOV] = "SR-IOV", [PCI_EXT_CAP_ID_MCAST] = "multicast",
	[PCI_EXT_CAP_ID_PRI] = "PRI",     [PCI_EXT_CAP_ID_REBAR] = "resizable-BAR",
	[PCI_EXT_CAP_ID_DPA] = "DPA",     [PCI_EXT_CAP_ID_TPH] = "TPH",
	[PCI_EXT_CAP_ID_LTR] = "LTR",     [PCI_EXT_CAP_ID_SECPCI] = "secondary-PCIe",
	[PCI_EXT_CAP_ID_PMUX] = "PMUX",   [PCI_EXT_CAP_ID_PASID] = "PASID",
	[PCI_EXT_CAP_ID_DPC] = "DPC",     [PCI_EXT_CAP_ID_L1SS] = "L1SS",
	[PCI_EXT_CAP_ID_PTM] = "PTM",     [PCI_EXT_CAP_ID_DVSEC] = "DVSEC",
	[PCI_EXT_CAP_ID_DLF] = "DLF",     [PCI_EXT_CAP_ID_PL_16GT] = "16GT",
};

const char *pci_ext_cap_name(uint16_t cap_id)
{
	if (cap_id < sizeof(pci_ext_cap_names) / sizeof(pci_ext_cap_names[0]) &&
	    pci_ext_cap_names[cap_id])
		return pci_ext_cap_names[cap_id];
	return "unknown";
}
