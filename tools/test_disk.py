"""Tests of scenario disk images (tools/disk.py): the pattern, the checks,
the keys and the QEMU arguments. qemu-img runs for the qcow2 tests only
(skipped without it); no QEMU boots here.

Run from the repository root:
    python3 -m unittest discover -s tools -p 'test_*.py'
"""

from __future__ import annotations

import struct
import tempfile
import unittest
from pathlib import Path

import disk
import qemu
import scenarios


def scenario(**keys: str) -> scenarios.Scenario:
    body = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return scenarios.parse("[s]\n" + body)[0]


class Pattern(unittest.TestCase):
    def test_block_layout(self):
        b = disk.pattern_block(5, 7, 512)
        self.assertEqual(len(b), 512)
        self.assertEqual(struct.unpack_from("<QQ", b), (5, 7))
        self.assertEqual([b[k] for k in (16, 17, 511)],
                         [(5 + 7 + 16) % 256, (5 + 7 + 17) % 256, (5 + 7 + 511) % 256])
        self.assertNotEqual(disk.pattern_block(6, 7, 512), b)
        self.assertNotEqual(disk.pattern_block(5, 8, 512), b)
        self.assertEqual(len(disk.pattern_block(3, 1, 4096)), 4096)

    def test_describe(self):
        self.assertEqual(disk.describe_block(bytes(512), 512), "zeroes")
        self.assertEqual(disk.describe_block(disk.pattern_block(9, 2, 512), 512),
                         "the pattern of LBA 9 seed 2")
        self.assertEqual(disk.describe_block(b"\1" * 512, 512), "other data")


class Checks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.image = self.dir / "d.img"
        disk.write_pattern(self.image, 64 * 4096, 4096, 3)

    def tearDown(self):
        self.tmp.cleanup()

    def overwrite(self, lba: int, data: bytes) -> None:
        with open(self.image, "r+b") as f:
            f.seek(lba * 4096)
            f.write(data)

    def test_intact_pattern_passes(self):
        self.assertEqual(disk.check_blocks(self.image, 4096, disk.Check("pattern", 3)), [])

    def test_one_changed_byte_is_found_and_named(self):
        with open(self.image, "r+b") as f:
            f.seek(10 * 4096 + 100)
            f.write(b"\xff")
        self.assertEqual(disk.check_blocks(self.image, 4096, disk.Check("pattern", 3)),
                         ["disk: 1 of 64 blocks 0-63 do not hold pattern seed 3 (LBA 10); "
                          "LBA 10 holds other data"])

    def test_a_block_written_to_the_wrong_lba_is_named(self):
        self.overwrite(4, disk.pattern_block(2, 3, 4096))
        self.assertIn("LBA 4 holds the pattern of LBA 2 seed 3",
                      disk.check_blocks(self.image, 4096, disk.Check("pattern", 3))[0])

    def test_ranges_and_zero(self):
        self.overwrite(20, bytes(4096 * 3))
        self.assertEqual(disk.check_blocks(self.image, 4096, disk.Check("zero", 0, 20, 22)), [])
        self.assertEqual(disk.check_blocks(self.image, 4096,
                                           disk.Check("pattern", 3, 0, 19)), [])
        problems = disk.check_blocks(self.image, 4096, disk.Check("pattern", 3, 18, 30))
        self.assertEqual(problems, ["disk: 3 of 13 blocks 18-30 do not hold pattern seed 3 "
                                    "(LBA 20, 21, 22); LBA 20 holds zeroes"])
        self.assertIn("(LBA 0, 1, 2, ...)",
                      disk.check_blocks(self.image, 4096, disk.Check("zero"))[0])

    def test_hook(self):
        hook = self.dir / "hook.py"
        hook.write_text("def first(path, block):\n"
                        "    data = path.read_bytes()[:block]\n"
                        "    return [] if data[:8] == bytes(8) else ['LBA 0 is not LBA 0']\n"
                        "def broken(path, block):\n    raise KeyError('x')\n")
        spec = disk.DiskSpec(size=64 * 4096, block=4096,
                             expect=(disk.parse_check(f"hook {hook.name}:first"),))
        self.assertEqual(disk.check(self.image, spec, self.dir), [])
        self.overwrite(0, disk.pattern_block(1, 3, 4096))
        self.assertEqual(disk.check(self.image, spec, self.dir), ["disk: LBA 0 is not LBA 0"])
        spec = disk.DiskSpec(size=64 * 4096, block=4096,
                             expect=(disk.parse_check(f"hook {hook.name}:broken"),))
        self.assertIn("raised KeyError", disk.check(self.image, spec, self.dir)[0])


@unittest.skipUnless(disk.have_qemu_img(), "qemu-img not installed")
class Images(unittest.TestCase):
    def test_create_fresh_reuse_and_qcow2_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            spec = disk.DiskSpec(size=1 << 20, format="qcow2", fill="pattern", seed=9,
                                 expect=(disk.Check("pattern", 9),))
            image = Path(tmp) / "x.qcow2"
            self.assertIn("new qcow2 image", disk.create(image, spec))
            self.assertEqual(image.read_bytes()[:4], b"QFI\xfb")
            self.assertEqual(disk.check(image, spec, Path(tmp)), [])
            wrong = disk.DiskSpec(size=1 << 20, format="qcow2",
                                  expect=(disk.Check("pattern", 8, 0, 0),))
            self.assertIn("do not hold pattern seed 8", disk.check(image, wrong, Path(tmp))[0])
            reuse = disk.DiskSpec(size=1 << 20, format="qcow2", reuse=True)
            self.assertIn("reused", disk.create(image, reuse))
            self.assertEqual(disk.check(image, spec, Path(tmp)), [])   # not re-made
            self.assertIn("zeroes", disk.create(image, disk.DiskSpec(size=1 << 20,
                                                                     format="qcow2")))
            self.assertIn("LBA 0 holds zeroes", disk.check(image, spec, Path(tmp))[0])

    def test_raw_zero_is_sparse_and_sized(self):
        with tempfile.TemporaryDirectory() as tmp:
            image = Path(tmp) / "z.img"
            disk.create(image, disk.DiskSpec(size=3 << 20))
            self.assertEqual(image.stat().st_size, 3 << 20)
            self.assertEqual(disk.check(image, disk.DiskSpec(
                size=3 << 20, expect=(disk.Check("zero"),)), Path(tmp)), [])


class Keys(unittest.TestCase):
    def test_full_spec(self):
        s = scenario(disk_size="2M", disk_format="qcow2", disk_block="4096",
                     disk_fill="pattern 0x10", disk_reuse="yes",
                     disk_expect="pattern 0x10 0-9\n    zero 10-511\n    hook a.py:f")
        self.assertEqual(s.disk, disk.DiskSpec(
            size=2 << 20, format="qcow2", block=4096, fill="pattern", seed=16, reuse=True,
            expect=(disk.Check("pattern", 16, 0, 9), disk.Check("zero", 0, 10, 511),
                    disk.Check("hook", hook="a.py:f"))))
        self.assertIsNone(scenario().disk)

    def test_bad_values_are_named(self):
        for keys, text in (
                ({"disk_size": "lots"}, "disk_size"),
                ({"disk_size": "1M", "disk_format": "vmdk"}, "disk_format"),
                ({"disk_size": "1M", "disk_block": "1000"}, "power of two"),
                ({"disk_size": "1000"}, "multiple of disk_block"),
                ({"disk_size": "1M", "disk_fill": "random"}, "disk_fill"),
                ({"disk_size": "1M", "disk_reuse": "maybe"}, "disk_reuse"),
                ({"disk_size": "1M", "disk_device": "floppy"}, "disk_device"),
                ({"disk_size": "1M", "disk_expect": "pattern 1 5-2"}, "FIRST <= LAST"),
                ({"disk_size": "1M", "disk_expect": "pattern 1 0-4096"}, "2048 blocks"),
                ({"disk_size": "1M", "disk_expect": "ones"}, "pattern, zero or hook"),
                ({"disk_expect": "zero"}, "needs disk_size")):
            with self.assertRaisesRegex(scenarios.ScenarioError, text, msg=keys):
                scenario(**keys)

    def test_qemu_args(self):
        paths = qemu.Paths()
        s = scenario(disk_size="1M", disk_block="4096")
        cmd = qemu.scenario_command(s, paths, prepare=False)
        i = cmd.index("file=build/test-disks/s.img,format=raw,if=none,id=disk0")
        self.assertEqual(cmd[i + 1:i + 3], [
            "-device", "nvme,serial=bmdisk0,drive=disk0,logical_block_size=4096,"
            "physical_block_size=4096"])
        s = scenario(disk_size="1M", disk_format="qcow2", disk_device="none")
        cmd = qemu.scenario_command(s, paths, prepare=False)
        self.assertIn("file=build/test-disks/s.qcow2,format=qcow2,if=none,id=disk0", cmd)
        self.assertFalse(any(a.startswith("nvme,") for a in cmd))
        self.assertNotIn("id=disk0", " ".join(qemu.scenario_command(scenario(), paths,
                                                                    prepare=False)))


if __name__ == "__main__":
    unittest.main()
