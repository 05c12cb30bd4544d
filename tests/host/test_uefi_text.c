/*
 * test_uefi_text.c - host tests of the loader's command line and strings.
 *
 * LoadOptions arrive as UCS-2 bytes (u"" literals here, sized in bytes as
 * LoadOptionsSize is); cmdline.txt arrives as plain bytes.
 */
#include <string.h>
#include "boot/boot_info.h"
#include "boot/uefi/text.h"
#include "kernel/ktest.h"

#define T_OUT_MAX  64

/* Run uefi_cmdline_from_options() over a u"" literal, NUL included. */
#define T_OPTIONS(lit, out) \
	uefi_cmdline_from_options((lit), sizeof(lit), (out), sizeof(out))

/* The UEFI shell's form: the loader's path first, dropped. */
static void text_options_drop_loader_path(struct ktest *t)
{
	char out[T_OUT_MAX];

	KT_EXPECT_EQ(t, T_OPTIONS(u"\\EFI\\BOOT\\BOOTX64.EFI console=ttyS0 quiet", out),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "console=ttyS0 quiet");
	KT_EXPECT_EQ(t, T_OPTIONS(u"  fs0:\\efi\\boot\\bootx64.efi\ta  b ", out),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "a  b");
	KT_EXPECT_EQ(t, T_OPTIONS(u"Loader.Efi x", out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "x");
}

/* A first word that is not an .efi path is part of the command line. */
static void text_options_keep_other_first_word(struct ktest *t)
{
	char out[T_OUT_MAX];

	KT_EXPECT_EQ(t, T_OPTIONS(u"  loglevel=7\r\n", out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "loglevel=7");
	KT_EXPECT_EQ(t, T_OPTIONS(u"efi x", out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "efi x");
	KT_EXPECT_EQ(t, T_OPTIONS(u"a.efi.bak y", out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "a.efi.bak y");
}

/* No options, blank options, or only the loader path: nothing to use. */
static void text_options_empty(struct ktest *t)
{
	char out[T_OUT_MAX] = "stale";

	KT_EXPECT_EQ(t, uefi_cmdline_from_options(NULL, 0, out, sizeof(out)),
		     UEFI_CMDLINE_NONE);
	KT_EXPECT_STREQ(t, out, "");
	KT_EXPECT_EQ(t, T_OPTIONS(u"", out), UEFI_CMDLINE_NONE);
	KT_EXPECT_EQ(t, T_OPTIONS(u" \t \r\n", out), UEFI_CMDLINE_NONE);
	KT_EXPECT_EQ(t, T_OPTIONS(u"\\EFI\\BOOT\\BOOTX64.EFI", out), UEFI_CMDLINE_NONE);
	KT_EXPECT_EQ(t, T_OPTIONS(u"\\EFI\\BOOT\\BOOTX64.EFI   ", out), UEFI_CMDLINE_NONE);
	KT_EXPECT_STREQ(t, out, "");
}

/* Binary OptionalData (here a GUID, as OVMF's own boot options carry) is not text. */
static void text_options_binary_ignored(struct ktest *t)
{
	static const uint8_t guid[16] = {
		0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
		0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2,
	};
	char out[T_OUT_MAX] = "stale";

	KT_EXPECT_EQ(t, uefi_cmdline_from_options(guid, sizeof(guid), out, sizeof(out)),
		     UEFI_CMDLINE_NONE);
	KT_EXPECT_STREQ(t, out, "");
	KT_EXPECT_EQ(t, T_OPTIONS(u"caf\u00e9", out), UEFI_CMDLINE_NONE);
}

/* Text stops at the first NUL; an odd trailing byte is ignored. */
static void text_options_nul_and_odd_size(struct ktest *t)
{
	static const uint16_t opts[] = u"abc\0def";
	char out[T_OUT_MAX];

	KT_EXPECT_EQ(t, T_OPTIONS(opts, out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "abc");
	KT_EXPECT_EQ(t, uefi_cmdline_from_options(u"xy", 3, out, sizeof(out)),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "x");
}

/* LoadOptions may sit at an odd address: read as bytes, little-endian. */
static void text_options_unaligned(struct ktest *t)
{
	static const uint8_t raw[] = { 0xff, 'o', 0, 'k', 0, 0, 0 };
	char out[T_OUT_MAX];

	KT_EXPECT_EQ(t, uefi_cmdline_from_options(raw + 1, sizeof(raw) - 1, out,
						  sizeof(out)), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "ok");
}

/* Too long: cut to the buffer, NUL-terminated, and reported. */
static void text_options_truncated(struct ktest *t)
{
	char out[8];

	KT_EXPECT_EQ(t, T_OPTIONS(u"BOOTX64.EFI 0123456789", out), UEFI_CMDLINE_TRUNCATED);
	KT_EXPECT_STREQ(t, out, "0123456");
	KT_EXPECT_EQ(t, T_OPTIONS(u"0123456", out), UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "0123456");
}

/* cmdline.txt: each line break one space, other text kept, ends trimmed. */
static void text_file_lines_joined(struct ktest *t)
{
	static const char file[] = "  console=ttyS0\r\nktest=uefi*\n\tquiet\rmsg=\"a  b\"\n\n";
	static const char nul[] = "a b\0c";
	char out[T_OUT_MAX];

	KT_EXPECT_EQ(t, uefi_cmdline_from_file(file, strlen(file), out, sizeof(out)),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "console=ttyS0 ktest=uefi* \tquiet msg=\"a  b\"");
	KT_EXPECT_EQ(t, uefi_cmdline_from_file(nul, sizeof(nul), out, sizeof(out)),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "a b");
	KT_EXPECT_EQ(t, uefi_cmdline_from_file("x.efi y", 7, out, sizeof(out)),
		     UEFI_CMDLINE_OK);
	KT_EXPECT_STREQ(t, out, "x.efi y");   /* only LoadOptions carry a loader path */
}

/* An empty or blank file gives an empty command line. */
static void text_file_empty(struct ktest *t)
{
	char out[T_OUT_MAX] = "stale";

	KT_EXPECT_EQ(t, uefi_cmdline_from_file(NULL, 0, out, sizeof(out)), UEFI_CMDLINE_NONE);
	KT_EXPECT_STREQ(t, out, "");
	KT_EXPECT_EQ(t, uefi_cmdline_from_file("\n \r\n\t", 5, out, sizeof(out)),
		     UEFI_CMDLINE_NONE);
	KT_EXPECT_STREQ(t, out, "");
}

/* A file longer than BOOT_CMDLINE_MAX - 1 is cut to exactly that. */
static void text_file_truncated_to_boot_max(struct ktest *t)
{
	static char file[2 * BOOT_CMDLINE_MAX];
	static char out[BOOT_CMDLINE_MAX];

	memset(file, 'k', sizeof(file));
	KT_EXPECT_EQ(t, uefi_cmdline_from_file(file, sizeof(file), out, sizeof(out)),
		     UEFI_CMDLINE_TRUNCATED);
	KT_EXPECT_EQ(t, strlen(out), BOOT_CMDLINE_MAX - 1);
}

/* The firmware line: ASCII vendor, " rev ", hex revision. */
static void text_firmware_describe(struct ktest *t)
{
	char out[BOOT_FIRMWARE_MAX];
	char tiny[12];

	uefi_firmware_describe(u"EDK II", 0x10000, out, sizeof(out));
	KT_EXPECT_STREQ(t, out, "EDK II rev 0x10000");
	uefi_firmware_describe(NULL, 0, out, sizeof(out));
	KT_EXPECT_STREQ(t, out, "unknown firmware rev 0x0");
	uefi_firmware_describe(u"Caf\u00e9\u4e2d", 0xffffffff, out, sizeof(out));
	KT_EXPECT_STREQ(t, out, "Caf?? rev 0xffffffff");
	uefi_firmware_describe(u"EDK II", 0x10000, tiny, sizeof(tiny));
	KT_EXPECT_STREQ(t, tiny, "EDK II rev ");
}

/* The string builder's numbers and its refusal to overflow. */
static void text_strbuf(struct ktest *t)
{
	struct uefi_strbuf sb;
	char buf[24];

	uefi_sb_init(&sb, buf, sizeof(buf));
	uefi_sb_put_hex(&sb, 0);
	uefi_sb_putc(&sb, ' ');
	uefi_sb_put_dec(&sb, 1234);
	KT_EXPECT_STREQ(t, buf, "0x0 1234");
	uefi_sb_init(&sb, buf, sizeof(buf));
	uefi_sb_put_hex(&sb, UINT64_MAX);
	KT_EXPECT_STREQ(t, buf, "0xffffffffffffffff");
	KT_EXPECT_FALSE(t, sb.truncated);
	uefi_sb_put_dec(&sb, 18446744073709551615ULL);
	KT_EXPECT_TRUE(t, sb.truncated);
	KT_EXPECT_EQ(t, strlen(buf), sizeof(buf) - 1);
	uefi_sb_init(&sb, buf, 0);     /* no room at all: nothing written */
	uefi_sb_puts(&sb, "x");
	KT_EXPECT_TRUE(t, sb.truncated);
}

KTEST_SUITE(uefi_text,
	    KTEST_CASE(text_options_drop_loader_path),
	    KTEST_CASE(text_options_keep_other_first_word),
	    KTEST_CASE(text_options_empty),
	    KTEST_CASE(text_options_binary_ignored),
	    KTEST_CASE(text_options_nul_and_odd_size),
	    KTEST_CASE(text_options_unaligned),
	    KTEST_CASE(text_options_truncated),
	    KTEST_CASE(text_file_lines_joined),
	    KTEST_CASE(text_file_empty),
	    KTEST_CASE(text_file_truncated_to_boot_max),
	    KTEST_CASE(text_firmware_describe),
	    KTEST_CASE(text_strbuf));
