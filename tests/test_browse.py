"""nicdb db browse: the database in Datasette -- a browse-ready copy with full-text search,
metadata generated from the schema, and the canned queries -- checked in a real browser
(headless Chromium) and through Datasette's JSON API, served on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_metadata_describes_every_table_and_column():
    from nicdb.kb import browse, schema

    meta = browse.metadata()
    tables = meta["databases"]["nicdb"]["tables"]
    assert set(tables) == {t.name for t in schema.TABLES}
    for t in schema.TABLES:
        assert tables[t.name]["description"] == t.doc
        assert tables[t.name]["columns"] == {c.name: c.doc for c in t.columns} and all(t.doc for t in schema.TABLES)
    assert tables["chips"]["units"]["line_rate_mbps"] == "Mbit/s" and tables["measurements"]["units"]["mtu"] == "byte"
    assert tables["chips"]["facets"] == ["family", "bus", "confidence", "origin"]
    assert tables["sources"]["facets"][0] == "kind" and "driver" in tables["issues"]["facets"]
    assert {"chips", "drivers", "issues", "pci_devices", "kb_names", "device_names"} <= {
        n for n, t in tables.items() if "fts_table" in t}
    queries = meta["databases"]["nicdb"]["queries"]
    assert set(queries) == {"chip_by_revision", "drivers_for_revision", "issues_on_kernel", "driver_firmware"}


def test_sql_functions_of_the_plugin():
    sys.path.insert(0, str(ROOT / "nicdb" / "kb" / "datasette_plugins"))
    try:
        import nicdb_sql
    finally:
        sys.path.pop(0)
    assert [nicdb_sql.nicdb_hex(x) for x in ("11", "0x11", "0X1F", "1106", " 80 ", "", "zz", None, "1" * 9)] == \
        [0x11, 0x11, 0x1F, 0x1106, 0x80, None, None, None, None]
    assert nicdb_sql.nicdb_in_range("2.6.26", ">=2.6.26,<2.6.33") == 1
    assert nicdb_sql.nicdb_in_range("6.1.0-13-amd64", "<2.6.33") == 0
    assert nicdb_sql.nicdb_in_range("6.1", "*") == 1
    assert nicdb_sql.nicdb_in_range("not a version", "<2.6.33") is None
    assert nicdb_sql.nicdb_in_range("", "*") is None
    assert nicdb_sql.nicdb_fw_match("rtl_nic/rtl8168*.fw", "rtl_nic/rtl8168g-2.fw") == 1
    assert nicdb_sql.nicdb_fw_match("rtl_nic/*.fw", "rtl_nic/sub/x.fw") == 0  # a wildcard stays in its component
    assert nicdb_sql.nicdb_fw_match("e100/d101m_ucode.bin", "e100/d101s_ucode.bin") == 0


def test_browse_copy_has_full_text_search_and_is_remade_after_a_rebuild(kb, tmp_path, run):
    from nicdb.kb import browse
    from nicdb.kb.store import KnowledgeBase

    target = str(tmp_path / "browse" / "nicdb.sqlite")
    assert browse.browse_copy(kb, target) == target
    conn = sqlite3.connect(target)
    hits = conn.execute("SELECT chip FROM chips WHERE rowid IN (SELECT rowid FROM chips_fts WHERE chips_fts MATCH "
                        "'VT6122')").fetchall()
    assert hits == [("VT3216",)]
    assert conn.execute("SELECT COUNT(*) FROM pci_devices_fts").fetchone()[0] == \
        conn.execute("SELECT COUNT(*) FROM pci_devices").fetchone()[0]
    conn.close()
    # the database nicdb reads has no FTS tables: its build is what it was
    assert not kb.q("SELECT name FROM sqlite_master WHERE name LIKE '%_fts%'")
    before = os.stat(target).st_mtime_ns
    assert browse.browse_copy(kb, target) == target and os.stat(target).st_mtime_ns == before  # current: kept
    assert run("db", "build").code == 0
    browse.browse_copy(KnowledgeBase.open(), target)
    assert os.stat(target).st_mtime_ns != before  # rebuilt database: a new copy
    assert [n for n in os.listdir(tmp_path / "browse") if n.endswith(".tmp")] == []


def test_a_busy_port_is_one_line_and_exit_2(run):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run("db", "browse", "--port", str(port))
    assert r.code == 2 and r.out == "" and len(r.err.splitlines()) == 1
    assert r.err.startswith(f"nicdb: error: port {port} on 127.0.0.1 is busy")


def test_without_datasette_it_says_what_to_install(run, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    r = run("db", "browse", "--port", "1")
    assert r.code == 2 and r.err == ("nicdb: error: nicdb db browse needs Datasette: install nicdb's web extra "
                                     "(pip install 'nicdb[web]')\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        return r.read()


@pytest.fixture
def server(session_db, tmp_path):
    """``nicdb db browse`` on a free port, until the test ends: its base URL."""
    port = _free_port()
    log = open(tmp_path / "browse.log", "w")
    p = subprocess.Popen([sys.executable, "-m", "nicdb", "db", "browse", "--port", str(port)], stdout=log,
                         stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 90
        while True:
            try:
                json.loads(_get(base + "/-/versions.json", timeout=2))
                break
            except OSError:
                assert p.poll() is None, (tmp_path / "browse.log").read_text()
                assert time.monotonic() < end, "nicdb db browse did not answer in 90 s"
                time.sleep(0.3)
        yield base, port
    finally:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")


def _headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


CHIP_QUERY = "/nicdb/chip_by_revision?" + urllib.parse.urlencode({"id": "1106:3119", "rev": "11"})


def test_the_chip_query_in_a_real_browser(server, tmp_path):
    base, port = server
    dom = _headless(tmp_path, "--dump-dom", base + CHIP_QUERY)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Which chip is VENDOR:DEVICE at REV" in dom.stdout
    assert "VT3216" in dom.stdout and "VT6122" in dom.stdout
    shot = tmp_path / "chip-1106-3119-rev-11.png"
    r = _headless(tmp_path, "--window-size=1400,1000", f"--screenshot={shot}", base + CHIP_QUERY)
    assert r.returncode == 0 and shot.stat().st_size > 10_000, r.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    artifacts = os.environ.get("NICDB_ARTIFACTS")
    if artifacts:  # .ci/run keeps the screenshot
        os.makedirs(artifacts, exist_ok=True)
        shutil.copy(shot, artifacts)
    # the JSON API answers the same query
    rows = json.loads(_get(base + CHIP_QUERY.replace("?", ".json?") + "&_shape=array"))
    assert [(r["chip"], json.loads(r["products"]), r["revisions"]) for r in rows] == [
        ("VT3216", ["VT6120", "VT6121", "VT6122"], "10-1f")]
    assert rows[0]["family"] == "via-velocity" and rows[0]["source"]


def test_the_other_canned_queries_facets_and_search(server):
    base, _ = server
    api = base + "/nicdb"
    drivers = json.loads(_get(api + "/drivers_for_revision.json?id=10ec:8139&rev=20&_shape=array"))
    assert {(d["driver"], d["status"]) for d in drivers} >= {("8139cp", "supported"), ("8139too", "refused")}
    issues = json.loads(_get(api + "/issues_on_kernel.json?kernel=2.6.26&_shape=array"))
    assert any(i["driver"] == "via-velocity" and "int_works" in i["title"] for i in issues)
    assert not any(i["driver"] == "via-velocity" and "int_works" in i["title"]
                   for i in json.loads(_get(api + "/issues_on_kernel.json?kernel=6.1&_shape=array")))
    assert json.loads(_get(api + "/driver_firmware.json?driver=via-velocity&_shape=array")) == []
    fw = json.loads(_get(api + "/driver_firmware.json?driver=iwl4965&_shape=array"))
    declared = [f for f in fw if f["said_by"] == "the module declares it"]
    chips = [f for f in fw if f["said_by"].startswith("chip ")]
    assert declared and all(f["firmware"].startswith("iwlwifi-4965") for f in declared)
    assert any(f["package"] == "firmware-iwlwifi" for f in declared)  # shipped by Debian's package
    assert chips and all("8086:42" in f["said_by"] and f["firmware"].startswith("iwlwifi-4965") for f in chips)
    found = json.loads(_get(api + "/chips.json?_search=VT6122&_shape=array"))
    assert [c["chip"] for c in found] == ["VT3216"]
    table = json.loads(_get(api + "/chips.json?_facet=family&_size=0&_facet_size=max"))
    assert "via-velocity" in {f["value"] for f in table["facet_results"]["family"]["results"]}
    page = _get(api + "/chips").decode()
    assert "Which chip a PCI vendor:device" in page and "the chip&#39;s line rate in Mb/s" in page


def test_it_is_read_only_and_on_loopback_only(server):
    base, port = server
    with pytest.raises(urllib.error.HTTPError) as e:
        _get(base + "/nicdb.json?" + urllib.parse.urlencode({"sql": "delete from chips"}))
    assert e.value.code == 400
    assert json.loads(_get(base + "/nicdb.json?sql=select+count(*)+as+n+from+chips&_shape=array"))[0]["n"] > 100
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, nothing else
