/*
 * ktest_selftest_qemu.c - make QEMU itself complain on its stderr, to prove
 * the harness fails a run for a stderr line the scenario does not allow.
 *
 * Device: QEMU's intel-iommu (-device intel-iommu), VT-d spec rev 3.x
 * section 6.5.2 (queued invalidation) and 11.4 (registers). The case queues
 * one all-zero descriptor: type 0 is reserved, so QEMU 7.2 reports
 * "vtd_process_inv_desc: invalid inv desc: ... (unknown type)" on its
 * stderr and sets the Invalidation Queue Error bit. Translation stays off
 * throughout. Queued invalidation stays on: QEMU refuses to turn it off
 * unless the queue ended in a wait descriptor, and the run ends here anyway.
 * KTEST_EXPLICIT: only the scenario selftest-stderr-guest names it.
 */
#define LOG_PREFIX "ktest_selftest"
#include "kernel/acpi/acpi.h"
#include "kernel/ktest.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/string.h"
#include "kernel/x86.h"

#define VTD_GCMD    0x18  /* global command (W) */
#define VTD_GSTS    0x1c  /* global status (R) */
#define VTD_FSTS    0x34  /* fault status (RW1C) */
#define VTD_IQT     0x88  /* invalidation queue tail (RW), 64-bit */
#define VTD_IQA     0x90  /* invalidation queue address (RW), 64-bit */
#define VTD_GCMD_QIE   (1u << 26)  /* queued invalidation enable */
#define VTD_FSTS_IQE   (1u << 4)   /* invalidation queue error */
#define VTD_DESC_SIZE  16          /* a 128-bit descriptor (IQA.DW = 0) */

static uint32_t vtd_read32(volatile uint8_t *regs, unsigned off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void vtd_write32(volatile uint8_t *regs, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(regs + off) = val;
}

static void vtd_write64(volatile uint8_t *regs, unsigned off, uint64_t val)
{
	*(volatile uint64_t *)(regs + off) = val;
}

/* Wait (bounded) for GSTS to show @bit set, as the spec asks after GCMD. */
static bool vtd_wait_status(volatile uint8_t *regs, uint32_t bit)
{
	for (unsigned i = 0; i < 1000000; i++) {
		if (vtd_read32(regs, VTD_GSTS) & bit)
			return true;
		cpu_relax();
	}
	return false;
}

/* Queue one reserved (all-zero) descriptor; QEMU must flag it (FSTS.IQE). */
static void reserved_inv_desc(struct ktest *t)
{
	const struct acpi_info *acpi = acpi_get_info();
	volatile uint8_t *regs;
	struct page *queue;

	if (!acpi->dmar_present || !acpi->dmar.drhd_count) {
		ktest_skip(t, "no DMAR unit (add -device intel-iommu)");
		return;
	}
	queue = alloc_pages(__GFP_ZERO, 0);
	KT_ASSERT_TRUE(t, queue != NULL);
	regs = ioremap(acpi->dmar.drhds[0].base, 4096, PAGE_CACHE_UC);
	if (!regs) {
		KT_EXPECT_TRUE(t, regs != NULL);
		goto out_free;
	}
	vtd_write64(regs, VTD_IQA, page_to_phys(queue));   /* QS = 0: 256 entries */
	vtd_write32(regs, VTD_GCMD, VTD_GCMD_QIE);
	KT_EXPECT_TRUE(t, vtd_wait_status(regs, VTD_GCMD_QIE));
	vtd_write64(regs, VTD_IQT, VTD_DESC_SIZE);          /* one descriptor queued */
	KT_EXPECT_TRUE(t, vtd_read32(regs, VTD_FSTS) & VTD_FSTS_IQE);
	vtd_write32(regs, VTD_FSTS, VTD_FSTS_IQE);
	iounmap((void *)regs);
out_free:
	__free_pages(queue, 0);
}

KTEST_SUITE_EXT(ktest_selftest_qemu, KTEST_EXPLICIT, NULL, KTEST_CASE(reserved_inv_desc));
