"""The interface's own attributes: ``txqueuelen`` and ``mtu`` (``ip link set``)."""

from __future__ import annotations

import os

from nicdb.errors import InputError
from nicdb.sweep.base import Knob, value_text

_FILE = {"txqueuelen": "tx_queue_len", "mtu": "mtu"}
_LOW = {"txqueuelen": 0, "mtu": 68}


class LinkKnob(Knob):
    kind = "link"

    def __init__(self, setting, iface: str, sys_root: str = "/sys"):
        super().__init__(setting, iface)
        self.path = os.path.join(sys_root, "class", "net", iface, _FILE[setting.key])
        # a new MTU makes many drivers reset the NIC: wait for the link after it
        self.disrupts_link = setting.key == "mtu"

    def read(self):
        try:
            with open(self.path, encoding="ascii", errors="replace") as f:
                text = f.read(64).strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def check(self, value) -> None:
        low = _LOW[self.setting.key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 1 << 24:
            raise InputError(f"{self.name} takes whole numbers from {low}, not {value_text(value)!r}")

    def commands(self, value) -> list[list[str]]:
        return [["ip", "link", "set", "dev", self.iface, self.setting.key, value_text(value)]]
