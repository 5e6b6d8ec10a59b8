"""The user's local knowledge: TOML files in the overlay folder (XDG config), with
the same layout and validation as data/, shown with the source "local".

:func:`add_rows` appends to an overlay file only after the whole knowledge base
(shipped data plus the overlay with the new rows) validates, and it replaces the file
atomically, so a bad addition is refused and an existing overlay is never lost.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from nicdb.errors import DataError, InputError
from nicdb.kb import paths
from nicdb.kb.load import load_tree

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def toml_value(v) -> str:
    """A TOML literal for a str/int/float/bool/list value (JSON strings are valid TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes on the command line arrive as lone surrogates
            raise InputError(f"{v!r} is not valid UTF-8") from None
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML wants DEL escaped
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table
        return "{ " + ", ".join(f"{_key(str(k))} = {toml_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise InputError(f"cannot store {type(v).__name__} in an overlay file")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else toml_value(k)


def table(header: str, fields: dict) -> str:
    lines = [header] + [f"{k} = {toml_value(v)}" for k, v in fields.items() if v is not None]
    return "\n".join(lines) + "\n"


def safe_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise InputError(f"{what} {name!r} must be letters, digits, '.', '_' or '-' (at most 64)")
    return name


def add_rows(kind: str, stem: str, header: str, rows: str) -> Path:
    """Append ``rows`` (TOML text) to overlay file ``kind/stem.toml``, creating it with
    ``header`` when new. Validates everything first; returns the file written."""
    root = Path(paths.overlay_dir())
    target = root / kind / f"{safe_name(stem, 'name')}.toml"
    try:
        old = target.read_text(encoding="utf-8") if target.exists() else "schema = 1\n\n" + header
    except OSError as e:
        raise DataError(f"cannot read {target}: {e.strerror or e}") from None
    new = old.rstrip("\n") + "\n\n" + rows
    _validate_with(root, kind, target.name, new)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as e:
        raise DataError(f"cannot write {target}: {e.strerror or e}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _validate_with(root: Path, kind: str, name: str, text: str) -> None:
    """Load shipped data + the overlay as it would be with ``text`` as ``kind/name``."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nicdb-overlay-") as tmp:
        t = Path(tmp)
        for sub in paths.DATA_KINDS:
            src = root / sub
            if src.is_dir():
                shutil.copytree(src, t / sub, ignore=shutil.ignore_patterns(".*"))
        (t / kind).mkdir(exist_ok=True)
        (t / kind / name).write_text(text, encoding="utf-8")
        load_tree([(paths.data_dir(), "shipped"), (t, "local", str(root))])
