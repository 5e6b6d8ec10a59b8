"""Reliability: every bad input is one line and exit status 2, never a traceback, never lost data.

The fuzz targets of the harness (tests/fuzz.py) run here with a small budget (``python tests/fuzz.py``
runs them with 100,000 inputs each); the regression tests below pin down each class of bad
input the fuzzer found or is meant to guard: malformed IDs, corrupt pci.ids lines, truncated
dumps, garbage in sysfs files, hostile archives, a corrupt or read-only database, SQL
metacharacters on the command line, and the overlay surviving rebuilds and refused additions.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import os
import shutil
import signal
import tarfile
import tempfile
from pathlib import Path

import pytest

import fuzz  # tests/fuzz.py, the harness
from nicdb.errors import NicdbError

HERE = Path(__file__).parent
REPO = HERE.parent


def one_line(msg: str, *needles: str) -> None:
    assert msg.strip(), "empty message"
    assert len(msg.strip().splitlines()) == 1, f"not one line: {msg!r}"
    assert "Traceback" not in msg
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"


def error_of(fn, *args, **kw) -> str:
    with pytest.raises(NicdbError) as e:
        fn(*args, **kw)
    return str(e.value)


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------- every fuzz target, small budget
@pytest.fixture(scope="module")
def lspci_seeds():
    if (HERE / "data" / "lspci").is_dir() and not fuzz.EXTRA_SEEDS["text"]:
        fuzz.add_seed_dir(HERE / "data" / "lspci")


BUDGET = {"fast": 200, "files": 120, "slow": 80}
# The same inputs on every run, so a red CI can be replayed; NICDB_FUZZ_SEED=<n> explores
# others (and `python tests/fuzz.py` explores freely with far more inputs).
SEED = int(os.environ.get("NICDB_FUZZ_SEED", "20261201"))


@pytest.mark.parametrize("name", list(fuzz.TARGETS))
def test_fuzz_target(name, session_db, lspci_seeds):
    t = fuzz.TARGETS[name]
    res = fuzz.run_target(name, BUDGET[t.speed], seed=SEED, db=session_db if t.needs_db else None)
    assert res.tried >= BUDGET[t.speed] // 2
    assert res.ok, fuzz.format_result(res)


def test_harness_reports_a_failure_with_its_minimal_input(monkeypatch):
    """A target that breaks its contract is reported, shrunk, and not raised."""
    def check(ex, ctx):
        if ex > 10:
            raise KeyError("boom")
    monkeypatch.setitem(fuzz.TARGETS, "demo", fuzz.Target("demo", "demo", lambda: fuzz.st.integers(0, 1000), check))
    res = fuzz.run_target("demo", 300)
    assert not res.ok and "KeyError" in res.failures[0].error and res.failures[0].input == "11"
    assert "FAILED (1)" in fuzz.format_result(res)


def test_fuzz_command_line(capsys):
    assert fuzz.main(["--examples", "30", "--target", "ids", "--target", "versions"]) == 0
    out = capsys.readouterr().out
    assert "ids" in out and "versions" in out and "no failures" in out
    assert fuzz.main(["--list"]) == 0


# ---------------------------------------------------------------- malformed IDs and versions
@pytest.mark.parametrize("fn,arg,needles", [
    ("parse_pci_id", "1106:3119:1106", ["malformed PCI ID '1106:3119:1106'"]),
    ("parse_pci_id", "1106:31190", ["malformed PCI ID '1106:31190'"]),
    ("parse_pci_id", "1106:3119\n--", ["malformed PCI ID '1106:3119\\n--'"]),
    ("parse_rev", "100", ["malformed revision '100'"]),
    ("parse_rev", "1\x00", ["malformed revision '1\\x00'"]),
    ("parse_rev_range", "1f-10", ["revision range '1f-10' runs backwards"]),
    ("parse_hex16", "", ["malformed ID ''"]),
])
def test_malformed_ids_are_one_line(fn, arg, needles):
    from nicdb import ids

    one_line(error_of(getattr(ids, fn), arg), *needles)


def test_versions_with_huge_numbers_and_unknown_operators():
    from nicdb.versions import check_range, in_range, parse_version

    one_line(error_of(parse_version, "6." + "1" * 5000), "a number is too long")
    # check_range accepted "=5.10" and "<<6", which in_range cannot evaluate
    for spec in ("=5.10", "<<6", "==6", ">=6.1,=6.2"):
        one_line(error_of(check_range, spec), "malformed version")
    for spec in (">=2.6.26,<2.6.33", "2.6.13-2.6.32", "*", "<=4.9", ">6"):
        check_range(spec)
        in_range("6.1", spec)


def test_huge_kernel_version_on_the_command_line(run):
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "6." + "9" * 5000)
    assert r.code == 2
    one_line(r.err, "nicdb: error: malformed version", "a number is too long")


def test_usage_errors_are_one_line(run):
    for args, needle in [(("chip",), "Missing argument 'VENDOR:DEVICE'"), (("chip", "-x"), "No such option '-x'"),
                         (("nosuch",), "No such command 'nosuch'"), (("chip", "1106:3119", "--rev"), "--rev"),
                         (("db", "add", "measurement", "--set", "a", "--id", "1106:3119", "--driver", "x",
                           "--direction", "up", "--mbps", "1"), "'up' is not one of")]:
        r = run(*args)
        assert r.code == 2
        one_line(r.err, "nicdb: error: ", needle)


def test_undecodable_argument_is_one_line(run):
    """Bytes the locale cannot decode reach Python as lone surrogates (e.g. $'\\xff')."""
    r = run("search", "\udcff")
    assert r.code == 2
    one_line(r.err, "search text '\\udcff' is not valid UTF-8")


def test_line_breaks_in_paths_and_names_stay_on_one_line(run):
    """A path or name with a line break in it (found by fuzzing) is escaped in the message."""
    for args, needle in [(("identify", "--from", "/nonexistent/x\ny"), "/nonexistent/x\\ny: no such file"),
                         (("identify", "--sysfs", "/nonexistent/x\u2028y"), "x\\u2028y"),
                         (("--pci-ids", "/nonexistent/a\rb", "chip", "1106:3119"), "a\\rb does not exist")]:
        r = run(*args)
        assert r.code == 2
        one_line(r.err, "nicdb: error: ", needle)


def test_too_long_path_is_one_line(run):
    """pathlib's is_dir() raises ENAMETOOLONG where os.path.isdir() says False (found by fuzzing)."""
    from nicdb.inputs.snapshot import read_snapshot

    long = "/tmp/" + "x" * 300
    one_line(error_of(read_snapshot, long), "no such file or folder")
    for opt in ("--sysfs", "--from"):
        r = run("identify", opt, long)
        assert r.code == 2
        one_line(r.err, "nicdb: error: ", "no such file or folder")


def test_odd_glob_in_modules_alias_prints_no_python_warning():
    """``[--3]`` made re.compile emit a FutureWarning (two lines on stderr); ``[z-a]`` raised."""
    import warnings

    from nicdb.model import PciDevice
    from nicdb.modalias import AliasTable

    text = ("alias pci:v00001106d0000[--3]119sv*sd*bc*sc*i* odd_range\n"
            "alias pci:v00001106d*sv*sd*bc*sc*i[&&~|]* odd_ops\n"
            "alias pci:v*d*[z-a]* backwards\n")
    dev = PciDevice(slot="00:0a.0", vendor=0x1106, device=0x3119, class_code=0x020000, origin="t")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert AliasTable.from_text(text, "odd.alias").candidates(dev) == ["odd_range"]


def test_lspci_id_with_a_vertical_tab_is_one_line():
    """An ID field holding \\v (a line break to splitlines()) in -vmm output (found by fuzzing)."""
    from nicdb.inputs import lspci_text as mod

    text = "Slot:\t00:00.0\nClass:\tHost bridge [0600]\nVendor:\tIntel Corporation [\x0b086]\n"
    one_line(error_of(mod.parse_lspci_text, text, "host.txt"), "host.txt line ", "is not hex")


# ---------------------------------------------------------------- corrupt pci.ids
def test_corrupt_pci_ids_lines_name_the_file_and_line():
    from nicdb.names import pciids

    one_line(error_of(lambda: list(pciids.parse("1106  VIA\n\tzz99  broken\n", origin="my.ids"))),
             "my.ids line 2: malformed device line", "zz99")
    # a record separator inside a name is a line break to splitlines()
    one_line(error_of(lambda: list(pciids.parse("1106  VIA\x1c\tjunk\n", origin="my.ids"))), "my.ids line 2")
    one_line(error_of(lambda: list(pciids.parse("\t\t1106 0102  sub before any device\n", origin="my.ids"))),
             "my.ids line 1: malformed subsystem line")


def test_corrupt_compressed_pci_ids(tmp_path, run, monkeypatch):
    from nicdb.names import pciids

    raw = gzip.compress(fuzz.PCI_IDS_SEED.encode() * 20)
    bad = bytearray(raw)
    bad[40] ^= 0xFF  # inside the deflate stream: zlib.error, which gzip does not wrap
    for name, data in [("bad.gz", bytes(bad)), ("short.gz", raw[:60]),
                       ("bad.xz", lzma.compress(b"1106  VIA\n")[:-20] + b"\0" * 20)]:
        p = tmp_path / name
        p.write_bytes(data)
        one_line(error_of(pciids.open_text, p), str(p), "compressed pci.ids is corrupt")
    # on the command line: exit 2, one line, and the database that was there is kept
    db = tmp_path / "db.sqlite"
    monkeypatch.setenv("NICDB_DB", str(db))
    assert run("db", "build").code == 0
    before = sha(db)
    r = run("--pci-ids", str(tmp_path / "bad.gz"), "db", "build")
    assert r.code == 2
    one_line(r.err, "nicdb: error: ", "bad.gz")
    assert sha(db) == before


# ---------------------------------------------------------------- truncated dumps and JSON
def test_truncated_json_names_the_file(tmp_path, run):
    from nicdb.inputs.json_doc import parse_json_text

    doc = json.dumps(fuzz.VALID_DOC)
    one_line(error_of(parse_json_text, doc[: len(doc) // 2], "host1.json"), "host1.json: not valid JSON")
    one_line(error_of(parse_json_text, '{"nics": [], "x": ' + "1" * 5000 + "}", "host1.json"),
             "host1.json: not valid JSON (a number is too long)")
    one_line(error_of(parse_json_text, "[" * 100_000 + "]" * 100_000, "host1.json"), "host1.json")
    lines = doc + "\n" + doc[:30] + "\n"
    one_line(error_of(parse_json_text, lines, "host1.json"), "host1.json:2: not valid JSON")
    p = tmp_path / "cut.json"
    p.write_text(doc[:100])
    r = run("identify", "--from", str(p))
    assert r.code == 2
    one_line(r.err, "nicdb: error: ", str(p))


def test_json_with_wrong_types_still_reports(tmp_path, run):
    """Names and interface fields of the wrong type are ignored, not passed on to crash the report."""
    doc = json.loads(json.dumps(fuzz.VALID_DOC))
    doc["nics"][0]["vendor"]["name"] = ["not", "a", "name"]
    doc["nics"][0]["device"]["name"] = {"x": 1}
    doc["nics"][0]["interfaces"][0]["driver"] = [1]
    doc["nics"][0]["interfaces"][0]["mac"] = 5
    p = tmp_path / "types.json"
    p.write_text(json.dumps(doc))
    for fmt in ("--json", "--plain"):
        r = run("identify", "--from", str(p), fmt)
        assert r.code == 0, r.err
    assert json.loads(run("identify", "--from", str(p), "--json").out)["nics"][0]["chip"]["chip"] == "VT3216"


def test_truncated_lspci_dump(tmp_path, run):
    text = fuzz.LSPCI_X
    for cut in (len(text) // 3, len(text) // 2, len(text) - 7):
        p = tmp_path / f"cut{cut}.txt"
        p.write_text(text[:cut])
        r = run("identify", "--from", str(p), "--json")
        assert r.code in (0, 2), r.err
        if r.code == 2:
            one_line(r.err, "nicdb: error: ", str(p))


# ---------------------------------------------------------------- garbage in sysfs files
def _tree(root: Path, **attrs) -> Path:
    func = root / "bus" / "pci" / "devices" / "0000:00:0a.0"
    func.mkdir(parents=True)
    base = {k: v.encode() for k, v in fuzz.SYSFS_FUNCS["0000:00:0a.0"].items()}
    for k, v in (base | attrs).items():
        if v is None:
            continue
        p = func / k
        if v == "fifo":
            os.mkfifo(p)
        elif v == "loop":
            os.symlink(k, p)
        else:
            p.write_bytes(v)
    return func


@pytest.mark.parametrize("attr,value,needle", [
    ("vendor", b"zzzz\n", "0000:00:0a.0/vendor: 'zzzz' is not a hex number"),
    ("device", b"\xff\xfe\x00", "0000:00:0a.0/device:"),
    ("revision", b"0x1ff\n", "0000:00:0a.0/revision: '0x1ff' is larger than 8 bits"),
    ("class", "０x020000".encode(), "0000:00:0a.0/class: '０x020000' is not a hex number"),
    ("revision", "fifo", "0000:00:0a.0/revision: '' is not a hex number"),  # and no hang
    ("vendor", b"1" * 100_000, "0000:00:0a.0/vendor:"),
    ("vendor", None, "0000:00:0a.0: missing vendor or device file"),
])
def test_garbage_in_sysfs_files_names_the_file(tmp_path, attr, value, needle):
    from nicdb.inputs.sysfs import read_tree

    _tree(tmp_path, **{attr: value})
    old = _no_hang()
    try:
        one_line(error_of(read_tree, tmp_path), needle)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _no_hang(seconds=10):
    def on_alarm(*_):
        raise AssertionError("hangs")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    return old


def test_odd_sysfs_files_do_not_hang_or_crash(tmp_path):
    from nicdb.inputs.sysfs import read_tree
    from nicdb.inputs.sysfs_attrs import small_int

    assert small_int("²") is None and small_int("٣") is None and small_int(b"1500\n") == 1500
    func = _tree(tmp_path, modalias="fifo", driver="loop")
    os.symlink("net", func / "net")  # a symlink loop where the net folder belongs
    old = _no_hang()
    try:
        (dev,) = read_tree(tmp_path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert (dev.vendor, dev.device, dev.revision, dev.driver, dev.interfaces) == (0x1106, 0x3119, 0x11, "driver", [])


def test_bad_slot_name_is_one_line(tmp_path):
    from nicdb.inputs.sysfs import read_tree

    (tmp_path / "bus" / "pci" / "devices" / "0000:00:0a.0\n").mkdir(parents=True)
    one_line(error_of(read_tree, tmp_path), "'0000:00:0a.0\\n' in bus/pci/devices is not a PCI slot name")


# ---------------------------------------------------------------- hostile archives
def _archive(members, compression="gz", fmt=tarfile.GNU_FORMAT) -> bytes:
    return fuzz.build_tar(members, fmt, compression)


VALID = [(n, "dir" if n == "nicdb-snapshot" else "file", d, "", None) for n, d in fuzz.snapshot_members()]


@pytest.mark.parametrize("label,data,needle", [
    ("deep folders", _archive(VALID + [("nicdb-snapshot/" + "d/" * 1500, "dir", b"", "", None)]), "refusing member"),
    ("dotdot", _archive(VALID + [("nicdb-snapshot/../../escape", "file", b"x", "", None)]), "refusing member"),
    ("absolute", _archive([("/etc/cron.d/x", "file", b"x", "", None)]), "refusing member"),
    ("symlink", _archive([("nicdb-snapshot/bus", "symlink", b"", "/etc", None)]), "only regular files"),
    ("hardlink", _archive([("nicdb-snapshot/x", "hardlink", b"", "/etc/passwd", None)]), "only regular files"),
    ("device", _archive([("nicdb-snapshot/x", "chr", b"", "", None)]), "only regular files"),
    ("huge member", _archive(VALID[:3] + [("nicdb-snapshot/bus/pci/devices/0000:00:0a.0/vendor", "huge", b"", "",
                                            None)]), "too large"),
    ("bad sparse header", _archive([("nicdb-snapshot/x", "file", b"x", "",
                                     {"GNU.sparse.map": "x", "GNU.sparse.size": "1"})], fmt=tarfile.PAX_FORMAT),
     "not a readable snapshot archive"),
    ("corrupt xz stream", lzma.compress(_archive(VALID, "none"), preset=0)[:300] + b"\x00" * 64,
     "not a readable snapshot archive"),
    ("not an archive", b"\xfd7zXZ\x00" + b"\x00" * 8, "not a readable snapshot archive (not a tar archive"),
    ("truncated gzip", _archive(VALID)[:200], "not a readable snapshot archive"),
    ("twice", _archive(VALID + VALID[1:2]), "appears twice"),
    ("no devices", _archive([("nicdb-snapshot/meta.json", "file", b"{}", "", None)]), "no bus/pci/devices"),
    ("meta not JSON", _archive([("nicdb-snapshot/meta.json", "file", b"{" * 5000, "", None)]), "meta.json"),
    ("bad slot", _archive(VALID + [("nicdb-snapshot/bus/pci/devices/junk\n/vendor", "file", b"1", "", None)]),
     "is not a PCI slot name"),
])
def test_hostile_archives_are_one_line_and_leave_nothing(tmp_path, monkeypatch, label, data, needle):
    from nicdb.inputs.snapshot import read_snapshot

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    p = tmp_path / "host.tar.gz"
    p.write_bytes(data)
    msg = error_of(read_snapshot, p)
    one_line(msg, str(p), needle)
    assert "nicdb-snap-" not in msg  # names the archive, not the private folder
    assert os.listdir(scratch) == []  # and the private folder is gone
    assert sorted(os.listdir(tmp_path)) == ["host.tar.gz", "scratch"]


def test_hostile_archive_on_the_command_line(tmp_path, run):
    p = tmp_path / "evil.tar.xz"
    p.write_bytes(lzma.compress(_archive(VALID, "none"), preset=0)[:300] + b"\x00" * 64)
    for args in (("identify", "--sysfs", str(p)), ("identify", "--from", str(p), "--json")):
        r = run(*args)
        assert r.code == 2
        one_line(r.err, "nicdb: error: ", str(p))


# ---------------------------------------------------------------- the database
def test_corrupt_database_file_still_answers(tmp_path, run, monkeypatch):
    db = tmp_path / "db.sqlite"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    monkeypatch.setenv("NICDB_DB", str(db))
    r = run("chip", "1106:3119", "--rev", "11", "--json")
    assert r.code == 0
    assert json.loads(r.out)["chips"][0]["chip"] == "VT3216"
    one_line(r.err, "nicdb: warning: ", str(db), "rebuilding it")
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_read_only_database_folder_still_answers(tmp_path, run, monkeypatch):
    if os.geteuid() == 0:  # root ignores permissions: a path below a regular file cannot be written either
        (tmp_path / "file").write_text("x")
        db = tmp_path / "file" / "db.sqlite"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        db = ro / "db.sqlite"
    monkeypatch.setenv("NICDB_DB", str(db))
    for args in (("chip", "1106:3119", "--rev", "11", "--json"), ("families", "--json"), ("search", "VT6122")):
        r = run(*args)
        assert r.code == 0, r.err
        assert "in-memory" in r.err and "Traceback" not in r.err
    assert json.loads(run("chip", "1106:3119", "--rev", "11", "--json").out)["chips"][0]["chip"] == "VT3216"


@pytest.mark.parametrize("text", fuzz.SQL_TEXTS)
def test_sql_metacharacters_change_nothing(run, session_db, text):
    before = sha(session_db)
    for args in (("search", text), ("search", text, "--json"), ("chip", text), ("chip", "1106:3119", "--rev", text),
                 ("suggest", "--id", text), ("suggest", "--id", "1106:3119", "--kernel", text),
                 ("search", "--", text)):
        r = run(*args)
        assert r.code in (0, 2), (args, r.err)
        if r.code == 2:
            one_line(r.err, "nicdb: error: ")
        else:
            assert not r.err.strip(), (args, r.err)
    assert sha(session_db) == before
    assert json.loads(run("chip", "1106:3119", "--rev", "11", "--json").out)["chips"][0]["chip"] == "VT3216"


# ---------------------------------------------------------------- the overlay is never lost
def _overlay_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_overlay_survives_rebuilds_and_data_changes(run, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    monkeypatch.setenv("NICDB_DATA", str(data))
    monkeypatch.setenv("NICDB_DB", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    assert run("db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "MINE").code == 0
    assert run("db", "add", "measurement", "--set", "my-sweep", "--id", "1106:3119", "--rev", "11", "--driver",
               "via-velocity", "--direction", "tx", "--mbps", "600", "--dma-length", "4").code == 0
    overlay = _overlay_bytes(tmp_path / "overlay")

    def mine():
        r = run("chip", "abcd:1234", "--rev", "12", "--json")
        assert r.code == 0, r.err
        from nicdb.kb.store import KnowledgeBase

        sets = [m["driver"] for m in KnowledgeBase.open().measurements("my-sweep")]
        return [c["chip"] for c in json.loads(r.out)["chips"]], sets

    assert mine() == (["MINE"], ["via-velocity"])
    assert run("db", "build").code == 0
    assert mine() == (["MINE"], ["via-velocity"])
    # a change to shipped data (new size and mtime: a new fingerprint) rebuilds, keeping the overlay
    fam = data / "families" / "via-velocity.toml"
    fam.write_text(fam.read_text() + "\n# edited\n")
    os.utime(fam, ns=(fam.stat().st_atime_ns, fam.stat().st_mtime_ns + 10**9))
    db_before = (tmp_path / "db.sqlite").stat().st_ino
    assert mine() == (["MINE"], ["via-velocity"])
    assert (tmp_path / "db.sqlite").stat().st_ino != db_before  # it did rebuild
    assert _overlay_bytes(tmp_path / "overlay") == overlay


@pytest.mark.parametrize("args", [
    ("db", "add", "chip", "abcd:1234", "--revs", "18-20", "--chip", "OVERLAPS"),
    ("db", "add", "chip", "abcd:1234", "--revs", "zz", "--chip", "X"),
    ("db", "add", "chip", "abcd:zzzz", "--revs", "30", "--chip", "X"),
    ("db", "add", "chip", "abcd:1234", "--revs", "30", "--chip", "X", "--bus", "nubus"),
    ("db", "add", "issue", "nosuchdriver", "--id", "x", "--title", "t"),
    ("db", "add", "issue", "via-velocity", "--id", "x", "--title", "t", "--affected", "=5.10"),
    ("db", "add", "measurement", "--set", "../x", "--id", "1106:3119", "--driver", "via-velocity",
     "--direction", "tx", "--mbps", "1"),
    ("db", "add", "chip", "abcd:1234", "--revs", "10", "--chip", "two\nlines"),
    ("db", "add", "issue", "via-velocity", "--id", "\udcff", "--title", "t"),
])
def test_failed_db_add_leaves_the_overlay_byte_identical(run, tmp_path, monkeypatch, args):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    assert run("db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "MINE").code == 0
    before = _overlay_bytes(tmp_path / "overlay")
    r = run(*args)
    assert r.code == 2
    one_line(r.err, "nicdb: error: ")
    assert _overlay_bytes(tmp_path / "overlay") == before


def test_a_build_sweeps_temporary_files_of_killed_builds(tmp_path):
    import subprocess
    import sys

    from nicdb.kb import build

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    db = tmp_path / "db.sqlite"
    stale = tmp_path / f".db.sqlite.{dead_pid}.tmp"
    live = tmp_path / f".db.sqlite.{os.getppid()}.tmp"  # a process that exists: maybe a build under way
    other = tmp_path / ".other.sqlite.1.tmp"
    for p in (stale, live, other):
        p.write_bytes(b"partial")
    build.build(db)
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["db.sqlite", live.name, other.name])
