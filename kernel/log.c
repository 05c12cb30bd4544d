/*
 * log.c - timestamps, prefixes and level filtering for kernel messages.
 */
#include <stdint.h>
#include "kernel/log.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/time.h"

#define LOG_LINE_MAX 512   /* longer messages are cut, never split */
#define LOG_LEVELS   8

static struct {
	int level;                      /* highest level printed */
	unsigned long count[LOG_LEVELS];/* lines seen per level */
} logger = { .level = LOG_LEVEL_DEFAULT };

void log_set_level(int level)
{
	logger.level = level < 0 ? 0 : level >= LOG_LEVELS ? LOG_LEVELS - 1 : level;
}

int log_get_level(void) { return logger.level; }

unsigned long log_count(int level)
{
	return level >= 0 && level < LOG_LEVELS ? logger.count[level] : 0;
}

/* The word that marks a line's severity, empty for info and debug. */
static const char *log_tag(int level)
{
	switch (level) {
	case LOG_ERR:  return "error: ";
	case LOG_WARN: return "warning: ";
	default:       return "";
	}
}

void log_vwrite(int level, const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	uint64_t ns = time_ns();
	int n;

	if (level >= 0 && level < LOG_LEVELS)
		logger.count[level]++;
	if (level > logger.level)
		return;
	/* Format the whole line first so it reaches the console in one piece. */
	n = snprintf(line, sizeof(line), "[%5llu.%06llu] %s: %s",
		     (unsigned long long)(ns / 1000000000ULL),
		     (unsigned long long)(ns % 1000000000ULL / 1000), prefix,
		     log_tag(level));
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	console_write(line, (size_t)n);
}

void log_write(int level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, prefix, fmt, ap);
	va_end(ap);
}
