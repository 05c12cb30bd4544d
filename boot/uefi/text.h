/*
 * text.h - strings for the kernel, made from firmware text and files.
 *
 * The kernel command line comes from the loader's UCS-2 LoadOptions or
 * from \EFI\BOOT\cmdline.txt; the firmware description from the system
 * table's vendor string. All of it ends up as NUL-terminated ASCII in
 * struct boot_info. Pure code, shared with tests/host/test_uefi_text.c.
 */
#ifndef BOOT_UEFI_TEXT_H
#define BOOT_UEFI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a command-line source held. */
enum uefi_cmdline_result {
	UEFI_CMDLINE_NONE = 0,    /* nothing usable: empty, blank or binary */
	UEFI_CMDLINE_OK,          /* copied whole */
	UEFI_CMDLINE_TRUNCATED,   /* copied, cut to fit the buffer */
};

/* A bounded string being built; overflowing text is cut, never written past. */
struct uefi_strbuf {
	char *buf;
	size_t size;      /* bytes in buf, including the NUL */
	size_t len;       /* characters written so far */
	bool truncated;   /* some text did not fit */
};

void uefi_sb_init(struct uefi_strbuf *sb, char *buf, size_t size);
void uefi_sb_putc(struct uefi_strbuf *sb, char c);
void uefi_sb_puts(struct uefi_strbuf *sb, const char *s);
void uefi_sb_put_hex(struct uefi_strbuf *sb, uint64_t value);
void uefi_sb_put_dec(struct uefi_strbuf *sb, uint64_t value);
void uefi_sb_put_ucs2(struct uefi_strbuf *sb, const uint16_t *s);

enum uefi_cmdline_result uefi_cmdline_from_options(const void *options,
						   size_t size, char *out,
						   size_t out_size);
enum uefi_cmdline_result uefi_cmdline_from_file(const char *text, size_t len,
						char *out, size_t out_size);
void uefi_firmware_describe(const uint16_t *vendor, uint32_t revision,
			    char *out, size_t out_size);

#endif /* BOOT_UEFI_TEXT_H */
