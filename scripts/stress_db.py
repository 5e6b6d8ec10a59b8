#!/usr/bin/env python3
"""Stress the knowledge-base database: killed builds, concurrent readers, bad database paths.

    python scripts/stress_db.py [--rounds 50] [--rebuilds 20] [--readers 8] [--seed N]

Everything runs in a temporary folder with its own NICDB_DB, NICDB_OVERLAY and XDG
folders (never the user's), using the interpreter nicdb is installed in:

(a) ``--rounds`` times: start ``python -m nicdb db build`` in a subprocess and SIGKILL it
    at a random moment between 0 and 1.25 times the measured build time (so most are
    killed, some mid-write, and a few finish); then the database must be
    the previous one, untouched (same inode and bytes), or -- when the build won the race --
    a complete new one (integrity check ok, nicdb's meta rows present); never a partial
    file. ``nicdb chip 1106:3119 --rev 11 --json`` must exit 0, answer VT3216 and warn
    about nothing. Killed builds leave their temporary ``.nicdb.sqlite.<pid>.tmp``; the
    report says how many are left and whether later builds swept them.
(b) ``--readers`` processes query in a loop (open the database as a command does, chip
    and families; every tenth query a whole ``nicdb chip`` subprocess) while this process
    rebuilds the database ``--rebuilds`` times, then changes the overlay a few times so
    the readers find the database out of date and rebuild it themselves, concurrently.
    Every reader must always see the old or the new database: errors must be 0.
(c) The read commands (chip, families, search, suggest, identify --sysfs, db info) on a
    corrupt database file (each must rebuild it with a warning) and on a database in a
    read-only folder (as root, which ignores permissions: a path below a regular file);
    each must exit 0 with the right answer.

It prints a short report and exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "data" / "sysfs" / "vt6122-board"
CHIP = ["chip", "1106:3119", "--rev", "11", "--json"]


def nicdb(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nicdb", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def chip_ok(r: subprocess.CompletedProcess) -> bool:
    if r.returncode != 0:
        return False
    try:
        return any(c["chip"] == "VT3216" for c in json.loads(r.stdout)["chips"])
    except (ValueError, KeyError, TypeError):
        return False


def temp_files(db: Path) -> list[str]:
    return sorted(n for n in os.listdir(db.parent) if n.startswith(f".{db.name}.") and n.endswith(".tmp"))


def whole_database(db: Path) -> bool:
    """A complete nicdb database: sqlite integrity ok and the meta rows a build writes last."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            keys = {r[0] for r in con.execute("SELECT key FROM meta")}
            chips = con.execute("SELECT COUNT(*) FROM chips").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return ok and {"schema_version", "fingerprint", "built_at"} <= keys and chips > 0


def fingerprint(db: Path) -> tuple:
    st = db.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns, db.read_bytes()


# ---------------------------------------------------------------- (a) killed builds
def killed_builds(env: dict, db: Path, rounds: int, rng: random.Random, problems: list[str]) -> list[str]:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = nicdb(env, "db", "build")
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            problems.append(f"(a) db build failed: {r.stderr.strip()}")
            return [f"(a) db build failed: {r.stderr.strip()}"]
    build_time = statistics.median(times)
    killed = finished = usable = partial = writing = 0
    most_left = 0
    for i in range(rounds):
        before = fingerprint(db)
        p = subprocess.Popen([sys.executable, "-m", "nicdb", "db", "build"], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, build_time * 1.25))
        done = p.poll() is not None
        if not done:
            writing += f".{db.name}.{p.pid}.tmp" in temp_files(db)
            p.send_signal(signal.SIGKILL)
        p.wait()
        killed += not done and p.returncode == -signal.SIGKILL
        finished += done or p.returncode == 0
        now = fingerprint(db)
        if now[0] == before[0]:
            if now != before:
                partial += 1
                problems.append(f"(a) round {i}: the database was changed in place")
        elif not whole_database(db):
            partial += 1
            problems.append(f"(a) round {i}: a partial database replaced the previous one")
        r = nicdb(env, *CHIP)
        if chip_ok(r) and not r.stderr.strip():
            usable += 1
        else:
            problems.append(f"(a) round {i}: chip after the kill: exit {r.returncode}, {r.stderr.strip()[:200]!r}")
        most_left = max(most_left, len(temp_files(db)))
    left = temp_files(db)
    r = nicdb(env, "db", "build")  # a normal build afterwards sweeps what killed builds left
    after = temp_files(db)
    if r.returncode != 0:
        problems.append(f"(a) db build after the rounds failed: {r.stderr.strip()}")
    if after:
        problems.append(f"(a) {len(after)} temporary files still there after a normal build: {after[:3]}")
    if most_left > 2:
        problems.append(f"(a) temporary files accumulate: up to {most_left} at once")
    return [
        f"(a) {rounds} build rounds, build time {build_time:.2f} s (median of 3), killed at random in "
        f"0-{build_time * 1.25:.2f} s:",
        f"    {killed} killed ({writing} while writing the temporary database), {finished} finished before the kill",
        f"    database usable after the round (chip -> VT3216, no warning): {usable}/{rounds}",
        f"    partial or in-place-modified database: {partial}",
        f"    temporary files left by killed builds: at most {most_left} at once, {len(left)} after the last round, "
        f"{len(after)} after one more normal build ({'swept' if not after else 'NOT cleaned up'})",
    ]


# ---------------------------------------------------------------- (b) concurrent readers
READER = r"""
import json, os, subprocess, sys, time
from nicdb.kb.store import KnowledgeBase
db, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
reads = errors = cli = 0
first = []
while not os.path.exists(stop):
    reads += 1
    try:
        if reads % 10 == 0:
            cli += 1
            r = subprocess.run([sys.executable, "-m", "nicdb", "chip", "1106:3119", "--rev", "11", "--json"],
                               capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
            bad = [l for l in r.stderr.splitlines() if "out of date" not in l]
            if r.returncode != 0 or bad or json.loads(r.stdout)["chips"][0]["chip"] != "VT3216":
                raise RuntimeError(f"cli exit {r.returncode}: {r.stderr.strip()[:200]}")
        else:
            warnings = []
            kb = KnowledgeBase.open(db, warn=warnings.append)
            try:
                chips = kb.chips(0x1106, 0x3119, 0x11)
                fams = kb.families() if reads % 2 else []
            finally:
                kb.close()
            if kb.path != db or warnings:
                raise RuntimeError(f"{kb.path}: {warnings}")
            if [c["chip"] for c in chips] != ["VT3216"] or (reads % 2 and not fams):
                raise RuntimeError(f"wrong answer {[c['chip'] for c in chips]}")
    except Exception as e:
        errors += 1
        if len(first) < 3:
            first.append(f"{type(e).__name__}: {e}"[:300])
    time.sleep(0.005)
json.dump({"reads": reads, "errors": errors, "cli": cli, "first": first}, open(out, "w"))
"""


def concurrent_readers(env: dict, db: Path, tmp: Path, readers: int, rebuilds: int, overlay_changes: int,
                       problems: list[str]) -> list[str]:
    stop = tmp / "stop"
    script = tmp / "reader.py"
    script.write_text(READER)
    procs = [subprocess.Popen([sys.executable, str(script), str(db), str(stop), str(tmp / f"reader{i}.json")],
                              env=env, stdin=subprocess.DEVNULL) for i in range(readers)]
    time.sleep(1.0)
    t0 = time.perf_counter()
    failed_builds = 0
    inodes = set()
    for _ in range(rebuilds):
        r = nicdb(env, "db", "build")
        failed_builds += r.returncode != 0
        inodes.add(db.stat().st_ino)
    # Now change the overlay: readers find the database out of date and rebuild it themselves.
    ov = Path(env["NICDB_OVERLAY"])
    for i in range(overlay_changes):
        f = ov / "families" / "local-abcd1234.toml"
        if i % 2 == 0:
            r = nicdb(env, "db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "STRESS")
            failed_builds += r.returncode != 0
        else:
            f.unlink()
        time.sleep(1.5)
    seconds = time.perf_counter() - t0
    stop.write_text("")
    for p in procs:
        p.wait(timeout=300)
    stats = [json.loads((tmp / f"reader{i}.json").read_text()) for i in range(readers)]
    reads = sum(s["reads"] for s in stats)
    errors = sum(s["errors"] for s in stats)
    cli = sum(s["cli"] for s in stats)
    first = [m for s in stats for m in s["first"]][:3]
    if errors:
        problems.append(f"(b) {errors} reader errors, e.g. {first}")
    if failed_builds:
        problems.append(f"(b) {failed_builds} rebuilds failed")
    if any(p.returncode != 0 for p in procs):
        problems.append("(b) a reader process died")
    left = temp_files(db)
    return [
        f"(b) {readers} readers during {rebuilds} rebuilds ({len(inodes)} new database files) and {overlay_changes} "
        f"overlay changes (readers rebuild), {seconds:.0f} s:",
        f"    {reads} reads ({cli} of them whole `nicdb chip` runs), {errors} errors"
        + (f": {first}" if first else "") + f"; temporary files left: {len(left)}",
    ]


# ---------------------------------------------------------------- (c) corrupt and read-only databases
READS = [
    (CHIP, chip_ok),
    (["families", "--json"], lambda r: r.returncode == 0 and any(f["id"] == "via-velocity" for f in json.loads(r.stdout))),
    (["search", "VT6122", "--json"], lambda r: r.returncode == 0 and json.loads(r.stdout)["chips"]),
    (["suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "6.1", "--json"],
     lambda r: r.returncode == 0 and json.loads(r.stdout)["nics"][0]["chip"]["chip"] == "VT3216"),
    (["identify", "--sysfs", str(FIXTURE), "--json"],
     lambda r: r.returncode == 0 and any((n.get("chip") or {}).get("chip") == "VT3216" for n in json.loads(r.stdout)["nics"])),
    (["db", "info", "--json"], lambda r: r.returncode == 0 and json.loads(r.stdout)["counts"]["chips"] > 0),
]


def bad_databases(env: dict, tmp: Path, problems: list[str]) -> list[str]:
    out = []
    corrupt = tmp / "corrupt" / "nicdb.sqlite"
    corrupt.parent.mkdir()
    ok = 0
    for args, good in READS:
        corrupt.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
        r = nicdb(env | {"NICDB_DB": str(corrupt)}, *args)
        try:
            passed = bool(good(r)) and "rebuilding it" in r.stderr and "Traceback" not in r.stderr
        except (ValueError, KeyError, TypeError, IndexError):
            passed = False
        ok += passed
        if not passed:
            problems.append(f"(c) corrupt database: {' '.join(args[:2])}: exit {r.returncode}, {r.stderr.strip()[:200]!r}")
    out.append(f"(c) corrupt database file: {ok}/{len(READS)} read commands rebuilt it with a warning and answered")
    if os.geteuid() == 0:
        blocker = tmp / "regular-file"
        blocker.write_text("x")
        ro_db, how = blocker / "nicdb.sqlite", "as root: a path below a regular file"
    else:
        ro = tmp / "read-only"
        ro.mkdir()
        ro.chmod(0o500)
        ro_db, how = ro / "nicdb.sqlite", "a folder with mode 0500"
    ok = 0
    for args, good in READS:
        r = nicdb(env | {"NICDB_DB": str(ro_db)}, *args)
        try:
            passed = bool(good(r)) and "in-memory" in r.stderr and "Traceback" not in r.stderr
        except (ValueError, KeyError, TypeError, IndexError):
            passed = False
        ok += passed
        if not passed:
            problems.append(f"(c) read-only folder: {' '.join(args[:2])}: exit {r.returncode}, {r.stderr.strip()[:200]!r}")
    out.append(f"    read-only database folder ({how}): {ok}/{len(READS)} read commands answered from memory")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=50, help="killed builds (default 50)")
    ap.add_argument("--rebuilds", type=int, default=20, help="rebuilds under readers (default 20)")
    ap.add_argument("--readers", type=int, default=8, help="reader processes (default 8)")
    ap.add_argument("--overlay-changes", type=int, default=4, help="overlay changes under readers (default 4)")
    ap.add_argument("--seed", type=int, help="random seed for the kill moments")
    a = ap.parse_args(argv)
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nicdb-stress-") as tmp:
        tmp = Path(tmp)
        db = tmp / "cache" / "nicdb.sqlite"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NICDB_")}
        env |= {"NICDB_DB": str(db), "NICDB_OVERLAY": str(tmp / "overlay"), "XDG_CACHE_HOME": str(tmp / "cache"),
                "XDG_CONFIG_HOME": str(tmp / "config")}
        print(f"stress_db: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, uid {os.geteuid()}, seed {seed}",
              flush=True)
        t0 = time.perf_counter()
        for line in killed_builds(env, db, a.rounds, rng, problems):
            print(line, flush=True)
        for line in concurrent_readers(env, db, tmp, a.readers, a.rebuilds, a.overlay_changes, problems):
            print(line, flush=True)
        for line in bad_databases(env, tmp, problems):
            print(line, flush=True)
        print(f"{time.perf_counter() - t0:.0f} s in all")
    if problems:
        print(f"FAILED ({len(problems)}):")
        for p in problems[:30]:
            print(f"  - {p}")
        return 1
    print("result: ok, nothing failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
