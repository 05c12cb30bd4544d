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
import tempfile
import time
import unittest

import harness
import qemu
import scenarios
import watch


def scenario(**keys: str) -> scenarios.Scenario:
    body = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return scenarios.parse("[s]\n" + body)[0]


def lines(*spec: tuple[str, float, float | None]) -> list[watch.Line]:
    return [watch.Line(text, wall, cpu) for text, wall, cpu in spec]



def alive(*args, **kw) -> "harness.Outcome":
    """An Outcome whose QEMU log holds the trace sentinel, as a real run's does."""
    kw["qemu_log"] = f"{qemu.TRACE_SENTINEL} x\n" + kw.get("qemu_log", "")
    return harness.Outcome(*args, **kw)

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
        out = alive(33, "KTAP version 1\n1..0 # SKIP\n", lines=lines(
            (self.BEGIN, 1.0, 0.5), (self.END, 2.0, 0.8)))
        verdict = harness.judge(s, out)
        self.assertEqual(verdict.reasons, ["cpu_idle other: no '# harness: cpu-idle "
                                           "begin/end other' pair on the console"])
        self.assertTrue(any("0.30 of one core, at most 0.5" in n for n in verdict.notes))

    def test_bad_max_is_refused(self):
        with self.assertRaises(scenarios.ScenarioError):
            scenario(cpu_idle="x", cpu_idle_max="lots")


class SerialInput(unittest.TestCase):
    def test_parse_steps(self):
        steps = watch.parse_script("# a comment\nwait ^ready$\nsend hello there\n"
                                   "sendraw a\\tb\\r\n")
        self.assertEqual(steps, [watch.Step("wait", "^ready$"),
                                 watch.Step("send", "hello there\r"),
                                 watch.Step("send", "a\tb\r")])

    def test_bad_scripts_are_refused(self):
        for text in ("wait (", "type x", "wait ^x$", ""):
            with self.assertRaises(watch.ScriptError, msg=text):
                watch.parse_script(text)

    def test_script_waits_then_sends_in_order(self):
        written = []
        script = watch.SerialScript(watch.parse_script(
            "send early\nwait ^one$\nsend a\nsend b\nwait ^two$\nsendraw c"),
            written.append)
        script.begin()
        self.assertEqual(written, [b"early\r"])
        for text in ("two", "one", "two"):       # "two" before "one" is too early
            script(watch.Line(text, 0.0, 0.0))
        self.assertEqual(written, [b"early\r", b"a\r", b"b\r", b"c"])
        self.assertTrue(script.done)
        self.assertEqual(script.unfinished(), "")

    def test_unfinished_script_says_where_it_stopped(self):
        script = watch.SerialScript(watch.parse_script("wait ^x$\nsend a"), lambda d: None)
        script.begin()
        self.assertEqual(script.unfinished(), "serial_input waited for /^x$/ but no console "
                         "line matched; 0 of 1 send(s) done")

    def test_scenario_key_inline_and_from_a_file(self):
        s = scenario(serial_input="wait ^r$\n    send x")
        self.assertEqual(s.serial_input, [watch.Step("wait", "^r$"), watch.Step("send", "x\r")])
        with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=scenarios.REPO_ROOT) as f:
            f.write("# typed at the prompt\nwait ^\\$ $\nsend help\n")
            f.flush()
            rel = os.path.relpath(f.name, scenarios.REPO_ROOT)
            s = scenario(serial_input=f"file {rel}")
        self.assertEqual(s.serial_input[1], watch.Step("send", "help\r"))
        with self.assertRaisesRegex(scenarios.ScenarioError, "cannot read"):
            scenario(serial_input="file no/such/script.txt")
        with self.assertRaisesRegex(scenarios.ScenarioError, "serial_input"):
            scenario(serial_input="wait (")

    def test_script_feeds_a_real_pipe(self):
        # A child echoes what it reads on stdin, as the guest's UART would see it.
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import sys\nprint('READY', flush=True)\n"
             "print('got', repr(sys.stdin.readline()), flush=True)"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

        def feed(data):
            child.stdin.write(data)
            child.stdin.flush()
        script = watch.SerialScript(watch.parse_script("wait ^READY$\nsendraw hi\\n"), feed)
        w = watch.ConsoleWatch(child.stdout, io.BytesIO(), child.pid, time.monotonic(),
                               [script])
        script.begin()
        w.start()
        w.join(20)
        child.wait()
        child.stdin.close()
        child.stdout.close()
        self.assertEqual([l.text for l in w.lines], ["READY", "got 'hi\\n'"])


class KillJudged(unittest.TestCase):
    KTAP = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n"
            "    # cases: a b\n    1..2\n    ok 1 a\n    # harness: kill here\n")

    def test_kill_at_the_marker_passes_with_what_ran_before(self):
        mark = watch.Line("    # harness: kill here", 0.5, 0.1)
        out = alive(-9, self.KTAP, killed_at=mark)
        verdict = harness.judge(scenario(kill_at="kill here", require="s.a"), out)
        self.assertEqual(verdict.reasons, [])
        self.assertIn("killed at 0.50 s by kill_at, on: # harness: kill here", verdict.notes)
        verdict = harness.judge(scenario(kill_at="kill here", require="s.b"), out)
        self.assertEqual(verdict.reasons, ["required s.b did not pass: it never reported"])

    def test_a_failure_before_the_kill_still_fails(self):
        mark = watch.Line("    # harness: kill here", 0.5, 0.1)
        out = alive(-9, self.KTAP.replace("ok 1 a", "not ok 1 a"), killed_at=mark)
        self.assertEqual(harness.judge(scenario(kill_at="kill"), out).reasons, ["s.a failed"])

    def test_a_kill_that_never_came_fails(self):
        hooks = watch.RunHooks(scenario(kill_at="^never$"), lambda d: None, lambda: None)
        self.assertEqual(hooks.problems(), ["kill_at /^never$/ never matched a console line"])
        out = alive(-9, self.KTAP, run_problems=hooks.problems())
        reasons = harness.judge(scenario(kill_at="^never$"), out).reasons
        self.assertIn("kill_at /^never$/ never matched a console line", reasons)
        self.assertIn("QEMU killed by signal 9", reasons[0])


class BootTwice(unittest.TestCase):
    PASS = "KTAP version 1\n1..1\nok 1 a # SKIP nothing here\n"
    FAIL = ("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n"
            "    not ok 1 c\nnot ok 1 s\n")

    def test_keys(self):
        s = scenario(boots="2", cmdline2="ktest=b", require2="b.*", kill_at="x",
                     expect="fail", expect_failures="a.b")
        second = scenarios.second_boot(s)
        self.assertEqual((second.cmdline, second.require, second.kill_at, second.expect,
                          second.expect_failures, second.boots),
                         ("ktest=b", ["b.*"], "", "pass", [], 1))
        self.assertEqual(scenarios.second_boot(scenario(boots="2")).cmdline, "ktest=*")
        for keys in ({"boots": "3"}, {"cmdline2": "x"}, {"require2": "x"}):
            with self.assertRaises(scenarios.ScenarioError, msg=keys):
                scenario(**keys)

    def test_second_boot_is_judged_and_marked(self):
        s = scenario(boots="2")
        first = alive(33, self.PASS, next=alive(35, self.FAIL))
        self.assertEqual(harness.judge(s, first).reasons, ["boot 2: s.c failed"])
        first.next = alive(33, self.PASS)
        verdict = harness.judge(s, first)
        self.assertEqual(verdict.reasons, [])
        self.assertIn("boot 2: 1 case(s) in 0.00 s, status 33; console in s.boot2.log",
                      verdict.notes)
        self.assertEqual(harness.judge(s, alive(33, self.PASS)).reasons,
                         ["boot 2 did not run"])


if __name__ == "__main__":
    unittest.main()
