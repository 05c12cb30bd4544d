/*
 * time.h - the kernel's clock: the TSC, calibrated at boot.
 *
 * time_ns() is monotonic nanoseconds since time_init(). Until calibration
 * it returns 0, so the first log lines read "[    0.000000]".
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdbool.h>
#include <stdint.h>

void time_init(void);
uint64_t time_ns(void);
uint64_t tsc_hz(void);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

#endif /* KERNEL_TIME_H */
