"""Tests of the harness's judging, scenario file and command building.

No QEMU runs here: each test feeds judge() a recorded console log
(tests/harness/*.log) with the exit status QEMU would have given.

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import harness
import ktap
import qemu
import scenarios

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "harness"


def scenario(**keys: str) -> scenarios.Scenario:
    """A scenario built from INI keys, as the file would give it."""
    body = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return scenarios.parse("[s]\n" + body)[0]


# What every real run's -D log holds: the trace event QEMU fires at reset.
ALIVE = f"{qemu.TRACE_SENTINEL} 0x55d0 #0: etc/e820 (40 bytes)\n"


def outcome(log: str | None, status: int | None, qemu_log: str | None = None,
            timeout: float = 60) -> harness.Outcome:
    console = (LOGS / log).read_text() if log else ""
    qlog = (LOGS / qemu_log).read_text() if qemu_log else ""
    return run(status, console, qemu_log=qlog, timeout=timeout)


def run(status: int | None, console: str, qemu_log: str = "", stderr: str = "",
        timeout: float = 60) -> harness.Outcome:
    """An Outcome as a real QEMU run leaves it: the trace sentinel in its log."""
    return harness.Outcome(status=status, console=console, qemu_log=ALIVE + qemu_log,
                           stderr=stderr, wall=0.1, timeout=timeout)


class ExpectedPass(unittest.TestCase):
    def test_all_pass(self):
        verdict = harness.judge(scenario(), outcome("all_pass.log", 33))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_garbage_between_lines_still_passes(self):
        verdict = harness.judge(scenario(boot="uefi"), outcome("garbage_between.log", 33))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_skips_pass(self):
        verdict = harness.judge(scenario(), outcome("skip_all.log", 33))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_failing_case_is_named(self):
        verdict = harness.judge(scenario(), outcome("failing_case.log", 35))
        self.assertEqual(verdict.reasons, ["console.printf_formats failed"])
        self.assertEqual(harness.why_line(verdict),
                         "FAIL s: console.printf_formats failed")

    def test_nested_failure_is_named(self):
        verdict = harness.judge(scenario(), outcome("nested.log", 35))
        self.assertEqual(verdict.reasons, ["dma.direct.map_sg failed"])

    def test_crash_names_the_case(self):
        verdict = harness.judge(scenario(), outcome("panic_mid_suite.log", 37))
        self.assertEqual(verdict.reasons,
                         ["the kernel crashed in exceptions.page_fault (status 37)"])

    def test_hang_names_the_case(self):
        verdict = harness.judge(scenario(), outcome("hang_truncated.log", None))
        self.assertEqual(verdict.reasons,
                         ["hang in exceptions.page_fault (no result within 60 s)"])

    def test_hang_before_ktap(self):
        verdict = harness.judge(scenario(), run(None, "firmware...\n",
                                                            timeout=120))
        self.assertEqual(verdict.reasons,
                         ["hang before any KTAP output (nothing within 120 s)"])

    def test_missing_plan_fails(self):
        verdict = harness.judge(scenario(), outcome("missing_plan.log", 33))
        self.assertEqual(verdict.reasons, ["KTAP: no plan (1..N) in 'console'"])

    def test_missing_result_with_clean_exit_fails(self):
        # The kernel claimed success, yet the log stops mid-suite.
        verdict = harness.judge(scenario(), outcome("hang_truncated.log", 33))
        self.assertTrue(any("missing result for exceptions.page_fault" in r
                            for r in verdict.reasons), verdict.reasons)

    def test_out_of_order_fails(self):
        verdict = harness.judge(scenario(), outcome("out_of_order.log", 33))
        self.assertEqual(len(verdict.reasons), 2)
        self.assertIn("result 3 (c) where 2 was due in 'console'", verdict.reasons[0])

    def test_status_and_ktap_disagree(self):
        verdict = harness.judge(scenario(), outcome("all_pass.log", 35))
        self.assertEqual(verdict.reasons,
                         ["exit status 35 says a case failed, but KTAP reports no failure"])
        verdict = harness.judge(scenario(), outcome("failing_case.log", 33))
        self.assertIn("exit status 33 says nothing failed, but KTAP reports "
                      "console.printf_formats failed", verdict.reasons)

    def test_poweroff_and_qemu_failure(self):
        verdict = harness.judge(scenario(), run(1, "[ 0.0] boot: hi\n"))
        self.assertIn("powered off without running tests", verdict.reasons[0])
        verdict = harness.judge(scenario(), run(
            1, "", stderr="qemu-system-x86_64: -device nope: not a valid device model name"))
        self.assertIn("QEMU failed to start", verdict.reasons[0])
        self.assertIn("not a valid device model", verdict.reasons[0])
        verdict = harness.judge(scenario(), run(-9, "KTAP version 1\n"))
        self.assertIn("signal 9", verdict.reasons[0])

    def test_empty_selection_fails(self):
        verdict = harness.judge(scenario(), run(33, "KTAP version 1\n1..0\n"))
        self.assertIn("no suites ran", verdict.reasons[0])


class ExpectedFailure(unittest.TestCase):
    ASSERT = {"cmdline": "ktest=ktest_selftest_fail", "expect": "fail",
              "expect_failures": "ktest_selftest_fail.deliberate_failure"}
    PANIC = {"expect": "fail", "expect_crash": "ktest_selftest_panic.deliberate_panic"}
    HANG = {"expect": "fail", "expect_hang": "ktest_selftest_hang.deliberate_hang",
            "timeout": "8"}

    def test_assert_judged_right(self):
        verdict = harness.judge(scenario(**self.ASSERT), outcome("selftest_fail.log", 35))
        self.assertTrue(verdict.passed, verdict.reasons)
        self.assertEqual(verdict.notes,
                         ["ktest_selftest_fail.deliberate_failure failed as expected"])

    def test_assert_judged_wrong_when_it_passes(self):
        verdict = harness.judge(scenario(**self.ASSERT), outcome("all_pass.log", 33))
        self.assertEqual(verdict.reasons, [
            "expected ktest_selftest_fail.deliberate_failure to fail, but it did not run"])

    def test_assert_judged_wrong_when_another_case_fails(self):
        keys = dict(self.ASSERT, expect_failures="ktest_selftest_fail.passes")
        verdict = harness.judge(scenario(**keys), outcome("selftest_fail.log", 35))
        self.assertEqual(verdict.reasons, [
            "ktest_selftest_fail.deliberate_failure failed (not expected)",
            "expected ktest_selftest_fail.passes to fail, but it passed"])

    def test_assert_judged_wrong_when_it_crashes(self):
        verdict = harness.judge(scenario(**self.ASSERT), outcome("panic_mid_suite.log", 37))
        self.assertEqual(verdict.reasons[0],
                         "the kernel crashed in exceptions.page_fault (status 37)")

    def test_panic_judged_right(self):
        verdict = harness.judge(scenario(**self.PANIC), outcome("selftest_panic.log", 37))
        self.assertTrue(verdict.passed, verdict.reasons)
        self.assertEqual(verdict.where, "ktest_selftest_panic.deliberate_panic")

    def test_panic_judged_wrong_elsewhere(self):
        verdict = harness.judge(scenario(**self.PANIC), outcome("panic_mid_suite.log", 37))
        self.assertEqual(verdict.reasons, [
            "expected a crash in ktest_selftest_panic.deliberate_panic, but the kernel "
            "crashed in exceptions.page_fault (status 37)"])

    def test_panic_judged_wrong_when_it_hangs(self):
        verdict = harness.judge(scenario(**self.PANIC),
                                outcome("selftest_hang.log", None, timeout=30))
        self.assertIn("but hang in ktest_selftest_hang.deliberate_hang", verdict.reasons[0])

    def test_hang_judged_right(self):
        verdict = harness.judge(scenario(**self.HANG),
                                outcome("selftest_hang.log", None, timeout=8))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_hang_judged_wrong_when_it_finishes(self):
        verdict = harness.judge(scenario(**self.HANG), outcome("all_pass.log", 33))
        self.assertEqual(verdict.reasons, [
            "expected a hang in ktest_selftest_hang.deliberate_hang, but the run "
            "finished with nothing failed (status 33)"])


class RealKernelLogs(unittest.TestCase):
    """Consoles recorded from the real kernel (build/test-logs), judged as
    the scenarios in tests/scenarios.ini declare them."""

    def test_pvh_basic(self):
        verdict = harness.judge(scenario(), outcome("real_pvh_basic.log", 33))
        self.assertTrue(verdict.passed, verdict.reasons)
        self.assertGreater(ktap.count(verdict.report.root)[ktap.PASS], 10)

    def test_uefi_basic_with_firmware_output(self):
        verdict = harness.judge(scenario(boot="uefi"), outcome("real_uefi_basic.log", 33))
        self.assertTrue(verdict.passed, verdict.reasons)
        self.assertEqual(verdict.report.problems, [])

    def test_selftest_assert(self):
        verdict = harness.judge(scenario(**ExpectedFailure.ASSERT),
                                outcome("real_selftest_assert.log", 35))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_selftest_panic(self):
        verdict = harness.judge(scenario(**ExpectedFailure.PANIC),
                                outcome("real_selftest_panic.log", 37))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_selftest_hang(self):
        verdict = harness.judge(scenario(**ExpectedFailure.HANG),
                                outcome("real_selftest_hang.log", None, timeout=8))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_selftest_panic_judged_as_a_plain_scenario(self):
        verdict = harness.judge(scenario(), outcome("real_selftest_panic.log", 37))
        self.assertEqual(verdict.reasons, [
            "the kernel crashed in ktest_selftest_panic.deliberate_panic (status 37)"])


class Required(unittest.TestCase):
    def test_required_cases_must_pass_not_skip(self):
        log = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: dma\n"
               "    # cases: a b\n    1..2\n    ok 1 a\n    ok 2 b # SKIP no edu\n"
               "ok 1 dma\n")
        verdict = harness.judge(scenario(require="dma.a"), run(33, log))
        self.assertTrue(verdict.passed, verdict.reasons)
        verdict = harness.judge(scenario(require="dma.*"), run(33, log))
        self.assertFalse(verdict.passed)
        self.assertIn("required dma.b did not pass", verdict.reasons[0])
        verdict = harness.judge(scenario(require="nvme.*"), run(33, log))
        self.assertEqual(verdict.reasons, ["required nvme.* did not run"])


class QemuLog(unittest.TestCase):
    def test_nvme_undefined_behaviour_always_fails(self):
        s = scenario(allow_log="pci_nvme_ub_.*")
        verdict = harness.judge(s, outcome("all_pass.log", 33, "nvme_ub.qemu.log"))
        self.assertEqual(len(verdict.reasons), 1)
        self.assertIn("4 NVMe undefined-behaviour line(s)", verdict.reasons[0])

    def test_faults_fail_unless_allowed(self):
        verdict = harness.judge(scenario(), outcome("all_pass.log", 33, "dmar_fault.qemu.log"))
        self.assertIn("3 unexpected NVMe error / IOMMU fault / rejected MSI line(s)", verdict.reasons[0])
        allowed = scenario(allow_log="vtd_dmar_fault .* fault 6\n"
                           "  pci_nvme_err_addr_read\n  pci_nvme_err_req_status .*status 0x4281")
        verdict = harness.judge(allowed, outcome("all_pass.log", 33, "dmar_fault.qemu.log"))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_edu_address_clamping_always_fails(self):
        # QEMU 7.2's edu prints this on QEMU's stdout: the console log.
        console = ((LOGS / "all_pass.log").read_text() +
                   "EDU: clamping DMA 0x0000000110000000 to 0x0000000000000000!\n")
        verdict = harness.judge(scenario(allow_log="EDU: .*"),
                                run(33, console, qemu_log=""))
        self.assertEqual(len(verdict.reasons), 1)
        self.assertIn("edu was given a DMA address beyond its mask 1 time(s)",
                      verdict.reasons[0])

    def test_other_guest_errors_are_ignored(self):
        verdict = harness.judge(scenario(), run(
            33, (LOGS / "all_pass.log").read_text(),
            qemu_log="edu: invalid DMA size\nsome other guest error\n"))
        self.assertTrue(verdict.passed, verdict.reasons)


MSI_LINE = "Invalid write at addr 0xFEE00000, size 4, region '(null)', reason: rejected\n"


class QemuWords(unittest.TestCase):
    """QEMU's stderr, its trace output, require_log and forbid_log."""

    PASS = (LOGS / "all_pass.log").read_text()

    def test_stderr_fails_unless_allowed(self):
        err = "qemu-system-x86_64: warning: host doesn't support requested feature\n"
        verdict = harness.judge(scenario(), run(33, self.PASS, stderr=err))
        self.assertEqual(verdict.reasons, [
            "QEMU stderr: 1 line(s) no allow_log regex matches, first: " + err.strip()])
        self.assertEqual(verdict.log_hits, ["[QEMU stderr] " + err.strip()])
        verdict = harness.judge(scenario(allow_log="requested feature$"),
                                run(33, self.PASS, stderr=err))
        self.assertTrue(verdict.passed, verdict.reasons)

    def test_our_own_kill_at_a_timeout_is_not_qemus_complaint(self):
        err = "qemu-system-x86_64: terminating on signal 15 from pid 4242 (python3)\n"
        hang = dict(expect="fail", expect_hang="ktest_selftest_hang.deliberate_hang")
        verdict = harness.judge(scenario(**hang), run(
            None, (LOGS / "selftest_hang.log").read_text(), stderr=err, timeout=8))
        self.assertTrue(verdict.passed, verdict.reasons)
        verdict = harness.judge(scenario(), run(33, self.PASS, stderr=err))
        self.assertIn("QEMU stderr: 1 line(s)", verdict.reasons[0])

    def test_no_trace_output_fails(self):
        verdict = harness.judge(scenario(), harness.Outcome(33, self.PASS))
        self.assertEqual(len(verdict.reasons), 1)
        self.assertIn(f"QEMU trace: no {qemu.TRACE_SENTINEL} event in s.qemu.log",
                      verdict.reasons[0])
        # With "-msg timestamp=on" the log backend prefixes PID@TIME:.
        stamped = f"1234@1700000000.123456:{qemu.TRACE_SENTINEL} 0xfee00900\n"
        verdict = harness.judge(scenario(), harness.Outcome(33, self.PASS, qemu_log=stamped))
        self.assertTrue(verdict.passed, verdict.reasons)
        # A QEMU that failed to start is reported as that, not as blind tracing.
        verdict = harness.judge(scenario(), harness.Outcome(1, "", stderr="bad option\n"))
        self.assertFalse([r for r in verdict.reasons if "QEMU trace" in r])

    def test_required_line_from_any_stream(self):
        log = "pci_cfg_write edu 00:04.0 @0x4 <- 0x6\n"
        s = scenario(trace="pci_cfg_*", require_log="pci_cfg_write edu .* <- 0x6$")
        self.assertTrue(harness.judge(s, run(33, self.PASS, qemu_log=log)).passed)
        verdict = harness.judge(s, run(33, self.PASS))
        self.assertEqual(verdict.reasons, [
            "require_log /pci_cfg_write edu .* <- 0x6$/ matched no line of the kernel log, "
            "QEMU stderr or QEMU log (trace included)"])
        s = scenario(require_log="console: pass:1")  # the kernel log counts too
        self.assertFalse(harness.judge(s, run(33, self.PASS)).passed)

    def test_forbidden_line_names_its_stream(self):
        s = scenario(trace="pci_cfg_*", forbid_log="pci_cfg_write .* <- 0x0$\n ^ok 2 console$")
        log = "pci_cfg_write edu 00:04.0 @0x4 <- 0x0\n"
        verdict = harness.judge(s, run(33, self.PASS, qemu_log=log))
        self.assertEqual(len(verdict.reasons), 2)
        self.assertEqual(verdict.reasons[0],
                         "forbid_log /pci_cfg_write .* <- 0x0$/ matched 1 line(s), first in "
                         "the QEMU trace: pci_cfg_write edu 00:04.0 @0x4 <- 0x0")
        self.assertEqual(verdict.reasons[1], "forbid_log /^ok 2 console$/ matched 1 line(s), "
                                             "first in the kernel log: ok 2 console")
        self.assertIn("[QEMU trace] pci_cfg_write edu", verdict.log_hits[0])
        # The same line without the event enabled is a plain QEMU log line.
        verdict = harness.judge(scenario(forbid_log="pci_cfg_write"),
                                run(33, self.PASS, qemu_log=log))
        self.assertIn("first in the QEMU log: pci_cfg_write", verdict.reasons[0])
        verdict = harness.judge(scenario(forbid_log="warning: foo"),
                                run(33, self.PASS, stderr="x: warning: foo\n"))
        self.assertIn("first in the QEMU stderr: x: warning: foo", "; ".join(verdict.reasons))

    def test_rejected_msi_fails_unless_required_or_allowed(self):
        verdict = harness.judge(scenario(), run(33, self.PASS, qemu_log=MSI_LINE))
        self.assertEqual(len(verdict.reasons), 1)
        self.assertIn("rejected MSI line(s), first: Invalid write at addr 0xFEE00000",
                      verdict.reasons[0])
        required = scenario(require_log=r"Invalid write at addr 0xFEE00000, size 4, .* rejected")
        self.assertTrue(harness.judge(required, run(33, self.PASS, qemu_log=MSI_LINE)).passed)
        verdict = harness.judge(required, run(33, self.PASS))
        self.assertIn("require_log /Invalid write at addr 0xFEE00000", verdict.reasons[0])
        other = "Invalid write at addr 0xFED40000, size 1, region '(null)', reason: rejected\n"
        self.assertTrue(harness.judge(scenario(), run(33, self.PASS, qemu_log=other)).passed)


class Reporting(unittest.TestCase):
    def test_table_shows_failure_diagnostics(self):
        verdict = harness.judge(scenario(), outcome("failing_case.log", 35))
        text = "\n".join(harness.scenario_report(verdict, qemu.Paths(), verbose=False))
        self.assertIn("=== s (pvh) FAIL", text)
        self.assertIn("FAIL             printf_formats", text)
        self.assertIn("want == 4 (0x4)", text)
        self.assertIn("skip: no NVMe controller", text)
        self.assertNotIn("uart_loopback", text)
        verbose = "\n".join(harness.scenario_report(verdict, qemu.Paths(), verbose=True))
        self.assertIn("uart_loopback", verbose)

    def test_crash_report_shows_the_console_tail(self):
        verdict = harness.judge(scenario(), outcome("panic_mid_suite.log", 37))
        text = "\n".join(harness.scenario_report(verdict, qemu.Paths(), verbose=False))
        self.assertIn("| [    0.004210] PANIC: page fault", text)
        self.assertIn("CRASH            page_fault", text)

    def test_junit(self):
        verdicts = [
            harness.judge(scenario(), outcome("failing_case.log", 35)),
            harness.judge(scenario(**ExpectedFailure.ASSERT), outcome("selftest_fail.log", 35)),
        ]
        tree = junit_roundtrip(harness.junit_xml(verdicts, qemu.Paths()))
        suites = tree.findall("testsuite")
        self.assertEqual(len(suites), 2)
        first = suites[0]
        self.assertEqual((first.get("tests"), first.get("failures"), first.get("skipped")),
                         ("5", "2", "2"))
        failing = [c for c in first.findall("testcase") if c.find("failure") is not None]
        self.assertEqual([c.get("name") for c in failing], ["scenario", "printf_formats"])
        self.assertIn("want == 4", failing[1].find("failure").text)
        second = suites[1]
        self.assertEqual(second.get("failures"), "0")


def junit_roundtrip(tree: ET.ElementTree) -> ET.Element:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.xml"
        tree.write(path, encoding="utf-8", xml_declaration=True)
        return ET.parse(path).getroot()


class ScenarioFile(unittest.TestCase):
    def test_the_real_matrix_loads(self):
        matrix = scenarios.load(ROOT / "tests" / "scenarios.ini")
        names = [s.name for s in matrix]
        for name in ("pvh-basic", "uefi-basic", "pvh-6g", "uefi-6g", "pvh-devices",
                     "selftest-assert", "selftest-panic", "selftest-hang"):
            self.assertIn(name, names)
        quick = scenarios.select(matrix, group="quick")
        self.assertEqual([(s.name, s.boot) for s in quick], [("pvh-basic", "pvh")])

    def test_defaults(self):
        s = scenario()
        self.assertEqual((s.boot, s.memory, s.cpus, s.cmdline, s.timeout, s.expect),
                         ("pvh", "512M", 1, "ktest=*", 60.0, "pass"))

    def test_devices_are_shell_split_over_lines(self):
        s = scenario(devices="-device edu\n  -drive 'file=a b.img,if=none'")
        self.assertEqual(s.devices, ["-device", "edu", "-drive", "file=a b.img,if=none"])

    def test_errors(self):
        bad = [
            {"boot": "bios"},
            {"expect": "maybe"},
            {"expect": "fail"},
            {"expect_crash": "a.b"},
            {"expect": "fail", "expect_crash": "a.b", "expect_hang": "a.c"},
            {"expect": "fail", "expect_hang": "nodot"},
            {"timeout": "-1"},
            {"cpus": "two"},
            {"memory": "lots"},
            {"allow_log": "([unclosed"},
            {"require_log": "a{2,1}"},
            {"forbid_log": "*x"},
            {"trace": "pci_cfg_read,file=/etc/passwd"},
            {"trace": "-d"},
            {"colour": "blue"},
        ]
        for keys in bad:
            with self.subTest(keys=keys), self.assertRaises(scenarios.ScenarioError):
                scenario(**keys)

    def test_log_keys(self):
        s = scenario(trace="pci_cfg_* vtd_dmar_fault", require_log="^a$\n  b c",
                     forbid_log="x")
        self.assertEqual(s.trace, ["pci_cfg_*", "vtd_dmar_fault"])
        self.assertEqual(s.require_log, ["^a$", "b c"])
        self.assertEqual(s.forbid_log, ["x"])
        cmd = qemu.scenario_command(s, qemu.Paths())
        self.assertTrue(contains(cmd, ["-trace", "enable=pci_cfg_*"]))
        self.assertTrue(contains(cmd, ["-trace", "enable=vtd_dmar_fault"]))

    def test_select_by_glob(self):
        matrix = scenarios.parse("[pvh-a]\n[pvh-b]\n[uefi-a]\ngroups = quick, slow\n")
        self.assertEqual([s.name for s in scenarios.select(matrix, ["pvh-*"])],
                         ["pvh-a", "pvh-b"])
        self.assertEqual([s.name for s in scenarios.select(matrix, group="slow")],
                         ["uefi-a"])
        with self.assertRaises(scenarios.ScenarioError):
            scenarios.select(matrix, ["nothing*"])


class Commands(unittest.TestCase):
    def test_pvh_command(self):
        s = scenario(memory="6G", cpus="2", devices="-device edu")
        cmd = qemu.scenario_command(s, qemu.Paths())
        self.assertEqual(cmd[1:5], ["-M", "q35", "-accel", "tcg"])
        for pair in (["-m", "6G"], ["-smp", "2"], ["-serial", "stdio"],
                     ["-kernel", "build/kernel.elf"], ["-append", "ktest=*"],
                     ["-device", "edu"], ["-D", "build/test-logs/s.qemu.log"],
                     ["-trace", "enable=vtd_dmar_fault"],
                     ["-trace", f"enable={qemu.TRACE_SENTINEL}"],
                     ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]):
            self.assertTrue(contains(cmd, pair), (pair, cmd))

    def test_uefi_command_and_esp(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = qemu.Paths(root=Path(tmp))
            boot = Path(tmp) / "build" / "esp" / "EFI" / "BOOT"
            boot.mkdir(parents=True)
            (boot / "BOOTX64.EFI").write_bytes(b"MZ")
            (boot / "kernel.elf").write_bytes(b"\x7fELF")
            (boot / "cmdline.txt").write_text("stale")
            self.assertFalse([m for m in qemu.missing_inputs(paths, "uefi")
                              if m.startswith("build/")])
            s = scenarios.parse("[u1]\nboot = uefi\ncmdline = ktest=pci\n")[0]
            cmd = qemu.scenario_command(s, paths)
            esp = Path(tmp) / "build" / "test-esp" / "u1" / "EFI" / "BOOT"
            self.assertEqual((esp / "cmdline.txt").read_text(), "ktest=pci")
            self.assertEqual((esp / "kernel.elf").read_bytes(), b"\x7fELF")
            self.assertTrue(contains(cmd, ["-drive", "if=none,id=esp,format=raw,readonly=on,"
                                           "file=fat:build/test-esp/u1"]))
            self.assertTrue(contains(cmd, ["-device", "virtio-blk-pci,drive=esp,bootindex=0"]))
            self.assertNotIn("-kernel", cmd)

    def test_missing_inputs(self):
        with tempfile.TemporaryDirectory() as tmp:
            paths = qemu.Paths(root=Path(tmp))
            self.assertEqual(qemu.missing_inputs(paths, "pvh"), ["build/kernel.elf"])
            self.assertIn("build/esp/EFI/BOOT/BOOTX64.EFI", qemu.missing_inputs(paths, "uefi"))

    def test_exit_table(self):
        self.assertEqual(qemu.describe_exit(33), "ktest run finished, nothing failed")
        self.assertIn("QEMU itself failed", qemu.describe_exit(0))
        self.assertEqual(qemu.describe_exit(None), "timed out")


def contains(seq: list[str], pair: list[str]) -> bool:
    return any(seq[i:i + len(pair)] == pair for i in range(len(seq)))


if __name__ == "__main__":
    unittest.main()
