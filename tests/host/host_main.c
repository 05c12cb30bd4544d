/*
 * host_main.c - entry point of the host unit-test binary.
 *
 * Host tests exercise the kernel's pure logic (parsers, allocators, the
 * formatter) compiled for the build machine under AddressSanitizer and
 * UndefinedBehaviorSanitizer. They use the same KTEST_SUITE vocabulary and
 * the same runner as the in-kernel suites, so the output is KTAP too.
 *
 * Usage: hosttests [GLOB[,GLOB...]]   (default "*")
 */
#include <stdio.h>
#include "kernel/ktest.h"

/* Output seam of kernel/ktest.c: plain stdout. */
void ktest_vprintf(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
}

int main(int argc, char **argv)
{
	struct ktest_totals totals;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = ktest_run(argc > 1 ? argv[1] : "*", &totals);
	if (totals.suites == 0) {
		fprintf(stderr, "hosttests: no suite matches '%s'\n", argc > 1 ? argv[1] : "*");
		return 2;
	}
	return rc;
}
