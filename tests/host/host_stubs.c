/*
 * host_stubs.c - the kernel services the memory manager's host tests replace.
 *
 * The logger (kernel/log.h): each line is formatted the way the kernel
 * formats it, minus the timestamp, counted per level and kept as "the last
 * line" for tests that check what was reported. Lines go to stderr only
 * when HOSTTESTS_LOG is set in the environment, so provoked errors do not
 * drown the KTAP output.
 *
 * Physical memory (kernel/mm/page_alloc_internal.h): the fake machine's
 * physical addresses [0, size) are one anonymous mapping made with
 * MAP_NORESERVE. The host hands out its pages only when touched, so a
 * machine whose RAM ends at 8 GiB costs little more than its 32 MiB page
 * array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kernel/cmdline.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/timer.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc_internal.h"
#include "kernel/device.h"
#include "kernel/spinlock.h"
#include "tests/host/host_stubs.h"

#define HOST_LOG_LINE   512
#define HOST_LOG_LEVELS 8
#define HOST_LOG_ENV    "HOSTTESTS_LOG"

/* The logger's state: counts and the last line. */
static struct {
	int level;                              /* log_set_level(), kept for log_get_level() */
	unsigned long count[HOST_LOG_LEVELS];   /* lines seen per level */
	char last[HOST_LOG_LINE];               /* the last line, formatted */
} host_log = { .level = LOG_LEVEL_DEFAULT };

/* The fake machine's physical memory. */
static struct {
	unsigned char *base;   /* host address of physical 0 */
	uint64_t size;         /* bytes of physical address space backed */
} host_ram;

static struct boot_info host_boot_info;  /* big: not on the stack */

void log_set_level(int level)
{
	host_log.level = level;
}

int log_get_level(void)
{
	return host_log.level;
}

unsigned long log_count(int level)
{
	return level >= 0 && level < HOST_LOG_LEVELS ? host_log.count[level] : 0;
}

/* The kernel's severity word, so checked messages read the same. */
static const char *host_log_tag(int level)
{
	return level == LOG_ERR ? "error: " : level == LOG_WARN ? "warning: " : "";
}

void log_vwrite(int level, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (level >= 0 && level < HOST_LOG_LEVELS)
		host_log.count[level]++;
	n = snprintf(host_log.last, sizeof(host_log.last), "%s: %s", prefix,
		     host_log_tag(level));
	if (n >= 0 && n < (int)sizeof(host_log.last))
		vsnprintf(host_log.last + n, sizeof(host_log.last) - (size_t)n, fmt, ap);
	if (getenv(HOST_LOG_ENV))
		fprintf(stderr, "%s\n", host_log.last);
}

void log_write(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, prefix, fmt, ap);
	va_end(ap);
}

const char *host_log_last(void)
{
	return host_log.last;
}

void host_ram_destroy(void)
{
	if (host_ram.base)
		munmap(host_ram.base, host_ram.size);
	host_ram.base = NULL;
	host_ram.size = 0;
}

int host_ram_create(uint64_t size)
{
	void *p;

	host_ram_destroy();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	host_ram.base = p;
	host_ram.size = size;
	return 0;
}

/* A physical address outside the window is a bug in the code under test. */
void *mm_phys_to_virt(uint64_t phys)
{
	if (phys >= host_ram.size) {
		fprintf(stderr, "host_stubs: phys 0x%llx outside the fake RAM (0x%llx bytes)\n",
			(unsigned long long)phys, (unsigned long long)host_ram.size);
		abort();
	}
	return host_ram.base + phys;
}

uint64_t mm_virt_to_phys(const void *addr)
{
	uintptr_t v = (uintptr_t)addr, base = (uintptr_t)host_ram.base;

	if (!host_ram.base || v < base || v - base >= host_ram.size)
		return MM_NO_PHYS;
	return v - base;
}

int host_mm_boot(const struct boot_mem_region *mem, uint32_t count,
		 uint64_t kernel_phys, uint64_t kernel_size, const char *cmdline)
{
	struct boot_info *bi = &host_boot_info;
	uint64_t end;

	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->boot_path = BOOT_PATH_PVH;
	bi->kernel_phys = kernel_phys;
	bi->kernel_size = kernel_size;
	bi->mem_count = count < BOOT_MEMMAP_MAX ? count : BOOT_MEMMAP_MAX;
	memcpy(bi->mem, mem, bi->mem_count * sizeof(*mem));
	cmdline_parse(&kernel_cmdline, cmdline ? cmdline : "");
	if (memmap_init(bi) != 0)
		return -1;
	end = memmap_ram_end();
	if (host_ram_create(end) != 0)
		return -1;
	page_alloc_init(end < BOOT_MIN_MAPPED ? end : BOOT_MIN_MAPPED);
	kmalloc_init();
	return 0;
}

/* kernel/mm/layout.h's image symbols: the host has no kernel image, but
 * code that can convert image addresses (sg_set_buf) still links. */
char __kernel_start[1], __kernel_end[1];
uint64_t kernel_phys_base;

/* kernel/irqflags.h's seam: the simulated RFLAGS.IF. Host code "runs" with
 * interrupts on, as the kernel does after boot. */
bool host_irqs_enabled = true;

jmp_buf *host_spin_recursion_catch;
const char *host_spin_recursion_lock;

/* The kernel panics; a host test may catch it instead (host_stubs.h). */
void spin_lock_recursion(spinlock_t *lock)
{
	host_spin_recursion_lock = lock->name;
	if (host_spin_recursion_catch)
		longjmp(*host_spin_recursion_catch, 1);
	fprintf(stderr, "spinlock %s: taken again while held\n", lock->name);
	abort();
}

/* kernel/panic.h: a broken invariant ends the host test run loudly. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "PANIC: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* kernel/irq.h: host tests run outside any handler unless they say so. */
bool host_in_interrupt;
bool in_interrupt(void) { return host_in_interrupt; }

/* kernel/timer.h: host tests drive timer_tick() themselves. */
int timer_tick_start(void) { return 0; }
