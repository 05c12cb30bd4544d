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
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/layout.h"
#include "kernel/panic.h"
#include "kernel/power.h"
#include "kernel/string.h"
#include "kernel/time.h"
#include "kernel/traps.h"
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

static const char *boot_mem_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:       return "usable";
	case BOOT_MEM_RESERVED:     return "reserved";
	case BOOT_MEM_ACPI_RECLAIM: return "ACPI data";
	case BOOT_MEM_ACPI_NVS:     return "ACPI NVS";
	case BOOT_MEM_UNUSABLE:     return "unusable";
	case BOOT_MEM_LOADER:       return "loader";
	default:                    return "unknown";
	}
}

/* The firmware's memory map, one line per region, and the usable total. */
static void boot_log_memmap(void)
{
	uint64_t usable = 0;

	pr_info("memory map from %s: %u regions%s", boot_info.firmware,
		boot_info.mem_count, boot_info.mem_truncated ? " (truncated)" : "");
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_LOADER)
			usable += r->length;
		pr_info("  [mem 0x%016llx-0x%016llx] %s", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->length - 1),
			boot_mem_type_name(r->type));
	}
	pr_info("usable RAM: %llu MiB", (unsigned long long)(usable >> 20));
	if (boot_info.mem_count == 0)
		pr_err("the boot path gave no memory map");
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

/* Parse the command line and apply the switches that matter this early. */
static void boot_parse_cmdline(void)
{
	uint64_t level;
	int err = cmdline_parse(&kernel_cmdline, boot_info.cmdline);

	if (err)
		pr_err("command line: %s; using what could be parsed",
		       err == -E2BIG ? "too long or too many words" : "unterminated quote");
	if (cmdline_get_u64(&kernel_cmdline, "loglevel", &level) == 0)
		log_set_level((int)level);
	pr_info("command line: \"%s\"", boot_info.cmdline);
}

/* Run the in-kernel tests the command line asked for, then power off. */
static void boot_run_tests(const char *filter)
{
	struct ktest_totals tot;
	int rc;

	pr_info("running in-kernel tests matching \"%s\"", filter);
	rc = ktest_run(filter, &tot);
	if (tot.suites == 0)
		pr_err("ktest: no suite matches \"%s\"", filter);
	power_off(rc == 0 && tot.suites ? EXIT_TESTS_PASS : EXIT_TESTS_FAIL);
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
	boot_log_memmap();

	filter = cmdline_get(&kernel_cmdline, "ktest");
	if (filter)
		boot_run_tests(*filter ? filter : "*");
	pr_info("boot complete; no shell yet. Ctrl-A x leaves QEMU.");
	for (;;)
		cpu_halt();
}
