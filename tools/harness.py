#!/usr/bin/env python3
"""Boot the scenario matrix in QEMU, judge every run, report.

    python3 tools/harness.py [-j N] [--scenarios FILE] [--group G] [--list]
                             [-v] [--junit FILE] [--timeout-factor X]
                             [NAME or GLOB ...]

For each selected scenario of tests/scenarios.ini (all of them by default)
the harness builds the QEMU command (tools/qemu.py), boots it with the
console in build/test-logs/<scenario>.log and QEMU's own log in
build/test-logs/<scenario>.qemu.log, and kills it if it outlives its
timeout. Up to N scenarios run at once (default: one per CPU).

A scenario passes only if it behaves exactly as declared:
  - QEMU's exit status (see qemu.EXIT_STATUS) agrees with the expectation;
  - the KTAP on the console is complete: a header, every plan, every
    planned result; a crash or a hang names the case that never reported;
  - the cases that fail are exactly the scenario's expect_failures, and the
    cases its `require` globs name all passed (not skipped);
  - QEMU's output has no pci_nvme_ub_* or "EDU: clamping DMA" line, and no pci_nvme_err_* or
    vtd_dmar_fault line that the scenario's allow_log does not excuse.

The output is a table of suites and cases per scenario, one "FAIL name: why"
line per failed scenario, and last the line "N passed, N failed". JUnit XML
goes to build/test-results.xml. The exit status is 0 iff all passed.
docs/testing.md explains all of this at more length.
"""

from __future__ import annotations

import argparse
import os
import fnmatch
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import disk
import ktap
import logcheck
import qemu
import scenarios as scenario_file
import watch
from scenarios import Scenario

TAIL_LINES = 30          # console lines shown after a crash or hang
LOG_LINES_SHOWN = 5      # offending QEMU log lines shown per scenario
KILL_GRACE = 2.0         # seconds between SIGTERM and SIGKILL at a timeout

# QEMU log lines that fail a scenario: always, or unless allow_log matches.
NVME_UB = re.compile(r"pci_nvme_ub_")
# edu truncates a DMA address beyond its mask and only logs it: the driver
# and the DMA layer must never let that happen.
EDU_CLAMP = re.compile(r"EDU: clamping DMA")
CHECKED = re.compile(r"pci_nvme_err_|vtd_dmar_fault")
# A write to the MSI window that QEMU rejected: an interrupt went nowhere
# (a device raised it with bus mastering off, say). Fails unless the
# scenario's require_log or allow_log names it.
MSI_REJECTED = re.compile(r"Invalid write at addr 0xFEE[0-9A-F]{5}\b.*reason: rejected")
# QEMU's own words when the harness stops it at a timeout.
KILLED_BY_US = re.compile(r"terminating on signal \d+ from pid")

# How a run ended.
END_PASS = "pass"          # status 33
END_FAIL = "fail"          # status 35
END_CRASH = "crash"        # status 37
END_HANG = "hang"          # killed at the timeout
END_POWEROFF = "poweroff"  # status 1: no tests ran
END_QEMU = "qemu"          # anything else: QEMU failed or an unknown value
END_KILLED = "killed"      # killed on purpose at a kill_at line


@dataclass
class Outcome:
    """What one QEMU run left behind."""

    status: int | None          # QEMU's exit status; None if killed at the timeout
    console: str                # everything the guest printed
    qemu_log: str = ""          # the -D file: guest errors and trace events
    stderr: str = ""            # QEMU's own complaints
    wall: float = 0.0           # seconds from start to exit
    timeout: float = 0.0        # the timeout it ran under
    lines: list[watch.Line] = field(default_factory=list)  # console, timestamped live
    killed_at: watch.Line | None = None   # the line kill_at killed QEMU on
    run_problems: list[str] = field(default_factory=list)  # what a hook or a disk check found
    run_notes: list[str] = field(default_factory=list)     # what was done: disk image made...
    next: "Outcome | None" = None         # the second boot of a `boots = 2` scenario

    @property
    def timed_out(self) -> bool:
        return self.status is None


@dataclass
class Verdict:
    """The judgement of one scenario."""

    scenario: Scenario
    outcome: Outcome
    report: ktap.Report
    ending: str
    where: str | None                               # case of a crash or hang
    reasons: list[str] = field(default_factory=list)  # why it failed
    notes: list[str] = field(default_factory=list)    # expected failures seen, etc.
    log_hits: list[str] = field(default_factory=list) # offending QEMU log lines

    @property
    def passed(self) -> bool:
        return not self.reasons


# ---- judging (pure: no QEMU needed, so it is unit-tested on recorded logs) ----

def classify_ending(outcome: Outcome) -> str:
    if outcome.killed_at is not None:
        return END_KILLED
    if outcome.timed_out:
        return END_HANG
    if outcome.status == qemu.EXIT_POWEROFF and not outcome.console.strip():
        # QEMU also exits with 1 when it rejects its command line; the
        # kernel never powers off without having printed something.
        return END_QEMU
    return {
        qemu.EXIT_PASS: END_PASS,
        qemu.EXIT_FAIL: END_FAIL,
        qemu.EXIT_CRASH: END_CRASH,
        qemu.EXIT_POWEROFF: END_POWEROFF,
    }.get(outcome.status, END_QEMU)


def locate(ending: str, report: ktap.Report) -> str | None:
    """The case a crash or a hang happened in, as suite.case."""
    if ending not in (END_CRASH, END_HANG):
        return None
    if ending == END_CRASH and report.crashed_in:
        return report.crashed_in
    if report.root is None:
        return None
    node = ktap.first_unreported(report.root)
    return node.path if node is not None else None


def describe_ending(ending: str, where: str | None, outcome: Outcome) -> str:
    """A phrase for how the run ended, used in failure messages."""
    status = outcome.status
    if ending == END_PASS:
        return f"the run finished with nothing failed (status {status})"
    if ending == END_FAIL:
        return f"the run finished with failures (status {status})"
    if ending == END_CRASH:
        place = f"in {where}" if where else "outside any test case"
        return f"the kernel crashed {place} (status {status})"
    if ending == END_HANG:
        return _hang_phrase(where, outcome)
    if ending == END_KILLED:
        return f"kill_at killed QEMU on: {outcome.killed_at.text.strip()}"
    if ending == END_POWEROFF:
        return (f"the kernel powered off without running tests (status {status}; "
                "is ktest= on the command line?)")
    detail = _last_line(outcome.stderr)
    if status == qemu.EXIT_POWEROFF:
        text = f"QEMU failed to start (status {status}, no console output)"
    else:
        text = qemu.describe_exit(status)
    return text + (f": {detail}" if detail else "")


def _hang_phrase(where: str | None, outcome: Outcome) -> str:
    limit = f"{outcome.timeout:g} s"
    if where:
        return f"hang in {where} (no result within {limit})"
    if "KTAP version" not in outcome.console:
        return f"hang before any KTAP output (nothing within {limit})"
    return f"hang after the last result (no exit within {limit})"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def check_ending(s: Scenario, ending: str, where: str | None, outcome: Outcome,
                 reasons: list[str], notes: list[str]) -> None:
    """Does the way the run ended match what the scenario declares?"""
    what = describe_ending(ending, where, outcome)
    if s.expect_hang:
        if ending == END_HANG and where == s.expect_hang:
            notes.append(f"hung in {where} as expected")
        else:
            reasons.append(f"expected a hang in {s.expect_hang}, but {what}")
        return
    if s.expect_crash:
        if ending == END_CRASH and where == s.expect_crash:
            notes.append(f"crashed in {where} as expected")
        else:
            reasons.append(f"expected a crash in {s.expect_crash}, but {what}")
        return
    if ending in (END_PASS, END_FAIL, END_KILLED):
        return  # judged case by case in check_failures (a kill: watch.check_run)
    reasons.append(what)


def check_status_agrees(ending: str, report: ktap.Report, reasons: list[str]) -> None:
    """Status 33 must mean no failure in the KTAP, status 35 at least one."""
    if report.root is None or ending not in (END_PASS, END_FAIL):
        return
    failed = [n for n in ktap.failures(report.root) if n.status == ktap.FAIL]
    if ending == END_PASS and failed:
        reasons.append(f"exit status 33 says nothing failed, but KTAP reports "
                       f"{failed[0].path} failed")
    if ending == END_FAIL and not failed:
        reasons.append("exit status 35 says a case failed, but KTAP reports no failure")


def check_ktap(ending: str, report: ktap.Report, reasons: list[str]) -> None:
    """Report holes in the KTAP. After a crash or hang, missing results are
    expected and already named by the ending, so only other problems count."""
    if ending in (END_POWEROFF, END_QEMU):
        return
    if report.root is None:
        if ending in (END_PASS, END_FAIL):
            reasons.append("no KTAP output on the console")
        return
    after_stop = ending in (END_CRASH, END_HANG, END_KILLED)
    for problem in report.problems:
        if after_stop and problem.kind in ("missing-result", "missing-plan", "crash"):
            continue
        if problem.kind == "crash":
            reasons.append(f"KTAP reports a crash in {problem.path}")
        elif problem.kind == "missing-result":
            reasons.append(f"missing result for {problem.path} ({problem.message})")
        else:
            reasons.append(f"KTAP: {problem.message}")
    root = report.root
    if root.plan == 0 and root.status != ktap.SKIP:
        reasons.append("no suites ran (plan 1..0): does the ktest= filter match any?")


def check_failures(s: Scenario, report: ktap.Report, reasons: list[str],
                   notes: list[str]) -> None:
    """The cases that failed must be exactly the declared expect_failures."""
    if report.root is None:
        failed: set[str] = set()
    else:
        failed = {n.path for n in ktap.failures(report.root) if n.status == ktap.FAIL}
    expected = set(s.expect_failures)
    suffix = " (not expected)" if s.expects_failure else ""
    for path in sorted(failed - expected, key=_order_of(report)):
        reasons.append(f"{path} failed{suffix}")
    for path in s.expect_failures:
        if path in failed:
            notes.append(f"{path} failed as expected")
        elif report.root is not None:
            reasons.append(f"expected {path} to fail, but {_fate(report.root, path)}")


def check_required(s: Scenario, report: ktap.Report, reasons: list[str]) -> None:
    """Each `require` glob must match cases, and every match must have passed:
    a scenario built to prove something cannot pass by skipping it."""
    if report.root is None or not s.require:
        return
    cases = [n for n in report.root.walk() if n.parent is not None and not n.children]
    for pattern in s.require:
        matched = [n for n in cases if fnmatch.fnmatchcase(n.path, pattern)]
        if not matched:
            reasons.append(f"required {pattern} did not run")
        for node in matched:
            if node.status != ktap.PASS:
                reasons.append(f"required {node.path} did not pass: {_fate(report.root, node.path)}")


def _order_of(report: ktap.Report):
    """Sort key: document order of paths in the report."""
    order = {}
    if report.root is not None:
        order = {node.path: i for i, node in enumerate(report.root.walk())}
    return lambda path: order.get(path, len(order))


def _fate(root: ktap.TestNode, path: str) -> str:
    node = root.find(path)
    if node is None:
        return "it did not run"
    return {
        ktap.PASS: "it passed",
        ktap.SKIP: f"it was skipped ({node.reason})" if node.reason else "it was skipped",
        ktap.TODO: "it is marked TODO",
        ktap.MISSING: "it never reported",
        ktap.CRASH: "it crashed",
    }.get(node.status, f"it ended as {node.status}")


def check_qemu_log(s: Scenario, qemu_log: str, reasons: list[str],
                   console: str = "") -> list[str]:
    """Scan QEMU's messages; return the offending lines.

    Trace and guest-error lines go to the -D log, but QEMU 7.2's edu prints
    its clamping warning on QEMU's stdout, which is the console log here.
    """
    excused = s.allow_log + s.require_log + [
        regex for _, regex in logcheck.declared_qemu_lines(console)]
    ub = [line for line in qemu_log.splitlines() if NVME_UB.search(line)]
    clamps = [line for line in (qemu_log + "\n" + console).splitlines()
              if EDU_CLAMP.search(line)]
    checked = [line for line in qemu_log.splitlines()
               if (CHECKED.search(line) or MSI_REJECTED.search(line))
               and not NVME_UB.search(line)
               and not any(re.search(p, line) for p in excused)]
    if ub:
        reasons.append(f"QEMU log: {len(ub)} NVMe undefined-behaviour line(s), "
                       f"first: {ub[0].strip()}")
    if clamps:
        reasons.append(f"QEMU log: edu was given a DMA address beyond its mask "
                       f"{len(clamps)} time(s), first: {clamps[0].strip()}")
    if checked:
        reasons.append(f"QEMU log: {len(checked)} unexpected NVMe error / IOMMU fault / "
                       f"rejected MSI line(s), first: {checked[0].strip()}")
    return [logcheck.hit(logcheck.GUEST, line) for line in ub + clamps + checked]


def check_qemu_words(s: Scenario, outcome: Outcome, ending: str,
                     reasons: list[str]) -> list[str]:
    """QEMU's stderr, its trace output, require_log and forbid_log; return
    the offending lines, each labelled with its stream."""
    streams = logcheck.Streams(outcome.console, outcome.stderr, outcome.qemu_log,
                               qemu.trace_events(s.trace))
    allow = s.allow_log + ([KILLED_BY_US.pattern] if ending == END_HANG else [])
    hits = logcheck.check_stderr(outcome.stderr, allow, reasons)
    if ending != END_QEMU:  # QEMU that never ran a guest traced nothing either
        logcheck.check_trace_alive(streams, qemu.TRACE_SENTINEL, reasons,
                                   f"{s.name}.qemu.log")
    logcheck.check_required_lines(streams, s.require_log, reasons)
    logcheck.check_declared_qemu_lines(
        streams, logcheck.declared_qemu_lines(outcome.console), reasons)
    return hits + logcheck.check_forbidden_lines(streams, s.forbid_log, reasons)


def judge(s: Scenario, outcome: Outcome) -> Verdict:
    """Decide whether @outcome is exactly what scenario @s declares."""
    report = ktap.parse(outcome.console)
    ending = classify_ending(outcome)
    where = locate(ending, report)
    verdict = Verdict(s, outcome, report, ending, where)
    reasons, notes = verdict.reasons, verdict.notes
    check_ending(s, ending, where, outcome, reasons, notes)
    check_status_agrees(ending, report, reasons)
    check_ktap(ending, report, reasons)
    check_failures(s, report, reasons, notes)
    check_required(s, report, reasons)
    verdict.log_hits = check_qemu_log(s, outcome.qemu_log, reasons, outcome.console)
    watch.check_run(s, outcome, reasons, notes)
    check_second_boot(s, outcome, reasons, notes)
    verdict.log_hits += check_qemu_words(s, outcome, ending, reasons)
    verdict.log_hits += [logcheck.hit(logcheck.KERNEL, line)
                         for line in logcheck.check_error_lines(outcome.console, reasons)]
    check_expected_reasons(s, reasons, notes)
    return verdict


def check_second_boot(s: Scenario, outcome: Outcome, reasons: list[str],
                      notes: list[str]) -> None:
    """Judge the second boot of a `boots = 2` scenario (scenarios.second_boot
    says how); its reasons and notes join the first's, marked `boot 2:`."""
    if s.boots < 2:
        return
    if outcome.next is None:
        reasons.append("boot 2 did not run")
        return
    second = judge(scenario_file.second_boot(s), outcome.next)
    cases = 0 if second.report.root is None else sum(
        1 for n in second.report.root.walk() if n.parent is not None and not n.children)
    notes.append(f"boot 2: {cases} case(s) in {outcome.next.wall:.2f} s, "
                 f"status {outcome.next.status}; console in {s.name}.boot2.log")
    reasons += [f"boot 2: {r}" for r in second.reasons]
    notes += [f"boot 2: {n}" for n in second.notes]


def check_expected_reasons(s: Scenario, reasons: list[str], notes: list[str]) -> None:
    """A scenario with expect_reason must fail for exactly those reasons:
    every reason matches one of its regexes and every regex matches a
    reason. Then the failure is the expected result, and the run passes."""
    if not s.expect_reason:
        return
    unmatched = [r for r in reasons if not any(re.search(p, r) for p in s.expect_reason)]
    unseen = [p for p in s.expect_reason if not any(re.search(p, r) for r in reasons)]
    if not unmatched and not unseen:
        notes += [f"failed as expected: {r}" for r in reasons]
        reasons.clear()
        return
    outcome = "no reason matches it" if reasons else "nothing failed"
    reasons[:] = [f"failed for a reason it does not expect: {r}" for r in unmatched]
    reasons += [f"expected to fail for /{p}/, but {outcome}" for p in unseen]


# ---- running QEMU ----

class Runner:
    """Starts scenarios and kills what is still running if we are stopped."""

    def __init__(self, paths: qemu.Paths, timeout_factor: float = 1.0):
        self.paths = paths
        self.timeout_factor = timeout_factor
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def run(self, s: Scenario) -> Outcome:
        """Make the scenario's disk image, boot, check the image."""
        image = self.paths.abs(self.paths.disk_image(s)) if s.disk else None
        notes = []
        if image is not None:
            try:
                notes.append(disk.create(image, s.disk))
            except OSError as err:
                return Outcome(status=qemu.EXIT_POWEROFF, console="",
                               stderr=f"harness: cannot make the disk image {image}: {err}")
        outcome = self._boot(s, s.name)
        if s.boots == 2:
            outcome.next = self._boot(scenario_file.second_boot(s), f"{s.name}.boot2")
        outcome.run_notes += notes
        if image is not None and s.disk.expect:
            outcome.run_problems += disk.check(image, s.disk, self.paths.root)
        return outcome

    def _boot(self, s: Scenario, log_name: str) -> Outcome:
        """One QEMU run of @s, logged as build/test-logs/@log_name.*"""
        logs = self.paths.abs(self.paths.logs)
        logs.mkdir(parents=True, exist_ok=True)
        console_path = logs / f"{log_name}.log"
        qemu_log_path = logs / f"{log_name}.qemu.log"
        for path in (console_path, qemu_log_path):
            path.unlink(missing_ok=True)
        cmd = qemu.scenario_command(s, self.paths, log_name=log_name)
        timeout = s.timeout * self.timeout_factor
        with open(console_path, "wb") as console:
            start = time.monotonic()
            status, stderr, lines, hooks = self._run_watched(s, cmd, console, timeout,
                                                             start)
            wall = time.monotonic() - start
        killed_at = _killed_at(hooks, status)   # before problems(): it may add one
        return Outcome(
            status=status,
            console=_read_text(console_path),
            qemu_log=_read_text(qemu_log_path),
            stderr=stderr,
            wall=wall,
            timeout=timeout,
            lines=lines,
            killed_at=killed_at,
            run_problems=hooks.problems(),
        )

    def _run_watched(self, s: Scenario, cmd: list[str], console, timeout: float,
                     start: float) -> tuple[int | None, str, list[watch.Line], watch.RunHooks]:
        """Run QEMU with its console read live (tools/watch.py) into @console,
        with the hooks @s asks for. QEMU's stdin (the -serial stdio chardev's
        input, COM1's receiver) is a pipe for serial_input, else /dev/null.

        QEMU is reaped only after the watcher reached end of file, so the
        last lines still get a CPU sample. Status None: killed at the timeout.
        """
        # A session of its own: QEMU does not see the terminal's Ctrl-C, and
        # a timeout kill reaches QEMU and anything it started.
        with self._lock:
            if self._stopping:
                return None, "harness: interrupted before QEMU started", [], \
                    watch.RunHooks(s, lambda data: None, lambda: None)
            stdin = subprocess.PIPE if s.serial_input else subprocess.DEVNULL
            proc = subprocess.Popen(cmd, cwd=self.paths.root, stdin=stdin,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
            self._running.add(proc)
        errors: list[bytes] = []
        err_reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()),
                                      daemon=True)
        hooks = watch.RunHooks(s, lambda data: _feed(proc, data),
                               lambda: _signal_group(proc, signal.SIGKILL))
        watcher = watch.ConsoleWatch(proc.stdout, console, proc.pid, start, hooks.hooks)
        try:
            hooks.begin()
            watcher.start()
            err_reader.start()
            watcher.join(timeout)
            status: int | None = None
            try:
                status = proc.wait(timeout=max(0.1, start + timeout - time.monotonic()))
            except subprocess.TimeoutExpired:
                _stop(proc)
            watcher.join()
            err_reader.join()
            proc.wait()
        finally:
            with self._lock:
                self._running.discard(proc)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    _close_quietly(pipe)
        hooks.errors += watcher.hook_errors
        return status, b"".join(errors).decode("utf-8", "replace"), watcher.lines, hooks

    def kill_all(self) -> None:
        with self._lock:
            self._stopping = True
            procs = list(self._running)
        for proc in procs:
            _signal_group(proc, signal.SIGKILL)


def _killed_at(hooks: watch.RunHooks, status: int | None) -> watch.Line | None:
    """The kill_at line, if QEMU really died of the SIGKILL it sent."""
    if hooks.kill is None or hooks.kill.line is None:
        return None
    if status != -signal.SIGKILL:
        hooks.errors.append(f"kill_at matched, yet QEMU ended with status {status}")
        return None
    return hooks.kill.line


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    """Type @data into the guest's COM1 (QEMU's stdin)."""
    proc.stdin.write(data)
    proc.stdin.flush()


def _close_quietly(pipe) -> None:
    try:
        pipe.close()
    except OSError:  # stdin: QEMU is gone and a write is still buffered
        pass


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM first, so QEMU flushes its log; SIGKILL if it lingers."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


# ---- printing ----

LABELS = {
    ktap.PASS: "ok",
    ktap.FAIL: "FAIL",
    ktap.SKIP: "skip",
    ktap.TODO: "todo",
    ktap.MISSING: "NO RESULT",
    ktap.CRASH: "CRASH",
}


def _summary(node: ktap.TestNode, verdict: Verdict) -> str:
    """'3 ok, 1 FAIL' for a suite; 'skip: reason' for one skipped whole."""
    if not node.children:
        text = _case_label(node, verdict)
        return f"{text}: {node.reason}" if node.reason else text
    totals = ktap.count(node)
    parts = [f"{n} {LABELS[status]}" for status, n in totals.items() if n]
    if node.status in (ktap.MISSING, ktap.CRASH) and not (
            totals[ktap.MISSING] or totals[ktap.CRASH]):
        parts.append("suite has no result")
    return ", ".join(parts) if parts else "no cases"


def _case_label(node: ktap.TestNode, verdict: Verdict) -> str:
    label = LABELS[node.status]
    if node.path in verdict.scenario.expect_failures and node.status == ktap.FAIL:
        return "fail (expected)"
    if node.path in (verdict.scenario.expect_crash, verdict.scenario.expect_hang) \
            and node.path == verdict.where:
        return "hang (expected)" if verdict.ending == END_HANG else "crash (expected)"
    if node.path == verdict.where:
        return "HANG" if verdict.ending == END_HANG else "CRASH"
    return label


def tree_lines(verdict: Verdict, verbose: bool = False) -> list[str]:
    """The suites/cases table of one scenario."""
    root = verdict.report.root
    if root is None:
        return ["  (no KTAP output)"]
    lines: list[str] = []
    _tree_walk(root, 1, verdict, verbose, lines)
    return lines


def _tree_walk(node: ktap.TestNode, depth: int, verdict: Verdict, verbose: bool,
               lines: list[str]) -> None:
    pad = "  " * depth
    for child in node.children:
        if child.children or depth == 1:
            lines.append(f"{pad}{child.name:<{max(32 - len(pad), 8)}} {_summary(child, verdict)}")
            if child.status == ktap.FAIL and not child.children:
                lines += [f"{pad}    {d}" for d in child.diagnostics]
            _tree_walk(child, depth + 1, verdict, verbose, lines)
            continue
        if child.status == ktap.PASS and not verbose:
            continue
        label = _case_label(child, verdict)
        reason = f" ({child.reason})" if child.reason else ""
        lines.append(f"{pad}{label:<16} {child.name}{reason}")
        if child.status in (ktap.FAIL, ktap.MISSING, ktap.CRASH):
            lines += [f"{pad}{'':<16} {d}" for d in child.diagnostics]


def console_tail(console: str, n: int = TAIL_LINES) -> list[str]:
    lines = [ktap.clean_line(line) for line in console.splitlines()]
    lines = [line for line in lines if line.strip()]
    return lines[-n:]


def scenario_report(verdict: Verdict, paths: qemu.Paths, verbose: bool) -> list[str]:
    s, o = verdict.scenario, verdict.outcome
    result = "PASS" if verdict.passed else "FAIL"
    if o.timed_out:
        ended = f"timed out after {o.timeout:g} s"
    elif verdict.ending == END_QEMU and o.status == qemu.EXIT_POWEROFF:
        ended = f"status {o.status}: QEMU failed to start"
    else:
        ended = f"status {o.status}: {qemu.describe_exit(o.status)}"
    lines = [f"=== {s.name} ({s.boot}) {result} in {o.wall:.2f} s, {ended}"]
    lines += tree_lines(verdict, verbose)
    lines += [f"  note: {note}" for note in verdict.notes]
    if not verdict.passed:
        lines += [f"  why: {reason}" for reason in verdict.reasons]
        if verdict.log_hits:
            lines.append("  offending lines:")
            lines += [f"    {hit.strip()}" for hit in verdict.log_hits[:LOG_LINES_SHOWN]]
        if verdict.ending in (END_CRASH, END_HANG, END_QEMU, END_POWEROFF):
            tail = console_tail(o.console)
            lines.append(f"  last console lines ({paths.logs / (s.name + '.log')}):"
                         if tail else "  (nothing on the console)")
            lines += [f"  | {line}" for line in tail]
        if o.stderr.strip():
            lines.append("  QEMU stderr:")
            lines += [f"  ! {line}" for line in o.stderr.strip().splitlines()[-10:]]
        lines.append(f"  logs: {paths.logs / (s.name + '.log')}, "
                     f"{paths.logs / (s.name + '.qemu.log')}")
    return lines


def why_line(verdict: Verdict) -> str:
    return f"FAIL {verdict.scenario.name}: " + "; ".join(verdict.reasons)


# ---- JUnit XML ----

def junit_xml(verdicts: list[Verdict], paths: qemu.Paths) -> ET.ElementTree:
    suites = ET.Element("testsuites", name="busmaster")
    total = failures = 0
    for verdict in verdicts:
        suite = _junit_suite(verdict, paths)
        suites.append(suite)
        total += int(suite.get("tests"))
        failures += int(suite.get("failures"))
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("time", f"{sum(v.outcome.wall for v in verdicts):.3f}")
    ET.indent(suites)
    return ET.ElementTree(suites)


def _junit_suite(verdict: Verdict, paths: qemu.Paths) -> ET.Element:
    s = verdict.scenario
    suite = ET.Element("testsuite", name=s.name, time=f"{verdict.outcome.wall:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("boot", s.boot), ("cmdline", s.cmdline), ("memory", s.memory),
                       ("exit_status", str(verdict.outcome.status)),
                       ("console_log", str(paths.logs / f"{s.name}.log"))):
        ET.SubElement(props, "property", name=key, value=value)
    case = ET.SubElement(suite, "testcase", classname=s.name, name="scenario",
                         time=f"{verdict.outcome.wall:.3f}")
    if verdict.reasons:
        failure = ET.SubElement(case, "failure", message="; ".join(verdict.reasons))
        failure.text = "\n".join(verdict.reasons + verdict.log_hits[:LOG_LINES_SHOWN]
                                 + [""] + console_tail(verdict.outcome.console))
    if verdict.notes:
        ET.SubElement(case, "system-out").text = "\n".join(verdict.notes)
    counts = {"tests": 1, "failures": int(bool(verdict.reasons)), "skipped": 0}
    if verdict.report.root is not None:
        for node in ktap.leaves(verdict.report.root):
            _junit_case(suite, node, verdict, counts)
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("errors", "0")
    return suite


def _junit_case(suite: ET.Element, node: ktap.TestNode, verdict: Verdict,
                counts: dict[str, int]) -> None:
    s = verdict.scenario
    parent = node.parent.path if node.parent is not None else ""
    classname = f"{s.name}.{parent}" if parent else s.name
    case = ET.SubElement(suite, "testcase", classname=classname, name=node.name)
    counts["tests"] += 1
    expected = (node.path in s.expect_failures
                or (node.path == verdict.where
                    and node.path in (s.expect_crash, s.expect_hang)))
    if node.status == ktap.SKIP:
        ET.SubElement(case, "skipped", message=node.reason or "skipped")
        counts["skipped"] += 1
    elif node.status in (ktap.FAIL, ktap.MISSING, ktap.CRASH) and expected:
        ET.SubElement(case, "system-out").text = (
            f"{LABELS[node.status]} as the scenario expects\n" + "\n".join(node.diagnostics))
    elif node.status in (ktap.FAIL, ktap.MISSING, ktap.CRASH):
        message = {
            ktap.FAIL: "failed",
            ktap.MISSING: "no result (the run hung or crashed before it)",
            ktap.CRASH: "the kernel crashed in this case",
        }[node.status]
        if node.path == verdict.where and verdict.ending == END_HANG:
            message = f"hung: no result within {verdict.outcome.timeout:g} s"
        failure = ET.SubElement(case, "failure", message=message)
        failure.text = "\n".join(node.diagnostics)
        counts["failures"] += 1


# ---- main ----

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness.py",
        description="Boot the Busmaster scenario matrix in QEMU and judge the results.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="scenario names or globs (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="scenarios to run at once (default: number of CPUs)")
    parser.add_argument("--scenarios", default=str(qemu.REPO_ROOT / "tests" / "scenarios.ini"),
                        help="scenario file (default: tests/scenarios.ini)")
    parser.add_argument("--group", help="only scenarios in this group (e.g. quick)")
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list passing cases too")
    parser.add_argument("--junit", default=str(Path("build") / "test-results.xml"),
                        help="JUnit XML output (default: build/test-results.xml)")
    parser.add_argument("--timeout-factor", type=float, default=1.0,
                        help="multiply every timeout (slow machines)")
    return parser


def list_scenarios(chosen: list[Scenario]) -> None:
    for s in chosen:
        extra = []
        if s.groups:
            extra.append("groups=" + ",".join(s.groups))
        if s.expects_failure:
            what = s.expect_failures + [x for x in (s.expect_crash, s.expect_hang) if x]
            extra.append("expect fail: " + " ".join(what))
        print(f"{s.name:<20} {s.boot:<5} {s.memory:>5} x{s.cpus} {s.timeout:>5g} s  "
              f"{' '.join(extra)}")
        if s.description:
            print(f"{'':<20} {s.description}")


def preflight(chosen: list[Scenario], paths: qemu.Paths) -> list[str]:
    """Problems that make running pointless: missing build outputs or tools."""
    errors = []
    if shutil.which(qemu.qemu_binary()) is None:
        errors.append(f"{qemu.qemu_binary()} not found (install qemu-system-x86 or set QEMU)")
    if any(s.disk for s in chosen) and not disk.have_qemu_img():
        errors.append("qemu-img not found, needed for disk images (install qemu-utils)")
    for boot in sorted({s.boot for s in chosen}):
        missing = qemu.missing_inputs(paths, boot)
        if missing:
            names = ", ".join(s.name for s in chosen if s.boot == boot)
            errors.append(f"{', '.join(missing)} missing, needed by {names}: "
                          "run `make` first")
    return errors


def expected_seconds(s: Scenario) -> float:
    """A rough guess of a scenario's run time, to start the long ones first
    (an expected hang always lasts its whole timeout; OVMF takes seconds)."""
    if s.expect_hang:
        return s.timeout
    return 3.0 if s.boot == "uefi" else 0.5


def run_all(chosen: list[Scenario], runner: Runner, jobs: int) -> list[Verdict]:
    """Run and judge every scenario, longest first; print a progress line as
    each ends. The verdicts come back in the order of @chosen."""
    verdicts: dict[str, Verdict] = {}
    done = 0
    ordered = sorted(chosen, key=expected_seconds, reverse=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(runner.run, s): s for s in ordered}
        try:
            for future in as_completed(futures):
                s = futures[future]
                verdict = judge(s, future.result())
                verdicts[s.name] = verdict
                done += 1
                state = "PASS" if verdict.passed else "FAIL"
                print(f"[{done}/{len(chosen)}] {s.name:<20} {state} "
                      f"{verdict.outcome.wall:6.2f} s", flush=True)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            runner.kill_all()
            raise
    return [verdicts[s.name] for s in chosen]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        chosen = scenario_file.select(scenario_file.load(args.scenarios),
                                      args.names, args.group)
    except scenario_file.ScenarioError as err:
        print(f"harness: {err}", file=sys.stderr)
        return 2
    if args.list:
        list_scenarios(chosen)
        return 0
    paths = qemu.Paths()
    errors = preflight(chosen, paths)
    if errors:
        for error in errors:
            print(f"harness: {error}", file=sys.stderr)
        return 2
    runner = Runner(paths, args.timeout_factor)
    print(f"harness: {len(chosen)} scenario(s), {max(1, args.jobs)} at a time; "
          f"logs in {paths.logs}/", flush=True)
    try:
        verdicts = run_all(chosen, runner, args.jobs)
    except KeyboardInterrupt:
        print("harness: interrupted; QEMU processes killed", file=sys.stderr)
        return 130
    print()
    for verdict in verdicts:
        print("\n".join(scenario_report(verdict, paths, args.verbose)))
    junit = Path(args.junit)
    junit = junit if junit.is_absolute() else paths.root / junit
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit_xml(verdicts, paths).write(junit, encoding="utf-8", xml_declaration=True)
    print()
    failed = [v for v in verdicts if not v.passed]
    for verdict in failed:
        print(why_line(verdict))
    print(f"{len(verdicts) - len(failed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
