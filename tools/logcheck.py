"""Judge the logs of a run: kernel `error:` lines, QEMU's stderr, its -D log.

Pure functions over text, unit-tested in tools/test_logcheck.py; harness.py
calls them from judge().

Every kernel `error:` line must be expected by the case running when it
appears: the case calls ktest_expect_error(t, "substring") first, which
prints `    # <case>: expect-error: <substring>`. Which case is running is
read from the KTAP itself: a suite's `# cases:` line lists its cases in
order, and each result line ends one.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

import ktap

# A kernel log line at error level: "[    1.234567] prefix: error: text"
# (the prefix may hold more words: "DMA-API: edu 0000:00:04.0: error: ...").
# The UEFI loader's lines have no timestamp but the same "error: " word.
ERROR_LINE = re.compile(r"(?:^|\s)error: ")
DECLARATION = re.compile(r"#\s*(\S+): expect-error: (.*?)\s*$")
_RESULT = re.compile(r"(?:not )?ok \d+\b")


@dataclass
class _Block:
    """One KTAP block on the way down: its suite name, cases, results so far."""

    indent: int
    name: str = ""
    cases: list[str] = field(default_factory=list)
    results: int = 0


class CaseTracker:
    """Follows a console log line by line and says which case is running."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.declared: list[str] = []     # substrings the running case declared
        self.declared_by = ""             # ... and its name

    def feed(self, line: str) -> None:
        text = line.lstrip(" \t")
        indent = len(line) - len(text)
        if text.startswith("KTAP version"):
            self._drop_below(indent, keep_equal=False)
            self.blocks.append(_Block(indent))
            return
        if not self.blocks:
            return
        block = self._block_at(indent)
        if block is None:
            return
        m = DECLARATION.match(text)
        if m and text.startswith("#"):
            if m.group(1) != self.declared_by:
                self.declared, self.declared_by = [], m.group(1)
            self.declared.append(m.group(2))
            return
        if text.startswith("# Subtest:"):
            block.name = text.split(":", 1)[1].strip()
        elif text.startswith("# cases:"):
            block.cases = text.split(":", 1)[1].split()
        elif _RESULT.match(text):
            self._drop_below(indent, keep_equal=True)
            block.results += 1
            self.declared, self.declared_by = [], ""

    def _block_at(self, indent: int) -> _Block | None:
        for block in reversed(self.blocks):
            if block.indent == indent:
                return block
        return None

    def _drop_below(self, indent: int, keep_equal: bool) -> None:
        while self.blocks and (self.blocks[-1].indent > indent or
                               (not keep_equal and self.blocks[-1].indent == indent)):
            self.blocks.pop()

    def running(self) -> str | None:
        """suite.case running now, or None between cases / outside KTAP."""
        if not self.blocks:
            return None
        block = self.blocks[-1]
        if block.indent == 0 or not block.cases or block.results >= len(block.cases):
            return None
        names = [b.name for b in self.blocks[1:]]
        return ".".join(names + [block.cases[block.results]])

    def expects(self, line: str) -> bool:
        case = self.running()
        if case is None or case.rsplit(".", 1)[-1] != self.declared_by:
            return False
        return any(sub in line for sub in self.declared)


def undeclared_errors(console: str) -> list[tuple[str, str | None]]:
    """The `error:` lines no declaration of the running case expects, each
    with the case that was running (None: outside any case)."""
    tracker = CaseTracker()
    found = []
    for raw in console.splitlines():
        line = ktap.clean_line(raw)
        stripped = line.lstrip()
        if stripped.startswith("#") or not ERROR_LINE.search(line):
            tracker.feed(line)
            continue
        if not tracker.expects(line):
            found.append((stripped, tracker.running()))
    return found


def check_error_lines(console: str, reasons: list[str]) -> list[str]:
    """Fail the run for each undeclared error line; return the lines."""
    found = undeclared_errors(console)
    for line, case in found[:5]:
        where = f"in {case}" if case else "outside any test case"
        reasons.append(f"undeclared error line {where}: {line}")
    if len(found) > 5:
        reasons.append(f"... and {len(found) - 5} more undeclared error line(s)")
    return [line for line, _ in found]


QEMU_DECLARATION = re.compile(r"#\s*(\S+): expect-qemu-log: (.*?)\s*$")


def declared_qemu_lines(console: str) -> list[tuple[str, str]]:
    """(case, regex) for each ktest_expect_qemu_log() the run printed: lines
    a case makes QEMU log on purpose. A regex that does not compile is kept
    as a literal, so a typo fails the requirement instead of the harness."""
    found = []
    for raw in console.splitlines():
        m = QEMU_DECLARATION.search(ktap.clean_line(raw))
        if not m:
            continue
        regex = m.group(2)
        try:
            re.compile(regex)
        except re.error:
            regex = re.escape(regex)
        if (m.group(1), regex) not in found:
            found.append((m.group(1), regex))
    return found


def check_declared_qemu_lines(streams: "Streams", declared: list[tuple[str, str]],
                              reasons: list[str]) -> None:
    """Each line a case declared must be in QEMU's -D log."""
    lines = streams.qemu_log.splitlines()
    for case, pattern in declared:
        if not any(re.search(pattern, line) for line in lines):
            reasons.append(f"{case} declared a QEMU log line /{pattern}/ that QEMU "
                           f"never logged")


# ---- what QEMU says: its stderr, its -D log (guest errors and trace events) ----

KERNEL = "kernel log"
STDERR = "QEMU stderr"
TRACE = "QEMU trace"
GUEST = "QEMU log"          # the -D file's other lines: guest errors

# The log trace backend writes "event args", or "PID@SECONDS:event args"
# with -msg timestamp=on.
_TRACE_NAME = re.compile(r"(?:\d+@\d+\.\d+:)?([A-Za-z0-9_]+)\b")


@dataclass
class Streams:
    """The text one run left, split by where it came from."""

    kernel: str = ""            # the console
    stderr: str = ""            # QEMU's stderr
    qemu_log: str = ""          # the -D file
    events: tuple[str, ...] = ()   # trace event names or globs enabled

    def lines(self) -> list[tuple[str, str]]:
        """(stream, line) for every non-empty line, in stream order."""
        found = [(KERNEL, ktap.clean_line(raw)) for raw in self.kernel.splitlines()]
        found += [(STDERR, raw.rstrip()) for raw in self.stderr.splitlines()]
        found += [(stream_of_log_line(raw, self.events), raw.rstrip())
                  for raw in self.qemu_log.splitlines()]
        return [(stream, line) for stream, line in found if line.strip()]


def stream_of_log_line(line: str, events: tuple[str, ...]) -> str:
    """TRACE if @line is the output of an enabled trace event, else GUEST."""
    m = _TRACE_NAME.match(line)
    if m and any(fnmatch.fnmatchcase(m.group(1), pattern) for pattern in events):
        return TRACE
    return GUEST


def hit(stream: str, line: str) -> str:
    """An offending line as reports show it: "[QEMU stderr] text"."""
    return f"[{stream}] {line.strip()}"


def _matches(patterns: list[str], line: str) -> bool:
    return any(re.search(p, line) for p in patterns)


def check_stderr(stderr: str, allow: list[str], reasons: list[str]) -> list[str]:
    """Every line QEMU writes to stderr fails the run unless allow_log excuses it."""
    bad = [line.rstrip() for line in stderr.splitlines()
           if line.strip() and not _matches(allow, line)]
    if bad:
        reasons.append(f"QEMU stderr: {len(bad)} line(s) no allow_log regex matches, "
                       f"first: {bad[0].strip()}")
    return [hit(STDERR, line) for line in bad]


def check_trace_alive(streams: Streams, sentinel: str, reasons: list[str],
                      log_name: str) -> None:
    """The @sentinel event, enabled in every run, must be in the trace output,
    or every trace check is blind."""
    for raw in streams.qemu_log.splitlines():
        m = _TRACE_NAME.match(raw)
        if m and m.group(1) == sentinel:
            return
    reasons.append(f"QEMU trace: no {sentinel} event in {log_name}, though every "
                   "run enables it: without trace output the trace checks see nothing "
                   "(is QEMU built with the 'log' trace backend?)")


def check_required_lines(streams: Streams, required: list[str],
                         reasons: list[str]) -> None:
    """Each require_log regex must match a line of some stream."""
    lines = streams.lines()
    for pattern in required:
        if not any(re.search(pattern, line) for _, line in lines):
            reasons.append(f"require_log /{pattern}/ matched no line of the {KERNEL}, "
                           f"{STDERR} or {GUEST} (trace included)")


def check_forbidden_lines(streams: Streams, forbidden: list[str],
                          reasons: list[str]) -> list[str]:
    """No line of any stream may match a forbid_log regex."""
    hits = []
    lines = streams.lines()
    for pattern in forbidden:
        found = [(stream, line) for stream, line in lines if re.search(pattern, line)]
        if found:
            stream, line = found[0]
            reasons.append(f"forbid_log /{pattern}/ matched {len(found)} line(s), "
                           f"first in the {stream}: {line.strip()}")
            hits += [hit(s, l) for s, l in found]
    return hits
