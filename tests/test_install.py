"""The installed package (not the source tree) finds its data: data/ travels in the wheel."""

import json
import os
import subprocess
import sys


def test_installed_package_runs_outside_the_source_tree(tmp_path):
    env = dict(os.environ, NICDB_DB=str(tmp_path / "db.sqlite"), NICDB_OVERLAY=str(tmp_path / "none"))
    env.pop("NICDB_DATA", None)
    env.pop("PYTHONPATH", None)
    code = ("import json, pathlib, nicdb.kb.paths as p; d = pathlib.Path(p.data_dir()); "
            "print(json.dumps([str(d), sorted(x.name for x in (d / 'families').glob('*.toml'))]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout
    data, families = json.loads(out)
    assert "via-velocity.toml" in families
    r = subprocess.run([sys.executable, "-m", "nicdb", "chip", "1106:3119", "--rev", "11", "--json"], cwd=tmp_path,
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["chips"][0]["chip"] == "VT3216"
