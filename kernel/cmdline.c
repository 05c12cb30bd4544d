/*
 * cmdline.c - split the command line in place and answer lookups.
 *
 * The text is copied into cl->buf and cut with NUL bytes; each parameter
 * points into that buffer, so parsing allocates nothing. Pure logic,
 * tested on the host.
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"

#ifdef KTEST_HOST
#include <string.h>
#else
#include "kernel/string.h"
#endif

struct cmdline kernel_cmdline;

static bool cmdline_is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Cut one word starting at *p; returns its end. Handles key="quoted value". */
static char *cmdline_cut_word(char *p, int *err)
{
	char *out = p;
	bool quoted = false;

	while (*p && (quoted || !cmdline_is_space(*p))) {
		if (*p == '"')
			quoted = !quoted;   /* quotes are dropped from the value */
		else
			*out++ = *p;
		p++;
	}
	if (quoted)
		*err = -EINVAL;
	if (*p)
		p++;
	*out = '\0';
	return p;
}

int cmdline_parse(struct cmdline *cl, const char *text)
{
	size_t len = text ? strnlen(text, sizeof(cl->buf)) : 0;
	char *p = cl->buf;
	int err = 0;

	if (len == sizeof(cl->buf)) {
		err = -E2BIG;   /* keep what fits */
		len--;
	}
	if (len)
		memcpy(cl->buf, text, len);
	cl->buf[len] = '\0';
	cl->count = 0;
	while (*p) {
		char *word, *eq;
		if (cmdline_is_space(*p)) {
			p++;
			continue;
		}
		word = p;
		p = cmdline_cut_word(p, &err);
		if (cl->count == CMDLINE_MAX_PARAMS) {
			err = -E2BIG;
			break;
		}
		eq = strchr(word, '=');
		if (eq)
			*eq = '\0';
		cl->params[cl->count].key = word;
		cl->params[cl->count].value = eq ? eq + 1 : NULL;
		cl->count++;
	}
	return err;
}

/* The last parameter named @key, or NULL. */
static const struct cmdline_param *cmdline_find(const struct cmdline *cl, const char *key)
{
	for (unsigned i = cl->count; i-- > 0;)
		if (strcmp(cl->params[i].key, key) == 0)
			return &cl->params[i];
	return NULL;
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	const struct cmdline_param *p = cmdline_find(cl, key);

	if (!p)
		return NULL;
	return p->value ? p->value : "";
}

bool cmdline_has(const struct cmdline *cl, const char *key)
{
	return cmdline_find(cl, key) != NULL;
}

bool cmdline_get_bool(const struct cmdline *cl, const char *key, bool def)
{
	static const char *const yes[] = { "", "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	const char *v = cmdline_get(cl, key);

	if (!v)
		return def;
	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(v, yes[i]) == 0)
			return true;
	for (unsigned i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(v, no[i]) == 0)
			return false;
	return def;
}

/* Value of one digit in @base, or -1. */
static int cmdline_digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

/* The shift a K/M/G suffix stands for; -1 for anything else. */
static int cmdline_suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k': return 10;
	case 'M': case 'm': return 20;
	case 'G': case 'g': return 30;
	default: return -1;
	}
}

int cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
	const char *end = s + len;
	unsigned base = 10;
	int d, shift = 0, n = 0;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (; s < end && (d = cmdline_digit(*s, base)) >= 0; s++, n++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	if (s < end && (shift = cmdline_suffix_shift(*s++)) < 0)
		return -EINVAL;
	if (n == 0 || s != end)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t *out)
{
	const char *s = cmdline_get(cl, key);

	return s ? cmdline_parse_size(s, strlen(s), out) : -ENOENT;
}
