/*
 * entry.S - the kernel's two entry points.
 *
 * 1. pvh_entry32: QEMU's direct boot (`-kernel build/kernel.elf`). QEMU 7.2
 *    boots an ELF64 only through the Xen PVH note below (type 18,
 *    XEN_ELFNOTE_PHYS32_ENTRY), and starts it in 32-bit protected mode with
 *    paging off and %ebx holding the physical address of hvm_start_info
 *    (Xen's arch-x86/hvm/start_info.h). We build boot page tables, switch to
 *    long mode (Intel SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode") and
 *    call pvh_main() in boot/pvh.c at the kernel's high virtual address.
 *
 * 2. _start64: the ELF entry point, used by the UEFI loader, which has
 *    already switched to the page tables boot/boot_info.h describes and
 *    passes the physical address of a struct boot_info in %rdi.
 *
 * Both paths zero .bss, switch to the boot stack and reach kernel_main().
 *
 * Until paging is on, code runs at physical addresses: a symbol's physical
 * address is its link address minus BOOT_KERNEL_VBASE (see linker.ld).
 */
#include "boot/boot_info.h"

#define PHYS(sym)          ((sym) - BOOT_KERNEL_VBASE)

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_PRESENT        0x001
#define PTE_WRITABLE       0x002
#define PTE_HUGE           0x080    /* PS: 2 MiB page in a PD entry */
#define PTE_TABLE          (PTE_PRESENT | PTE_WRITABLE)
#define PTE_LARGE_RW       (PTE_PRESENT | PTE_WRITABLE | PTE_HUGE)
#define PAGE_SIZE_2M       0x200000
#define PD_ENTRIES_4G      2048     /* 2 MiB pages covering 4 GiB */
#define PML4_DIRECT_MAP    273      /* index of BOOT_DIRECT_MAP_BASE */
#define PML4_KERNEL        511      /* index of BOOT_KERNEL_VBASE */
#define PDPT_KERNEL        510

#define CR0_PE             0x00000001
#define CR0_WP             0x00010000
#define CR0_PG             0x80000000
#define CR4_PAE            0x00000020
#define MSR_EFER           0xc0000080
#define EFER_LME           0x00000100
#define CPUID_EXT_MAX      0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EDX_LM       (1 << 29)

#define GDT_CODE64         0x08
#define GDT_DATA           0x10

#define COM1               0x3f8
#define BOOT_STACK_SIZE    16384

/* ---- the PVH note: tells QEMU where the 32-bit entry is ---- */
	.section .note.pvh, "a"
	.balign 4
	.long 4                         /* namesz: "Xen\0" */
	.long 4                         /* descsz: a 32-bit address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long PHYS(pvh_entry32)
	.balign 4

	.section .text.boot, "ax"

/* ---- 32-bit PVH entry: %ebx = hvm_start_info (physical) ---- */
	.code32
	.globl pvh_entry32
pvh_entry32:
	cli
	cld
	movl %ebx, %esi                 /* keep hvm_start_info across the setup */

	/* .bss holds the page tables and the stack: zero it first. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl $PHYS(boot_stack_top), %esp

	/* No long mode, no kernel: say so on COM1 and stop. */
	movl $CPUID_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_EXT_FEATURES, %eax
	jb no_long_mode
	movl $CPUID_EXT_FEATURES, %eax
	cpuid
	testl $CPUID_EDX_LM, %edx
	jz no_long_mode

	/* PD: 2048 consecutive 2 MiB pages mapping physical 0..4 GiB. */
	movl $PHYS(boot_pd), %edi
	movl $PTE_LARGE_RW, %eax
	movl $PD_ENTRIES_4G, %ecx
1:	movl %eax, (%edi)
	addl $PAGE_SIZE_2M, %eax
	addl $8, %edi
	loop 1b

	/* PDPT: four entries, one per GiB, pointing at the four PD pages. */
	movl $PHYS(boot_pdpt_low), %edi
	movl $(PHYS(boot_pd) + PTE_TABLE), %eax
	movl $4, %ecx
2:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 2b

	/* PML4: identity and direct map share the PDPT; the kernel's top 2 GiB
	 * map physical 0..1 GiB, so link address = physical + BOOT_KERNEL_VBASE. */
	movl $PHYS(boot_pml4), %edi
	movl $(PHYS(boot_pdpt_low) + PTE_TABLE), %eax
	movl %eax, (%edi)
	movl %eax, (PML4_DIRECT_MAP * 8)(%edi)
	movl $(PHYS(boot_pdpt_kernel) + PTE_TABLE), %eax
	movl %eax, (PML4_KERNEL * 8)(%edi)
	movl $(PHYS(boot_pd) + PTE_TABLE), %eax
	movl %eax, PHYS(boot_pdpt_kernel) + PDPT_KERNEL * 8

	/* PAE, CR3, EFER.LME, then paging: we are in compatibility mode. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_desc)
	ljmp $GDT_CODE64, $PHYS(pvh_entry64)

no_long_mode:
	movl $PHYS(msg_no_long_mode), %esi
	movw $COM1, %dx
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

/* ---- 64-bit, still at the physical address: jump to the high half ---- */
	.code64
pvh_entry64:
	movabsq $pvh_entry64_high, %rax
	jmp *%rax
pvh_entry64_high:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                 /* ends the backtrace */
	movl %esi, %edi                 /* hvm_start_info, zero-extended */
	call pvh_main
	jmp halt_forever

/* ---- 64-bit loader entry: %rdi = struct boot_info (physical) ---- */
	.globl _start64
_start64:
	cli
	cld
	movq %rdi, %r12
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movabsq $BOOT_DIRECT_MAP_BASE, %rdi
	addq %r12, %rdi                 /* the struct, through the direct map */
	call kernel_main

halt_forever:
	cli
	hlt
	jmp halt_forever

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0                         /* null descriptor */
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff        /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)            /* 32-bit base: lgdt runs before paging */
msg_no_long_mode:
	.asciz "busmaster: this CPU has no long mode (x86_64); cannot boot\r\n"

/* ---- boot page tables and stack, zeroed above ---- */
	.section .bss
	.balign 4096
boot_pml4:        .skip 4096
boot_pdpt_low:    .skip 4096
boot_pdpt_kernel: .skip 4096
boot_pd:          .skip 4 * 4096
	/* Left unmapped by the kernel's own page tables (kernel/mm/paging.c):
	 * a stack overflow faults here instead of corrupting the tables. */
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
