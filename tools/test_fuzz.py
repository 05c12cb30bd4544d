"""Tests of `make fuzz`'s scripts: tools/fuzz.sh's summary, tools/deps.sh fuzz.

Fake fuzzers (small shell scripts) stand in for libFuzzer targets, so no
clang run is needed. Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What libFuzzer's -print_final_stats=1 ends with; a crash leaves a file
# under -artifact_prefix and exits with 1.
FAKE = """#!/bin/sh
for arg; do case $arg in -artifact_prefix=*) prefix=${arg#-artifact_prefix=};; esac; done
echo "#2 INITED cov: 10 ft: 10 corp: 1/1b exec/s: 0 rss: 30Mb" >&2
echo "stat::number_of_executed_units: %d" >&2
echo "stat::peak_rss_mb: 30" >&2
%s
"""


def fake_fuzzer(build: Path, name: str, execs: int, crash: bool = False) -> None:
    path = build / "fuzz" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tail = 'echo x > "${prefix}crash-0001"; exit 1' if crash else "exit 0"
    path.write_text(FAKE % (execs, tail))
    path.chmod(0o755)


def fuzz(build: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "tools" / "fuzz.sh"), str(build), "1", *targets],
                          cwd=ROOT, capture_output=True, text=True)


class Summary(unittest.TestCase):
    def test_the_last_line_sums_fuzzers_inputs_and_crashes(self):
        with tempfile.TemporaryDirectory() as tmp:
            build = Path(tmp)
            fake_fuzzer(build, "a", 1000)
            fake_fuzzer(build, "b", 234)
            done = fuzz(build, "a", "b")
            self.assertEqual(done.returncode, 0, done.stdout)
            self.assertEqual(done.stdout.splitlines()[-1],
                             "fuzz: 2 fuzzers run, 1234 inputs tried, 0 crashes found")
            self.assertIn("stat::number_of_executed_units: 234", (build / "fuzz" / "b.log").read_text())

    def test_a_crash_is_counted_and_the_others_still_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            build = Path(tmp)
            fake_fuzzer(build, "a", 10, crash=True)
            fake_fuzzer(build, "b", 5)
            done = fuzz(build, "a", "b")
            self.assertEqual(done.returncode, 1)
            lines = done.stdout.splitlines()
            self.assertEqual(lines[-1], "fuzz: 2 fuzzers run, 15 inputs tried, 1 crashes found")
            self.assertIn("fuzz: FAIL a (status 1, 1 new file(s) in", lines[-2])

    def test_old_crashes_are_not_counted_again(self):
        with tempfile.TemporaryDirectory() as tmp:
            build = Path(tmp)
            old = build / "fuzz" / "crashes" / "a"
            old.mkdir(parents=True)
            (old / "crash-old").write_text("x")
            fake_fuzzer(build, "a", 7)
            done = fuzz(build, "a")
            self.assertEqual(done.returncode, 0, done.stdout)
            self.assertTrue(done.stdout.endswith("1 fuzzers run, 7 inputs tried, 0 crashes found\n"))


class Deps(unittest.TestCase):
    def deps(self, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "tools" / "deps.sh"), "fuzz"], cwd=ROOT,
                              capture_output=True, text=True,
                              env={**os.environ, "DEPS_NO_INSTALL": "1", **env})

    def test_a_missing_clang_is_named_with_its_packages(self):
        done = self.deps(FUZZ_CC="no-such-clang-here")
        self.assertEqual(done.returncode, 1)
        self.assertIn("deps: missing: clang libclang-rt-dev", done.stderr)

    @unittest.skipUnless(subprocess.run(["sh", "-c", "command -v clang"],
                                        capture_output=True).returncode == 0, "no clang here")
    def test_a_working_clang_passes(self):
        done = self.deps()
        self.assertEqual((done.returncode, done.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
