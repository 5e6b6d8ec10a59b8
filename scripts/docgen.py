"""Documentation generated from the code, for cog (https://nedbatchelder.com/code/cog/).

The README, docs/*.md and data/SCHEMA.md hold ``[[[cog ... ]]]`` blocks that call these
functions, so the command reference, the JSON field tables, the database tables and the
knowledge base's counts are never typed by hand and cannot drift::

    cog -r -I scripts README.md docs/*.md data/SCHEMA.md        # regenerate
    cog --check -I scripts README.md docs/*.md data/SCHEMA.md   # CI: fail when stale

Not part of the installed package.
"""

from __future__ import annotations

import os
import re

import click

# ------------------------------------------------------------------ the command line


def _commands() -> list[tuple[str, click.Command]]:
    """(path, command) for every command and subcommand, in help order."""
    from nicdb.cli import cli

    out: list[tuple[str, click.Command]] = []

    def walk(group: click.Group, prefix: str, ctx: click.Context) -> None:
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            path = f"{prefix} {name}".strip()
            out.append((path, cmd))
            if isinstance(cmd, click.Group):
                walk(cmd, path, click.Context(cmd, info_name=name, parent=ctx))

    walk(cli, "", click.Context(cli, info_name="nicdb"))
    return out


def _first_line(cmd: click.Command) -> str:
    return (cmd.help or "").strip().split("\n\n")[0].replace("\n", " ")


def commands_table() -> str:
    """A Markdown table: every command with the first sentence of its help."""
    rows = ["| command | what it does |", "| --- | --- |"]
    for path, cmd in _commands():
        if isinstance(cmd, click.Group) and not cmd.params:
            continue  # a group is listed by its subcommands
        rows.append(f"| `nicdb {path}` | {_first_line(cmd)} |")
    return "\n".join(rows) + "\n"


def cli_reference() -> str:
    """Every command's ``--help``, as the user sees it at 88 columns."""
    from click.testing import CliRunner

    from nicdb.cli import cli

    runner = CliRunner()
    parts = []
    for path in [""] + [p for p, _ in _commands()]:
        args = path.split() + ["--help"]
        res = runner.invoke(cli, args, prog_name="nicdb", terminal_width=88, catch_exceptions=False)
        title = f"nicdb {path}".strip()
        parts.append(f"## `{title}`\n\n```text\n{res.output.rstrip()}\n```\n")
    return "\n".join(parts)


# ------------------------------------------------------------------ JSON documents


def _resolve(node: dict, root: dict) -> tuple[dict, dict]:
    """Follow ``$ref``s (also into the other schema files): (the node, the document it is in)."""
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#"):
            from nicdb import schemas

            name, _, ref = ref.partition("#")
            root = schemas.load(name)
            ref = "#" + ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
    return node, root


def _type(node: dict, root: dict) -> str:
    node, root = _resolve(node, root)
    if "anyOf" in node:
        kinds = [_type(n, root) for n in node["anyOf"]]
        return " or ".join(dict.fromkeys(kinds))
    t = node.get("type", "any")
    if isinstance(t, list):
        return " or ".join(t)
    if t == "array" and isinstance(node.get("items"), dict):
        return f"array of {_type(node['items'], root)}"
    return t


def _rows(node: dict, root: dict, prefix: str, depth: int, out: list[str]) -> None:
    node, root = _resolve(node, root)
    if "anyOf" in node:
        for sub in node["anyOf"]:
            if _resolve(sub, root)[0].get("type") not in (None, "null"):
                _rows(sub, root, prefix, depth, out)
        return
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        _rows(node["items"], root, prefix + "[]", depth, out)
        return
    for key, sub in (node.get("properties") or {}).items():
        desc = sub.get("description") or _resolve(sub, root)[0].get("description", "")
        path = f"{prefix}.{key}" if prefix else key
        out.append(f"| `{path}` | {_type(sub, root)} | {desc} |")
        if depth > 0:
            _rows(sub, root, path, depth - 1, out)


def json_fields(name: str, depth: int = 9) -> str:
    """A Markdown table of a JSON Schema's fields, nested ``depth`` levels deep."""
    from nicdb import schemas

    root = schemas.load(name)
    out = ["| key | type | meaning |", "| --- | --- | --- |"]
    _rows(root, root, "", depth, out)
    return "\n".join(out) + "\n"


def json_documents() -> str:
    """Which command prints which schema."""
    from nicdb import schemas

    rows = ["| command | schema |", "| --- | --- |"]
    for cmd, name in schemas.BY_COMMAND.items():
        rows.append(f"| `nicdb {cmd} --json` | [`{name}`](../nicdb/schemas/{name}) |")
    rows.append(f"| last line of `nicdb identify --from DIR --json` | "
                f"[`{schemas.FLEET_SUMMARY}`](../nicdb/schemas/{schemas.FLEET_SUMMARY}) |")
    rows.append(f"| every line of `nicdb identify --jsonl` | [`{schemas.NIC_LINE}`](../nicdb/schemas/{schemas.NIC_LINE}) |")
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------ the database


def database_tables() -> str:
    """Every SQLite table of the knowledge base: what a row is, its columns (with their
    units), and what the database browser offers on it (facets, full-text search)."""
    from nicdb.kb import schema

    out = []
    names = {int: "integer", str: "text", float: "real"}
    for t in schema.TABLES:
        key = f"; key ({', '.join(t.pk)})" if t.pk else ""
        out.append(f"### `{t.name}`\n\n{t.doc} *({t.group}{key})*\n")
        browse = []
        if t.search:
            browse.append("full-text search over " + ", ".join(f"`{c}`" for c in t.search))
        if t.facets:
            browse.append("facets " + ", ".join(f"`{c}`" for c in t.facets))
        if browse:
            out.append(f"In `nicdb db browse`: {'; '.join(browse)}.\n")
        out.append("| column | type | meaning |\n| --- | --- | --- |")
        out.extend(f"| `{c.name}` | {names[c.type]}{f' ({c.unit})' if c.unit else ''} | {c.doc} |" for c in t.columns)
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------ the knowledge base's counts


def _n(x: int) -> str:
    return f"{x:,}"


def kb_counts() -> str:
    """One paragraph: what nicdb knows, counted from data/."""
    from nicdb.kb.load import load_tree
    from nicdb.kb.paths import data_dir

    tree = load_tree([(data_dir(), "shipped")])
    fams = sorted(tree.families, key=lambda f: f["name"])
    ids = {(c["vendor"], c["device"]) for c in tree.chips}
    devices = {(r[0], r[1]) for r in tree.device_names}
    text = (
        f"{len(fams)} chip families (`nicdb families` lists them) with "
        f"{_n(len(tree.chips))} revision ranges over {_n(len(ids))} PCI IDs and {_n(len(tree.claims))} claims of "
        f"other sources; {_n(len(tree.log_ids))} chips named by kernel-log identifiers; {len(tree.drivers)} drivers "
        f"with notes, {_n(len(tree.params))} parameters and {_n(len(tree.issues))} known issues; "
        f"{_n(len(tree.measurements))} measurements; {_n(len(tree.vendor_names))} vendor names and "
        f"{_n(len(tree.device_names))} device names (of {_n(len(devices))} network devices) of other pci.ids versions."
    )
    facts = _driver_facts_counts()
    if facts:
        text += " " + facts
    return _wrap(text) + "\n"


def _driver_facts_counts() -> str:
    from nicdb.kb.paths import data_dir

    folder = os.path.join(data_dir(), "driver-facts")
    if not os.path.isdir(folder):
        return ""

    def rows(name: str) -> list[list[str]]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return [ln.rstrip("\n").split("\t") for ln in f if ln.strip() and not ln.startswith("#")]

    modules = rows("modules.tsv")
    series = sorted({s for r in modules for s in r[1].split()}, key=lambda v: tuple(map(int, v.split("."))))
    return (f"Generated driver facts from Debian's kernels {', '.join(series)}: {_n(len(modules))} network "
            f"modules, {_n(len(rows('aliases.tsv')))} PCI aliases, {_n(len(rows('params.tsv')))} parameters, "
            f"{_n(len(rows('firmware.tsv')))} declared firmware names and {_n(len(rows('firmware-packages.tsv')))} "
            f"firmware files mapped to their packages.")


def _wrap(text: str, width: int = 88) -> str:
    words, lines, line = re.split(r"(?<=\S) (?=\S)", text), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)
