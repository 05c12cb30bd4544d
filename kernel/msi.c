/*
 * msi.c - composing MSI messages (Intel SDM Vol. 3A, 12.11 "Message
 * Signalled Interrupts"). Pure logic, host-tested: PCI code writes the
 * result into a device's MSI capability or MSI-X table entry.
 */
#include "kernel/errno.h"
#include "kernel/irq.h"

#define MSI_ADDR_BASE        0xfee00000u  /* the APIC message window */
#define MSI_ADDR_DEST_SHIFT  12           /* bits 19:12: destination APIC ID */
#define MSI_ADDR_DEST_MAX    0xffu        /* xAPIC: 8-bit IDs */
#define MSI_DATA_VECTOR_MASK 0xffu
/* Data bits 10:8 delivery mode (000 fixed), 14 level (ignored for edge),
 * 15 trigger mode (0 edge): all zero for what we compose. */

int msi_compose(struct msi_msg *msg, unsigned vector, unsigned dest_apic_id)
{
	if (vector < IRQ_VECTOR_FIRST_EXTERNAL || vector > MSI_DATA_VECTOR_MASK ||
	    dest_apic_id > MSI_ADDR_DEST_MAX)
		return -EINVAL;
	msg->address_lo = MSI_ADDR_BASE | (dest_apic_id << MSI_ADDR_DEST_SHIFT);
	msg->address_hi = 0;
	msg->data = vector;
	return 0;
}
