/*
 * panic.h - stopping the kernel when an invariant is broken.
 *
 * panic() is for broken invariants only: bad input, device errors and
 * timeouts return errors instead. A panic prints its message and a
 * backtrace, names the test that was running (if any) and powers off with
 * the "crashed" status (kernel/power.h), or halts when it cannot.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The last step of every crash: say what stopped, then power off/halt. */
void crash_stop(const char *why) __attribute__((noreturn));

#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (__builtin_expect(!!(cond), 0))                          \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif /* KERNEL_PANIC_H */
