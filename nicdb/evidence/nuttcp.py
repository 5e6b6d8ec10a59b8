"""nuttcp output: the brief result line, plain or ``-fparse``, and the ``-v`` blocks.

Plain::

     1123.8690 MB /  10.01 sec =  941.3733 Mbps 11 %TX 27 %RX 0 retrans 0.22 msRTT

``-fparse``::

    megabytes=1540.4498 real_seconds=1.00 rate_Mbps=12901.9605 tx_cpu=10 rx_cpu=81 retrans=0 rtt_ms=0.40

``%TX`` is the transmitter's CPU, ``%RX`` the receiver's. The brief line does not say
which way the data went: the command line before it does (``nuttcp -t HOST`` sent,
``nuttcp -r HOST`` received, as a transcript shows it: ``# nuttcp -t ref2``), or the
caller's ``direction``. With ``-v`` every line is prefixed by the side that wrote it,
this machine's first (``nuttcp-t:`` when it sent, ``nuttcp-r:`` when it received).
Interval lines (``-i``) carry no CPU figures and are passed over.
"""

from __future__ import annotations

import re

from nicdb.errors import InputError
from nicdb.evidence.runs import Run, finite, pct

_NUM = r"\d+(?:\.\d+)?"
_BRIEF = re.compile(rf"^\s*(?P<mb>{_NUM})\s+MB\s*/\s*(?P<sec>{_NUM})\s+sec\s*=\s*(?P<mbps>{_NUM})\s+Mbps"
                    rf"\s+(?P<tx>\d+)\s*%TX\s+(?P<rx>\d+)\s*%RX(?:\s+(?P<retr>\d+)\s+retrans)?"
                    rf"(?:\s+(?P<rtt>{_NUM})\s*msRTT)?\s*$")
_PAIR = re.compile(r"([A-Za-z_]+)=(\S+)")
_VERBOSE = re.compile(r"^\s*nuttcp-([tr]):\s?(.*)$")
# a command line as a transcript shows it: "nuttcp -t ref2", "# nuttcp -r ref2", "user@host$ sudo nuttcp ..."
_CMD = re.compile(r"^\s*(?:[\w@.:~/()-]*[$#>%]\s*)?(?:sudo\s+)?nuttcp(?:\s+(?P<args>.*))?$")
_V_RATE = re.compile(rf"=\s*(?P<mbps>{_NUM})\s+Mbps\s*$")
_V_MB = re.compile(rf"^(?P<mb>{_NUM})\s+MB in (?P<sec>{_NUM}) real seconds")
_V_CPU = re.compile(r"\s(?P<cpu>\d+)%\s")
_V_MSS = re.compile(r"\bmss=(?P<mss>\d+)")
_V_RETR = re.compile(r"^retrans\s*=\s*(?P<retr>\d+)")


def detect(text: str) -> bool:
    """Whether ``text`` holds a nuttcp result (brief, -fparse or -v)."""
    for line in text.splitlines():
        if _BRIEF.match(line) or _VERBOSE.match(line) or _parse_pairs(line) is not None:
            return True
    return False


def _parse_pairs(line: str) -> dict | None:
    """A final -fparse result line as a dict (None: not one)."""
    if "rate_Mbps=" not in line or "megabytes=" not in line:
        return None
    pairs = dict(_PAIR.findall(line))
    if "tx_cpu" not in pairs or "rx_cpu" not in pairs:  # an interval line
        return None
    return pairs


def _command(line: str) -> tuple[str | None | bool, str | None]:
    """(tx/rx, the peer) for a nuttcp client command line; (False, None) for a server's
    (-S, -1); (None, None): not a command."""
    m = _CMD.match(line)
    if not m:
        return None, None
    args = (m.group("args") or "").replace('"', " ").replace("'", " ").split()
    flags = [a for a in args if a.startswith("-")]
    if any(f in ("-S", "-1") or f.startswith(("-S", "-1")) for f in flags):
        return False, None
    hosts = [a for a in args if not a.startswith("-")]
    peer = hosts[-1] if hosts else None
    if "-r" in flags:
        return "rx", peer
    if "-t" in flags or args:
        return "tx", peer  # nuttcp transmits unless told -r
    return None, None


def _number(text: str, what: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{where}: {what} {text!r} is not a number") from None


def _verbose(text: str, label: str) -> list[Run]:
    """-v output: the first block is this machine's."""
    blocks: dict[str, dict] = {}
    order: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _VERBOSE.match(line)
        if not m:
            continue
        side, rest = m.group(1), m.group(2).strip()
        b = blocks.get(side)
        if b is None:
            b = blocks[side] = {"line": n}
            order.append(side)
        pairs = dict(_PAIR.findall(rest))
        r = _V_RATE.search(rest)
        if r:
            b["mbps"] = r.group("mbps")
            mb = _V_MB.match(rest)
            if mb:
                b["sec"] = mb.group("sec")
        elif "rate_Mbps" in pairs:
            b["mbps"] = pairs["rate_Mbps"]
            b["sec"] = pairs.get("real_seconds")
        c = _V_CPU.search(f" {rest} ") if "real" in rest and "user" in rest else None
        if c:
            b["cpu"] = c.group("cpu")
        elif rest.startswith("stats=") and "cpu" in pairs:
            b["cpu"] = pairs["cpu"].rstrip("%")
        mss = _V_MSS.search(rest)
        if mss:
            b["mss"] = mss.group("mss")
        retr = _V_RETR.match(rest) or (re.match(r"^retrans=(?P<retr>\d+)", rest))
        if retr:
            b["retr"] = retr.group("retr")
    if not order or "mbps" not in blocks[order[0]]:
        raise InputError(f"{label}: nuttcp -v output without a result line (no '= N Mbps' or rate_Mbps=)")
    me = blocks[order[0]]
    other = blocks.get("r" if order[0] == "t" else "t", {})
    where = f"{label}: line {me['line']}"
    return [Run("nuttcp", "tx" if order[0] == "t" else "rx", finite(_number(me["mbps"], "rate", where), "rate", where),
                retransmits=int(me["retr"]) if "retr" in me else (int(other["retr"]) if "retr" in other else None),
                cpu_local=pct(_number(me["cpu"], "cpu", where)) if "cpu" in me else None,
                cpu_peer=pct(_number(other["cpu"], "cpu", where)) if "cpu" in other else None,
                duration_s=_number(me["sec"], "seconds", where) if me.get("sec") else None,
                mss=int(me.get("mss") or other.get("mss")) if (me.get("mss") or other.get("mss")) else None,
                where=where)]


def parse(text: str, label: str, direction: str | None = None) -> list[Run]:
    """The runs in nuttcp output ``text``; ``direction`` (tx/rx) for brief lines that no
    command line explains."""
    if any(_VERBOSE.match(line) for line in text.splitlines()):
        return _verbose(text, label)
    runs: list[Run] = []
    current, peer = direction, None
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{label}: line {n}"
        m = _BRIEF.match(line)
        pairs = None if m else _parse_pairs(line)
        if m is None and pairs is None:
            cmd, host = _command(line)
            if cmd:
                current, peer = cmd, host
            continue
        if current is None:
            raise InputError(f"{where}: nuttcp's result does not say which way the data went; give "
                             "--direction tx (this machine sent) or rx (it received)")
        if m:
            mbps, sec, tx, rx = m.group("mbps"), m.group("sec"), m.group("tx"), m.group("rx")
            retr = m.group("retr")
        else:
            for key in ("rate_Mbps", "real_seconds", "tx_cpu", "rx_cpu"):
                if key not in pairs:
                    raise InputError(f"{where}: nuttcp -fparse line without {key}=")
            mbps, sec, tx, rx = pairs["rate_Mbps"], pairs["real_seconds"], pairs["tx_cpu"], pairs["rx_cpu"]
            retr = pairs.get("retrans")
        tx_cpu = pct(_number(tx.rstrip("%"), "tx_cpu", where))
        rx_cpu = pct(_number(rx.rstrip("%"), "rx_cpu", where))
        runs.append(Run("nuttcp", current, finite(_number(mbps, "rate", where), "rate", where),
                        retransmits=int(_number(retr, "retrans", where)) if retr is not None else None,
                        cpu_local=tx_cpu if current == "tx" else rx_cpu,
                        cpu_peer=rx_cpu if current == "tx" else tx_cpu,
                        duration_s=finite(_number(sec, "seconds", where), "seconds", where, 1e7), peer=peer,
                        where=where))
    if not runs:
        raise InputError(f"{label}: no nuttcp result line (N MB / S sec = R Mbps T %TX R %RX, or -fparse)")
    return runs
