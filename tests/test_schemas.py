"""The JSON Schemas shipped in nicdb/schemas: valid, described, and what the CLI prints.
(Every ``run(..., "--json")`` in the suite is validated by conftest.check_json_output.)"""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from nicdb import schemas


@pytest.mark.parametrize("name", schemas.names())
def test_schema_is_valid_and_every_property_is_described(name):
    doc = schemas.load(name)
    Draft202012Validator.check_schema(doc)
    assert doc["$id"].endswith("/" + name) and doc.get("description")

    def walk(node, path):
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                assert "description" in sub or "$ref" in sub, f"{name}: {path}/{key} has no description"
                walk(sub, f"{path}/{key}")
            for key in ("items", "additionalProperties"):
                if isinstance(node.get(key), dict):
                    walk(node[key], f"{path}/{key}")
            for key in ("anyOf", "oneOf"):
                for sub in node.get(key, []):
                    walk(sub, path)
            for key, sub in (node.get("$defs") or {}).items():
                walk(sub, f"#/$defs/{key}")

    walk(doc, "")


def test_every_command_with_json_output_has_a_schema():
    from nicdb.cli import COMMANDS, cli

    import click

    ctx = click.Context(cli)
    with_json = []
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        subs = cmd.commands.items() if isinstance(cmd, click.Group) else [(None, cmd)]
        for sub, c in subs:
            if any("--json" in p.opts for p in c.params):
                with_json.append(name if sub is None else f"{name} {sub}")
    assert with_json and set(with_json) <= set(schemas.BY_COMMAND), sorted(set(with_json) - set(schemas.BY_COMMAND))


def test_a_fleet_run_validates_line_by_line(run, shared_datadir, tmp_path):
    for name in ("nics-Dvmmnnk.txt", "via-vt6122-vvnnk.txt", "not-lspci.txt"):
        (tmp_path / name).write_text((shared_datadir / "lspci" / name).read_text())
    r = run("identify", "--from", str(tmp_path), "--json")  # conftest validates each line
    assert r.code == 2  # not-lspci.txt failed
    *hosts, summary = [json.loads(ln) for ln in r.out.splitlines()]
    assert len(hosts) == 2 and summary["summary"]["hosts_failed"] == 1


def test_the_validator_catches_a_missing_key(run):
    from conftest import check_json_output

    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--json")
    doc = json.loads(r.out)
    del doc["nics"][0]["evidence"]
    with pytest.raises(AssertionError, match="'evidence' is a required property"):
        check_json_output(("suggest", "--json"), json.dumps(doc))
