#!/usr/bin/env python3
"""The unit tests beside the QEMU matrix: run them, as KTAP, for the harness.

    python3 tools/units.py [DIR]      # the harness's own tests, as KTAP

`make test` runs `harness.py --units`, which runs two unit-test programs
before the scenarios, each under UNIT_TIMEOUT, its output saved to
build/test-logs/<name>.log:

  hosttests          build/hosttests, the host unit tests (kernel/ktest.c
                     built for the host prints KTAP itself)
  harness-unittests  this file run as a program: Python's unittest
                     discovery over tools/test_*.py, printed as KTAP

harness.judge_unit() judges each like a scenario (exit status 0, complete
KTAP, no failure); its suites go into the JUnit file and its verdict into
the "N passed, N failed" count.

The KTAP printed here: one suite per test module, one case per test
("Class.method"); a failure's traceback as "# " diagnostics before its
result; a skip as "# SKIP reason"; an expected failure as "# TODO".
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
UNIT_TIMEOUT = 300.0   # seconds; the host tests under ASan take a few


def commands(build: Path) -> list[tuple[str, list[str]]]:
    """(name, argv) of each unit-test program, run from the repository root."""
    return [("hosttests", [str(build / "hosttests")]),
            ("harness-unittests", [sys.executable, str(TOOLS / "units.py")])]


def run(argv: list[str], log: Path, cwd: Path,
        timeout: float = UNIT_TIMEOUT) -> tuple[int | None, str, float]:
    """Run @argv with its stdout and stderr in @log; (status or None at the
    timeout, the output, seconds)."""
    start = time.monotonic()
    with open(log, "wb") as out:
        try:
            status = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            status = None
        except OSError as err:
            out.write(f"units: cannot run {argv[0]}: {err}\n".encode())
            status = 127
    return status, log.read_bytes().decode("utf-8", "replace"), time.monotonic() - start


# ---- unittest as KTAP ----

class _Collect(unittest.TestResult):
    """Keeps each test's outcome in order: (name, ok, directive, details)."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = True          # a test's prints stay out of the KTAP
        self.outcomes: list[tuple[str, bool, str, str]] = []

    def _add(self, test, ok: bool, directive: str = "", details: str = "") -> None:
        name = f"{type(test).__name__}.{getattr(test, '_testMethodName', str(test))}"
        self.outcomes.append((name, ok, directive, details))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._add(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._add(test, False, "", self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._add(test, False, "", self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._add(test, True, f"SKIP {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._add(test, True, "TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._add(test, False, "", "passed, but is marked expectedFailure")


def _modules(suite: unittest.TestSuite) -> dict[str, list[unittest.TestCase]]:
    """The tests of a discovered suite, grouped by module, in order."""
    found: dict[str, list[unittest.TestCase]] = {}
    for test in _flatten(suite):
        found.setdefault(type(test).__module__, []).append(test)
    return found


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


def ktap_block(name: str, tests: list[unittest.TestCase], number: int,
               out: io.TextIOBase) -> bool:
    """Run one module's tests and print its KTAP block; True if all passed."""
    result = _Collect()
    unittest.TestSuite(tests).run(result)   # class and module fixtures included
    pad = "    "
    out.write(f"{pad}KTAP version 1\n{pad}# Subtest: {name}\n{pad}1..{len(result.outcomes)}\n")
    out.write(f"{pad}# cases: {' '.join(n for n, *_ in result.outcomes)}\n")
    for index, (case, ok, directive, details) in enumerate(result.outcomes, 1):
        for line in details.rstrip().splitlines():
            out.write(f"{pad}# {line}\n")
        suffix = f" # {directive}" if directive else ""
        out.write(f"{pad}{'ok' if ok else 'not ok'} {index} {case}{suffix}\n")
    passed = all(ok for _, ok, _, _ in result.outcomes)
    out.write(f"{'ok' if passed else 'not ok'} {number} {name}\n")
    return passed


def ktap_main(start: Path = TOOLS, out: io.TextIOBase = sys.stdout) -> int:
    """Discover test_*.py under @start, run them, print KTAP; 0 iff all passed."""
    suite = unittest.defaultTestLoader.discover(str(start), pattern="test_*.py",
                                                top_level_dir=str(start))
    modules = _modules(suite)
    out.write(f"KTAP version 1\n1..{len(modules)}\n")
    passed = [ktap_block(name, tests, n, out)
              for n, (name, tests) in enumerate(modules.items(), 1)]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(ktap_main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else TOOLS))
