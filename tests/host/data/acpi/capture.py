#!/usr/bin/env python3
"""Capture the ACPI tables QEMU gives Busmaster, as binary files.

Boots build/kernel.elf (PVH) or the ESP (UEFI) in each machine below with
`acpi.dump ktest=boot` on the command line. The kernel hexdumps the RSDP,
the RSDT, the XSDT and every table it lists; this script turns the dump
back into bytes:

    tests/host/data/acpi/<machine>/RSDP.bin, RSDT.bin, APIC.bin, ...
    tests/host/data/acpi/<machine>/tables.txt   signature, address, length, file

The host tests (tests/host/test_acpi*.c) read these files; tables.txt lets
them rebuild the machine's memory to walk it from the RSDP. Any table can
be disassembled with ACPICA's `iasl -d FILE.bin` for comparison.

Usage, from the repository root after `make all`:

    python3 tests/host/data/acpi/capture.py            # every machine
    python3 tests/host/data/acpi/capture.py pvh uefi   # some
    python3 tests/host/data/acpi/capture.py --extract LOG DIR   # from a saved console log
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
sys.path.insert(0, str(ROOT / "tools"))

import qemu  # noqa: E402  (tools/qemu.py: the one place that knows QEMU command lines)

CMDLINE = "acpi.dump ktest=boot"
NVME = ["-drive", "driver=null-co,if=none,id=nvm0,size=64M"]

# name: (boot path, extra QEMU arguments, CPUs, what it shows)
MACHINES = {
    "pvh": ("pvh", [], 1, "SeaBIOS tables, ACPI 1.0 RSDP, no IOMMU"),
    "pvh-iommu": ("pvh", ["-device", "intel-iommu"], 1, "DMAR, 39-bit"),
    "pvh-iommu48-cm": ("pvh", ["-device", "intel-iommu,aw-bits=48,caching-mode=on"], 1,
                       "DMAR, 48-bit, caching mode"),
    "uefi": ("uefi", [], 1, "OVMF tables, ACPI 2.0 RSDP with XSDT"),
    "uefi-iommu": ("uefi", ["-device", "intel-iommu"], 1, "OVMF tables with DMAR"),
    "pvh-bridge": ("pvh", ["-device", "intel-iommu,device-iotlb=on",
                           "-device", "pcie-root-port,id=rp0,chassis=1,slot=1"] + NVME +
                   ["-device", "nvme,serial=bm0,drive=nvm0,bus=rp0"], 2,
                   "2 CPUs, NVMe behind a PCIe root port, DMAR with an ATSR"),
}

HEADER = re.compile(r"acpi: dump (\S+) at (0x[0-9a-f]+|0), (\d+) bytes:")
ROW = re.compile(r"acpi:   ([0-9a-f]{4,})  ((?:[0-9a-f]{2} ){1,16})")


def extract(console: str) -> list[tuple[str, int, bytes]]:
    """The tables in a console log: (signature, physical address, bytes)."""
    tables: list[tuple[str, int, bytes]] = []
    current: tuple[str, int, int] | None = None
    data = bytearray()
    for line in console.splitlines():
        m = HEADER.search(line)
        if m:
            current, data = (m.group(1), int(m.group(2), 16), int(m.group(3))), bytearray()
            tables.append((current[0], current[1], b""))
            continue
        m = ROW.search(line)
        if m and current:
            if int(m.group(1), 16) != len(data):
                raise ValueError(f"{current[0]}: row at {m.group(1)} after {len(data)} bytes")
            data += bytes.fromhex(m.group(2))
            if len(data) >= current[2]:
                tables[-1] = (current[0], current[1], bytes(data[:current[2]]))
                current = None
    if current or any(len(t[2]) == 0 for t in tables):
        raise ValueError("a table's dump is incomplete")
    return tables


def save(tables: list[tuple[str, int, bytes]], dest: Path, note: str) -> None:
    """Write one .bin per table and the index tables.txt."""
    dest.mkdir(parents=True, exist_ok=True)
    seen: dict[str, int] = {}
    lines = [f"# {note}", "# signature  physical address  length  file"]
    for sig, phys, data in tables:
        n = seen.get(sig, 0)
        seen[sig] = n + 1
        name = f"{sig}.bin" if n == 0 else f"{sig}-{n}.bin"
        (dest / name).write_bytes(data)
        lines.append(f"{sig} {phys:#018x} {len(data)} {name}")
    (dest / "tables.txt").write_text("\n".join(lines) + "\n")


def command(name: str) -> list[str]:
    boot, devices, cpus, _ = MACHINES[name]
    paths = qemu.Paths()
    cmd = qemu.base_args("512M", cpus)
    if boot == "pvh":
        cmd += qemu.pvh_args(paths.kernel, CMDLINE)
    else:
        cmd += qemu.uefi_args(qemu.prepare_esp(paths, paths.test_esp / f"acpi-{name}", CMDLINE))
    return cmd + devices


def capture(name: str) -> None:
    cmd = command(name)
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, errors="replace",
                         timeout=180)
    if run.returncode != qemu.EXIT_PASS:
        raise RuntimeError(f"{name}: QEMU ended with {run.returncode}: "
                           f"{qemu.describe_exit(run.returncode)}\n{run.stderr}")
    version = subprocess.run([cmd[0], "--version"], capture_output=True, text=True)
    note = (f"{name}: {MACHINES[name][3]}. {version.stdout.splitlines()[0]}; "
            f"captured by capture.py: {' '.join(cmd[1:])}")
    tables = extract(run.stdout)
    save(tables, HERE / name, note)
    print(f"{name}: {', '.join(t[0] for t in tables)}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--extract"] and len(argv) == 3:
        save(extract(Path(argv[1]).read_text(errors="replace")), Path(argv[2]),
             f"extracted from {argv[1]}")
        return 0
    for name in argv or MACHINES:
        if name not in MACHINES:
            print(f"capture.py: unknown machine {name}; known: {' '.join(MACHINES)}",
                  file=sys.stderr)
            return 2
        capture(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
