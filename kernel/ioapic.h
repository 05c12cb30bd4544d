/*
 * ioapic.h - the I/O APICs: wired interrupts (ISA IRQs, PCI INTx) as
 * vectors. Each input pin is a global system interrupt (GSI); the ACPI
 * MADT says where each I/O APIC's pins start and which ISA IRQs arrive
 * elsewhere or signal otherwise (docs/interrupts-and-time.md, "INTx and
 * the I/O APIC").
 */
#ifndef KERNEL_IOAPIC_H
#define KERNEL_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/acpi/acpi.h"

/**
 * ioapic_init - map every I/O APIC the MADT lists, read its pin count, mask
 * every pin. Return: 0, or -ENODEV if there is none (logged).
 */
int ioapic_init(void);

/* Pins of every I/O APIC together (0 before ioapic_init() or without one). */
unsigned ioapic_gsi_count(void);

/**
 * ioapic_get_irq - a vector for GSI @route->gsi, programmed with its trigger
 * and polarity and delivered to this CPU, masked until request_irq().
 * Users of one GSI share its vector: the first programs it, later ones
 * must agree on trigger and polarity.
 * @name: the first user's name, for the log
 * Return: the irq (vector), or -ENODEV (no pin has that GSI), -EBUSY
 * (in use with another trigger or polarity), -ENOSPC (no vector);
 * each logged naming @name.
 */
int ioapic_get_irq(const struct acpi_irq_route *route, const char *name);

/* Drop one use of @irq from ioapic_get_irq(); the last one frees it. */
void ioapic_put_irq(unsigned irq);

/**
 * ioapic_isa_irq - ioapic_get_irq() for ISA IRQ @isa_irq, routed by the
 * MADT's overrides (ISA defaults otherwise): the UART's IRQ 4.
 */
int ioapic_isa_irq(unsigned isa_irq, const char *name);

/* The redirection entry of @gsi (tests read it back). Return: 0 or -ENODEV. */
int ioapic_read_rte(unsigned gsi, uint64_t *rte);

/* Redirection entry bits (82093AA datasheet, 3.2.4). */
#define IOAPIC_RTE_VECTOR       0xffull         /* RW: vector delivered */
#define IOAPIC_RTE_DELIVS       (1ull << 12)    /* RO: a message is on its way */
#define IOAPIC_RTE_ACTIVE_LOW   (1ull << 13)    /* RW: input polarity */
#define IOAPIC_RTE_REMOTE_IRR   (1ull << 14)    /* RO: level interrupt accepted, no EOI yet */
#define IOAPIC_RTE_LEVEL        (1ull << 15)    /* RW: trigger mode */
#define IOAPIC_RTE_MASKED       (1ull << 16)    /* RW: the pin is ignored */
#define IOAPIC_RTE_DEST_SHIFT   56              /* RW: destination APIC ID */

#endif /* KERNEL_IOAPIC_H */
