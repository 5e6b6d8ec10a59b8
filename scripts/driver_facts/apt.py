"""Finding and downloading the input packages with apt, never touching /etc/apt.

apt-get runs with a temporary configuration in a temp folder: its own sources.list, lists
and cache folders (``Dir::Etc::sourcelist``, ``Dir::State::Lists``, ``Dir::Cache``).
``apt-get indextargets`` says which Packages index belongs to which suite; those indexes
are read here to choose the packages (:func:`choose_kernels`, :func:`choose_firmware`),
and ``apt-get download`` fetches them into the shared cache folder, where a file with
the right SHA-256 is reused instead.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .deb import parse_control, sha256_file

MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

# The stable series and their releases; the newest series comes from sid or experimental.
FIXED_SERIES = {"5.10": "bullseye", "6.1": "bookworm", "6.12": "trixie"}
FIRMWARE_COMPONENT = {"bullseye": "non-free"}  # others: non-free-firmware
FIRMWARE_SOURCE = "firmware-nonfree"  # Debian's packaging of upstream linux-firmware
NEWEST_FROM = ("sid", "experimental")
FIRMWARE_OF_NEWEST = "sid"  # experimental carries no firmware-nonfree of its own

RULES = {
    "kernels": (
        "for 5.10, 6.1 and 6.12 the newest linux-image-<abi>-amd64-unsigned of bullseye, bookworm and "
        "trixie (with their -security suites); for the newest series, the highest MAJOR.MINOR that sid "
        "or experimental publish as a released kernel (not ~rc), and from 7.x, where Debian splits the "
        "image, its linux-modules-<abi>-amd64 (the .ko files) and linux-base-<abi>-amd64 "
        "(modules.builtin and modules.builtin.modinfo)"
    ),
    "firmware_candidates": (
        "every binary package of the firmware-nonfree source (Debian's packaging of upstream "
        "linux-firmware) in each release's firmware component (non-free in bullseye, non-free-firmware "
        "after), newest version; the newest series is paired with sid's"
    ),
    "firmware_packages": (
        "a candidate is used when it ships at least one file a kept module declares (matched = that "
        "count); candidates with matched = 0 were read and ship none"
    ),
}

_IMAGE = re.compile(
    r"^linux-(?P<kind>image|modules|base)-(?P<abi>\d+\.\d+(?:\.\d+)?(?:-\d+|\+deb\d+)?)-amd64(?P<unsigned>-unsigned)?$"
)
_SERIES = re.compile(r"^(\d+)\.(\d+)")


class AptError(RuntimeError):
    pass


@dataclass(frozen=True)
class Pkg:
    """One binary package of an index."""

    name: str
    version: str
    release: str  # bullseye, bookworm, trixie, sid, experimental
    suite: str  # the suite it is published in (release or release-security)
    component: str
    source: str
    arch: str
    sha256: str

    @property
    def deb_name(self) -> str:
        """The file name apt-get download gives it."""
        return f"{self.name}_{self.version.replace(':', '%3a')}_{self.arch}.deb"


def series_of(version: str) -> str:
    m = _SERIES.match(version)
    return f"{int(m.group(1))}.{int(m.group(2))}" if m else ""


def compare_versions(a: str, b: str) -> int:
    """Debian version order, as dpkg --compare-versions says."""
    if a == b:
        return 0
    r = subprocess.run(["dpkg", "--compare-versions", a, "lt", b])
    return -1 if r.returncode == 0 else 1


def newest(pkgs: list[Pkg]) -> Pkg:
    return max(pkgs, key=functools.cmp_to_key(lambda x, y: compare_versions(x.version, y.version)))


def suites(mirror: str, security: str | None) -> list[tuple[str, str, list[str]]]:
    """``(base URI, suite, components)`` of the temporary sources.list."""
    out = []
    for release in ("bullseye", "bookworm", "trixie"):
        comps = ["main", FIRMWARE_COMPONENT.get(release, "non-free-firmware")]
        out.append((mirror, release, comps))
        if security:
            out.append((security, f"{release}-security", comps))
    out.append((mirror, "sid", ["main", "non-free-firmware"]))
    out.append((mirror, "experimental", ["main"]))
    return out


class Apt:
    """apt-get with a configuration of its own under ``tmp``."""

    def __init__(self, tmp: str | os.PathLike, mirror: str = MIRROR, security: str | None = SECURITY,
                 keyring: str | None = KEYRING):
        self.tmp = Path(tmp)
        (self.tmp / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (self.tmp / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        opt = f"[arch=amd64 signed-by={keyring}]" if keyring else "[arch=amd64 trusted=yes]"
        lines = [f"deb {opt} {uri} {suite} {' '.join(comps)}" for uri, suite, comps in suites(mirror, security)]
        (self.tmp / "sources.list").write_text("\n".join(lines) + "\n")
        self.options = [
            f"-o=Dir::Etc::sourcelist={self.tmp / 'sources.list'}", "-o=Dir::Etc::sourceparts=-",
            f"-o=Dir::State::Lists={self.tmp / 'lists'}", f"-o=Dir::Cache={self.tmp / 'cache'}",
            "-o=APT::Get::List-Cleanup=0", "-o=Acquire::GzipIndexes=false", "-o=Acquire::Languages=none",
            "-o=APT::Architecture=amd64", "-o=APT::Architectures=amd64",
            f"-o=Dir::State::status={self.tmp / 'status'}",
        ]
        (self.tmp / "status").touch()

    def run(self, *args: str, cwd: str | os.PathLike | None = None) -> str:
        if shutil.which("apt-get") is None:
            raise AptError("apt-get is not installed (use --packages DIR with downloaded .deb files)")
        r = subprocess.run(["apt-get", "-q", *self.options, *args], capture_output=True, text=True, cwd=cwd)
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("E:")]
        if r.returncode != 0 or errors:
            raise AptError(f"apt-get {args[0]} failed: {(errors or r.stderr.strip().splitlines() or ['?'])[0]}")
        return r.stdout

    def update(self) -> None:
        self.run("update")

    def packages(self) -> list[Pkg]:
        """Every package of every Packages index of the temporary sources."""
        out = []
        for block in self.run("indextargets", "Identifier: Packages").split("\n\n"):
            t = parse_control(block)
            fn = t.get("Filename", "")
            if not fn or not os.path.exists(fn):
                continue
            suite, component = t.get("Release", ""), t.get("Component", "")
            release = suite.split("-", 1)[0]
            with open(fn, encoding="utf-8", errors="replace") as f:
                for para in f.read().split("\n\n"):
                    p = parse_control(para)
                    if "Package" not in p:
                        continue
                    out.append(Pkg(
                        name=p["Package"], version=p.get("Version", ""), release=release, suite=suite,
                        component=component, source=p.get("Source", p["Package"]).split()[0],
                        arch=p.get("Architecture", ""), sha256=p.get("SHA256", ""),
                    ))
        return out

    def download(self, pkgs: list[Pkg], cache: str | os.PathLike) -> dict[Pkg, Path]:
        """Each package's .deb in ``cache``: reused when a file of that name and SHA-256 is
        there, else downloaded (into a temp folder in ``cache``, then renamed in)."""
        cache = Path(cache)
        cache.mkdir(parents=True, exist_ok=True)
        out: dict[Pkg, Path] = {}
        missing = []
        for p in pkgs:
            f = cache / p.deb_name
            if f.is_file() and (not p.sha256 or sha256_file(f) == p.sha256):
                out[p] = f
            else:
                missing.append(p)
        if missing:
            with tempfile.TemporaryDirectory(prefix=".nicdb-dl-", dir=cache) as part:
                # name=version/suite: the exact package, from the suite it was chosen in
                self.run("download", *sorted({f"{p.name}={p.version}" for p in missing}), cwd=part)
                for p in missing:
                    got = Path(part) / p.deb_name
                    if not got.is_file():
                        raise AptError(f"apt-get download did not write {p.deb_name}")
                    if p.sha256 and sha256_file(got) != p.sha256:
                        raise AptError(f"{p.deb_name}: SHA-256 differs from the index")
                    os.replace(got, cache / p.deb_name)
                    out[p] = cache / p.deb_name
        return out


def _abi_packages(pkgs: list[Pkg], release_names: tuple[str, ...]) -> dict[tuple[str, str], dict[str, Pkg]]:
    """(release, abi) -> {"image-unsigned" | "image" | "modules" | "base": newest package}."""
    out: dict[tuple[str, str], dict[str, Pkg]] = {}
    for p in pkgs:
        m = _IMAGE.match(p.name)
        if not m or p.release not in release_names or p.component != "main":
            continue
        kind = m.group("kind") + ("-unsigned" if m.group("unsigned") else "")
        slot = out.setdefault((p.release, m.group("abi")), {})
        if kind not in slot or compare_versions(slot[kind].version, p.version) < 0:
            slot[kind] = p
    return out


def _carrying_modules(slot: dict[str, Pkg]) -> list[Pkg] | None:
    if "image-unsigned" in slot:
        return [slot["image-unsigned"]]
    if "modules" in slot and "base" in slot:
        return [slot["modules"], slot["base"]]
    if "image" in slot:
        return [slot["image"]]
    return None


def choose_kernels(pkgs: list[Pkg]) -> dict[str, tuple[str, list[Pkg]]]:
    """series -> (release, the packages that carry its modules), per :data:`RULES`."""
    slots = _abi_packages(pkgs, tuple(FIXED_SERIES.values()) + NEWEST_FROM)
    out: dict[str, tuple[str, list[Pkg]]] = {}
    candidates: dict[str, list[tuple[str, list[Pkg]]]] = {}
    for (release, _abi), slot in slots.items():
        chosen = _carrying_modules(slot)
        if not chosen or "~rc" in chosen[0].version:
            continue
        series = series_of(chosen[0].version)
        if FIXED_SERIES.get(series, release) != release:
            continue
        if release in NEWEST_FROM and series in FIXED_SERIES:
            continue
        candidates.setdefault(series, []).append((release, chosen))
    for series in FIXED_SERIES:
        if series not in candidates:
            raise AptError(f"no linux-image package of the {series} series in {FIXED_SERIES[series]}")
    newer = [s for s in candidates if s not in FIXED_SERIES]
    keep = list(FIXED_SERIES) + ([max(newer, key=lambda s: tuple(map(int, s.split("."))))] if newer else [])
    for series in keep:
        options = candidates[series]
        best = newest([c[1][0] for c in options])
        out[series] = next(c for c in options if c[1][0] is best)
    return out


def choose_firmware(pkgs: list[Pkg], releases: list[str]) -> list[Pkg]:
    """The firmware candidates (:data:`RULES`) of each release, newest version per name."""
    best: dict[tuple[str, str], Pkg] = {}
    for p in pkgs:
        comp = FIRMWARE_COMPONENT.get(p.release, "non-free-firmware")
        if p.release in releases and p.component == comp and p.source == FIRMWARE_SOURCE:
            k = (p.release, p.name)
            if k not in best or compare_versions(best[k].version, p.version) < 0:
                best[k] = p
    return [best[k] for k in sorted(best)]
