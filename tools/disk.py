"""Disk images for scenarios: made on the host before a run, checked after.

A scenario with `disk_size` gets one image, build/test-disks/<scenario>.img
(raw) or .qcow2, attached as QEMU drive `disk0` (tools/qemu.py disk_args:
an NVMe controller by default). The image is created fresh for every run,
zeroed or filled with the pattern below, unless `disk_reuse = yes` keeps
the one the previous run left; `boots = 2` runs both boots on one image.
After the run `disk_expect` checks it on the host.

The pattern (also what a guest test computes to check a read): logical
block LBA of size B under seed S holds
    bytes 0-7    LBA, little-endian
    bytes 8-15   S, little-endian
    byte k >= 16 (LBA + S + k) mod 256
so every block differs from its neighbours and from other seeds, and a
block read from the wrong LBA names the LBA it came from.

disk_expect lines (each checked; all problems reported):
    pattern [SEED] [FIRST-LAST]    blocks hold the pattern of SEED
    zero [FIRST-LAST]              blocks are all zero
    hook PATH:FUNCTION             FUNCTION(raw_image_path, block_size)
                                   from the Python file PATH returns a
                                   list of problems (empty: good)
The range is in logical blocks, inclusive; without it, the whole image.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("raw", "qcow2")
DEVICES = ("nvme", "none")
DEFAULT_SEED = 1
DRIVE_ID = "disk0"
PROBLEMS_SHOWN = 3


class DiskError(ValueError):
    """A disk key that cannot be understood."""


@dataclass(frozen=True)
class Check:
    kind: str                  # "pattern", "zero" or "hook"
    seed: int = 0
    first: int = 0
    last: int | None = None    # None: to the end of the image
    hook: str = ""             # PATH:FUNCTION


@dataclass(frozen=True)
class DiskSpec:
    """What a scenario asks of its disk."""

    size: int                      # bytes, a multiple of block
    format: str = "raw"
    block: int = 512               # logical (and physical) block size
    fill: str = "zero"             # "zero" or "pattern"
    seed: int = DEFAULT_SEED
    reuse: bool = False
    device: str = "nvme"           # "none": the scenario's devices attach disk0
    expect: tuple[Check, ...] = ()


# ---- parsing the keys ----

def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([KMG]?)", text.strip(), re.IGNORECASE)
    if not m:
        raise DiskError(f"disk_size = {text!r}: use a size such as 16M")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def _parse_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)-(\d+)", text)
    if not m or int(m.group(1)) > int(m.group(2)):
        raise DiskError(f"{text!r}: a block range is FIRST-LAST, FIRST <= LAST")
    return int(m.group(1)), int(m.group(2))


def parse_check(line: str) -> Check:
    """One disk_expect line (see the module comment)."""
    kind, *args = line.split()
    if kind == "hook":
        if len(args) != 1 or ":" not in args[0]:
            raise DiskError(f"{line!r}: write hook PATH:FUNCTION")
        return Check("hook", hook=args[0])
    if kind not in ("pattern", "zero"):
        raise DiskError(f"{line!r}: checks are pattern, zero or hook")
    seed, first, last = DEFAULT_SEED if kind == "pattern" else 0, 0, None
    for arg in args:
        if "-" in arg:
            first, last = _parse_range(arg)
        elif kind == "pattern" and re.fullmatch(r"(0x[0-9a-fA-F]+|\d+)", arg):
            seed = int(arg, 0)
        else:
            raise DiskError(f"{line!r}: unexpected {arg!r}")
    return Check(kind, seed, first, last)


def parse_fill(text: str) -> tuple[str, int]:
    """disk_fill: `zero` or `pattern [SEED]`."""
    words = text.split()
    if words == ["zero"]:
        return "zero", 0
    if words and words[0] == "pattern" and len(words) <= 2:
        try:
            return "pattern", int(words[1], 0) if len(words) == 2 else DEFAULT_SEED
        except ValueError:
            pass
    raise DiskError(f"disk_fill = {text!r}: use zero or pattern [SEED]")


def check_spec(spec: DiskSpec) -> DiskSpec:
    if spec.format not in FORMATS:
        raise DiskError(f"disk_format = {spec.format!r}: use raw or qcow2")
    if spec.device not in DEVICES:
        raise DiskError(f"disk_device = {spec.device!r}: use nvme or none")
    if spec.block < 512 or spec.block > 65536 or spec.block & (spec.block - 1):
        raise DiskError(f"disk_block = {spec.block}: a power of two from 512 to 65536")
    if spec.size <= 0 or spec.size % spec.block:
        raise DiskError(f"disk_size = {spec.size}: a positive multiple of disk_block")
    blocks = spec.size // spec.block
    for check in spec.expect:
        if check.last is not None and check.last >= blocks:
            raise DiskError(f"disk_expect range {check.first}-{check.last}: the disk has "
                            f"{blocks} blocks")
    return spec


# ---- the pattern ----

def _bodies(block: int) -> list[bytes]:
    """The 256 possible block tails: tail v holds (v + k) mod 256 at k >= 16."""
    base = bytes((k & 0xff) for k in range(16, 16 + block - 16 + 256))
    return [base[v:v + block - 16] for v in range(256)]


def pattern_block(lba: int, seed: int, block: int, bodies: list[bytes] | None = None) -> bytes:
    """Logical block @lba of the pattern with @seed (module comment)."""
    bodies = bodies or _bodies(block)
    return struct.pack("<QQ", lba, seed & (2**64 - 1)) + bodies[(lba + seed) & 0xff]


def write_pattern(path: Path, size: int, block: int, seed: int) -> None:
    bodies = _bodies(block)
    with open(path, "wb") as f:
        for lba in range(size // block):
            f.write(pattern_block(lba, seed, block, bodies))


def describe_block(data: bytes, block: int) -> str:
    """What a block that failed a check holds, in words."""
    if not data.strip(b"\0"):
        return "zeroes"
    lba, seed = struct.unpack_from("<QQ", data)
    if len(data) == block and data == pattern_block(lba, seed, block):
        return f"the pattern of LBA {lba} seed {seed}"
    return "other data"


def check_blocks(path: Path, block: int, check: Check) -> list[str]:
    """Problems of a pattern or zero check over the raw image @path."""
    bodies = _bodies(block)
    zero = bytes(block)
    bad: list[int] = []
    first_seen = ""
    with open(path, "rb") as f:
        f.seek(check.first * block)
        lba = check.first
        while check.last is None or lba <= check.last:
            data = f.read(block)
            if len(data) < block:
                break
            want = pattern_block(lba, check.seed, block, bodies) if check.kind == "pattern" \
                else zero
            if data != want:
                if not bad:
                    first_seen = describe_block(data, block)
                bad.append(lba)
            lba += 1
    if not bad:
        return []
    what = f"pattern seed {check.seed}" if check.kind == "pattern" else "zeroes"
    span = f"blocks {check.first}-{lba - 1}"
    shown = ", ".join(str(b) for b in bad[:PROBLEMS_SHOWN]) + (", ..." if len(bad) >
                                                               PROBLEMS_SHOWN else "")
    return [f"disk: {len(bad)} of {lba - check.first} {span} do not hold {what} "
            f"(LBA {shown}); LBA {bad[0]} holds {first_seen}"]


def run_hook(path: Path, block: int, hook: str, root: Path) -> list[str]:
    file, _, func = hook.rpartition(":")
    spec = importlib.util.spec_from_file_location("disk_hook", root / file)
    if spec is None or spec.loader is None:
        return [f"disk: hook {hook}: cannot load {file}"]
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        problems = getattr(module, func)(path, block)
    except Exception as err:  # the hook's bug is the scenario's failure
        return [f"disk: hook {hook} raised {type(err).__name__}: {err}"]
    return [f"disk: {p}" for p in problems]


# ---- images on disk ----

def image_path(build: Path, name: str, spec: DiskSpec) -> Path:
    return build / "test-disks" / f"{name}.{'img' if spec.format == 'raw' else 'qcow2'}"


def _qemu_img(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["qemu-img", *args], capture_output=True, text=True)


def create(image: Path, spec: DiskSpec) -> str:
    """Make @image as @spec asks, or keep it (disk_reuse); say which."""
    if spec.reuse and image.exists():
        return f"disk: reused {image.name} from the previous run"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.unlink(missing_ok=True)
    if spec.format == "raw":
        if spec.fill == "pattern":
            write_pattern(image, spec.size, spec.block, spec.seed)
        else:
            with open(image, "wb") as f:
                f.truncate(spec.size)
    elif spec.fill == "pattern":
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "fill.img"
            write_pattern(raw, spec.size, spec.block, spec.seed)
            _must(_qemu_img("convert", "-f", "raw", "-O", "qcow2", str(raw), str(image)))
    else:
        _must(_qemu_img("create", "-f", "qcow2", str(image), str(spec.size)))
    fill = f"pattern seed {spec.seed}" if spec.fill == "pattern" else "zeroes"
    return f"disk: new {spec.format} image {image.name}, {spec.size >> 10} KiB of {fill}"


def _must(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        raise OSError(f"qemu-img: {result.stderr.strip() or result.returncode}")


def check(image: Path, spec: DiskSpec, root: Path) -> list[str]:
    """Run the disk_expect checks on @image; return the problems."""
    problems: list[str] = []
    if not image.exists():
        return [f"disk: {image} is gone"]
    with tempfile.TemporaryDirectory() as tmp:
        raw = image
        if spec.format == "qcow2":
            problems += _qcow2_consistency(image)
            raw = Path(tmp) / "check.img"
            result = _qemu_img("convert", "-f", "qcow2", "-O", "raw", str(image), str(raw))
            if result.returncode != 0:
                return problems + [f"disk: qemu-img convert failed: {result.stderr.strip()}"]
        for c in spec.expect:
            if c.kind == "hook":
                problems += run_hook(raw, spec.block, c.hook, root)
            else:
                problems += check_blocks(raw, spec.block, c)
    return problems


def _qcow2_consistency(image: Path) -> list[str]:
    """qemu-img check: corruption fails (leaked clusters after a kill do not)."""
    result = _qemu_img("check", str(image))
    if result.returncode in (0, 3):     # 3: leaks only
        return []
    return [f"disk: qemu-img check {image.name}: "
            f"{(result.stdout + result.stderr).strip().splitlines()[-1:]}"]


def have_qemu_img() -> bool:
    return shutil.which("qemu-img") is not None
