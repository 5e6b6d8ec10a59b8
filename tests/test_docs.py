"""The documentation that is generated from the code (cog blocks in README.md, docs/*.md
and data/SCHEMA.md) is current: a changed option, JSON Schema, database table or data
file without regenerated docs fails here (and in .ci/run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")), "data/SCHEMA.md"]


def test_generated_docs_are_current():
    r = subprocess.run([sys.executable, "-m", "cogapp", "--check", "-I", "scripts", *FILES], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-2000:] + "\nrun: cog -r -I scripts " + " ".join(FILES)


def test_a_stale_block_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- [[[cog import docgen; cog.out(docgen.commands_table()) ]]] -->\n"
                    "| stale | table |\n<!-- [[[end]]] -->\n")
    r = subprocess.run([sys.executable, "-m", "cogapp", "--check", "-I", str(ROOT / "scripts"), str(page)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "changed" in (r.stdout + r.stderr).lower()


@pytest.mark.parametrize("name", FILES + ["CONTRIBUTING.md", "CHANGELOG.md", "tests/data/README.md"])
def test_relative_links_point_at_files(name):
    import re

    text = (ROOT / name).read_text()
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (ROOT / name).parent.joinpath(target).exists(), f"{name}: link to {target} is broken"
