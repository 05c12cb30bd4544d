/*
 * cmdline_test.c - the command line, as the boot path delivered it.
 *
 * Scenarios pass `ktest.probe="two words=ok"`: reading it back proves the
 * loader (PVH -append, or UEFI cmdline.txt / load options) kept quotes,
 * spaces and '=' intact.
 */
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "kernel/string.h"
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

/* The keys the kernel reads are declared (the registry is real), and this
 * boot's own command line names none as unknown or malformed. */
static void keys_declared(struct ktest *t)
{
	static char out[4096];
	static const char *const expected[] = {
		"loglevel", "ktest", "ktest.", "dma_debug", "acpi.dump", "page_poison", "pci",
		"swiotlb",
	};

	console_capture_start(out, sizeof(out));
	cmdline_log_keys();
	console_capture_stop();
	for (unsigned i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		char line[40];

		snprintf(line, sizeof(line), "  %s ", expected[i]);
		KT_EXPECT_SUBSTR(t, out, line);
	}
	console_capture_start(out, sizeof(out));
	KT_EXPECT_EQ(t, cmdline_check(&kernel_cmdline), 0);
	console_capture_stop();
}

static bool contains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return true;
	return false;
}

/* dma_debug=maybe and dma_degub=on are named, with the key meant; known
 * keys and the ktest. family pass. */
static void mistakes_named(struct ktest *t)
{
	static struct cmdline cl;
	static char out[4096];

	KT_ASSERT_EQ(t, cmdline_parse(&cl, "dma_debug=maybe dma_degub=on ktest.anything=1 "
				       "loglevel=7 acpi.dump loglevel=lots"), 0);
	console_capture_start(out, sizeof(out));
	KT_EXPECT_EQ(t, cmdline_check(&cl), 3);
	console_capture_stop();
	KT_EXPECT_SUBSTR(t, out, "dma_debug=maybe ignored: not on or off");
	KT_EXPECT_SUBSTR(t, out, "unknown parameter \"dma_degub\" ignored; did you mean "
				 "\"dma_debug\"");
	KT_EXPECT_SUBSTR(t, out, "loglevel=lots ignored: not a number");
	KT_EXPECT_FALSE(t, contains(out, "ktest.anything"));
	KT_EXPECT_FALSE(t, contains(out, "acpi.dump ignored"));
	KT_EXPECT_SUBSTR(t, out, "the parameters the kernel knows");
}

KTEST_SUITE(cmdline, KTEST_CASE(boot_cmdline_has_filter), KTEST_CASE(boot_cmdline_probe),
	    KTEST_CASE(parse_in_kernel), KTEST_CASE(keys_declared), KTEST_CASE(mistakes_named));
