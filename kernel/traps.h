/*
 * traps.h - CPU exceptions and the interrupt descriptor table.
 *
 * Every exception prints a report: the vector and its name, the error
 * code (decoded for #PF), all registers, CR0/CR2/CR3/CR4 and a symbolized
 * backtrace; one taken inside an interrupt handler says which ("in
 * interrupt handler for vector N (name)"). Then the kernel stops (panic
 * path), unless a test armed the fault catcher, in which case execution
 * resumes after fault_catch_try() with the interrupt state it armed with:
 * handlers jumped over get their EOI (irq_unwind_to), IF is restored.
 */
#ifndef KERNEL_TRAPS_H
#define KERNEL_TRAPS_H

#include <stdint.h>

/* Exception vectors (Intel SDM Vol. 3A, Table 7-1). */
#define X86_TRAP_DE   0   /* divide error */
#define X86_TRAP_DB   1   /* debug */
#define X86_TRAP_NMI  2   /* non-maskable interrupt */
#define X86_TRAP_BP   3   /* breakpoint (int3) */
#define X86_TRAP_OF   4   /* overflow */
#define X86_TRAP_BR   5   /* BOUND range exceeded */
#define X86_TRAP_UD   6   /* invalid opcode */
#define X86_TRAP_NM   7   /* device not available */
#define X86_TRAP_DF   8   /* double fault */
#define X86_TRAP_TS   10  /* invalid TSS */
#define X86_TRAP_NP   11  /* segment not present */
#define X86_TRAP_SS   12  /* stack-segment fault */
#define X86_TRAP_GP   13  /* general protection */
#define X86_TRAP_PF   14  /* page fault */
#define X86_TRAP_MF   16  /* x87 floating-point error */
#define X86_TRAP_AC   17  /* alignment check */
#define X86_TRAP_MC   18  /* machine check */
#define X86_TRAP_XM   19  /* SIMD floating-point */
#define X86_TRAP_VE   20  /* virtualization exception */
#define X86_TRAP_CP   21  /* control protection */
#define X86_NR_EXCEPTIONS 32

/* Page-fault error code bits. */
#define PF_ERR_PRESENT  (1u << 0)  /* 0: page not present, 1: protection */
#define PF_ERR_WRITE    (1u << 1)  /* access was a write */
#define PF_ERR_USER     (1u << 2)  /* access came from ring 3 */
#define PF_ERR_RSVD     (1u << 3)  /* a reserved bit was set in a PTE */
#define PF_ERR_FETCH    (1u << 4)  /* instruction fetch */
#define PF_ERR_PK       (1u << 5)  /* protection key */

/* What trap_entry.S leaves on the stack; field order is push order reversed. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;      /* pushed by the stub */
	uint64_t error_code;  /* pushed by the CPU, or 0 by the stub */
	uint64_t rip, cs, rflags, rsp, ss;  /* pushed by the CPU */
};

void traps_init(void);
const char *trap_name(unsigned vector);

/* Registers fault_setjmp saves: callee-saved ones, stack and resume point. */
struct fault_jmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

/* A test's net for one expected exception. */
struct fault_catch {
	struct fault_jmp jmp;   /* resume point */
	int vector;             /* the exception that landed, -1 if none */
	uint64_t error_code;    /* its error code */
	uint64_t cr2;           /* faulting address for #PF */
	uint64_t rip;           /* instruction that faulted */
	int in_irq_vector;      /* the handler it faulted in, -1 if none */
	unsigned irq_depth;     /* at arm time: handlers running (restored) */
	uint64_t rflags_if;     /* at arm time: RFLAGS.IF (restored) */
	char report[2048];      /* the exception report, as printed */
};

int fault_setjmp(struct fault_jmp *j) __attribute__((returns_twice));
void fault_longjmp(struct fault_jmp *j, int val) __attribute__((noreturn));
void fault_catch_arm(struct fault_catch *fc);
void fault_catch_disarm(void);

/*
 * fault_catch_try - arm @fc; evaluates to 0 now and to 1 when an exception
 * lands, after the handler has filled @fc. Call fault_catch_disarm() when
 * the risky code finishes without faulting. Usage:
 *
 *     if (fault_catch_try(&fc) == 0) {
 *             risky();
 *             fault_catch_disarm();
 *     }
 *     // fc.vector is -1 if nothing happened
 */
#define fault_catch_try(fc) (fault_catch_arm(fc), fault_setjmp(&(fc)->jmp))

#endif /* KERNEL_TRAPS_H */
