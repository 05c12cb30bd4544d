"""Watch QEMU's console live: timestamp each line, act on marker lines.

The harness reads the serial console from a pipe as the guest prints it
(not only after QEMU exits). Every line gets two timestamps taken when it
arrives: wall time since QEMU started and QEMU's CPU time so far (utime +
stime of the whole process, from /proc/PID/stat). Hooks see each line as
it comes and can act on it: kill QEMU at a marker (kill_at), feed the
guest's serial port (serial_input).

The judging part here is pure (a list of Line in, reasons out), so it is
unit-tested without QEMU (tools/test_watch.py):

  cpu_idle = TAG [TAG...]   the kernel prints "# harness: cpu-idle begin TAG"
                            and "# harness: cpu-idle end TAG"
                            (ktest_harness_mark); QEMU's CPU time across the
                            pair, divided by the wall time, must not exceed
                            cpu_idle_max (default 0.10 of one core).
  serial_input = STEPS      a script of `wait REGEX`, `send TEXT` and
                            `sendraw TEXT` steps fed to COM1 (SerialScript).
  kill_at = REGEX           SIGKILL QEMU at the first matching line (KillAt).
"""

from __future__ import annotations

import codecs
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

CLK_TCK = os.sysconf("SC_CLK_TCK")
CPU_IDLE_MAX = 0.10
READ_SIZE = 4096

MARK = re.compile(r"#\s*harness: cpu-idle (begin|end) (\S+)\s*$")


@dataclass
class Line:
    """One console line and when it arrived."""

    text: str                 # without the line ending
    wall: float               # seconds since QEMU started
    cpu: float | None         # QEMU's CPU seconds so far; None if unreadable


# ---- QEMU's CPU time ----

def parse_proc_stat(text: str) -> int:
    """utime + stime, in clock ticks, from the text of /proc/PID/stat.

    The command name (field 2) is in parentheses and may hold spaces or
    ')', so fields are counted after the last ')': state is field 3 there,
    utime field 14 and stime field 15 (proc(5)).
    """
    rest = text[text.rindex(")") + 1:].split()
    return int(rest[11]) + int(rest[12])


def cpu_seconds(pid: int) -> float | None:
    """QEMU's CPU time so far (all threads), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return parse_proc_stat(f.read()) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


# ---- the live reader ----

Hook = Callable[[Line], None]


class ConsoleWatch(threading.Thread):
    """Copy @source (QEMU's stdout) to @log as it arrives, split it into
    timestamped lines and call each hook on every complete line.

    One /proc sample per read: lines that arrive together share it. The
    process is not reaped before this thread sees end of file (the caller
    joins it first), so even a last line has a CPU sample: a zombie's stat
    still holds its times.
    """

    def __init__(self, source: BinaryIO, log: BinaryIO, pid: int, start: float,
                 hooks: list[Hook] | None = None):
        super().__init__(daemon=True)
        self.source, self.log, self.pid, self.t0 = source, log, pid, start
        self.hooks = list(hooks or [])
        self.lines: list[Line] = []
        self.hook_errors: list[str] = []

    def run(self) -> None:
        pending = b""
        fd = self.source.fileno()
        while True:
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                break
            self.log.write(chunk)
            self.log.flush()
            wall, cpu = time.monotonic() - self.t0, cpu_seconds(self.pid)
            *complete, pending = (pending + chunk).split(b"\n")
            for raw in complete:
                self._line(raw, wall, cpu)
        if pending:
            self._line(pending, time.monotonic() - self.t0, cpu_seconds(self.pid))

    def _line(self, raw: bytes, wall: float, cpu: float | None) -> None:
        line = Line(raw.decode("utf-8", "replace").rstrip("\r"), wall, cpu)
        self.lines.append(line)
        for hook in self.hooks:
            try:
                hook(line)
            except Exception as err:  # a broken hook must not stop the capture
                self.hook_errors.append(f"{type(err).__name__}: {err}")


# ---- cpu_idle: judging the marks ----

@dataclass
class IdleSpan:
    """QEMU's CPU use between the begin and end marks of one tag."""

    tag: str
    wall: float
    cpu: float

    @property
    def ratio(self) -> float:
        return self.cpu / self.wall if self.wall > 0 else float("inf")


def idle_spans(lines: list[Line]) -> tuple[dict[str, IdleSpan], list[str]]:
    """Pair the cpu-idle marks by tag; return the spans and the problems
    (an end without a begin, a begin twice, a mark without a CPU sample)."""
    begins: dict[str, Line] = {}
    spans: dict[str, IdleSpan] = {}
    problems = []
    for line in lines:
        m = MARK.search(line.text)
        if not m:
            continue
        kind, tag = m.groups()
        if line.cpu is None:
            problems.append(f"cpu-idle {kind} {tag}: QEMU's CPU time could not be read")
        elif kind == "begin":
            if tag in begins or tag in spans:
                problems.append(f"cpu-idle begin {tag} appears twice")
            begins[tag] = line
        elif tag not in begins:
            problems.append(f"cpu-idle end {tag} without a begin")
        else:
            start = begins.pop(tag)
            spans[tag] = IdleSpan(tag, line.wall - start.wall, line.cpu - start.cpu)
    return spans, problems


def check_cpu_idle(tags: list[str], max_ratio: float, lines: list[Line],
                   reasons: list[str], notes: list[str]) -> None:
    """Every tag in @tags must have a begin/end pair whose CPU/wall ratio
    is at most @max_ratio; say what was measured either way."""
    if not tags:
        return
    spans, problems = idle_spans(lines)
    reasons += [f"cpu_idle: {p}" for p in problems]
    for tag in tags:
        span = spans.get(tag)
        if span is None:
            reasons.append(f"cpu_idle {tag}: no '# harness: cpu-idle begin/end {tag}' pair "
                           "on the console")
            continue
        measured = (f"QEMU used {span.cpu:.2f} s of CPU in {span.wall:.2f} s "
                    f"({span.ratio:.2f} of one core")
        if span.ratio > max_ratio:
            reasons.append(f"cpu_idle {tag}: {measured}, more than {max_ratio:g})")
        else:
            notes.append(f"cpu_idle {tag}: {measured}, at most {max_ratio:g})")


# ---- hooks ----

@dataclass
class KillAt:
    """Kill QEMU (through @kill) at the first line matching @pattern."""

    pattern: str
    kill: Callable[[], None]
    line: Line | None = field(default=None)

    def __call__(self, line: Line) -> None:
        if self.line is None and re.search(self.pattern, line.text):
            self.line = line
            self.kill()


# ---- serial_input: a script typed into COM1 ----

class ScriptError(ValueError):
    """A serial_input step that cannot be understood."""


@dataclass(frozen=True)
class Step:
    op: str        # "wait" or "send"
    arg: str       # a regex for wait, the exact text for send


def parse_script(text: str) -> list[Step]:
    """Parse serial_input steps, one per line ('#' lines are comments):
    `wait REGEX` holds the rest until a later console line matches;
    `send TEXT` types TEXT and a carriage return (a terminal's Enter);
    `sendraw TEXT` types TEXT with backslash escapes decoded (\\r \\n
    \\t \\xNN \\\\) and nothing added."""
    steps = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, arg = line.partition(" ")
        if op == "wait":
            try:
                re.compile(arg)
            except re.error as err:
                raise ScriptError(f"wait {arg!r}: {err}") from None
            steps.append(Step("wait", arg))
        elif op == "send":
            steps.append(Step("send", arg + "\r"))
        elif op == "sendraw":
            try:
                steps.append(Step("send", codecs.decode(arg, "unicode_escape")))
            except UnicodeDecodeError as err:
                raise ScriptError(f"sendraw {arg!r}: {err.reason}") from None
        else:
            raise ScriptError(f"{line!r}: steps are `wait REGEX`, `send TEXT` "
                              "or `sendraw TEXT`")
    if not any(step.op == "send" for step in steps):
        raise ScriptError("the script sends nothing")
    return steps


class SerialScript:
    """Play @steps into @write (QEMU's stdin, the -serial stdio chardev,
    which feeds COM1's receiver: QEMU takes bytes only as fast as the
    guest's UART accepts them, so nothing is lost)."""

    def __init__(self, steps: list[Step], write: Callable[[bytes], None]):
        self.steps, self.write = steps, write
        self.next = 0
        self.sent: list[str] = []

    def begin(self) -> None:
        """Do the sends before the first wait (call once QEMU runs)."""
        self._advance()

    def __call__(self, line: Line) -> None:
        if self.done or not re.search(self.steps[self.next].arg, line.text):
            return
        self.next += 1
        self._advance()

    def _advance(self) -> None:
        while not self.done and self.steps[self.next].op == "send":
            text = self.steps[self.next].arg
            self.write(text.encode("utf-8"))
            self.sent.append(text)
            self.next += 1

    @property
    def done(self) -> bool:
        return self.next >= len(self.steps)

    def unfinished(self) -> str:
        """Why the script stopped early, or '' if it ran to its end."""
        if self.done:
            return ""
        return (f"serial_input waited for /{self.steps[self.next].arg}/ but no console "
                f"line matched; {len(self.sent)} of "
                f"{sum(st.op == 'send' for st in self.steps)} send(s) done")


# ---- the hooks of one run, and what they saw ----

class RunHooks:
    """The per-line actions scenario @s asks for: serial_input (written
    with @write) and kill_at (done with @kill)."""

    def __init__(self, s, write: Callable[[bytes], None], kill: Callable[[], None]):
        self.kill = KillAt(s.kill_at, kill) if s.kill_at else None
        self.serial = SerialScript(s.serial_input, write) if s.serial_input else None
        self.errors: list[str] = []     # exceptions of hooks (ConsoleWatch.hook_errors)

    def begin(self) -> None:
        """Start the script: QEMU is running."""
        if self.serial is not None:
            try:
                self.serial.begin()
            except OSError as err:
                self.errors.append(f"{type(err).__name__}: {err}")

    @property
    def hooks(self) -> list[Hook]:
        return [h for h in (self.serial, self.kill) if h is not None]

    def problems(self) -> list[str]:
        """What the scenario asked for and did not get."""
        problems = [f"harness hook failed: {e}" for e in self.errors]
        if self.serial is not None and self.serial.unfinished():
            problems.append(self.serial.unfinished())
        if self.kill is not None and self.kill.line is None:
            problems.append(f"kill_at /{self.kill.pattern}/ never matched a console line")
        return problems


def check_run(s, outcome, reasons: list[str], notes: list[str]) -> None:
    """The live-console checks of scenario @s on @outcome: cpu_idle, and
    what the hooks could not do (outcome.run_problems)."""
    check_cpu_idle(s.cpu_idle, s.cpu_idle_max, outcome.lines, reasons, notes)
    reasons += outcome.run_problems
    notes += outcome.run_notes
    if outcome.killed_at is not None:
        notes.append(f"killed at {outcome.killed_at.wall:.2f} s by kill_at, on: "
                     f"{outcome.killed_at.text.strip()}")
