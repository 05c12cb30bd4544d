/*
 * cmdline.h - the kernel command line: `key=value` words and bare flags.
 *
 *   ktest=* loglevel=7 swiotlb=force dma_debug=on title="two words" quiet
 *
 * Words are separated by spaces or tabs; a value may be double-quoted to
 * hold spaces. A key given twice keeps its last value, as in Linux.
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
 * Return: 0, or -E2BIG (too long, or more than CMDLINE_MAX_PARAMS words:
 * the extra words are dropped), or -EINVAL (an unterminated quote: the
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

/* The kernel's own command line, parsed at boot. */
extern struct cmdline kernel_cmdline;

#endif /* KERNEL_CMDLINE_H */
