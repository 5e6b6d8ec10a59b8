"""Generated driver facts for one NIC -- pure functions over knowledge-base rows.

The driver facts (data/driver-facts/, read from Debian's kernel and firmware packages)
say for every PCI network driver module which kernel series carry it, which PCI IDs it
binds in each, which parameters it takes with which types, which firmware files it
declares, and which package of each Debian release ships each file. Here they become
what a report shows:

- :func:`module_facts` -- one candidate module: the series that carry it (and bind this
  device), the parameters with their type changes, the declared firmware;
- :func:`availability` -- whether a candidate exists on the kernel the advice is for
  ("gone by 6.12");
- :func:`firmware_files` and :func:`firmware_verdict` -- the firmware files the NIC's
  driver may request, whether each is on the host, which package ships it with the
  command that installs it, and what the driver loads instead when the distribution
  ships no such file;
- :func:`distribution` -- which distribution's package names to give, from os-release.

Nothing here touches the system or the database.
"""

from __future__ import annotations

from nicdb.model import Record

# Debian's releases by VERSION_ID, for an os-release without VERSION_CODENAME
DEBIAN_VERSIONS = {"9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie",
                   "14": "forky", "15": "duke"}
DEBIAN_ORDER = ("stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid")
# the archive component that holds the firmware packages
DEBIAN_COMPONENT = {"stretch": "non-free", "buster": "non-free", "bullseye": "non-free"}
UNDECLARED_NOTE = ("a driver may also request files it does not declare (board, calibration or NVM files "
                   "named at run time); the kernel log names any file it could not load")


def series_key(s: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in s.split("."))
    except ValueError:
        return (999,)


def major_minor(kernel: str | None) -> tuple[int, int] | None:
    """``6.1.0-57-amd64`` -> (6, 1); None when the text does not start MAJOR.MINOR. (No
    regex: a one-shot identify compiles none.)"""
    if not kernel:
        return None
    major, dot, rest = kernel.partition(".")
    i = 0
    while i < len(rest) and rest[i].isdigit():
        i += 1
    if not (dot and major.isdigit() and i):
        return None
    return int(major), int(rest[:i])


def is_glob(name: str) -> bool:
    return "*" in name or "?" in name or "[" in name


def fmt_series(series) -> str:
    return ", ".join(series)


def kernel_series(kernel: str | None, series: list[str]) -> tuple[str | None, bool]:
    """The series of ``series`` (ascending) that a kernel's advice uses, and whether it is
    the kernel's own: ``6.1.0-57-amd64`` -> ("6.1", True); ``6.6.30`` -> ("6.1", False),
    the nearest older series; older than all -> the oldest; unknown -> the newest."""
    if not series:
        return None, False
    v = major_minor(kernel)
    if v is None:
        return series[-1], False
    older = [s for s in series if series_key(s) <= v]
    if not older:
        return series[0], False
    return older[-1], series_key(older[-1]) == v


def span(present: list[str], series: list[str]) -> tuple[str, str | None, str | None]:
    """How a module's (or alias's) series read: ``("5.10, 6.1; gone by 6.12", None, "6.1")``
    -- the text, the series it first appears in (None: in the oldest too) and the last
    series it is in when it is gone from the newest (None: still there)."""
    if not present:
        return "in none of the series", None, None
    have = set(present)
    ordered = [s for s in series if s in have]
    first, last = ordered[0], ordered[-1]
    added = first if series and first != series[0] else None
    removed = last if series and last != series[-1] else None
    text = fmt_series(ordered)
    if added:
        text = f"{text} (new in {first})"
    if removed:
        gone = series[series.index(last) + 1]
        text = f"{text}; gone by {gone}"
    return text, added, removed


class ParamFact(Record):
    """One parameter of a module across the series: its type in the series the advice is
    for (else its newest), every (type, series) it had, what changed, whether nicdb has
    notes on it, and -- on a live system only -- its description and current value."""

    __slots__ = ("name", "type", "types", "series", "change", "noted", "description", "value")

    def __init__(self, name: str, type_: str, types: list[tuple[str, list[str]]], series: list[str],
                 change: str = "", noted: bool = False, description: str | None = None, value: str | None = None):
        self.name, self.type, self.types, self.series = name, type_, types, series
        self.change, self.noted, self.description, self.value = change, noted, description, value


def param_facts(rows: list[dict], module_series: list[str], target: str | None,
                noted: frozenset[str] = frozenset()) -> list[ParamFact]:
    """``rows``: ``{name, type, series: [..]}`` (a retyped parameter has one row per type)."""
    by_name: dict[str, list[tuple[str, list[str]]]] = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append((r["type"], sorted(r["series"], key=series_key)))
    out = []
    for name in sorted(by_name, key=str.lower):
        types = sorted(by_name[name], key=lambda t: series_key(t[1][0]))
        union = sorted({s for _, ss in types for s in ss}, key=series_key)
        here = next((t for t, ss in types if target in ss), types[-1][0])
        changes = []
        if len(types) > 1:
            changes.append(", ".join(f"{t} in {fmt_series(ss)}" if i < len(types) - 1 or ss[-1] != module_series[-1]
                                     else f"{t} from {ss[0]}" for i, (t, ss) in enumerate(types)))
        if module_series and union[0] != module_series[0]:
            changes.append(f"new in {union[0]}")
        if module_series and union[-1] != module_series[-1]:
            later = [s for s in module_series if series_key(s) > series_key(union[-1])]
            changes.append(f"gone by {later[0]}" if later else f"last in {union[-1]}")
        out.append(ParamFact(name, here, types, union, "; ".join(changes), name in noted))
    return out


class ModuleFacts(Record):
    """The generated facts of one candidate module for one device: the series that carry
    the module, those whose aliases bind this device (``binds``; ``carried``: series added
    by the built-in rule), how that reads (``span``), its parameters and declared firmware
    (``firmware``: ``{name, wildcard, series}``), and where the facts come from."""

    __slots__ = ("module", "series", "path", "binds", "carried", "span", "added_in", "removed_after", "params",
                 "firmware", "source", "noted")

    def __init__(self, module: str, series: list[str], path: str, binds: list[str] | None, carried: list[str],
                 span_text: str, added_in: str | None, removed_after: str | None, params: list[ParamFact],
                 firmware: list[dict], source: str, noted: bool = False):
        self.module, self.series, self.path, self.binds, self.carried = module, series, path, binds, carried
        self.span, self.added_in, self.removed_after = span_text, added_in, removed_after
        self.params, self.firmware, self.source, self.noted = params, firmware, source, noted


def facts_source(series: list[str], kernels: dict[str, dict]) -> str:
    """Where a module's facts come from: the versions of Debian's kernel packages of its
    series (the packages themselves: ``nicdb driver --json``, data/driver-facts/PROVENANCE.toml)."""
    return "modinfo of Debian kernels " + ", ".join(kernels[s]["version"] for s in series if s in kernels)


def module_facts(row: dict, all_series: list[str], binds: list[str] | None, carried: list[str],
                 target: str | None, source: str, noted_params: frozenset[str] = frozenset(),
                 noted: bool = False) -> ModuleFacts:
    """``row``: the knowledge base's facts of one module (:meth:`KnowledgeBase.module_facts`).
    ``binds``: the series whose aliases match the device (with ``carried``), None when the
    device is not known (the driver page)."""
    present = binds if binds else row["series"]
    text, added, removed = span(sorted(set(present) | set(carried), key=series_key), all_series)
    return ModuleFacts(row["module"], row["series"], row["path"], binds, carried, text, added, removed,
                       param_facts(row["params"], row["series"], target, noted_params), row["firmware"], source,
                       noted)


def availability(present: list[str], all_series: list[str], kernel: str | None) -> tuple[str, str] | None:
    """Whether a module that binds a device in the series ``present`` exists on ``kernel``:
    None when it does (or nothing can be said), else ``(status, reason)`` with status
    ``gone`` / ``not-yet`` (certain: the kernel is at or past a series without it) or
    ``maybe-gone`` / ``maybe-not-yet`` (the kernel lies between a series with it and one
    without). ``kernel`` None: a current kernel, i.e. the newest series."""
    if not present or not all_series:
        return None
    have = sorted(set(present), key=series_key)
    first, last = have[0], have[-1]
    after = [s for s in all_series if series_key(s) > series_key(last)]
    before = [s for s in all_series if series_key(s) < series_key(first)]
    if kernel is None:
        if after:
            return "gone", f"not in Debian's {all_series[-1]} kernel (last in {last}, gone by {after[0]})"
        return None
    v = major_minor(kernel)
    if v is None:
        return None
    if after and v >= series_key(after[0]):
        return "gone", f"gone by {after[0]} (last in {last})"
    if after and v > series_key(last):
        return "maybe-gone", f"last seen in {last}, gone by {after[0]}: may be missing on {kernel}"
    if before and v <= series_key(before[-1]):
        return "not-yet", f"not in {before[-1]} (new in {first})"
    if before and v < series_key(first):
        return "maybe-not-yet", f"new in {first}, not in {before[-1]}: may be missing on {kernel}"
    return None


# ------------------------------------------------------------------ distributions


class Distro(Record):
    """Which distribution's package names nicdb gives. ``family``: debian | ubuntu |
    fedora | other. ``release``: the Debian release whose packages are named (for Debian
    and its derivatives); ``nearest``: that release is the nearest one the facts cover,
    not the host's own; ``install``: the package manager's install command."""

    __slots__ = ("id", "name", "version_id", "codename", "family", "release", "nearest", "install")

    def __init__(self, id_: str, name: str, version_id: str, codename: str, family: str, release: str | None,
                 nearest: bool, install: str | None):
        self.id, self.name, self.version_id, self.codename = id_, name, version_id, codename
        self.family, self.release, self.nearest, self.install = family, release, nearest, install


def distribution(osr: dict | None, releases: list[str]) -> Distro | None:
    """The distribution of an os-release (None: unknown, e.g. pasted lspci output).
    ``releases``: the Debian releases the facts cover, oldest first."""
    if not osr:
        return None
    ident = osr.get("ID", "").lower()
    like = osr.get("ID_LIKE", "").lower().split()
    version = osr.get("VERSION_ID", "")
    codename = osr.get("VERSION_CODENAME", "").lower()
    name = osr.get("PRETTY_NAME") or osr.get("NAME") or ident or "unknown"
    if ident == "ubuntu" or (ident != "debian" and "ubuntu" in like):
        return Distro(ident, name, version, codename, "ubuntu", None, False, "apt install")
    if ident == "fedora":
        return Distro(ident, name, version, codename, "fedora", None, False, "dnf install")
    if ident == "debian" or "debian" in like:
        if ident == "debian" and not codename:
            codename = DEBIAN_VERSIONS.get(version.split(".")[0], "sid" if not version else "")
        release, nearest = _debian_release(codename, releases)
        if ident != "debian" and release is None:
            return Distro(ident, name, version, codename, "other", None, False, None)
        return Distro(ident, name, version, codename, "debian", release, nearest, "apt install")
    return Distro(ident, name, version, codename, "other", None, False, None)


def _debian_release(codename: str, releases: list[str]) -> tuple[str | None, bool]:
    if codename in releases:
        return codename, False
    if codename not in DEBIAN_ORDER or not releases:
        return None, False
    known = [r for r in releases if r in DEBIAN_ORDER]
    if not known:
        return None, False
    at = DEBIAN_ORDER.index(codename)
    stable = [r for r in known if r != "sid"]
    if "sid" in known and (not stable or at > DEBIAN_ORDER.index(stable[-1])):
        return "sid", True  # testing (and releases after the newest one covered) track sid
    older = [r for r in known if DEBIAN_ORDER.index(r) <= at]
    return (older[-1] if older else known[0]), True


# ------------------------------------------------------------------ firmware


class FirmwareFile(Record):
    """One firmware file (or wildcard name) a NIC's driver may request.

    ``needed``: ``chip`` (nicdb's notes name it for this chip) or ``declared`` (the module
    declares it; whether this card needs it depends on the chip). ``state``: present |
    missing (absent, and a package of the host's distribution ships it) | not-shipped
    (absent, and no package of that release ships it: see ``fallback``) | unknown (nicdb
    cannot see the host's files: presence ``None``). ``package``/``version``/``release``/
    ``install``: the package of the host's distribution and the command that installs it;
    ``packages``: Debian's packages of every release the facts cover; ``target``: where a
    symbolic link in the package points."""

    __slots__ = ("file", "module", "needed", "wildcard", "series", "state", "present", "path", "package", "version",
                 "release", "install", "packages", "target", "fallback")

    def __init__(self, file: str, module: str, needed: str, wildcard: bool, series: list[str], state: str,
                 present: bool | None, path: str | None, package: str | None, version: str | None,
                 release: str | None, install: str | None, packages: list[dict], target: str | None,
                 fallback: str | None):
        self.file, self.module, self.needed, self.wildcard, self.series = file, module, needed, wildcard, series
        self.state, self.present, self.path = state, present, path
        self.package, self.version, self.release, self.install = package, version, release, install
        self.packages, self.target, self.fallback = packages, target, fallback


class FirmwarePlan(Record):
    """What one chip's firmware check needs, shared by every NIC of that chip: the module,
    the names to check (``(name, needed, wildcard, series)``), and for each name the rows
    of the files Debian's packages ship for it (``{file, release, package, version,
    target}``), plus every shipped file of the module (for fallbacks)."""

    __slots__ = ("module", "names", "shipped", "module_files")

    def __init__(self, module: str, names: list[tuple], shipped: dict[str, list[dict]],
                 module_files: list[dict]):
        self.module, self.names, self.shipped, self.module_files = module, names, shipped, module_files


def firmware_names(chip_firmware: list[str], declared: list[dict], target: str | None,
                   module_series: list[str]) -> list[tuple[str, str, bool, list[str]]]:
    """The names a NIC's check looks at: the files nicdb's chip notes name (they win),
    else the module's declared names of the series the advice is for (when the module is
    not in that series, of the nearest series it is in)."""
    if chip_firmware:
        decl = {d["name"]: d for d in declared}
        return [(f, "chip", is_glob(f), decl[f]["series"] if f in decl else [])
                for f in chip_firmware]
    if not declared:
        return []
    use = target
    if target not in module_series and module_series:
        older = [s for s in module_series if series_key(s) <= series_key(target or "999")]
        use = older[-1] if older else module_series[0]
    return [(d["name"], "declared", bool(d["wildcard"]), d["series"]) for d in declared if use in d["series"]]


def _api_split(name: str) -> tuple[str, int, str] | None:
    """``dir/iwlwifi-so-a0-gf-a0-89.ucode`` -> ("dir/iwlwifi-so-a0-gf-a0-", 89, ".ucode"):
    the number just before the last extension, when there is one."""
    dot = name.rfind(".")
    if dot <= 0 or "/" in name[dot:]:
        return None
    i = dot
    while i > 0 and name[i - 1].isdigit():
        i -= 1
    if i == dot:
        return None
    return name[:i], int(name[i:dot]), name[dot:]


def fallback_for(name: str, shipped_files: set[str]) -> str | None:
    """The file a driver loads instead of an unshipped API version: the same name with
    the highest lower number that is shipped (``iwlwifi-so-a0-gf-a0-89.ucode`` ->
    ``...-86.ucode``), or None."""
    parts = _api_split(name)
    if parts is None:
        return None
    stem, num, ext = parts
    best = None
    for f in shipped_files:
        other = _api_split(f)
        if other is not None and other[0] == stem and other[2] == ext and other[1] < num \
                and (best is None or other[1] > best[0]):
            best = (other[1], f)
    return best[1] if best else None


def firmware_files(plan: FirmwarePlan | None, system, distro: Distro | None, releases: list[str]) -> list[FirmwareFile]:
    """Each name of ``plan`` on this host: present or not (``system``: a
    :class:`nicdb.inputs.host.HostSystem`, None when unknown), the package of the host's
    distribution (``distro``; None: every Debian release's, as listed), and the fallback."""
    if plan is None:
        return []
    rel_order = {r: i for i, r in enumerate(releases)}
    out = []
    for name, needed, wild, series in plan.names:
        rows = sorted(plan.shipped.get(name, []), key=lambda r: (rel_order.get(r["release"], 99), r["file"]))
        packages: list[dict] = []
        seen = set()
        for r in rows:
            k = (r["release"], r["package"])
            if k not in seen:
                seen.add(k)
                packages.append({"release": r["release"], "package": r["package"], "version": r["version"],
                                 "component": DEBIAN_COMPONENT.get(r["release"], "non-free-firmware")})
        target = next((r["target"] for r in rows if r["target"] and r["file"] == name), None) or None
        present = path = None
        if system is not None and system.knows(name):
            path = system.find(name)
            present = path is not None
        package = version = release = install = None
        fam = distro.family if distro else None
        if fam == "debian" and distro.release:
            release = distro.release
            row = next((p for p in packages if p["release"] == release), None)
            if row:
                package, version, install = row["package"], row["version"], f"apt install {row['package']}"
        elif fam in ("ubuntu", "fedora") and packages:
            package, install = "linux-firmware", f"{distro.install} linux-firmware"
        shipped_here = (package is not None) if release else bool(packages)
        if present:
            state = "present"
        elif present is None:
            state = "unknown"
        else:
            state = "missing" if shipped_here else "not-shipped"
        fallback = None
        if not shipped_here:
            files = {r["file"] for r in plan.module_files if release is None or r["release"] == release}
            fb = fallback_for(name, files)
            if fb:
                fb_pkg = next((r["package"] for r in plan.module_files if r["file"] == fb
                               and (release is None or r["release"] == release)), None)
                fallback = fb + (f" ({fb_pkg})" if fb_pkg else "")
        out.append(FirmwareFile(name, plan.module, needed, wild, series, state, present, path, package, version,
                                release, install, packages, target, fallback))
    return out


def firmware_verdict(files: list[FirmwareFile], distro: Distro | None) -> tuple[str, str | None]:
    """The NIC's firmware state and, when something is missing, the advice that goes first.

    State: ``none`` (the driver declares no firmware), ``present``, ``missing``,
    ``partial`` (a declared-only list: some files there, others -- for other chips or
    newer versions -- not), ``not-shipped`` (the distribution ships none of the names)
    or ``unknown`` (nicdb cannot see the host's files). Files nicdb's chip notes name
    decide alone when there are any; a module's declared list is "missing" only when
    none of the files its packages ship is installed (the package is not installed)."""
    if not files:
        return "none", None
    known = [f for f in files if f.state != "unknown"]
    if not known:
        return "unknown", None
    chip = [f for f in known if f.needed == "chip"]
    if chip:
        missing = [f for f in chip if f.state == "missing"]
        if missing:
            return "missing", f"firmware missing: {missing[0].file}" + _how(missing, distro)
        if all(f.state == "present" for f in chip):
            return "present", None
        return "not-shipped", None
    shipped = [f for f in known if f.state in ("present", "missing")]
    if not shipped:
        return "not-shipped", None
    missing = [f for f in shipped if f.state == "missing"]
    if len(missing) == len(shipped):
        return "missing", f"no {files[0].module} firmware installed" + _how(missing, distro)
    return ("partial" if missing else "present"), None


def _how(missing: list[FirmwareFile], distro: Distro | None) -> str:
    """How to install what is missing: one install command for every package named."""
    by_cmd: dict[str, list[str]] = {}
    for f in missing:
        if f.install and f.package:
            cmd = f.install[: -len(f.package)].rstrip()
            if f.package not in by_cmd.setdefault(cmd, []):
                by_cmd[cmd].append(f.package)
    if by_cmd:
        return ": " + "; ".join(f"{cmd} {' '.join(pkgs)}" for cmd, pkgs in by_cmd.items())
    if distro is None or distro.family == "other":
        # no package name to give: where upstream linux-firmware has the files
        if len(missing) == 1:
            return f" (linux-firmware: {missing[0].file})"
        dirs = {f.file.rpartition("/")[0] for f in missing}
        return f" (linux-firmware: {dirs.pop()}/)" if len(dirs) == 1 and "" not in dirs else " (in linux-firmware)"
    return ""
