/*
 * text.c - the kernel command line and firmware name, as plain ASCII.
 *
 * Where the command line comes from (UEFI 2.x, "EFI Loaded Image
 * Protocol", LoadOptions): a UEFI shell starting BOOTX64.EFI passes the
 * whole command, loader path first, as UCS-2 text; a Boot#### variable
 * passes its OptionalData, which may be text or binary. When OVMF boots a
 * removable disk on its own, LoadOptionsSize is 0 (other firmware may pass
 * an opaque binary tag), so the loader falls back to \EFI\BOOT\cmdline.txt.
 *
 * Both sources go through one routine: a "text" is a run of 1-byte (file)
 * or 2-byte little-endian UCS-2 (LoadOptions) code units, cut at the first
 * NUL. Each line break (LF, CR or CRLF) becomes one space, so a CRLF file
 * reads like a LF one, and whitespace at both ends is trimmed. Everything
 * else is kept as written: the kernel's parser honours quotes, so runs of
 * spaces inside a quoted value must survive. LoadOptions must also be
 * printable ASCII throughout, or they are treated as binary and ignored,
 * and a leading "...\BOOTX64.EFI" word is dropped.
 *
 * Pure code: the host tests build it unchanged.
 */
#include "boot/uefi/text.h"

#define TEXT_PRINTABLE_FIRST  0x20      /* ' ' */
#define TEXT_PRINTABLE_LAST   0x7e      /* '~' */
#define TEXT_UNPRINTABLE      '?'       /* stands in for non-ASCII firmware text */
#define TEXT_HEX_DIGITS       "0123456789abcdef"
#define TEXT_DEC_BASE         10
#define TEXT_DEC_DIGITS_MAX   20        /* digits of UINT64_MAX */
#define TEXT_NIBBLE_BITS      4
#define TEXT_TOP_NIBBLE_SHIFT 60        /* shift of a u64's top hex digit */
#define TEXT_NIBBLE_MASK      0xf
#define TEXT_ASCII_BYTES      1         /* bytes per code unit: cmdline.txt */
#define TEXT_UCS2_BYTES       2         /* bytes per code unit: LoadOptions */
#define TEXT_BYTE_BITS        8
#define TEXT_IMAGE_SUFFIX     ".efi"    /* how the shell's first word ends */
#define TEXT_IMAGE_SUFFIX_LEN 4
#define TEXT_CASE_BIT         0x20      /* 'A' | 0x20 == 'a' */

/* A run of code units: 1 byte each (a file) or 2 (UCS-2 LoadOptions). */
struct uefi_text {
	const uint8_t *bytes;
	size_t len;      /* code units before the first NUL */
	size_t unit;     /* bytes per code unit */
};

/**
 * uefi_sb_init - start an empty string in @buf.
 * @sb: the builder
 * @buf: storage
 * @size: bytes of @buf, room for the NUL included
 */
void uefi_sb_init(struct uefi_strbuf *sb, char *buf, size_t size)
{
	sb->buf = buf;
	sb->size = size;
	sb->len = 0;
	sb->truncated = false;
	if (size)
		buf[0] = '\0';
}

/**
 * uefi_sb_putc - append one character, or note that it did not fit.
 * @sb: the builder
 * @c: the character
 */
void uefi_sb_putc(struct uefi_strbuf *sb, char c)
{
	if (sb->len + 1 >= sb->size) {
		sb->truncated = true;
		return;
	}
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/**
 * uefi_sb_puts - append a NUL-terminated string.
 * @sb: the builder
 * @s: the string
 */
void uefi_sb_puts(struct uefi_strbuf *sb, const char *s)
{
	while (*s)
		uefi_sb_putc(sb, *s++);
}

/**
 * uefi_sb_put_hex - append "0x" and @value in lowercase hex, no leading zeros.
 * @sb: the builder
 * @value: the number
 */
void uefi_sb_put_hex(struct uefi_strbuf *sb, uint64_t value)
{
	int shift = TEXT_TOP_NIBBLE_SHIFT;

	uefi_sb_puts(sb, "0x");
	while (shift > 0 && !(value >> shift))
		shift -= TEXT_NIBBLE_BITS;
	for (; shift >= 0; shift -= TEXT_NIBBLE_BITS)
		uefi_sb_putc(sb, TEXT_HEX_DIGITS[(value >> shift) & TEXT_NIBBLE_MASK]);
}

/**
 * uefi_sb_put_dec - append @value in decimal.
 * @sb: the builder
 * @value: the number
 */
void uefi_sb_put_dec(struct uefi_strbuf *sb, uint64_t value)
{
	char digits[TEXT_DEC_DIGITS_MAX];
	int n = 0;

	do {
		digits[n++] = (char)('0' + value % TEXT_DEC_BASE);
		value /= TEXT_DEC_BASE;
	} while (value);
	while (n)
		uefi_sb_putc(sb, digits[--n]);
}

/**
 * uefi_sb_put_ucs2 - append NUL-terminated UCS-2, non-ASCII shown as '?'.
 * @sb: the builder
 * @s: the firmware string
 */
void uefi_sb_put_ucs2(struct uefi_strbuf *sb, const uint16_t *s)
{
	for (; *s && !sb->truncated; s++) {
		if (*s >= TEXT_PRINTABLE_FIRST && *s <= TEXT_PRINTABLE_LAST)
			uefi_sb_putc(sb, (char)*s);
		else
			uefi_sb_putc(sb, TEXT_UNPRINTABLE);
	}
}

/* Code unit @i of @t; UCS-2 is little-endian and may sit at an odd address. */
static uint16_t uefi_text_at(const struct uefi_text *t, size_t i)
{
	const uint8_t *p = t->bytes + i * t->unit;

	if (t->unit == TEXT_ASCII_BYTES)
		return p[0];
	return (uint16_t)(p[0] | p[1] << TEXT_BYTE_BITS);
}

/* Wrap @size bytes of @unit-byte code units, stopping at the first NUL. */
static struct uefi_text uefi_text_make(const void *bytes, size_t size, size_t unit)
{
	struct uefi_text t = { bytes, 0, unit };
	size_t units = bytes ? size / unit : 0;

	while (t.len < units && uefi_text_at(&t, t.len) != 0)
		t.len++;
	return t;
}

/* Whitespace: what separates words, and what trimming removes. */
static bool uefi_is_space(uint16_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True if every unit of @t is printable ASCII or a separator: text, not a tag. */
static bool uefi_text_is_ascii(const struct uefi_text *t)
{
	size_t i;

	for (i = 0; i < t->len; i++) {
		uint16_t c = uefi_text_at(t, i);

		if (!uefi_is_space(c) &&
		    (c < TEXT_PRINTABLE_FIRST || c > TEXT_PRINTABLE_LAST))
			return false;
	}
	return true;
}

/* Index of the first non-separator at or after @i. */
static size_t uefi_skip_space(const struct uefi_text *t, size_t i)
{
	while (i < t->len && uefi_is_space(uefi_text_at(t, i)))
		i++;
	return i;
}

/* Index of the first separator at or after @i: the end of a word. */
static size_t uefi_skip_word(const struct uefi_text *t, size_t i)
{
	while (i < t->len && !uefi_is_space(uefi_text_at(t, i)))
		i++;
	return i;
}

/* True if units [start, end) end in ".efi" in any case: the loader's own path. */
static bool uefi_word_is_image(const struct uefi_text *t, size_t start, size_t end)
{
	size_t i, at;

	if (end - start < TEXT_IMAGE_SUFFIX_LEN)
		return false;
	at = end - TEXT_IMAGE_SUFFIX_LEN;
	for (i = 0; i < TEXT_IMAGE_SUFFIX_LEN; i++)
		if ((uefi_text_at(t, at + i) | TEXT_CASE_BIT) != TEXT_IMAGE_SUFFIX[i])
			return false;
	return true;
}

/* True for CR or LF: a line break, which becomes one space. */
static bool uefi_is_line_break(uint16_t c)
{
	return c == '\r' || c == '\n';
}

/* Copy units [start, len) trimmed, each line break (LF, CR or CRLF) as ' '. */
static enum uefi_cmdline_result uefi_text_copy(const struct uefi_text *t,
					       size_t start, char *out,
					       size_t out_size)
{
	struct uefi_strbuf sb;
	size_t end = t->len;
	uint16_t c;

	uefi_sb_init(&sb, out, out_size);
	start = uefi_skip_space(t, start);
	while (end > start && uefi_is_space(uefi_text_at(t, end - 1)))
		end--;
	if (start == end)
		return UEFI_CMDLINE_NONE;
	for (; start < end && !sb.truncated; start++) {
		c = uefi_text_at(t, start);
		if (c == '\r' && start + 1 < end && uefi_text_at(t, start + 1) == '\n')
			continue;      /* CRLF: the LF makes the space */
		uefi_sb_putc(&sb, uefi_is_line_break(c) ? ' ' : (char)c);
	}
	return sb.truncated ? UEFI_CMDLINE_TRUNCATED : UEFI_CMDLINE_OK;
}

/**
 * uefi_cmdline_from_options - the kernel command line from LoadOptions.
 * @options: EFI_LOADED_IMAGE_PROTOCOL.LoadOptions (may be NULL)
 * @size: LoadOptionsSize, in bytes
 * @out: buffer for the NUL-terminated ASCII result ("" unless text found)
 * @out_size: bytes of @out
 *
 * Options are read as UCS-2 up to the first NUL. Anything other than
 * printable ASCII and whitespace means binary data, not a command line.
 * A first word ending in ".efi" (any case) is the loader's own path, as
 * the UEFI shell passes it, and is dropped; the rest is trimmed and line
 * breaks become spaces.
 *
 * Return: UEFI_CMDLINE_NONE if there is no text to use (the caller then
 * tries cmdline.txt), else UEFI_CMDLINE_OK or UEFI_CMDLINE_TRUNCATED.
 */
enum uefi_cmdline_result uefi_cmdline_from_options(const void *options,
						   size_t size, char *out,
						   size_t out_size)
{
	struct uefi_text t = uefi_text_make(options, size, TEXT_UCS2_BYTES);
	size_t start, word_end;

	if (out_size)
		out[0] = '\0';   /* "" until the options prove to be text */
	if (!uefi_text_is_ascii(&t))
		return UEFI_CMDLINE_NONE;
	start = uefi_skip_space(&t, 0);
	word_end = uefi_skip_word(&t, start);
	if (uefi_word_is_image(&t, start, word_end))
		start = word_end;
	return uefi_text_copy(&t, start, out, out_size);
}

/**
 * uefi_cmdline_from_file - the kernel command line from cmdline.txt.
 * @text: the file's bytes (may be NULL when @len is 0)
 * @len: how many
 * @out: buffer for the NUL-terminated result
 * @out_size: bytes of @out
 *
 * Lines are joined with spaces (each LF, CR or CRLF becomes one), the
 * ends are trimmed, and a NUL byte ends the text early.
 *
 * Return: UEFI_CMDLINE_NONE for an empty or blank file, else
 * UEFI_CMDLINE_OK or UEFI_CMDLINE_TRUNCATED.
 */
enum uefi_cmdline_result uefi_cmdline_from_file(const char *text, size_t len,
						char *out, size_t out_size)
{
	struct uefi_text t = uefi_text_make(text, len, TEXT_ASCII_BYTES);

	return uefi_text_copy(&t, 0, out, out_size);
}

/**
 * uefi_firmware_describe - "<vendor> rev 0x<revision>" for boot_info.firmware.
 * @vendor: EFI_SYSTEM_TABLE.FirmwareVendor, NUL-terminated UCS-2, or NULL
 * @revision: EFI_SYSTEM_TABLE.FirmwareRevision
 * @out: buffer for the NUL-terminated result, cut to fit
 * @out_size: bytes of @out
 */
void uefi_firmware_describe(const uint16_t *vendor, uint32_t revision,
			    char *out, size_t out_size)
{
	struct uefi_strbuf sb;

	uefi_sb_init(&sb, out, out_size);
	if (vendor)
		uefi_sb_put_ucs2(&sb, vendor);
	else
		uefi_sb_puts(&sb, "unknown firmware");
	uefi_sb_puts(&sb, " rev ");
	uefi_sb_put_hex(&sb, revision);
}
