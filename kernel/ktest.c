/*
 * ktest.c - the test runner: select suites by glob, run cases, print KTAP.
 *
 * Output is KTAP version 1 (Documentation/dev-tools/ktap.rst in Linux):
 * a top-level plan with one result per suite, and for each suite a nested
 * block, indented four spaces, with its own plan and one result per case.
 * Everything else the runner says is a "# " diagnostic line, so a KTAP
 * parser can tell results from commentary and from interleaved log lines.
 *
 * Each suite block starts with a "# cases:" line listing the case names in
 * order. If the kernel dies or hangs inside a case, the harness uses it to
 * name the case that never reported.
 *
 * The file builds twice: into the kernel (output through the console) and
 * into the host test binary (output through stdio), with KTEST_HOST set.
 */
#include <stdarg.h>
#include "kernel/ktest.h"

#ifdef KTEST_HOST
#include <stdio.h>
#include <string.h>
#else
#include "kernel/printf.h"
#include "kernel/string.h"
#endif

#define KTAP_INDENT "    "

/* Bounds of the linker section filled by KTEST_SUITE(). */
extern const struct ktest_suite *const __start_ktest_suites[];
extern const struct ktest_suite *const __stop_ktest_suites[];

/* What is running now; read by the crash path. */
static struct {
	const struct ktest_suite *suite;  /* suite being run, or NULL */
	const struct ktest_case *kcase;   /* case being run, or NULL */
} ktest_now;

const struct ktest_suite *ktest_current_suite(void) { return ktest_now.suite; }
const struct ktest_case *ktest_current_case(void) { return ktest_now.kcase; }

void ktest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_vprintf(fmt, ap);
	va_end(ap);
}

bool ktest__streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Naive substring search: test inputs are short. */
bool ktest_str_contains(const char *haystack, const char *needle)
{
	size_t n;

	if (!haystack || !needle)
		return false;
	n = strlen(needle);
	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return true;
	return n == 0;
}

/* '*' matches any run of characters, '?' exactly one; iterative with one
 * backtrack point, so it is linear enough and cannot recurse deeply. */
bool ktest_glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* Start a diagnostic about the current case: "    # case: ". */
static void ktest_diag_head(struct ktest *t)
{
	ktest_printf(KTAP_INDENT "# %s: ", t->name);
}

void ktest_fail_at(struct ktest *t, const char *file, int line,
		   const char *fmt, ...)
{
	va_list ap;

	t->status = KTEST_FAIL;
	ktest_diag_head(t);
	ktest_printf("EXPECTATION FAILED at %s:%d\n" KTAP_INDENT "#   ", file, line);
	va_start(ap, fmt);
	ktest_vprintf(fmt, ap);
	va_end(ap);
	ktest_printf("\n");
}

void ktest_report_int(struct ktest *t, const char *file, int line,
		      const char *op, const char *lexpr, long long lval,
		      const char *rexpr, long long rval)
{
	ktest_fail_at(t, file, line, "Expected %s %s %s, but", lexpr, op, rexpr);
	ktest_printf(KTAP_INDENT "#     %s == %lld (0x%llx)\n", lexpr, lval,
		     (unsigned long long)lval);
	ktest_printf(KTAP_INDENT "#     %s == %lld (0x%llx)\n", rexpr, rval,
		     (unsigned long long)rval);
}

void ktest_report_str(struct ktest *t, const char *file, int line,
		      const char *op, const char *lexpr, const char *lval,
		      const char *rexpr, const char *rval)
{
	ktest_fail_at(t, file, line, "Expected %s %s %s, but", lexpr, op, rexpr);
	ktest_printf(KTAP_INDENT "#     %s == \"%s\"\n", lexpr, lval ? lval : "(null)");
	ktest_printf(KTAP_INDENT "#     %s == \"%s\"\n", rexpr, rval ? rval : "(null)");
}

void ktest_expect_error(struct ktest *t, const char *substr)
{
	ktest_printf(KTAP_INDENT "# %s: expect-error: %s\n", t->name, substr);
}

void ktest_expect_qemu_log(struct ktest *t, const char *regex)
{
	ktest_printf(KTAP_INDENT "# %s: expect-qemu-log: %s\n", t->name, regex);
}

void ktest_harness_mark(const char *what, const char *tag)
{
	ktest_printf(KTAP_INDENT "# harness: %s %s\n", what, tag);
}

void ktest_skip(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->skip_reason, sizeof(t->skip_reason), fmt, ap);
	va_end(ap);
	if (t->status != KTEST_FAIL)
		t->status = KTEST_SKIP;
}

/*
 * Does one filter pattern select this suite (and, through @case_pat,
 * which of its cases)? "suite" and "suite*" pick whole suites; a pattern
 * with a dot, "suite.case*", picks cases. Explicit-only suites need their
 * name spelled out, without wildcards in the suite part.
 */
static bool ktest_pattern_selects(const char *pat, size_t len,
				  const struct ktest_suite *s,
				  const char *case_name)
{
	char buf[128], full[160];
	const char *dot;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, pat, len);
	buf[len] = '\0';
	dot = strchr(buf, '.');
	if (s->flags & KTEST_EXPLICIT) {
		size_t slen = dot ? (size_t)(dot - buf) : len;
		if (slen != strlen(s->name) || strncmp(buf, s->name, slen) != 0)
			return false;
	}
	if (!dot)
		return ktest_glob_match(buf, s->name);
	if (!case_name)  /* suite-level question: does any case match? */
		return true;
	snprintf(full, sizeof(full), "%s.%s", s->name, case_name);
	return ktest_glob_match(buf, full);
}

/* Walk a comma-separated filter; true if any pattern selects. */
static bool ktest_filter_selects(const char *filter, const struct ktest_suite *s,
				 const char *case_name)
{
	const char *p = filter;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (ktest_pattern_selects(p, len, s, case_name))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* A suite is selected if some pattern names it and picks one of its cases. */
static bool ktest_suite_selected(const char *filter, const struct ktest_suite *s)
{
	const struct ktest_case *c;

	if (!ktest_filter_selects(filter, s, NULL))
		return false;
	for (c = s->cases; c->name; c++)
		if (ktest_filter_selects(filter, s, c->name))
			return true;
	return false;
}

/* Run one case and print its result line. */
static enum ktest_status ktest_run_case(const struct ktest_case *c, unsigned n)
{
	struct ktest t = { .name = c->name, .status = KTEST_PASS };

	ktest_now.kcase = c;
	c->fn(&t);
	ktest_now.kcase = NULL;
	if (t.status == KTEST_SKIP)
		ktest_printf(KTAP_INDENT "ok %u %s # SKIP %s\n", n, c->name, t.skip_reason);
	else
		ktest_printf(KTAP_INDENT "%s %u %s\n",
			     t.status == KTEST_PASS ? "ok" : "not ok", n, c->name);
	return t.status;
}

/* Run the selected cases of one suite as a nested KTAP block. */
static void ktest_run_suite(const char *filter, const struct ktest_suite *s,
			    unsigned n, struct ktest_totals *tot)
{
	struct ktest_totals mine = { 0 };
	const struct ktest_case *c;
	const char *reason = s->skip_if ? s->skip_if() : NULL;
	unsigned planned = 0, i = 0;

	if (reason) {
		ktest_printf("ok %u %s # SKIP %s\n", n, s->name, reason);
		tot->skip++;
		return;
	}
	ktest_printf(KTAP_INDENT "KTAP version 1\n" KTAP_INDENT "# Subtest: %s\n"
		     KTAP_INDENT "# cases:", s->name);
	for (c = s->cases; c->name; c++)
		if (ktest_filter_selects(filter, s, c->name)) {
			ktest_printf(" %s", c->name);
			planned++;
		}
	ktest_printf("\n" KTAP_INDENT "1..%u\n", planned);
	ktest_now.suite = s;
	for (c = s->cases; c->name; c++) {
		if (!ktest_filter_selects(filter, s, c->name))
			continue;
		switch (ktest_run_case(c, ++i)) {
		case KTEST_PASS: mine.pass++; break;
		case KTEST_FAIL: mine.fail++; break;
		case KTEST_SKIP: mine.skip++; break;
		}
	}
	ktest_now.suite = NULL;
	ktest_printf("# %s: pass:%u fail:%u skip:%u total:%u\n", s->name,
		     mine.pass, mine.fail, mine.skip, planned);
	if (mine.fail)
		ktest_printf("not ok %u %s\n", n, s->name);
	else if (mine.pass == 0 && mine.skip)
		ktest_printf("ok %u %s # SKIP all cases skipped\n", n, s->name);
	else
		ktest_printf("ok %u %s\n", n, s->name);
	tot->pass += mine.pass;
	tot->fail += mine.fail;
	tot->skip += mine.skip;
}

int ktest_run(const char *filter, struct ktest_totals *tot)
{
	const struct ktest_suite *const *sp;
	unsigned n = 0, planned = 0;

	*tot = (struct ktest_totals){ 0 };
	for (sp = __start_ktest_suites; sp < __stop_ktest_suites; sp++)
		if (ktest_suite_selected(filter, *sp))
			planned++;
	ktest_printf("KTAP version 1\n1..%u\n", planned);
	for (sp = __start_ktest_suites; sp < __stop_ktest_suites; sp++)
		if (ktest_suite_selected(filter, *sp))
			ktest_run_suite(filter, *sp, ++n, tot);
	tot->suites = planned;
	ktest_printf("# ktest: pass:%u fail:%u skip:%u total:%u\n", tot->pass,
		     tot->fail, tot->skip, tot->pass + tot->fail + tot->skip);
	return tot->fail ? 1 : 0;
}
