"""Watch QEMU's console live: timestamp each line, act on marker lines.

The harness reads the serial console from a pipe as the guest prints it
(not only after QEMU exits). Every line gets two timestamps taken when it
arrives: wall time since QEMU started and QEMU's CPU time so far (utime +
stime of the whole process, from /proc/PID/stat). Hooks see each line as
it comes and can act on it: kill QEMU at a marker (kill_at), feed the
guest's serial port (serial_input, tools/serial.py).

The judging part here is pure (a list of Line in, reasons out), so it is
unit-tested without QEMU (tools/test_watch.py):

  cpu_idle = TAG [TAG...]   the kernel prints "# harness: cpu-idle begin TAG"
                            and "# harness: cpu-idle end TAG"
                            (ktest_harness_mark); QEMU's CPU time across the
                            pair, divided by the wall time, must not exceed
                            cpu_idle_max (default 0.10 of one core).
"""

from __future__ import annotations

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
