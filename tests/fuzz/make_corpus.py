#!/usr/bin/env python3
"""Build the fuzzers' seed corpus from the tables captured from QEMU.

    python3 tests/fuzz/make_corpus.py      (from the repository root)

writes tests/fuzz/corpus/<target>/<machine>: for the table parsers, one
control byte (all repairs on, see tests/fuzz/fuzz.h) then the table; for
the RSDP walk, the control byte then a small "physical memory" holding
the machine's RSDP at address 0 and its root tables and tables after it,
with every pointer rewritten and every checksum recomputed. Two synthetic
seeds add what QEMU never emits (RMRRs, multi-hop paths, x2APIC entries).
"""

from __future__ import annotations

import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "host" / "data" / "acpi"
CORPUS = ROOT / "tests" / "fuzz" / "corpus"

FIX_ALL = 0x07                      # signature, length, checksum
TARGETS = {"fadt": "FACP", "madt": "APIC", "mcfg": "MCFG", "hpet": "HPET", "dmar": "DMAR"}


def checksum(buf: bytearray, start: int, length: int, at: int) -> None:
    buf[at] = 0
    buf[at] = (-sum(buf[start:start + length])) & 0xff


def tables(machine: Path) -> dict[str, bytes]:
    found = {}
    for line in (machine / "tables.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            sig, _phys, _len, name = line.split()
            found.setdefault(sig, (machine / name).read_bytes())
    return found


def memory_image(t: dict[str, bytes]) -> bytes:
    """RSDP at 0, then RSDT, XSDT and the tables, 16-byte aligned."""
    leaves = [s for s in t if s not in ("RSDP", "RSDT", "XSDT")]
    layout, at = {}, 0x40
    for sig in ["RSDT", "XSDT"] + leaves:
        if sig in t:
            layout[sig] = at
            at = (at + len(t[sig]) + 15) & ~15
    mem = bytearray(at)
    for sig, off in layout.items():
        mem[off:off + len(t[sig])] = t[sig]
    for root, fmt in (("RSDT", "<I"), ("XSDT", "<Q")):
        if root in layout:
            off, size = layout[root], struct.calcsize(fmt)
            for i, sig in enumerate(leaves):
                struct.pack_into(fmt, mem, off + 36 + i * size, layout[sig])
            struct.pack_into("<I", mem, off + 4, 36 + len(leaves) * size)
            checksum(mem, off, 36 + len(leaves) * size, off + 9)
    rsdp = bytearray(t["RSDP"])
    mem[0:len(rsdp)] = rsdp
    struct.pack_into("<I", mem, 16, layout["RSDT"])
    checksum(mem, 0, 20, 8)
    if len(rsdp) >= 36:
        struct.pack_into("<Q", mem, 24, layout["XSDT"])
        checksum(mem, 0, len(rsdp), 32)
    return bytes(mem)


def table(sig: bytes, fixed: bytes, body: bytes) -> bytes:
    """A table with a header (Length and checksum right), @fixed then @body."""
    t = bytearray(sig + bytes(32) + fixed + body)
    struct.pack_into("<I", t, 4, len(t))
    t[8] = 1
    checksum(t, 0, len(t), 9)
    return bytes(t)


def scope(kind: int, ident: int, bus: int, *hops: tuple[int, int]) -> bytes:
    return bytes([kind, 6 + 2 * len(hops), 0, 0, ident, bus]) + b"".join(
        bytes(h) for h in hops)


def remap(kind: int, fixed: bytes, scopes: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, 4 + len(fixed) + len(scopes)) + fixed + scopes


def synthetic_dmar() -> bytes:
    """What QEMU never emits: INCLUDE_PCI_ALL, an RMRR, multi-hop paths,
    an ATSR with scopes, RHSA and ANDD, and a unit with 17 scopes."""
    body = remap(0, struct.pack("<BBHQ", 0, 0, 0, 0xfed90000),
                 scope(1, 0, 0, (2, 0)) + scope(2, 0, 0, (0x1c, 0), (0, 0), (3, 1)))
    body += remap(0, struct.pack("<BBHQ", 1, 0, 0, 0xfed91000),
                  scope(3, 2, 0xf0, (0x1f, 0)) + scope(4, 0, 0, (0x1f, 7)))
    body += remap(1, struct.pack("<HHQQ", 0, 0, 0x7c000000, 0x7c0fffff),
                  scope(1, 0, 0, (0x14, 0)) + scope(1, 0, 0, (0x1c, 0), (0, 0)))
    body += remap(2, struct.pack("<BBH", 0, 0, 0), scope(2, 0, 0, (0x1c, 4)))
    body += remap(3, struct.pack("<IQI", 0, 0xfed90000, 0))
    body += remap(4, bytes([0, 0, 0, 1]) + b"\\_SB.DEV\0")
    body += remap(0, struct.pack("<BBHQ", 0, 0, 1, 0xfed92000),
                  b"".join(scope(1, 0, 1, (i, 0)) for i in range(17)))
    return table(b"DMAR", bytes([45, 1]) + bytes(10), body)


def synthetic_madt() -> bytes:
    """x2APIC CPUs and NMIs and a local APIC address override."""
    body = bytes([0, 8, 3, 4, 2, 0, 0, 0])
    body += struct.pack("<BBHIII", 9, 16, 0, 0x100, 1, 7)
    body += struct.pack("<BBHIB3x", 10, 12, 5, 7, 0)
    body += struct.pack("<BBHQ", 5, 12, 0, 0x100100000)
    body += bytes([3, 8, 0, 0, 9, 0, 0, 0])
    return table(b"APIC", struct.pack("<II", 0xfee00000, 0), body)


def main() -> None:
    for machine in sorted(p for p in DATA.iterdir() if p.is_dir()):
        t = tables(machine)
        for target, sig in TARGETS.items():
            if sig in t:
                out = CORPUS / target / machine.name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(bytes([FIX_ALL]) + t[sig])
        out = CORPUS / "rsdp" / machine.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(bytes([FIX_ALL]) + memory_image(t))
    (CORPUS / "dmar" / "synthetic").write_bytes(bytes([FIX_ALL]) + synthetic_dmar())
    (CORPUS / "madt" / "synthetic").write_bytes(bytes([FIX_ALL]) + synthetic_madt())
    print(f"seeds in {CORPUS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
