/*
 * exceptions_test.c - provoke CPU exceptions and check the handler's report.
 *
 * Each case arms the fault catcher (kernel/traps.h), triggers one
 * exception in a small noipa function (never inlined, cloned or
 * specialised, so the report names it exactly), and then checks both what the
 * CPU reported (vector, error code, CR2, faulting RIP) and what the
 * handler printed: the name, the decoded error code, the registers and a
 * backtrace with function names.
 */
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/printf.h"
#include "kernel/traps.h"

/* Canonical, but no boot mapping covers PML4 slot 224. */
#define UNMAPPED_ADDR    0x00007000000000f0ULL
/* Bit 47 clear but bit 48 set: not canonical, so any access is #GP. */
#define NONCANONICAL_ADDR 0x0001000000000000ULL
#define RBX_MARKER       0x1122334455667788ULL

/* The function a fault occurred in must be the one named in the report. */
static void expect_fault_in(struct ktest *t, const struct fault_catch *fc, const char *fn)
{
	uint64_t off = 0;
	const char *name = ksym_lookup(fc->rip, &off);

	KT_EXPECT_STREQ(t, name, fn);
	KT_EXPECT_SUBSTR(t, fc->report, fn);
	KT_EXPECT_SUBSTR(t, fc->report, "Backtrace:");
}

__attribute__((noipa)) static void trigger_ud(void)
{
	__asm__ volatile("movabsq %0, %%rbx\n\tud2" :: "i"(RBX_MARKER) : "rbx");
}

static void invalid_opcode(struct ktest *t)
{
	struct fault_catch fc;

	if (fault_catch_try(&fc) == 0) {
		trigger_ud();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_UD);
	KT_EXPECT_SUBSTR(t, fc.report, "CPU exception: #UD invalid opcode (vector 6)");
	KT_EXPECT_SUBSTR(t, fc.report, "RBX 0x1122334455667788");
	expect_fault_in(t, &fc, "trigger_ud");
	/* The caller appears as a frame of its own in the backtrace. */
	KT_EXPECT_SUBSTR(t, fc.report, "invalid_opcode+0x");
}

__attribute__((noipa)) static uint64_t trigger_pf_read(void)
{
	return *(volatile uint64_t *)UNMAPPED_ADDR;
}

static void page_fault_read(struct ktest *t)
{
	struct fault_catch fc;
	char cr2[40];

	if (fault_catch_try(&fc) == 0) {
		trigger_pf_read();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_PF);
	KT_EXPECT_UEQ(t, fc.cr2, UNMAPPED_ADDR);
	KT_EXPECT_UEQ(t, fc.error_code & (PF_ERR_PRESENT | PF_ERR_WRITE | PF_ERR_USER), 0);
	snprintf(cr2, sizeof(cr2), "CR2 %p", (void *)UNMAPPED_ADDR);
	KT_EXPECT_SUBSTR(t, fc.report, cr2);
	KT_EXPECT_SUBSTR(t, fc.report, "#PF page fault (vector 14), error code 0x0 "
			 "[read, not-present, supervisor]");
	expect_fault_in(t, &fc, "trigger_pf_read");
	/* trigger_pf_read has no frame of its own: its caller is still found. */
	KT_EXPECT_SUBSTR(t, fc.report, "page_fault_read+0x");
}

__attribute__((noipa)) static void trigger_pf_write(void)
{
	*(volatile uint64_t *)UNMAPPED_ADDR = 1;
}

static void page_fault_write(struct ktest *t)
{
	struct fault_catch fc;

	if (fault_catch_try(&fc) == 0) {
		trigger_pf_write();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_PF);
	KT_EXPECT_UEQ(t, fc.cr2, UNMAPPED_ADDR);
	KT_EXPECT_UEQ(t, fc.error_code & PF_ERR_WRITE, PF_ERR_WRITE);
	KT_EXPECT_SUBSTR(t, fc.report, "[write, not-present, supervisor]");
	expect_fault_in(t, &fc, "trigger_pf_write");
}

__attribute__((noipa)) static uint64_t trigger_gp(void)
{
	return *(volatile uint64_t *)NONCANONICAL_ADDR;
}

static void general_protection(struct ktest *t)
{
	struct fault_catch fc;

	if (fault_catch_try(&fc) == 0) {
		trigger_gp();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_GP);
	KT_EXPECT_SUBSTR(t, fc.report, "#GP general protection (vector 13)");
	expect_fault_in(t, &fc, "trigger_gp");
}

__attribute__((noipa)) static int trigger_de(volatile int divisor)
{
	return 100 / divisor;
}

static void divide_error(struct ktest *t)
{
	struct fault_catch fc;

	if (fault_catch_try(&fc) == 0) {
		trigger_de(0);
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_DE);
	KT_EXPECT_SUBSTR(t, fc.report, "#DE divide error (vector 0)");
	expect_fault_in(t, &fc, "trigger_de");
}

__attribute__((noipa)) static void trigger_bp(void)
{
	__asm__ volatile("int3");
}

/* #BP is a trap: the reported RIP is after the int3, still inside. */
static void breakpoint(struct ktest *t)
{
	struct fault_catch fc;

	if (fault_catch_try(&fc) == 0) {
		trigger_bp();
		fault_catch_disarm();
	}
	KT_ASSERT_EQ(t, fc.vector, X86_TRAP_BP);
	expect_fault_in(t, &fc, "trigger_bp");
}

/* Code that does not fault leaves the catcher untouched. */
static void no_fault_no_report(struct ktest *t)
{
	struct fault_catch fc;
	volatile int x = 1;

	if (fault_catch_try(&fc) == 0) {
		x++;
		fault_catch_disarm();
	}
	KT_EXPECT_EQ(t, fc.vector, -1);
	KT_EXPECT_EQ(t, x, 2);
	KT_EXPECT_STREQ(t, fc.report, "");
}

/* The symbol table names functions, and offsets inside them. */
static void symbols_resolve(struct ktest *t)
{
	uint64_t off = 1;
	const char *name = ksym_lookup((uintptr_t)trigger_bp, &off);

	KT_EXPECT_STREQ(t, name, "trigger_bp");
	KT_EXPECT_UEQ(t, off, 0);
	name = ksym_lookup((uintptr_t)ktest_run + 3, &off);
	KT_EXPECT_STREQ(t, name, "ktest_run");
	KT_EXPECT_UEQ(t, off, 3);
}

KTEST_SUITE(exceptions, KTEST_CASE(invalid_opcode), KTEST_CASE(page_fault_read),
	    KTEST_CASE(page_fault_write), KTEST_CASE(general_protection),
	    KTEST_CASE(divide_error), KTEST_CASE(breakpoint),
	    KTEST_CASE(no_fault_no_report), KTEST_CASE(symbols_resolve));
