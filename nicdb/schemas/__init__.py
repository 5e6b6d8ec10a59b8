"""JSON Schemas of every JSON document nicdb prints (draft 2020-12), shipped with the
package so that consumers can validate what they read, and used by the tests on every
JSON output. The README's JSON tables are generated from their descriptions."""

from __future__ import annotations

import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))

# command (as typed after "nicdb") -> schema file of what its --json prints
BY_COMMAND = {
    "identify": "document.schema.json",
    "suggest": "document.schema.json",
    "chip": "chip.schema.json",
    "driver": "driver.schema.json",
    "families": "families.schema.json",
    "search": "search.schema.json",
    "db info": "db-info.schema.json",
    "tune": "tune.schema.json",
    "evidence list": "evidence-list.schema.json",
    "evidence show": "evidence.schema.json",
    "sweep": "sweep.schema.json",
}
FLEET_SUMMARY = "fleet-summary.schema.json"
NIC_LINE = "nic-line.schema.json"  # every line of `nicdb identify --jsonl`


def names() -> list[str]:
    return sorted(n for n in os.listdir(_HERE) if n.endswith(".schema.json"))


def load(name: str) -> dict:
    with open(os.path.join(_HERE, name), encoding="utf-8") as f:
        return json.load(f)
