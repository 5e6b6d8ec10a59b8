"""Throughput tuning proposals from the settings nicdb read (pure; changes nothing).

The arithmetic:

* Bandwidth-delay product: ``BDP = rate (bit/s) × RTT (s) / 8`` bytes -- the data in
  flight on a full pipe. A TCP receiver must be able to advertise that much window.
* Socket buffers need about twice the BDP: the kernel charges each packet's
  bookkeeping (the sk_buff around the payload) against the socket buffer, so only part
  of the buffer -- about half with the classic ``tcp_adv_win_scale`` of 1 -- becomes
  advertised window. Proposals round 2×BDP up to a power of two.
* Queue lengths (``txqueuelen``, ``net.core.netdev_max_backlog``) are sized for 10 ms of
  full-size frames at line rate, and proposed only at 10 Gb/s and above -- or, at
  Gigabit, as seed-000 (a 2007 blog post summarising "How to
  achieve Gigabit speeds with Linux") advises: txqueuelen 2000 and netdev_max_backlog
  2000, interrupt coalescing, larger TCP buffers.

Nothing is ever proposed lower than it is now. Every proposal carries the exact command;
the module never runs it.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field

from nicdb.advice.citations import SEED_GIGABIT, SEED_PCI
from nicdb.errors import InputError
from nicdb.tuning.read import Settings


DEFAULT_RATE_MBPS = 1000
DEFAULT_RTT_MS = 1.0
QUEUE_MS = 10  # queue sizing: this much line-rate traffic in full-size frames
SEED_QUEUE_LEN = 2000  # seed-000's txqueuelen and netdev_max_backlog for Gigabit
KERNEL_DEFAULT_QUEUE = 1000  # the default the seed found for both
COALESCE_RX_USECS = 50
JUMBO_MTU = 9000
PAGE_SIZE = 4096  # tcp_mem counts pages; 4 KiB on the common architectures
_KERNEL_RMEM = (4096, 131072)  # tcp_rmem min/default when the current ones are unknown
_KERNEL_WMEM = (4096, 16384)


@dataclass
class Proposal:
    setting: str  # sysctl name, or the ip/ethtool knob ("txqueuelen", "rx-usecs", "mtu")
    current: object  # None when it could not be read
    proposed: object
    reason: str
    command: str
    optional: bool = False  # a judgement call, not a shortfall
    source: str | None = None  # the seed the advice comes from, when one does


@dataclass
class TuneReport:
    iface: str
    rate_mbps: float
    rtt_ms: float
    bdp_bytes: int
    buffer_target_bytes: int  # 2 × BDP: what socket buffer maxima should reach
    assumptions: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is already fine, what could not be judged
    problems: list[str] = field(default_factory=list)  # from reading the settings
    settings: Settings | None = None


def bdp_bytes(rate_mbps: float, rtt_ms: float) -> int:
    """Bandwidth-delay product in bytes, rounded up: 1000 Mb/s × 1 ms -> 125000."""
    # rate × 1e6 bit/s × rtt / 1e3 s / 8 bit = rate × rtt × 125
    return math.ceil(rate_mbps * rtt_ms * 125 - 1e-9)


def pow2_at_least(n: int) -> int:
    """The smallest power of two >= n (and >= 4096)."""
    return max(4096, 1 << max(0, math.ceil(math.log2(max(n, 1)))))


def _num(x: float) -> str:
    return f"{x:g}"


def _positive(value: float | None, what: str) -> None:
    if value is not None and (not math.isfinite(value) or value <= 0):
        raise InputError(f"{what} must be a positive number, not {value!r}")


def _queue_target(rate_mbps: float, mtu: int | None) -> int:
    """Full-size frames arriving in QUEUE_MS at line rate, rounded up to a thousand."""
    frame_bits = (mtu if mtu and mtu >= 576 else 1500) * 8
    frames = rate_mbps * 1e6 * QUEUE_MS / 1000 / frame_bits
    return max(SEED_QUEUE_LEN, math.ceil(frames / 1000) * 1000)


# ---------------------------------------------------------------------------
# The parts


def _buffers(s: Settings, r: TuneReport) -> None:
    target = r.buffer_target_bytes
    size = pow2_at_least(target)
    why2 = (f"the BDP at {_num(r.rate_mbps)} Mb/s and {_num(r.rtt_ms)} ms is {r.bdp_bytes} bytes, and a "
            f"buffer needs about twice that ({target} bytes) because the kernel counts each packet's "
            "bookkeeping against it, so only about half becomes TCP window (tcp_adv_win_scale)")
    for name, cur, use in (("net.core.rmem_max", s.rmem_max, "receive buffer an application may set with SO_RCVBUF"),
                           ("net.core.wmem_max", s.wmem_max, "send buffer an application may set with SO_SNDBUF")):
        if cur is not None and cur >= target:
            r.notes.append(f"{name} = {cur} is already at least 2×BDP ({target} bytes)")
            continue
        now = "unknown" if cur is None else str(cur)
        r.proposals.append(Proposal(
            name, cur, size,
            f"{name} caps the {use} (currently {now}); {why2}.",
            f"sysctl -w {name}={size}", source=SEED_GIGABIT))
    for name, cur, dflt, side in (("net.ipv4.tcp_rmem", s.tcp_rmem, _KERNEL_RMEM, "receive"),
                                  ("net.ipv4.tcp_wmem", s.tcp_wmem, _KERNEL_WMEM, "send")):
        if cur is not None and cur[2] >= target:
            r.notes.append(f"{name} maximum {cur[2]} is already at least 2×BDP ({target} bytes)")
            continue
        lo, mid = (cur[0], cur[1]) if cur is not None else dflt
        new = f"{lo} {mid} {size}"
        now = "unknown" if cur is None else " ".join(map(str, cur))
        r.proposals.append(Proposal(
            name, None if cur is None else now, new,
            f"TCP autotuning grows each connection's {side} buffer up to the third value "
            f"(currently {now}); {why2}. The minimum and default stay as they are.",
            f"sysctl -w {name}='{new}'", source=SEED_GIGABIT))
    if s.tcp_mem is not None and s.tcp_mem[2] * PAGE_SIZE < target:
        r.notes.append(f"net.ipv4.tcp_mem allows {s.tcp_mem[2]} pages (~{s.tcp_mem[2] * PAGE_SIZE} bytes) "
                       f"for all TCP sockets together, less than one connection's 2×BDP ({target} bytes); "
                       "it is sized from RAM at boot, so this host may be too small for this path")
    if s.tcp_window_scaling is False and r.bdp_bytes > 65535:
        r.proposals.append(Proposal(
            "net.ipv4.tcp_window_scaling", 0, 1,
            f"Without window scaling the TCP window stops at 65535 bytes, below the {r.bdp_bytes}-byte BDP, "
            "whatever the buffer sizes.",
            "sysctl -w net.ipv4.tcp_window_scaling=1"))
    elif s.tcp_window_scaling is None:
        r.notes.append("net.ipv4.tcp_window_scaling unknown; windows above 64 KiB need it on")


def _congestion(s: Settings, r: TuneReport) -> None:
    cc = s.tcp_congestion_control
    if cc is None or cc != "reno" or r.rate_mbps < 1000:
        if cc:
            r.notes.append(f"congestion control: {cc}")
        return
    avail = s.tcp_available_congestion_control or []
    pick = next((c for c in ("cubic", "bbr") if c in avail), None)
    if pick is None:
        r.notes.append("congestion control is reno, which grows its window slowly on fast paths "
                       f"({SEED_GIGABIT}); no cubic or bbr is loaded (modprobe tcp_cubic)")
        return
    r.proposals.append(Proposal(
        "net.ipv4.tcp_congestion_control", cc, pick,
        f"Reno (New Reno) halves its window on a loss and regrows it by one segment per round trip, "
        f"too slowly to refill a {_num(r.rate_mbps)} Mb/s path ({SEED_GIGABIT} notes it struggles at Gigabit); {pick} is loaded here.",
        f"sysctl -w net.ipv4.tcp_congestion_control={pick}", source=SEED_GIGABIT))


def _queues(s: Settings, r: TuneReport, dev: str) -> None:
    rate = r.rate_mbps
    if rate < 1000:
        r.notes.append("txqueuelen and netdev_max_backlog left alone: below 1 Gb/s the defaults suffice")
        return
    items = (
        ("txqueuelen", s.tx_queue_len, f"ip link set dev {dev} txqueuelen {{n}}",
         "the transmit queue in front of the driver (used by pfifo_fast-style qdiscs; fq_codel and fq "
         "keep their own limits)", f"`ip -s link show dev {dev}` shows TX drops"),
        ("net.core.netdev_max_backlog", s.netdev_max_backlog, "sysctl -w net.core.netdev_max_backlog={n}",
         "the per-CPU queue of received packets waiting for the protocol stack",
         "the second column of /proc/net/softnet_stat (drops) grows"),
    )
    for name, cur, cmd, what, symptom in items:
        if rate >= 10000:
            target = _queue_target(rate, s.mtu)
            if cur is not None and cur >= target:
                r.notes.append(f"{name} = {cur} already holds {QUEUE_MS} ms of full-size frames")
                continue
            r.proposals.append(Proposal(
                name, cur, target,
                f"{name} is {what}; at {_num(rate)} Mb/s, {QUEUE_MS} ms of "
                f"{s.mtu or 1500}-byte frames is about {target} packets, and a shorter queue drops "
                f"bursts (currently {'unknown' if cur is None else cur}).",
                cmd.format(n=target)))
            continue
        # Gigabit: seed-000's advice.
        if cur is not None and cur >= SEED_QUEUE_LEN:
            r.notes.append(f"{name} = {cur} already meets the {SEED_QUEUE_LEN} of {SEED_GIGABIT}")
            continue
        below_default = cur is not None and cur < KERNEL_DEFAULT_QUEUE
        reason = (f"{name} is {what}; {SEED_GIGABIT} raises it to {SEED_QUEUE_LEN} "
                  f"for Gigabit (currently {'unknown' if cur is None else cur}")
        if below_default:
            reason += f", below even the usual default of {KERNEL_DEFAULT_QUEUE})."
        else:
            reason += (f"; the seed itself found the default {KERNEL_DEFAULT_QUEUE}, which usually copes"
                       f" -- worth it when {symptom}).")
        r.proposals.append(Proposal(name, cur, SEED_QUEUE_LEN, reason, cmd.format(n=SEED_QUEUE_LEN),
                                    optional=not below_default, source=SEED_GIGABIT))


def _coalescing(s: Settings, r: TuneReport, dev: str) -> None:
    if s.coalesce_supported is False:
        r.notes.append(f"interrupt coalescing: the driver does not support interrupt coalescing settings "
                       f"(ethtool -c says 'Operation not supported', as it did for {SEED_GIGABIT}), "
                       "so there is nothing to propose")
        return
    c = s.coalesce
    if c is None:
        r.notes.append("interrupt coalescing not read (ethtool not run or not installed)")
        return
    usecs, frames = c.get("rx-usecs"), c.get("rx-frames")
    if c.get("adaptive-rx") is True:
        r.notes.append("interrupt coalescing: adaptive RX is on, the driver adjusts it")
        return
    if usecs is None:
        r.notes.append("interrupt coalescing: the driver has no rx-usecs setting")
        return
    if usecs > 0 or (frames is not None and frames > 1):
        r.notes.append(f"interrupt coalescing already on: rx-usecs {usecs}, rx-frames {frames}")
        return
    if r.rate_mbps < 1000:
        r.notes.append("interrupt coalescing off (an interrupt per frame); fine below 1 Gb/s")
        return
    mtu = s.mtu if s.mtu and s.mtu >= 576 else 1500
    per_s = r.rate_mbps * 1e6 / (mtu * 8)
    gap = mtu * 8 / r.rate_mbps  # µs between full-size frames
    per_irq = max(1, math.floor(COALESCE_RX_USECS / gap))
    alt = (f"; `ethtool -C {dev} adaptive-rx on` lets the driver choose instead"
           if c.get("adaptive-rx") is False else "")
    r.proposals.append(Proposal(
        "rx-usecs", usecs, COALESCE_RX_USECS,
        f"With rx-usecs 0 and rx-frames {frames if frames is not None else '?'} the NIC interrupts for "
        f"every frame, up to ~{round(per_s)} interrupts/s at {_num(r.rate_mbps)} Mb/s with {mtu}-byte "
        f"frames; {SEED_GIGABIT} puts interrupt coalescing first for Gigabit, and waiting "
        f"{COALESCE_RX_USECS} µs gathers about {per_irq} frames per interrupt at the cost of up to "
        f"{COALESCE_RX_USECS} µs of added latency; the driver may refuse values it cannot do{alt}.",
        f"ethtool -C {dev} rx-usecs {COALESCE_RX_USECS}", source=SEED_GIGABIT))


def _rings(s: Settings, r: TuneReport, dev: str) -> None:
    if r.rate_mbps < 10000 or not s.rings:
        return
    cur, mx = s.rings.get("current", {}), s.rings.get("max", {})
    parts = []
    for k in ("rx", "tx"):
        if isinstance(cur.get(k), int) and isinstance(mx.get(k), int) and cur[k] < mx[k]:
            parts.append((k, cur[k], mx[k]))
    if not parts:
        r.notes.append("ring sizes already at the driver's maximum")
        return
    r.proposals.append(Proposal(
        "rings", {k: c for k, c, _ in parts}, {k: m for k, _, m in parts},
        f"At {_num(r.rate_mbps)} Mb/s a short descriptor ring overflows while the CPU is busy elsewhere; "
        f"the driver allows " + ", ".join(f"{k.upper()} {m} (now {c})" for k, c, m in parts) + ".",
        f"ethtool -G {dev} " + " ".join(f"{k} {m}" for k, _, m in parts)))


def _mtu(s: Settings, r: TuneReport, dev: str) -> None:
    if r.rate_mbps < 1000:
        return
    if s.mtu is None:
        r.notes.append("MTU unknown; no jumbo frame suggestion")
        return
    if s.mtu < 1500:
        r.notes.append(f"MTU {s.mtu} is below Ethernet's 1500, which usually means an encapsulated path "
                       "(VPN, overlay, cloud network); jumbo frames are not suggested")
        return
    if s.mtu >= JUMBO_MTU:
        r.notes.append(f"MTU {s.mtu}: jumbo frames already on")
        return
    r.proposals.append(Proposal(
        "mtu", s.mtu, JUMBO_MTU,
        f"An option, not a fix: 9000-byte frames carry the same data in about a sixth of the packets, "
        f"so fewer interrupts and less per-packet CPU ({SEED_PCI} measured a VT6122 at 816/990 Mb/s "
        f"send/receive with MTU 9000 against 655/741 Mb/s with 1500). Every host, switch and router "
        f"on the segment must agree on the MTU, or large frames are dropped; the NIC must support it "
        f"too (`ip -d link show dev {dev}` shows maxmtu).",
        f"ip link set dev {dev} mtu {JUMBO_MTU}", optional=True, source=SEED_PCI))


# ---------------------------------------------------------------------------


def propose(settings: Settings, rate_mbps: float | None, rtt_ms: float | None,
            iface: str | None = None) -> TuneReport:
    """Proposals to let ``iface`` carry ``rate_mbps`` over a path of ``rtt_ms``.

    ``rate_mbps`` None: the interface's speed, else 1000 Mb/s. ``rtt_ms`` None: 1 ms
    (a LAN). Both assumptions are written into the report. ``iface`` names the
    interface in the commands; None means ``settings.iface``. Pure: nothing is run
    or changed. Raises InputError for a rate or RTT that is not a positive number.
    """
    _positive(rate_mbps, "the rate (Mb/s)")
    _positive(rtt_ms, "the round-trip time (ms)")
    s = settings
    iface = iface or s.iface
    assumptions = []
    if rate_mbps is not None:
        rate = float(rate_mbps)
        assumptions.append(f"rate {_num(rate)} Mb/s, as given")
    elif s.speed_mbps:
        rate = float(s.speed_mbps)
        assumptions.append(f"rate {_num(rate)} Mb/s: the link speed {iface} reports")
    else:
        rate = float(DEFAULT_RATE_MBPS)
        assumptions.append(f"rate assumed {DEFAULT_RATE_MBPS} Mb/s: {iface} reports no link speed "
                           "(give the rate for a better answer)")
    if rtt_ms is not None:
        rtt = float(rtt_ms)
        assumptions.append(f"round-trip time {_num(rtt)} ms, as given")
    else:
        rtt = DEFAULT_RTT_MS
        assumptions.append(f"round-trip time assumed {_num(rtt)} ms (a LAN); for a longer path, "
                           "measure it with ping and give it")
    bdp = bdp_bytes(rate, rtt)
    r = TuneReport(iface, rate, rtt, bdp, 2 * bdp, assumptions, problems=list(s.problems), settings=s)
    dev = shlex.quote(iface)

    _buffers(s, r)
    _congestion(s, r)
    _queues(s, r, dev)
    _coalescing(s, r, dev)
    _rings(s, r, dev)
    _mtu(s, r, dev)
    if r.proposals:
        r.notes.append("the commands need root and last until reboot; to keep them, put the sysctl "
                       "settings in /etc/sysctl.d/ and the link settings in the network configuration")
    return r


def proposed_value(report: TuneReport, setting: str):
    """The value ``report`` proposes for a sweep's setting name (``txqueuelen``,
    ``net.core.rmem_max``, ``coalesce.rx-usecs``, ``ring.rx``, ``mtu``), as a sweep compares
    it with its best value; None when nothing is proposed (already enough, or not judged)."""
    for p in report.proposals:
        if p.setting == setting:
            v = p.proposed
            if isinstance(v, str) and all(w.isdigit() for w in v.split()) and len(v.split()) > 1:
                return [int(w) for w in v.split()]  # tcp_rmem's "min default max"
            return list(v) if isinstance(v, tuple) else v
        if setting == f"coalesce.{p.setting}":
            return p.proposed
        if p.setting == "rings" and setting.startswith("ring.") and isinstance(p.proposed, dict):
            return p.proposed.get(setting[5:])
    return None
