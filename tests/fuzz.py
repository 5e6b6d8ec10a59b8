"""Fuzz harness: hypothesis strategies and one target per parser nicdb exposes to input.

Every target has the same contract: given any input, the code under test returns
normally or raises :class:`nicdb.errors.NicdbError` (InputError, DataError,
DatabaseError) whose message is one non-empty line. Any other exception -- and any
broken promise a target checks on top (an archive writing outside its folder, a
changed database, an overlay file touched by a refused ``db add``) -- is a failure.

Strategies mix pure random data with mutations of valid inputs (a pci.ids snippet,
lspci output, a hex dump, a config space, a nicdb JSON document, a snapshot archive):
lines deleted, duplicated, swapped or truncated, characters and numbers replaced by
awkward ones, bytes flipped, archives truncated -- random bytes alone rarely get past
the first check of a parser.

Targets (``--list`` shows them):

=============== ==================================================================
pciids          ``nicdb.names.pciids``: parse, read_version, open_text (gz/xz too)
ids             ``nicdb.ids``: PCI IDs, revisions, revision ranges
versions        ``nicdb.versions``: versions and ranges (check_range accepts only
                what in_range can evaluate)
sysfs_attrs     ``nicdb.inputs.sysfs_attrs``: empty, binary, huge, non-hex, unicode
sysfs_tree      ``nicdb.inputs.sysfs.read_tree`` (and read_snapshot) on generated
                trees: garbage files, folders and symlink loops where files belong
json_doc        ``nicdb.inputs.json_doc.parse_json_text``: wrong types, deep nesting
snapshot        ``nicdb.inputs.snapshot.read_snapshot`` on generated tar/tar.gz/bz2/xz:
                ``..``, absolute names, links, devices, huge and truncated members;
                nothing may be written outside the private folder or left behind
lspci_text      ``nicdb.inputs.lspci_text.parse_lspci_text``
lspci_hex       ``nicdb.inputs.lspci_hex.parse_lspci_hex``
kernel_log      ``nicdb.inputs.kernel_log.read`` and ``nicdb.kernellog.attach``: any
                text as a log alone (one-line error) and next to other devices (no error)
configspace     ``nicdb.inputs.configspace.decode_config``
inputs          ``nicdb.inputs.read_text``: the method table picks the reader of any text
results         ``nicdb.evidence.runs.read_text``: iperf3 --json and nuttcp output as
                ``evidence import`` reads it (plausible figures or one error line)
modalias        ``nicdb.modalias.AliasTable.from_text`` and candidate lookups: malformed
                lines, odd globs
cli             ``nicdb.cli.main`` with ``chip``, ``search``, ``suggest --id/--rev/--kernel``
                (SQL metacharacters, undecodable argv): exit 0 or 2, one error line,
                valid JSON with --json, the database file untouched
cli_input       ``identify``/``suggest`` ``--from``/``--sysfs`` on generated files (slow)
cli_db_add      ``db add chip|measurement|issue`` with generated values: a refused
                addition leaves the overlay byte-identical, an accepted one is valid
                TOML that loads (slow)
=============== ==================================================================

Command::

    python tests/fuzz.py [--examples N] [--target NAME ...] [--jobs J] [--seed S]
                         [--seeds DIR] [--save DIR] [--list]

``--examples`` is the number of inputs per target (default 100000; hypothesis settings
max_examples=N, deadline=None, derandomize=False, database=None). ``--jobs`` runs that
many targets at once in worker processes. ``--seeds DIR`` adds every file in DIR to the
valid inputs that are mutated. ``--save DIR`` writes each minimal failing input to a
file. For each target it prints the inputs tried, the time, and every failure with its
minimal input; the exit status is 1 when anything failed, 0 otherwise. The CLI targets
use a private database and overlay in a temporary folder, never the user's.

On 2 cores, 100,000 inputs take about a minute for the fast targets (ids, versions,
sysfs_attrs, pciids) and some minutes for the ones that touch files; see ``--list``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import gzip
import bz2
import importlib
import io
import json
import lzma
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

try:
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings, strategies as st
    import hypothesis
except ImportError:  # pragma: no cover - the harness needs the test extras
    sys.stderr.write("tests/fuzz.py needs hypothesis: pip install 'nicdb[test]'\n")
    raise

from nicdb.errors import NicdbError

DEFAULT_EXAMPLES = 100_000


class ContractViolation(AssertionError):
    """A target broke its contract in a way other than raising a stray exception."""


# ============================================================== the contract
def one_line(msg: str, what: str = "error message", limit: int | None = 4096) -> None:
    if not msg or not msg.strip():
        raise ContractViolation(f"empty {what}")
    if len(msg.splitlines()) != 1:
        raise ContractViolation(f"{what} is not one line: {msg[:300]!r}")
    if limit is not None and len(msg) > limit:
        raise ContractViolation(f"{what} is {len(msg)} characters long: {msg[:200]!r}...")


def expect_clean(fn: Callable, *args, limit: int | None = 4096, **kw):
    """Call ``fn``: it returns (its result, None) or raises NicdbError ((None, error));
    a NicdbError must carry a one-line message. Anything else propagates (a failure)."""
    try:
        return fn(*args, **kw), None
    except NicdbError as e:
        one_line(str(e), f"{type(e).__name__} message", limit)
        return None, e


# ============================================================== seeds (valid inputs)
PCI_IDS_SEED = """\
#
#\tList of PCI ID's
#
# Version: 2023.04.10
# Date:    2023-04-10 03:15:02
#
0e11  Compaq Computer Corporation
\tae32  Netelligent 10/100 TX PCI UTP
1011  Digital Equipment Corporation
\t0009  DECchip 21140 [FasterNet]
\t\t1025 0310  21140 Fast Ethernet
\t0019  DECchip 21142/43
1106  VIA Technologies, Inc.
\t3065  VT6102/VT6103 [Rhine-II]
\t\t1106 0102  VT6102/VT6103 [Rhine-II]
\t\t1186 1400  DFE-530TX rev A
\t3119  VT6120/VT6121/VT6122 Gigabit Ethernet Adapter
\t\t1106 0110  VT6122 Gigabit Ethernet
\t3189  VT8377 [KT400/KT600 AGP] Host Bridge
8086  Intel Corporation
\t100e  82540EM Gigabit Ethernet Controller
\t\t1028 002e  Optiplex GX260
\t\t8086 001e  PRO/1000 MT Desktop Adapter
\t10d3  82574L Gigabit Network Connection
10ec  Realtek Semiconductor Co., Ltd.
\t8139  RTL-8100/8101L/8139 PCI Fast Ethernet Adapter
\t\t1186 1300  DFE-538TX 10/100 Ethernet Adapter
# List of known device classes, subclasses and programming interfaces
# Syntax:
# C class\tclass_name
#\tsubclass\tsubclass_name
#\t\tprog-if\tprog-if_name
C 02  Network controller
\t00  Ethernet controller
\t80  Network controller
C 06  Bridge
\t00  Host bridge
C 0c  Serial bus controller
\t03  USB controller
\t\t00  UHCI
\t\t30  XHCI
\t\tfe  USB Device
"""

LSPCI_VNN = """\
00:00.0 Host bridge [0600]: VIA Technologies, Inc. VT8377 [KT400/KT600 AGP] Host Bridge [1106:3189] (rev 80)
\tSubsystem: ASUSTeK Computer Inc. Device [1043:807f]
\tFlags: bus master, 66MHz, medium devsel, latency 8
\tMemory at e0000000 (32-bit, prefetchable) [size=128M]
\tCapabilities: [80] AGP version 3.5
\tCapabilities: [c0] Power Management version 2
\tKernel driver in use: agpgart-via

00:0a.0 Ethernet controller [0200]: VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter [1106:3119] (rev 11)
\tSubsystem: VIA Technologies, Inc. VT6122 Gigabit Ethernet [1106:0110]
\tFlags: bus master, stepping, medium devsel, latency 32, IRQ 18
\tI/O ports at e800 [size=256]
\tMemory at febff000 (32-bit, non-prefetchable) [size=256]
\tCapabilities: [50] Power Management version 2
\tKernel driver in use: via-velocity
\tKernel modules: via_velocity

00:12.0 Ethernet controller [0200]: VIA Technologies, Inc. VT6102/VT6103 [Rhine-II] [1106:3065] (rev 74)
\tSubsystem: VIA Technologies, Inc. VT6102/VT6103 [Rhine-II] [1106:0102]
\tKernel driver in use: via-rhine

01:00.0 Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3]
\tSubsystem: Intel Corporation Gigabit CT Desktop Adapter [8086:a01f]
\tFlags: bus master, fast devsel, latency 0, IRQ 16
\tMemory at f7cc0000 (32-bit, non-prefetchable) [size=128K]
\tCapabilities: [e0] Express Endpoint, MSI 00
\t\tLnkCap:\tPort #2, Speed 2.5GT/s, Width x1, ASPM L0s L1, Exit Latency L0s <128ns, L1 <64us
\t\tLnkSta:\tSpeed 2.5GT/s (ok), Width x1 (ok)
\tKernel driver in use: e1000e
\tKernel modules: e1000e
"""

LSPCI_PLAIN = """\
00:00.0 Host bridge: VIA Technologies, Inc. VT8377 [KT400/KT600 AGP] Host Bridge (rev 80)
00:0a.0 Ethernet controller: VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter (rev 11)
00:12.0 Ethernet controller: VIA Technologies, Inc. VT6102/VT6103 [Rhine-II] (rev 74)
0000:02:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL-8100/8101L/8139 PCI Fast Ethernet Adapter (rev 10)
"""

LSPCI_N = """\
00:00.0 0600: 1106:3189 (rev 80)
00:0a.0 0200: 1106:3119 (rev 11)
00:12.0 0200: 1106:3065 (rev 74)
01:00.0 0200: 8086:10d3
"""

LSPCI_VMM = """\
Slot:\t00:0a.0
Class:\tEthernet controller [0200]
Vendor:\tVIA Technologies, Inc. [1106]
Device:\tVT6120/VT6121/VT6122 Gigabit Ethernet Adapter [3119]
SVendor:\tVIA Technologies, Inc. [1106]
SDevice:\tVT6122 Gigabit Ethernet [0110]
Rev:\t11
Driver:\tvia-velocity
Module:\tvia_velocity

Slot:\t0000:02:00.0
Class:\tEthernet controller [0200]
Vendor:\tRealtek Semiconductor Co., Ltd. [10ec]
Device:\tRTL-8100/8101L/8139 PCI Fast Ethernet Adapter [8139]
Rev:\t10
"""

LSPCI_MM = """\
00:0a.0 "Ethernet controller [0200]" "VIA Technologies, Inc. [1106]" "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter [3119]" -r11 "VIA Technologies, Inc. [1106]" "VT6122 Gigabit Ethernet [0110]"
00:12.0 "Ethernet controller [0200]" "VIA Technologies, Inc. [1106]" "VT6102/VT6103 [Rhine-II] [3065]" -r74 "" ""
"""


def _cfg_vt6122() -> bytes:
    """A 256-byte config space of a VT6122 (rev 11) with a capability list."""
    b = bytearray(256)
    b[0:4] = bytes.fromhex("06111931")           # 1106:3119
    b[4:8] = bytes.fromhex("17011002")           # command, status (cap list)
    b[8:12] = bytes.fromhex("11000002")          # rev 11, class 020000
    b[12:16] = bytes.fromhex("08200000")
    b[16:24] = bytes.fromhex("01e8000000f0bffe")
    b[44:48] = bytes.fromhex("06111001")          # subsystem 1106:0110
    b[52] = 0x50                                  # capabilities pointer
    b[60:64] = bytes.fromhex("0a010308")
    b[0x50:0x58] = bytes.fromhex("0160c2f708000000")   # PM -> 0x60
    b[0x60:0x68] = bytes.fromhex("0570000000000000")   # MSI -> 0x70
    b[0x70:0x78] = bytes.fromhex("1000010000000000")   # PCIe -> end
    b[0x7C:0x80] = bytes.fromhex("11ec0000")           # LnkCap: 2.5 GT/s x1
    b[0x82:0x84] = bytes.fromhex("1110")               # LnkSta
    return bytes(b)


def _cfg_82574() -> bytes:
    """A 4096-byte config space of an 82574L with PCIe and extended capabilities."""
    b = bytearray(4096)
    b[0:4] = bytes.fromhex("8680d310")
    b[4:8] = bytes.fromhex("07041000")
    b[8:12] = bytes.fromhex("00000002")
    b[44:48] = bytes.fromhex("86801fa0")
    b[52] = 0xC8
    b[0xC8:0xD0] = bytes.fromhex("01d0224800000000")   # PM -> 0xd0
    b[0xD0:0xD8] = bytes.fromhex("05e0800000000000")   # MSI -> 0xe0
    b[0xE0:0xE4] = bytes.fromhex("10000100")           # PCIe endpoint
    b[0xEC:0xF0] = bytes.fromhex("11cc0000")           # LnkCap
    b[0xF2:0xF4] = bytes.fromhex("1110")
    b[0x100:0x104] = bytes.fromhex("01000114")         # AER -> 0x140
    b[0x140:0x144] = bytes.fromhex("03000100")         # DSN -> end
    return bytes(b)


CONFIG_SEEDS = [_cfg_vt6122(), _cfg_82574(), _cfg_vt6122()[:64]]


def hexdump(data: bytes) -> str:
    return "".join(f"{o:02x}: " + " ".join(f"{x:02x}" for x in data[o:o + 16]) + "\n"
                   for o in range(0, len(data), 16))


LSPCI_X = ("00:0a.0 Ethernet controller: VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter "
           "(rev 11)\n" + hexdump(CONFIG_SEEDS[2]) + "\n"
           "00:12.0 Ethernet controller: VIA Technologies, Inc. VT6102/VT6103 [Rhine-II] (rev 74)\n"
           + hexdump(bytes.fromhex("0611653007001002740000020820000001e8000000f0bffe")
                     + bytes(20) + bytes.fromhex("06110201") + bytes(16)))
LSPCI_XXX = ("00:0a.0 Ethernet controller: VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter "
             "(rev 11)\n" + hexdump(CONFIG_SEEDS[0]))
LSPCI_XXXX = ("01:00.0 Ethernet controller: Intel Corporation 82574L Gigabit Network Connection\n"
              + hexdump(CONFIG_SEEDS[1]))

VALID_DOC = {
    "nicdb": "0.1.0", "schema": 1, "source": "sysfs:board", "host": None, "kernel": "6.1.0-18-amd64",
    "nics": [
        {"slot": "0000:00:0a.0",
         "vendor": {"id": "1106", "name": "VIA Technologies, Inc."},
         "device": {"id": "3119", "name": "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter"},
         "subsystem": {"vendor": "1106", "device": "0110", "name": None},
         "revision": "11", "class": {"code": "020000", "name": "Ethernet controller"},
         "driver_in_use": "via-velocity", "kernel_modules": ["via_velocity"],
         "interfaces": [{"name": "eth0", "driver": "via-velocity", "mac": "00:40:63:aa:bb:01", "mtu": 1500,
                         "speed_mbps": 1000, "operstate": "up", "tx_queue_len": 1000}],
         "pcie": False, "link": None},
        {"slot": "0000:01:00.0",
         "vendor": {"id": "8086", "name": "Intel Corporation"},
         "device": {"id": "10d3", "name": "82574L Gigabit Network Connection"},
         "subsystem": {"vendor": "8086", "device": "a01f", "name": None},
         "revision": "00", "class": {"code": "020000", "name": "Ethernet controller"},
         "driver_in_use": "e1000e", "kernel_modules": [], "interfaces": [],
         "pcie": True, "link": {"speed_gts": 2.5, "width": 1, "max_speed_gts": 2.5, "max_width": 1}},
    ],
}
JSON_SEEDS = [json.dumps(VALID_DOC, indent=2),
              json.dumps(VALID_DOC) + "\n" + json.dumps(VALID_DOC | {"host": "b"}) + "\n"
              + json.dumps({"summary": {"hosts": 2}}) + "\n"]

LSPCI_SEEDS = [LSPCI_VNN, LSPCI_PLAIN, LSPCI_N, LSPCI_VMM, LSPCI_MM]
HEX_SEEDS = [LSPCI_X, LSPCI_XXX, LSPCI_XXXX]

# Kernel logs in the saved shapes (dmesg, journalctl, kmsg records, hw-probe excerpts), one
# line of each kind of driver format nicdb reads.
KERNEL_LOG = """\
[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP
[    0.281042] pci 0000:00:1e.0: [8086:244e] type 01 class 0x060401
[    0.283117] pci 0000:05:01.0: [10ec:8168] type 00 class 0x020000
[    0.283240] pci 0000:00:1e.0: PCI bridge to [bus 05] (subtractive decode)
[    1.934870] r8169 0000:05:01.0 eth0: RTL8168h/8111h, 00:11:22:33:44:55, XID 541, IRQ 130
[    1.512390] r8169 0000:05:01.0 eth0: RTL8110s at 0x00000000f3c2a1b4, 00:11:22:33:44:88, XID 04000000 IRQ 21
[    2.118402] r8169 0000:05:01.0 enp5s1: renamed from eth0
Mar 03 10:15:21 host kernel: tg3 0000:02:00.0 eth0: Tigon3 [partno(BCM95720) rev 5720000] (PCI Express) MAC address 00:11:22:33:44:55
6,339,2104512,-;sky2 0000:03:00.0: Yukon-2 EC Ultra chip revision 3
 SUBSYSTEM=pci
skge: 1.14 addr 0xfdffc000 irq 19 chip Yukon-Lite rev 9
skge 0000:04:05.0 eth1: addr 00:11:22:33:44:55
[    5.127154] ieee80211 phy0: Atheros AR9285 Rev:2 mem=0xffffb3c1c0900000, irq=17
[    4.167512] iwlwifi 0000:00:14.3: Detected Intel(R) Wi-Fi 6 AX201 160MHz, REV=0x351
[    2.240517] e1000 0000:05:02.0 eth0: (PCI:33MHz:32-bit) 00:11:22:33:44:55
[    1.346275] igb 0000:02:00.0: eth0: (PCIe:2.5Gb/s:Width x1) 00:11:22:33:44:66
[   33.014650] mlx5_core 0000:af:00.0: 63.008 Gb/s available PCIe bandwidth, limited by 2.5 GT/s PCIe x1 link at 0000:00:1c.0 (capable of 7.876 Gb/s with 8.0 GT/s PCIe x1 link)
[    7.430318] r8169 0000:04:00.0: Direct firmware load for rtl_nic/rtl8126a-3.fw failed with error -2
NETDEV WATCHDOG: enp5s1 (r8169): transmit queue 0 timed out
r8169: probe of 0000:06:00.0 failed with error -22
"""
KERNEL_LOG_SEEDS = [KERNEL_LOG, "\n".join(KERNEL_LOG.splitlines()[4:9]) + "\n"]

# A small sysfs tree (and the snapshot of it): path below the root -> contents.
SYSFS_FUNCS = {
    "0000:00:00.0": {"vendor": "0x1106\n", "device": "0x3189\n", "subsystem_vendor": "0x1043\n",
                     "subsystem_device": "0x807f\n", "revision": "0x80\n", "class": "0x060000\n"},
    "0000:00:0a.0": {"vendor": "0x1106\n", "device": "0x3119\n", "subsystem_vendor": "0x1106\n",
                     "subsystem_device": "0x0110\n", "revision": "0x11\n", "class": "0x020000\n",
                     "driver": "via-velocity\n",
                     "modalias": "pci:v00001106d00003119sv00001106sd00000110bc02sc00i00\n"},
    "0000:01:00.0": {"vendor": "0x8086\n", "device": "0x10d3\n", "subsystem_vendor": "0x8086\n",
                     "subsystem_device": "0xa01f\n", "revision": "0x00\n", "class": "0x020000\n",
                     "current_link_speed": "2.5 GT/s PCIe\n", "current_link_width": "1\n",
                     "max_link_speed": "2.5 GT/s PCIe\n", "max_link_width": "1\n", "driver": "e1000e\n"},
}
SYSFS_NET = {"address": "00:40:63:aa:bb:01\n", "mtu": "1500\n", "speed": "1000\n", "operstate": "up\n",
             "tx_queue_len": "1000\n", "driver": "via-velocity\n"}
META = {"nicdb": "0.1.0", "host": "fuzz", "kernel": "6.1.0-18-amd64", "machine": "x86_64",
        "taken": "2024-01-01T00:00:00Z", "functions": 3, "interfaces": 1}


def snapshot_members() -> list[tuple[str, bytes]]:
    out = [("nicdb-snapshot", b"")]
    for slot, attrs in SYSFS_FUNCS.items():
        for k, v in attrs.items():
            out.append((f"nicdb-snapshot/bus/pci/devices/{slot}/{k}", v.encode()))
    for k, v in SYSFS_NET.items():
        out.append((f"nicdb-snapshot/bus/pci/devices/0000:00:0a.0/net/eth0/{k}", v.encode()))
    out.append(("nicdb-snapshot/meta.json", json.dumps(META).encode()))
    return out


EXTRA_SEEDS: dict[str, list] = {"text": [], "bytes": []}


def add_seed_dir(folder: str | os.PathLike) -> int:
    """Add every file below ``folder`` to the text (or binary) seeds. Returns the count."""
    for cache in _MEMOS:
        cache.clear()
    n = 0
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and p.stat().st_size <= 1 << 20:
            data = p.read_bytes()
            if b"\x00" in data[:4096] or data[:2] == b"\x1f\x8b":
                EXTRA_SEEDS["bytes"].append(data)
            else:
                EXTRA_SEEDS["text"].append(data.decode("utf-8", errors="replace"))
            n += 1
    return n


# ============================================================== mutation strategies
INTERESTING_CHARS = ["\t", " ", "\n", "\r", "\x00", ":", ".", "-", "[", "]", "(", ")", "{", "}", '"', "'", "\\",
                     "#", "%", "_", "*", ",", "=", "/", "\x7f", "\x0b", "\x0c", "\x1c", "\x85", "\u2028",
                     "\ufeff", "é", "²", "٣", "K", "İ", "ﬀ", "\U0001f600", "\ufffd", "x", "0", "f", "G"]
INTERESTING_NUMS = ["", "0", "00", "0x", "0x0x11", "ff", "FF", "fff", "ffff", "fffff", "10000", "-1", "+1",
                    "1_0", " 11 ", "11h", "1e9", "nan", "inf", "1.5", "..", "٣", "²", "99999999999999999999",
                    "1" * 5000, "f" * 300, "4294967296", "2.5.5", "0" * 100]
_TOKEN = re.compile(r"[0-9A-Fa-f]+|\d+(?:\.\d+)*")
# Strategies built once: building them inside every draw costs more than the draw.
_TEXT_OPS = st.sampled_from(("del", "dup", "swap", "trunc_line", "trunc", "char", "repl", "num", "line", "tab",
                             "untab", "case", "crlf", "splice", "blank", "repeat"))
_CHAR = st.sampled_from(INTERESTING_CHARS) | st.characters()
_NUM = st.sampled_from(INTERESTING_NUMS)
_BLANK = st.sampled_from(["", " ", "\t", "#", "\t\t"])
_JUNK = st.text(max_size=40)
_BYTE_OPS = st.sampled_from(("flip", "set", "trunc", "insert", "delete", "dup"))
_BYTE = st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, 0x10, 0x40, 0xFC, 0xFE]) | st.integers(0, 255)
_SHORT_BYTES = st.binary(min_size=1, max_size=16)


_MEMOS: list[dict] = []


def _memo(fn):
    """Build a strategy once per argument list (lists count as tuples)."""
    cache: dict = {}
    _MEMOS.append(cache)

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        try:
            key = (tuple(tuple(a) if isinstance(a, list) else a for a in args), tuple(sorted(kw.items())))
            return cache[key]
        except TypeError:
            return fn(*args, **kw)
        except KeyError:
            s = cache[key] = fn(*args, **kw)
            return s
    return wrapper


def _either(fixed: list, seeds: list) -> st.SearchStrategy[str]:
    return _either_t(tuple(fixed), tuple(seeds))


@_memo
def _either_t(fixed: tuple, seeds: tuple) -> st.SearchStrategy[str]:
    return st.sampled_from(fixed) | _any_text(list(seeds))


@functools.lru_cache(maxsize=None)
def _sampled(items: tuple) -> st.SearchStrategy:
    return st.sampled_from(items)


def _pick(base) -> st.SearchStrategy:
    return _sampled(tuple(base)) if isinstance(base, (list, tuple)) else base


@st.composite
def _mutated_text(draw, base, max_ops: int = 8, junk=None):
    text = draw(_pick(base))
    lines = text.split("\n")
    junk = junk if junk is not None else _JUNK
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(_TEXT_OPS)
        n = len(lines)
        i = draw(st.integers(0, max(n - 1, 0)))
        line = lines[i] if n else ""
        if op == "del" and n:
            del lines[i]
        elif op == "dup" and n:
            lines.insert(i, line)
        elif op == "swap" and n > 1:
            j = draw(st.integers(0, n - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "trunc_line" and n:
            lines[i] = line[:draw(st.integers(0, len(line)))]
        elif op == "trunc":
            whole = "\n".join(lines)
            lines = whole[:draw(st.integers(0, len(whole)))].split("\n")
        elif op in ("char", "repl") and n:
            k = draw(st.integers(0, len(line)))
            c = draw(_CHAR)
            lines[i] = line[:k] + c + line[k + (op == "repl"):]
        elif op == "num" and n:
            toks = list(_TOKEN.finditer(line))
            if toks:
                m = toks[draw(st.integers(0, len(toks) - 1))]
                lines[i] = line[:m.start()] + draw(_NUM) + line[m.end():]
        elif op == "line":
            lines.insert(i, draw(junk))
        elif op == "tab" and n:
            lines[i] = "\t" + line
        elif op == "untab" and n:
            lines[i] = line.lstrip("\t ")
        elif op == "case" and n:
            lines[i] = line.swapcase()
        elif op == "crlf":
            lines = [x + "\r" for x in lines]
        elif op == "splice" and n:
            other = draw(_pick(base)).split("\n")
            j = draw(st.integers(0, len(other) - 1))
            lines[i:i] = other[j:j + draw(st.integers(1, 5))]
        elif op == "blank":
            lines.insert(i, draw(_BLANK))
        elif op == "repeat" and n:
            lines[i:i] = [line] * draw(st.integers(2, 200))
    return "\n".join(lines)


def mutated_text(base, max_ops: int = 8, junk=None) -> st.SearchStrategy[str]:
    """A text from ``base`` (a strategy or list of texts) with up to ``max_ops`` mutations:
    lines deleted, duplicated, swapped, truncated, repeated, spliced from another seed;
    characters and numbers replaced by awkward ones; CRLF endings; junk lines."""
    key = (tuple(base) if isinstance(base, list) else base, max_ops, junk)
    try:
        return _MUTATED_CACHE[key]
    except KeyError:
        s = _MUTATED_CACHE[key] = _mutated_text(list(base) if isinstance(base, list) else base, max_ops, junk)
        return s
    except TypeError:  # unhashable strategy
        return _mutated_text(base, max_ops, junk)


_MUTATED_CACHE: dict = {}


@st.composite
def mutated_bytes(draw, base, max_ops: int = 6):
    """Bytes from ``base`` (a strategy or list) with bits flipped, bytes set, ranges cut or copied."""
    data = bytearray(draw(_pick(base)))
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(_BYTE_OPS)
        n = len(data)
        i = draw(st.integers(0, max(n - 1, 0)))
        if op == "flip" and n:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and n:
            data[i] = draw(_BYTE)
        elif op == "trunc":
            del data[draw(st.integers(0, n)):]
        elif op == "insert":
            data[i:i] = draw(_SHORT_BYTES)
        elif op == "delete" and n:
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "dup" and n:
            data[i:i] = data[i:i + draw(st.integers(1, 512))]
    return bytes(data)


def _system_pci_ids_lines() -> list[str]:
    for p in ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"):
        try:
            return Path(p).read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
    return []


_PCI_IDS_LINES: list[str] | None = None


@_memo
@st.composite
def pci_ids_window(draw):
    """A window of the system's pci.ids (or the built-in seed when there is none)."""
    global _PCI_IDS_LINES
    if _PCI_IDS_LINES is None:
        _PCI_IDS_LINES = _system_pci_ids_lines()
    lines = _PCI_IDS_LINES
    if not lines:
        return PCI_IDS_SEED
    i = draw(st.integers(0, len(lines) - 1))
    return "\n".join(lines[i:i + draw(st.integers(1, 80))])


@_memo
def text_strategy(seeds: list[str], junk=None) -> st.SearchStrategy[str]:
    seeds = seeds + EXTRA_SEEDS["text"]
    return st.one_of(
        st.sampled_from(seeds),
        mutated_text(seeds, junk=junk),
        mutated_text(seeds, max_ops=30, junk=junk),
        st.text(max_size=200),
        st.text(alphabet=st.sampled_from(INTERESTING_CHARS + list("0123456789abcdefABCDEF")), max_size=300),
    )


# ============================================================== targets
@dataclass
class Target:
    name: str
    doc: str
    strategy: Callable[[], st.SearchStrategy]
    check: Callable[[Any, "Context"], None]
    speed: str = "fast"              # fast / files / slow (for --list and the tests' budgets)
    needs_db: bool = False
    needs_overlay: bool = False


@dataclass
class Context:
    """Per-run scratch: a private folder, and for CLI targets a database and overlay."""

    tmp: Path
    db: Path | None = None
    overlay: Path | None = None
    db_stat: tuple | None = None
    overlay_files: dict[str, bytes] = field(default_factory=dict)
    counter: int = 0


TARGETS: dict[str, Target] = {}


def register(name: str, doc: str, check: Callable, strategy: Callable, *, speed="fast",
             needs_db=False, needs_overlay=False) -> None:
    TARGETS[name] = Target(name, doc, strategy, check, speed, needs_db, needs_overlay)


# ------------------------------------------------------------------ pci.ids
def _check_pciids(ex, ctx: Context) -> None:
    from nicdb.names import pciids

    kind, payload = ex
    if kind == "text":
        recs, err = expect_clean(lambda: list(pciids.parse(payload, origin="fuzz.ids")))
        if err is not None and "fuzz.ids line " not in str(err):
            raise ContractViolation(f"error does not name the file and line: {err}")
        for r in recs or []:
            if not r.name or r.name != r.name.strip():
                raise ContractViolation(f"record with an empty or unstripped name: {r!r}")
        pciids.version_key(pciids.read_version(payload))
        return
    p = ctx.tmp / "pci.ids"
    p.write_bytes(payload)
    text, _ = expect_clean(pciids.open_text, p)
    if text is not None:
        expect_clean(lambda: list(pciids.parse(text, origin=str(p))))


def _pciids_strategy():
    texts = text_strategy([PCI_IDS_SEED], junk=st.text(alphabet=st.sampled_from(INTERESTING_CHARS + list("0123abcf")),
                                                        max_size=30))
    texts = st.one_of(texts, mutated_text(pci_ids_window()))
    raw = st.one_of(
        texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
        texts.map(lambda t: gzip.compress(t.encode("utf-8", "surrogatepass"), mtime=0)).flatmap(
            lambda b: mutated_bytes([b])),
        texts.map(lambda t: lzma.compress(t.encode("utf-8", "surrogatepass"), preset=0)).flatmap(
            lambda b: mutated_bytes([b])),
        st.binary(max_size=64).map(lambda b: draw_magic(b)),
    )
    return st.one_of(texts.map(lambda t: ("text", t)), raw.map(lambda b: ("file", b)))


def draw_magic(b: bytes) -> bytes:
    return (b"\x1f\x8b" + b) if len(b) % 3 == 0 else (b"\xfd7zXZ\x00" + b) if len(b) % 3 == 1 else b


register("pciids", "nicdb.names.pciids: parse, read_version, version_key, open_text",
         _check_pciids,
         _pciids_strategy)


# ------------------------------------------------------------------ ids
ID_TEXTS = ["1106:3119", "1106:3065", "8086:100e", "10ec:8139", "1106:3119:1106:0110", "0x1106:0x3119",
            "[1106:3119]", "ffff:ffff", "0:0", "1106", "1106:", ":3119", "1106:3119:1106", "11", "0x11", "11h",
            "ff", "100", "*", "10-1f", "1f-10", "00-ff", "-", "0x10-0x1f", "10h-1fh"]
SQL_TEXTS = ["' OR '1'='1", "\"; DROP TABLE chips; --", "%", "_", "%%", "\\", "\\%", "%_%", "' --", "--",
             "'; ATTACH DATABASE '/tmp/nicdb-fuzz-x' AS x; --", "%' ESCAPE '\\", "NULL", "1106:3119' --",
             "1106:3119; DELETE FROM chips", "') OR 1=1 --", "*/", "/*", "\x00", "VT6122%", "vt_6122", "\\\\",
             "' UNION SELECT key, value FROM meta --", "$1", "?", ":name", "@x", "[", "]", "\ud800", "\udcff"]


@_memo
def _any_text(seeds: list[str]):
    return st.one_of(st.sampled_from(seeds), mutated_text(seeds, max_ops=4, junk=st.text(max_size=8)),
                     st.text(max_size=30),
                     st.text(alphabet=st.sampled_from(INTERESTING_CHARS + list("0123456789abcdefx:-*h")),
                             max_size=20),
                     st.sampled_from(INTERESTING_NUMS))


def _check_ids(ex, ctx: Context) -> None:
    from nicdb import ids

    fn, arg = ex
    f = getattr(ids, fn)
    res, _ = expect_clean(f, arg, limit=None)
    if res is None:
        return
    if fn == "parse_hex16" and not 0 <= res <= 0xFFFF:
        raise ContractViolation(f"parse_hex16 -> {res}")
    if fn == "parse_rev":
        if not 0 <= res <= 0xFF:
            raise ContractViolation(f"parse_rev -> {res}")
        if ids.parse_rev(ids.fmt_rev(res)) != res:
            raise ContractViolation("fmt_rev does not round-trip")
    if fn == "parse_pci_id":
        v, d, sv, sd = res
        if (sv is None) != (sd is None) or not all(0 <= x <= 0xFFFF for x in res if x is not None):
            raise ContractViolation(f"parse_pci_id -> {res}")
    if fn == "parse_rev_range":
        lo, hi = res
        if not 0 <= lo <= hi <= 0xFF:
            raise ContractViolation(f"parse_rev_range -> {res}")
        if ids.parse_rev_range(ids.fmt_rev_range(lo, hi)) != res:
            raise ContractViolation("fmt_rev_range does not round-trip")


def _ids_strategy():
    text = _any_text(ID_TEXTS + SQL_TEXTS)
    other = st.one_of(st.none(), st.integers(), st.binary(max_size=6))  # these three check the type
    return st.one_of(st.tuples(st.sampled_from(["parse_hex16", "parse_rev", "parse_pci_id", "parse_rev_range"]), text),
                     st.tuples(st.sampled_from(["parse_hex16", "parse_rev", "parse_pci_id"]), other))


register("ids", "nicdb.ids: parse_hex16, parse_rev, parse_pci_id, parse_rev_range",
         _check_ids,
         _ids_strategy)


# ------------------------------------------------------------------ versions
VERSION_TEXTS = ["6.1", "6.1.0-18-amd64", "2.6.32", "2.6.32.71", "v5.10", "3", "1.43", "5.15.0-91-generic",
                 "2.6.13-2.6.32", ">=3.0", "<2.6.33", ">2.6", "<=4.9", ">=2.6.26,<2.6.33", "*", "", ",", ">=",
                 "=5.10", "==6", "-", "3-", "-3", "1.2-x", ">=6.1,", "6.1-"]


def _check_versions(ex, ctx: Context) -> None:
    from nicdb import versions

    version, spec = ex
    expect_clean(versions.parse_version, version, limit=None)
    _, bad_spec = expect_clean(versions.check_range, spec, limit=None)
    try:
        v = versions.parse_version(version)
    except NicdbError:
        v = None
    for probe in filter(None, (v, (0,), (6, 1), (2, 6, 32, 71), (99999,))):
        ok, err = expect_clean(versions.in_range, probe, spec, limit=None)
        if err is not None and bad_spec is None:
            raise ContractViolation(f"check_range accepts {spec!r} but in_range fails on it: {err}")
    if spec.strip() == "*" and versions.in_range(version if v else None, spec) is not True:
        raise ContractViolation("'*' does not match")


def _versions_strategy():
    return st.tuples(_any_text(VERSION_TEXTS), _any_text(VERSION_TEXTS))


register("versions", "nicdb.versions: parse_version, in_range, check_range",
         _check_versions,
         _versions_strategy)


# ------------------------------------------------------------------ sysfs attribute values
ATTR_SEEDS = ["0x1106\n", "0x3119\n", "0x11\n", "0x020000\n", "1106", "2.5 GT/s PCIe\n", "8.0 GT/s PCIe\n",
              "Unknown\n", "16\n", "1500\n", "-1\n", "up\n", "00:40:63:aa:bb:01\n", "via-velocity\n"]


def _attr_value():
    huge = st.sampled_from([4095, 4096, 4097, 65536, 1 << 20]).flatmap(
        lambda n: st.sampled_from([b"1", b"f", b"\xff", b" ", b"0x"]).map(lambda c: c * n))
    text = st.one_of(st.sampled_from(ATTR_SEEDS), mutated_text(ATTR_SEEDS, max_ops=3, junk=st.text(max_size=6)),
                     st.text(max_size=24), st.sampled_from(INTERESTING_NUMS))
    return st.one_of(st.none(), text, text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.binary(max_size=24), huge)


def _check_sysfs_attrs(ex, ctx: Context) -> None:
    from nicdb.inputs import sysfs_attrs as sa

    raw, bits = ex
    v, err = expect_clean(sa.hex_attr, raw, "vendor", "fuzz/0000:00:0a.0", bits=bits)
    if err is not None and "fuzz/0000:00:0a.0/vendor" not in str(err):
        raise ContractViolation(f"error does not name the file: {err}")
    if v is not None and not 0 <= v < 1 << bits:
        raise ContractViolation(f"hex_attr -> {v} for {bits} bits")
    s = expect_clean(sa.link_speed, raw)[0]
    if s is not None and not isinstance(s, float):
        raise ContractViolation(f"link_speed -> {s!r}")
    n = expect_clean(sa.small_int, raw)[0]
    if n is not None and (not isinstance(n, int) or n < 0):
        raise ContractViolation(f"small_int -> {n!r}")
    t = expect_clean(sa.text_attr, raw)[0]
    if t is not None and (not isinstance(t, str) or not t):
        raise ContractViolation(f"text_attr -> {t!r}")


def _sysfs_attrs_strategy():
    return st.tuples(_attr_value(), st.sampled_from([8, 16, 24]))


register("sysfs_attrs", "nicdb.inputs.sysfs_attrs: hex_attr, link_speed, small_int, text_attr",
         _check_sysfs_attrs,
         _sysfs_attrs_strategy)


# ------------------------------------------------------------------ sysfs trees
SLOT_NAMES = ["0000:00:0a.0", "0000:00:00.0", "0000:01:00.0", "00000000:ff:1f.7", "0000:00:0A.0", "0000:00:0a.8",
              "00:0a.0", "0000:00:0a", "net", "garbage", ".hidden", "0000:00:0a.0 ", "0000:00:0a.0\n"]
SPECIALS = ["dir", "loop", "dangling", "outside", "outside_dir", "missing", "fifo"]


@functools.lru_cache(maxsize=None)
def _file_value(valid: str):
    return st.one_of(
        st.just(valid).map(str.encode), st.just(valid).map(str.encode),
        mutated_text([valid], max_ops=3, junk=st.text(max_size=8)).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=32), st.sampled_from([b"", b"\n", b"\x00" * 8, b"\xff\xfe", b"1" * 5000, b"0x" * 3000]),
        st.sampled_from(SPECIALS),
    )


@functools.lru_cache(maxsize=None)
def _safe_entry_name():
    return st.one_of(st.sampled_from(["eth0", "enp1s0", "virtio0", "x", "net", "driver", "power"]),
                     st.text(alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                             min_size=1, max_size=12).filter(lambda s: s not in (".", "..")))


_TREE_BASE = st.sampled_from(["ok", "ok", "ok", "ok", "missing", "file", "loop"])
_SPECIAL_OR_FILE = st.sampled_from(SPECIALS + ["file"])
_EXTRA_ATTRS = st.lists(st.sampled_from(["current_link_speed", "max_link_width", "modalias", "driver",
                                         "subsystem_vendor"]), max_size=2)
_NET_KIND = st.sampled_from(["none", "dir", "dir", "child", "file", "loop", "dangling"])


@_memo
@st.composite
def sysfs_tree_spec(draw):
    """A nested dict: name -> bytes | special | dict, rooted at the sysfs root."""
    base = draw(_TREE_BASE)
    if base != "ok":
        return {"bus": {"pci": {"devices": "missing" if base == "missing" else ("loop" if base == "loop" else b"x")}}}
    devices: dict = {}
    for slot in draw(_SLOT_LIST()):
        valid = SYSFS_FUNCS.get(slot, SYSFS_FUNCS["0000:00:0a.0"])
        if draw(st.integers(0, 9)) == 0:
            devices[slot] = draw(_SPECIAL_OR_FILE)
            continue
        func: dict = {}
        names = list(valid) + draw(_EXTRA_ATTRS)
        for attr in names:
            func[attr] = draw(_file_value(valid.get(attr, SYSFS_FUNCS["0000:01:00.0"].get(attr, "0x0\n"))))
        net_kind = draw(_NET_KIND)
        if net_kind in ("dir", "child"):
            ifaces = {}
            for name in draw(_IFACE_LIST()):
                if draw(st.integers(0, 5)) == 0:
                    ifaces[name] = draw(_SPECIAL_OR_FILE)
                else:
                    ifaces[name] = {k: draw(_file_value(v)) for k, v in SYSFS_NET.items()
                                    if draw(st.integers(0, 4))}
            if net_kind == "dir":
                func["net"] = ifaces
            else:
                func[draw(_safe_entry_name())] = {"net": ifaces}
        elif net_kind != "none":
            func["net"] = {"file": b"eth0\n", "loop": "loop", "dangling": "dangling"}[net_kind]
        devices[slot] = func
    return {"bus": {"pci": {"devices": devices}}}


@functools.lru_cache(maxsize=None)
def _SLOT_LIST():
    return st.lists(st.sampled_from(SLOT_NAMES[:5]) | st.sampled_from(SLOT_NAMES) | _safe_entry_name(),
                    max_size=4, unique=True)


@functools.lru_cache(maxsize=None)
def _IFACE_LIST():
    return st.lists(_safe_entry_name(), min_size=1, max_size=2, unique=True)


def materialize(spec: dict, root: Path, outside: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, v in spec.items():
        p = root / name
        if isinstance(v, dict):
            materialize(v, p, outside)
        elif isinstance(v, bytes):
            p.write_bytes(v)
        elif v == "file":
            p.write_bytes(b"0x1106\n")
        elif v == "dir":
            p.mkdir()
        elif v == "loop":
            os.symlink(name, p)
        elif v == "dangling":
            os.symlink("does-not-exist", p)
        elif v == "outside":
            os.symlink(outside / "file", p)
        elif v == "outside_dir":
            os.symlink(outside, p)
        elif v == "fifo":
            os.mkfifo(p)
        # "missing": nothing


def _tree_context(ctx: Context) -> Path:
    outside = ctx.tmp / "outside"
    if not outside.exists():
        outside.mkdir()
        (outside / "file").write_bytes(b"0x1106\n")
        (outside / "vendor").write_bytes(b"0x1106\n")
    return outside


def _check_sysfs_tree(spec, ctx: Context) -> None:
    from nicdb.inputs.snapshot import read_snapshot
    from nicdb.inputs.sysfs import read_tree

    outside = _tree_context(ctx)
    root = ctx.tmp / "tree"
    try:
        materialize(spec, root, outside)
        with _alarm(10, "reading the sysfs tree hangs"):
            devs, err = expect_clean(read_tree, root)
            if err is not None and str(root) not in str(err):
                raise ContractViolation(f"error does not name the tree: {err}")
            expect_clean(read_snapshot, root)
        for d in devs or []:
            if d.vendor is None or d.device is None:
                raise ContractViolation(f"device without vendor or device ID: {d!r}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


register("sysfs_tree", "nicdb.inputs.sysfs.read_tree and read_snapshot(DIR) on generated trees",
         _check_sysfs_tree,
         lambda: sysfs_tree_spec(), speed="files")


@contextlib.contextmanager
def _alarm(seconds: int, what: str):
    """Fail instead of hanging forever (a FIFO opened for reading blocks)."""
    import signal

    if not hasattr(signal, "SIGALRM") or _threading_main() is False:
        yield
        return

    def on_alarm(signum, frame):
        raise ContractViolation(what)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


# ------------------------------------------------------------------ nicdb JSON
JSON_KEYS = ["nics", "slot", "vendor", "device", "subsystem", "class", "revision", "id", "name", "code",
             "interfaces", "link", "kernel_modules", "driver_in_use", "pcie", "mtu", "speed_mbps", "summary"]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                      st.sampled_from(["1106", "0x11", "ffff", "10000", "-1", "", "1_0", "٣", " 11 ", "\ud800"]))
json_any = st.recursive(json_leaf, lambda c: st.lists(c, max_size=4)
                        | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=6), c, max_size=4),
                        max_leaves=12)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@_memo
@st.composite
def mutated_doc(draw):
    doc = copy.deepcopy(VALID_DOC)
    for _ in range(draw(st.integers(1, 5))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["set", "set", "del", "wrap"]))
        if not path:
            doc = draw(json_any) if op == "set" else [doc]
            if not isinstance(doc, (dict, list)):
                break
            continue
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        k = path[-1]
        if op == "set":
            parent[k] = draw(json_any)
        elif op == "del":
            del parent[k]
        else:
            parent[k] = [parent[k]]
    return doc


@_memo
def _json_text():
    docs = st.one_of(mutated_doc(), json_any)

    def dump(d, style):
        return json.dumps(d, indent=2 if style == 1 else None, ensure_ascii=style == 2)
    one = st.tuples(docs, st.integers(0, 2)).map(lambda t: dump(*t))
    lines = st.lists(one.map(lambda s: s.replace("\n", " ")), min_size=2, max_size=4).map("\n".join)
    deep = st.tuples(st.integers(1, 200_000), st.sampled_from(["[", '{"nics":[', '{"a":'])).map(
        lambda t: t[1] * t[0] + ("]" if t[1] == "[" else "") * t[0])
    deep_line = deep.map(lambda s: json.dumps(VALID_DOC) + "\n" + s)
    huge = st.sampled_from(['{"nics": [], "x": ' + "1" * 5000 + "}", "1" * 5000, '{"nics":[{"slot":"a","revision":"'
                            + "f" * 5000 + '"}]}', "-" + "9" * 4400, "[" + "1e999," * 10 + "0]"])
    return st.one_of(one, lines, mutated_text(JSON_SEEDS), mutated_text(st.one_of(one, lines)), deep, deep_line,
                     huge, st.text(max_size=100))


def _check_json(text, ctx: Context) -> None:
    from nicdb.inputs.json_doc import parse_json_text

    devs, err = expect_clean(parse_json_text, text, "fuzz.json")
    if err is not None and "fuzz.json" not in str(err):
        raise ContractViolation(f"error does not name the file: {err}")
    for d in devs or []:
        if not isinstance(d.slot, str) or not d.slot:
            raise ContractViolation(f"device without a slot: {d!r}")
        for k in ("vendor", "device", "revision", "class_code"):
            v = getattr(d, k)
            if v is not None and not (isinstance(v, int) and v >= 0):
                raise ContractViolation(f"{k} = {v!r}")


register("json_doc", "nicdb.inputs.json_doc.parse_json_text: documents and JSON lines",
         _check_json,
         _json_text)


# ------------------------------------------------------------------ snapshot archives
KINDS = ["file", "file", "file", "file", "dir", "symlink", "hardlink", "chr", "blk", "fifo", "cont", "huge",
         "sparse"]


@_memo
@st.composite
def tar_members(draw):
    """A list of (name, kind, data, linkname, pax) member specs, mostly from a valid snapshot."""
    members = [(n, "dir" if n == "nicdb-snapshot" else "file", d, "", None) for n, d in snapshot_members()]
    if draw(st.booleans()):
        members = [m for m in members if draw(st.integers(0, 9))]
    for _ in range(draw(st.integers(0, 5))):
        op = draw(st.sampled_from(["rename", "kind", "data", "dup", "add", "deep", "pax", "order"]))
        i = draw(st.integers(0, max(len(members) - 1, 0)))
        if not members:
            members.append(("nicdb-snapshot/x", "file", b"x", "", None))
            continue
        name, kind, data, link, pax = members[i]
        if op == "rename":
            name = draw(st.sampled_from([
                "/" + name, "../" + name, name.replace("bus/", "bus/../../"), "nicdb-snapshot/../../escape",
                "./" + name, name + "/", name.replace("nicdb-snapshot", "other"), name.replace("/", "//"),
                name.replace("/", "\\"), "nicdb-snapshot/" + "a/" * 300 + "b", "nicdb-snapshot/" + "x" * 300,
                "nicdb-snapshot/bus/pci/devices/0000:00:0a.0/vendor/inner", "nicdb-snapshot/meta.json/x", "",
                "nicdb-snapshot", ".", "nicdb-snapshot/bus/pci/devices/junk/vendor", name + "\udcff",
            ]) | mutated_text([name], max_ops=2, junk=st.just("..")))
        elif op == "kind":
            kind = draw(st.sampled_from(KINDS))
            link = draw(st.sampled_from(["/etc/passwd", "../../../etc/passwd", "nicdb-snapshot/meta.json",
                                         name, "nicdb-snapshot/bus", "", "x" * 200]))
        elif op == "data":
            data = draw(mutated_bytes([data]) | st.binary(max_size=40)
                        | st.sampled_from([b"", b"\x00" * 100, b"{" * 5000, b"1" * 5000, b"[]", b'"x"', b"null"]))
        elif op == "dup":
            members.insert(i, members[i])
            continue
        elif op == "add":
            members.append((draw(st.sampled_from([n for n, *_ in members]) | st.text(max_size=20)),
                            draw(st.sampled_from(KINDS)), draw(st.binary(max_size=20)), "", None))
            continue
        elif op == "deep":
            members.insert(i, ("nicdb-snapshot/" + "d/" * draw(st.integers(1, 2000)), "dir", b"", "", None))
            continue
        elif op == "pax":
            pax = {draw(st.sampled_from(["path", "linkpath", "size", "mtime", "uid", "uname", "hdrcharset",
                                         "GNU.sparse.map", "GNU.sparse.size", "GNU.sparse.major",
                                         "GNU.sparse.minor", "GNU.sparse.name", "GNU.sparse.offset",
                                         "GNU.sparse.numblocks", "SCHILY.xattr.x", "comment"])):
                   draw(st.sampled_from(["", "0", "-1", "x", "1,2,3", "9" * 30, "0,100000000", "1.5", "..",
                                         "/etc/passwd", "nicdb-snapshot/meta.json", "BINARY", "\udcff"])
                        | st.text(max_size=10))
                   for _ in range(draw(st.integers(1, 3)))}
        elif op == "order":
            j = draw(st.integers(0, len(members) - 1))
            members[i], members[j] = members[j], members[i]
            continue
        members[i] = (name, kind, data, link, pax)
    return members


def build_tar(members, fmt: int, compression: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, encoding="utf-8", errors="surrogateescape") as tar:
        for name, kind, data, link, pax in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            info.mode = 0o644
            info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
                         "fifo": tarfile.FIFOTYPE, "cont": tarfile.CONTTYPE, "huge": tarfile.REGTYPE,
                         "sparse": tarfile.GNUTYPE_SPARSE}[kind]
            info.linkname = link
            if pax:
                info.pax_headers = dict(pax)
            try:
                if kind in ("file", "cont"):
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                elif kind == "huge":  # a header claiming a huge member, then nothing: truncated
                    info.size = 10 ** 10
                    buf.write(info.tobuf(fmt, "utf-8", "surrogateescape"))
                    break
                else:
                    tar.addfile(info)
            except (ValueError, UnicodeError, tarfile.TarError, OverflowError):
                continue  # a member the writer cannot express
    raw = buf.getvalue()
    if compression == "gz":
        return gzip.compress(raw, compresslevel=1, mtime=0)
    if compression == "bz2":
        return bz2.compress(raw, 1)
    if compression == "xz":
        return lzma.compress(raw, preset=0)
    return raw


@_memo
@st.composite
def archive_bytes(draw):
    members = draw(tar_members())
    fmt = draw(st.sampled_from([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT]))
    comp = draw(st.sampled_from(["gz", "gz", "none", "bz2", "xz"]))
    data = build_tar(members, fmt, comp)
    if draw(st.integers(0, 3)) == 0:
        data = draw(mutated_bytes([data], max_ops=4))
    return data


def _snapshot_strategy():
    seeds = EXTRA_SEEDS["bytes"]
    parts = [archive_bytes(), st.binary(max_size=600).map(lambda b: draw_magic(b))]
    if seeds:
        parts.append(mutated_bytes(seeds))
    return st.one_of(*parts)


def _listing(folder: Path) -> set[str]:
    out = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), folder))
    return out


def _check_snapshot(data: bytes, ctx: Context) -> None:
    from nicdb.inputs.snapshot import read_snapshot

    box = ctx.tmp / "snapbox"
    scratch = box / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    archive = box / "in.tar.gz"
    archive.write_bytes(data)
    before = _listing(box)
    old = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        with _alarm(60, "reading the archive hangs"):
            res, err = expect_clean(read_snapshot, archive)
    finally:
        tempfile.tempdir = old
    after = _listing(box)
    if after != before:
        raise ContractViolation(f"files left or written outside: {sorted(after ^ before)[:5]}")
    if err is not None and str(archive) not in str(err):
        raise ContractViolation(f"error does not name the archive: {err}")
    if res is not None:
        devs, meta = res
        if not isinstance(meta, dict):
            raise ContractViolation(f"meta is {type(meta).__name__}")


register("snapshot", "nicdb.inputs.snapshot.read_snapshot on generated tar, tar.gz, tar.bz2, tar.xz",
         _check_snapshot,
         _snapshot_strategy, speed="files")


# ------------------------------------------------------------------ lspci and dumps
def _check_text_parser(modname: str, fn: str, tag: str):
    def check(text, ctx: Context) -> None:
        f = getattr(importlib.import_module(modname), fn)
        devs, err = expect_clean(f, text, "fuzz." + tag)
        devs = getattr(devs, "devices", devs)  # a Reading (nicdb.inputs) holds the devices
        if err is not None and "fuzz." + tag not in str(err):
            raise ContractViolation(f"error does not name the input: {err}")
        if devs is not None and not isinstance(devs, list):
            raise ContractViolation(f"{fn} returned {type(devs).__name__}")
    return check


register("lspci_text", "nicdb.inputs.lspci_text.parse_lspci_text",
         _check_text_parser("nicdb.inputs.lspci_text", "parse_lspci_text", "lspci"),
         lambda: text_strategy(LSPCI_SEEDS))
register("lspci_hex", "nicdb.inputs.lspci_hex.parse_lspci_hex",
         _check_text_parser("nicdb.inputs.lspci_hex", "parse_lspci_hex", "hex"),
         lambda: text_strategy(HEX_SEEDS, junk=st.sampled_from(["00: ", "ff: 00", "zz", "40: " + "00 " * 16])
                          | st.text(max_size=50)))
register("inputs", "nicdb.inputs.read_text: the method table picks the reader of any text",
         _check_text_parser("nicdb.inputs", "read_text", "input"),
         lambda: text_strategy(LSPCI_SEEDS + HEX_SEEDS + JSON_SEEDS + KERNEL_LOG_SEEDS))


def _check_kernel_log(text, ctx: Context) -> None:
    from nicdb.inputs import kernel_log
    from nicdb.inputs.source import Source
    from nicdb.kernellog import attach
    from nicdb.model import LogFact, NetInterface, PciDevice

    reading, err = expect_clean(kernel_log.read, Source.of_text(text, "fuzz.log"))
    if err is not None and "fuzz.log" not in str(err):
        raise ContractViolation(f"error does not name the input: {err}")
    # read next to another input's devices: never an error at all
    devs = [PciDevice("0000:05:01.0", 0x10EC, 0x8168, revision=0x15, class_code=0x020000, driver="r8169",
                      interfaces=[NetInterface("enp5s1")]),
            PciDevice("0000:02:00.0", 0x168C, 0x002B, class_code=0x028000)]
    summary = attach(devs, text, "fuzz.log")
    for d in devs + (reading.devices if reading is not None else []):
        for f in d.log:
            if not (isinstance(f, LogFact) and f.kind and isinstance(f.value, str) and f.kind[0] != "_"):
                raise ContractViolation(f"a malformed fact: {f!r}")
    if summary.facts != sum(len(d.log) for d in devs):
        raise ContractViolation("the summary counts other facts than it attached")


register("kernel_log", "nicdb.inputs.kernel_log.read and nicdb.kernellog.attach: any text, any line shape",
         _check_kernel_log,
         lambda: text_strategy(KERNEL_LOG_SEEDS, junk=st.sampled_from(
             ["0000:05:01.0", "ieee80211 phy", " kernel: ", "XID ", "rev ", "[", "]", ": ", "phy9", "<6>", ";"])
             | st.text(max_size=40)))


# Results of measuring tools, in the shapes iperf3 --json and nuttcp write them.
IPERF3_SEED = json.dumps({
    "start": {"connected": [{"socket": 5, "local_host": "198.18.0.1", "local_port": 46532,
                             "remote_host": "198.18.0.2", "remote_port": 5201}],
              "version": "iperf 3.12", "connecting_to": {"host": "198.18.0.2", "port": 5201},
              "tcp_mss_default": 1448, "timestamp": {"time": "Thu, 03 Dec 2026 08:34:03 GMT"},
              "test_start": {"protocol": "TCP", "num_streams": 1, "duration": 1, "reverse": 0}},
    "intervals": [{"streams": [{"socket": 5, "bits_per_second": 1.39e10, "retransmits": 956, "pmtu": 1500,
                                "sender": True}]}],
    "end": {"sum_sent": {"seconds": 1.000455, "bytes": 1745879040, "bits_per_second": 13960680210.5,
                         "retransmits": 956, "sender": True},
            "sum_received": {"seconds": 1.00099, "bytes": 1738801152, "bits_per_second": 13896651530.98,
                             "sender": True},
            "cpu_utilization_percent": {"host_total": 39.3, "remote_total": 50.8}}}, indent="\t")
NUTTCP_SEEDS = [
    "# nuttcp -t ref2\n 1123.8690 MB /  10.01 sec =  941.3733 Mbps 11 %TX 27 %RX\n"
    "# nuttcp -r ref2\n 1122.3750 MB /  10.00 sec =  941.0966 Mbps 33 %TX 16 %RX 0 retrans 0.22 msRTT\n",
    "$ nuttcp -fparse -r 198.18.0.2\nmegabytes=1524.5616 real_seconds=1.00 rate_Mbps=12785.8047 tx_cpu=41 "
    "rx_cpu=40 retrans=0\n",
    "nuttcp-r: 917.4375 MB in 1.00 real seconds = 935697.30 KB/sec = 7665.2323 Mbps\n"
    "nuttcp-r: 0.0user 0.2sys 0:01real 26% 0i+0d 1212maxrss 0+0pf 2330+209csw\n\n"
    "nuttcp-t: connect to 198.18.0.1 with mss=1448, RTT=0.286 ms\n"
    "nuttcp-t: 0.0user 0.2sys 0:01real 25% 0i+0d 1248maxrss 0+0pf 254+400csw\n",
]


def _check_results(text, ctx: Context) -> None:
    from nicdb.evidence.runs import read_text

    for direction in (None, "tx"):
        runs, err = expect_clean(read_text, text, "fuzz.results", direction)
        if err is not None and "fuzz.results" not in str(err):
            raise ContractViolation(f"error does not name the input: {err}")
        for r in runs or []:
            if r.direction not in ("tx", "rx") or not (0 <= r.mbps < 1e9):
                raise ContractViolation(f"implausible run: {r}")
            for pct in (r.cpu_local, r.cpu_peer):
                if pct is not None and not 0 <= pct <= 100:
                    raise ContractViolation(f"CPU share out of range: {r}")


register("results", "nicdb.evidence.runs.read_text: iperf3 --json and nuttcp output (evidence import)",
         _check_results,
         lambda: text_strategy([IPERF3_SEED, IPERF3_SEED + "\n" + IPERF3_SEED] + NUTTCP_SEEDS,
                               junk=st.sampled_from(["%TX", "Mbps", "nan", "1e999", "-1", '"error"', "rate_Mbps=",
                                                     "nuttcp-t:", "{", "}", "[]", "null"]) | st.text(max_size=20)))


def _check_config(ex, ctx: Context) -> None:
    from nicdb.inputs.configspace import decode_config

    data, slot = ex
    with _alarm(10, "decode_config hangs (a capability loop?)"):
        dev, err = expect_clean(decode_config, data, slot, "fuzz.cfg")
    if err is not None and "fuzz.cfg" not in str(err):
        raise ContractViolation(f"error does not name the input: {err}")


register("configspace", "nicdb.inputs.configspace.decode_config",
         _check_config,
         lambda: st.tuples(st.one_of(mutated_bytes(CONFIG_SEEDS + EXTRA_SEEDS["bytes"]),
                                               mutated_bytes(CONFIG_SEEDS, max_ops=30),
                                               st.binary(max_size=300)),
                                     st.sampled_from(["0000:00:0a.0", "00:0a.0", "0000:01:00.0"])))


# ------------------------------------------------------------------ modules.alias
MODALIAS_SEED = """\
# Aliases extracted from modules themselves.
# kernel: 6.1.0-18-amd64
alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139too
alias pci:v*d00008139sv000010ECsd00008139bc*sc*i* 8139too
alias pci:v00001106d00003119sv*sd*bc*sc*i* via_velocity
alias pci:v00008086d00001229sv*sd*bc02sc00i* e100
alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci
alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci
alias usb:v0BDAp8153d*dc*dsc*dp*ic*isc*ip*in* r8152
alias pci:v000014E4d0000164[0-9A-C]sv*sd*bc*sc*i* tg3
alias pci:v00001969d0000[!1]06[23]sv*sd*bc*sc*i* atl1c
alias pci:v000014E4d000016??sv*sd*bc*sc*i* bnx2
alias pci:v00001022d00002000* pcnet32
alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e
"""
MODALIAS_JUNK = ["alias pci:v0000[d0000* x", "alias pci:v*d*sv*sd*bc*sc*i* ", "alias pci:\\ m", "alias pci:[!] m",
                 "alias pci:v00001106d00003119sv*sd*bc*sc*i*[ m", "alias pci:v*d*[z-a]* m", "alias  pci:v* m",
                 "alias pci:v*d*sv*sd*bc*sc*i*\\ m", "alias pci:**********************************a m",
                 "alias pci:v????????d????????sv*sd*bc??sc??i?? m", "alias pci:v00001106d00003119sv*sd*bc*sc*i*"]


def _modalias_devices():
    from nicdb.model import PciDevice

    return [PciDevice(slot="00:0a.0", vendor=0x1106, device=0x3119, subsystem_vendor=0x1106,
                      subsystem_device=0x0110, revision=0x11, class_code=0x020000, origin="fuzz"),
            PciDevice(slot="00:0b.0", vendor=0x10EC, device=0x8139, class_code=None, origin="fuzz"),
            PciDevice(slot="00:0c.0", vendor=0x14E4, device=0x1649, class_code=0x0C0330, origin="fuzz"),
            PciDevice(slot="00:0d.0", vendor=0x1969, device=0x2062, subsystem_vendor=0,
                      subsystem_device=0, class_code=0x020000, origin="fuzz")]


def _check_modalias(text, ctx: Context) -> None:
    from nicdb.modalias import AliasTable

    table, err = expect_clean(AliasTable.from_text, text, "fuzz.alias")
    if err is not None and "fuzz.alias" not in str(err):
        raise ContractViolation(f"error does not name the file: {err}")
    if table is None:
        return
    if len(table) != len(table.aliases()):
        raise ContractViolation(f"{len(table)} aliases counted, {len(table.aliases())} listed")
    with _alarm(10, "matching hangs (a pathological glob?)"):
        for dev in _modalias_devices():
            mods = table.candidates(dev)
            if len(set(mods)) != len(mods) or not all(isinstance(m, str) and m for m in mods):
                raise ContractViolation(f"candidates -> {mods!r}")


register("modalias", "nicdb.modalias.AliasTable.from_text, then candidates() for a few devices",
         _check_modalias,
         lambda: text_strategy([MODALIAS_SEED], junk=st.sampled_from(MODALIAS_JUNK) | st.text(max_size=40)))


# ------------------------------------------------------------------ the terminal presenter
TERM_TEXT = st.text(alphabet=st.sampled_from(list("abc XYZ-/._019") + ["ネ", "\u0301", "\x1b", "\n", "\t", "\u202e",
                                                                       "\x9b", "é"]), max_size=40)


def _term_case():
    return st.tuples(
        st.integers(1, 6).flatmap(lambda n: st.tuples(
            st.lists(TERM_TEXT, min_size=n, max_size=n),
            st.lists(st.lists(TERM_TEXT, min_size=n, max_size=n), max_size=5))),
        st.integers(1, 200), TERM_TEXT)


def _check_term(case, ctx: "Context") -> None:
    from nicdb.render import term
    from nicdb.render.blocks import Fields, Heading, Table, Text, visible_blocks

    (columns, rows), width, text = case
    blocks = visible_blocks([Heading(text), Text(text, "note"), Fields([(text, text)]),
                             Table(text, list(columns), [list(r) for r in rows], caption=text)])
    lines = term.render_lines(blocks, term.Terminal(width=width, color=False))
    table_lines = term.render_lines(blocks[-1:], term.Terminal(width=width, color=False))
    columns = blocks[-1].columns  # as shown: control characters escaped
    for ln in lines:
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in ln):
            raise ContractViolation(f"a control character reaches the terminal: {ln!r}")
    box = [ln for ln in lines if ln and ln[0] in "┏┃┡│└"]
    if not box:  # too narrow for whole words: a record per row, every line within the width
        if len(columns) < 2:
            raise ContractViolation("a one-column table shown as records")
        least = max(term.cell_len(c) for c in columns[1:]) + 4 + 10  # indent, names, 10 for values
        over = [ln for ln in table_lines if term.cell_len(ln) > max(width, least)]
        if over:
            raise ContractViolation(f"record line wider than the terminal ({width}): {over[0]!r}")
        return
    widths = {term.cell_len(ln) for ln in box}
    if len(widths) != 1:
        raise ContractViolation(f"table lines of different widths {sorted(widths)} at width {width}")
    least = 3 * len(columns) + 1 + 6 * len(columns)  # borders and the narrowest columns
    if widths.pop() > max(width, least):
        raise ContractViolation(f"table wider than the terminal ({width}) though it could fit")


register("term", "nicdb.render.term: tables fit the width, rows stay rectangular, no raw controls",
         _check_term, _term_case)


# ------------------------------------------------------------------ the command line
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data"  # in a source checkout
KERNEL_TEXTS = ["6.1", "6.1.0-18-amd64", "2.6.32", "v5.10", "3", "99999999999999999999", "", "x", "٣.١",
                "2.6.13-2.6.32", ">=3.0"]


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """Run ``nicdb.cli.main(argv)`` in this process, with a strict UTF-8 stdout (like a
    pipe or a UTF-8 terminal) and a backslash-replacing stderr (like Python's own)."""
    from nicdb.cli import main

    ob, eb = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(ob, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(eb, encoding="utf-8", errors="backslashreplace", write_through=True)
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr = out, err
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    code = 0
    try:
        try:
            main(list(argv))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    if code == 130:
        raise KeyboardInterrupt
    return code, ob.getvalue().decode("utf-8"), eb.getvalue().decode("utf-8")


def _is_fleet_run(argv: list[str]) -> bool:
    """``identify --from FOLDER``: one error line per broken host is allowed there."""
    if not argv or argv[0] != "identify" or "--from" not in argv[:-1]:
        return False
    from nicdb.inputs.fleet_folder import is_sysfs_tree

    src = argv[argv.index("--from") + 1]
    try:
        return os.path.isdir(src) and not is_sysfs_tree(src)
    except (OSError, ValueError):
        return False


def check_cli_result(argv: list[str], code: int, out: str, err: str, expect_json: bool) -> None:
    """The command line's contract: status 0 with nothing on stderr but warnings, or status
    2 with exactly one ``nicdb: error:`` line -- a fleet run, one per host that failed."""
    problems = [ln for ln in err.splitlines() if not ln.startswith("nicdb: warning: ")]
    if code not in (0, 2):
        raise ContractViolation(f"exit status {code}: {err.strip()[:500]}")
    if code == 2:
        ok = bool(problems) and all(ln.startswith("nicdb: error: ") for ln in problems)
        if not ok or (len(problems) != 1 and not _is_fleet_run(argv)):
            raise ContractViolation(f"exit status 2 without exactly one error line: {err[:500]!r}")
        return
    if problems:
        raise ContractViolation(f"exit status 0 with stderr: {err[:500]!r}")
    if expect_json:
        try:
            json.loads(out)
        except ValueError as e:
            raise ContractViolation(f"--json output is not JSON ({e}): {out[:200]!r}") from None


def _db_stat(path: Path) -> tuple:
    st_ = path.stat()
    return st_.st_ino, st_.st_size, st_.st_mtime_ns


@_memo
@st.composite
def cli_argv(draw):
    idt = _either(SQL_TEXTS, ID_TEXTS + SQL_TEXTS)
    cmd = draw(st.sampled_from(["chip", "chip", "search", "suggest", "suggest", "device", "path"]))
    fmt = draw(st.sampled_from([[], ["--json"], ["--plain"]]))
    if cmd == "chip":
        argv = ["chip", draw(idt)]
        if draw(st.booleans()):
            argv += ["--rev", draw(idt)]
    elif cmd == "search":
        argv = ["search", draw(_either(SQL_TEXTS, ["VT6122", "velocity", "Intel", "8139", "rhine"] + SQL_TEXTS))]
    elif cmd == "suggest":
        argv = ["suggest", "--id", draw(idt)]
        if draw(st.booleans()):
            argv += ["--rev", draw(idt)]
        if draw(st.booleans()):
            argv += ["--kernel", draw(_any_text(KERNEL_TEXTS))]
    elif cmd == "device":  # a slot or interface name that may not be there, in a real sysfs fixture
        argv = ["suggest", draw(_either(SQL_TEXTS, ["eth0", "00:0a.0", "0000:00:0a.0", "0000:00:0A.0", "lo"])),
                "--sysfs", str(FIXTURES / "sysfs" / "vt6122-board")]
    else:  # a path that names something odd: a line break in it, too long, below a file, nothing
        # (never a folder of folders: that is a fleet, which reports one error line per host)
        argv = [draw(st.sampled_from(["identify", "suggest"])), draw(st.sampled_from(["--from", "--sysfs"])),
                draw(st.sampled_from(["", "/nonexistent/", "/dev/null/", str(FIXTURES / "lspci" / "nics-plain.txt"),
                                      str(FIXTURES / "sysfs" / "vt6122-board")]))
                + draw(_any_text(["x\ny", "x\ry", "\u2028", "a b", "-", "..", "\udcff"]))]
    if draw(st.integers(0, 9)) == 0:  # and now and then something the parser must refuse
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(["--rev", "--", "-x", "--id", "extra"])
                                                          | st.text(max_size=6)))
        return argv + fmt, False
    helps = {"-h", "--help"}
    # a generated value that click takes for "--", help or version means no JSON to expect
    return argv + fmt, fmt == ["--json"] and not {"--", "-h", "--help", "-V", "--version"} & set(argv) and not helps & set(argv)


def _check_cli(ex, ctx: Context) -> None:
    argv, expect_json = ex
    # relative paths ("..", "x\ny") resolve in a folder of the harness's own, not wherever
    # the fuzzer was started (whose parent may be any size of fleet)
    here = ctx.tmp / "cwd" / "below"
    if not here.is_dir():
        here.mkdir(parents=True)
        (here.parent / "garbage.txt").write_bytes(b"not lspci output\n")
    old = os.getcwd()
    os.chdir(here)
    try:
        code, out, err = run_cli(argv)
    finally:
        os.chdir(old)
    check_cli_result(argv, code, out, err, expect_json and code == 0)
    if _db_stat(ctx.db) != ctx.db_stat:
        raise ContractViolation("the database file changed")


register("cli", "nicdb.cli.main: chip, search, suggest --id/--rev/--kernel",
         _check_cli,
         lambda: cli_argv(), needs_db=True)


@_memo
@st.composite
def cli_input_case(draw):
    kind = draw(st.sampled_from(["snapshot", "json", "lspci", "hex"]))
    if kind == "snapshot":
        data = draw(archive_bytes())
    elif kind == "json":
        data = draw(_json_text()).encode("utf-8", "surrogatepass")
    else:
        data = draw(text_strategy(LSPCI_SEEDS if kind == "lspci" else HEX_SEEDS)).encode("utf-8", "surrogatepass")
    opt = "--sysfs" if kind == "snapshot" and draw(st.booleans()) else "--from"
    cmd = draw(st.sampled_from([["identify"], ["identify", "--all"], ["suggest"]]))
    fmt = draw(st.sampled_from([["--json"], ["--plain"]]))
    kernel = draw(st.sampled_from([[], ["--kernel", "6.1"], ["--kernel", "2.6.32"]]))
    return data, cmd + [opt, "@INPUT@"] + kernel + fmt


def _check_cli_input(ex, ctx: Context) -> None:
    data, argv = ex
    p = ctx.tmp / "input"
    p.write_bytes(data)
    argv = [str(p) if a == "@INPUT@" else a for a in argv]
    with _alarm(60, "the command hangs"):
        code, out, err = run_cli(argv)
    check_cli_result(argv, code, out, err, code == 0 and argv[-1] == "--json")
    if _db_stat(ctx.db) != ctx.db_stat:
        raise ContractViolation("the database file changed")


register("cli_input", "identify/suggest --from/--sysfs on generated files (end to end)",
         _check_cli_input,
         lambda: cli_input_case(), speed="slow", needs_db=True)


def _overlay_state(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


@_memo
@st.composite
def db_add_argv(draw):
    txt = _either(SQL_TEXTS, ["MYCHIP", "my board", "a\"b", "x\\y", "'''", "[x]", "a\nb", "\x7f", "é", "#"])
    kind = draw(st.sampled_from(["chip", "measurement", "issue"]))
    if kind == "chip":
        argv = ["db", "add", "chip", draw(_either(["abcd:1234", "abcd:5678"], ID_TEXTS)),
                "--revs", draw(_either(["10-1f", "20", "*"], ID_TEXTS)),
                "--chip", draw(txt), "--products", draw(txt), "--notes", draw(txt)]
        if draw(st.booleans()):
            argv += ["--bus", draw(st.sampled_from(["pci", "pcie", "x"]))]
    elif kind == "measurement":
        argv = ["db", "add", "measurement", "--set", draw(st.sampled_from(["my-set", "seed"]) | txt),
                "--id", draw(_either(["1106:3119"], ID_TEXTS)), "--rev",
                draw(_either(["11", "*"], ID_TEXTS)),
                "--driver", draw(st.sampled_from(["via-velocity", "e1000"]) | txt),
                "--direction", draw(st.sampled_from(["tx", "rx", "up"])),
                "--mbps", draw(st.sampled_from(["612.5", "0", "-1", "nan", "inf", "1e9", "x"])),
                "--title", draw(txt), "--note", draw(txt)]
    else:
        argv = ["db", "add", "issue", draw(st.sampled_from(["via-velocity", "e1000"]) | txt),
                "--id", draw(st.sampled_from(["my-hang"]) | txt), "--title", draw(txt),
                "--affected", draw(_any_text(VERSION_TEXTS)), "--workaround", draw(txt)]
    return argv


def _check_db_add(argv, ctx: Context) -> None:
    from nicdb.kb import paths
    from nicdb.kb.load import load_tree

    code, out, err = run_cli(argv)
    check_cli_result(argv, code, out, err, False)
    now = _overlay_state(ctx.overlay)
    try:
        if code == 2 and now != ctx.overlay_files:
            raise ContractViolation("a refused 'db add' changed the overlay")
        if code == 0:
            stray = [k for k in now if k.endswith(".tmp")]
            if stray:
                raise ContractViolation(f"temporary files left in the overlay: {stray}")
            _, bad = expect_clean(load_tree, paths.roots())
            if bad is not None:
                raise ContractViolation(f"an accepted 'db add' left an overlay that does not load: {bad}")
            for k, v in ctx.overlay_files.items():
                if not now.get(k, b"").startswith(v.rstrip(b"\n")):
                    raise ContractViolation(f"an accepted 'db add' lost the earlier content of {k}")
    finally:
        if now != ctx.overlay_files:  # back to the start for the next example
            shutil.rmtree(ctx.overlay)
            for k, v in ctx.overlay_files.items():
                (ctx.overlay / k).parent.mkdir(parents=True, exist_ok=True)
                (ctx.overlay / k).write_bytes(v)


register("cli_db_add", "db add chip|measurement|issue: refused additions leave the overlay as it was",
         _check_db_add,
         lambda: db_add_argv(), speed="slow", needs_overlay=True)


# ============================================================== running
@dataclass
class Failure:
    error: str
    input: str
    saved: str | None = None


@dataclass
class Result:
    name: str
    tried: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@contextlib.contextmanager
def _environment(t: Target, db: str | None):
    """A private scratch folder; for CLI targets a private database and overlay."""
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix=f"nicdb-fuzz-{t.name}-", dir=os.environ.get("NICDB_FUZZ_TMP", shm)) as tmp:
        ctx = Context(tmp=Path(tmp))
        saved = {k: os.environ.get(k) for k in ("NICDB_DB", "NICDB_OVERLAY")}
        stack = contextlib.ExitStack()
        try:
            if t.needs_db or t.needs_overlay:
                os.environ["NICDB_OVERLAY"] = str(ctx.tmp / "overlay")
                if db is None or t.needs_overlay:
                    db = str(ctx.tmp / "nicdb.sqlite")
                os.environ["NICDB_DB"] = db
                from nicdb.kb.store import KnowledgeBase

                KnowledgeBase.open(db).close()
                ctx.db = Path(db)
                ctx.db_stat = _db_stat(ctx.db)
            if t.needs_overlay:
                stack.enter_context(_memoized_toml())
                ctx.overlay = ctx.tmp / "overlay"
                code, _, err = run_cli(["db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "SEED"])
                if code != 0:
                    raise RuntimeError(f"cannot seed the overlay: {err}")
                ctx.overlay_files = _overlay_state(ctx.overlay)
            yield ctx
        finally:
            stack.close()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _no_warnings(caught: list) -> None:
    """A Python warning raised in nicdb's own code would reach the user's stderr as two
    lines of its own: a failure like any other."""
    for w in caught:
        if os.path.abspath(w.filename).startswith(_PKG_DIR) and not w.filename.endswith("fuzz.py"):
            raise ContractViolation(f"{w.category.__name__} at {os.path.basename(w.filename)}:{w.lineno}: "
                                    f"{w.message}")


@contextlib.contextmanager
def _memoized_toml():
    """Parse each distinct TOML text once (``db add`` validates the whole of data/ twice per
    accepted addition: ~0.5 s of tomllib). Keyed by the file's bytes, so a changed overlay
    file is parsed afresh; a text that fails is never cached; a copy is returned each time."""
    import pickle

    from nicdb.kb import load

    original = load._load_doc
    cache: dict[bytes, bytes] = {}

    def load_doc(path, label):
        try:
            data = Path(path).read_bytes()
        except OSError:
            return original(path, label)
        hit = cache.get(data)
        if hit is None:
            doc = original(path, label)
            cache[data] = pickle.dumps(doc)
            return doc
        return pickle.loads(hit)

    load._load_doc = load_doc
    try:
        yield
    finally:
        load._load_doc = original


def _where(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    if not tb:
        return "?"
    f = tb[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}"


def _show_input(x: Any, limit: int = 1500) -> str:
    if isinstance(x, bytes) and len(x) > 200:
        return f"<{len(x)} bytes: {x[:200]!r}...>"
    r = repr(x)
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} characters)"


def _save(x: Any, folder: str, name: str, n: int) -> str:
    os.makedirs(folder, exist_ok=True)
    if isinstance(x, bytes):
        p = os.path.join(folder, f"{name}-{n}.bin")
        Path(p).write_bytes(x)
    elif isinstance(x, str):
        p = os.path.join(folder, f"{name}-{n}.txt")
        Path(p).write_bytes(x.encode("utf-8", "surrogatepass"))
    else:
        p = os.path.join(folder, f"{name}-{n}.repr")
        Path(p).write_text(repr(x) + "\n")
    return p


def run_target(name: str, examples: int = DEFAULT_EXAMPLES, *, seed: int | None = None, db: str | None = None,
               save: str | None = None) -> Result:
    """Run one target with ``examples`` inputs. Never raises for a finding: see Result."""
    res = Result(name)
    t = TARGETS[name]
    found: dict[tuple[str, str], tuple[str, Any]] = {}

    with _environment(t, db) as ctx:
        def test(x):
            res.tried += 1
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    t.check(x, ctx)
                _no_warnings(caught)
            except KeyboardInterrupt:
                raise
            except BaseException as e:
                found[(type(e).__name__, _where(e))] = (f"{type(e).__name__} at {_where(e)}: {e}"[:2000], x)
                raise

        test = settings(max_examples=examples, deadline=None, derandomize=False, database=None,
                        suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                        phases=(Phase.explicit, Phase.generate, Phase.shrink), report_multiple_bugs=True,
                        print_blob=False)(given(t.strategy())(test))
        if seed is not None:
            test = hypothesis.seed(seed)(test)
        t0 = time.perf_counter()
        try:
            test()
        except KeyboardInterrupt:
            raise
        except BaseException as e:
            errors = list(e.exceptions) if isinstance(e, BaseExceptionGroup) else [e]
            for err in errors:
                key = (type(err).__name__, _where(err))
                msg, x = found.get(key, (f"{type(err).__name__} at {_where(err)}: {err}"[:2000], None))
                res.failures.append(Failure(msg, _show_input(x)))
                if save and x is not None:
                    res.failures[-1].saved = _save(x, save, name, len(res.failures))
        res.seconds = time.perf_counter() - t0
    return res


def _run_one(args: tuple) -> Result:
    name, examples, seed, save, seeds = args
    for d in seeds:
        add_seed_dir(d)
    return run_target(name, examples, seed=seed, save=save)


def format_result(r: Result) -> str:
    rate = r.tried / r.seconds if r.seconds else 0
    head = (f"{r.name:12} {r.tried:8d} inputs {r.seconds:8.1f} s ({rate:6.0f}/s)  "
            + ("ok" if r.ok else f"FAILED ({len(r.failures)})"))
    lines = [head]
    for f in r.failures:
        lines.append(f"    {f.error}")
        lines.append(f"      minimal input: {f.input}")
        if f.saved:
            lines.append(f"      saved to: {f.saved}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tests/fuzz.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", "-n", type=int, default=DEFAULT_EXAMPLES, help="inputs per target (default 100000)")
    ap.add_argument("--target", "-t", action="append", choices=sorted(TARGETS), metavar="NAME",
                    help="run only this target (repeatable); default: all")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="targets run at once (worker processes)")
    ap.add_argument("--seed", type=int, help="hypothesis seed, to repeat a run")
    ap.add_argument("--seeds", action="append", default=[], metavar="DIR", help="more valid inputs to mutate")
    ap.add_argument("--save", metavar="DIR", help="write each minimal failing input to DIR")
    ap.add_argument("--list", action="store_true", help="list the targets and exit")
    a = ap.parse_args(argv)
    for d in a.seeds:
        add_seed_dir(d)
    if a.list:
        for n, t in TARGETS.items():
            print(f"{n:12} {t.speed:6} {t.doc}")
        return 0
    names = a.target or list(TARGETS)
    print(f"nicdb fuzz: {len(names)} targets, {a.examples} inputs each, hypothesis {hypothesis.__version__}",
          flush=True)
    results: list[Result] = []
    t0 = time.perf_counter()
    if a.jobs > 1 and len(names) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=a.jobs) as pool:
            futs = [pool.submit(_run_one, (n, a.examples, a.seed, a.save, a.seeds)) for n in names]
            for fut in as_completed(futs):
                results.append(fut.result())
                print(format_result(results[-1]), flush=True)
    else:
        for n in names:
            results.append(run_target(n, a.examples, seed=a.seed, save=a.save))
            print(format_result(results[-1]), flush=True)
    failed = [r for r in results if not r.ok]
    print(f"{sum(r.tried for r in results)} inputs in {time.perf_counter() - t0:.1f} s; "
          + (f"{len(failed)} target(s) FAILED: {', '.join(r.name for r in failed)}" if failed else "no failures"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
