/*
 * cmdline_test.c - the command line, as the boot path delivered it.
 *
 * Scenarios pass `ktest.probe="two words=ok"`: reading it back proves the
 * loader (PVH -append, or UEFI cmdline.txt / load options) kept quotes,
 * spaces and '=' intact.
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"

#define PROBE_KEY   "ktest.probe"
#define PROBE_VALUE "two words=ok"

static void boot_cmdline_has_filter(struct ktest *t)
{
	KT_EXPECT_NOT_NULL(t, cmdline_get(&kernel_cmdline, "ktest"));
}

static void boot_cmdline_probe(struct ktest *t)
{
	const char *v = cmdline_get(&kernel_cmdline, PROBE_KEY);

	if (!v)
		KT_SKIP(t, "the scenario passes no " PROBE_KEY);
	KT_EXPECT_STREQ(t, v, PROBE_VALUE);
}

/* Parsing in the kernel build, not only on the host. */
static void parse_in_kernel(struct ktest *t)
{
	static struct cmdline cl;
	uint64_t v = 0;

	KT_ASSERT_EQ(t, cmdline_parse(&cl, " a=1  flag b=\"x y\" a=2 size=64M "), 0);
	KT_EXPECT_EQ(t, cl.count, 5);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "a"), "2");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "flag"), "");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "b"), "x y");
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "flag", false));
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "size", &v), 0);
	KT_EXPECT_UEQ(t, v, 64ULL << 20);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "missing", &v), -ENOENT);
}

KTEST_SUITE(cmdline, KTEST_CASE(boot_cmdline_has_filter), KTEST_CASE(boot_cmdline_probe),
	    KTEST_CASE(parse_in_kernel));
