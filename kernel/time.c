/*
 * time.c - TSC calibration against the 8254 PIT, and the clock built on it.
 *
 * The PIT's channel 2 counts down at 1.193182 MHz no matter how fast the
 * CPU (or QEMU's TCG) runs, so timing a known number of PIT ticks with
 * rdtsc gives the TSC frequency. Channel 2's gate and output are wired to
 * port 0x61, which lets us start it and see it reach zero without an
 * interrupt. QEMU q35 always emulates the PIT.
 *
 * Later, time_calibrate() measures the TSC again over a longer interval
 * against the HPET (IA-PC HPET specification 1.0a, 2.3 "Register
 * Descriptions") or the ACPI PM timer (ACPI 6.x, 4.8.3.3 "Power Management
 * Timer"), both of which count at a rate stated by the hardware. QEMU's
 * q35 has an HPET; `-machine hpet=off` leaves only the PM timer.
 */
#define LOG_PREFIX "time"
#include "kernel/time.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include <stddef.h>

#define PIT_HZ            1193182u
#define PIT_CH2_DATA      0x42    /* out: channel 2 count, low then high byte */
#define PIT_MODE_CMD      0x43    /* out: mode/command register */
#define PIT_CH2_MODE0     0xb0    /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B            0x61    /* NMI status and control (ch2 gate/output) */
#define PORT_B_CH2_GATE   0x01    /* out: gate of PIT channel 2 */
#define PORT_B_SPEAKER    0x02    /* out: speaker data enable (keep off) */
#define PORT_B_CH2_OUT    0x20    /* in:  channel 2 output, high at terminal count */

#define CALIBRATE_MS      10
#define CALIBRATE_TICKS   (PIT_HZ * CALIBRATE_MS / 1000)
#define CALIBRATE_SPINS   100000000ULL  /* a PIT that never fires */
#define TSC_HZ_FALLBACK   1000000000ULL

/* HPET registers (offsets from its base) and bits. */
#define HPET_GCAP_ID          0x000   /* r:  capabilities; period in bits 63:32 */
#define HPET_GEN_CONF         0x010   /* rw: general configuration */
#define HPET_MAIN_COUNTER     0x0f0   /* rw: the counter */
#define HPET_PERIOD_SHIFT     32
#define HPET_PERIOD_MAX_FS    100000000ULL  /* the spec's upper bound: 100 ns */
#define HPET_CONF_ENABLE      (1u << 0)
#define HPET_CAP_COUNT_64     (1u << 13)     /* the main counter is 64 bits wide */
#define FS_PER_NS             1000000ULL

#define PM_TIMER_MASK_24      0x00ffffffu
#define REF_CALIBRATE_NS      20000000ULL   /* 20 ms */
#define REF_DEADLINE_FACTOR   10            /* give up after 10x that, in PIT time */
#define REF_PLAUSIBLE_FACTOR  2             /* accept within 1/2x..2x of the PIT figure */

enum time_ref { TIME_REF_NONE, TIME_REF_HPET, TIME_REF_PM };

static struct {
	uint64_t tsc_hz;     /* TSC ticks per second, 0 before calibration */
	uint64_t tsc_base;   /* TSC value at ns_base */
	uint64_t ns_base;    /* time_ns() at tsc_base */
	enum time_ref ref;   /* the reference clock in use */
	volatile uint64_t *hpet;   /* HPET registers, as 64-bit words */
	uint64_t hpet_period_fs;   /* femtoseconds per HPET tick */
	bool hpet_32bit;           /* counter wraps at 2^32: count the wraps */
	uint32_t hpet_last;        /* last 32-bit reading */
	uint64_t hpet_ticks;       /* ticks accumulated (32-bit counters) */
	uint16_t pm_port;          /* PM timer port */
	uint32_t pm_mask;          /* 24- or 32-bit counter */
	uint32_t pm_last;          /* last PM reading, to count wraps */
	uint64_t pm_ticks;         /* PM ticks accumulated since setup */
	void (*read_hook)(void);   /* test seam: runs between read and update */
} clock;

/* Count TSC ticks over CALIBRATE_MS of PIT channel 2; 0 if it never ends. */
static uint64_t time_measure_tsc(void)
{
	uint8_t b = inb(PORT_B) & ~(PORT_B_SPEAKER | PORT_B_CH2_GATE);
	uint64_t start, spins = 0;

	outb(PORT_B, b);                       /* gate low: hold the counter */
	outb(PIT_MODE_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, CALIBRATE_TICKS & 0xff);
	outb(PIT_CH2_DATA, CALIBRATE_TICKS >> 8);
	outb(PORT_B, b | PORT_B_CH2_GATE);     /* gate high: start counting */
	start = rdtsc();
	while (!(inb(PORT_B) & PORT_B_CH2_OUT))
		if (++spins > CALIBRATE_SPINS)
			return 0;
	return rdtsc() - start;
}

void time_init(void)
{
	uint64_t ticks = time_measure_tsc();

	clock.tsc_hz = ticks ? ticks * (1000 / CALIBRATE_MS) : TSC_HZ_FALLBACK;
	clock.tsc_base = rdtsc();
}

uint64_t tsc_hz(void) { return clock.tsc_hz; }

uint64_t time_ns(void)
{
	uint64_t d;

	if (!clock.tsc_hz)
		return 0;
	d = rdtsc() - clock.tsc_base;
	return clock.ns_base + time_mul_div(d, NS_PER_SEC, clock.tsc_hz);
}

/* ---- reference clocks ---- */

/* PM timer ticks since setup; must be called more often than it wraps
 * (4.7 s for 24 bits), which calibration and tests do. */
static uint64_t time_pm_ticks(void)
{
	uint32_t now = inl(clock.pm_port) & clock.pm_mask;

	if (clock.read_hook)
		clock.read_hook();

	clock.pm_ticks += (now - clock.pm_last) & clock.pm_mask;
	clock.pm_last = now;
	return clock.pm_ticks;
}

/* HPET ticks; a 32-bit counter's wraps are counted like the PM timer's
 * (it wraps every few minutes, and callers read it far more often). */
static uint64_t time_hpet_ticks(void)
{
	uint64_t now = clock.hpet[HPET_MAIN_COUNTER / 8];

	if (!clock.hpet_32bit)
		return now;
	if (clock.read_hook)
		clock.read_hook();
	clock.hpet_ticks += (uint32_t)((uint32_t)now - clock.hpet_last);
	clock.hpet_last = (uint32_t)now;
	return clock.hpet_ticks;
}

void time_ref_set_read_hook(void (*hook)(void))
{
	clock.read_hook = hook;
}

/* Interrupts off: the wrap tracking (last reading, running total) is one
 * read-modify-write, and a handler reading the clock in its middle would
 * make the total jump by a whole wrap. */
uint64_t time_ref_ns(void)
{
	unsigned long flags;
	uint64_t ns;

	local_irq_save(flags);
	switch (clock.ref) {
	case TIME_REF_HPET:
		ns = time_mul_div(time_hpet_ticks(), clock.hpet_period_fs, FS_PER_NS);
		break;
	case TIME_REF_PM:
		ns = pm_ticks_to_ns(time_pm_ticks());
		break;
	default:
		ns = time_ns();
	}
	local_irq_restore(flags);
	return ns;
}

bool time_ref_tracks_wraps(void)
{
	return clock.ref == TIME_REF_PM || (clock.ref == TIME_REF_HPET && clock.hpet_32bit);
}

const char *time_ref_name(void)
{
	return clock.ref == TIME_REF_HPET ? "hpet" : clock.ref == TIME_REF_PM ? "acpi_pm" : "none";
}

/* Start the HPET's main counter; false if its period is out of spec. */
static bool time_setup_hpet(volatile void *regs)
{
	volatile uint64_t *r = regs;
	uint64_t period = r[HPET_GCAP_ID / 8] >> HPET_PERIOD_SHIFT;

	if (!period || period > HPET_PERIOD_MAX_FS)
		return false;
	clock.hpet = r;
	clock.hpet_period_fs = period;
	clock.hpet_32bit = !(r[HPET_GCAP_ID / 8] & HPET_CAP_COUNT_64);
	r[HPET_GEN_CONF / 8] |= HPET_CONF_ENABLE;
	clock.hpet_last = (uint32_t)r[HPET_MAIN_COUNTER / 8];
	clock.hpet_ticks = 0;
	clock.ref = TIME_REF_HPET;
	return true;
}

static void time_setup_pm(uint16_t port, bool is32)
{
	clock.pm_port = port;
	clock.pm_mask = is32 ? 0xffffffffu : PM_TIMER_MASK_24;
	clock.pm_last = inl(port) & clock.pm_mask;
	clock.pm_ticks = 0;
	clock.ref = TIME_REF_PM;
}

/* TSC ticks per second over REF_CALIBRATE_NS of the reference clock, or 0
 * if the reference does not advance before a deadline in PIT-calibrated
 * TSC time (a PM timer port where nothing answers reads a constant). */
static uint64_t time_measure_against_ref(void)
{
	uint64_t r0 = time_ref_ns(), t0 = rdtsc(), r1;
	uint64_t give_up = t0 + clock.tsc_hz / (NS_PER_SEC / REF_CALIBRATE_NS) *
				REF_DEADLINE_FACTOR;

	while ((r1 = time_ref_ns()) - r0 < REF_CALIBRATE_NS) {
		if (rdtsc() > give_up)
			return 0;
		cpu_relax();
	}
	return (rdtsc() - t0) * NS_PER_SEC / (r1 - r0);
}

int time_calibrate(volatile void *hpet, uint16_t pm_port, bool pm_32bit)
{
	uint64_t hz, now_ns, pit_hz = clock.tsc_hz;
	typeof(clock) before = clock;   /* restored whole if the new clock fails */

	if (!(hpet && time_setup_hpet(hpet))) {
		if (!pm_port)
			return -ENODEV;
		time_setup_pm(pm_port, pm_32bit);
	}
	hz = time_measure_against_ref();
	if (hz < pit_hz / REF_PLAUSIBLE_FACTOR || hz > pit_hz * REF_PLAUSIBLE_FACTOR) {
		pr_err("%s gives the TSC %llu kHz, the PIT %llu kHz: not trusted; keeping "
		       "the PIT figure", time_ref_name(), (unsigned long long)(hz / 1000),
		       (unsigned long long)(pit_hz / 1000));
		clock = before;         /* the old reference (or none) stays in use */
		return -EIO;
	}
	now_ns = time_ns();             /* keep the clock continuous */
	clock.tsc_base = rdtsc();
	clock.ns_base = now_ns;
	clock.tsc_hz = hz;
	return 0;
}

void udelay(uint64_t us)
{
	uint64_t end = time_ns() + us * 1000;

	while (time_ns() < end)
		cpu_relax();
}

void mdelay(uint64_t ms) { udelay(ms * 1000); }
