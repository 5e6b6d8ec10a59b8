"""One generator run: input packages in, tables and PROVENANCE.toml out."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from . import apt, firmware, kernel, provenance, tables
from .deb import DebError, control_fields, sha256_file

RULES = {
    **apt.RULES,
    "modules": kernel.RULE,
    "aliases": (
        "every pci: alias= of a kept module, as modules.alias spells it; a built-in's aliases are what "
        "modules.builtin.modinfo holds, which up to 6.12 lacks device-table aliases (so built-in "
        "virtio_pci has no 6.12 alias row)"
    ),
    "params": (
        "every parmtype= of a kept module (name and type only, never the description); a parameter "
        "whose type changed has one row per type, with disjoint series"
    ),
    "firmware": "every firmware= name a kept module declares, wildcards included",
    "firmware_files": firmware.RULE,
    "paths": (
        "module paths are relative to lib/modules/<release>/ without the compression suffix "
        "(.ko.xz -> .ko), as the newest series the module is in has them"
    ),
}

OUTPUT_FILES = tuple(tables.COLUMNS) + ("PROVENANCE.toml",)


class RunError(ValueError):
    """Bad input the user can fix; the message is one line."""


@dataclass
class Located:
    """An input and the .deb file that holds it."""

    input: provenance.Input
    path: Path


def check_files(inputs: list[provenance.Input], folder: Path) -> list[Located]:
    """Each listed input found in ``folder``, its SHA-256 checked and its package and version
    read from the .deb itself."""
    out = []
    for i in inputs:
        f = folder / i.file
        if not f.is_file():
            raise RunError(f"{folder}: {i.file} is missing (listed in the inputs)")
        digest = sha256_file(f)
        if i.sha256 and digest != i.sha256:
            raise RunError(f"{f}: SHA-256 {digest} differs from the inputs' {i.sha256}")
        try:
            fields = control_fields(f)
        except DebError as e:
            raise RunError(str(e)) from None
        j = replace(i, package=fields.get("Package", ""), version=fields.get("Version", ""), sha256=digest,
                    suite=i.suite or i.release)
        if j.kind == "kernel" and not j.series:
            j.series = apt.series_of(j.version)
        out.append(Located(j, f))
    return out


def from_apt(tmp: Path, cache: Path, mirror: str, security: str | None, keyring: str | None) -> list[Located]:
    """Choose and download the inputs (see apt.RULES)."""
    a = apt.Apt(tmp, mirror=mirror, security=security, keyring=keyring)
    a.update()
    pkgs = a.packages()
    kernels = apt.choose_kernels(pkgs)
    releases = [kernels[s][0] for s in sorted(kernels, key=tables.series_key)]
    releases = [apt.FIRMWARE_OF_NEWEST if r in apt.NEWEST_FROM else r for r in releases]
    fw = apt.choose_firmware(pkgs, releases)
    chosen = [(p, "kernel", s) for s, (_r, ps) in kernels.items() for p in ps] + [(p, "firmware", "") for p in fw]
    files = a.download([p for p, _k, _s in chosen], cache)
    inputs = [
        provenance.Input(kind=k, release=p.release, suite=p.suite, file=files[p].name, package=p.name,
                         version=p.version, series=s, sha256=p.sha256)
        for p, k, s in chosen
    ]
    return check_files(inputs, cache)


def generate(located: list[Located], outdir: Path) -> provenance.Provenance:
    """Read every input, write the tables and PROVENANCE.toml into ``outdir``."""
    kernels = [x for x in located if x.input.kind == "kernel"]
    fws = [x for x in located if x.input.kind == "firmware"]
    if not kernels:
        raise RunError("the inputs list no kernel package")
    by_series: dict[str, list[Located]] = {}
    for x in kernels:
        by_series.setdefault(x.input.series, []).append(x)
    series_order = sorted(by_series, key=tables.series_key)
    per_series = {}
    for s in series_order:
        try:
            per_series[s] = kernel.read_series([x.path for x in by_series[s]]).modules
        except (kernel.KernelError, DebError) as e:
            raise RunError(f"series {s}: {e}") from None
    declared = {f for mods in per_series.values() for m in mods.values() for f in m.firmware}
    release_order: list[str] = []
    for s in series_order:
        r = by_series[s][0].input.release
        r = apt.FIRMWARE_OF_NEWEST if r in apt.NEWEST_FROM else r
        if r not in release_order:
            release_order.append(r)
    for x in fws:
        if x.input.release not in release_order:
            release_order.append(x.input.release)
    shipped: set[tuple[str, str, str, str, str]] = set()
    for r in release_order:
        files: dict[str, firmware.Shipped] = {}
        for x in sorted((x for x in fws if x.input.release == r), key=lambda x: x.input.package):
            try:
                listing = firmware.read_files(x.path)
            except DebError as e:
                raise RunError(str(e)) from None
            for path, link in listing.items():
                files.setdefault(path, firmware.Shipped(x.input.package, x.input.version, link))
        shipped |= firmware.shipped_rows(r, files, declared)
    for x in fws:
        x.input.matched = sum(1 for row in shipped if row[1] == x.input.release and row[2] == x.input.package)
    rows = tables.build(per_series, shipped, release_order)

    inputs = [x.input for x in sorted(located, key=_input_order(series_order, release_order))]
    prov_path = outdir / "PROVENANCE.toml"
    old_date, old_inputs = None, None
    if prov_path.is_file():
        try:
            old_inputs, old_date = provenance.read_inputs(prov_path)
        except provenance.ProvenanceError:
            pass
    counts = _counts(per_series, rows, series_order, release_order)
    prov = provenance.Provenance(
        generated=provenance.run_date(old_date, old_inputs, inputs), inputs=inputs, series=series_order,
        releases=release_order, rules=RULES, counts=counts,
    )
    outdir.mkdir(parents=True, exist_ok=True)
    for name, table_rows in rows.items():
        _write(outdir / name, tables.render(name, table_rows))
    _write(prov_path, provenance.render(prov, tables.SERIES_SPELLING))
    return prov


def _input_order(series_order: list[str], release_order: list[str]):
    def key(x: Located):
        i = x.input
        if i.kind == "kernel":
            return (0, series_order.index(i.series), i.package)
        return (1, release_order.index(i.release), i.package)
    return key


def _counts(per_series, rows, series_order, release_order) -> dict[str, dict[str, dict[str, int]]]:
    series_counts = {}
    for s in series_order:
        mods = per_series[s]
        series_counts[s] = {
            "modules": len(mods),
            "aliases": sum(len(m.pci_aliases) for m in mods.values()),
            "params": sum(len(m.params) for m in mods.values()),
            "firmware_names": len({f for m in mods.values() for f in m.firmware}),
        }
    release_counts = {
        r: {"files": sum(1 for row in rows["firmware-packages.tsv"] if row[1] == r)} for r in release_order
    }
    return {"series": series_counts, "release": release_counts}


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
