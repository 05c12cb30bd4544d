"""The scenario matrix: read tests/scenarios.ini into Scenario objects.

A scenario is one QEMU boot of the kernel with a given boot path, machine
size, devices and kernel command line, plus what the run is expected to do.
The file is an INI file (Python's configparser); every section is one
scenario, named by its section title. docs/testing.md describes the keys.

    [pvh-basic]
    boot = pvh
    groups = quick
    timeout = 60

This module only reads and checks the file; tools/qemu.py turns a scenario
into a command line and tools/harness.py runs and judges it.
"""

from __future__ import annotations

import configparser
import dataclasses
import fnmatch
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import disk as disk_image
import watch

REPO_ROOT = Path(__file__).resolve().parent.parent

# Values used when a scenario (and the file's [DEFAULT] section) leaves a
# key out.
DEFAULTS = {
    "boot": "pvh",
    "memory": "512M",
    "cpus": "1",
    "cmdline": "ktest=*",
    "devices": "",
    "timeout": "60",
    "groups": "",
    "expect": "pass",
    "expect_failures": "",
    "expect_crash": "",
    "expect_hang": "",
    "require": "",
    "expect_reason": "",
    "allow_log": "",
    "description": "",
    # branch harness-io: the live console (tools/watch.py)
    "cpu_idle": "",
    "cpu_idle_max": str(0.10),
    "serial_input": "",
    "kill_at": "",
    # disk images (tools/disk.py)
    "disk_size": "",
    "disk_format": "raw",
    "disk_block": "512",
    "disk_fill": "zero",
    "disk_reuse": "no",
    "disk_device": "nvme",
    "disk_expect": "",
    # two boots on one disk image
    "boots": "1",
    "cmdline2": "",
    "require2": "",
    # branch harness: what QEMU itself says (tools/logcheck.py)
    "trace": "",
    "require_log": "",
    "forbid_log": "",
}

BOOT_PATHS = ("pvh", "uefi")
EXPECTATIONS = ("pass", "fail")


class ScenarioError(Exception):
    """The scenario file is missing, malformed or asks for something odd."""


@dataclass
class Scenario:
    """One entry of the matrix, with every key already checked."""

    name: str
    boot: str = "pvh"
    memory: str = "512M"
    cpus: int = 1
    cmdline: str = "ktest=*"
    devices: list[str] = field(default_factory=list)
    timeout: float = 60.0
    groups: list[str] = field(default_factory=list)
    expect: str = "pass"
    expect_failures: list[str] = field(default_factory=list)
    expect_crash: str = ""
    expect_hang: str = ""
    require: list[str] = field(default_factory=list)   # case globs that must pass
    expect_reason: list[str] = field(default_factory=list)  # regexes over harness reasons
    allow_log: list[str] = field(default_factory=list)
    description: str = ""
    # branch harness-io: the live console (tools/watch.py)
    cpu_idle: list[str] = field(default_factory=list)  # tags of cpu-idle mark pairs
    cpu_idle_max: float = 0.10                          # CPU/wall, of one core
    serial_input: list[watch.Step] = field(default_factory=list)  # typed into COM1
    kill_at: str = ""                                   # regex: SIGKILL QEMU there
    disk: disk_image.DiskSpec | None = None             # the disk image, if any
    boots: int = 1                                      # 2: boot again on the same disk
    cmdline2: str = ""                                  # the second boot's (default: cmdline)
    require2: list[str] = field(default_factory=list)   # `require` of the second boot
    # branch harness: what QEMU itself says (tools/logcheck.py)
    trace: list[str] = field(default_factory=list)        # QEMU trace events to enable
    require_log: list[str] = field(default_factory=list)  # regexes some log line must match
    forbid_log: list[str] = field(default_factory=list)   # regexes no log line may match

    @property
    def expects_failure(self) -> bool:
        return self.expect == "fail"


def _split_words(value: str) -> list[str]:
    """Split a list value written with spaces, commas or newlines."""
    return [word for word in re.split(r"[\s,]+", value) if word]


def _split_lines(value: str) -> list[str]:
    """Split a multi-line value into its non-empty lines (for regexes)."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def _parse_number(name: str, key: str, value: str, kind: type) -> float | int:
    try:
        number = kind(value)
    except ValueError:
        raise ScenarioError(f"[{name}] {key} = {value!r} is not a number") from None
    if number <= 0:
        raise ScenarioError(f"[{name}] {key} must be positive, not {value!r}")
    return number


def _check_memory(name: str, value: str) -> str:
    if not re.fullmatch(r"\d+[KMGT]?", value, re.IGNORECASE):
        raise ScenarioError(f"[{name}] memory = {value!r}: use a size such as 512M or 6G")
    return value


def _check_regexes(name: str, patterns: list[str], key: str = "allow_log") -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ScenarioError(f"[{name}] {key} regex {pattern!r}: {err}") from None
    return patterns


def _check_expectations(scenario: Scenario) -> None:
    """An expected-failure scenario must say exactly what fails, and only it."""
    declared = bool(scenario.expect_failures or scenario.expect_crash or scenario.expect_hang
                    or scenario.expect_reason)
    if scenario.expect == "fail" and not declared:
        raise ScenarioError(
            f"[{scenario.name}] expect = fail needs expect_failures, expect_crash, "
            "expect_hang or expect_reason")
    if scenario.expect == "pass" and declared:
        raise ScenarioError(
            f"[{scenario.name}] expect_failures/expect_crash/expect_hang/expect_reason "
            "need expect = fail")
    if scenario.expect_crash and scenario.expect_hang:
        raise ScenarioError(
            f"[{scenario.name}] a run cannot both crash and hang: pick one")
    for case in scenario.expect_failures + [scenario.expect_crash, scenario.expect_hang]:
        if case and "." not in case:
            raise ScenarioError(
                f"[{scenario.name}] {case!r}: name cases as suite.case")


def _build(name: str, section: configparser.SectionProxy) -> Scenario:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        # The name becomes a file and directory name, and part of a QEMU option.
        raise ScenarioError(f"[{name}] scenario names use letters, digits, '.', '_', '-'")
    unknown = sorted(set(section.keys()) - set(DEFAULTS))
    if unknown:
        raise ScenarioError(f"[{name}] unknown key(s): {', '.join(unknown)}")
    get = section.get
    boot = get("boot").strip()
    if boot not in BOOT_PATHS:
        raise ScenarioError(f"[{name}] boot = {boot!r}: use one of {', '.join(BOOT_PATHS)}")
    expect = get("expect").strip()
    if expect not in EXPECTATIONS:
        raise ScenarioError(
            f"[{name}] expect = {expect!r}: use one of {', '.join(EXPECTATIONS)}")
    try:
        devices = shlex.split(get("devices"))
    except ValueError as err:
        raise ScenarioError(f"[{name}] devices: {err}") from None
    scenario = Scenario(
        name=name,
        boot=boot,
        memory=_check_memory(name, get("memory").strip()),
        cpus=int(_parse_number(name, "cpus", get("cpus").strip(), int)),
        cmdline=get("cmdline").strip(),
        devices=devices,
        timeout=float(_parse_number(name, "timeout", get("timeout").strip(), float)),
        groups=_split_words(get("groups")),
        expect=expect,
        expect_failures=_split_words(get("expect_failures")),
        expect_crash=get("expect_crash").strip(),
        expect_hang=get("expect_hang").strip(),
        require=_split_words(get("require")),
        expect_reason=_check_regexes(name, _split_lines(get("expect_reason")),
                                     "expect_reason"),
        allow_log=_check_regexes(name, _split_lines(get("allow_log"))),
        description=" ".join(get("description").split()),
        **_io_keys(name, get),
        **_log_keys(name, get),
    )
    _check_expectations(scenario)
    return scenario


def _serial_script(name: str, value: str) -> list[watch.Step]:
    """serial_input: steps written in the value, or `file PATH` (from the
    repository root) holding them."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("file "):
        path = REPO_ROOT / value[5:].strip()
        try:
            value = path.read_text()
        except OSError as err:
            raise ScenarioError(f"[{name}] serial_input: cannot read {path}: "
                                f"{err.strerror}") from None
    try:
        return watch.parse_script(value)
    except watch.ScriptError as err:
        raise ScenarioError(f"[{name}] serial_input: {err}") from None


def _disk_spec(name: str, get) -> disk_image.DiskSpec | None:
    """The disk_* keys; None without disk_size (other disk keys then are
    mistakes, not defaults)."""
    size = get("disk_size").strip()
    if not size:
        for key in ("disk_expect",):
            if get(key).strip():
                raise ScenarioError(f"[{name}] {key} needs disk_size")
        return None
    reuse = get("disk_reuse").strip()
    if reuse not in ("yes", "no"):
        raise ScenarioError(f"[{name}] disk_reuse = {reuse!r}: use yes or no")
    try:
        fill, seed = disk_image.parse_fill(get("disk_fill").strip())
        spec = disk_image.DiskSpec(
            size=disk_image.parse_size(size),
            format=get("disk_format").strip(),
            block=int(_parse_number(name, "disk_block", get("disk_block").strip(), int)),
            fill=fill, seed=seed, reuse=reuse == "yes",
            device=get("disk_device").strip(),
            expect=tuple(disk_image.parse_check(line)
                         for line in _split_lines(get("disk_expect"))))
        return disk_image.check_spec(spec)
    except disk_image.DiskError as err:
        raise ScenarioError(f"[{name}] {err}") from None


def _io_keys(name: str, get) -> dict:
    """The keys of the live console and disk images (branch harness-io)."""
    kill_at = get("kill_at").strip()
    return {
        "cpu_idle": _split_words(get("cpu_idle")),
        "cpu_idle_max": float(_parse_number(name, "cpu_idle_max",
                                            get("cpu_idle_max").strip(), float)),
        "serial_input": _serial_script(name, get("serial_input")),
        "kill_at": _check_regexes(name, [kill_at], "kill_at")[0] if kill_at else "",
        "disk": _disk_spec(name, get),
        **_boot_keys(name, get),
    }


def _boot_keys(name: str, get) -> dict:
    boots = get("boots").strip()
    if boots not in ("1", "2"):
        raise ScenarioError(f"[{name}] boots = {boots!r}: use 1 or 2")
    keys = {"boots": int(boots), "cmdline2": get("cmdline2").strip(),
            "require2": _split_words(get("require2"))}
    if boots == "1" and (keys["cmdline2"] or keys["require2"]):
        raise ScenarioError(f"[{name}] cmdline2 and require2 need boots = 2")
    return keys


def second_boot(s: Scenario) -> Scenario:
    """How the second boot of a `boots = 2` scenario is run and judged: with
    cmdline2 and require2, as an ordinary run that must pass. The expect_*
    keys, kill_at, serial_input and cpu_idle describe the first boot; the
    disk image is the same file, not made again."""
    return dataclasses.replace(
        s, cmdline=s.cmdline2 or s.cmdline, require=s.require2, boots=1, cmdline2="",
        require2=[], expect="pass", expect_failures=[], expect_crash="", expect_hang="",
        expect_reason=[], kill_at="", serial_input=[], cpu_idle=[])


def _log_keys(name: str, get) -> dict:
    """The keys over QEMU's own output: trace events, required and forbidden lines."""
    events = _split_words(get("trace"))
    for event in events:
        # The name goes into "-trace enable=NAME": no commas, no options.
        if not re.fullmatch(r"[A-Za-z0-9_*?]+", event):
            raise ScenarioError(f"[{name}] trace event {event!r}: use a QEMU event "
                                "name or glob (letters, digits, '_', '*', '?')")
    return {
        "trace": events,
        "require_log": _check_regexes(name, _split_lines(get("require_log")), "require_log"),
        "forbid_log": _check_regexes(name, _split_lines(get("forbid_log")), "forbid_log"),
    }


def parse(text: str, source: str = "<scenarios>") -> list[Scenario]:
    """Parse scenario-file text; raise ScenarioError on any problem."""
    parser = configparser.ConfigParser(defaults=DEFAULTS, interpolation=None)
    try:
        parser.read_string(text, source=source)
    except configparser.Error as err:
        raise ScenarioError(f"{source}: {err}") from None
    return [_build(name, parser[name]) for name in parser.sections()]


def load(path: str | Path) -> list[Scenario]:
    """Read and check a scenario file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ScenarioError(f"cannot read {path}: {err.strerror}") from None
    return parse(text, source=str(path))


def select(scenarios: list[Scenario], patterns: list[str] | None = None,
           group: str | None = None) -> list[Scenario]:
    """Pick scenarios by name globs and/or group, keeping file order.

    A pattern that matches nothing is an error: a typo should not turn into
    a run of zero scenarios that "passes".
    """
    chosen = scenarios
    if group:
        chosen = [s for s in chosen if group in s.groups]
        if not chosen:
            raise ScenarioError(f"no scenario is in group {group!r}")
    if patterns:
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(s.name, pattern) for s in chosen):
                raise ScenarioError(f"no scenario matches {pattern!r}")
        chosen = [s for s in chosen
                  if any(fnmatch.fnmatchcase(s.name, p) for p in patterns)]
    return chosen


def find(scenarios: list[Scenario], name: str) -> Scenario:
    """The scenario called exactly @name."""
    for scenario in scenarios:
        if scenario.name == name:
            return scenario
    raise ScenarioError(f"no scenario named {name!r}")
