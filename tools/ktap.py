"""A KTAP version 1 parser for serial-console logs.

KTAP ("Kernel TAP", Documentation/dev-tools/ktap.rst in Linux) is how the
kernel reports test results. A document looks like this:

    KTAP version 1
    1..2                          <- plan: two results follow at this level
        KTAP version 1            <- a nested block (one suite), indented
        # Subtest: console
        1..2
        # cases: a b              <- Busmaster's list of the suite's cases
        ok 1 a
        # b: EXPECTATION FAILED   <- diagnostics belong to the next result
        not ok 2 b
    not ok 1 console              <- the result line that closes the block
    ok 2 nvme # SKIP no NVMe      <- a suite skipped as a whole

Nesting is by indentation, to any depth. Lines that are not KTAP (kernel
log lines, firmware output, garbage) may appear anywhere and are ignored;
anything before the first "KTAP version" line is ignored too.

parse() returns a Report: a tree of TestNode objects (the root stands for
the whole document, its children are suites, theirs are cases) and a list of
Problems (missing plan, missing or extra results, results out of order, a
crash). Where results are missing, the tree holds placeholder nodes with
status MISSING, named from the suite's "# cases:" line when it has one, so
that the first of them names the case that hung or crashed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

# Status of a node.
PASS = "pass"
FAIL = "fail"
SKIP = "skip"
TODO = "todo"        # a known failure (# TODO / # XFAIL): not counted as failing
MISSING = "missing"  # planned, but no result line arrived
CRASH = "crash"      # the kernel died here ("# ktest: crashed in ...")

FAILING = (FAIL, MISSING, CRASH)

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_HEADER = re.compile(r"(K?TAP) version (\d+)\s*$")
_PLAN = re.compile(r"1\.\.(\d+)\s*(?:#\s*(.*))?$")
_RESULT = re.compile(
    r"(?P<ok>ok|not ok)\s+(?P<num>\d+)(?:\s+-)?(?:\s+(?P<desc>[^#]*?))?\s*"
    r"(?:#\s*(?P<comment>.*))?$")
_DIRECTIVE = re.compile(r"(SKIP|TODO|XFAIL|TIMEOUT|ERROR)\b\s*(.*)$", re.IGNORECASE)
_SUBTEST = re.compile(r"#\s*Subtest:\s*(.*?)\s*$")
_CASES = re.compile(r"#\s*cases:\s*(.*?)\s*$")
_CRASH = re.compile(r"#\s*ktest: crashed in\s+(\S+)")


@dataclass
class TestNode:
    """One test: the document root, a suite or a case."""

    name: str
    number: int | None = None       # the number on its result line
    status: str = MISSING
    directive: str = ""             # SKIP, TODO, ... as printed (upper case)
    reason: str = ""                # text after the directive
    diagnostics: list[str] = field(default_factory=list)  # "#" lines before the result
    children: list["TestNode"] = field(default_factory=list)
    plan: int | None = None         # N of "1..N" in its own block
    plan_directive: str = ""        # "SKIP reason" of a skip-all plan "1..0 # SKIP reason"
    cases: list[str] | None = None  # from the "# cases:" line
    line: int = 0                   # line number of its result line (1-based)
    parent: "TestNode | None" = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        """Dotted name from the top: "suite.case" (the root's path is "")."""
        names = []
        node: TestNode | None = self
        while node is not None and node.parent is not None:
            names.append(node.name)
            node = node.parent
        return ".".join(reversed(names))

    def walk(self) -> Iterator["TestNode"]:
        """This node and all below it, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, path: str) -> "TestNode | None":
        for node in self.walk():
            if node.parent is not None and node.path == path:
                return node
        return None


@dataclass
class Problem:
    """Something wrong with the document itself, beyond a failing test."""

    kind: str      # no-ktap, version, missing-plan, missing-result, extra-result,
                   # out-of-order, duplicate-plan, unexpected-header, mismatch,
                   # inconsistent, crash, cases-order
    message: str
    path: str = ""
    line: int = 0


@dataclass
class Report:
    """What parse() found."""

    root: TestNode | None           # None: no "KTAP version" line at all
    problems: list[Problem] = field(default_factory=list)
    crashed_in: str | None = None   # from "# ktest: crashed in X.Y"
    version: int | None = None

    @property
    def complete(self) -> bool:
        """A header, a plan, and every planned result (no problems at all)."""
        return self.root is not None and not self.problems


# ---- line cleaning and classification ----

def clean_line(raw: str) -> str:
    """Drop terminal escapes and control characters; keep what a terminal
    would show after a carriage return."""
    line = raw.rstrip("\r\n")
    line = line.rstrip("\r")
    if "\r" in line:
        line = line.rsplit("\r", 1)[1]
    line = _ANSI.sub("", line)
    return _CONTROL.sub("", line).rstrip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


@dataclass
class _Line:
    kind: str        # header, plan, result, subtest, cases, diag, other
    indent: int
    text: str        # the line without its indentation
    match: re.Match | None
    number: int      # line number in the input (1-based)


def _classify(line: str, number: int) -> _Line:
    text = line.lstrip(" \t")
    indent = _indent(line)
    for kind, pattern in (("header", _HEADER), ("plan", _PLAN), ("result", _RESULT),
                          ("subtest", _SUBTEST), ("cases", _CASES)):
        m = pattern.match(text)
        if m:
            return _Line(kind, indent, text, m, number)
    if text.startswith("#"):
        return _Line("diag", indent, text, None, number)
    return _Line("other", indent, text, None, number)


def _status_of(ok: bool, directive: str) -> str:
    if directive == "SKIP":
        return SKIP
    if directive in ("TODO", "XFAIL"):
        return TODO
    if directive in ("TIMEOUT", "ERROR"):
        return FAIL
    return PASS if ok else FAIL


# ---- the parser ----

@dataclass
class _Block:
    """A KTAP block being read: the node whose children it lists."""

    indent: int
    node: TestNode
    results: int = 0
    pending: list[str] = field(default_factory=list)  # diagnostics awaiting a result
    next_name: str = ""         # "# Subtest:" seen at this level for the next child
    closed_child: TestNode | None = None  # a nested block that ended, awaiting its result


class _Parser:
    def __init__(self) -> None:
        self.report = Report(root=None)
        self.stack: list[_Block] = []

    # -- problems --
    def problem(self, kind: str, message: str, node: TestNode | None = None,
                line: int = 0) -> None:
        path = node.path if node is not None else ""
        self.report.problems.append(Problem(kind, message, path, line))

    # -- feeding lines --
    def feed(self, raw: str, number: int) -> None:
        line = clean_line(raw)
        if self.report.root is None:
            self._look_for_header(line, number)
            return
        item = _classify(line, number)
        if item.kind == "other":
            return
        if item.kind == "diag":
            self._note_crash(item)
        self._place(item)

    def _look_for_header(self, line: str, number: int) -> None:
        # Firmware may leave garbage on the same line before the header.
        m = _HEADER.search(line)
        if not m:
            return
        version = int(m.group(2))
        root = TestNode(name="")
        self.report.root = root
        self.report.version = version
        self.stack = [_Block(indent=0, node=root)]
        if m.group(1) != "KTAP" or version != 1:
            self.problem("version", f"expected 'KTAP version 1', found {m.group(0)!r}",
                         line=number)

    def _note_crash(self, item: _Line) -> None:
        m = _CRASH.match(item.text)
        if m and self.report.crashed_in is None:
            self.report.crashed_in = m.group(1)

    def _place(self, item: _Line) -> None:
        """Find the block @item belongs to (by indentation), then handle it."""
        while len(self.stack) > 1 and item.indent < self.stack[-1].indent:
            self._close_block()
        block = self.stack[-1]
        if item.indent > block.indent:
            if item.kind == "diag":
                block.pending.append(item.text)
                return
            block = self._open_block(item.indent)
        handler = getattr(self, "_on_" + item.kind)
        handler(block, item)

    def _open_block(self, indent: int) -> _Block:
        parent = self.stack[-1]
        # A nested block that ended without its result line stays MISSING;
        # the parent's plan check reports it.
        parent.closed_child = None
        node = TestNode(name=parent.next_name, parent=parent.node)
        parent.next_name = ""
        parent.node.children.append(node)
        block = _Block(indent=indent, node=node)
        self.stack.append(block)
        return block

    def _close_block(self) -> None:
        block = self.stack.pop()
        self._finish_block(block)
        # The parent's next result line reports on this block.
        self.stack[-1].closed_child = block.node

    # -- line handlers: each gets the block the line belongs to --
    def _on_header(self, block: _Block, item: _Line) -> None:
        if block.node.plan is None and block.results == 0 and block is not self.stack[0]:
            return  # the header of a nested block: expected
        what = "a second KTAP document" if block is self.stack[0] else "a repeated header"
        self.problem("unexpected-header", f"line {item.number}: {what} (ignored)",
                     line=item.number)

    def _on_subtest(self, block: _Block, item: _Line) -> None:
        name = item.match.group(1)
        node = block.node
        if (block is not self.stack[0] and not node.name and node.plan is None
                and block.results == 0):
            node.name = name
        else:
            block.next_name = name

    def _on_cases(self, block: _Block, item: _Line) -> None:
        block.node.cases = item.match.group(1).split()
        if block.node.plan is None and block is not self.stack[0]:
            # In ktap.rst plan lines follow version lines; Linux's kunit.py
            # accepts only "# Subtest:" between them and loses a later plan.
            self.problem("cases-order", f"line {item.number}: '# cases:' before the "
                         f"plan in {_describe(block.node)}: it belongs after the "
                         "plan (1..N), where KTAP parsers look for a plan first",
                         block.node, item.number)

    def _on_plan(self, block: _Block, item: _Line) -> None:
        node = block.node
        if node.plan is not None:
            self.problem("duplicate-plan", f"line {item.number}: second plan in "
                         f"{_describe(node)} (ignored)", node, item.number)
            return
        node.plan = int(item.match.group(1))
        node.plan_directive = (item.match.group(2) or "").strip()

    def _on_diag(self, block: _Block, item: _Line) -> None:
        block.pending.append(item.text)

    def _on_result(self, block: _Block, item: _Line) -> None:
        m = item.match
        number = int(m.group("num"))
        name = (m.group("desc") or "").strip()
        directive, reason = _split_comment(m.group("comment"))
        expected = block.results + 1
        if number != expected:
            self.problem("out-of-order",
                         f"line {item.number}: result {number} ({name}) where "
                         f"{expected} was due in {_describe(block.node)}",
                         block.node, item.number)
        node = self._node_for_result(block, name)
        node.number = number
        node.status = _status_of(m.group("ok") == "ok", directive)
        node.directive = directive
        node.reason = reason
        node.diagnostics = block.pending
        node.line = item.number
        block.pending = []
        block.results += 1
        if block.node.plan is not None and block.results > block.node.plan:
            self.problem("extra-result", f"line {item.number}: result {number} ({name}) "
                         f"beyond the plan 1..{block.node.plan} of {_describe(block.node)}",
                         block.node, item.number)

    def _node_for_result(self, block: _Block, name: str) -> TestNode:
        """The node a result line reports on: a just-closed nested block, or new."""
        child = block.closed_child
        block.closed_child = None
        if child is None:
            child = TestNode(name=name, parent=block.node)
            block.node.children.append(child)
            return child
        if not child.name:
            child.name = name
        elif name and name != child.name:
            self.problem("mismatch", f"result '{name}' closes the block of "
                         f"'{child.name}'", child)
        return child

    # -- the end --
    def _finish_block(self, block: _Block) -> None:
        """Plan checks for a block that has ended (by dedent or end of input)."""
        node = block.node
        if node.plan is None:
            self.problem("missing-plan", f"no plan (1..N) in {_describe(node)}", node)
            if not node.children:
                return
        planned = node.plan if node.plan is not None else len(node.children)
        if node.plan == 0 and node.plan_directive.upper().startswith("SKIP"):
            node.directive = node.directive or "SKIP"
        self._add_placeholders(node, planned)
        missing = [c for c in node.children if c.status == MISSING]
        if missing:
            names = ", ".join(c.name for c in missing[:3])
            more = ", ..." if len(missing) > 3 else ""
            self.problem("missing-result",
                         f"{len(missing)} of {planned} results missing in "
                         f"{_describe(node)}: {names}{more}", missing[0])
            if block.pending and not missing[0].diagnostics:
                missing[0].diagnostics = block.pending
                block.pending = []

    def _add_placeholders(self, node: TestNode, planned: int) -> None:
        """Stand-in MISSING children up to the plan, named from '# cases:'."""
        cases = node.cases or []
        for index, child in enumerate(node.children):
            if not child.name:
                child.name = cases[index] if index < len(cases) else f"#{index + 1}"
        for index in range(len(node.children), planned):
            name = cases[index] if index < len(cases) else f"#{index + 1}"
            node.children.append(TestNode(name=name, parent=node))

    def finish(self) -> Report:
        report = self.report
        if report.root is None:
            report.problems.append(Problem("no-ktap", "no 'KTAP version 1' line found"))
            return report
        while len(self.stack) > 1:
            self._close_block()
        self._finish_block(self.stack[0])
        self._mark_crash()
        _settle_root(report.root)
        self._check_consistency(report.root)
        return report

    def _mark_crash(self) -> None:
        report = self.report
        if report.crashed_in is None:
            return
        report.problems.append(Problem("crash", f"kernel crashed in {report.crashed_in}",
                                       report.crashed_in))
        node = report.root.find(report.crashed_in)
        if node is not None and node.status == MISSING:
            node.status = CRASH

    def _check_consistency(self, root: TestNode) -> None:
        for node in root.walk():
            if node is root or node.status != PASS:
                continue
            bad = [c for c in node.children if c.status == FAIL]
            if bad:
                self.problem("inconsistent", f"{_describe(node)} reported ok but "
                             f"{bad[0].name} failed", node)


def _split_comment(comment: str | None) -> tuple[str, str]:
    """'SKIP no serial' -> ('SKIP', 'no serial'); other comments -> ('', text)."""
    if not comment:
        return "", ""
    m = _DIRECTIVE.match(comment.strip())
    if m:
        return m.group(1).upper(), m.group(2).strip()
    return "", comment.strip()


def _describe(node: TestNode) -> str:
    if node.parent is None:
        return "the top level"
    return f"'{node.path}'" if node.path else "an unnamed block"


def _settle_root(root: TestNode) -> None:
    """The root has no result line: derive its status from its children."""
    statuses = {child.status for child in root.children}
    if root.plan == 0 and root.plan_directive.upper().startswith("SKIP"):
        root.status = SKIP
        root.reason = root.plan_directive[4:].strip()
    elif statuses & set(FAILING):
        root.status = FAIL
    elif root.plan is None:
        root.status = MISSING
    else:
        root.status = PASS


# ---- public API ----

def parse_lines(lines: Iterable[str]) -> Report:
    """Parse KTAP from an iterable of lines (newlines optional)."""
    parser = _Parser()
    for number, line in enumerate(lines, start=1):
        parser.feed(line, number)
    return parser.finish()


def parse(text: str) -> Report:
    """Parse KTAP from a whole console log."""
    return parse_lines(text.splitlines())


def leaves(root: TestNode) -> list[TestNode]:
    """The cases: nodes without children (a suite skipped whole counts as one)."""
    return [node for node in root.walk() if node is not root and not node.children]


def failures(root: TestNode) -> list[TestNode]:
    """The nodes to blame for failures: failing leaves, and failing parents
    none of whose children failed (a suite-level failure)."""
    found = []
    for node in root.children:
        found += _failures_under(node)
    return found


def _failures_under(node: TestNode) -> list[TestNode]:
    if node.status not in FAILING and not any(c.status in FAILING for c in node.children):
        return []
    below = []
    for child in node.children:
        below += _failures_under(child)
    return below or [node]


def first_unreported(root: TestNode) -> TestNode | None:
    """The first test, in order, that never reported: where a run hung or died.

    Descends into the first suite without a result to name its first case
    without one; returns the suite itself if all its cases reported.
    """
    for child in root.children:
        if child.status in (MISSING, CRASH):
            return first_unreported(child) or child
    return None


def count(root: TestNode) -> dict[str, int]:
    """How many leaves have each status."""
    totals = {status: 0 for status in (PASS, FAIL, SKIP, TODO, MISSING, CRASH)}
    for node in leaves(root):
        totals[node.status] += 1
    return totals
