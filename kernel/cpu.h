/*
 * cpu.h - what this CPU can do, read once from CPUID at boot.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	char vendor[13];        /* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];         /* processor brand string, if any */
	uint32_t family, model, stepping;
	bool nx;                /* no-execute pages (EFER.NXE) */
	bool pdpe1gb;           /* 1 GiB pages */
	bool pge;               /* global pages (CR4.PGE) */
	bool pat;               /* page attribute table */
	bool apic;              /* on-chip local APIC */
	bool x2apic;            /* x2APIC mode available */
	bool tsc_invariant;     /* TSC runs at a constant rate */
	bool tsc_deadline;      /* LAPIC TSC-deadline timer mode */
	bool hypervisor;        /* running under a hypervisor (QEMU sets it) */
	uint8_t phys_bits;      /* physical address width */
	uint8_t virt_bits;      /* linear address width */
	uint8_t apic_id;        /* initial APIC ID of this CPU */
};

extern struct cpu_features cpu;

/* Read CPUID, turn on NXE, PGE and the kernel's PAT layout, log it all. */
void cpu_init(void);
/* Log the features (after the console and clock are up). */
void cpu_log_features(void);

#endif /* KERNEL_CPU_H */
