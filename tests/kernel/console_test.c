/*
 * console_test.c - the serial console, the formatter and the logger.
 */
#define LOG_PREFIX "console_test"
#include "drivers/uart.h"
#include "kernel/device.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/printf.h"
#include "kernel/string.h"

/* Bytes sent with the UART in loopback come back through its receiver. */
static void uart_loopback(struct ktest *t)
{
	static const char msg[] = "Busmaster\x01\x7f";
	char got[sizeof(msg)] = { 0 }, junk;
	unsigned i;

	uart_set_loopback(UART_COM1_BASE, true);
	while (uart_getc(UART_COM1_BASE, &junk))
		;  /* drain anything the terminal typed */
	for (i = 0; i < sizeof(msg) - 1; i++) {
		uart_putc(UART_COM1_BASE, msg[i]);
		for (unsigned spin = 0; spin < 100000; spin++)
			if (uart_getc(UART_COM1_BASE, &got[i]))
				break;
	}
	uart_set_loopback(UART_COM1_BASE, false);
	KT_EXPECT_MEMEQ(t, got, msg, sizeof(msg) - 1);
}

/* The conversions the kernel relies on, against known answers. */
static void printf_formats(struct ktest *t)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%+d", -42, 42, 42, 42, 7);
	KT_EXPECT_STREQ(t, buf, "-42|   42|42   |00042|+7");
	snprintf(buf, sizeof(buf), "%x|%X|%#x|%08llx|%o", 255u, 255u, 255u, 0xabcULL, 8u);
	KT_EXPECT_STREQ(t, buf, "ff|FF|0xff|00000abc|10");
	snprintf(buf, sizeof(buf), "%s|%.3s|%6s|%-6s|%c", "abc", "abcdef", "ab", "ab", 'z');
	KT_EXPECT_STREQ(t, buf, "abc|abc|    ab|ab    |z");
	snprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80200000ULL);
	KT_EXPECT_STREQ(t, buf, "0xffffffff80200000");
	snprintf(buf, sizeof(buf), "%lld|%llu|%zu", -9223372036854775807LL - 1,
		 18446744073709551615ULL, (size_t)12);
	KT_EXPECT_STREQ(t, buf, "-9223372036854775808|18446744073709551615|12");
}

/* A too-small buffer is cut and terminated; the return is the full length. */
static void printf_truncates(struct ktest *t)
{
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%s", "0123456789");

	KT_EXPECT_EQ(t, n, 10);
	KT_EXPECT_STREQ(t, buf, "0123456");
}

/* A log line: "[seconds.micros] prefix: tag message\n". */
static void log_line_format(struct ktest *t)
{
	char cap[256];
	unsigned long errs = log_count(LOG_ERR);

	ktest_expect_error(t, "console_test: error: sample 7 (provoked by the test)");
	console_capture_start(cap, sizeof(cap));
	pr_err("sample %d (provoked by the test)", 7);
	console_capture_stop();
	KT_EXPECT_EQ(t, cap[0], '[');
	KT_EXPECT_EQ(t, cap[6], '.');  /* "[%5u.%06u]" */
	KT_EXPECT_SUBSTR(t, cap, "] console_test: error: sample 7 (provoked by the test)\n");
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
}

/* Lines above the log level are hidden but still counted. */
static void log_level_filter(struct ktest *t)
{
	char cap[128];
	int saved = log_get_level();
	unsigned long debugs = log_count(LOG_DEBUG);

	log_set_level(LOG_INFO);
	console_capture_start(cap, sizeof(cap));
	pr_debug("hidden");
	pr_info("shown");
	console_capture_stop();
	log_set_level(saved);
	KT_EXPECT_FALSE(t, ktest_str_contains(cap, "hidden"));
	KT_EXPECT_SUBSTR(t, cap, "console_test: shown");
	KT_EXPECT_EQ(t, log_count(LOG_DEBUG), debugs + 1);
}

/* Device messages carry the driver's and the device's names. */
static void dev_log_prefix(struct ktest *t)
{
	struct device dev = { .name = "0000:01:00.0" };
	char cap[160];

	ktest_expect_error(t, "(no device): error: no device (provoked by the test)");
	console_capture_start(cap, sizeof(cap));
	dev_info(&dev, "unbound %d", 1);
	dev.driver_name = "nvme";
	dev_warn(&dev, "bound");
	dev_err(NULL, "no device (provoked by the test)");
	console_capture_stop();
	KT_EXPECT_SUBSTR(t, cap, "] 0000:01:00.0: unbound 1\n");
	KT_EXPECT_SUBSTR(t, cap, "] nvme 0000:01:00.0: warning: bound\n");
	KT_EXPECT_SUBSTR(t, cap, "] (no device): error: no device (provoked by the test)\n");
}

/* Capture keeps at most size-1 bytes and stays terminated. */
static void capture_bounded(struct ktest *t)
{
	char cap[6];
	size_t n;

	console_capture_start(cap, sizeof(cap));
	printk("abcdefghij\n");
	n = console_capture_stop();
	KT_EXPECT_EQ(t, n, 5);
	KT_EXPECT_STREQ(t, cap, "abcde");
}

KTEST_SUITE(console, KTEST_CASE(uart_loopback), KTEST_CASE(printf_formats),
	    KTEST_CASE(printf_truncates), KTEST_CASE(log_line_format),
	    KTEST_CASE(log_level_filter), KTEST_CASE(dev_log_prefix),
	    KTEST_CASE(capture_bounded));
