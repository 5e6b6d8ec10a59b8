"""``nicdb sweep``: the seed's experiment, run for the user -- set a setting to each value in
turn, measure with iperf3 against a peer, keep the median and spread, restore.

One module per kind of setting, each a :class:`~nicdb.sweep.base.Knob` with the same small
interface (read the current value, the exact commands that apply a value, apply,
restore): :mod:`~nicdb.sweep.modparam` (unload and reload a module with a parameter),
:mod:`~nicdb.sweep.ethtool` (coalescing, rings, offloads), :mod:`~nicdb.sweep.sysctl`,
:mod:`~nicdb.sweep.link` (txqueuelen, MTU). :mod:`~nicdb.sweep.iperf` runs the
measurements, :mod:`~nicdb.sweep.safety` decides what must not be done (not root, a
module in use or built in, the only route to the peer), :mod:`~nicdb.sweep.runner` runs
the plan and restores the original value whatever happens.
"""

from __future__ import annotations

from nicdb.errors import InputError


def knob_for(setting: str, iface: str, *, cards: int = 1, array: bool = False, modprobe: str = "modprobe",
             modprobe_dir: str | None = None, sys_root: str = "/sys", proc_root: str = "/proc"):
    """The :class:`~nicdb.sweep.base.Knob` for ``setting`` on interface ``iface``."""
    from nicdb.evidence.names import parse_setting

    s = parse_setting(setting)
    if s.kind == "link":
        from nicdb.sweep.link import LinkKnob

        return LinkKnob(s, iface, sys_root=sys_root)
    if s.kind == "sysctl":
        from nicdb.sweep.sysctl import SysctlKnob

        return SysctlKnob(s, iface, proc_root=proc_root)
    if s.kind == "ethtool":
        from nicdb.sweep.ethtool import EthtoolKnob

        return EthtoolKnob(s, iface)
    if s.module is None:
        raise InputError(f"setting {setting!r}: name the module too, e.g. via_velocity.{s.key}")
    from nicdb.sweep.modparam import ModparamKnob

    return ModparamKnob(s, iface, cards=cards, array=array, modprobe=modprobe, modprobe_dir=modprobe_dir,
                        sys_root=sys_root)
