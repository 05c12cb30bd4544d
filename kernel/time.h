/*
 * time.h - the kernel's clock: the TSC, calibrated at boot.
 *
 * time_ns() is monotonic nanoseconds since time_init(). Until calibration
 * it returns 0, so the first log lines read "[    0.000000]".
 *
 * Calibration happens twice: early against the PIT (always there, coarse),
 * then against a reference clock ACPI describes, the HPET or else the ACPI
 * PM timer. The reference stays available for measuring other clocks
 * (the LAPIC timer test uses it).
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/x86.h"

#include "kernel/errno.h"

#define NS_PER_SEC      1000000000ULL
#define HPET_MMIO_SIZE  0x400         /* the HPET register block (HPET spec 2.3) */

#define PM_TIMER_HZ     3579545ULL    /* ACPI 6.x, 4.8.3.3 */

/*
 * time_mul_div - @a * @mul / @div, rounded down, without the 64-bit product
 * overflowing: (a / div) * mul + (a % div) * mul / div. Exact while the
 * result fits and (div - 1) * mul does (true for every clock here).
 */
static inline uint64_t time_mul_div(uint64_t a, uint64_t mul, uint64_t div)
{
	return a / div * mul + a % div * mul / div;
}

/* ACPI PM timer ticks in ns; exact for any 64-bit tick count. */
static inline uint64_t pm_ticks_to_ns(uint64_t ticks)
{
	return time_mul_div(ticks, NS_PER_SEC, PM_TIMER_HZ);
}

void time_init(void);

/**
 * time_calibrate - recalibrate the TSC against a better clock.
 * @hpet: the HPET's registers, already mapped uncached, or NULL
 * @pm_port: ACPI PM timer I/O port, or 0
 * @pm_32bit: the PM timer counts 32 bits (else 24)
 *
 * Prefers the HPET. time_ns() stays continuous across the change. A clock
 * that does not advance, or gives a rate far from the PIT's, is refused.
 * Return: 0; -ENODEV if neither clock exists, -EIO if the one tried is not
 * trusted (the previous calibration and reference stay in use).
 */
int time_calibrate(volatile void *hpet, uint16_t pm_port, bool pm_32bit);

/* The reference clock: its name ("hpet", "acpi_pm" or "none") and time. */
const char *time_ref_name(void);
/* Safe in interrupt handlers (the wrap tracking runs with them off). */
uint64_t time_ref_ns(void);
/* Test seam: @hook runs inside time_ref_ns() between reading a wrapping
 * counter and folding it into the total (NULL: none). Lets a test put an
 * interrupt exactly there. */
bool time_ref_tracks_wraps(void);
void time_ref_set_read_hook(void (*hook)(void));
uint64_t time_ns(void);
uint64_t tsc_hz(void);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

/**
 * poll_timeout_us - re-evaluate @cond until it holds or @timeout_us passes,
 * pausing @delay_us between tries. @cond is evaluated once more after the
 * deadline, so a slow emulator cannot turn success into a timeout.
 * Return: 0 if @cond became true, -ETIMEDOUT otherwise.
 */
#define poll_timeout_us(cond, delay_us, timeout_us)                          \
	({                                                                    \
		uint64_t _deadline = time_ns() + (uint64_t)(timeout_us) * 1000; \
		int _ret = -ETIMEDOUT;                                        \
		for (;;) {                                                    \
			bool _late = time_ns() > _deadline;                   \
			if (cond) {                                           \
				_ret = 0;                                     \
				break;                                        \
			}                                                     \
			if (_late)                                            \
				break;                                        \
			if (delay_us)                                         \
				udelay(delay_us);                             \
			else                                                  \
				cpu_relax();                                  \
		}                                                             \
		_ret;                                                         \
	})

#endif /* KERNEL_TIME_H */
