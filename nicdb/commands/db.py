"""nicdb db: build, inspect and extend the knowledge-base database."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, warn


@click.group()
def db():
    """Build and inspect the knowledge-base database."""


@db.command("build")
@click.pass_context
def db_build(ctx):
    """Rebuild the database from data/, your overlay and pci.ids."""
    from nicdb.kb import build, paths

    obj = ctx.find_root().obj
    target = obj.get("db") or paths.default_db_path()
    ids = paths.pci_ids_file(obj.get("pci_ids"))
    rep = build.build(target, pci_ids=ids, strict_pci_ids=bool(obj.get("pci_ids")))
    for w in rep.warnings:
        warn(w)
    c = rep.counts
    click.echo(f"built {rep.path} in {rep.seconds:.2f} s: {c['families']} families, {c['chips']} revision ranges, "
               f"{c['drivers']} drivers, {c['measurements']} measurements, "
               f"{c['pci_devices']} pci.ids devices ({rep.pci_ids_version or 'no pci.ids'})")


@db.command("info")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
@click.pass_context
def db_info(ctx, as_json):
    """Where the database is, what it was built from, and what it holds."""
    from nicdb.kb import paths

    kb = open_kb(ctx)
    meta = kb.meta()
    counts = kb.counts()
    fp = meta.pop("fingerprint", "")
    meta["inputs"] = f"{max(0, fp.count(chr(10)))} files (data, overlay, pci.ids) checked by size and mtime"
    info = {"path": kb.path, "data": str(paths.data_dir()), "overlay": str(paths.overlay_dir()), **meta,
            "counts": counts}
    if as_json:
        from nicdb.render.json_out import dumps

        click.echo(dumps(info))
        return
    for k, v in info.items():
        if k == "counts":
            v = ", ".join(f"{n} {t}" for t, n in v.items())
        click.echo(f"{k:16} {v}")


@db.group("add")
def db_add():
    """Add your own knowledge to the local overlay (validated like nicdb's data)."""


def _added(path) -> None:
    click.echo(f"added to {path}; the database rebuilds on the next command")


@db_add.command("chip")
@click.argument("pci_id", metavar="VENDOR:DEVICE")
@click.option("--revs", required=True, help="Revision range in hex: 11, 10-1f or * .")
@click.option("--chip", "chip_name", required=True, help="Chip name.")
@click.option("--products", default="", help="Comma-separated product names.")
@click.option("--bus", type=click.Choice(["pci", "pci-x", "pcie", "integrated", "unknown"]), default="unknown",
              help="The host bus the chip is built for.")
@click.option("--line-rate", type=click.IntRange(1, 10**7), help="Line rate in Mb/s.")
@click.option("--notes", default="", help="What you know about it, in a sentence.")
def db_add_chip(pci_id, revs, chip_name, products, bus, line_rate, notes):
    """A chip (revision range) of your own."""
    from nicdb.ids import parse_pci_id, parse_rev_range
    from nicdb.kb import overlay

    v, d, _, _ = parse_pci_id(pci_id)
    lo, hi = parse_rev_range(revs)
    fam = f"local-{v:04x}{d:04x}"
    header = overlay.table("[family]", {"id": fam, "name": f"Local notes for {v:04x}:{d:04x}",
                                        "line_rate_mbps": line_rate})
    row = overlay.table("[[chips]]", {
        "vendor": f"{v:04x}", "device": f"{d:04x}", "revs": f"{lo:02x}-{hi:02x}", "chip": chip_name,
        "products": [p.strip() for p in products.split(",") if p.strip()], "bus": bus,
        "line_rate_mbps": line_rate, "notes": notes, "confidence": "local"})
    _added(overlay.add_rows("families", fam, header, row))


@db_add.command("measurement")
@click.option("--set", "set_id", required=True, help="Name of your measurement set, e.g. my-vt6122.")
@click.option("--id", "pci_id", required=True, metavar="VENDOR:DEVICE", help="The NIC measured, e.g. 1106:3119.")
@click.option("--rev", default="*", help="Revision (hex) or range the set applies to.")
@click.option("--driver", required=True, help="The driver under test (one nicdb knows).")
@click.option("--direction", type=click.Choice(["tx", "rx"]), required=True,
              help="tx: the NIC under test sends; rx: it receives.")
@click.option("--mbps", type=click.FloatRange(0, 10**7), required=True, help="Throughput, Mb/s.")
@click.option("--dma-length", type=click.IntRange(0, 255), help="DMA_length in force (omit: the default).")
@click.option("--mtu", type=click.IntRange(68, 65536), default=1500, show_default=True, help="MTU, bytes.")
@click.option("--cpu-local", type=click.IntRange(0, 100), help="CPU use on the machine under test, %.")
@click.option("--cpu-peer", type=click.IntRange(0, 100), help="CPU use on the peer, %.")
@click.option("--tool", default="iperf3", show_default=True, help="The measuring tool.")
@click.option("--title", default="", help="What was measured (default: a title from the set name).")
@click.option("--board", default="", help="The machine (board, CPU, bus).")
@click.option("--note", default="", help="Remarks on this measurement.")
def db_add_measurement(set_id, pci_id, rev, driver, direction, mbps, dma_length, mtu, cpu_local, cpu_peer,
                       tool, title, board, note):
    """One throughput measurement (e.g. your own DMA_length sweep point)."""
    from nicdb.ids import parse_pci_id, parse_rev_range
    from nicdb.kb import overlay

    v, d, _, _ = parse_pci_id(pci_id)
    lo, hi = parse_rev_range(rev)
    overlay.safe_name(set_id, "set name")
    header = overlay.table("[set]", {"id": set_id, "title": title or f"Local measurements {set_id}", "tool": tool,
                                     "vendor": f"{v:04x}", "device": f"{d:04x}", "revs": f"{lo:02x}-{hi:02x}",
                                     "board": board, "confidence": "local"})
    row = overlay.table("[[rows]]", {"driver": driver, "setting": None if dma_length is None else "DMA_length",
                                     "value": dma_length, "mtu": mtu,
                                     "direction": direction, "mbps": float(mbps), "cpu_local_pct": cpu_local,
                                     "cpu_peer_pct": cpu_peer, "note": note})
    _added(overlay.add_rows("measurements", set_id, header, row))


@db_add.command("issue")
@click.argument("driver")
@click.option("--id", "issue_id", required=True, help="Short id, e.g. tx-hang.")
@click.option("--title", required=True, help="The issue in one line.")
@click.option("--symptom", default="", help="What the user sees.")
@click.option("--affected", default="*", help="Version range, e.g. '>=5.10,<6.1'.")
@click.option("--fixed-in", default="", help="The first version with the fix.")
@click.option("--workaround", default="", help="What to do meanwhile.")
@click.option("--severity", type=click.Choice(["minor", "major", "critical"]), default="minor",
              help="How bad it is.")
def db_add_issue(driver, issue_id, title, symptom, affected, fixed_in, workaround, severity):
    """A known issue of a driver nicdb knows."""
    from nicdb.kb import overlay
    from nicdb.versions import check_range

    check_range(affected)
    overlay.safe_name(driver, "driver")
    header = overlay.table("[driver]", {"name": driver, "extends": True})
    row = overlay.table("[[issues]]", {"id": issue_id, "title": title, "symptom": symptom, "affected": affected,
                                       "fixed_in": fixed_in, "workaround": workaround, "severity": severity,
                                       "confidence": "local"})
    _added(overlay.add_rows("drivers", f"{driver}.local", header, row))


@db.command("browse")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1 to serve on.")
@click.pass_context
def db_browse(ctx, port):
    """Browse the database in a web browser, with Datasette (read-only, 127.0.0.1 only).

    Tables with their descriptions and units, facets, full-text search, and canned
    queries (which chip is VENDOR:DEVICE at REV, drivers with known issues on a kernel,
    firmware a driver needs). Needs the 'web' extra: pip install 'nicdb[web]'."""
    import importlib.util
    import os
    import socket
    import sys

    from nicdb.errors import InputError

    try:
        missing = importlib.util.find_spec("datasette") is None
    except (ImportError, ValueError):
        missing = True
    if missing:
        raise InputError("nicdb db browse needs Datasette: install nicdb's web extra (pip install 'nicdb[web]')")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise InputError(f"port {port} on 127.0.0.1 is busy ({e.strerror or e}); give another with --port") \
                from None
    from nicdb.kb import browse

    kb = open_kb(ctx)
    copy = browse.browse_copy(kb)
    meta = os.path.join(os.path.dirname(copy), "metadata.json")
    browse.write_metadata(meta)
    click.echo(f"nicdb: serving {copy} read-only at http://127.0.0.1:{port}/{browse.NAME} (Ctrl-C stops it)",
               err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    argv = [sys.executable, "-m", "datasette", "serve", "--immutable", copy, "--metadata", meta,
            "--plugins-dir", browse.PLUGINS_DIR, "--host", "127.0.0.1", "--port", str(port),
            "--setting", "sql_time_limit_ms", "3000"]
    os.execv(sys.executable, argv)
