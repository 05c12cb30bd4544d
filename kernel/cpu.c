/*
 * cpu.c - CPUID feature detection and the control bits that depend on it.
 *
 * Intel SDM Vol. 2A, "CPUID"; leaf numbers and bits are named below.
 * QEMU's TCG `-cpu max` has everything used here; the default qemu64
 * model lacks 1 GiB pages, which is why paging asks rather than assumes.
 */
#define LOG_PREFIX "cpu"
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/mm/pgtable.h"
#include "kernel/string.h"
#include "kernel/x86.h"

#define CPUID_VENDOR        0x00000000u
#define CPUID_FEATURES      0x00000001u
#define CPUID_EXT_MAX       0x80000000u
#define CPUID_EXT_FEATURES  0x80000001u
#define CPUID_BRAND_FIRST   0x80000002u   /* ..0x80000004: 48 brand bytes */
#define CPUID_POWER         0x80000007u
#define CPUID_ADDR_SIZES    0x80000008u

#define F1_EDX_APIC         (1u << 9)
#define F1_EDX_PGE          (1u << 13)
#define F1_EDX_PAT          (1u << 16)
#define F1_ECX_X2APIC       (1u << 21)
#define F1_ECX_TSC_DEADLINE (1u << 24)
#define F1_ECX_HYPERVISOR   (1u << 31)
#define E1_EDX_NX           (1u << 20)
#define E1_EDX_PDPE1GB      (1u << 26)
#define E7_EDX_INVTSC       (1u << 8)

#define MSR_EFER            0xc0000080u
#define EFER_NXE            (1u << 11)
#define MSR_PAT             0x00000277u

struct cpu_features cpu;

/* Vendor, family/model/stepping and the leaf-1 feature bits. */
static void cpu_read_basic(void)
{
	struct cpuid_regs r = cpuid(CPUID_VENDOR, 0);
	uint32_t fam;

	memcpy(cpu.vendor + 0, &r.ebx, 4);
	memcpy(cpu.vendor + 4, &r.edx, 4);
	memcpy(cpu.vendor + 8, &r.ecx, 4);
	r = cpuid(CPUID_FEATURES, 0);
	fam = (r.eax >> 8) & 0xf;
	cpu.family = fam == 0xf ? fam + ((r.eax >> 20) & 0xff) : fam;
	cpu.model = ((r.eax >> 4) & 0xf) | ((fam >= 6 ? (r.eax >> 16) & 0xf : 0) << 4);
	cpu.stepping = r.eax & 0xf;
	cpu.apic_id = (uint8_t)(r.ebx >> 24);
	cpu.apic = r.edx & F1_EDX_APIC;
	cpu.pge = r.edx & F1_EDX_PGE;
	cpu.pat = r.edx & F1_EDX_PAT;
	cpu.x2apic = r.ecx & F1_ECX_X2APIC;
	cpu.tsc_deadline = r.ecx & F1_ECX_TSC_DEADLINE;
	cpu.hypervisor = r.ecx & F1_ECX_HYPERVISOR;
}

/* The extended leaves: NX, 1 GiB pages, invariant TSC, address sizes, brand. */
static void cpu_read_extended(void)
{
	uint32_t max = cpuid(CPUID_EXT_MAX, 0).eax;
	struct cpuid_regs r;

	if (max >= CPUID_EXT_FEATURES) {
		r = cpuid(CPUID_EXT_FEATURES, 0);
		cpu.nx = r.edx & E1_EDX_NX;
		cpu.pdpe1gb = r.edx & E1_EDX_PDPE1GB;
	}
	if (max >= CPUID_POWER)
		cpu.tsc_invariant = cpuid(CPUID_POWER, 0).edx & E7_EDX_INVTSC;
	if (max >= CPUID_ADDR_SIZES) {
		r = cpuid(CPUID_ADDR_SIZES, 0);
		cpu.phys_bits = r.eax & 0xff;
		cpu.virt_bits = (r.eax >> 8) & 0xff;
	}
	for (uint32_t i = 0; max >= CPUID_BRAND_FIRST + 2 && i < 3; i++) {
		r = cpuid(CPUID_BRAND_FIRST + i, 0);
		memcpy(cpu.brand + 16 * i, &r, 16);
	}
}

/* Install the PAT layout pgtable.h documents; SDM 13.12.4 asks for a
 * cache flush around the change. */
static void cpu_program_pat(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
	wrmsr(MSR_PAT, PAT_MSR_VALUE);
	__asm__ volatile("wbinvd" ::: "memory");
}

void cpu_init(void)
{
	cpu_read_basic();
	cpu_read_extended();
	if (cpu.nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (cpu.pge)
		__asm__ volatile("mov %0, %%cr4" :: "r"(read_cr4() | X86_CR4_PGE) : "memory");
	if (cpu.pat)
		cpu_program_pat();
}

void cpu_log_features(void)
{
	const char *brand = cpu.brand;

	while (*brand == ' ')
		brand++;
	pr_info("%s family %u model %u stepping %u%s%s", cpu.vendor, cpu.family,
		cpu.model, cpu.stepping, *brand ? ", " : "", brand);
	pr_info("features used: nx=%d 1g-pages=%d pge=%d pat=%d apic=%d x2apic=%d "
		"invariant-tsc=%d tsc-deadline=%d hypervisor=%d; %u-bit physical, "
		"%u-bit virtual addresses", cpu.nx, cpu.pdpe1gb, cpu.pge, cpu.pat,
		cpu.apic, cpu.x2apic, cpu.tsc_invariant, cpu.tsc_deadline,
		cpu.hypervisor, cpu.phys_bits, cpu.virt_bits);
}
