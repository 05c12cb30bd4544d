/*
 * cmdline.h - the kernel command line: `key=value` words and bare flags.
 *
 *   ktest=* loglevel=7 swiotlb=force dma_debug=on title="two words" quiet
 *
 * Words are separated by spaces or tabs; a value may be double-quoted to
 * hold spaces. A key given twice keeps its last value, as in Linux.
 *
 * Every key the kernel reads is declared next to its parser with
 * CMDLINE_PARAM(), which puts it in a linker-section registry with the
 * kind of value it takes and a one-line description; `ktest.` declares a
 * family (every key starting so). At boot, cmdline_check() names each
 * word that is no declared key, or whose value is malformed.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boot/boot_info.h"

#define CMDLINE_MAX_PARAMS 64

struct cmdline_param {
	const char *key;    /* points into cmdline.buf */
	const char *value;  /* NULL for a bare flag */
};

struct cmdline {
	char buf[BOOT_CMDLINE_MAX];                  /* the text, split in place */
	struct cmdline_param params[CMDLINE_MAX_PARAMS];
	unsigned count;                              /* params in use */
};

/**
 * cmdline_parse - split @text into parameters.
 * @cl: destination; previous contents are discarded
 * @text: the command line (copied; may be freed afterwards)
 *
 * Return: 0, or -E2BIG (longer than BOOT_CMDLINE_MAX - 1 bytes, or more
 * than CMDLINE_MAX_PARAMS words: the rest is dropped), or -EINVAL (an unterminated quote: the
 * value runs to the end). What could be parsed is kept in every case.
 */
int cmdline_parse(struct cmdline *cl, const char *text);

/* The value of @key: NULL if absent, "" for a bare flag or `key=`. */
const char *cmdline_get(const struct cmdline *cl, const char *key);
bool cmdline_has(const struct cmdline *cl, const char *key);

/**
 * cmdline_get_bool - read an on/off switch.
 * Accepts on/off, yes/no, true/false, 1/0; a bare flag means true.
 * Return: @def if @key is absent or its value is not one of these.
 */
bool cmdline_get_bool(const struct cmdline *cl, const char *key, bool def);

/**
 * cmdline_get_u64 - read a number: decimal or 0x-hex, optional K/M/G suffix.
 * Return: 0 and *out set; -ENOENT if absent; -EINVAL if malformed;
 * -ERANGE if it overflows 64 bits.
 */
int cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t *out);

/**
 * cmdline_parse_size - read exactly @len characters at @s as a number:
 * decimal or 0x-hex, with an optional K, M or G suffix (powers of 1024).
 * Return: 0 and *out set; -EINVAL if malformed; -ERANGE on overflow.
 */
int cmdline_parse_size(const char *s, size_t len, uint64_t *out);

/* ---- the registry of known keys ---- */

/* What a key's value must look like. */
enum cmdline_type {
	CMDLINE_FLAG,    /* bare word, no value: `acpi.dump` */
	CMDLINE_BOOL,    /* on/off, yes/no, true/false, 1/0, or bare (on) */
	CMDLINE_NUMBER,  /* decimal or 0x-hex, optional K/M/G (cmdline_parse_size) */
	CMDLINE_STRING,  /* anything: the subsystem's own parser judges it */
};

struct cmdline_key {
	const char *name;        /* "dma_debug"; a name ending in '.' is a family */
	enum cmdline_type type;
	const char *help;        /* one line */
};

/* Declare key @kname (a string) as @ktype with description @khelp; @id is
 * any identifier unique in the file. */
#define CMDLINE_PARAM(id, kname, ktype, khelp)                                  \
	static const struct cmdline_key cmdline_key_##id                        \
	__attribute__((used, section("cmdline_keys"), aligned(8))) =            \
		{ kname, ktype, khelp }

/**
 * cmdline_lookup_key - the declared key a parameter named @name is.
 * @keys, @n: the registry
 * Return: the exact key, else the family whose prefix @name starts with,
 * else NULL.
 */
const struct cmdline_key *cmdline_lookup_key(const struct cmdline_key *keys, size_t n,
					     const char *name);

/**
 * cmdline_value_problem - why @value does not suit @key, or NULL.
 * @value: NULL for a bare word
 * Return: a phrase such as "not on or off (on, off, yes, no, true, false,
 * 1, 0)", or NULL if the value is well-formed.
 */
const char *cmdline_value_problem(const struct cmdline_key *key, const char *value);

/**
 * cmdline_suggest - the declared key closest to a misspelt @name.
 * Return: a key at most two edits (insertions, deletions, substitutions
 * or swaps of neighbours) away, or NULL.
 */
const struct cmdline_key *cmdline_suggest(const struct cmdline_key *keys, size_t n,
					  const char *name);

/* Log every declared key with its kind and description. */
void cmdline_log_keys(void);

/**
 * cmdline_check - name every unknown key and malformed value of @cl
 * against the kernel's declared keys, as warnings (the kernel goes on
 * with the defaults), then list the keys if anything was named.
 * Return: how many words were named.
 */
unsigned cmdline_check(const struct cmdline *cl);

/* The kernel's own command line, parsed at boot. */
extern struct cmdline kernel_cmdline;

#endif /* KERNEL_CMDLINE_H */
