/*
 * cmdline_boot.c - the kernel command line checked against the keys the
 * kernel declares (CMDLINE_PARAM() puts each in the "cmdline_keys" linker
 * section, next to its parser). Every unknown key and malformed value is
 * named at boot; the kernel goes on with the defaults. The checks
 * themselves are pure, in cmdline.c.
 */
#define LOG_PREFIX "cmdline"
#include "kernel/cmdline.h"
#include "kernel/log.h"

extern const struct cmdline_key __start_cmdline_keys[];
extern const struct cmdline_key __stop_cmdline_keys[];

#define CMDLINE_KEYS      __start_cmdline_keys
#define CMDLINE_KEY_COUNT ((size_t)(__stop_cmdline_keys - __start_cmdline_keys))

/* Name one unknown key, with the nearest declared one if any. */
static void cmdline_report_unknown(const struct cmdline_param *p)
{
	const struct cmdline_key *near = cmdline_suggest(CMDLINE_KEYS, CMDLINE_KEY_COUNT, p->key);

	if (near)
		pr_warn("unknown parameter \"%s\" ignored; did you mean \"%s\" (%s)?", p->key,
			near->name, near->help);
	else
		pr_warn("unknown parameter \"%s\" ignored (no such key is declared)", p->key);
}

unsigned cmdline_check(const struct cmdline *cl)
{
	unsigned named = 0;

	for (unsigned i = 0; i < cl->count; i++) {
		const struct cmdline_param *p = &cl->params[i];
		const struct cmdline_key *k = cmdline_lookup_key(CMDLINE_KEYS, CMDLINE_KEY_COUNT,
								 p->key);
		const char *why;

		if (!k) {
			cmdline_report_unknown(p);
			named++;
		} else if ((why = cmdline_value_problem(k, p->value))) {
			pr_warn("%s=%s ignored: %s (%s: %s)", p->key, p->value ? p->value : "",
				why, k->name, k->help);
			named++;
		}
	}
	if (named)
		cmdline_log_keys();
	return named;
}

void cmdline_log_keys(void)
{
	static const char *const types[] = { "flag", "on/off", "number", "text" };

	pr_info("the parameters the kernel knows:");
	for (size_t i = 0; i < CMDLINE_KEY_COUNT; i++)
		pr_info("  %-16s %-7s %s", CMDLINE_KEYS[i].name,
			types[CMDLINE_KEYS[i].type], CMDLINE_KEYS[i].help);
}
