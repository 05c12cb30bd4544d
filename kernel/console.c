/*
 * console.c - the kernel console: COM1, with "\n" sent as "\r\n", and a
 * capture tap so tests can check what a subsystem reported.
 */
#include <stdbool.h>
#include "kernel/console.h"
#include "kernel/printf.h"
#include "drivers/uart.h"

static struct {
	bool have_uart;     /* COM1 answered at init */
	char *cap_buf;      /* capture destination, NULL when not capturing */
	size_t cap_size;    /* capacity of cap_buf including the NUL */
	size_t cap_used;    /* bytes captured so far */
} console;

void console_init(void)
{
	console.have_uart = uart_init(UART_COM1_BASE);
}

/* Append to the capture buffer, keeping it NUL-terminated. */
static void console_capture(const char *s, size_t len)
{
	while (len-- && console.cap_used + 1 < console.cap_size)
		console.cap_buf[console.cap_used++] = *s++;
	console.cap_buf[console.cap_used] = '\0';
}

void console_write(const char *s, size_t len)
{
	if (console.cap_buf)
		console_capture(s, len);
	if (!console.have_uart)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(UART_COM1_BASE, '\r');
		uart_putc(UART_COM1_BASE, s[i]);
	}
}

static void console_sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write(s, len);
}

int vprintk(const char *fmt, va_list ap)
{
	return vformat(console_sink, NULL, fmt, ap);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void console_capture_start(char *buf, size_t size)
{
	console.cap_buf = size ? buf : NULL;
	console.cap_size = size;
	console.cap_used = 0;
	if (size)
		buf[0] = '\0';
}

size_t console_capture_stop(void)
{
	size_t n = console.cap_used;

	console.cap_buf = NULL;
	return n;
}
