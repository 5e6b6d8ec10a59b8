"""ethtool settings: interrupt coalescing (``coalesce.rx-usecs``: ``ethtool -C``), ring
sizes (``ring.rx``: ``ethtool -G``) and offloads (``offload.tso``: ``ethtool -K``)."""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.sweep.base import Knob, StepError, run, value_text

_FLAG = {"coalesce": "-C", "ring": "-G", "offload": "-K"}
_READ = {"coalesce": "-c", "ring": "-g", "offload": "-k"}
# ethtool -K takes these short names; ethtool -k prints the long ones
OFFLOAD_NAMES = {
    "rx": "rx-checksumming", "tx": "tx-checksumming", "sg": "scatter-gather",
    "tso": "tcp-segmentation-offload", "ufo": "udp-fragmentation-offload",
    "gso": "generic-segmentation-offload", "gro": "generic-receive-offload", "lro": "large-receive-offload",
    "rxvlan": "rx-vlan-offload", "txvlan": "tx-vlan-offload", "ntuple": "ntuple-filters",
    "rxhash": "receive-hashing",
}


def parse_offloads(text: str) -> dict[str, bool]:
    """``ethtool -k IFACE`` -> {feature: on?} (``[fixed]`` and ``[requested on]`` ignored)."""
    out = {}
    for line in text.splitlines():
        key, sep, val = line.strip().partition(":")
        word = val.split()[0] if val.split() else ""
        if sep and word in ("on", "off"):
            out[key.strip()] = word == "on"
    return out


class EthtoolKnob(Knob):
    kind = "ethtool"

    def __init__(self, setting, iface: str):
        super().__init__(setting, iface)
        self.group = setting.group
        # a new ring size makes most drivers reset the NIC
        self.disrupts_link = self.group == "ring"

    def read(self):
        from nicdb.tuning.read import parse_ethtool_coalesce, parse_ethtool_rings

        try:
            text = run(["ethtool", _READ[self.group], self.iface])
        except StepError:
            return None
        try:
            if self.group == "coalesce":
                return parse_ethtool_coalesce(text).get(self.setting.key)
            if self.group == "ring":
                return parse_ethtool_rings(text)["current"].get(self.setting.key)
        except ValueError:
            return None
        feats = parse_offloads(text)
        on = feats.get(self.setting.key, feats.get(OFFLOAD_NAMES.get(self.setting.key, "")))
        return None if on is None else ("on" if on else "off")

    def check(self, value) -> None:
        if self.group == "offload":
            if value not in ("on", "off"):
                raise InputError(f"{self.name} takes on or off, not {value_text(value)!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"{self.name} takes whole numbers, not {value_text(value)!r}")

    def commands(self, value) -> list[list[str]]:
        return [["ethtool", _FLAG[self.group], self.iface, self.setting.key, value_text(value)]]
