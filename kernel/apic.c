/*
 * apic.c - the local APIC in xAPIC mode (Intel SDM Vol. 3A, chapter 12
 * "Advanced Programmable Interrupt Controller"). QEMU q35 has one per CPU,
 * its registers at the physical address in IA32_APIC_BASE (0xfee00000).
 *
 * We use it for three things: acknowledging interrupts (EOI), sending an
 * interrupt to ourselves (to test the vector path), and a periodic timer.
 */
#define LOG_PREFIX "lapic"
#include "kernel/apic.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm/paging.h"
#include "kernel/time.h"
#include "kernel/x86.h"

/* Register offsets from the LAPIC base (SDM Table 12-1). */
#define LAPIC_ID          0x020   /* r:  APIC ID in bits 31:24 */
#define LAPIC_VERSION     0x030   /* r:  version, max LVT entry */
#define LAPIC_TPR         0x080   /* rw: task priority; 0 accepts all */
#define LAPIC_EOI         0x0b0   /* w:  end of interrupt */
#define LAPIC_SVR         0x0f0   /* rw: spurious vector, APIC enable */
#define LAPIC_ISR         0x100   /* r:  in service, 8 x 32 bits, 0x10 apart */
#define LAPIC_IRR         0x200   /* r:  requested (pending), same layout */
#define LAPIC_ESR         0x280   /* rw: error status */
#define LAPIC_ICR_LOW     0x300   /* rw: interrupt command, low half (sends) */
#define LAPIC_ICR_HIGH    0x310   /* rw: destination */
#define LAPIC_LVT_TIMER   0x320   /* rw: timer vector and mode */
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_INIT  0x380   /* rw: initial count; writing starts it */
#define LAPIC_TIMER_CUR   0x390   /* r:  current count */
#define LAPIC_TIMER_DIV   0x3e0   /* rw: divide configuration */
#define LAPIC_MMIO_SIZE   0x1000

#define MSR_APIC_BASE          0x1b
#define APIC_BASE_X2APIC       (1u << 10)   /* EXTD: x2APIC mode */
#define APIC_BASE_ENABLE       (1u << 11)
#define APIC_BASE_ADDR_MASK    0x000ffffffffff000ULL
#define SVR_APIC_ENABLE        (1u << 8)
#define LVT_MASKED             (1u << 16)
#define LVT_TIMER_PERIODIC     (1u << 17)
#define ICR_SHORTHAND_SELF     (1u << 18)   /* destination: this CPU */
#define ICR_DELIVERY_PENDING   (1u << 12)
#define TIMER_DIV_16           0x3          /* divide the bus clock by 16 */
#define TIMER_CALIBRATE_NS     10000000ULL   /* 10 ms */
#define TIMER_REF_RESOLUTION_NS 1000       /* above the PM timer's 279 ns */
#define TIMER_DEADLINE_FACTOR  10         /* give up after 10x the interval */
#define TIMER_COUNT_MAX        0xffffffffu
#define ICR_SEND_SPINS         100000

static struct {
	volatile uint32_t *regs;   /* ioremap()ed registers, NULL before init */
	uint64_t timer_hz;         /* timer ticks per second at TIMER_DIV_16 */
	uint64_t count_ref0;       /* time_ref_ns() when the free count started */
} lapic;

static uint32_t lapic_read(unsigned reg) { return lapic.regs[reg / 4]; }
static void lapic_write(unsigned reg, uint32_t v) { lapic.regs[reg / 4] = v; }

bool lapic_ready(void) { return lapic.regs != NULL; }
/* This CPU's APIC ID; CPUID's copy when the LAPIC is not mapped. */
uint32_t lapic_id(void)
{
	return lapic.regs ? lapic_read(LAPIC_ID) >> 24 : cpu.apic_id;
}

void lapic_eoi(void)
{
	if (lapic.regs)
		lapic_write(LAPIC_EOI, 0);
}

/* Bit @vector of the 256-bit register array at @base (ISR, IRR). */
static bool lapic_vector_bit(unsigned base, unsigned vector)
{
	if (!lapic.regs || vector > 0xff)
		return false;
	return lapic_read(base + (vector / 32) * 0x10) & (1u << (vector % 32));
}

bool lapic_vector_in_service(unsigned vector)
{
	return lapic_vector_bit(LAPIC_ISR, vector);
}

bool lapic_vector_busy(unsigned vector)
{
	return lapic_vector_bit(LAPIC_IRR, vector) || lapic_vector_bit(LAPIC_ISR, vector);
}

/* Start the masked timer counting down from its maximum: measured later
 * against the reference clock without a busy wait of its own. The clock is
 * read after the count starts, so a delay between the two can only make
 * the rate look higher (the ticks longer), never lower. */
static void lapic_timer_count_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, TIMER_COUNT_MAX);
	lapic.count_ref0 = time_ref_ns();
}

int lapic_init(void)
{
	uint64_t base;

	if (!cpu.apic) {
		pr_warn("CPU has no local APIC (CPUID.1:EDX.APIC clear); device interrupts are unavailable");
		return -ENODEV;
	}
	base = rdmsr(MSR_APIC_BASE);
	if (base & APIC_BASE_X2APIC) {
		/* In x2APIC mode the MMIO page is dead: registers are MSRs. */
		pr_err("the firmware left the LAPIC in x2APIC mode; only xAPIC is "
		       "supported, so device interrupts are unavailable");
		return -ENODEV;
	}
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic.regs = ioremap(base & APIC_BASE_ADDR_MASK, LAPIC_MMIO_SIZE, PAGE_CACHE_UC);
	if (!lapic.regs)
		return -ENOMEM;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_timer_count_start();
	pr_info("LAPIC id %u version %#x at %#llx, enabled", lapic_id(),
		lapic_read(LAPIC_VERSION) & 0xff,
		(unsigned long long)(base & APIC_BASE_ADDR_MASK));
	return 0;
}

int lapic_send_self_ipi(unsigned vector)
{
	unsigned spins = 0;

	if (!lapic.regs)
		return -ENODEV;
	if (vector < IRQ_VECTOR_FIRST_EXTERNAL || vector > 0xff) {
		pr_err("self-IPI on vector %#x refused: external vectors are 0x20-0xff", vector);
		return -EINVAL;
	}
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, ICR_SHORTHAND_SELF | vector);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING) {
		if (++spins == ICR_SEND_SPINS) {
			pr_err("self-IPI on vector %#x still pending; not delivered", vector);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

/* Timer ticks per second: the count since lapic_init() (or a restart)
 * over at least TIMER_CALIBRATE_NS of the reference clock. Under QEMU the
 * LAPIC timer and the HPET both follow the virtual clock, the TSC the
 * host's: measure like against like. By the first start the boot has
 * usually spent that long already, so this rarely waits. Every error is
 * biased upwards (the clock read inside the counted span, the span cut by
 * more than the clock's resolution), so a tick is never shorter than
 * 1/HZ of reference time: timers are never early. 0 if the reference
 * stops advancing (bounded in TSC time). */
static uint64_t lapic_timer_measure(void)
{
	uint64_t r1, give_up = rdtsc() + tsc_hz() / (NS_PER_SEC / TIMER_CALIBRATE_NS) *
					       TIMER_DEADLINE_FACTOR;
	uint32_t left = lapic_read(LAPIC_TIMER_CUR);

	if (!left)                  /* ran out (or was stopped): count afresh */
		lapic_timer_count_start();
	while ((r1 = time_ref_ns()) - lapic.count_ref0 < TIMER_CALIBRATE_NS) {
		if (rdtsc() > give_up) {
			lapic_write(LAPIC_TIMER_INIT, 0);
			return 0;
		}
		cpu_relax();
	}
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (!left)
		return 0;
	/* Microseconds keep the split multiply exact for minutes of counting. */
	return time_mul_div(TIMER_COUNT_MAX - left, NS_PER_SEC / 1000,
			    (r1 - lapic.count_ref0 - TIMER_REF_RESOLUTION_NS) / 1000);
}

int lapic_timer_start(unsigned vector, unsigned hz)
{
	uint64_t count;

	if (!lapic.regs)
		return -ENODEV;
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST) {
		pr_err("timer: vector %#x refused: the LVT takes an allocated vector "
		       "(%#x-%#x)", vector, IRQ_VECTOR_FIRST, IRQ_VECTOR_LAST);
		return -EINVAL;
	}
	if (!lapic.timer_hz) {
		lapic.timer_hz = lapic_timer_measure();
		if (!lapic.timer_hz) {
			pr_err("timer: the reference clock (%s) does not advance; cannot "
			       "measure the timer", time_ref_name());
			return -EIO;
		}
		pr_info("timer clock %llu kHz (divided by 16), measured against %s",
			(unsigned long long)(lapic.timer_hz / 1000), time_ref_name());
	}
	count = hz ? lapic.timer_hz / hz : 0;
	if (!count || count >= TIMER_COUNT_MAX)
		return -EINVAL;
	count++;                        /* rounded up: a tick is never short */
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
	return 0;
}

uint64_t lapic_timer_hz(void) { return lapic.timer_hz; }
