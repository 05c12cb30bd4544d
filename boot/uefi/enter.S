/*
 * enter.S - the loader's last instructions: switch page tables, call the kernel.
 *
 *   void uefi_enter_kernel(uint64_t pml4_phys, uint64_t boot_info_phys,
 *                          uint64_t entry);     (System V ABI: %rdi, %rsi, %rdx)
 *
 * Runs after ExitBootServices() (UEFI 2.x, "Image Services"), still on the
 * firmware's GDT and stack, in the long mode it set up. The new tables map
 * all RAM at its own address, so this code and the stack stay reachable
 * across the CR3 write. The kernel gets the boot_info address in %rdi, as
 * boot/boot_info.h specifies, and a stack aligned as if by a normal call.
 */
#define X86_CR4_PGE  (1 << 7)    /* global pages: survive a CR3 write */
#define STACK_ALIGN  16          /* System V: %rsp + 8 is 16-aligned at entry */

	.text
	.globl	uefi_enter_kernel
uefi_enter_kernel:
	cli				/* no firmware IDT from here on */
	cld
	mov	%rdi, %cr3		/* our tables; flushes non-global TLB entries */
	mov	%cr4, %rax		/* toggling PGE flushes global ones too */
	test	$X86_CR4_PGE, %eax
	jz	1f
	mov	%rax, %rcx
	and	$~X86_CR4_PGE, %rcx
	mov	%rcx, %cr4
	mov	%rax, %cr4
1:
	mov	%rsi, %rdi		/* the kernel's one argument: boot_info */
	and	$-STACK_ALIGN, %rsp
	xor	%ebp, %ebp		/* end of the frame-pointer chain */
	call	*%rdx			/* a kernel that returns lands below */
2:
	cli
	hlt
	jmp	2b
