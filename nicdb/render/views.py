"""What each command shows, as presenter-neutral blocks (see nicdb.render.blocks)."""

from __future__ import annotations

from nicdb.ids import fmt_rev_range
from nicdb.render.blocks import Bars, Chart, Fields, Heading, Series, Table, Text


def cite(src: dict | None) -> str:
    if not src:
        return "?"
    ver = f" @ {src['version']}" if src.get("version") else ""
    return f"{src['title']} ({src['ref']}{ver})"


def _chip_label(c: dict | None) -> str:
    if c is None:
        return "-"
    prods = "/".join(c["products"]) if c["products"] else "?"
    return f"{c['chip']} ({prods})"


def _pinned_label(r) -> str:
    """identify's chip column: the chip the kernel log names when it names one (the
    revision's guess stays in suggest and in JSON), marked when the two disagree."""
    lc = getattr(r, "log_chip", None)
    if lc is None:
        return _chip_label(r.chip)
    mark = " ≠ revision guess" if getattr(r, "log_agrees", None) is False else ""
    return f"{lc['chip']} (kernel log{mark})"


def _bus_text(b) -> str:
    if b is None:
        return "-"
    return getattr(b, "summary", None) or getattr(b, "reason", "") or "-"


def identify_view(reports, *, show_bus: bool = True, notes: list[str] | None = None) -> list:
    if not reports:
        return [Text("no network devices found", "note")] + [Text(n, "note") for n in notes or []]
    rows = []
    for r in reports:
        d = r.device
        ifaces = ", ".join(f"{i.name}({i.driver})" if i.driver else i.name for i in d.interfaces) or "-"
        rev = "??" if d.revision is None else f"{d.revision:02x}"
        name = " ".join(x for x in (r.vendor_name, r.device_name) if x) or "-"
        row = [d.slot, f"{d.id_text} rev {rev}", name, _pinned_label(r), d.driver or "-", ifaces]
        if show_bus:
            row.append(_bus_text(r.bus))
        row.append(r.summary)
        rows.append(row)
    cols = ["slot", "id", "name", "chip", "driver", "interfaces"] + (["bus"] if show_bus else []) + ["advice"]
    out: list = [Table("Network devices", cols, rows)]
    for r in reports:
        for n in r.device.notes + getattr(r, "notes", []):
            out.append(Text(f"{r.device.slot}: {n}", "warn" if getattr(r, "log_agrees", None) is False
                            and n in r.notes else "note"))
    for n in notes or []:
        out.append(Text(n, "note"))
    return out


def chip_view(vendor: int, device: int, rev: int | None, chips: list[dict], names: tuple,
              supports: list[dict]) -> list:
    vname, dname = names
    title = f"{vendor:04x}:{device:04x}" + (f" rev {rev:02x}" if rev is not None else "")
    out: list = [Heading(title)]
    if vname or dname:
        out.append(Text(" ".join(x for x in (vname, dname) if x) + "  (pci.ids name)", "note"))
    if not chips:
        if rev is not None:
            out.append(Text("this revision is not in the knowledge base" if supports else
                            "not in the knowledge base: nicdb has no revision notes for this ID"))
        else:
            out.append(Text("not in the knowledge base: nicdb has no revision notes for this ID"))
    for c in chips:
        pairs = [
            ("chip", c["chip"]),
            ("products", ", ".join(c["products"]) or "-") ,
            ("products confidence", c["products_confidence"]),
            ("revisions", fmt_rev_range(c["rev_lo"], c["rev_hi"])),
            ("family", f"{c['family']} ({c.get('family_name') or ''})"),
            ("bus", c["bus"] + (f", {c['bus_width_bits']}-bit" if c.get("bus_width_bits") else "")
             + (f"/{c['bus_mhz']} MHz" if c.get("bus_mhz") else "")),
        ]
        if c.get("shares_id_with"):
            pairs.append(("same ID and revision", "one of " + ", ".join(c["shares_id_with"])
                          + " (only the kernel log or a chip register tells which)"))
        if c.get("features"):
            pairs.append(("features", ", ".join(c["features"])))
        if c.get("notes"):
            pairs.append(("notes", c["notes"]))
        pairs += [("confidence", c["confidence"]), ("source", cite(c["source"]))]
        if rev is None:
            out.append(Text(f"revisions {fmt_rev_range(c['rev_lo'], c['rev_hi'])}: {_chip_label(c)}", "good"))
        out.append(Fields(pairs))
        if c.get("claims"):
            out.append(Text("What other sources say:"))
            for x in c["claims"]:
                out.append(Text(f"  - [{x['confidence']}] {x['says']}"))
                out.append(Text(f"    source: {cite(x['source'])}", "dim"))
    if supports:
        out.append(Table("Drivers", ["driver", "kind", "revisions", "status", "kernels", "reason"],
                         [[s["driver"], s["kind"], fmt_rev_range(s["rev_lo"], s["rev_hi"]), s["status"],
                           s["kernels"], s.get("reason") or ""] for s in supports]))
    return out


def _label(setting: str | None) -> str:
    from nicdb.report import setting_label

    return setting_label(setting)


def _fmt(v) -> str:
    from nicdb.advice.evidence import fmt_value

    return fmt_value(v)


def _order(v):
    """Sort key of setting values: numbers by size, before words; lists by their numbers."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, v, "")
    if isinstance(v, list):
        return (1, 0, " ".join(f"{x:012d}" for x in v))
    return (2, 0, str(v))


def _main_mtu(rows: list[dict]):
    """The MTU most of a set's varied rows ran at (the one its curves are drawn for; a
    row that varies the MTU itself counts at any)."""
    counts: dict = {}
    for r in rows:
        if r.get("value") is not None and r.get("setting") != "mtu":
            counts[r["mtu"]] = counts.get(r["mtu"], 0) + 1
    return max(counts, key=lambda m: counts[m]) if counts else None


def _at(r: dict, mtu) -> bool:
    """Whether a varied row belongs to the curves drawn at ``mtu``."""
    return r.get("value") is not None and (r.get("setting") == "mtu" or r["mtu"] == mtu)


def set_fields(ms: dict) -> Fields:
    """Where and how a measurement set was made (empty fields left out)."""
    iface = " ".join(x for x in (ms.get("iface"), f"({ms['slot']})" if ms.get("slot") else "") if x)
    nic = ""
    if ms.get("vendor") is not None and ms.get("origin") == "local":
        nic = f"{ms['vendor']:04x}:{ms['device']:04x} rev {fmt_rev_range(ms['rev_lo'], ms['rev_hi'])}"
        nic += f" {ms['chip']}" if ms.get("chip") else ""
    versions = sorted({f"{r['driver']} {r['driver_version']}" for r in ms["rows"] if r.get("driver_version")})
    pairs = [("board", ms["board"]), ("cpu", ms["cpu"]), ("bus", ms["bus"]), ("peer", ms["peer"]),
             ("tool", ms["tool"]), ("source", cite(ms["source"])), ("host", ms.get("host")),
             ("kernel", ms.get("kernel")), ("interface", iface), ("NIC", nic),
             ("driver version", ", ".join(versions)),
             ("link", f"{ms['line_rate_mbps']} Mb/s" if ms.get("line_rate_mbps") else ""),
             ("date", ms.get("date"))]
    return Fields([(k, v) for k, v in pairs if v])


def _cpu(r: dict) -> str:
    return "/".join("-" if x is None else str(x) for x in (r.get("cpu_local_pct"), r.get("cpu_peer_pct")))


def _mbps(r: dict) -> str:
    runs = r.get("runs")
    if runs and len(runs) > 1:
        return f"{r['mbps']:.1f} ±{(max(runs) - min(runs)) / 2:.1f}"
    return f"{r['mbps']:.1f}"


def measurements_table(ms: dict) -> Table:
    rows = ms["rows"]
    drivers = sorted({r["driver"] for r in rows})
    settings = {r.get("setting") for r in rows if r.get("value") is not None}
    one = len(settings) <= 1
    label = _label(next(iter(settings))) if settings else _label(ms.get("setting"))
    retr = any(r.get("retransmits") is not None for r in rows)
    keys, table = [], {}
    for r in rows:
        k = (r["direction"], r["mtu"], r.get("setting") if r.get("value") is not None else None,
             json_key(r.get("value")))
        if k not in table:
            keys.append(k)
            table[k] = {}
        table[k][r["driver"]] = r
    cols = ["direction", "MTU", label if one else "setting"]
    for d in drivers:
        cols += [f"{d} Mb/s", f"{d} CPU% (local/peer)"] + ([f"{d} retransmits"] if retr else [])
    body = []
    for k in keys:
        any_row = next(iter(table[k].values()))
        value = any_row.get("value")
        shown = "default" if value is None else (_fmt(value) if one else f"{_label(k[2])}={_fmt(value)}")
        line = [k[0], "-" if k[1] is None else str(k[1]), shown]
        for d in drivers:
            r = table[k].get(d)
            if r:
                line += [_mbps(r), _cpu(r)] + ([str(r["retransmits"]) if r.get("retransmits") is not None
                                                 else "-"] if retr else [])
            else:
                line += ["-", "-"] + (["-"] if retr else [])
        body.append(line)
    caption = "tx: the NIC sends; rx: it receives"
    if any(r.get("runs") and len(r["runs"]) > 1 for r in rows):
        caption += "; Mb/s is the median of the repeats ± half their spread"
    return Table("Measurements", cols, body, caption=caption)


def json_key(v):
    return tuple(v) if isinstance(v, list) else v


def sweep_bars(ms: dict, mark=None) -> list:
    """A bar chart per direction of the rows that vary a setting, at the set's main MTU.
    ``mark(driver, setting)`` gives the value to mark as recommended (or None)."""
    rows = ms["rows"]
    mtu = _main_mtu(rows)
    sweep = [r for r in rows if _at(r, mtu)]
    if not sweep:
        return []
    top = max(r["mbps"] for r in rows)
    out = []
    for direction in ("tx", "rx"):
        items = []
        for r in sorted((r for r in sweep if r["direction"] == direction),
                        key=lambda r: (r["driver"], r.get("setting") or "", _order(r["value"]))):
            rec = mark(r["driver"], r.get("setting")) if mark else None
            note = "← recommended" if rec is not None and json_key(rec) == json_key(r["value"]) else ""
            items.append((f"{direction} {r['driver']} {_label(r.get('setting'))}={_fmt(r['value'])}", r["mbps"], note))
        if items:
            labels = sorted({_label(r.get("setting")) for r in sweep})
            title = f"{'/'.join(labels)} sweep, {direction}" + (f", MTU {mtu}" if mtu is not None and labels != ["mtu"] else "")
            out.append(Bars(title, items, "Mb/s", scale_max=top))
    return out


def verdict_blocks(ms: dict) -> list:
    vs = ms.get("verdicts") or []
    if not vs:
        return []
    return [Text("What it means:", "good")] + [Text(f"  - {v.text}") for v in vs]


def evidence_blocks(set_id: str, ms: dict | None, *, bars: bool = True, mark=None) -> list:
    """A measurement set: where it was made, its table, its bar charts, what it means."""
    rows = ms["rows"] if ms else None
    if not rows:
        return [Text(f"evidence {set_id}: no measurements stored", "warn")]
    mine = " (your own)" if ms.get("origin") == "local" else ""
    out: list = [Text(f"Evidence{mine}: {ms['title']}", "good"), set_fields(ms), measurements_table(ms)]
    if bars:
        out += sweep_bars(ms, mark)
    return out + verdict_blocks(ms)


def _marker(params):
    """``mark(driver, setting)`` from parameter advice: the recommended value, or None."""
    from nicdb.evidence.names import names_param

    def mark(driver, setting):
        same = [p for p in params if names_param(setting, p.module, p.param)]
        # the driver's own advice, else (a bare parameter name) the advice on that parameter
        for p in sorted(same, key=lambda p: p.driver != driver):
            return p.recommended
        return None

    return mark


def compare_blocks(p, evidence: dict, shown_sets: list[str]) -> list:
    """The sets on ``p``'s chip and parameter side by side: a column per set and direction
    (the driver's own rows where a set has them), a row per value; then whether the
    user's machines agree with the recommendation."""
    from nicdb.evidence.names import names_param

    cols: list[tuple[str, str, dict]] = []  # (set id, direction, {value key: row})
    values: dict = {}
    for sid in shown_sets:
        ms = evidence.get(sid)
        if not ms:
            continue
        mtu = _main_mtu(ms["rows"])
        rows = [r for r in ms["rows"] if _at(r, mtu)
                and names_param(r.get("setting"), p.module, p.param)]
        own = [r for r in rows if r["driver"] == p.driver]
        rows = own or rows
        for direction in ("tx", "rx"):
            got = {json_key(r["value"]): r for r in rows if r["direction"] == direction}
            if got:
                drivers = sorted({r["driver"] for r in got.values()})
                cols.append((f"{sid} {direction}" + ("" if own else f" ({', '.join(drivers)})"), direction, got))
                for r in got.values():
                    values[json_key(r["value"])] = r["value"]
    if len(cols) < 2:
        return []
    body = []
    for key in sorted(values, key=lambda k: _order(values[k])):
        line = [_fmt(values[key]) + (" (recommended)" if json_key(p.recommended) == key else "")]
        line += [_mbps(c[2][key]) if key in c[2] else "-" for c in cols]
        body.append(line)
    out: list = [Table(f"{p.param} on {p.driver}: the sets side by side (Mb/s)", [p.param] + [c[0] for c in cols],
                       body)]
    for sid in shown_sets:
        ms = evidence.get(sid)
        if not ms or ms.get("origin") != "local":
            continue
        for v in ms.get("verdicts") or []:
            if v.driver != p.driver or v.recommended is None or not names_param(v.setting, p.module, p.param):
                continue
            where = ms.get("host") or sid
            if v.agrees is None:
                say = f"cannot tell: {p.param}={_fmt(v.recommended)} was not measured"
            else:
                say = "agrees with" if v.agrees else "disagrees with"
                say += (f" the recommendation {p.param}={_fmt(v.recommended)} (best {_fmt(v.best_value)}: "
                        f"{v.best_mbps:.1f} Mb/s; recommended: {v.recommended_mbps:.1f} Mb/s)")
            out.append(Text(f"Your machine {where} ({sid}, {v.direction}): {say}", "good" if v.agrees else "warn"))
    return out


def evidence_chart(sets: list[dict], mark=None, keep=None, title: str | None = None) -> Chart:
    """The chart of one or more sets: throughput against the setting's value at each set's
    main MTU, a line per (set,) driver and direction; ``mark(driver, setting)`` gives the
    recommended value to mark, ``keep(row)`` filters rows. The first set's bus ceiling
    and line rate are drawn across."""
    series: list[Series] = []
    labels: set[str] = set()
    marks: dict = {}
    values: dict = {}
    many = len(sets) > 1
    for ms in sets:
        mtu = _main_mtu(ms["rows"])
        rows = [r for r in ms["rows"] if _at(r, mtu) and (keep is None or keep(r))]
        groups: dict[tuple, list[dict]] = {}
        for r in rows:
            groups.setdefault((r["driver"], r["direction"], r.get("setting")), []).append(r)
        for (driver, direction, setting), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != "tx")):
            rs.sort(key=lambda r: _order(r["value"]))
            labels.add(_label(setting))
            for r in rs:
                values[json_key(r["value"])] = r["value"]
            name = f"{driver} {direction}" + (f" ({ms['id']})" if many else "") + \
                (f", MTU {mtu}" if mtu and mtu != 1500 else "")
            runs = [r.get("runs") for r in rs]
            series.append(Series(name, [r["value"] for r in rs], [r["mbps"] for r in rs],
                                 [min(x) if x and len(x) > 1 else None for x in runs],
                                 [max(x) if x and len(x) > 1 else None for x in runs],
                                 dashed=direction == "rx", group=f"{ms['id']} {driver}"))
            rec = mark(driver, setting) if mark else None
            if rec is not None:
                marks[json_key(rec)] = f"recommended: {_label(setting)}={_fmt(rec)}"
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.values())
    categories = None if numeric else [_fmt(values[k]) for k in sorted(values, key=lambda k: _order(values[k]))]
    if categories is not None:
        for s in series:
            s.xs = [_fmt(x) for x in s.xs]
    levels, notes = [], []
    first = sets[0] if sets else {}
    bus = first.get("bus_verdict")
    if bus is not None and getattr(bus, "ceiling_mbps", None):
        shared = bus.kind in ("pci", "pci-x")
        levels.append((bus.ceiling_mbps, f"{getattr(bus, 'label', None) or bus.summary.split(':')[0]} bus peak {bus.ceiling_mbps} Mb/s"
                       + (" (shared by both directions)" if shared else " per direction"), "bus"))
    if first.get("line_rate"):
        levels.append((first["line_rate"], f"line rate {first['line_rate']:g} Mb/s", "line"))
    label = "/".join(sorted(labels)) or _label(first.get("setting"))
    where = ", ".join(x for x in (first.get("host"), first.get("iface"), first.get("kernel")) if x)
    if where:
        notes.append(f"{first['id']}: {where}")
    return Chart(title or f"Throughput by {label}" + (f" ({first['id']}): {first.get('title')}" if len(sets) == 1
                                                      else ""),
                 label, series, marks=[(values.get(k, k), t) for k, t in marks.items()] if numeric else
                 [(_fmt(values.get(k, k)), t) for k, t in marks.items()],
                 levels=levels, categories=categories, notes=notes)


def param_chart(rep, setting_param: str | None = None) -> Chart | None:
    """``suggest --plot``: the sets on the first advised parameter that has evidence (or
    ``setting_param``), side by side."""
    from nicdb.evidence.names import names_param

    params = rep.params + [p for ps, _ in rep.alternatives.values() for p in ps]
    mark = _marker(params)
    for p in params:
        if setting_param and p.param != setting_param:
            continue
        same = [q for q in params if q.param == p.param]  # every driver's advice on it
        ids = list(dict.fromkeys(i for q in same for i in q.evidence + q.local_evidence if rep.evidence.get(i)))
        if ids:
            return evidence_chart([rep.evidence[i] for i in ids], mark,
                                  keep=lambda r: any(names_param(r.get("setting"), q.module, q.param) for q in same),
                                  title=f"{p.param}: throughput by value ({', '.join(ids)})")
    return None


def evidence_list_view(sets: list[dict]) -> list:
    if not sets:
        return [Text("no measurement sets", "note")]
    rows = []
    for m in sets:
        nic = "-" if m.get("vendor") is None else \
            f"{m['vendor']:04x}:{m['device']:04x} rev {fmt_rev_range(m['rev_lo'], m['rev_hi'])}"
        settings = ", ".join(dict.fromkeys([x for x in [m.get("setting")] + m.get("settings", []) if x])) or "-"
        where = " ".join(x for x in (m.get("host"), m.get("iface")) if x) or m.get("board") or "-"
        rows.append([m["id"], "yours" if m["origin"] == "local" else "nicdb", m["tool"] or "-", nic, settings,
                     str(m.get("count", "")), where, m["title"]])
    return [Table("Measurement sets", ["set", "origin", "tool", "NIC", "setting", "rows", "where", "title"], rows,
                  caption="nicdb evidence show SET: the measurements, a chart, and what they mean")]


def evidence_show_view(ms: dict, mark=None) -> list:
    head = f"{ms['id']}" + (" (your own)" if ms.get("origin") == "local" else "")
    return [Heading(head)] + evidence_blocks(ms["id"], ms, mark=mark)


def _param_blocks(params, modprobe: str | None, evidence: dict, shown: set[str], mark) -> list:
    """Parameter advice with its evidence (each evidence set drawn once per view);
    ``mark(driver, setting)`` is the value recommended for that driver."""
    out: list = []
    for p in params:
        if p.action == "set":
            default = p.default if p.default is not None else "unknown"
            head = f"{p.param}: set {p.recommended} (default here: {default})"
        elif p.action == "already-default":
            head = f"{p.param}: {p.recommended} is already the default here; nothing to set"
        else:
            head = f"{p.param}: leave the default"
        out.append(Text(f"[{p.driver}] {head}", "good"))
        out.append(Text("  why: " + p.why))
        if p.value_names and p.recommended is not None:
            meaning = p.value_names.get(str(p.recommended))
            if meaning:
                out.append(Text(f"  {p.param}={p.recommended} means: {meaning}"))
        out.append(Text(f"  confidence: {p.confidence}; source: {cite(p.source)}", "dim"))
        for ev in p.evidence + p.local_evidence:
            if ev not in shown:
                shown.add(ev)
                out += evidence_blocks(ev, evidence.get(ev), mark=mark)
        if p.local_evidence:
            out += compare_blocks(p, evidence, p.evidence + p.local_evidence)
    if modprobe:
        out.append(Text(f"Put this in /etc/modprobe.d/{params[0].module}.conf:", "good"))
        out.append(Text(modprobe, "code"))
    return out


_STATE_TEXT = {"present": "present", "missing": "MISSING", "not-shipped": "not shipped", "unknown": "not checked"}


def _series_cell(sub: list[str], whole: list[str]) -> str:
    return "all" if sub == whole else ", ".join(sub)


def _package_cell(f) -> str:
    if f.package:
        comp = next((p["component"] for p in f.packages if p["release"] == f.release), None)
        where = ", ".join(x for x in (f.release, comp) if x)
        return f"{f.package} {f.version or ''}".strip() + (f" ({where})" if where else "")
    if f.packages:
        # offline, or a distribution nicdb names no package for: every Debian release's
        by_pkg: dict[str, list[str]] = {}
        for p in f.packages:
            by_pkg.setdefault(p["package"], []).append(p["release"])
        return "; ".join(f"{pkg} ({', '.join(rels)})" for pkg, rels in by_pkg.items())
    return "-"


_FW_STATE = {
    "present": "present on this host",
    "missing": "MISSING on this host",
    "partial": "some present on this host (the others are for other chips or kernel versions)",
    "not-shipped": "the distribution ships none of these files",
    "unknown": "not checked: nicdb cannot see this host's files (a live run or a snapshot can)",
}


def _firmware_blocks(rep) -> list:
    files = rep.firmware
    if not files:
        return []
    f0 = files[0]
    series = rep.facts.kernel_series if rep.facts else None
    if f0.needed == "chip":
        what = "Firmware nicdb's notes name for this chip"
    else:
        what = f"Firmware {f0.module} declares" + (f" in {series}" if series else "") + f" ({len(files)} names)"
    state = rep.firmware_state
    out: list = [Text(f"{what}: {_FW_STATE.get(state, state)}", "warn" if state == "missing" else "good")]
    if rep.firmware_advice:
        out.append(Text("  " + rep.firmware_advice))
    if len(files) <= 12 or f0.needed == "chip":
        shown = files
    else:  # a long declared list: counts per package, and the files no package ships (with fallbacks)
        shown = [f for f in files if f.state == "not-shipped"][:12]
    rows = []
    for f in shown:
        note = []
        if f.target:
            note.append(f"link to {f.target}")
        if f.fallback:
            note.append(f"the driver loads {f.fallback} instead")
        elif f.state == "not-shipped":
            note.append("no package of this release ships it")
        if f.wildcard:
            note.append("a wildcard name")
        rows.append([f.file, _STATE_TEXT.get(f.state, f.state), _package_cell(f), "; ".join(note) or "-"])
    if rows:
        out.append(Table("Firmware files" + ("" if len(shown) == len(files) else " no package of this release ships"),
                         ["file", "on this host", "package", "note"], rows))
    if len(shown) < len(files):
        by_pkg: dict[str, dict[str, int]] = {}
        for f in files:
            if f in shown:
                continue
            states = by_pkg.setdefault(_package_cell(f), {})
            st = _STATE_TEXT.get(f.state, f.state)
            states[st] = states.get(st, 0) + 1
        for pkg, states in by_pkg.items():
            n = sum(states.values())
            whose = "that no Debian package ships" if pkg == "-" else f"from {pkg}"
            out.append(Text(f"  {'' if not rows else 'and '}{n} file{'s' if n > 1 else ''} {whose}: "
                            + ", ".join(f"{c} {st}" for st, c in states.items())))
    from nicdb.advice.facts import UNDECLARED_NOTE

    out.append(Text(f"  note: {UNDECLARED_NOTE}", "dim"))
    return out


def _facts_blocks(rep) -> list:
    """The generated driver facts: series, parameters with their types and changes, firmware."""
    f = rep.facts
    if f is None:
        return []
    k = f"{f.kernel_series}" + ("" if f.exact else " (the nearest series)")
    out: list = [Text(f"Driver facts (Debian kernels {', '.join(f.series)}; advice for {k})", "good")]
    rows = []
    for m in f.modules:
        dev = "-" if not m.binds and not m.carried else _series_cell(m.binds, f.series)
        if m.carried:
            dev += f" (+{', '.join(m.carried)} by the built-in rule)"
        rows.append([m.module, m.span, dev, "yes" if m.noted else "no"])
    out.append(Table("Kernel series that carry each candidate module", ["module", "kernel series", "binds this ID in",
                                                                        "nicdb notes"], rows))
    for m in f.modules:
        if not m.params:
            out.append(Text(f"{m.module} takes no parameters", "dim"))
            continue
        live = any(p.description is not None or p.value is not None for p in m.params)
        cols = ["parameter", "type", "series", "change", "notes"] + (["value now", "description (modinfo)"] if live
                                                                    else [])
        body = []
        for p in m.params:
            row = [p.name, p.type, _series_cell(p.series, m.series), p.change or "-", "yes" if p.noted else "-"]
            if live:
                row += [p.value if p.value is not None else "-", p.description or "-"]
            body.append(row)
        out.append(Table(f"Parameters of {m.module}", cols, body))
        out.append(Text(f"  source: {m.source}", "dim"))
    out += _firmware_blocks(rep)
    return out


_PAGE_STATE = {"present": "installed", "missing": "not installed", "not-shipped": "not shipped", "unknown": "-"}


def driver_view(p) -> list:
    """``nicdb driver NAME``: the driver's page."""
    out: list = [Heading(f"{p.name}" + (f" (module {p.module})" if p.module != p.name else ""))]
    d, f = p.driver, p.facts
    pairs = []
    if d is not None:
        pairs += [("nicdb notes", f"{d['kind']} driver: {d['summary']}"), ("source", cite(d["source"]))]
        if d.get("package"):
            pairs.append(("package", d["package"]))
    else:
        pairs.append(("nicdb notes", "none (the generated driver facts below are all nicdb has)"))
    if f is not None:
        pairs += [("kernel series", f.span), ("path", f.path), ("PCI IDs", f"{p.id_count} vendor:device IDs in "
                                                                           f"{p.pattern_count} alias patterns")]
    else:
        pairs.append(("kernel series", "not in the driver facts (not a PCI network driver of Debian's kernels "
                                       f"{', '.join(p.series)})"))
    if p.kernel:
        k = f"{p.kernel} (series {p.kernel_series}" + ("" if p.exact else ", the nearest") + ")"
        if f is not None:
            pairs.append(("on kernel", f"{k}: " + ("present" if p.availability is None else p.availability[1])))
    out.append(Fields(pairs))
    if p.all_ids and p.ids:
        rows = []
        for i in p.ids:
            ident = "-" if i["vendor"] is None else f"{i['vendor']:04x}:" + ("*" if i["device"] is None
                                                                            else f"{i['device']:04x}")
            sub = "" if i["subvendor"] is None and i["subdevice"] is None else \
                ("*" if i["subvendor"] is None else f"{i['subvendor']:04x}") + ":" + \
                ("*" if i["subdevice"] is None else f"{i['subdevice']:04x}")
            s = _series_cell(i["series"], p.series) + (f" (+{', '.join(i['carried'])})" if i["carried"] else "")
            rows.append([ident, sub or "-", i["class"] or "-", s, i["name"] or "-"])
        out.append(Table("PCI IDs it binds", ["id", "subsystem", "class", "series", "name (pci.ids)"], rows))
    elif f is not None and p.id_count:
        out.append(Text("(nicdb driver NAME --all lists them)", "dim"))
    if f is not None and f.params:
        notes = {x["name"]: x for x in p.params}
        rows = [[x.name, x.type, _series_cell(x.series, f.series), x.change or "-",
                 notes[x.name]["meaning"] if x.name in notes else "-"] for x in f.params]
        out.append(Table("Parameters" + (f" (types in {p.kernel_series})" if p.kernel_series else ""),
                         ["parameter", "type", "series", "change", "meaning (nicdb notes)"], rows))
        out.append(Text(f"  source: {f.source}", "dim"))
    elif f is not None:
        out.append(Text("It takes no module parameters.", "dim"))
    if p.firmware:
        rows = []
        for x in p.firmware:
            note = [f"link to {x.target}"] if x.target else []
            if x.fallback:
                note.append(f"the driver loads {x.fallback} instead")
            rows.append([x.file, _series_cell(x.series, f.series), _package_cell(x),
                         _PAGE_STATE.get(x.state, x.state), "; ".join(note) or "-"])
        dist = p.distribution
        title = "Firmware it declares" + (f" in {p.kernel_series}" if p.kernel_series else "")
        title += f" (packages of {dist.release if dist and dist.release else 'each Debian release'})"
        out.append(Table(title, ["file", "series", "package", "on this host", "note"], rows))
        from nicdb.advice.facts import UNDECLARED_NOTE

        out.append(Text(f"  note: {UNDECLARED_NOTE}", "dim"))
    elif f is not None:
        out.append(Text("It declares no firmware files.", "dim"))
    if p.families:
        out.append(Table("Chip families nicdb has notes for", ["family", "name", "why"],
                         [[x["id"], x["name"], x["why"]] for x in p.families]))
    if p.issues:
        out.append(Table("Known issues", ["issue", "severity", "affected", "fixed in", "workaround"],
                         [[i["title"], i["severity"], i["affected"], i["fixed_in"] or "-", i["workaround"] or "-"]
                          for i in p.issues]))
    return out


def suggest_view(rep) -> list:
    d = rep.device
    rev = "??" if d.revision is None else f"{d.revision:02x}"
    name = " ".join(x for x in (rep.vendor_name, rep.device_name) if x)
    where = "" if d.slot == "-" else f"{d.slot}  "
    out: list = [Heading(f"{where}{d.id_text} rev {rev}  {name}".strip())]
    if rep.firmware_advice:
        out.append(Text(rep.firmware_advice, "warn"))
    if rep.chip:
        c = rep.chip
        pairs = [("chip", _chip_label(c)), ("revisions", fmt_rev_range(c["rev_lo"], c["rev_hi"]))]
        if c.get("shares_id_with"):
            pairs.append(("same ID and revision", "one of " + ", ".join(c["shares_id_with"])))
        pairs += [("confidence", f"{c['confidence']} (products: {c['products_confidence']})"),
                  ("source", cite(c["source"]))]
        out.append(Fields(pairs))
    else:
        out.append(Text(rep.summary))
    out += _log_blocks(rep)
    if rep.candidate_modules is not None:
        mods = ", ".join(rep.candidate_modules) or "none"
        out.append(Text(f"Kernel modules that match it: {mods}  (from {rep.modules_source})", "dim"))
    adv = rep.drivers
    if adv:
        if adv.recommended:
            out.append(Text(f"Driver: use {adv.recommended}", "good"))
        else:
            out.append(Text("Driver: no usable driver found", "warn"))
        for w in adv.why:
            out.append(Text("  - " + w))
        out.append(Table("Driver options", ["driver", "kind", "status", "score", "notes"],
                         [[o.name, o.kind, o.status, str(o.score),
                           o.reason or "; ".join(i["title"] for i in o.issues)] for o in adv.options]))
    shown: set[str] = set()
    mark = _marker(rep.params + [p for ps, _ in rep.alternatives.values() for p in ps])
    out += _param_blocks(rep.params, rep.modprobe, rep.evidence, shown, mark)
    for name, (params, line) in rep.alternatives.items():
        out.append(Text(f"If you use {name} instead:", "good"))
        out += _param_blocks(params, line, rep.evidence, shown, mark)
    if rep.issues:
        out.append(Table("Known issues of the recommended driver on this kernel",
                         ["issue", "severity", "affected", "fixed in", "workaround", "confidence"],
                         [[i["title"], i["severity"], i["affected"], i["fixed_in"] or "-",
                           i["workaround"] or "-", i["confidence"]] for i in rep.issues]))
    out += _facts_blocks(rep)
    if rep.bus is not None:
        out.append(Text("Bus: " + (getattr(rep.bus, "reason", "") or _bus_text(rep.bus)),
                        "warn" if getattr(rep.bus, "limited", None) else "plain"))
    for n in d.notes:
        out.append(Text(n, "note"))
    return out


_LOG_SHOWN = 40  # facts listed per NIC in suggest (the JSON has all)


def _log_blocks(rep) -> list:
    """suggest's "Kernel log" part: the chip the log names next to the revision's guess,
    whether they agree, and every fact with its line."""
    facts = rep.device.log
    if not facts:
        return []
    out: list = [Text("Kernel log", "good")]
    lc, pairs = rep.log_chip, []
    if lc is not None:
        how = (f"{lc['driver']} {lc['kind']} {lc['value']} (line {lc['lineno']}), mapped by "
               f"{cite(lc['source'])} [{lc['confidence']}]" if lc["via"] == "log-id"
               else f"printed by {lc['driver']} (line {lc['lineno']})")
        prods = f" ({'/'.join(lc['products'])})" if lc.get("products") else ""
        pairs.append(("chip named by the log", f"{lc['chip']}{prods}: {how}"))
        pairs.append(("guess from the PCI revision", _chip_label(rep.chip) if rep.chip else "-"))
        verdict = {True: "they agree", False: "they DISAGREE", None: "cannot be compared"}[rep.log_agrees]
        pairs.append(("agreement", f"{verdict}: {lc.get('why', '')}" if lc.get("why") else verdict))
        if lc.get("notes"):
            pairs.append(("about that chip", lc["notes"]))
        if lc.get("firmware"):
            pairs.append(("firmware for that chip", ", ".join(lc["firmware"])))
    out.append(Fields(pairs) if pairs else Text("the log names no chip for this device", "dim"))
    for n in rep.notes:
        out.append(Text(n, "warn" if rep.log_agrees is False else "note"))
    rows = [[str(f.lineno), f.driver, f.kind, f.value, f.line] for f in facts[:_LOG_SHOWN]]
    out.append(Table("What the drivers said", ["line", "driver", "fact", "value", "log line"], rows,
                     caption="" if len(facts) <= _LOG_SHOWN else f"{len(facts) - _LOG_SHOWN} more in --json"))
    return out


def suggest_document_view(doc) -> list:
    """``suggest`` for every NIC of a document."""
    blocks: list = []
    for rep in doc.nics:
        blocks += suggest_view(rep)
    for n in getattr(doc, "notes", []) or []:
        blocks.append(Text(n, "note"))
    return blocks or [Text("no network devices found", "note")]


def families_view(fams: list[dict]) -> list:
    return [Table("Chip families", ["family", "name", "PCI IDs", "revision ranges", "drivers"],
                  [[f["id"], f["name"], " ".join(f["ids"]), str(f["chips"]), ", ".join(f["drivers"])]
                   for f in fams])]


def search_view(text: str, res: dict) -> list:
    out: list = []
    if res["chips"]:
        out.append(Table("Chips", ["family", "id", "revisions", "chip", "products", "confidence"],
                         [[c["family"], f"{c['vendor']:04x}:{c['device']:04x}", fmt_rev_range(c["rev_lo"], c["rev_hi"]),
                           c["chip"], ", ".join(__import__("json").loads(c["products"])), c["confidence"]]
                          for c in res["chips"]]))
    if res["families"]:
        out.append(Table("Families", ["family", "name"], [[f["id"], f["name"]] for f in res["families"]]))
    if res["drivers"]:
        out.append(Table("Drivers", ["driver", "kind", "summary"],
                         [[d["name"], d["kind"], d["summary"]] for d in res["drivers"]]))
    if res["vendors"]:
        out.append(Table("Vendors (pci.ids)", ["vendor", "name"],
                         [[f"{v['vendor']:04x}", v["name"]] for v in res["vendors"]]))
    if res["devices"]:
        out.append(Table("Devices (pci.ids)", ["id", "vendor", "name"],
                         [[f"{d['vendor']:04x}:{d['device']:04x}", d["vendor_name"] or "", d["name"]]
                          for d in res["devices"]]))
    if res.get("modules"):
        out.append(Table("Kernel modules (driver facts)", ["module", "kernel series", "path"],
                         [[m["module"], ", ".join(m["series"]), m["path"]] for m in res["modules"]]))
    if res.get("firmware"):
        rows = []
        for f in res["firmware"]:
            by_pkg: dict[str, list[str]] = {}
            for p in f["packages"]:
                by_pkg.setdefault(p["package"], []).append(p["release"])
            pkgs = "; ".join(f"{k} ({', '.join(v)})" for k, v in by_pkg.items()) or "no Debian package"
            mods = ", ".join(f"{m['module']} ({', '.join(m['series'])})" for m in f["modules"]) or "-"
            rows.append([f["file"] + (f" -> {f['target']}" if f["target"] else ""), mods, pkgs])
        out.append(Table("Firmware files", ["file", "requested by (kernel series)", "shipped by"], rows))
    return out or [Text(f"nothing matches {text!r}", "note")]


def fleet_rows_header() -> list[str]:
    return ["host", "slot", "id", "chip", "driver", "advice"]


def fleet_row(host: str, rep) -> list[str]:
    d = rep.device
    rev = "??" if d.revision is None else f"{d.revision:02x}"
    return [host, d.slot, f"{d.id_text} rev {rev}", _chip_label(rep.chip), d.driver or "-", rep.summary]


def fleet_summary_view(summary: dict) -> list:
    out: list = [Heading(f"Fleet: {summary['hosts']} hosts read, {summary['nics']} NICs"
                         + (f", {summary['hosts_failed']} input{'s' if summary['hosts_failed'] > 1 else ''} failed"
                            if summary["hosts_failed"] else ""))]
    if summary["action_first"]:
        out.append(Table(f"Hosts that need action first ({summary['hosts_needing_action']} in all)",
                         ["host", "action"], [[a["host"], a["action"]] for a in summary["action_first"]]))
    for key, title in (("hosts_per_chip", "Hosts per chip"), ("hosts_per_driver", "Hosts per driver in use"),
                       ("hosts_per_advice", "Hosts per advice")):
        rows = [[k, str(v)] for k, v in list(summary[key].items())[:40]]
        if rows:
            out.append(Table(title, ["", "hosts"], rows))
    for f in summary["failed"]:
        out.append(Text(f"{f['host']}: {f['error']}", "warn"))
    return out
