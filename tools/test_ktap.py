"""Tests of tools/ktap.py on recorded console logs (tests/harness/*.log).

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import unittest
from pathlib import Path

import ktap

LOGS = Path(__file__).resolve().parent.parent / "tests" / "harness"


def parse_log(name: str) -> ktap.Report:
    return ktap.parse((LOGS / name).read_text())


def statuses(report: ktap.Report) -> dict[str, str]:
    """path -> status for every node below the root."""
    return {node.path: node.status for node in report.root.walk() if node.parent}


def kinds(report: ktap.Report) -> list[str]:
    return [problem.kind for problem in report.problems]


class AllPass(unittest.TestCase):
    def test_every_case_passes_and_nothing_is_wrong(self):
        report = parse_log("all_pass.log")
        self.assertEqual(report.problems, [])
        self.assertTrue(report.complete)
        self.assertEqual(report.version, 1)
        self.assertEqual(report.root.status, ktap.PASS)
        self.assertEqual([s.name for s in report.root.children],
                         ["string", "console", "buddy"])
        self.assertEqual(ktap.count(report.root)[ktap.PASS], 7)
        self.assertEqual(ktap.failures(report.root), [])

    def test_suite_metadata(self):
        suite = parse_log("all_pass.log").root.children[0]
        self.assertEqual(suite.plan, 3)
        self.assertEqual(suite.number, 1)
        self.assertEqual(suite.cases, ["memcpy_basic", "memset_basic", "strcmp_order"])
        self.assertEqual(suite.children[2].path, "string.strcmp_order")


class RealKernel(unittest.TestCase):
    """Logs recorded from the real kernel: exception reports, column-0 output
    and backtrace lines that start with '#' sit between the KTAP lines."""

    def test_pvh_basic_is_clean(self):
        report = parse_log("real_pvh_basic.log")
        self.assertEqual(report.problems, [])
        self.assertEqual(ktap.failures(report.root), [])
        self.assertIn("exceptions", [s.name for s in report.root.children])

    def test_panic_line_with_a_trailing_note(self):
        report = parse_log("real_selftest_panic.log")
        self.assertEqual(report.crashed_in, "ktest_selftest_panic.deliberate_panic")
        self.assertEqual(ktap.first_unreported(report.root).path,
                         "ktest_selftest_panic.deliberate_panic")


class FailingCase(unittest.TestCase):
    def setUp(self):
        self.report = parse_log("failing_case.log")

    def test_statuses(self):
        self.assertEqual(statuses(self.report), {
            "console": ktap.FAIL,
            "console.uart_loopback": ktap.PASS,
            "console.printf_formats": ktap.FAIL,
            "console.log_prefix": ktap.SKIP,
            "nvme": ktap.SKIP,
        })
        self.assertEqual(self.report.problems, [])
        self.assertEqual(self.report.root.status, ktap.FAIL)

    def test_diagnostics_belong_to_the_failing_case(self):
        case = self.report.root.find("console.printf_formats")
        self.assertEqual(len(case.diagnostics), 4)
        self.assertIn("EXPECTATION FAILED at tests/kernel/console_test.c:42",
                      case.diagnostics[0])
        self.assertIn("want == 4 (0x4)", case.diagnostics[-1])
        self.assertEqual(self.report.root.find("console.log_prefix").diagnostics, [])

    def test_skip_reason(self):
        case = self.report.root.find("console.log_prefix")
        self.assertEqual((case.directive, case.reason), ("SKIP", "no serial"))
        suite = self.report.root.find("nvme")
        self.assertEqual((suite.directive, suite.reason), ("SKIP", "no NVMe controller"))
        self.assertEqual(suite.children, [])

    def test_failures_name_the_case_not_the_suite(self):
        self.assertEqual([n.path for n in ktap.failures(self.report.root)],
                         ["console.printf_formats"])


class PanicMidSuite(unittest.TestCase):
    def setUp(self):
        self.report = parse_log("panic_mid_suite.log")

    def test_crash_line_names_the_case(self):
        self.assertEqual(self.report.crashed_in, "exceptions.page_fault")
        self.assertEqual(self.report.root.find("exceptions.page_fault").status, ktap.CRASH)
        self.assertIn("crash", kinds(self.report))

    def test_cases_after_the_crash_are_missing(self):
        self.assertEqual(statuses(self.report), {
            "exceptions": ktap.MISSING,
            "exceptions.divide_error": ktap.PASS,
            "exceptions.page_fault": ktap.CRASH,
            "exceptions.general_protection": ktap.MISSING,
            "#2": ktap.MISSING,
        })
        self.assertIn("missing-result", kinds(self.report))
        self.assertFalse(self.report.complete)

    def test_first_unreported_is_the_crashed_case(self):
        self.assertEqual(ktap.first_unreported(self.report.root).path,
                         "exceptions.page_fault")


class MissingPlan(unittest.TestCase):
    def test_missing_plan_is_a_problem(self):
        report = parse_log("missing_plan.log")
        self.assertEqual(kinds(report), ["missing-plan"])
        self.assertEqual(report.problems[0].path, "console")
        # The results are still read.
        self.assertEqual(report.root.find("console.printf_formats").status, ktap.PASS)

    def test_no_plan_at_the_top(self):
        report = ktap.parse("KTAP version 1\nok 1 alone\n")
        self.assertEqual(kinds(report), ["missing-plan"])

    def test_no_header_at_all(self):
        report = ktap.parse("[    0.0] boot: hello\nok 1 looks_like_a_result\n")
        self.assertIsNone(report.root)
        self.assertEqual(kinds(report), ["no-ktap"])


class SkipAll(unittest.TestCase):
    def test_skipped_suites(self):
        report = parse_log("skip_all.log")
        self.assertEqual(report.problems, [])
        edu = report.root.find("edu")
        self.assertEqual((edu.status, edu.plan, edu.plan_directive),
                         (ktap.SKIP, 0, "SKIP no edu device"))
        self.assertEqual(edu.children, [])
        self.assertEqual(report.root.find("iommu.map").status, ktap.SKIP)
        self.assertEqual(report.root.status, ktap.PASS)

    def test_whole_document_skipped(self):
        report = ktap.parse("KTAP version 1\n1..0 # SKIP nothing selected\n")
        self.assertEqual(report.problems, [])
        self.assertEqual(report.root.status, ktap.SKIP)
        self.assertEqual(report.root.reason, "nothing selected")


class Garbage(unittest.TestCase):
    def test_firmware_log_lines_and_noise_are_ignored(self):
        report = parse_log("garbage_between.log")
        self.assertEqual(report.problems, [])
        self.assertEqual(statuses(report), {
            "pci": ktap.PASS, "pci.enumerate": ktap.PASS, "pci.bars": ktap.PASS,
            "time": ktap.PASS, "time.tsc_monotonic": ktap.PASS,
        })

    def test_header_after_garbage_on_the_same_line(self):
        report = ktap.parse("\x1b[0mjunkKTAP version 1\n1..1\nok 1 a\n")
        self.assertEqual(report.problems, [])
        self.assertEqual(report.root.find("a").status, ktap.PASS)

    def test_carriage_returns(self):
        report = ktap.parse("KTAP version 1\r\n1..1\r\nok 1 a\r\n")
        self.assertEqual(report.problems, [])

    def test_clean_line(self):
        self.assertEqual(ktap.clean_line("\x1b[2J\x1b[=3hBdsDxe: x\r\n"), "BdsDxe: x")
        self.assertEqual(ktap.clean_line("overwritten\rshown"), "shown")


class Nested(unittest.TestCase):
    def setUp(self):
        self.report = parse_log("nested.log")

    def test_three_levels(self):
        self.assertEqual(self.report.problems, [])
        self.assertEqual(statuses(self.report), {
            "dma": ktap.FAIL,
            "dma.direct": ktap.FAIL,
            "dma.direct.map_single": ktap.PASS,
            "dma.direct.map_sg": ktap.FAIL,
            "dma.swiotlb": ktap.PASS,
            "dma.swiotlb.bounce": ktap.PASS,
            "dma.swiotlb.sync": ktap.PASS,
            "pool": ktap.PASS,
            "pool.alloc": ktap.PASS,
        })

    def test_deep_failure(self):
        failed = ktap.failures(self.report.root)
        self.assertEqual([n.path for n in failed], ["dma.direct.map_sg"])
        self.assertIn("nents == 3 (0x3)", failed[0].diagnostics[2])


class Hang(unittest.TestCase):
    def test_truncated_log_names_the_open_case(self):
        report = parse_log("hang_truncated.log")
        self.assertIsNone(report.crashed_in)
        self.assertEqual(ktap.first_unreported(report.root).path, "exceptions.page_fault")
        self.assertEqual(report.root.find("exceptions.general_protection").status,
                         ktap.MISSING)
        self.assertEqual(report.root.find("#3").status, ktap.MISSING)
        self.assertEqual(report.root.find("string").status, ktap.PASS)
        missing = [p for p in report.problems if p.kind == "missing-result"]
        self.assertEqual([p.path for p in missing], ["exceptions.page_fault", "exceptions"])

    def test_hang_before_the_suite_plan(self):
        report = ktap.parse("KTAP version 1\n1..1\n    KTAP version 1\n"
                            "    # Subtest: slow\n")
        self.assertEqual(ktap.first_unreported(report.root).path, "slow")

    def test_hang_without_cases_line_uses_numbers(self):
        report = ktap.parse("KTAP version 1\n1..1\n    KTAP version 1\n"
                            "    # Subtest: s\n    1..2\n    ok 1 a\n")
        self.assertEqual(ktap.first_unreported(report.root).path, "s.#2")


class Order(unittest.TestCase):
    def test_out_of_order_results(self):
        report = parse_log("out_of_order.log")
        problems = [p for p in report.problems if p.kind == "out-of-order"]
        self.assertEqual(len(problems), 2)
        self.assertIn("result 3 (c) where 2 was due", problems[0].message)

    def test_extra_result(self):
        report = ktap.parse("KTAP version 1\n1..1\nok 1 a\nok 2 b\n")
        self.assertEqual(kinds(report), ["extra-result"])

    def test_fewer_results_than_planned_at_the_top(self):
        report = ktap.parse("KTAP version 1\n1..3\nok 1 a\n")
        self.assertEqual(kinds(report), ["missing-result"])
        self.assertEqual([n.name for n in report.root.children], ["a", "#2", "#3"])


class Directives(unittest.TestCase):
    def test_todo_is_not_a_failure(self):
        report = ktap.parse("KTAP version 1\n1..2\nnot ok 1 a # TODO later\n"
                            "not ok 2 b # SKIP gone\n")
        self.assertEqual(statuses(report), {"a": ktap.TODO, "b": ktap.SKIP})
        self.assertEqual(report.root.status, ktap.PASS)

    def test_plain_comment_is_kept_as_reason(self):
        report = ktap.parse("KTAP version 1\n1..1\nok 1 a # took 3 ms\n")
        node = report.root.find("a")
        self.assertEqual((node.status, node.directive, node.reason),
                         (ktap.PASS, "", "took 3 ms"))

    def test_dash_before_description(self):
        report = ktap.parse("KTAP version 1\n1..1\nok 1 - a\n")
        self.assertEqual(report.root.children[0].name, "a")

    def test_wrong_version(self):
        report = ktap.parse("TAP version 13\n1..1\nok 1 a\n")
        self.assertEqual(kinds(report), ["version"])

    def test_second_document(self):
        report = ktap.parse("KTAP version 1\n1..1\nok 1 a\nKTAP version 1\n")
        self.assertEqual(kinds(report), ["unexpected-header"])


class CasesLine(unittest.TestCase):
    """`# cases:` comes after the plan: ktap.rst allows only the `# Subtest:`
    line between a block's version line and its plan, and Linux's kunit.py
    loses a plan that comes after anything else."""

    SUITE = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n"
             "{first}\n{second}\n    ok 1 a\nok 1 s\n")

    def test_after_the_plan_names_cases_and_is_not_a_diagnostic(self):
        report = ktap.parse(self.SUITE.format(first="    1..2", second="    # cases: a b"))
        suite = report.root.children[0]
        self.assertEqual(suite.cases, ["a", "b"])
        self.assertEqual(suite.children[0].diagnostics, [])
        self.assertEqual(kinds(report), ["missing-result"])
        self.assertEqual(ktap.first_unreported(report.root), None)
        self.assertEqual(suite.children[1].name, "b")

    def test_before_the_plan_is_a_problem_but_still_read(self):
        report = ktap.parse(self.SUITE.format(first="    # cases: a b", second="    1..2"))
        self.assertEqual(kinds(report), ["cases-order", "missing-result"])
        self.assertIn("'# cases:' before the plan in 's'", report.problems[0].message)
        self.assertEqual(report.root.children[0].children[1].name, "b")

    def test_recorded_logs_put_it_after_the_plan(self):
        for path in sorted(LOGS.glob("*.log")):
            with self.subTest(log=path.name):
                self.assertNotIn("cases-order", kinds(ktap.parse(path.read_text())))


if __name__ == "__main__":
    unittest.main()
