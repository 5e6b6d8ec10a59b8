"""A sysctl (``net.core.rmem_max``, ``net.ipv4.tcp_rmem``): read from /proc/sys, set
with ``sysctl -w``. Network sysctls belong to the network namespace the sweep runs in."""

from __future__ import annotations

import os

from nicdb.errors import InputError
from nicdb.sweep.base import Knob, value_text


class SysctlKnob(Knob):
    kind = "sysctl"

    def __init__(self, setting, iface: str, proc_root: str = "/proc"):
        super().__init__(setting, iface)
        # dots separate levels; a slash in a level is a dot in the file name (eth0/100 -> eth0.100)
        parts = [p.replace("/", ".") for p in setting.key.split(".")]
        self.path = os.path.join(proc_root, "sys", *parts)

    def read(self):
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                text = f.read(4096).strip()
        except OSError:
            return None
        words = text.split()
        if len(words) > 1 and all(w.lstrip("-").isdigit() for w in words):
            return [int(w) for w in words]
        if len(words) == 1 and words[0].lstrip("-").isdigit():
            return int(words[0])
        return text

    def check(self, value) -> None:
        if not os.path.exists(self.path):
            raise InputError(f"no sysctl {self.name} here ({self.path} does not exist)")
        try:
            writable = os.stat(self.path).st_mode & 0o222
        except OSError:
            writable = 0
        if not writable:
            raise InputError(f"sysctl {self.name} is read-only here (the kernel keeps some, such as net.core.*, "
                             "read-only outside the first network namespace); nothing was changed")
        now = self.read()
        if isinstance(now, list) and not (isinstance(value, list) and len(value) == len(now)):
            raise InputError(f"{self.name} takes {len(now)} numbers (now: {value_text(now)}), "
                             f"not {value_text(value)!r}")
        if isinstance(now, int) and (isinstance(value, bool) or not isinstance(value, int)):
            raise InputError(f"{self.name} takes a whole number, not {value_text(value)!r}")

    def commands(self, value) -> list[list[str]]:
        return [["sysctl", "-q", "-w", f"{self.name}={value_text(value)}"]]
