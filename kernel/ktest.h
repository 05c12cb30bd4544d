/*
 * ktest.h - the test vocabulary shared by in-kernel suites and host tests.
 *
 * A suite is a named array of cases, registered from its own file with
 * KTEST_SUITE(). Registration places a pointer in the linker section
 * "ktest_suites", so adding a test file never means editing a list.
 * The runner (kernel/ktest.c) selects suites by glob and prints KTAP
 * version 1: one nested block per suite, one result line per case.
 *
 *   static void t_adds(struct ktest *t) { KT_EXPECT_EQ(t, 1 + 1, 2); }
 *   KTEST_SUITE(arith, KTEST_CASE(t_adds));
 *
 * EXPECT macros record a failure and let the case go on; ASSERT macros
 * record it and return from the case function at once. Every failure prints
 * the file, the line, the expression and both values as KTAP diagnostics.
 *
 * The same header and runner build for the host (tests/host/), where the
 * output seam is stdio instead of the serial console.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ktest_status {
	KTEST_PASS = 0,
	KTEST_FAIL = 1,
	KTEST_SKIP = 2,
};

/* The running case: passed to every case function. */
struct ktest {
	const char *name;        /* case name, for diagnostics */
	enum ktest_status status;/* PASS until a check fails or the case skips */
	char skip_reason[96];    /* printed after "# SKIP" */
	void *priv;              /* for the suite's init/exit hooks */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

/* Suite flags. */
#define KTEST_EXPLICIT 0x1  /* run only when named without wildcards (tests
                               that fail, crash or hang on purpose) */

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;   /* terminated by a {NULL, NULL} entry */
	unsigned flags;                   /* KTEST_EXPLICIT ... */
	/* Optional: return NULL to run, or a reason to skip the whole suite. */
	const char *(*skip_if)(void);
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SECTION __attribute__((used, section("ktest_suites"), aligned(8)))

/* Register a suite with flags and an optional skip_if hook. */
#define KTEST_SUITE_EXT(sname, sflags, sskip, ...)                            \
	static const struct ktest_case sname##_ktest_cases[] = {              \
		__VA_ARGS__, { NULL, NULL } };                                \
	static const struct ktest_suite sname##_ktest_suite = {               \
		#sname, sname##_ktest_cases, (sflags), (sskip) };             \
	static const struct ktest_suite *const sname##_ktest_ptr KTEST_SECTION \
		= &sname##_ktest_suite

/* Register a plain suite: always selectable by glob, never skipped. */
#define KTEST_SUITE(sname, ...) KTEST_SUITE_EXT(sname, 0, NULL, __VA_ARGS__)

/* ---- results of a run ---- */
struct ktest_totals {
	unsigned pass, fail, skip;   /* cases */
	unsigned suites;             /* suites selected */
};

/**
 * ktest_run - run every registered suite matching @filter, print KTAP.
 * @filter: comma-separated globs over suite names ("*", "console,cmd*"),
 *          or "suite.case" globs to pick single cases.
 * @totals: filled with the case counts.
 *
 * Return: 0 if nothing failed, 1 otherwise.
 */
int ktest_run(const char *filter, struct ktest_totals *totals);

/* The suite and case running now, or NULL: the crash path names them. */
const struct ktest_suite *ktest_current_suite(void);
const struct ktest_case *ktest_current_case(void);

/* Glob with '*' and '?'; exposed for its own tests. */
bool ktest_glob_match(const char *pattern, const char *text);

/* ---- output seam: the kernel console, or stdio on the host ---- */
void ktest_vprintf(const char *fmt, va_list ap);  /* provided by the environment */
void ktest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- reporting helpers behind the macros ---- */
void ktest_fail_at(struct ktest *t, const char *file, int line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ktest_report_int(struct ktest *t, const char *file, int line,
		      const char *op, const char *lexpr, long long lval,
		      const char *rexpr, long long rval);
void ktest_report_str(struct ktest *t, const char *file, int line,
		      const char *op, const char *lexpr, const char *lval,
		      const char *rexpr, const char *rval);
void ktest_skip(struct ktest *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool ktest_str_contains(const char *haystack, const char *needle);

/**
 * ktest_expect_error - declare that the running case provokes a kernel log
 * line at error level containing @substr. Prints "# expect-error: @substr"
 * (KTAP diagnostic); the harness accepts an "error:" line inside this case
 * only if an earlier declaration of the case matches it, and fails the run
 * on any other.
 */
void ktest_expect_error(struct ktest *t, const char *substr);

/**
 * ktest_expect_qemu_log - declare that the running case makes QEMU itself log
 * a line (its -D log: guest errors, trace events) matching the Python regex
 * @regex. Prints "# <case>: expect-qemu-log: @regex"; the harness then
 * requires such a line in every run where the case declared it, and excuses
 * it from the checks that would otherwise fail the run.
 */
void ktest_expect_qemu_log(struct ktest *t, const char *regex);

/**
 * ktest_harness_mark - "# harness: @what @tag" for the host harness, which
 * acts on it as it appears: "cpu-idle begin"/"cpu-idle end" bracket a wait
 * whose QEMU CPU time it measures (docs/testing.md).
 */
void ktest_harness_mark(const char *what, const char *tag);

/* ---- checks ---- */
#define KT__INT(t, a, op, b, on_fail)                                         \
	do {                                                                  \
		long long _ka = (long long)(a), _kb = (long long)(b);         \
		if (!(_ka op _kb)) {                                          \
			ktest_report_int((t), __FILE__, __LINE__, #op, #a,    \
					 _ka, #b, _kb);                       \
			on_fail;                                              \
		}                                                             \
	} while (0)

#define KT__UINT(t, a, op, b, on_fail)                                        \
	do {                                                                  \
		unsigned long long _ka = (unsigned long long)(a);             \
		unsigned long long _kb = (unsigned long long)(b);             \
		if (!(_ka op _kb)) {                                          \
			ktest_report_int((t), __FILE__, __LINE__, #op, #a,    \
					 (long long)_ka, #b, (long long)_kb); \
			on_fail;                                              \
		}                                                             \
	} while (0)

#define KT__TRUE(t, c, on_fail)                                               \
	do {                                                                  \
		if (!(c)) {                                                   \
			ktest_fail_at((t), __FILE__, __LINE__,                \
				      "Expected %s to be true", #c);          \
			on_fail;                                              \
		}                                                             \
	} while (0)

#define KT__STR(t, a, op, b, on_fail)                                         \
	do {                                                                  \
		const char *_ka = (a), *_kb = (b);                            \
		bool _keq = _ka && _kb && ktest__streq(_ka, _kb);             \
		if (!(_keq op true)) {                                        \
			ktest_report_str((t), __FILE__, __LINE__, #op, #a,    \
					 _ka, #b, _kb);                       \
			on_fail;                                              \
		}                                                             \
	} while (0)

#define KT__SUBSTR(t, hay, needle, on_fail)                                   \
	do {                                                                  \
		const char *_kh = (hay), *_kn = (needle);                     \
		if (!ktest_str_contains(_kh, _kn)) {                          \
			ktest_report_str((t), __FILE__, __LINE__, "contains", \
					 #hay, _kh, #needle, _kn);            \
			on_fail;                                              \
		}                                                             \
	} while (0)

#define KT__MEM(t, a, b, n, on_fail)                                          \
	do {                                                                  \
		const unsigned char *_ka = (const void *)(a);                 \
		const unsigned char *_kb = (const void *)(b);                 \
		size_t _kn = (n), _ki;                                        \
		for (_ki = 0; _ki < _kn && _ka[_ki] == _kb[_ki]; _ki++)       \
			;                                                     \
		if (_ki != _kn) {                                             \
			ktest_fail_at((t), __FILE__, __LINE__,                \
				"Expected %s == %s over %zu bytes, first "    \
				"difference at byte %zu: 0x%02x != 0x%02x",   \
				#a, #b, _kn, _ki, _ka[_ki], _kb[_ki]);        \
			on_fail;                                              \
		}                                                             \
	} while (0)

bool ktest__streq(const char *a, const char *b);

#define KT_EXPECT_EQ(t, a, b)   KT__INT(t, a, ==, b, (void)0)
#define KT_EXPECT_NE(t, a, b)   KT__INT(t, a, !=, b, (void)0)
#define KT_EXPECT_LT(t, a, b)   KT__INT(t, a, <, b, (void)0)
#define KT_EXPECT_LE(t, a, b)   KT__INT(t, a, <=, b, (void)0)
#define KT_EXPECT_GT(t, a, b)   KT__INT(t, a, >, b, (void)0)
#define KT_EXPECT_GE(t, a, b)   KT__INT(t, a, >=, b, (void)0)
#define KT_EXPECT_UEQ(t, a, b)  KT__UINT(t, a, ==, b, (void)0)
#define KT_EXPECT_ULT(t, a, b)  KT__UINT(t, a, <, b, (void)0)
#define KT_EXPECT_UGE(t, a, b)  KT__UINT(t, a, >=, b, (void)0)
#define KT_EXPECT_TRUE(t, c)    KT__TRUE(t, c, (void)0)
#define KT_EXPECT_FALSE(t, c)   KT__TRUE(t, !(c), (void)0)
#define KT_EXPECT_NULL(t, p)    KT__UINT(t, (uintptr_t)(p), ==, 0, (void)0)
#define KT_EXPECT_NOT_NULL(t, p) KT__UINT(t, (uintptr_t)(p), !=, 0, (void)0)
#define KT_EXPECT_STREQ(t, a, b)  KT__STR(t, a, ==, b, (void)0)
#define KT_EXPECT_STRNEQ(t, a, b) KT__STR(t, a, !=, b, (void)0)
#define KT_EXPECT_SUBSTR(t, h, n) KT__SUBSTR(t, h, n, (void)0)
#define KT_EXPECT_MEMEQ(t, a, b, n) KT__MEM(t, a, b, n, (void)0)

#define KT_ASSERT_EQ(t, a, b)   KT__INT(t, a, ==, b, return)
#define KT_ASSERT_NE(t, a, b)   KT__INT(t, a, !=, b, return)
#define KT_ASSERT_LT(t, a, b)   KT__INT(t, a, <, b, return)
#define KT_ASSERT_LE(t, a, b)   KT__INT(t, a, <=, b, return)
#define KT_ASSERT_GT(t, a, b)   KT__INT(t, a, >, b, return)
#define KT_ASSERT_GE(t, a, b)   KT__INT(t, a, >=, b, return)
#define KT_ASSERT_UEQ(t, a, b)  KT__UINT(t, a, ==, b, return)
#define KT_ASSERT_TRUE(t, c)    KT__TRUE(t, c, return)
#define KT_ASSERT_FALSE(t, c)   KT__TRUE(t, !(c), return)
#define KT_ASSERT_NOT_NULL(t, p) KT__UINT(t, (uintptr_t)(p), !=, 0, return)
#define KT_ASSERT_STREQ(t, a, b)  KT__STR(t, a, ==, b, return)
#define KT_ASSERT_SUBSTR(t, h, n) KT__SUBSTR(t, h, n, return)
#define KT_ASSERT_MEMEQ(t, a, b, n) KT__MEM(t, a, b, n, return)

/* Mark the case skipped with a reason and leave it. */
#define KT_SKIP(t, ...) do { ktest_skip((t), __VA_ARGS__); return; } while (0)
/* Fail unconditionally with a message and leave the case. */
#define KT_FAIL(t, ...) do { ktest_fail_at((t), __FILE__, __LINE__, __VA_ARGS__); return; } while (0)

#endif /* KERNEL_KTEST_H */
