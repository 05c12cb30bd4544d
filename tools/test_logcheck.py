"""Tests of tools/logcheck.py: which `error:` lines a run may print.

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import unittest

import logcheck


def suite(name: str, cases: list[str], body: str) -> str:
    """A one-suite KTAP document whose block holds @body (indented lines)."""
    return ("KTAP version 1\n1..1\n    KTAP version 1\n"
            f"    # Subtest: {name}\n    1..{len(cases)}\n"
            f"    # cases: {' '.join(cases)}\n{body}ok 1 {name}\n")


DECLARED = suite("mm", ["a", "b"],
                 "    ok 1 a\n"
                 "    # b: expect-error: mm: error: bad free\n"
                 "[    0.1] mm: error: bad free of phys 0x1000\n"
                 "    ok 2 b\n")


class ErrorLines(unittest.TestCase):
    def test_declared_by_the_running_case(self):
        self.assertEqual(logcheck.undeclared_errors(DECLARED), [])

    def test_undeclared_names_the_running_case(self):
        log = DECLARED.replace("bad free of", "double free of")
        self.assertEqual(logcheck.undeclared_errors(log),
                         [("[    0.1] mm: error: double free of phys 0x1000", "mm.b")])

    def test_declaration_ends_with_its_case(self):
        # b declared, but the line comes after b's result, in no case.
        log = DECLARED.replace("    ok 2 b\n", "").replace(
            "ok 1 mm\n", "    ok 2 b\n[    0.2] mm: error: bad free again\nok 1 mm\n")
        self.assertEqual(logcheck.undeclared_errors(log),
                         [("[    0.2] mm: error: bad free again", None)])
        log = suite("mm", ["a", "b"],
                    "    # a: expect-error: mm: error: bad free\n    ok 1 a\n"
                    "[    0.1] mm: error: bad free of phys 0x1000\n    ok 2 b\n")
        self.assertEqual(logcheck.undeclared_errors(log),
                         [("[    0.1] mm: error: bad free of phys 0x1000", "mm.b")])

    def test_another_cases_declaration_does_not_count(self):
        log = suite("mm", ["a", "b"],
                    "    ok 1 a\n    # a: expect-error: mm: error: bad free\n"
                    "[    0.1] mm: error: bad free of phys 0x1000\n    ok 2 b\n")
        self.assertEqual(len(logcheck.undeclared_errors(log)), 1)

    def test_same_case_name_in_the_next_suite_declares_afresh(self):
        log = ("KTAP version 1\n1..2\n"
               "    KTAP version 1\n    # Subtest: one\n    1..1\n    # cases: a\n"
               "    # a: expect-error: x: error: y\n[    0.1] x: error: y\n    ok 1 a\n"
               "ok 1 one\n"
               "    KTAP version 1\n    # Subtest: two\n    1..1\n    # cases: a\n"
               "[    0.2] x: error: y\n    ok 1 a\nok 2 two\n")
        self.assertEqual(logcheck.undeclared_errors(log), [("[    0.2] x: error: y", "two.a")])

    def test_outside_any_case(self):
        log = "[    0.0] acpi: error: no RSDP\n" + DECLARED + \
              "[    0.9] pci: error: after the run\n"
        self.assertEqual(logcheck.undeclared_errors(log), [
            ("[    0.0] acpi: error: no RSDP", None),
            ("[    0.9] pci: error: after the run", None)])

    def test_between_suites_is_outside_any_case(self):
        log = DECLARED.replace("ok 1 mm\n", "ok 1 mm\n[    0.5] x: error: between\n")
        self.assertEqual(logcheck.undeclared_errors(log), [("[    0.5] x: error: between", None)])

    def test_diagnostics_and_declarations_are_not_error_lines(self):
        log = suite("c", ["a"],
                    "    # a: EXPECTATION FAILED: cap == \"x: error: y\"\n    not ok 1 a\n")
        self.assertEqual(logcheck.undeclared_errors(log), [])

    def test_warnings_and_words_containing_error_are_not_error_lines(self):
        log = suite("c", ["a"], "[    0.1] x: warning: y\n[    0.1] no-error: z\n"
                                "[    0.1] x: errors: 3\n    ok 1 a\n")
        self.assertEqual(logcheck.undeclared_errors(log), [])

    def test_uefi_loader_line_without_timestamp(self):
        self.assertEqual(logcheck.undeclared_errors("busmaster-efi: error: no RSDP\n"),
                         [("busmaster-efi: error: no RSDP", None)])

    def test_cases_line_before_or_after_the_plan(self):
        before = DECLARED.replace("    1..2\n    # cases: a b\n", "    # cases: a b\n    1..2\n")
        self.assertNotEqual(before, DECLARED)
        self.assertEqual(logcheck.undeclared_errors(before), [])

    def test_nested_suites_and_the_case_path(self):
        log = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: outer\n"
               "    1..1\n    # cases: inner\n"
               "        KTAP version 1\n        # Subtest: inner\n        1..1\n"
               "        # cases: deep\n[    0.1] x: error: deep down\n"
               "        ok 1 deep\n    ok 1 inner\nok 1 outer\n")
        self.assertEqual(logcheck.undeclared_errors(log),
                         [("[    0.1] x: error: deep down", "outer.inner.deep")])

    def test_escape_codes_are_cleaned(self):
        log = DECLARED.replace("[    0.1] mm:", "\x1b[31m[    0.1] mm:")
        self.assertEqual(logcheck.undeclared_errors(log), [])

    def test_reasons_are_capped(self):
        log = "".join(f"x: error: {n}\n" for n in range(8))
        reasons: list[str] = []
        lines = logcheck.check_error_lines(log, reasons)
        self.assertEqual(len(lines), 8)
        self.assertEqual(len(reasons), 6)
        self.assertEqual(reasons[0], "undeclared error line outside any test case: x: error: 0")
        self.assertEqual(reasons[-1], "... and 3 more undeclared error line(s)")


class QemuStreams(unittest.TestCase):
    EVENTS = ("pci_nvme_err_*", "fw_cfg_add_file")

    def test_trace_lines_are_told_from_guest_errors(self):
        stream = logcheck.stream_of_log_line
        self.assertEqual(stream("pci_nvme_err_addr_read addr 0x0", self.EVENTS), logcheck.TRACE)
        self.assertEqual(stream("123@1700000000.000001:fw_cfg_add_file 0xfee00900",
                                self.EVENTS), logcheck.TRACE)
        self.assertEqual(stream("Invalid write at addr 0xFEE00000, size 4", self.EVENTS),
                         logcheck.GUEST)
        self.assertEqual(stream("pci_nvme_mmio_write addr 0x14", self.EVENTS), logcheck.GUEST)

    def test_lines_carry_their_stream(self):
        streams = logcheck.Streams(kernel="\x1b[0m[ 0.1] boot: hi\r\n\n",
                                   stderr="qemu: warning: x\n",
                                   qemu_log="fw_cfg_add_file 0xfee00900\nInvalid read\n",
                                   events=self.EVENTS)
        self.assertEqual(streams.lines(), [
            (logcheck.KERNEL, "[ 0.1] boot: hi"), (logcheck.STDERR, "qemu: warning: x"),
            (logcheck.TRACE, "fw_cfg_add_file 0xfee00900"),
            (logcheck.GUEST, "Invalid read")])

    def test_stderr(self):
        reasons: list[str] = []
        hits = logcheck.check_stderr("a: warning: one\n\nb: two\n", ["^b: "], reasons)
        self.assertEqual(hits, ["[QEMU stderr] a: warning: one"])
        self.assertEqual(reasons, ["QEMU stderr: 1 line(s) no allow_log regex matches, "
                                   "first: a: warning: one"])

    def test_trace_alive(self):
        reasons: list[str] = []
        alive = logcheck.Streams(qemu_log="x\nfw_cfg_add_file 0xfee00900\n")
        logcheck.check_trace_alive(alive, "fw_cfg_add_file", reasons, "s.qemu.log")
        self.assertEqual(reasons, [])
        # Mentioned inside another line is not the event.
        blind = logcheck.Streams(qemu_log="guest said fw_cfg_add_file\n")
        logcheck.check_trace_alive(blind, "fw_cfg_add_file", reasons, "s.qemu.log")
        self.assertEqual(len(reasons), 1)
        self.assertIn("no fw_cfg_add_file event in s.qemu.log", reasons[0])

    def test_required_and_forbidden(self):
        streams = logcheck.Streams(kernel="[ 0.1] pci: edu\n", stderr="",
                                   qemu_log="pci_nvme_err_x a\npci_nvme_err_x b\n",
                                   events=self.EVENTS)
        reasons: list[str] = []
        logcheck.check_required_lines(streams, ["pci: edu$", "err_x b", "nowhere"], reasons)
        self.assertEqual(len(reasons), 1)
        self.assertIn("require_log /nowhere/ matched no line", reasons[0])
        reasons = []
        hits = logcheck.check_forbidden_lines(streams, ["err_x", "nowhere"], reasons)
        self.assertEqual(reasons, ["forbid_log /err_x/ matched 2 line(s), first in the "
                                   "QEMU trace: pci_nvme_err_x a"])
        self.assertEqual(hits, ["[QEMU trace] pci_nvme_err_x a", "[QEMU trace] pci_nvme_err_x b"])


    def test_declared_qemu_lines(self):
        console = ("    # msi_needs_bus_mastering: expect-qemu-log: Invalid write at 0xFEE[0-9A-F]{5}\n"
                   "    # msi_needs_bus_mastering: expect-qemu-log: Invalid write at 0xFEE[0-9A-F]{5}\n"
                   "    # broken: expect-qemu-log: a(b\n")
        declared = logcheck.declared_qemu_lines(console)
        self.assertEqual(declared, [("msi_needs_bus_mastering", "Invalid write at 0xFEE[0-9A-F]{5}"),
                                    ("broken", r"a\(b")])
        reasons: list[str] = []
        seen = logcheck.Streams(qemu_log="Invalid write at 0xFEE00000\nx a(b y\n")
        logcheck.check_declared_qemu_lines(seen, declared, reasons)
        self.assertEqual(reasons, [])
        # On the console only (not QEMU's log) does not count.
        unseen = logcheck.Streams(kernel="Invalid write at 0xFEE00000", qemu_log="other\n")
        logcheck.check_declared_qemu_lines(unseen, declared[:1], reasons)
        self.assertEqual(len(reasons), 1)
        self.assertIn("msi_needs_bus_mastering declared a QEMU log line", reasons[0])


if __name__ == "__main__":
    unittest.main()
