/*
 * apic.h - the local APIC (xAPIC mode): EOI, self-IPIs and its timer.
 */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H

#include <stdbool.h>
#include <stdint.h>

/**
 * lapic_init - map the LAPIC, enable it with the spurious vector, accept
 * all priorities. Return: 0, or -ENODEV without an APIC (or with one the
 * firmware left in x2APIC mode), -ENOMEM if the registers cannot be mapped.
 */
int lapic_init(void);
bool lapic_ready(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Is @vector in service (ISR: delivered, EOI not yet sent)? */
bool lapic_vector_in_service(unsigned vector);
/* Is @vector pending (IRR) or in service at the LAPIC? */
bool lapic_vector_busy(unsigned vector);
/* Send @vector to this CPU (an inter-processor interrupt to self).
 * Return: 0, -EINVAL outside 0x20-0xff, -ENODEV without a LAPIC,
 * -ETIMEDOUT if it stays pending. */
int lapic_send_self_ipi(unsigned vector);

/**
 * lapic_timer_start - periodic interrupts on @vector at about @hz; the
 * tick (kernel/timer_tick.c) is its one user.
 * The timer's input clock is measured against the reference clock the first
 * time. Return: 0, or -EINVAL (hz 0 or too fast, or @vector outside
 * IRQ_VECTOR_FIRST..IRQ_VECTOR_LAST; the LVT is untouched), -ENODEV (no
 * LAPIC), -EIO (the reference clock does not advance).
 */
int lapic_timer_start(unsigned vector, unsigned hz);
/* Timer input clock after division, in Hz (0 before the first start). */
uint64_t lapic_timer_hz(void);

#endif /* KERNEL_APIC_H */
