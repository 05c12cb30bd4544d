/*
 * time.c - TSC calibration against the 8254 PIT, and the clock built on it.
 *
 * The PIT's channel 2 counts down at 1.193182 MHz no matter how fast the
 * CPU (or QEMU's TCG) runs, so timing a known number of PIT ticks with
 * rdtsc gives the TSC frequency. Channel 2's gate and output are wired to
 * port 0x61, which lets us start it and see it reach zero without an
 * interrupt. QEMU q35 always emulates the PIT.
 */
#include "kernel/time.h"
#include "kernel/x86.h"

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

static struct {
	uint64_t tsc_hz;     /* TSC ticks per second, 0 before calibration */
	uint64_t tsc_boot;   /* TSC value at calibration: time zero */
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
	clock.tsc_boot = rdtsc();
}

uint64_t tsc_hz(void) { return clock.tsc_hz; }

uint64_t time_ns(void)
{
	uint64_t d;

	if (!clock.tsc_hz)
		return 0;
	d = rdtsc() - clock.tsc_boot;
	/* Split to avoid overflowing d * 1e9 after a few seconds. */
	return d / clock.tsc_hz * 1000000000ULL +
	       d % clock.tsc_hz * 1000000000ULL / clock.tsc_hz;
}

void udelay(uint64_t us)
{
	uint64_t end = time_ns() + us * 1000;

	while (time_ns() < end)
		cpu_relax();
}

void mdelay(uint64_t ms) { udelay(ms * 1000); }
