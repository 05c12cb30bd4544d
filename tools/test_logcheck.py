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


if __name__ == "__main__":
    unittest.main()
