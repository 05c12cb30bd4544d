/*
 * traps.c - the IDT, exception reports and the fault catcher.
 *
 * Intel SDM Vol. 3A, chapter 7 ("Interrupt and Exception Handling"):
 * 7.14.1 "64-Bit Mode IDT" gives the 16-byte gate format used here.
 * All 256 vectors get a gate to a stub in trap_entry.S; the first 32 are
 * CPU exceptions, the rest are for device interrupts (LAPIC, MSI), which
 * later code registers.
 */
#define LOG_PREFIX "trap"
#include <stdbool.h>
#include "kernel/traps.h"
#include "kernel/console.h"
#include "kernel/gdt.h"
#include "kernel/irq.h"
#include "kernel/ksyms.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/x86.h"

#define IDT_ENTRIES        256
#define TRAP_STUB_SIZE     16          /* must match trap_entry.S */
#define IDT_GATE_INTERRUPT 0x8e        /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;     /* code segment to run the handler in */
	uint8_t ist;           /* IST slot, 0 = stay on the current stack */
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char trap_stubs[];
void trap_dispatch(struct trap_frame *f);

static struct {
	struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
	struct fault_catch *catcher;  /* armed by a test, or NULL */
	bool in_report;               /* an exception inside a report: give up */
} traps;

static const char *const trap_names[X86_NR_EXCEPTIONS] = {
	[X86_TRAP_DE] = "#DE divide error",
	[X86_TRAP_DB] = "#DB debug",
	[X86_TRAP_NMI] = "NMI non-maskable interrupt",
	[X86_TRAP_BP] = "#BP breakpoint",
	[X86_TRAP_OF] = "#OF overflow",
	[X86_TRAP_BR] = "#BR bound range exceeded",
	[X86_TRAP_UD] = "#UD invalid opcode",
	[X86_TRAP_NM] = "#NM device not available",
	[X86_TRAP_DF] = "#DF double fault",
	[X86_TRAP_TS] = "#TS invalid TSS",
	[X86_TRAP_NP] = "#NP segment not present",
	[X86_TRAP_SS] = "#SS stack-segment fault",
	[X86_TRAP_GP] = "#GP general protection",
	[X86_TRAP_PF] = "#PF page fault",
	[X86_TRAP_MF] = "#MF x87 floating-point error",
	[X86_TRAP_AC] = "#AC alignment check",
	[X86_TRAP_MC] = "#MC machine check",
	[X86_TRAP_XM] = "#XM SIMD floating-point",
	[X86_TRAP_VE] = "#VE virtualization exception",
	[X86_TRAP_CP] = "#CP control protection",
};

const char *trap_name(unsigned vector)
{
	if (vector < X86_NR_EXCEPTIONS)
		return trap_names[vector] ? trap_names[vector] : "reserved exception";
	return "external interrupt";
}

/* Point gate @vec at its stub, optionally on an IST stack. */
static void idt_set_gate(unsigned vec, unsigned ist)
{
	uint64_t addr = (uintptr_t)trap_stubs + (uint64_t)vec * TRAP_STUB_SIZE;
	struct idt_gate *g = &traps.idt[vec];

	g->offset_lo = addr & 0xffff;
	g->selector = GDT_KERNEL_CODE;
	g->ist = (uint8_t)ist;
	g->type_attr = IDT_GATE_INTERRUPT;
	g->offset_mid = (addr >> 16) & 0xffff;
	g->offset_hi = addr >> 32;
	g->reserved = 0;
}

void traps_init(void)
{
	struct idt_ptr p = { sizeof(traps.idt) - 1, (uintptr_t)traps.idt };

	for (unsigned v = 0; v < IDT_ENTRIES; v++)
		idt_set_gate(v, 0);
	idt_set_gate(X86_TRAP_DF, IST_DOUBLE_FAULT);
	idt_set_gate(X86_TRAP_NMI, IST_NMI);
	idt_set_gate(X86_TRAP_MC, IST_MACHINE_CHECK);
	__asm__ volatile("lidt %0" :: "m"(p));
}

/* Spell out a page-fault error code: "read, not-present, supervisor". */
static void trap_print_pf_error(uint64_t err)
{
	printk(" [%s, %s, %s%s%s%s]", err & PF_ERR_FETCH ? "fetch" :
	       err & PF_ERR_WRITE ? "write" : "read",
	       err & PF_ERR_PRESENT ? "protection" : "not-present",
	       err & PF_ERR_USER ? "user" : "supervisor",
	       err & PF_ERR_RSVD ? ", reserved-bit" : "",
	       err & PF_ERR_PK ? ", protection-key" : "", "");
}

/* The full report: what happened, where, and how we got there. */
static void trap_report(const struct trap_frame *f, uint64_t cr2)
{
	uint64_t off = 0;
	const char *fn = ksym_lookup(f->rip, &off);

	printk("\n*** CPU exception: %s (vector %llu), error code 0x%llx",
	       trap_name((unsigned)f->vector), (unsigned long long)f->vector,
	       (unsigned long long)f->error_code);
	if (f->vector == X86_TRAP_PF)
		trap_print_pf_error(f->error_code);
	if (irq_depth())
		printk("\n  in interrupt handler for vector %d (%s)", irq_current_vector(),
		       irq_vector_name(irq_current_vector()));
	printk("\n  RIP %p <%s+0x%llx>  CS 0x%llx  RFLAGS 0x%llx\n", (void *)f->rip,
	       fn ? fn : "?", (unsigned long long)off, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags);
	printk("  CR2 %p  CR3 %p  CR0 0x%llx  CR4 0x%llx\n", (void *)cr2,
	       (void *)read_cr3(), (unsigned long long)read_cr0(),
	       (unsigned long long)read_cr4());
	printk("  RAX %p  RBX %p  RCX %p\n", (void *)f->rax, (void *)f->rbx, (void *)f->rcx);
	printk("  RDX %p  RSI %p  RDI %p\n", (void *)f->rdx, (void *)f->rsi, (void *)f->rdi);
	printk("  RBP %p  RSP %p  SS  0x%llx\n", (void *)f->rbp, (void *)f->rsp,
	       (unsigned long long)f->ss);
	printk("  R8  %p  R9  %p  R10 %p\n", (void *)f->r8, (void *)f->r9, (void *)f->r10);
	printk("  R11 %p  R12 %p  R13 %p\n", (void *)f->r11, (void *)f->r12, (void *)f->r13);
	printk("  R14 %p  R15 %p\n", (void *)f->r14, (void *)f->r15);
	backtrace_print_trap(f->rip, f->rsp, f->rbp);
}

void fault_catch_arm(struct fault_catch *fc)
{
	fc->vector = -1;
	fc->report[0] = '\0';
	fc->in_irq_vector = -1;
	fc->irq_depth = irq_depth();
	fc->rflags_if = read_rflags() & X86_RFLAGS_IF;
	traps.catcher = fc;
}

void fault_catch_disarm(void)
{
	traps.catcher = NULL;
}

/* A test expected this: record it and resume at its fault_setjmp. */
static void trap_deliver_to_catcher(struct trap_frame *f, uint64_t cr2)
{
	struct fault_catch *fc = traps.catcher;

	traps.catcher = NULL;
	fc->vector = (int)f->vector;
	fc->error_code = f->error_code;
	fc->cr2 = cr2;
	fc->rip = f->rip;
	/* Out of an interrupt handler: the handlers jumped over owe their EOI,
	 * and the resumed code runs with the interrupt flag it armed with. */
	if (irq_depth() > fc->irq_depth) {
		fc->in_irq_vector = irq_current_vector();
		irq_unwind_to(fc->irq_depth);
		f->rflags = (f->rflags & ~(uint64_t)X86_RFLAGS_IF) | fc->rflags_if;
	}
	f->rip = (uintptr_t)fault_longjmp;   /* iretq lands in the longjmp */
	f->rdi = (uintptr_t)&fc->jmp;
	f->rsi = 1;
}

/* Called by trap_common for every vector. */
void trap_dispatch(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	struct fault_catch *fc = traps.catcher;

	if (f->vector >= X86_NR_EXCEPTIONS) {
		irq_dispatch(f);
		return;
	}
	if (traps.in_report)
		crash_stop("exception while reporting an exception");
	traps.in_report = true;
	if (fc && f->vector != X86_TRAP_DF) {
		console_capture_start(fc->report, sizeof(fc->report));
		trap_report(f, cr2);
		console_capture_stop();
		traps.in_report = false;
		trap_deliver_to_catcher(f, cr2);
		return;
	}
	trap_report(f, cr2);
	crash_stop(trap_name((unsigned)f->vector));
}
