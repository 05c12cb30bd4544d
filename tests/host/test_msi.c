/*
 * test_msi.c - MSI message composition (SDM Vol. 3A, 12.11).
 */
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/ktest.h"

static void compose_fixed_edge(struct ktest *t)
{
	struct msi_msg m = { 1, 1, 1 };

	KT_ASSERT_EQ(t, msi_compose(&m, 0x31, 0), 0);
	KT_EXPECT_UEQ(t, m.address_lo, 0xfee00000u);
	KT_EXPECT_UEQ(t, m.address_hi, 0);
	KT_EXPECT_UEQ(t, m.data, 0x31);       /* fixed delivery, edge: only the vector */
	KT_ASSERT_EQ(t, msi_compose(&m, 0xef, 3), 0);
	KT_EXPECT_UEQ(t, m.address_lo, 0xfee03000u);
	KT_ASSERT_EQ(t, msi_compose(&m, 0x20, 255), 0);   /* the first external vector */
	KT_EXPECT_UEQ(t, m.address_lo, 0xfeeff000u);
}

static void compose_rejects(struct ktest *t)
{
	struct msi_msg m = { 7, 7, 7 };

	KT_EXPECT_EQ(t, msi_compose(&m, 0x0f, 0), -EINVAL);   /* reserved vectors */
	/* 0x10-0x1f are legal to the APIC but land in exception stubs, some of
	 * which expect an error code the interrupt does not push. */
	KT_EXPECT_EQ(t, msi_compose(&m, 0x10, 0), -EINVAL);
	KT_EXPECT_EQ(t, msi_compose(&m, 0x1f, 0), -EINVAL);
	KT_EXPECT_EQ(t, msi_compose(&m, 0x100, 0), -EINVAL);
	KT_EXPECT_EQ(t, msi_compose(&m, 0x40, 256), -EINVAL); /* xAPIC IDs are 8-bit */
	KT_EXPECT_UEQ(t, m.data, 7);                          /* untouched on error */
}

KTEST_SUITE(msi, KTEST_CASE(compose_fixed_edge), KTEST_CASE(compose_rejects));
