/*
 * test_ksyms.c - address-to-symbol lookup over a small fake table.
 */
#include "kernel/ksyms.h"
#include "kernel/ktest.h"

static const char names[] = "alpha\0beta\0gamma";
static const struct ksym syms[] = {
	{ 0x1000, 0x10, 0 },   /* alpha: [0x1000, 0x1010) */
	{ 0x1020, 0x20, 6 },   /* beta:  [0x1020, 0x1040) */
	{ 0x1040, 0,    11 },  /* gamma: size unknown, runs to the end */
};
static const struct ksym_table table = { syms, 3, names };

static void inside_functions(struct ktest *t)
{
	uint64_t off = 99;

	KT_EXPECT_STREQ(t, ksym_find(&table, 0x1000, &off), "alpha");
	KT_EXPECT_UEQ(t, off, 0);
	KT_EXPECT_STREQ(t, ksym_find(&table, 0x100f, &off), "alpha");
	KT_EXPECT_UEQ(t, off, 0xf);
	KT_EXPECT_STREQ(t, ksym_find(&table, 0x1020, &off), "beta");
	KT_EXPECT_STREQ(t, ksym_find(&table, 0x103f, &off), "beta");
	KT_EXPECT_STREQ(t, ksym_find(&table, 0x9999, &off), "gamma");
	KT_EXPECT_UEQ(t, off, 0x9999 - 0x1040);
}

static void outside_functions(struct ktest *t)
{
	uint64_t off = 0;
	const struct ksym_table empty = { syms, 0, names };

	KT_EXPECT_NULL(t, ksym_find(&table, 0xfff, &off));   /* before the first */
	KT_EXPECT_NULL(t, ksym_find(&table, 0x1010, &off));  /* gap after alpha */
	KT_EXPECT_NULL(t, ksym_find(&table, 0x101f, &off));
	KT_EXPECT_NULL(t, ksym_find(&empty, 0x1000, &off));
}

KTEST_SUITE(ksyms, KTEST_CASE(inside_functions), KTEST_CASE(outside_functions));
