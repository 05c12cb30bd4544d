/*
 * panic.c - the kernel's last words.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/ksyms.h"
#include "kernel/ktest.h"
#include "kernel/power.h"
#include "kernel/x86.h"

static bool panicking;  /* a second panic skips straight to the halt */

void crash_stop(const char *why)
{
	const struct ktest_suite *s = ktest_current_suite();
	const struct ktest_case *c = ktest_current_case();

	irq_disable();
	if (s && c)
		printk("# ktest: crashed in %s.%s (%s)\n", s->name, c->name, why);
	else
		printk("*** kernel stopped: %s\n", why);
	power_off(EXIT_CRASH);
}

void panic(const char *fmt, ...)
{
	const uint64_t *fp = __builtin_frame_address(0);  /* [0] caller's rbp, [1] return */
	va_list ap;

	irq_disable();
	if (panicking)
		power_off(EXIT_CRASH);
	panicking = true;
	printk("\n*** PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	backtrace_print(fp[1], fp[0]);
	crash_stop("panic");
}
