#!/usr/bin/env python3
"""nicdb's benchmark: measures on the machine it runs on, as ratios taken in one run.

    .venv/bin/python scripts/bench.py [--runs 7] [--hosts 10000] [--per-host 100] [--quick]

Run it with the interpreter of the environment nicdb is installed in (the README's
first command makes .venv); it times that environment's `nicdb` console script.

Whole-process timings are the median of --runs runs after one warm-up:

- `nicdb identify --json` and the table (on a pseudo-terminal) against `lspci -nnk`,
  `lshw -class network` (when installed) and Python's import floor for the libraries on
  that path (`python -c "import click, pyudev, sqlite3, json"`). nicdb's console command
  switches the cyclic GC off and ends the process right after flushing its output (see
  nicdb/console.py), which the plain floor command does not; for transparency the floor
  is also shown with the same treatment;
- `nicdb db build` from scratch (data/ with the driver facts, the full system pci.ids and
  the running kernel's modules.alias when there is one);
- chip lookups per second, in-process;
- bulk offline identification of a generated fleet (default 10,000 hosts x 100 PCI
  functions = 1,000,000 device records of `lspci -vmmnnk`): records per second and
  peak memory, then the same at a tenth of the size to show memory stays flat;
- peak RSS of `nicdb identify --json`;
- the size of the wheel (`pip wheel . --no-deps`), what a user installs;
- the same bulk identification with `-j 1` (one process) and `-j 2` (two worker
  processes), the two taking turns run by run: the parallel speed-up (`--jobs-only`
  measures only this).

It prints a Markdown table (paste it into README's "Benchmarks") and each target of
issue 6 with whether this run met it.
Nothing here is a test: timings vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
TTY_COLUMNS = 132


def run_once(cmd: list[str], env: dict, tty: bool = False) -> float:
    """Wall seconds of one run of ``cmd`` (on a pseudo-terminal with ``tty``)."""
    t0 = time.perf_counter()
    if tty:
        import fcntl
        import pty
        import struct
        import termios

        master, slave = pty.openpty()
        # a terminal wide enough for the box table (on 80 columns identify draws records)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, TTY_COLUMNS, 0, 0))
        p = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
        p.wait()
        os.close(master)
    else:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, None):
        raise SystemExit(f"bench: {' '.join(cmd)} exited {p.returncode}")
    return dt


def interleaved_medians(cmds: dict[str, tuple[list[str], bool]], env: dict, runs: int) -> dict[str, float]:
    """Median wall time of each ``name: (command, on a pty?)``, the commands taking turns
    run by run, so a change in the machine's load affects them all alike."""
    for cmd, tty in cmds.values():
        run_once(cmd, env, tty)  # warm-up (page cache, database built)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, (cmd, tty) in cmds.items():
            times[name].append(run_once(cmd, env, tty))
    return {k: statistics.median(v) for k, v in times.items()}


def peak_rss_kib(cmd: list[str], env: dict) -> int:
    """Peak RSS of one run, via a small wrapper process so other children do not count."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PY, "-c", code, *cmd], capture_output=True, text=True, env=env)
    return int(out.stdout.strip() or 0)


NICS = [  # (class, vendor, vname, device, dname, rev, driver, module)
    ("Ethernet controller [0200]", "1106", "VIA Technologies, Inc.", "3119",
     "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter", "11", "via-velocity", "via_velocity"),
    ("Ethernet controller [0200]", "1106", "VIA Technologies, Inc.", "3119",
     "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter", "82", "via-velocity", "via_velocity"),
    ("Ethernet controller [0200]", "10ec", "Realtek Semiconductor Co., Ltd.", "8139",
     "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter", "20", "8139cp", "8139too, 8139cp"),
    ("Ethernet controller [0200]", "8086", "Intel Corporation", "1229",
     "82557/8/9/0/1 Ethernet Pro 100", "08", "e100", "e100"),
    ("Ethernet controller [0200]", "8086", "Intel Corporation", "10c9",
     "82576 Gigabit Network Connection", "01", "igb", "igb"),
    ("Ethernet controller [0200]", "1af4", "Red Hat, Inc.", "1041", "Virtio 1.0 network device", "01",
     "virtio-pci", "virtio_pci"),
]
OTHERS = [
    ("Host bridge [0600]", "8086", "Intel Corporation", "0d57", "Device 0d57", "00", None),
    ("PCI bridge [0604]", "8086", "Intel Corporation", "a110", "100 Series/C230 Series PCI Express Root Port",
     "f1", "pcieport"),
    ("SATA controller [0106]", "8086", "Intel Corporation", "a102", "Q170/Q150/B150/H170/H110/Z170/CM236 SATA",
     "31", "ahci"),
    ("USB controller [0c03]", "8086", "Intel Corporation", "a12f", "100 Series/C230 Series USB 3.0 xHCI",
     "31", "xhci_hcd"),
]


def wheel_size_kib(folder: Path) -> float:
    """The size of nicdb's wheel, built from the checkout this script is in."""
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([PY, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(repo)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (wheel,) = folder.glob("nicdb-*.whl")
    return wheel.stat().st_size / 1024


def record(slot: str, cls, vid, vname, did, dname, rev, driver, module=None) -> str:
    lines = [f"Slot:\t{slot}", f"Class:\t{cls}", f"Vendor:\t{vname} [{vid}]", f"Device:\t{dname} [{did}]",
             f"SVendor:\t{vname} [{vid}]", "SDevice:\tDevice [0001]", f"Rev:\t{rev}"]
    if driver:
        lines.append(f"Driver:\t{driver}")
    if module:
        lines.append(f"Module:\t{module}")
    return "\n".join(lines) + "\n\n"


def make_fleet(folder: Path, hosts: int, per_host: int, seed: int = 1) -> int:
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for h in range(hosts):
        parts = []
        for i in range(per_host):
            slot = f"0000:{i // 32:02x}:{i % 32:02x}.0"
            if i % 25 == 3:
                parts.append(record(slot, *rnd.choice(NICS)))
            else:
                parts.append(record(slot, *rnd.choice(OTHERS)))
            total += 1
        (folder / f"host{h:06d}.txt").write_text("".join(parts))
    return total


def _machine_busy() -> float:
    """CPU seconds every process of the machine has used so far (/proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def jobs_speedup(nicdb: list[str], env: dict, folder: Path, records: int, runs: int) -> dict:
    """Records per second of bulk identification with -j 1 and -j 2 (median wall time of
    ``runs`` runs, the two taking turns), and how much CPU other processes of the machine
    took meanwhile (a parallel run cannot be faster than the CPUs it gets)."""
    import resource

    cmds = {j: (nicdb + ["identify", "--from", str(folder), "--json", "-j", str(j)], False) for j in (1, 2)}
    busy0, ours0, t0 = _machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    t = interleaved_medians(cmds, env, runs)
    ours1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = (ours1.ru_utime - ours0.ru_utime) + (ours1.ru_stime - ours0.ru_stime)
    others = max(0.0, _machine_busy() - busy0 - ours) / (time.perf_counter() - t0)
    return {1: records / t[1], 2: records / t[2], "others": others}


def jobs_rows(rates: dict, hosts: int, records: int) -> list[tuple[str, str, str]]:
    return [(f"bulk identify --json -j 1: {hosts:,} hosts, {records:,} records", f"{rates[1]:,.0f} records/s", ""),
            (f"bulk identify --json -j 2: {hosts:,} hosts, {records:,} records", f"{rates[2]:,.0f} records/s",
             f"{rates[2] / rates[1]:.2f}x -j 1; other processes took {rates['others']:.2f} CPUs meanwhile")]


def jobs_target(rates: dict) -> tuple[str, str, bool]:
    return ("-j 2 at least 1.7x the single-process rate (issue 15, on 2 cores)", f"{rates[2] / rates[1]:.2f}x",
            rates[2] >= 1.7 * rates[1])


def jobs_only(args, runs: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="nicdb-bench-"))
    env = dict(os.environ, NICDB_DB=str(tmp / "bench.sqlite"), NICDB_OVERLAY=str(tmp / "no-overlay"))
    script = Path(PY).with_name("nicdb")
    nicdb = [str(script)] if script.is_file() else [PY, "-m", "nicdb"]
    load = os.getloadavg()[0]
    try:
        records = make_fleet(tmp / "fleet", args.hosts, args.per_host)
        rates = jobs_speedup(nicdb, env, tmp / "fleet", records, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}; median of {runs} runs after a warm-up; load average before "
          f"{load:.2f}, after {os.getloadavg()[0]:.2f}")
    print()
    print("| measurement | result | ratio / notes |")
    print("| --- | --- | --- |")
    for a, b, c in jobs_rows(rates, args.hosts, records):
        print(f"| {a} | {b} | {c} |")
    what, value, ok = jobs_target(rates)
    print(f"\n- {'met' if ok else 'NOT met'}: {what}: {value}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--per-host", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="a 100,000-record fleet instead of 1,000,000")
    ap.add_argument("--bulk-before", type=float, default=173_760, metavar="RATE",
                    help="bulk records/s before the driver facts, on this machine (default: docs/benchmarks.md)")
    ap.add_argument("--jobs-only", action="store_true", help="measure only -j 2 against -j 1")
    args = ap.parse_args()
    if args.quick:
        args.hosts = 1000
    runs = max(5, args.runs)
    if args.jobs_only:
        return jobs_only(args, runs)
    tmp = Path(tempfile.mkdtemp(prefix="nicdb-bench-"))
    env = dict(os.environ, NICDB_DB=str(tmp / "bench.sqlite"), NICDB_OVERLAY=str(tmp / "no-overlay"))
    env.pop("COLUMNS", None)  # the pty's own size decides the table's layout
    script = Path(PY).with_name("nicdb")  # the installed console script, as users run it
    nicdb = [str(script)] if script.is_file() else [PY, "-m", "nicdb"]
    rows: list[tuple[str, str, str]] = []
    try:
        lspci = shutil.which("lspci")
        lshw = shutil.which("lshw")
        timed = {
            "floor": ([PY, "-c", "import click, pyudev, sqlite3, json"], False),
            "floor_gc": ([PY, "-c", "import gc, os; gc.disable(); import click, pyudev, sqlite3, json; os._exit(0)"],
                         False),
            "json": (nicdb + ["identify", "--json"], False),
            "table": (nicdb + ["identify"], True),
        }
        if lspci:
            timed["lspci"] = ([lspci, "-nnk"], False)
        if lshw:
            timed["lshw"] = ([lshw, "-class", "network"], False)
        t = interleaved_medians(timed, env, runs)
        floor, t_json, t_table = t["floor"], t["json"], t["table"]
        t_lspci, t_lshw = t.get("lspci"), t.get("lshw")
        rows.append(("import floor (click, pyudev, sqlite3, json)", f"{floor * 1000:.1f} ms", "1.00x"))
        rows.append(("the same, GC off and a fast exit as nicdb does", f"{t['floor_gc'] * 1000:.1f} ms",
                     f"{t['floor_gc'] / floor:.2f}x floor"))
        rows.append(("nicdb identify --json", f"{t_json * 1000:.1f} ms", f"{t_json / floor:.2f}x floor"))
        rows.append((f"nicdb identify (table, on a {TTY_COLUMNS}-column pty)", f"{t_table * 1000:.1f} ms", f"{t_table / floor:.2f}x floor"))
        if t_lspci:
            rows.append(("lspci -nnk", f"{t_lspci * 1000:.1f} ms", f"identify --json = {t_json / t_lspci:.1f}x lspci"))
        if t_lshw:
            rows.append(("lshw -class network", f"{t_lshw * 1000:.1f} ms",
                         f"identify --json = {t_json / t_lshw:.2f}x lshw, table = {t_table / t_lshw:.2f}x lshw"))
        id_rss = peak_rss_kib(nicdb + ["identify", "--json"], env)
        rows.append(("peak RSS of identify --json", f"{id_rss / 1024:.1f} MiB", ""))

        builds = []
        for _ in range(runs):
            (tmp / "build.sqlite").unlink(missing_ok=True)
            t0 = time.perf_counter()
            subprocess.run(nicdb + ["db", "build"], env=dict(env, NICDB_DB=str(tmp / "build.sqlite")),
                           stdout=subprocess.DEVNULL, check=True)
            builds.append(time.perf_counter() - t0)
        build_s = statistics.median(builds)
        rows.append(("nicdb db build from scratch (data/ with driver facts + pci.ids), whole process",
                     f"{build_s * 1000:.0f} ms", ""))

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.update(NICDB_DB=env["NICDB_DB"], NICDB_OVERLAY=env["NICDB_OVERLAY"])
        from nicdb.kb.store import KnowledgeBase

        kb = KnowledgeBase.open()
        ids = [(r["vendor"], r["device"]) for r in kb.q("SELECT DISTINCT vendor, device FROM chips")]
        rnd = random.Random(2)
        t0 = time.perf_counter()
        for v, d in ids:  # each ID once on a fresh handle: every lookup goes to SQLite
            kb.chips(v, d, rnd.randrange(256))
        cold = len(ids) / (time.perf_counter() - t0)
        n = 20000
        t0 = time.perf_counter()
        for _ in range(n):
            v, d = rnd.choice(ids)
            kb.chips(v, d, rnd.randrange(256))
        rate = n / (time.perf_counter() - t0)
        rows.append(("chip lookups, in-process (kb.chips by ID and revision)", f"{rate:,.0f} /s",
                     f"{n:,} lookups over {len(ids)} IDs; first lookup of an ID: {cold:,.0f} /s"))

        bulk: list[tuple[int, float, int]] = []
        for hosts in (args.hosts // 10, args.hosts):
            folder = tmp / f"fleet-{hosts}"
            total = make_fleet(folder, hosts, args.per_host)
            cmd = nicdb + ["identify", "--from", str(folder), "--json"]
            run_once(nicdb + ["chip", "1106:3119"], env)
            t0 = time.perf_counter()
            rss = peak_rss_kib(cmd, env)
            dt = time.perf_counter() - t0
            rows.append((f"bulk identify --from DIR --json: {hosts:,} hosts, {total:,} records",
                         f"{total / dt:,.0f} records/s", f"{dt:.1f} s, peak RSS {rss / 1024:.1f} MiB"))
            bulk.append((total, total / dt, rss))
            if hosts == args.hosts:
                rates = jobs_speedup(nicdb, env, folder, total, runs)
                rows += jobs_rows(rates, hosts, total)
            shutil.rmtree(folder)
        wheel_kib = wheel_size_kib(tmp / "wheel")
        rows.append(("wheel (pip wheel . --no-deps)", f"{wheel_kib:,.0f} KiB", "what pip installs, before dependencies"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"kernel {platform.release()}, {time.strftime('%Y-%m-%d')}; median of {runs} runs after a warm-up")
    print()
    print("| measurement | result | ratio / notes |")
    print("| --- | --- | --- |")
    for a, b, c in rows:
        print(f"| {a} | {b} | {c} |")
    (_, _, rss_small), (big, rate_big, rss_big) = bulk
    targets = [
        ("identify --json within 1.1x of the import floor", f"{t_json / floor:.2f}x", t_json <= 1.1 * floor),
        ("identify --json faster than lshw -class network",
         "no lshw" if not t_lshw else f"{t_json / t_lshw:.2f}x lshw", bool(t_lshw) and t_json < t_lshw),
        ("the table faster than lshw -class network",
         "no lshw" if not t_lshw else f"{t_table / t_lshw:.2f}x lshw", bool(t_lshw) and t_table < t_lshw),
        ("database build <= 1 s", f"{build_s:.2f} s", build_s <= 1.0),
        (f"bulk identification >= 100,000 records/s ({big:,} records)", f"{rate_big:,.0f}/s", rate_big >= 100_000),
        ("bulk memory flat (10x the hosts, peak RSS within 1.25x)", f"{rss_small / 1024:.1f} -> {rss_big / 1024:.1f} MiB",
         rss_big <= 1.25 * rss_small),
        ("peak RSS of identify <= 40 MiB", f"{id_rss / 1024:.1f} MiB", id_rss <= 40 * 1024),
    ]
    jobs_line = jobs_target(rates)
    print()
    print("Targets (issue 6):")
    for what, value, ok in targets:
        print(f"- {'met' if ok else 'NOT met'}: {what}: {value}")
    later = [
        ("identify --json within 1.0x of the import floor", f"{t_json / floor:.2f}x", t_json <= floor),
        ("database build from scratch <= 1.5 s", f"{build_s:.2f} s", build_s <= 1.5),
        (f"bulk identification at least as fast as before the driver facts ({args.bulk_before:,.0f}/s)",
         f"{rate_big:,.0f}/s", rate_big >= args.bulk_before),
        ("wheel small (<= 1 MiB)", f"{wheel_kib:,.0f} KiB", wheel_kib <= 1024),
    ]
    print()
    print("Targets (issue 12, driver facts for every NIC):")
    for what, value, ok in later:
        print(f"- {'met' if ok else 'NOT met'}: {what}: {value}")
    print("\nTarget (issue 15):")
    what, value, ok = jobs_line
    print(f"- {'met' if ok else 'NOT met'}: {what}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
