"""Kernel-log lines as the tools people save them print them, split into who said what.

A saved log line carries a prefix that depends on the tool: ``dmesg`` (``[    2.104512] ``,
``dmesg -T``'s ``[Mon Mar  3 10:15:21 2025] ``, ``dmesg -x``'s ``kern  :info  : ``,
``dmesg -r``'s ``<6>``), ``/dev/kmsg`` records (``6,339,2104512,-;``), ``journalctl -k``
(``Mar 03 10:15:21 host kernel: ``, ``-o short-iso``, ``-o short-monotonic``'s
``[    2.104512] host kernel: ``), syslog's kern.log (both a date and a timestamp), or
none at all (hw-probe's excerpts). :func:`message` takes any of them off.

The message that is left starts with its subject, as the kernel's dev_printk and
netdev_printk build it (:func:`subject`):

- ``r8169 0000:02:00.0 eth0: ...`` -- driver, device, interface (netdev_info);
- ``r8169 0000:02:00.0: ...`` -- driver and device (dev_info); igb and old e1000e put
  the interface after it: ``igb 0000:02:00.0: eth0: ...``;
- ``e1000e 0000:00:1f.6 0000:00:1f.6 (uninitialized): ...``, ``igc 0000:03:00.0
  (unnamed net_device) (uninitialized): ...`` -- a netdev not registered yet;
- ``e1000: 0000:02:01.0: e1000_probe: ...`` -- 2.6-era pr_info with the device after it;
- ``ieee80211 phy0: ...``, ``ath: phy0: ...``, ``ath5k: phy0: ...`` -- a wireless PHY;
- ``skge: ...``, ``bnx2: ...`` -- a driver's pr_info without a device;
- ``eth0: ...`` -- 2.6-era printk with only the interface;
- ``pci 0000:02:00.0: ...`` -- the PCI core (its subject is the driver ``pci``).
"""

from __future__ import annotations

_SLOT_CHARS = frozenset("0123456789abcdefABCDEF")
_IFACE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-@")
_KMSG_HEAD = frozenset("0123456789,-+cCAXS")  # PRIO,SEQ,TIME,FLAGS of a /dev/kmsg record
_MONTHS = frozenset(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))


def _bracket(line: str) -> str:
    """``[    2.104512] msg`` or ``[Mon Mar  3 10:15:21 2025] msg`` -> ``msg``."""
    if line[:1] == "[":
        j = line.find("]", 1, 42)
        if j > 0:
            return line[j + 2:] if line[j + 1:j + 2] == " " else line[j + 1:]
    return line


def message(line: str) -> str:
    """The kernel's message of a saved log line, without the tool's prefix (plain string
    tests only: this runs on every line a log keeps)."""
    if line[:1] == "<":  # dmesg -r, syslog levels: <6>
        j = line.find(">", 1, 5)
        if j > 0 and line[1:j].isdigit():
            line = line[j + 1:]
    c = line[:1]
    if c.isdigit():
        j = line.find(";", 0, 48)
        if j > 0 and _KMSG_HEAD.issuperset(line[:j]) and line.count(",", 0, j) >= 3:
            return line[j + 1:]  # /dev/kmsg: PRIO,SEQ,TIME,FLAGS;text
    if c == "k" and line[:4] == "kern" and line[4:].lstrip()[:1] == ":":  # dmesg -x: "kern  :info  : [ 2.1] text"
        j = line.find(": ", 5, 24)
        if j > 0:
            line = line[j + 2:]
            c = line[:1]
    # journalctl and syslog: "Mar 03 10:15:21 host kernel: ", "2025-03-03T10:15:21+0000 host kernel: ",
    # "[    2.104512] host kernel: " (-o short-monotonic)
    k = line.find(" kernel: ", 0, 96)
    if k > 0 and (line[:3] in _MONTHS or c == "[" or (c.isdigit() and line[4:5] == "-")):
        return _bracket(line[k + 9:])
    return _bracket(line)


def is_iface(name: str) -> bool:
    """A plausible network interface name: ``eth0``, ``enp2s0``, ``wlp0s20f3``, ``eno1``
    (letters and a digit, at most 15 characters, no spaces; no underscore, which tells a
    function name such as ``e1000_probe`` from one)."""
    return (0 < len(name) <= 15 and name[0].isalpha() and _IFACE_CHARS.issuperset(name)
            and any(ch.isdigit() for ch in name))


def is_slot(text: str) -> bool:
    """``0000:02:00.0`` (a domain of 4 to 8 hex digits)."""
    n = len(text)
    return (12 <= n <= 16 and text[-2] == "." and text[-1] in "01234567" and text[-5] == ":" and text[-8] == ":"
            and _SLOT_CHARS.issuperset(text[:-8]) and _SLOT_CHARS.issuperset(text[-7:-5])
            and _SLOT_CHARS.issuperset(text[-4:-2]) and text[-4] in "01")


class Subject:
    """Who said a message: ``driver`` (the dev_printk driver name, ``pci`` for the PCI
    core, ``ieee80211`` or a driver for PHY lines, None when the line names none),
    ``slot`` (with its domain), ``iface``, ``phy`` (``phy0``) and the ``text`` after them."""

    __slots__ = ("driver", "slot", "iface", "phy", "text")

    def __init__(self, driver, slot, iface, phy, text):
        self.driver, self.slot, self.iface, self.phy, self.text = driver, slot, iface, phy, text


def subject(msg: str, drivers: frozenset | set = frozenset()) -> Subject:
    """Split a message into its subject and text (see the module's docstring).
    ``drivers``: names known to be drivers, so that ``r8169: probe of ...`` (a driver)
    is told from ``eth0: ...`` (an interface) -- both look like interface names."""
    head, sep, text = msg.partition(": ")
    if not sep:
        return Subject(None, None, None, None, msg)
    if head == "NETDEV WATCHDOG":  # "NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out"
        name, _, drv = text.partition(": ")[0].partition(" (")
        return Subject(drv.rstrip(")") or None, None, name if is_iface(name) else None, None, text)
    first, sp, rest = head.partition(" ")
    if not sp:
        # "skge: ...", "ath5k: phy0: ...", "eth0: ...", "e1000: 0000:02:01.0: e1000_probe: ..."
        nxt, sep2, after = text.partition(": ")
        if sep2 and nxt.startswith("phy") and nxt[3:].isdigit():
            return Subject(head, None, None, nxt, after)
        if sep2 and is_slot(nxt):
            return Subject(head, nxt.lower(), None, None, after)
        if head not in drivers and is_iface(head) and not head.startswith("phy"):
            return Subject(None, None, head, None, text)
        return Subject(head, None, None, None, text)
    if first == "ieee80211" and rest.startswith("phy"):
        return Subject("ieee80211", None, None, rest, text)
    slot, _, more = rest.partition(" ")
    if not is_slot(slot):
        return Subject(None, None, None, None, msg)
    iface = None
    if more:
        # "r8169 0000:02:00.0 eth0: ...", or a netdev not registered yet:
        # "(unnamed net_device) (uninitialized)", "0000:00:1f.6 (uninitialized)"
        more = more.strip()
        if is_iface(more):
            iface = more
        elif " " not in more and ":" in more:  # a colon inside the subject: not one after all
            return Subject(None, None, None, None, msg)
    elif text[:1].isalpha():
        # igb, old e1000e: "igb 0000:02:00.0: eth0: (PCIe:...)"
        name, sep2, after = text.partition(": ")
        if sep2 and is_iface(name) and not name.startswith("phy"):
            iface, text = name, after
    return Subject(first, slot.lower(), iface, None, text)
