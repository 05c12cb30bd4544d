/*
 * test_cmdline.c - the command line parser, including hostile input.
 */
#include <string.h>
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"

static struct cmdline cl;  /* big: keep it off the stack */

static void words_and_values(struct ktest *t)
{
	KT_ASSERT_EQ(t, cmdline_parse(&cl, "ktest=* loglevel=7 quiet empty="), 0);
	KT_EXPECT_EQ(t, cl.count, 4);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "ktest"), "*");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "loglevel"), "7");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "quiet"), "");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "empty"), "");
	KT_EXPECT_NULL(t, cmdline_get(&cl, "missing"));
	KT_EXPECT_FALSE(t, cmdline_has(&cl, "quie"));
}

static void whitespace_and_empty(struct ktest *t)
{
	KT_EXPECT_EQ(t, cmdline_parse(&cl, ""), 0);
	KT_EXPECT_EQ(t, cl.count, 0);
	KT_EXPECT_EQ(t, cmdline_parse(&cl, NULL), 0);
	KT_EXPECT_EQ(t, cl.count, 0);
	KT_EXPECT_EQ(t, cmdline_parse(&cl, " \t\r\n a=1\t\tb=2 \n"), 0);
	KT_EXPECT_EQ(t, cl.count, 2);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "b"), "2");
}

static void quotes(struct ktest *t)
{
	KT_ASSERT_EQ(t, cmdline_parse(&cl, "probe=\"two words=ok\" x=\"\" \"k y\"=v"), 0);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "probe"), "two words=ok");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "x"), "");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "k y"), "v");
	/* An unterminated quote runs to the end and is reported. */
	KT_EXPECT_EQ(t, cmdline_parse(&cl, "a=1 b=\"open end"), -EINVAL);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "a"), "1");
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "b"), "open end");
}

static void last_one_wins(struct ktest *t)
{
	KT_ASSERT_EQ(t, cmdline_parse(&cl, "a=1 a=2 a"), 0);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "a"), "");
	KT_ASSERT_EQ(t, cmdline_parse(&cl, "a a=3"), 0);
	KT_EXPECT_STREQ(t, cmdline_get(&cl, "a"), "3");
}

static void booleans(struct ktest *t)
{
	KT_ASSERT_EQ(t, cmdline_parse(&cl, "a b=on c=off d=yes e=0 f=maybe g=true"), 0);
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "a", false));
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "b", false));
	KT_EXPECT_FALSE(t, cmdline_get_bool(&cl, "c", true));
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "d", false));
	KT_EXPECT_FALSE(t, cmdline_get_bool(&cl, "e", true));
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "f", true));   /* junk: default */
	KT_EXPECT_FALSE(t, cmdline_get_bool(&cl, "f", false));
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "g", false));
	KT_EXPECT_TRUE(t, cmdline_get_bool(&cl, "absent", true));
}

static void numbers(struct ktest *t)
{
	uint64_t v = 0;

	KT_ASSERT_EQ(t, cmdline_parse(&cl, "a=42 b=0x1F c=64M d=2g e=4k f=12x g= h=0x "
				       "i=18446744073709551615 j=18446744073709551616 k=16777216T "
				       "l=17179869184G m=-1"), 0);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "a", &v), 0);
	KT_EXPECT_UEQ(t, v, 42);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "b", &v), 0);
	KT_EXPECT_UEQ(t, v, 31);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "c", &v), 0);
	KT_EXPECT_UEQ(t, v, 64ULL << 20);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "d", &v), 0);
	KT_EXPECT_UEQ(t, v, 2ULL << 30);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "e", &v), 0);
	KT_EXPECT_UEQ(t, v, 4096);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "f", &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "g", &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "h", &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "i", &v), 0);
	KT_EXPECT_UEQ(t, v, UINT64_MAX);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "j", &v), -ERANGE);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "k", &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "l", &v), -ERANGE);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "m", &v), -EINVAL);
	KT_EXPECT_EQ(t, cmdline_get_u64(&cl, "none", &v), -ENOENT);
}

/* Too long or too many words: keep what fits, say so, never overflow. */
static void limits(struct ktest *t)
{
	static char text[BOOT_CMDLINE_MAX * 2];
	size_t i;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	KT_EXPECT_EQ(t, cmdline_parse(&cl, text), -E2BIG);
	KT_EXPECT_EQ(t, cl.count, 1);
	KT_EXPECT_EQ(t, strlen(cl.params[0].key), BOOT_CMDLINE_MAX - 1);
	for (i = 0; i + 2 < sizeof(text) && i < 2 * (CMDLINE_MAX_PARAMS + 10); i += 2)
		text[i] = 'w', text[i + 1] = ' ';
	text[i] = '\0';
	KT_EXPECT_EQ(t, cmdline_parse(&cl, text), -E2BIG);
	KT_EXPECT_EQ(t, cl.count, CMDLINE_MAX_PARAMS);
}

/* ---- the registry ---- */

static const struct cmdline_key keys[] = {
	{ "dma_debug", CMDLINE_BOOL, "check DMA" },
	{ "loglevel", CMDLINE_NUMBER, "console level" },
	{ "acpi.dump", CMDLINE_FLAG, "dump tables" },
	{ "ktest", CMDLINE_STRING, "run tests" },
	{ "ktest.", CMDLINE_STRING, "facts for tests" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Exact keys first; a family claims what starts with its prefix (but not
 * the prefix alone); anything else is unknown. */
static void keys_looked_up(struct ktest *t)
{
	KT_EXPECT_TRUE(t, cmdline_lookup_key(keys, NKEYS, "dma_debug") == &keys[0]);
	KT_EXPECT_TRUE(t, cmdline_lookup_key(keys, NKEYS, "ktest") == &keys[3]);
	KT_EXPECT_TRUE(t, cmdline_lookup_key(keys, NKEYS, "ktest.iommu") == &keys[4]);
	KT_EXPECT_TRUE(t, cmdline_lookup_key(keys, NKEYS, "ktest.pci.nvme") == &keys[4]);
	KT_EXPECT_NULL(t, cmdline_lookup_key(keys, NKEYS, "ktest."));
	KT_EXPECT_NULL(t, cmdline_lookup_key(keys, NKEYS, "dma_degub"));
	KT_EXPECT_NULL(t, cmdline_lookup_key(keys, NKEYS, "acpi"));
	KT_EXPECT_NULL(t, cmdline_lookup_key(keys, NKEYS, ""));
}

/* Each kind of value is judged: dma_debug=maybe is named, on is fine. */
static void values_judged(struct ktest *t)
{
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[0], "on"));
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[0], "0"));
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[0], NULL));
	KT_EXPECT_SUBSTR(t, cmdline_value_problem(&keys[0], "maybe"), "not on or off");
	KT_EXPECT_NOT_NULL(t, cmdline_value_problem(&keys[0], "On "));
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[1], "7"));
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[1], "0x10"));
	KT_EXPECT_SUBSTR(t, cmdline_value_problem(&keys[1], "x"), "not a number");
	KT_EXPECT_SUBSTR(t, cmdline_value_problem(&keys[1], NULL), "a number is needed");
	KT_EXPECT_SUBSTR(t, cmdline_value_problem(&keys[1], ""), "a number is needed");
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[2], NULL));
	KT_EXPECT_SUBSTR(t, cmdline_value_problem(&keys[2], "1"), "takes no value");
	KT_EXPECT_NULL(t, cmdline_value_problem(&keys[3], "any,thing*"));
}

/* A misspelt key gets the nearest declared one, up to two edits away. */
static void misspellings_suggested(struct ktest *t)
{
	KT_EXPECT_TRUE(t, cmdline_suggest(keys, NKEYS, "dma_degub") == &keys[0]);  /* swap */
	KT_EXPECT_TRUE(t, cmdline_suggest(keys, NKEYS, "dma_debu") == &keys[0]);   /* delete */
	KT_EXPECT_TRUE(t, cmdline_suggest(keys, NKEYS, "dma-debug") == &keys[0]);  /* substitute */
	KT_EXPECT_TRUE(t, cmdline_suggest(keys, NKEYS, "logglevel") == &keys[1]);  /* insert */
	KT_EXPECT_TRUE(t, cmdline_suggest(keys, NKEYS, "acpidump") == &keys[2]);
	KT_EXPECT_NULL(t, cmdline_suggest(keys, NKEYS, "zzz"));
	KT_EXPECT_NULL(t, cmdline_suggest(keys, NKEYS, "debug_dma_x"));
	KT_EXPECT_NULL(t, cmdline_suggest(keys, NKEYS,
					  "a_key_far_longer_than_any_name_compared_here"));
}

KTEST_SUITE(cmdline_parser, KTEST_CASE(words_and_values), KTEST_CASE(whitespace_and_empty),
	    KTEST_CASE(quotes), KTEST_CASE(last_one_wins), KTEST_CASE(booleans),
	    KTEST_CASE(numbers), KTEST_CASE(limits), KTEST_CASE(keys_looked_up),
	    KTEST_CASE(values_judged), KTEST_CASE(misspellings_suggested));
