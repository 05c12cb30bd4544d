"""Tests of the live console watcher (tools/watch.py) and the keys built on
it. No QEMU runs here: a pipe and a child process stand in for it.

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import unittest

import harness
import scenarios
import watch


def scenario(**keys: str) -> scenarios.Scenario:
    body = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return scenarios.parse("[s]\n" + body)[0]


def lines(*spec: tuple[str, float, float | None]) -> list[watch.Line]:
    return [watch.Line(text, wall, cpu) for text, wall, cpu in spec]


class ProcStat(unittest.TestCase):
    def test_fields_counted_after_the_command_name(self):
        # A command name with spaces and ')' must not shift the fields.
        fields = ["S"] + [str(n) for n in range(4, 53)]
        fields[11], fields[12] = "150", "25"        # utime (14), stime (15)
        text = "1234 (qemu (x) y) " + " ".join(fields) + "\n"
        self.assertEqual(watch.parse_proc_stat(text), 175)

    def test_own_process_has_cpu_time(self):
        t = watch.cpu_seconds(os.getpid())
        self.assertIsNotNone(t)
        self.assertGreaterEqual(t, 0.0)

    def test_gone_process_gives_none(self):
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        child.wait()
        self.assertIsNone(watch.cpu_seconds(child.pid))


class Watcher(unittest.TestCase):
    def run_child(self, code: str, hooks=None) -> tuple[watch.ConsoleWatch, bytes]:
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        log = io.BytesIO()
        w = watch.ConsoleWatch(child.stdout, log, child.pid, time.monotonic(), hooks)
        w.start()
        w.join(30)
        child.wait()
        child.stdout.close()
        return w, log.getvalue()

    def test_lines_arrive_live_with_times(self):
        # The second line comes 0.3 s after the first: the watcher must see
        # it then, not both at exit; the child spins in between, so its CPU
        # time grows.
        code = ("import sys, time\n"
                "print('first\\r', flush=True)\n"
                "end = time.monotonic() + 0.3\n"
                "while time.monotonic() < end: pass\n"
                "sys.stdout.write('second\\nno newline'); sys.stdout.flush()\n")
        w, log = self.run_child(code)
        self.assertEqual([l.text for l in w.lines], ["first", "second", "no newline"])
        self.assertEqual(log, b"first\r\nsecond\nno newline")
        self.assertGreaterEqual(w.lines[1].wall - w.lines[0].wall, 0.25)
        self.assertIsNotNone(w.lines[0].cpu)
        self.assertIsNotNone(w.lines[2].cpu)   # read before the child is reaped
        self.assertGreater(w.lines[1].cpu, w.lines[0].cpu)

    def test_hooks_see_each_line_and_errors_are_kept(self):
        seen = []

        def broken(line):
            raise ValueError("boom")
        w, _ = self.run_child("print('a'); print('b')", [seen.append, broken])
        self.assertEqual([l.text for l in seen], ["a", "b"])
        self.assertEqual(w.hook_errors, ["ValueError: boom", "ValueError: boom"])

    def test_kill_at_stops_the_process_at_the_marker(self):
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import time\nprint('READY', flush=True)\ntime.sleep(30)\nprint('late')"],
            stdout=subprocess.PIPE)
        kill = watch.KillAt(r"^READY$", child.kill)
        w = watch.ConsoleWatch(child.stdout, io.BytesIO(), child.pid, time.monotonic(),
                               [kill])
        w.start()
        w.join(10)
        self.assertFalse(w.is_alive())
        self.assertEqual(child.wait(), -9)
        child.stdout.close()
        self.assertEqual(kill.line.text, "READY")
        self.assertEqual([l.text for l in w.lines], ["READY"])


class CpuIdle(unittest.TestCase):
    BEGIN = "    # harness: cpu-idle begin wait"
    END = "    # harness: cpu-idle end wait"

    def judge(self, tags, max_ratio, console):
        reasons, notes = [], []
        watch.check_cpu_idle(tags, max_ratio, console, reasons, notes)
        return reasons, notes

    def test_idle_pair_passes_and_says_what_it_measured(self):
        reasons, notes = self.judge(["wait"], 0.1, lines(
            (self.BEGIN, 1.0, 0.50), ("noise", 1.5, 0.9), (self.END, 2.0, 0.55)))
        self.assertEqual(reasons, [])
        self.assertEqual(notes, ["cpu_idle wait: QEMU used 0.05 s of CPU in 1.00 s "
                                 "(0.05 of one core, at most 0.1)"])

    def test_busy_pair_fails_with_ratio_and_wall_time(self):
        reasons, _ = self.judge(["wait"], 0.1, lines(
            (self.BEGIN, 1.0, 0.5), (self.END, 3.0, 1.3)))
        self.assertEqual(reasons, ["cpu_idle wait: QEMU used 0.80 s of CPU in 2.00 s "
                                   "(0.40 of one core, more than 0.1)"])

    def test_missing_half_of_a_pair_fails(self):
        reasons, _ = self.judge(["wait"], 0.1, lines((self.BEGIN, 1.0, 0.5)))
        self.assertEqual(reasons, ["cpu_idle wait: no '# harness: cpu-idle begin/end wait' "
                                   "pair on the console"])
        reasons, _ = self.judge(["wait"], 0.1, lines((self.END, 1.0, 0.5)))
        self.assertIn("cpu_idle: cpu-idle end wait without a begin", reasons)

    def test_repeated_begin_and_unreadable_cpu_fail(self):
        reasons, _ = self.judge(["wait"], 0.1, lines(
            (self.BEGIN, 1.0, 0.5), (self.BEGIN, 1.1, 0.5), (self.END, 2.0, None)))
        self.assertIn("cpu_idle: cpu-idle begin wait appears twice", reasons)
        self.assertIn("cpu_idle: cpu-idle end wait: QEMU's CPU time could not be read",
                      reasons)

    def test_untagged_scenario_checks_nothing(self):
        self.assertEqual(self.judge([], 0.1, lines((self.END, 1.0, 0.5))), ([], []))

    def test_judge_applies_the_scenario_keys(self):
        s = scenario(cpu_idle="wait other", cpu_idle_max="0.5")
        self.assertEqual((s.cpu_idle, s.cpu_idle_max), (["wait", "other"], 0.5))
        out = harness.Outcome(33, "KTAP version 1\n1..0 # SKIP\n", lines=lines(
            (self.BEGIN, 1.0, 0.5), (self.END, 2.0, 0.8)))
        verdict = harness.judge(s, out)
        self.assertEqual(verdict.reasons, ["cpu_idle other: no '# harness: cpu-idle "
                                           "begin/end other' pair on the console"])
        self.assertTrue(any("0.30 of one core, at most 0.5" in n for n in verdict.notes))

    def test_bad_max_is_refused(self):
        with self.assertRaises(scenarios.ScenarioError):
            scenario(cpu_idle="x", cpu_idle_max="lots")


if __name__ == "__main__":
    unittest.main()
