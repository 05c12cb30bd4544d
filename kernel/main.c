/*
 * main.c - from the boot hand-off to a running kernel.
 *
 * Both boot paths (boot/entry.S) arrive in kernel_main() with a struct
 * boot_info. The order below matters: the console first, so anything
 * later can complain; the clock, so log lines carry time; our own GDT and
 * IDT, so a fault anywhere after that produces a readable report.
 */
#define LOG_PREFIX "boot"
#include "boot/boot_info.h"
#include "dma/debug.h"
#include "dma/swiotlb.h"
#include "drivers/pci/pci.h"
#include "kernel/acpi/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/completion.h"
#include "kernel/console.h"
#include "kernel/apic.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/ioapic.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/timer.h"
#include "kernel/traps.h"
#include "kernel/tty.h"
#include "kernel/x86.h"

#ifndef BUSMASTER_VERSION
#define BUSMASTER_VERSION "unknown"
#endif

uint64_t kernel_phys_base;
struct boot_info boot_info;  /* the kernel's copy of the hand-off */

void kernel_main(const struct boot_info *bi) __attribute__((noreturn));

/* Output seam of kernel/ktest.c: the console. */
void ktest_vprintf(const char *fmt, va_list ap)
{
	vprintk(fmt, ap);
}

/* Copy and check the hand-off before anything relies on it. */
static void boot_info_accept(const struct boot_info *bi)
{
	memcpy(&boot_info, bi, sizeof(boot_info));
	boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
	boot_info.firmware[BOOT_FIRMWARE_MAX - 1] = '\0';
	if (boot_info.magic != BOOT_INFO_MAGIC || boot_info.version != BOOT_INFO_VERSION)
		panic("boot info has magic %#llx version %u, expected %#llx version %u",
		      (unsigned long long)boot_info.magic, boot_info.version,
		      (unsigned long long)BOOT_INFO_MAGIC, BOOT_INFO_VERSION);
	kernel_phys_base = boot_info.kernel_phys;
}

CMDLINE_PARAM(loglevel, "loglevel", CMDLINE_NUMBER,
	      "messages up to this level reach the console (3 errors ... 7 debug)");
CMDLINE_PARAM(ktest, "ktest", CMDLINE_STRING,
	      "run the in-kernel tests: comma-separated globs over suites or suite.case");
CMDLINE_PARAM(ktest_family, "ktest.", CMDLINE_STRING,
	      "ktest.<name>=...: what the scenario tells a test about the machine");
CMDLINE_PARAM(dma_debug, "dma_debug", CMDLINE_BOOL,
	      "check every DMA API call (Linux's CONFIG_DMA_API_DEBUG)");

/* Parse the command line, name what is wrong in it, and apply the
 * switches that matter this early. */
static void boot_parse_cmdline(void)
{
	uint64_t level;
	int err = cmdline_parse(&kernel_cmdline, boot_info.cmdline);

	if (err == -E2BIG)
		pr_err("command line: more than %d words or %d bytes (CMDLINE_MAX_PARAMS, "
		       "BOOT_CMDLINE_MAX); the rest is dropped", CMDLINE_MAX_PARAMS,
		       BOOT_CMDLINE_MAX - 1);
	else if (err)
		pr_err("command line: unterminated quote; the value runs to the end");
	if (cmdline_get_u64(&kernel_cmdline, "loglevel", &level) == 0)
		log_set_level((int)level);
	pr_info("command line: \"%s\"", boot_info.cmdline);
	cmdline_check_boot();
}

/* The memory manager, in the order its pieces depend on each other. */
static void boot_mm_init(void)
{
	if (memmap_init(&boot_info) != 0)
		panic("the memory map holds no usable RAM; cannot continue");
	page_alloc_init(BOOT_MIN_MAPPED);     /* the boot direct map covers 4 GiB */
	kmalloc_init();
	if (paging_init() != 0)
		return;  /* still on the boot tables: keep to what they map */
	page_alloc_extend(memmap_ram_end());  /* RAM above 4 GiB is mapped now */
	page_alloc_release_loader();          /* the loader's tables are unused now */
}

/* A better clock for the TSC: the HPET if ACPI lists one, else the PM timer. */
static void boot_time_init(void)
{
	const struct acpi_info *a = acpi_get_info();
	void *hpet = a->hpet_present ? ioremap(a->hpet.base_phys, HPET_MMIO_SIZE,
					       PAGE_CACHE_UC) : NULL;

	int err = time_calibrate(hpet, a->fadt.pm_timer_port, a->fadt.pm_timer_32bit);

	if (!err)
		pr_info("TSC %llu kHz, calibrated against %s",
			(unsigned long long)(tsc_hz() / 1000), time_ref_name());
	else if (err == -ENODEV)
		pr_warn("no HPET or PM timer; the TSC keeps its PIT calibration");
}

/* The DMA layer: the bounce pool (low memory, before drivers take it) and
 * the API checker, both from the command line. */
static void boot_dma_init(void)
{
	bool check = cmdline_get_bool(&kernel_cmdline, "dma_debug", false);

	swiotlb_init_from_cmdline(&kernel_cmdline);
	dma_debug_init(check);
	pr_info("DMA-API checker %s", check ? "on (dma_debug=on)" :
		"off (dma_debug=on checks every DMA API call)");
}

/* Interrupts: park the PICs, bring up the LAPIC, then let them in. */
static void boot_irq_init(void)
{
	pic_disable();
	if (lapic_init() != 0)
		return;
	ioapic_init();        /* wired interrupts: ISA IRQs and PCI INTx */
	local_irq_enable();
}

extern const struct ktest_suite *const __start_ktest_suites[];
extern const struct ktest_suite *const __stop_ktest_suites[];

/* A filter that selected nothing is a mistake, not a pass: list what
 * there is and end with a status of its own. */
static void boot_no_tests(const char *filter)
{
	pr_err("ktest: \"%s\" matches no suite or case; the suites are:", filter);
	for (const struct ktest_suite *const *sp = __start_ktest_suites;
	     sp < __stop_ktest_suites; sp++)
		pr_info("ktest:   %s%s", (*sp)->name,
			(*sp)->flags & KTEST_EXPLICIT ? " (runs only when named exactly)" : "");
	power_off(EXIT_TESTS_NONE);
}

/* Run the in-kernel tests the command line asked for, then power off. */
static void boot_run_tests(const char *filter)
{
	struct ktest_totals tot;
	int rc;

	pr_info("running in-kernel tests matching \"%s\"", filter);
	rc = ktest_run(filter, &tot);
	if (tot.suites == 0 || tot.pass + tot.fail + tot.skip == 0)
		boot_no_tests(filter);
	power_off(rc == 0 ? EXIT_TESTS_PASS : EXIT_TESTS_FAIL);
}

/* Until the shell: read typed lines (halted between them) and say what came. */
static void __attribute__((noreturn)) boot_echo_lines(void)
{
	char line[128];
	long n;

	if (!tty_rx_irq_driven())
		for (;;)
			cpu_idle_once();
	for (;;) {
		n = console_read_line(line, sizeof(line), 3600 * HZ);
		if (n >= 0 || n == -EOVERFLOW)
			pr_info("typed line: \"%s\" (no shell yet)", line);
	}
}

void kernel_main(const struct boot_info *bi)
{
	const char *filter;

	console_init();
	time_init();
	cpu_init();
	gdt_init();
	traps_init();
	boot_info_accept(bi);
	pr_info("Busmaster %s, booted via %s (%s)", BUSMASTER_VERSION,
		boot_info.boot_path == BOOT_PATH_UEFI ? "UEFI" : "PVH", boot_info.firmware);
	pr_info("kernel image at phys %#llx, %llu KiB; RSDP at %#llx; TSC %llu MHz",
		(unsigned long long)kernel_phys_base,
		(unsigned long long)(boot_info.kernel_size >> 10),
		(unsigned long long)boot_info.rsdp_phys,
		(unsigned long long)(tsc_hz() / 1000000));
	boot_parse_cmdline();
	cpu_log_features();
	boot_mm_init();
	acpi_init(boot_info.rsdp_phys);
	boot_time_init();
	boot_irq_init();
	tty_init();           /* console input by COM1's interrupt */
	boot_dma_init();
	pci_init();

	filter = cmdline_get(&kernel_cmdline, "ktest");
	if (filter)
		boot_run_tests(*filter ? filter : "*");
	pr_info("boot complete; no shell yet: a typed line is echoed back. Ctrl-A x leaves QEMU.");
	boot_echo_lines();
}
