#!/usr/bin/env python3
"""Build QEMU command lines for Busmaster: the one place that knows them.

Everything that starts QEMU (the Makefile's run/debug targets and the test
harness) goes through this module, so a change of machine, firmware or
device setup happens here once.

Command-line use (from the repository root):

    python3 tools/qemu.py run     [--cmdline S] [--memory M] [--cpus N] [-- QEMU ARGS]
    python3 tools/qemu.py run-pvh [--cmdline S] [--memory M] [--cpus N] [-- QEMU ARGS]
    python3 tools/qemu.py debug   [--cmdline S] [--memory M] [--cpus N] [-- QEMU ARGS]
    python3 tools/qemu.py cmd     [--scenarios FILE] [--prepare] SCENARIO

`run` boots through OVMF (UEFI), `run-pvh` boots build/kernel.elf directly,
`debug` is run-pvh stopped at the first instruction and waiting for gdb.
All three attach an NVMe disk (build/nvme.img), an Intel IOMMU and the edu
device, and put the serial console and QEMU's monitor on the terminal
(Ctrl-A x quits, Ctrl-A c switches to the monitor). `cmd` prints the
command the harness uses for one scenario of tests/scenarios.ini.

Environment: QEMU (the binary, default qemu-system-x86_64) and OVMF_CODE
(the firmware, default /usr/share/OVMF/OVMF_CODE.fd).

The isa-debug-exit device turns a guest write of v to port 0xf4 into QEMU's
exit status (v << 1) | 1; EXIT_STATUS below is the kernel's table.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import disk
import scenarios as scenario_file

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_QEMU = "qemu-system-x86_64"
DEFAULT_OVMF = "/usr/share/OVMF/OVMF_CODE.fd"

# QEMU exit statuses produced by the kernel through isa-debug-exit.
EXIT_POWEROFF = 1   # v=0x00: normal power-off, no tests requested
EXIT_PASS = 33      # v=0x10: ktest run finished, nothing failed
EXIT_FAIL = 35      # v=0x11: ktest run finished, some case failed
EXIT_CRASH = 37     # v=0x12: kernel panic or unexpected CPU exception
EXIT_NO_TESTS = 39  # v=0x13: ktest= matched no suite or case (the suites are listed)

EXIT_STATUS = {
    EXIT_POWEROFF: "kernel powered off (no tests requested)",
    EXIT_PASS: "ktest run finished, nothing failed",
    EXIT_FAIL: "ktest run finished, some case failed",
    EXIT_CRASH: "kernel panic or unexpected CPU exception",
    EXIT_NO_TESTS: "ktest= matched no suite or case (the kernel listed the suites)",
}

# Trace events that reveal driver bugs; see docs/testing.md.
CHECK_TRACES = ("pci_nvme_ub_*", "pci_nvme_err_*", "vtd_dmar_fault")
# Fired as QEMU builds the machine (each fw_cfg file: ACPI tables, e820,
# boot order), before any guest code and whatever the CPU model or firmware
# (cpu_set_apic_base never fires on a CPU without an APIC): enabled in every
# run, and the harness fails a run whose log lacks it, so a QEMU without
# trace output cannot blind the checks.
TRACE_SENTINEL = "fw_cfg_add_file"

# The ESP is a host directory that QEMU presents as a FAT disk (vvfat).
# Read-only vvfat needs a device that accepts a read-only drive: the disk on
# q35's built-in AHCI controller (ide-hd) refuses one ("Block node is
# read-only"), virtio-blk takes it. Read-only keeps the guest from ever
# writing into the build tree (the ESP holds hard links to build outputs)
# and avoids vvfat's experimental write support; boot time is the same
# (measured: ~2.3 s either way). The price is one more PCI device, a
# virtio-blk (1af4:1001), seen by the kernel in UEFI boots only. Set
# ESP_READONLY = False for `fat:rw:` on the AHCI disk instead (no extra
# device; then prepare_esp copies files rather than linking them).
ESP_READONLY = True

NVME_IMAGE_SIZE = 64 * 1024 * 1024


def describe_exit(status: int | None) -> str:
    """Say in words what a QEMU exit status means."""
    if status is None:
        return "timed out"
    if status in EXIT_STATUS:
        return EXIT_STATUS[status]
    if status < 0:
        return f"QEMU killed by signal {-status}"
    if status % 2 == 0:
        return f"QEMU itself failed or was stopped (status {status})"
    return f"unknown isa-debug-exit value {status >> 1:#x} (status {status})"


@dataclass(frozen=True)
class Paths:
    """Where build outputs and test artefacts live, relative to the repo root."""

    root: Path = REPO_ROOT

    @property
    def build(self) -> Path:
        return Path("build")

    @property
    def kernel(self) -> Path:
        return self.build / "kernel.elf"

    @property
    def esp(self) -> Path:
        return self.build / "esp"

    @property
    def esp_files(self) -> list[Path]:
        boot = self.esp / "EFI" / "BOOT"
        return [boot / "BOOTX64.EFI", boot / "kernel.elf"]

    @property
    def test_esp(self) -> Path:
        return self.build / "test-esp"

    @property
    def logs(self) -> Path:
        return self.build / "test-logs"

    def disk_image(self, scenario: scenario_file.Scenario) -> Path:
        """The scenario's disk image (disk_size), relative to the repo."""
        return disk.image_path(self.build, scenario.name, scenario.disk)

    @property
    def nvme_image(self) -> Path:
        return self.build / "nvme.img"

    def abs(self, path: Path) -> Path:
        """A path made absolute against the repository root."""
        return path if path.is_absolute() else self.root / path


def qemu_binary() -> str:
    return os.environ.get("QEMU", DEFAULT_QEMU)


def ovmf_code() -> str:
    return os.environ.get("OVMF_CODE", DEFAULT_OVMF)


# ---- pieces of a command line ----

def base_args(memory: str = "512M", cpus: int = 1, serial: str = "stdio") -> list[str]:
    """The machine every boot uses: q35 under TCG, nothing we did not ask for."""
    return [
        qemu_binary(),
        "-M", "q35", "-accel", "tcg", "-cpu", "max",
        "-m", memory, "-smp", str(cpus),
        "-nodefaults", "-no-reboot", "-display", "none",
        "-serial", serial,
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    ]


def trace_events(extra: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every trace event (name or glob) a run enables: ours, then @extra."""
    return CHECK_TRACES + (TRACE_SENTINEL,) + tuple(extra)


def check_args(qemu_log: Path, extra_traces: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Make QEMU log guest errors and trace events to @qemu_log.

    With the 'log' trace backend (Debian's build) the trace lines land in
    the -D file next to the guest_errors lines.
    """
    args = ["-d", "guest_errors", "-D", str(qemu_log)]
    for event in trace_events(extra_traces):
        args += ["-trace", f"enable={event}"]
    return args


def pvh_args(kernel: Path, cmdline: str) -> list[str]:
    """Direct boot of the ELF through its Xen PVH note."""
    return ["-kernel", str(kernel), "-append", cmdline]


def uefi_args(esp_dir: Path) -> list[str]:
    """Boot through OVMF from a host directory presented as a FAT disk.

    bootindex=0 makes the ESP the first boot option even when NVMe disks
    (which OVMF can also boot from) are attached.
    """
    if ESP_READONLY:
        drive = f"if=none,id=esp,format=raw,readonly=on,file=fat:{esp_dir}"
        device = "virtio-blk-pci,drive=esp,bootindex=0"
    else:
        drive = f"if=none,id=esp,format=raw,file=fat:rw:{esp_dir}"
        device = "ide-hd,drive=esp,bus=ide.0,bootindex=0"
    return ["-bios", ovmf_code(), "-drive", drive, "-device", device]


def interactive_devices(nvme_image: Path) -> list[str]:
    """The devices `make run` shows: IOMMU first, then edu and one NVMe disk."""
    return [
        "-device", "intel-iommu",
        "-device", "edu",
        "-drive", f"file={nvme_image},format=raw,if=none,id=nvm0",
        "-device", "nvme,serial=bm0,drive=nvm0",
    ]


def disk_args(scenario: scenario_file.Scenario, paths: Paths) -> list[str]:
    """The scenario's disk image as drive disk0, on an NVMe controller whose
    logical (and physical) block size is disk_block; disk_device = none
    leaves attaching disk0 to the scenario's devices."""
    spec = scenario.disk
    if spec is None:
        return []
    args = ["-drive", f"file={paths.disk_image(scenario)},format={spec.format},"
                      f"if=none,id={disk.DRIVE_ID}"]
    if spec.device == "nvme":
        args += ["-device", f"nvme,serial=bmdisk0,drive={disk.DRIVE_ID},"
                 f"logical_block_size={spec.block},physical_block_size={spec.block}"]
    return args


# ---- files a boot needs ----

def _link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link @src to @dst when the guest cannot write the ESP, else copy."""
    if ESP_READONLY:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def prepare_esp(paths: Paths, dest: Path, cmdline: str) -> Path:
    """Make a private ESP: build/esp mirrored into @dest, plus cmdline.txt.

    The UEFI loader reads the kernel command line from EFI/BOOT/cmdline.txt
    beside itself, so each scenario gets its own directory.
    """
    src_root = paths.abs(paths.esp)
    dest_root = paths.abs(dest)
    if dest_root.exists():
        shutil.rmtree(dest_root)
    for dirpath, _dirs, files in os.walk(src_root):
        rel = Path(dirpath).relative_to(src_root)
        (dest_root / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if rel == Path("EFI/BOOT") and name == "cmdline.txt":
                continue
            _link_or_copy(Path(dirpath) / name, dest_root / rel / name)
    boot = dest_root / "EFI" / "BOOT"
    boot.mkdir(parents=True, exist_ok=True)
    (boot / "cmdline.txt").write_text(cmdline)
    return dest


def ensure_nvme_image(paths: Paths) -> Path:
    """Create build/nvme.img (64 MiB, sparse, zeroed) if it does not exist."""
    image = paths.abs(paths.nvme_image)
    if not image.exists():
        image.parent.mkdir(parents=True, exist_ok=True)
        with open(image, "wb") as f:
            f.truncate(NVME_IMAGE_SIZE)
    return paths.nvme_image


def missing_inputs(paths: Paths, boot: str) -> list[str]:
    """Files a boot of kind @boot needs that do not exist (empty if ready)."""
    if boot == "pvh":
        needed = [paths.kernel]
    else:
        needed = list(paths.esp_files)
    missing = [str(p) for p in needed if not paths.abs(p).exists()]
    if boot == "uefi" and not Path(ovmf_code()).exists():
        missing.append(f"{ovmf_code()} (OVMF firmware; install the 'ovmf' package "
                       "or set OVMF_CODE)")
    return missing


# ---- whole command lines ----

def scenario_command(scenario: scenario_file.Scenario, paths: Paths,
                     prepare: bool = True, log_name: str | None = None) -> list[str]:
    """The command the harness runs for @scenario (paths relative to the repo).

    The console goes to QEMU's stdout; the caller redirects it to the log.
    With @prepare, the scenario's private ESP is (re)built first. @log_name
    (default: the scenario's name) names QEMU's log and the ESP: each boot
    of a `boots = 2` scenario has its own.
    """
    log_name = log_name or scenario.name
    cmd = base_args(scenario.memory, scenario.cpus)
    if scenario.boot == "pvh":
        cmd += pvh_args(paths.kernel, scenario.cmdline)
    else:
        esp = paths.test_esp / log_name
        if prepare:
            prepare_esp(paths, esp, scenario.cmdline)
        cmd += uefi_args(esp)
    cmd += disk_args(scenario, paths)
    cmd += scenario.devices
    cmd += check_args(paths.logs / f"{log_name}.qemu.log", scenario.trace)
    return cmd


def interactive_command(paths: Paths, boot: str, cmdline: str, memory: str,
                        cpus: int, debug: bool = False,
                        extra: list[str] | None = None) -> list[str]:
    """The command for `run`, `run-pvh` and `debug`: console on the terminal."""
    cmd = base_args(memory, cpus, serial="mon:stdio")
    if boot == "pvh":
        cmd += pvh_args(paths.kernel, cmdline)
    else:
        cmd += uefi_args(prepare_esp(paths, paths.test_esp / "run", cmdline))
    cmd += interactive_devices(ensure_nvme_image(paths))
    cmd += check_args(paths.build / "run.qemu.log")
    if debug:
        cmd += ["-s", "-S"]
    return cmd + (extra or [])


# ---- command-line interface ----

def _split_extra(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split off everything after '--': extra arguments passed to QEMU."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qemu.py", description="Start Busmaster in QEMU, or print how the harness does.")
    sub = parser.add_subparsers(dest="command", required=True)
    helps = {
        "run": "boot through OVMF (UEFI) with NVMe, IOMMU and edu",
        "run-pvh": "boot build/kernel.elf directly (PVH) with the same devices",
        "debug": "like run-pvh, but wait for gdb on :1234 (gdb -x tools/gdbinit)",
    }
    for name, text in helps.items():
        p = sub.add_parser(name, help=text, description=text +
                           ". Arguments after '--' go to QEMU unchanged.")
        p.add_argument("--cmdline", default="", help="kernel command line (default: empty)")
        p.add_argument("--memory", default="512M", help="guest RAM (default: 512M)")
        p.add_argument("--cpus", type=int, default=1, help="guest CPUs (default: 1)")
        p.add_argument("--dry-run", action="store_true",
                       help="print the command instead of running it")
    p = sub.add_parser("cmd", help="print the QEMU command for a scenario")
    p.add_argument("scenario", help="scenario name from the scenarios file")
    p.add_argument("--scenarios", default=str(REPO_ROOT / "tests" / "scenarios.ini"),
                   help="scenario file (default: tests/scenarios.ini)")
    p.add_argument("--prepare", action="store_true",
                   help="also build the scenario's ESP (UEFI) so the command runs as printed")
    return parser


def _print_exit(status: int) -> int:
    """Explain QEMU's exit status; return 0 for a normal end of the kernel."""
    meaning = "QEMU quit (Ctrl-A x, monitor quit or gdb kill)" if status == 0 \
        else describe_exit(status)
    print(f"qemu.py: QEMU exited with status {status}: {meaning}", file=sys.stderr)
    return 0 if status in (0, EXIT_POWEROFF, EXIT_PASS) else 1


def _interactive(args: argparse.Namespace, extra: list[str]) -> int:
    paths = Paths()
    boot = "uefi" if args.command == "run" else "pvh"
    missing = missing_inputs(paths, boot)
    if missing:
        print("qemu.py: missing " + ", ".join(missing) + " (run `make` first)",
              file=sys.stderr)
        return 2
    cmd = interactive_command(paths, boot, args.cmdline, args.memory, args.cpus,
                              debug=args.command == "debug", extra=extra)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    print("qemu.py: " + shlex.join(cmd), file=sys.stderr)
    print("qemu.py: Ctrl-A x quits QEMU, Ctrl-A c toggles the monitor", file=sys.stderr)
    if args.command == "debug":
        print("qemu.py: QEMU is stopped and waits for gdb on localhost:1234. In another\n"
              "qemu.py: terminal, from the repository root:  gdb -x tools/gdbinit\n"
              "qemu.py: then `hbreak kernel_main` and `continue` (the CPU starts in\n"
              "qemu.py: 32-bit mode, where software breakpoints on 64-bit code miss).",
              file=sys.stderr)
    status = subprocess.call(cmd, cwd=paths.root)
    return _print_exit(status)


def _print_scenario_command(args: argparse.Namespace) -> int:
    paths = Paths()
    try:
        scenario = scenario_file.find(scenario_file.load(args.scenarios), args.scenario)
    except scenario_file.ScenarioError as err:
        print(f"qemu.py: {err}", file=sys.stderr)
        return 2
    if args.prepare and scenario.boot == "uefi":
        missing = missing_inputs(paths, "uefi")
        if missing:
            print("qemu.py: missing " + ", ".join(missing), file=sys.stderr)
            return 2
    if args.prepare and scenario.disk is not None:
        print("# " + disk.create(paths.abs(paths.disk_image(scenario)), scenario.disk))
    print(f"# scenario {scenario.name}: run from {paths.root}, console on stdout")
    cmd = scenario_command(scenario, paths, prepare=args.prepare)
    print(shlex.join(cmd))
    if scenario.boot == "uefi" and not args.prepare:
        print(f"# the ESP {paths.test_esp / scenario.name} is built by --prepare "
              "or by the harness")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    argv, extra = _split_extra(argv)
    args = _parser().parse_args(argv)
    if args.command == "cmd":
        if extra:
            print("qemu.py: cmd takes no QEMU arguments", file=sys.stderr)
            return 2
        return _print_scenario_command(args)
    return _interactive(args, extra)


if __name__ == "__main__":
    sys.exit(main())
