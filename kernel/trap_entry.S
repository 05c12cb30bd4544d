/*
 * trap_entry.S - the 256 interrupt entry stubs and the common path.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an
 * error code (Intel SDM Vol. 3A, 7.12 "Exception and Interrupt Handling
 * in 64-bit Mode"). Each stub evens this out by pushing a zero error code
 * when the CPU did not, then its vector number; trap_common saves the
 * general registers, so the stack holds a struct trap_frame (traps.h),
 * and calls trap_dispatch(frame). Returning restores every register from
 * the frame, so a handler may edit it (the fault catcher does).
 *
 * Stubs are 16 bytes apart: stub N is at trap_stubs + 16 * N.
 *
 * Also here: fault_setjmp/fault_longjmp, the two halves of the fault
 * catcher that lets tests provoke an exception and carry on.
 */
#define TRAP_STUB_SIZE 16

	.text
	.balign TRAP_STUB_SIZE
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign TRAP_STUB_SIZE
	/* Vectors whose exceptions push an error code. */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi          /* struct trap_frame *; stack is 16-byte aligned */
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp           /* vector and error code */
	iretq

/* int fault_setjmp(struct fault_jmp *j): 0 now, non-zero after a fault. */
	.globl fault_setjmp
fault_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax       /* the caller's stack pointer after return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax        /* where to resume: our return address */
	movq %rax, 56(%rdi)
	xorl %eax, %eax
	ret

/* void fault_longjmp(struct fault_jmp *j, int val): resume fault_setjmp. */
	.globl fault_longjmp
fault_longjmp:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl %esi, %eax
	jmpq *56(%rdi)
