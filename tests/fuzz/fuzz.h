/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share.
 *
 * Each target feeds random bytes to one ACPI parser (or to the walk from
 * the RSDP) and checks the promises the parser makes beyond "no crash":
 * counts within the arrays, a zeroed result after -EINVAL, every listed
 * table checksummed. A broken promise calls fuzz_fail(), which aborts so
 * that libFuzzer saves the input.
 *
 * A table parser's input starts with one control byte; the rest is the
 * table. Its bits repair what random bytes almost never get right, so
 * that the fuzzer spends its time past the header checks:
 *   FUZZ_FIX_SIGNATURE  write the expected signature
 *   FUZZ_FIX_LENGTH     set Length to the number of table bytes
 *   FUZZ_FIX_CHECKSUM   make the bytes sum to zero
 * The seed corpus (tests/fuzz/corpus/, from the captured QEMU tables) sets
 * all three.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_FIX_SIGNATURE 0x1
#define FUZZ_FIX_LENGTH    0x2
#define FUZZ_FIX_CHECKSUM  0x4

/* Abort with a message: an invariant of the parser does not hold. */
void fuzz_fail(const char *what) __attribute__((noreturn));
#define FUZZ_CHECK(cond) do { if (!(cond)) fuzz_fail(#cond); } while (0)

/* Copy the table part of @data into a heap buffer of exactly its size and
 * apply the control byte's repairs. Return NULL if there is no table. */
uint8_t *fuzz_table(const uint8_t *data, size_t size, const char *sig, size_t *len);

/* Recompute the checksum byte at @at so that @len bytes at @p sum to 0. */
void fuzz_fix_checksum(uint8_t *p, size_t len, size_t at);

bool fuzz_all_zero(const void *p, size_t n);

#endif /* TESTS_FUZZ_FUZZ_H */
