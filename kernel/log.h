/*
 * log.h - the leveled kernel logger.
 *
 * Every line starts with a timestamp (seconds since boot) and a prefix
 * naming the subsystem or device that speaks:
 *
 *     [    0.012345] acpi: found MCFG at 0x7ffe1234
 *     [    0.013000] nvme 0000:01:00.0: error: controller fatal status
 *
 * A file sets its prefix by defining LOG_PREFIX before including this
 * header, then uses pr_err/pr_warn/pr_info/pr_debug. Levels use the syslog
 * numbering Linux uses; `loglevel=N` on the command line hides levels > N.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERR   = 3,  /* something failed; the system goes on without it */
	LOG_WARN  = 4,  /* unexpected but handled */
	LOG_INFO  = 6,  /* the normal boot story */
	LOG_DEBUG = 7,  /* detail for whoever is debugging */
};

#define LOG_LEVEL_DEFAULT LOG_INFO

void log_set_level(int level);
int log_get_level(void);

/**
 * log_write - print one log line.
 * @level: enum log_level
 * @prefix: subsystem or device name printed before the message
 * @fmt: printf format of the message; a trailing newline is added if missing
 */
void log_write(int level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vwrite(int level, const char *prefix, const char *fmt, va_list ap);

/* Lines logged at @level since boot (counted even when hidden). */
unsigned long log_count(int level);

#ifndef LOG_PREFIX
#define LOG_PREFIX "kernel"
#endif

#define pr_err(...)   log_write(LOG_ERR, LOG_PREFIX, __VA_ARGS__)
#define pr_warn(...)  log_write(LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define pr_info(...)  log_write(LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define pr_debug(...) log_write(LOG_DEBUG, LOG_PREFIX, __VA_ARGS__)

#endif /* KERNEL_LOG_H */
