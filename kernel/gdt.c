/*
 * gdt.c - the kernel's GDT and 64-bit TSS (Intel SDM Vol. 3A, 3.4.5
 * "Segment Descriptors" and 8.7 "Task Management in 64-bit Mode").
 */
#include "kernel/gdt.h"
#include "kernel/string.h"

#define IST_STACK_SIZE 8192
#define IST_COUNT      3

/* Descriptor bits. */
#define SEG_CODE64     0x00af9a000000ffffULL  /* present, DPL0, code, L=1 */
#define SEG_DATA       0x00cf92000000ffffULL  /* present, DPL0, data, writable */
#define TSS_TYPE_AVAIL 0x9                    /* 64-bit TSS (available) */
#define DESC_PRESENT   0x80

/* The hardware-defined 64-bit TSS. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];         /* stacks for privilege changes (unused: ring 0 only) */
	uint64_t reserved1;
	uint64_t ist[7];         /* interrupt stack table, IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;     /* offset of the I/O bitmap: none */
} __attribute__((packed));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char boot_stack_bottom[], boot_stack_top[];

static struct {
	uint64_t gdt[5];         /* null, code, data, TSS (two slots) */
	struct tss64 tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
} cpu0;

/* A 16-byte system descriptor for the TSS at @base. */
static void gdt_set_tss(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  ((uint64_t)(TSS_TYPE_AVAIL | DESC_PRESENT) << 40) |
		  ((uint64_t)((limit >> 16) & 0xf) << 48) |
		  ((base >> 24) & 0xff) << 56;
	slot[1] = base >> 32;
}

/* Load the GDT, reload CS with a far return, then data segments and TR. */
static void gdt_load(void)
{
	struct gdt_ptr p = { sizeof(cpu0.gdt) - 1, (uintptr_t)cpu0.gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"ltr %w3"
		:: "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "r"(GDT_TSS)
		: "rax", "memory");
}

void gdt_init(void)
{
	cpu0.gdt[0] = 0;
	cpu0.gdt[1] = SEG_CODE64;
	cpu0.gdt[2] = SEG_DATA;
	for (int i = 0; i < IST_COUNT; i++)
		cpu0.tss.ist[i] = (uintptr_t)cpu0.ist_stacks[i] + IST_STACK_SIZE;
	cpu0.tss.iomap_base = sizeof(cpu0.tss);
	gdt_set_tss(&cpu0.gdt[3], (uintptr_t)&cpu0.tss, sizeof(cpu0.tss) - 1);
	gdt_load();
}

int kernel_stack_contains(uintptr_t addr)
{
	uintptr_t ist_lo = (uintptr_t)cpu0.ist_stacks;
	uintptr_t ist_hi = ist_lo + sizeof(cpu0.ist_stacks);

	if (addr >= (uintptr_t)boot_stack_bottom && addr + 8 <= (uintptr_t)boot_stack_top)
		return 1;
	return addr >= ist_lo && addr + 8 <= ist_hi;
}
