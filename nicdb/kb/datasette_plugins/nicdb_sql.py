"""nicdb's Datasette plugin (loaded by ``nicdb db browse`` with ``--plugins-dir``): the SQL
functions its canned queries use, so that IDs, revisions and kernel versions are typed as
lspci and uname print them.

- ``nicdb_hex(text)``: "11", "0x11", "1106" -> the integer; NULL when it is not hex.
- ``nicdb_in_range(version, range)``: 1 when ``version`` (2.6.26, 6.1.0-13-amd64) is in
  a nicdb version range (``*``, ``>=2.6.26,<2.6.33``, ``2.6.13-2.6.32``), else 0; NULL
  when either cannot be read.
- ``nicdb_fw_match(name, file)``: 1 when a firmware name a module declares, wildcards
  and all (``rtl_nic/rtl8168*.fw``), matches a file, each wildcard within one path
  component, as the kernel's firmware loader is asked for them.
"""

from datasette import hookimpl


def nicdb_hex(text):
    if text is None:
        return None
    s = str(text).strip().lower()
    if s.startswith("0x"):
        s = s[2:]
    if not s or len(s) > 8 or any(c not in "0123456789abcdef" for c in s):
        return None
    return int(s, 16)


def nicdb_in_range(version, spec):
    from nicdb.errors import InputError
    from nicdb.versions import in_range

    if version is None or not str(version).strip():
        return None
    try:
        return int(in_range(str(version).strip(), spec))
    except (InputError, ValueError):
        return None


def nicdb_fw_match(name, file):
    from fnmatch import fnmatchcase

    if name is None or file is None:
        return None
    a, b = str(name).split("/"), str(file).split("/")
    return int(len(a) == len(b) and all(fnmatchcase(y, x) for x, y in zip(a, b)))


@hookimpl
def prepare_connection(conn):
    conn.create_function("nicdb_hex", 1, nicdb_hex, deterministic=True)
    conn.create_function("nicdb_in_range", 2, nicdb_in_range, deterministic=True)
    conn.create_function("nicdb_fw_match", 2, nicdb_fw_match, deterministic=True)
