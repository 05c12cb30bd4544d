/*
 * power.h - ending a run, and what the exit status means.
 *
 * Tests run QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`.
 * A guest write of v to port 0xf4 ends QEMU with exit status (v << 1) | 1,
 * always odd; QEMU's own exits (errors, signals, `quit`) are even or 0,
 * so the two never mix. The table (also in docs/testing.md):
 *
 *   v     QEMU status   meaning
 *   0x00  1             power-off requested, no tests were asked for
 *   0x10  33            ktest run finished, no case failed
 *   0x11  35            ktest run finished, some case failed
 *   0x12  37            crash: panic or unexpected CPU exception
 *   0x13  39            ktest= matched no suite or case (they are listed)
 *
 * Without the device (e.g. `make run`), power_off() halts the CPU instead.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#define DEBUG_EXIT_PORT 0xf4

enum exit_status {
	EXIT_POWEROFF   = 0x00,
	EXIT_TESTS_PASS = 0x10,
	EXIT_TESTS_FAIL = 0x11,
	EXIT_CRASH      = 0x12,
	EXIT_TESTS_NONE = 0x13,
};

void power_off(enum exit_status status) __attribute__((noreturn));

#endif /* KERNEL_POWER_H */
