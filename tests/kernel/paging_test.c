/*
 * paging_test.c - the kernel's own page tables: W^X, the stack guard,
 * the direct map and ioremap's memory types, read back from the PTEs.
 */
#include "boot/boot_info.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/paging.h"
#include "kernel/traps.h"
#include "kernel/x86.h"

#define MSR_PAT          0x277
#define HPET_PHYS        0xfed00000ULL   /* q35's HPET (the acpi suite checks ACPI agrees) */
#define UNUSED_MMIO_PHYS 0xfed01000ULL   /* the page after the HPET: no device, never read */
#define LOW_MEMORY_END   0x100000ULL
#define FOUR_GIB         0x100000000ULL
#define HPET_VENDOR_SHIFT 16
#define HPET_VENDOR_INTEL 0x8086u        /* what QEMU's HPET reports */
#define X86_RET          0xc3

extern struct boot_info boot_info;

static const char *paging_skip(void)
{
	uint64_t pte, size;

	return paging_lookup(__text_start, &pte, &size) ? NULL : "kernel page tables not live";
}

/* No page of the image is both writable and executable, and each part
 * has the permissions its contents need. */
static void image_is_w_xor_x(struct ktest *t)
{
	uint64_t pte = 0, size = 0;
	unsigned both = 0;

	for (char *p = __kernel_start; p < __kernel_end; p += PT_SIZE_4K)
		if (paging_lookup(p, &pte, &size) && (pte & PTE_WRITE) && !(pte & PTE_NX))
			both++;
	KT_EXPECT_EQ(t, both, 0);
	KT_ASSERT_TRUE(t, paging_lookup(__text_start, &pte, &size));
	KT_EXPECT_FALSE(t, pte & PTE_WRITE);
	KT_EXPECT_FALSE(t, pte & PTE_NX);
	KT_ASSERT_TRUE(t, paging_lookup(__rodata_start, &pte, &size));
	KT_EXPECT_FALSE(t, pte & PTE_WRITE);
	KT_EXPECT_TRUE(t, pte & PTE_NX);
	KT_ASSERT_TRUE(t, paging_lookup(&boot_info, &pte, &size));
	KT_EXPECT_TRUE(t, pte & PTE_WRITE);
	KT_EXPECT_TRUE(t, pte & PTE_NX);
}

__attribute__((noipa)) static void poke_byte(volatile char *p, char v)
{
	*p = v;
}

static void write_to_text_faults(struct ktest *t)
{
	struct fault_catch fc;
	volatile char *code = (volatile char *)(uintptr_t)image_is_w_xor_x;

	if (fault_catch_try(&fc) == 0) {
		poke_byte(code, 0);
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_PF);
	KT_EXPECT_UEQ(t, fc.cr2, (uintptr_t)code);
	KT_EXPECT_UEQ(t, fc.error_code & (PF_ERR_PRESENT | PF_ERR_WRITE),
		      PF_ERR_PRESENT | PF_ERR_WRITE);
}

static void execute_data_faults(struct ktest *t)
{
	static unsigned char data_code[16] = { X86_RET };
	struct fault_catch fc;
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	if (fault_catch_try(&fc) == 0) {
		fn();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_PF);
	KT_EXPECT_UEQ(t, fc.cr2, (uintptr_t)data_code);
	KT_EXPECT_UEQ(t, fc.error_code & PF_ERR_FETCH, PF_ERR_FETCH);
	/* Data has no symbol: the report must not pin it on a function. */
	KT_EXPECT_SUBSTR(t, fc.report, "<?+0x0>");
}

__attribute__((noipa)) static char peek_byte(const volatile char *p)
{
	return *p;
}

/* The page under the boot stack is a hole: overflowing the stack faults. */
static void stack_guard_faults(struct ktest *t)
{
	struct fault_catch fc;
	uint64_t pte = 0, size = 0;

	KT_EXPECT_FALSE(t, paging_lookup(boot_stack_guard, &pte, &size));
	if (fault_catch_try(&fc) == 0) {
		peek_byte(boot_stack_guard + PT_SIZE_4K - 8);
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_PF);
	KT_EXPECT_UEQ(t, fc.cr2, (uintptr_t)boot_stack_guard + PT_SIZE_4K - 8);
	KT_EXPECT_UEQ(t, fc.error_code & PF_ERR_PRESENT, 0);
}

/* Every RAM region is in the direct map, write-back, no-execute, and
 * translates back to itself. The identity map is gone. */
static void direct_map_covers_ram(struct ktest *t)
{
	uint64_t pte = 0, size = 0;

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		uint64_t probes[2] = { r->base, r->base + r->length - 1 };
		if (r->type != BOOT_MEM_USABLE)
			continue;
		for (int j = 0; j < 2; j++) {
			KT_ASSERT_TRUE(t, paging_lookup(phys_to_virt(probes[j]), &pte, &size));
			KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, (uintptr_t)phys_to_virt(probes[j])),
				      probes[j]);
			KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WB);
			KT_EXPECT_TRUE(t, pte & PTE_NX);
		}
	}
	KT_EXPECT_FALSE(t, paging_lookup((void *)(uintptr_t)0x200000, &pte, &size));
}

/* ioremap gives the memory type asked for: read the PTE and the PAT back,
 * and read a device register through the mapping. */
static void ioremap_memory_types(struct ktest *t)
{
	uint64_t pte = 0, size = 0;
	volatile uint64_t *uc = ioremap(HPET_PHYS, PT_SIZE_4K, PAGE_CACHE_UC);
	void *wc = ioremap(UNUSED_MMIO_PHYS, PT_SIZE_4K, PAGE_CACHE_WC);

	KT_EXPECT_UEQ(t, rdmsr(MSR_PAT), PAT_MSR_VALUE);
	KT_ASSERT_NOT_NULL(t, uc);
	KT_ASSERT_NOT_NULL(t, wc);
	KT_ASSERT_TRUE(t, paging_lookup((const void *)uc, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_UC);
	KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, (uintptr_t)uc), HPET_PHYS);
	KT_EXPECT_UEQ(t, (uc[0] >> HPET_VENDOR_SHIFT) & 0xffff, HPET_VENDOR_INTEL);
	KT_ASSERT_TRUE(t, paging_lookup(wc, &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_WC);
	iounmap((void *)uc);
	iounmap(wc);
	KT_EXPECT_FALSE(t, paging_lookup((const void *)uc, &pte, &size));
}

/* One page never gets two memory types: the HPET is mapped uncached for
 * the clock, so a write-combining window onto it is refused. */
static void ioremap_refuses_a_second_type(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	void *same = ioremap(HPET_PHYS, PT_SIZE_4K, PAGE_CACHE_UC);

	ktest_expect_error(t, "already mapped with another memory type");
	KT_EXPECT_NULL(t, ioremap(HPET_PHYS, PT_SIZE_4K, PAGE_CACHE_WC));
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_NOT_NULL(t, same);             /* the same type is fine */
	if (same)
		iounmap(same);
}

/* Firmware-reserved memory below 4 GiB is also in the direct map: a window
 * onto it switches that alias to the window's type. */
static void ioremap_aligns_direct_map_alias(struct ktest *t)
{
	uint64_t pte = 0, size = 0, phys = 0;
	void *win;

	for (uint32_t i = 0; i < boot_info.mem_count && !phys; i++)
		if (boot_info.mem[i].type == BOOT_MEM_RESERVED &&
		    boot_info.mem[i].base >= LOW_MEMORY_END &&
		    boot_info.mem[i].base + boot_info.mem[i].length <= FOUR_GIB &&
		    boot_info.mem[i].length >= PT_SIZE_4K)
			phys = (boot_info.mem[i].base + PT_SIZE_4K - 1) & ~(PT_SIZE_4K - 1);
	if (!phys)
		KT_SKIP(t, "no reserved region below 4 GiB");
	win = ioremap(phys, PT_SIZE_4K, PAGE_CACHE_UC);
	KT_ASSERT_NOT_NULL(t, win);
	KT_ASSERT_TRUE(t, paging_lookup(phys_to_virt(phys), &pte, &size));
	KT_EXPECT_EQ(t, pt_entry_cache(pte, size), PAGE_CACHE_UC);
	iounmap(win);
}

/* Offsets within a page survive; RAM and nonsense are refused and logged. */
static void ioremap_offsets_and_refusals(struct ktest *t)
{
	unsigned long errs = log_count(LOG_ERR);
	char *p = ioremap(HPET_PHYS + 0xf0, 8, PAGE_CACHE_UC);

	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_UEQ(t, (uintptr_t)p & 0xfff, 0xf0);
	iounmap(p);
	ktest_expect_error(t, "paging: error: ioremap(");
	ktest_expect_error(t, "paging: error: iounmap(0xffffc9000badf000)");
	KT_EXPECT_NULL(t, ioremap(virt_to_phys(&boot_info), 16, PAGE_CACHE_UC));
	KT_EXPECT_NULL(t, ioremap(HPET_PHYS, 0, PAGE_CACHE_UC));
	KT_EXPECT_NULL(t, ioremap(~0ULL - 8, 64, PAGE_CACHE_UC));
	iounmap((void *)0xffffc9000badf000ULL);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 4);
}

/* More live windows than the table first holds (67 edu devices once met
 * "no room" at 64): the table grows, every window maps its page, and all
 * of them go away again. The page lies above everything the direct map
 * covers, so it is neither RAM nor aliased; it is never read. */
#define MANY_WINDOWS 200
static void ioremap_many_windows(struct ktest *t)
{
	static void *win[MANY_WINDOWS];
	uint64_t phys = (paging_direct_map_end() + PT_SIZE_4K - 1) & ~(PT_SIZE_4K - 1);
	unsigned long errs = log_count(LOG_ERR);
	uint64_t pte, size;
	unsigned mapped = 0;

	for (unsigned i = 0; i < MANY_WINDOWS; i++) {
		win[i] = ioremap(phys, PT_SIZE_4K, PAGE_CACHE_UC);
		if (!win[i])
			break;
		mapped++;
	}
	KT_EXPECT_EQ(t, mapped, MANY_WINDOWS);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
	for (unsigned i = 0; i < mapped; i++) {
		KT_ASSERT_TRUE(t, paging_lookup(win[i], &pte, &size));
		KT_EXPECT_UEQ(t, pt_entry_phys(pte, size, (uintptr_t)win[i]), phys);
		KT_EXPECT_TRUE(t, i == 0 || win[i] != win[i - 1]);
	}
	for (unsigned i = 0; i < mapped; i++)
		iounmap(win[i]);
	for (unsigned i = 0; i < mapped; i++)
		KT_EXPECT_FALSE(t, paging_lookup(win[i], &pte, &size));
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
}

KTEST_SUITE_EXT(paging, 0, paging_skip, KTEST_CASE(image_is_w_xor_x),
		KTEST_CASE(write_to_text_faults), KTEST_CASE(execute_data_faults),
		KTEST_CASE(stack_guard_faults), KTEST_CASE(direct_map_covers_ram),
		KTEST_CASE(ioremap_memory_types), KTEST_CASE(ioremap_refuses_a_second_type),
		KTEST_CASE(ioremap_aligns_direct_map_alias),
		KTEST_CASE(ioremap_offsets_and_refusals),
		KTEST_CASE(ioremap_many_windows));
