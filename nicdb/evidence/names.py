"""Names of the settings a measurement set varies, and what kind of setting each is.

One spelling everywhere -- data files, ``evidence import --setting``, ``sweep``:

- ``MODULE.PARAM`` -- a module parameter (``via_velocity.DMA_length``); a bare ``PARAM``
  (``DMA_length``) in a data file is that parameter of whichever driver a row names, so
  one set can compare two drivers, as the seed does;
- ``net.core.rmem_max`` -- a sysctl (a name under /proc/sys, dots for slashes);
- ``coalesce.rx-usecs``, ``ring.rx``, ``offload.tso`` -- an ethtool setting (``-C``,
  ``-G``, ``-K``);
- ``mtu``, ``txqueuelen`` -- the interface's own attributes (``ip link set``).

Pure: nothing here looks at the running system.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.model import Record

LINK = ("mtu", "txqueuelen")
ETHTOOL = ("coalesce", "ring", "offload")
SYSCTL_ROOTS = ("abi", "crypto", "debug", "dev", "fs", "kernel", "net", "sunrpc", "user", "vm")
KINDS = ("module-param", "sysctl", "ethtool", "link")

_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_MODULE = _WORD | {"-"}
_SYSCTL = _WORD | {"-", "/", ":", "@"}  # interface names in net.ipv4.conf.IFACE.* (a VLAN's dot is a slash)


class Setting(Record):
    """A parsed setting name. ``kind``: module-param | sysctl | ethtool | link; ``module``
    (module parameters; None for a bare name, meaning the row's driver); ``group``
    (ethtool: coalesce | ring | offload); ``key``: the parameter, sysctl path (with dots),
    ethtool key or link attribute."""

    __slots__ = ("text", "kind", "module", "group", "key")

    def __init__(self, text: str, kind: str, key: str, module: str | None = None, group: str | None = None):
        self.text, self.kind, self.key, self.module, self.group = text, kind, key, module, group

    @property
    def label(self) -> str:
        """What a table column calls it: the parameter's name for a module parameter."""
        return self.key if self.kind == "module-param" else self.text

    @property
    def qualified(self) -> bool:
        """True unless a bare module parameter (which needs a driver to say whose)."""
        return not (self.kind == "module-param" and self.module is None)


def _bad(text: str, why: str) -> InputError:
    return InputError(f"setting {text!r} {why} (e.g. via_velocity.DMA_length, net.core.rmem_max, "
                      "coalesce.rx-usecs, ring.rx, offload.tso, txqueuelen, mtu)")


def parse_setting(text: str) -> Setting:
    """The :class:`Setting` named ``text``; InputError when it is not a setting name."""
    if not isinstance(text, str) or not text or len(text) > 200:
        raise _bad(str(text)[:60], "is not a setting name")
    if text in LINK:
        return Setting(text, "link", text)
    parts = text.split(".")
    if any(not p for p in parts):
        raise _bad(text, "has an empty part")
    if len(parts) == 1:
        if not set(text) <= _WORD:
            raise _bad(text, "is not a parameter name")
        return Setting(text, "module-param", text)
    head = parts[0]
    if head in SYSCTL_ROOTS:
        if not all(set(p) <= _SYSCTL for p in parts):
            raise _bad(text, "is not a sysctl name")
        return Setting(text, "sysctl", text)
    if head in ETHTOOL:
        key = ".".join(parts[1:])
        if len(parts) != 2 or not set(key) <= _MODULE:
            raise _bad(text, f"is not an ethtool {head} setting")
        return Setting(text, "ethtool", key, group=head)
    if len(parts) != 2 or not set(parts[0]) <= _MODULE or not set(parts[1]) <= _WORD:
        raise _bad(text, "is not MODULE.PARAMETER, a sysctl, an ethtool setting or an interface attribute")
    return Setting(text, "module-param", parts[1], module=parts[0].replace("-", "_"))


def names_param(setting: str | None, module: str, param: str) -> bool:
    """Whether the setting ``setting`` (a name as stored) is module parameter ``param`` of
    ``module`` (a bare name matches any module)."""
    if not setting:
        return False
    try:
        s = parse_setting(setting)
    except InputError:
        return False
    return s.kind == "module-param" and s.key == param and (s.module is None or s.module == module.replace("-", "_"))


def param_of(setting: str | None) -> str | None:
    """The module parameter a setting name names (None: not a module parameter)."""
    if not setting:
        return None
    try:
        s = parse_setting(setting)
    except InputError:
        return None
    return s.key if s.kind == "module-param" else None
