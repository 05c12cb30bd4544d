"""Tests of tools/units.py and of how the harness judges unit-test programs.

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import textwrap
import unittest
import unittest.mock
from pathlib import Path

import harness
import ktap
import qemu
import units
from test_harness import LOGS, junit_roundtrip

SAMPLE = '''
import unittest

class Sample(unittest.TestCase):
    def test_passes(self):
        print("noise that must not reach the KTAP")

    def test_fails(self):
        self.assertEqual(1, 2)

    def test_errors(self):
        raise RuntimeError("boom")

    @unittest.skip("not here")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_known_bug(self):
        self.fail("known")

    @unittest.expectedFailure
    def test_fixed_bug(self):
        pass
'''


def unit_outcome(status, console: str, timeout: float = 60) -> harness.Outcome:
    return harness.Outcome(status=status, console=console, wall=0.1, timeout=timeout)


class UnittestAsKtap(unittest.TestCase):
    def ktap_of(self, source: str) -> tuple[int, ktap.Report, str]:
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "test_sample.py").write_text(textwrap.dedent(source))
            out = io.StringIO()
            sys.modules.pop("test_sample", None)
            try:
                status = units.ktap_main(Path(tmp), out)
            finally:
                sys.modules.pop("test_sample", None)
        return status, ktap.parse(out.getvalue()), out.getvalue()

    def test_each_outcome_becomes_its_ktap_result(self):
        status, report, text = self.ktap_of(SAMPLE)
        self.assertEqual(status, 1)
        self.assertEqual(report.problems, [])
        got = {node.path: node.status for node in ktap.leaves(report.root)}
        self.assertEqual(got, {
            "test_sample.Sample.test_errors": ktap.FAIL,
            "test_sample.Sample.test_fails": ktap.FAIL,
            "test_sample.Sample.test_fixed_bug": ktap.FAIL,
            "test_sample.Sample.test_known_bug": ktap.TODO,
            "test_sample.Sample.test_passes": ktap.PASS,
            "test_sample.Sample.test_skipped": ktap.SKIP,
        })
        fails = report.root.find("test_sample.Sample.test_fails")
        self.assertTrue(any("AssertionError: 1 != 2" in d for d in fails.diagnostics))
        self.assertNotIn("noise", text)

    def test_a_clean_module_exits_0(self):
        status, report, _ = self.ktap_of(SAMPLE.split("    def test_fails")[0])
        self.assertEqual(status, 0)
        self.assertTrue(report.complete)

    def test_a_module_that_does_not_import_fails(self):
        status, report, _ = self.ktap_of("import no_such_module_here\n")
        self.assertEqual(status, 1)
        self.assertEqual(report.problems, [])
        self.assertTrue(ktap.failures(report.root))


class JudgeUnit(unittest.TestCase):
    def judge(self, status, log: str, timeout: float = 60) -> harness.Verdict:
        console = (LOGS / log).read_text()
        return harness.judge_unit("hosttests", "build/hosttests",
                                  unit_outcome(status, console, timeout))

    def test_clean_run_passes(self):
        verdict = self.judge(0, "all_pass.log")
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_a_failing_case_fails_it(self):
        verdict = self.judge(1, "failing_case.log")
        self.assertEqual(verdict.reasons, ["console.printf_formats failed"])

    def test_status_0_does_not_excuse_a_failure(self):
        self.assertIn("console.printf_formats failed", self.judge(0, "failing_case.log").reasons)

    def test_death_mid_run_names_the_case(self):
        verdict = self.judge(1, "hang_truncated.log")
        self.assertEqual(verdict.reasons[0],
                         "hosttests exited with status 1 before exceptions.page_fault reported")

    def test_timeout_names_the_case(self):
        verdict = self.judge(None, "hang_truncated.log", timeout=5)
        self.assertEqual(verdict.reasons[0], "hang in exceptions.page_fault (no result within 5 s)")

    def test_nonzero_status_with_clean_ktap_fails(self):
        verdict = self.judge(2, "all_pass.log")
        self.assertEqual(verdict.reasons, ["hosttests exited with status 2, though its "
                                           "KTAP reports no failure"])

    def test_no_ktap_fails(self):
        verdict = harness.judge_unit("hosttests", "x", unit_outcome(0, "Segmentation fault\n"))
        self.assertEqual(verdict.reasons, ["no KTAP output on the console"])

    def test_units_are_testsuites_of_the_junit_file(self):
        verdicts = [self.judge(0, "all_pass.log"), self.judge(1, "failing_case.log")]
        verdicts[1].scenario.name = "harness-unittests"
        root = junit_roundtrip(harness.junit_xml(verdicts, qemu.Paths()))
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(set(suites), {"hosttests", "harness-unittests"})
        self.assertEqual(suites["hosttests"].get("failures"), "0")
        self.assertEqual(suites["hosttests"].get("tests"), "8")
        self.assertEqual(suites["harness-unittests"].get("failures"), "2")


class Run(unittest.TestCase):
    def test_output_and_status_are_kept(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "u.log"
            status, text, _ = units.run(
                [sys.executable, "-c", "import sys; print('KTAP version 1'); "
                 "print('oops', file=sys.stderr); sys.exit(3)"], log, Path(tmp))
            self.assertEqual((status, text), (3, "KTAP version 1\noops\n"))
            self.assertEqual(log.read_text(), text)

    def test_a_missing_program_is_status_127(self):
        with tempfile.TemporaryDirectory() as tmp:
            status, text, _ = units.run([str(Path(tmp) / "nope")], Path(tmp) / "u.log",
                                        Path(tmp))
        self.assertEqual(status, 127)
        self.assertIn("cannot run", text)

    def test_the_harness_runs_and_judges_each_program(self):
        good = "print('KTAP version 1'); print('1..1'); print('ok 1 a')"
        bad = "print('KTAP version 1'); print('1..2'); print('ok 1 a'); raise SystemExit(1)"
        fake = lambda build: [("good", [sys.executable, "-c", good]),
                              ("bad", [sys.executable, "-c", bad])]
        with tempfile.TemporaryDirectory() as tmp, \
                unittest.mock.patch.object(units, "commands", fake), \
                contextlib.redirect_stdout(io.StringIO()):
            verdicts = harness.run_units(qemu.Paths(root=Path(tmp)), 1.0)
            logs = sorted(p.name for p in (Path(tmp) / "build" / "test-logs").iterdir())
        self.assertEqual([(v.scenario.name, v.passed) for v in verdicts],
                         [("good", True), ("bad", False)])
        self.assertEqual(verdicts[1].reasons, ["bad exited with status 1 before #2 reported"])
        self.assertEqual(logs, ["bad.log", "good.log"])

    def test_the_commands(self):
        names = [name for name, _ in units.commands(Path("build"))]
        self.assertEqual(names, ["hosttests", "harness-unittests"])


if __name__ == "__main__":
    unittest.main()
