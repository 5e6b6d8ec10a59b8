"""What each command shows, as presenter-neutral blocks (see nicdb.render.blocks)."""

from __future__ import annotations

from nicdb.ids import fmt_rev_range
from nicdb.render.blocks import Bars, Fields, Heading, Table, Text


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


def _bus_text(b) -> str:
    if b is None:
        return "-"
    return getattr(b, "summary", None) or getattr(b, "reason", "") or "-"


def identify_view(reports, *, show_bus: bool = True) -> list:
    if not reports:
        return [Text("no network devices found", "note")]
    rows = []
    for r in reports:
        d = r.device
        ifaces = ", ".join(f"{i.name}({i.driver})" if i.driver else i.name for i in d.interfaces) or "-"
        rev = "??" if d.revision is None else f"{d.revision:02x}"
        name = " ".join(x for x in (r.vendor_name, r.device_name) if x) or "-"
        row = [d.slot, f"{d.id_text} rev {rev}", name, _chip_label(r.chip), d.driver or "-", ifaces]
        if show_bus:
            row.append(_bus_text(r.bus))
        row.append(r.summary)
        rows.append(row)
    cols = ["slot", "id", "name", "chip", "driver", "interfaces"] + (["bus"] if show_bus else []) + ["advice"]
    out: list = [Table("Network devices", cols, rows)]
    for r in reports:
        for n in r.device.notes:
            out.append(Text(f"{r.device.slot}: {n}", "note"))
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


def _evidence_blocks(set_id: str, ms: dict | None, param: str | None, focus_driver: str | None, mark_value) -> list:
    rows = ms["rows"] if ms else None
    if not rows:
        return [Text(f"evidence {set_id}: no measurements stored", "warn")]
    out: list = [Text(f"Evidence: {ms['title']}", "good"),
                 Fields([("board", ms["board"]), ("cpu", ms["cpu"]), ("bus", ms["bus"]), ("peer", ms["peer"]),
                         ("tool", ms["tool"]), ("source", cite(ms["source"]))])]
    drivers = sorted({r["driver"] for r in rows})
    keys = []
    table: dict = {}
    for r in rows:
        k = (r["direction"], r["mtu"], r["dma_length"])
        if k not in table:
            keys.append(k)
            table[k] = {}
        table[k][r["driver"]] = r
    cols = ["direction", "MTU", "DMA_length"]
    for d in drivers:
        cols += [f"{d} Mb/s", f"{d} CPU% (local/peer)"]
    body = []
    for k in keys:
        line = [k[0], str(k[1]), "default" if k[2] is None else str(k[2])]
        for d in drivers:
            r = table[k].get(d)
            if r:
                line += [f"{r['mbps']:.1f}", f"{r['cpu_local_pct']}/{r['cpu_peer_pct']}"]
            else:
                line += ["-", "-"]
        body.append(line)
    out.append(Table("Measurements", cols, body, caption="tx: the NIC sends; rx: it receives"))
    sweep = [r for r in rows if r["dma_length"] is not None and r["mtu"] == 1500
             and (focus_driver is None or r["driver"] == focus_driver)]
    if sweep and param == "DMA_length":
        top = max(r["mbps"] for r in rows)
        for direction in ("tx", "rx"):
            items = [(f"{direction} {r['driver']} DMA_length={r['dma_length']}", r["mbps"],
                      "← recommended" if r["dma_length"] == mark_value else "")
                     for r in sorted(sweep, key=lambda r: (r["driver"], r["dma_length"]))
                     if r["direction"] == direction]
            if items:
                out.append(Bars(f"DMA_length sweep, {direction}, MTU 1500", items, "Mb/s", scale_max=top))
    return out


def _param_blocks(params, modprobe: str | None, evidence: dict, shown: set[str]) -> list:
    """Parameter advice with its evidence (each evidence set drawn once per view)."""
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
        for ev in p.evidence:
            if ev not in shown:
                shown.add(ev)
                out += _evidence_blocks(ev, evidence.get(ev), p.param, None, p.recommended)
    if modprobe:
        out.append(Text(f"Put this in /etc/modprobe.d/{params[0].module}.conf:", "good"))
        out.append(Text(modprobe, "code"))
    return out


def suggest_view(rep) -> list:
    d = rep.device
    rev = "??" if d.revision is None else f"{d.revision:02x}"
    name = " ".join(x for x in (rep.vendor_name, rep.device_name) if x)
    where = "" if d.slot == "-" else f"{d.slot}  "
    out: list = [Heading(f"{where}{d.id_text} rev {rev}  {name}".strip())]
    if rep.chip:
        c = rep.chip
        out.append(Fields([("chip", _chip_label(c)), ("revisions", fmt_rev_range(c["rev_lo"], c["rev_hi"])),
                           ("confidence", f"{c['confidence']} (products: {c['products_confidence']})"),
                           ("source", cite(c["source"]))]))
    else:
        out.append(Text(rep.summary))
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
    out += _param_blocks(rep.params, rep.modprobe, rep.evidence, shown)
    for name, (params, line) in rep.alternatives.items():
        out.append(Text(f"If you use {name} instead:", "good"))
        out += _param_blocks(params, line, rep.evidence, shown)
    if rep.issues:
        out.append(Table("Known issues of the recommended driver on this kernel",
                         ["issue", "severity", "affected", "fixed in", "workaround", "confidence"],
                         [[i["title"], i["severity"], i["affected"], i["fixed_in"] or "-",
                           i["workaround"] or "-", i["confidence"]] for i in rep.issues]))
    if rep.bus is not None:
        out.append(Text("Bus: " + (getattr(rep.bus, "reason", "") or _bus_text(rep.bus)),
                        "warn" if getattr(rep.bus, "limited", None) else "plain"))
    for n in d.notes:
        out.append(Text(n, "note"))
    return out


def suggest_document_view(doc) -> list:
    """``suggest`` for every NIC of a document."""
    blocks: list = []
    for rep in doc.nics:
        blocks += suggest_view(rep)
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
