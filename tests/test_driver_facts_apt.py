"""scripts/gen_driver_facts.py's download mode against a Debian archive the test writes
in a temp folder (file: URIs, no network): a temporary apt configuration, package choice
from the indexes apt fetched, apt-get download into the cache, and reuse of the cache."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import fake_debian as F  # noqa: E402
import gen_driver_facts as G  # noqa: E402

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("apt-get", "dpkg")), reason="needs apt-get and dpkg (Debian)")

SUITES = {
    "bullseye": ["main", "non-free"],
    "bookworm": ["main", "non-free-firmware"],
    "trixie": ["main", "non-free-firmware"],
    "sid": ["main", "non-free-firmware"],
    "experimental": ["main"],
}

FW_VERSION = {"bullseye": "20210315-3", "bookworm": "20230210-5", "trixie": "20250410-2", "sid": "20260916-1"}


def _kernel(pool: Path, name: str, version: str, moddir: str, dev: str, builtin: bool = True) -> list[Path]:
    files: dict[str, bytes | str] = {
        f"{moddir}/kernel/drivers/net/ethernet/acme/acme.ko": F.elf_module(
            ["name=acme", f"alias=pci:v00001234d0000{dev}sv*sd*bc*sc*i*", "firmware=acme/fw.bin"]),
    }
    if builtin:
        files[f"{moddir}/modules.builtin.modinfo"] = b""
    return [F.build_deb(pool, name, version, "amd64", files)]


def _archive(root: Path) -> None:
    pool = root / "pool"
    entries: dict[tuple[str, str], list[tuple[Path, str]]] = {}

    def add(suite, comp, debs, source):
        entries.setdefault((suite, comp), []).extend((d, source) for d in debs)

    add("bullseye", "main", _kernel(pool, "linux-image-5.10.0-9-amd64-unsigned", "5.10.200-1",
                                    "lib/modules/5.10.0-9-amd64", "0510"), "linux")
    add("bullseye", "main", _kernel(pool, "linux-image-5.10.0-8-amd64-unsigned", "5.10.190-1",
                                    "lib/modules/5.10.0-8-amd64", "0590"), "linux")  # older ABI
    add("bookworm", "main", _kernel(pool, "linux-image-6.1.0-5-amd64-unsigned", "6.1.50-1",
                                    "lib/modules/6.1.0-5-amd64", "0601"), "linux")
    add("trixie", "main", _kernel(pool, "linux-image-6.12.1+deb13-amd64-unsigned", "6.12.1-1",
                                  "usr/lib/modules/6.12.1+deb13-amd64", "0612"), "linux")
    sid = "usr/lib/modules/7.0.2+deb14-amd64"
    add("sid", "main", _kernel(pool, "linux-modules-7.0.2+deb14-amd64", "7.0.2-1", sid, "0700", builtin=False),
        "linux")
    add("sid", "main", [F.build_deb(pool, "linux-base-7.0.2+deb14-amd64", "7.0.2-1", "amd64",
                                    {f"{sid}/modules.builtin.modinfo": b""})], "linux")
    add("experimental", "main", _kernel(pool, "linux-image-7.1-amd64-unsigned", "7.1~rc3-1~exp1",
                                        "usr/lib/modules/7.1-amd64", "0710"), "linux")
    for suite, comps in SUITES.items():
        if suite == "experimental":
            continue
        prefix = "usr/" if suite in ("trixie", "sid") else ""
        add(suite, comps[1], [F.build_deb(pool / suite, "firmware-acme", FW_VERSION[suite], "all",
                                          {f"{prefix}lib/firmware/acme/fw.bin": suite.encode()})],
            "firmware-nonfree")
        add(suite, comps[1], [F.build_deb(pool / suite, "firmware-sound", "1.0-1", "all",
                                          {f"{prefix}lib/firmware/snd/x.bin": b"x"})], "firmware-sof")
    for suite, comps in SUITES.items():
        hashes = []
        for comp in comps:
            paras = []
            for d, source in entries.get((suite, comp), []):
                name, version, arch = d.name[:-4].split("_")
                blob = d.read_bytes()
                paras.append(
                    f"Package: {name}\nSource: {source}\nVersion: {version}\nArchitecture: {arch}\n"
                    f"Maintainer: t <t@example.invalid>\nFilename: {d.relative_to(root)}\nSize: {len(blob)}\n"
                    f"SHA256: {hashlib.sha256(blob).hexdigest()}\nDescription: test\n"
                )
            rel = f"{comp}/binary-amd64/Packages"
            p = root / "dists" / suite / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("\n".join(paras))
            data = p.read_bytes()
            hashes.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} {rel}")
        (root / "dists" / suite / "Release").write_text(
            f"Origin: Test\nSuite: {suite}\nCodename: {suite}\nDate: Sat, 01 Jan 2000 00:00:00 UTC\n"
            f"Architectures: amd64\nComponents: {' '.join(comps)}\nSHA256:\n" + "\n".join(hashes) + "\n"
        )


def test_download_mode_chooses_fetches_and_reuses(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "archive"
    _archive(root)
    cache, out = tmp_path / "cache", tmp_path / "out"
    argv = ["--cache", str(cache), "-o", str(out), "--mirror", f"file:{root}", "--security-mirror", "",
            "--keyring", ""]
    assert G.main(argv) == 0
    doc = tomllib.loads((out / "PROVENANCE.toml").read_text())
    assert [(i["kind"], i["release"], i["package"], i["version"]) for i in doc["inputs"]] == [
        ("kernel", "bullseye", "linux-image-5.10.0-9-amd64-unsigned", "5.10.200-1"),
        ("kernel", "bookworm", "linux-image-6.1.0-5-amd64-unsigned", "6.1.50-1"),
        ("kernel", "trixie", "linux-image-6.12.1+deb13-amd64-unsigned", "6.12.1-1"),
        ("kernel", "sid", "linux-base-7.0.2+deb14-amd64", "7.0.2-1"),
        ("kernel", "sid", "linux-modules-7.0.2+deb14-amd64", "7.0.2-1"),
        *[("firmware", r, "firmware-acme", v) for r, v in FW_VERSION.items()],
    ]
    assert doc["series"] == ["5.10", "6.1", "6.12", "7.0"]
    assert sorted(p.name for p in cache.iterdir()) == sorted(i["file"] for i in doc["inputs"])
    aliases = (out / "aliases.tsv").read_text()
    assert "d00000710" not in aliases and "d00000590" not in aliases  # release candidate, older ABI
    assert "pci:v00001234d00000700sv*sd*bc*sc*i*\tacme\t7.0\n" in aliases
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    # the same packages again: every one comes from the cache (the pool is gone)
    shutil.rmtree(root / "pool")
    assert G.main(argv) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    # and offline, from the cache alone
    assert G.main(["--packages", str(cache), "-o", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_unreachable_mirror_is_a_one_line_error(tmp_path, capsys):
    argv = ["--cache", str(tmp_path / "c"), "-o", str(tmp_path / "o"), "--mirror", f"file:{tmp_path}/none",
            "--security-mirror", "", "--keyring", ""]
    assert G.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gen_driver_facts: apt-get update failed"), err
