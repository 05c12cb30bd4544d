/*
 * test_ktest.c - host tests of the test runner's own pure pieces.
 */
#include "kernel/ktest.h"

/* '*' and '?' behave like a shell glob, anchored at both ends. */
static void glob_basics(struct ktest *t)
{
	KT_EXPECT_TRUE(t, ktest_glob_match("*", ""));
	KT_EXPECT_TRUE(t, ktest_glob_match("*", "console"));
	KT_EXPECT_TRUE(t, ktest_glob_match("con*", "console"));
	KT_EXPECT_TRUE(t, ktest_glob_match("*sole", "console"));
	KT_EXPECT_TRUE(t, ktest_glob_match("c?nsole", "console"));
	KT_EXPECT_TRUE(t, ktest_glob_match("console.*", "console.uart"));
	KT_EXPECT_FALSE(t, ktest_glob_match("con", "console"));
	KT_EXPECT_FALSE(t, ktest_glob_match("console", "con"));
	KT_EXPECT_FALSE(t, ktest_glob_match("?", ""));
	KT_EXPECT_FALSE(t, ktest_glob_match("a*b", "acbd"));
}

/* Backtracking over several stars still terminates and is right. */
static void glob_backtracking(struct ktest *t)
{
	KT_EXPECT_TRUE(t, ktest_glob_match("a*b*c", "aXbYbZc"));
	KT_EXPECT_TRUE(t, ktest_glob_match("*a*a*a*", "aaaa"));
	KT_EXPECT_FALSE(t, ktest_glob_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	KT_EXPECT_TRUE(t, ktest_glob_match("**", "x"));
}

static void substring_search(struct ktest *t)
{
	KT_EXPECT_TRUE(t, ktest_str_contains("#PF page fault", "page"));
	KT_EXPECT_TRUE(t, ktest_str_contains("abc", ""));
	KT_EXPECT_FALSE(t, ktest_str_contains("abc", "abcd"));
	KT_EXPECT_FALSE(t, ktest_str_contains(NULL, "a"));
}

KTEST_SUITE(ktest_runner, KTEST_CASE(glob_basics), KTEST_CASE(glob_backtracking),
	    KTEST_CASE(substring_search));
