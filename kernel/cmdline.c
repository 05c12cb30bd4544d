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

/* @v as a switch: 1 on, 0 off, -1 neither. */
static int cmdline_parse_bool(const char *v)
{
	static const char *const yes[] = { "", "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(v, yes[i]) == 0)
			return 1;
	for (unsigned i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(v, no[i]) == 0)
			return 0;
	return -1;
}

bool cmdline_get_bool(const struct cmdline *cl, const char *key, bool def)
{
	const char *v = cmdline_get(cl, key);
	int b = v ? cmdline_parse_bool(v) : -1;

	return b < 0 ? def : b == 1;
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

/* ---- the registry ---- */

static bool cmdline_is_family(const struct cmdline_key *k)
{
	size_t len = strlen(k->name);

	return len && k->name[len - 1] == '.';
}

const struct cmdline_key *cmdline_lookup_key(const struct cmdline_key *keys, size_t n,
					     const char *name)
{
	const struct cmdline_key *family = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i].name, name) == 0 && !cmdline_is_family(&keys[i]))
			return &keys[i];
		if (cmdline_is_family(&keys[i]) &&
		    strncmp(keys[i].name, name, strlen(keys[i].name)) == 0 &&
		    name[strlen(keys[i].name)] != '\0')
			family = &keys[i];
	}
	return family;
}

const char *cmdline_value_problem(const struct cmdline_key *key, const char *value)
{
	uint64_t n;

	switch (key->type) {
	case CMDLINE_FLAG:
		return value ? "a flag takes no value" : NULL;
	case CMDLINE_BOOL:
		return value && cmdline_parse_bool(value) < 0 ?
		       "not on or off (on, off, yes, no, true, false, 1, 0)" : NULL;
	case CMDLINE_NUMBER:
		if (!value || !*value)
			return "a number is needed";
		return cmdline_parse_size(value, strlen(value), &n) ?
		       "not a number (decimal or 0x-hex, optional K, M or G)" : NULL;
	default:
		return NULL;
	}
}

#define CMDLINE_SUGGEST_LEN 32  /* longer names are not compared */

/* Edits (insert, delete, substitute, swap neighbours) from @a to @b. */
static unsigned cmdline_distance(const char *a, const char *b)
{
	unsigned rows[3][CMDLINE_SUGGEST_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > CMDLINE_SUGGEST_LEN || lb > CMDLINE_SUGGEST_LEN)
		return ~0u;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *pp = rows[(i + 1) % 3];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
	}
	return rows[la % 3][lb];
}

const struct cmdline_key *cmdline_suggest(const struct cmdline_key *keys, size_t n,
					  const char *name)
{
	const struct cmdline_key *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < n; i++) {
		unsigned d = cmdline_distance(name, keys[i].name);

		if (d < best_d) {
			best_d = d;
			best = &keys[i];
		}
	}
	return best;
}
