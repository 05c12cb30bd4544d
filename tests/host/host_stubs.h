/*
 * host_stubs.h - the kernel services the memory manager's host tests
 * replace: the logger and physical memory (tests/host/host_stubs.c).
 */
#ifndef TESTS_HOST_HOST_STUBS_H
#define TESTS_HOST_HOST_STUBS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include "boot/boot_info.h"

#define HOST_GIB (1ULL << 30)
#define HOST_MIB (1ULL << 20)
#define HOST_KIB (1ULL << 10)

/*
 * Back physical addresses [0, @size) with host memory, reserved but not
 * committed: only the pages a test touches cost anything. Replaces any
 * earlier window. Return: 0, or -1 if the host refuses the mapping.
 */
int host_ram_create(uint64_t size);
void host_ram_destroy(void);

/*
 * Boot the memory manager on a fake machine: a boot_info holding @mem,
 * memmap_init(), a RAM window up to memmap_ram_end(), page_alloc_init()
 * with the boot direct map's reach (4 GiB, or less if RAM ends lower),
 * kmalloc_init(). @cmdline is parsed into kernel_cmdline first.
 * Return: 0, or -1 (no usable RAM, or no host memory for the window).
 */
int host_mm_boot(const struct boot_mem_region *mem, uint32_t count,
		 uint64_t kernel_phys, uint64_t kernel_size, const char *cmdline);

/* The last line logged through log_write(), formatted like the kernel's. */
const char *host_log_last(void);

/* spin_lock_recursion() (kernel/spinlock.h) records the lock's name here
 * and longjmps to *host_spin_recursion_catch when a test set it; else it
 * aborts, as the kernel panics. */
extern jmp_buf *host_spin_recursion_catch;
extern const char *host_spin_recursion_lock;

/* in_interrupt() (kernel/irq.h) returns this: a test pretends to be a handler. */
extern bool host_in_interrupt;

/* xorshift64*: a small, fast generator giving the same sequence on every
 * machine, so a failing random test fails the same way again. */
static inline uint64_t host_xorshift(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

#endif /* TESTS_HOST_HOST_STUBS_H */
