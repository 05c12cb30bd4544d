/*
 * console.h - where kernel text goes: the serial console, plus an optional
 * capture buffer that tests use to read back what the kernel printed.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void console_write(const char *s, size_t len);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);

/*
 * Capture: while active, everything written to the console is also copied
 * into @buf (truncated at @size - 1, always NUL-terminated). Output still
 * reaches the serial line. Not nestable.
 */
void console_capture_start(char *buf, size_t size);
/* Stop capturing; returns the number of bytes kept. */
size_t console_capture_stop(void);

#endif /* KERNEL_CONSOLE_H */
