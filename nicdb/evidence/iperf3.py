"""iperf3 ``--json`` output: throughput per direction, retransmits, CPU of both ends,
duration, MSS and path MTU.

A file holds one document, or several written one after another (``>>``). The machine
the file was written on is the one under test: as the client (``connecting_to`` in
``start``), a normal run sent (tx), ``-R`` received (rx) and ``--bidir`` did both; as the
server (``accepted_connection``), the other way round. Throughput is what arrived (the
receiver's sum) where the document has it, else the sender's; retransmits are the
sender's. A document that reports an ``error``, a UDP test, or JSON that is not iperf3's
is refused with one line naming the file.
"""

from __future__ import annotations

import json

from nicdb.errors import InputError
from nicdb.evidence.runs import Run, finite, pct


def _documents(text: str, label: str) -> list[dict]:
    dec = json.JSONDecoder()
    docs, i, n = [], 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            doc, i = dec.raw_decode(text, i)
        except ValueError as e:
            line = text.count("\n", 0, getattr(e, "pos", i)) + 1
            raise InputError(f"{label}: line {line}: not valid JSON ({getattr(e, 'msg', e)})") from None
        except RecursionError:
            raise InputError(f"{label}: JSON nested too deeply: not iperf3 output") from None
        docs.append(doc)
    return docs


def _sum(end: dict, key: str, where: str) -> dict | None:
    s = end.get(key)
    if s is None:
        return None
    if not isinstance(s, dict) or "bits_per_second" not in s:
        raise InputError(f"{where}: end.{key} has no bits_per_second: not iperf3 output")
    return s


def _num(d: dict | None, key: str):
    v = None if d is None else d.get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _direction_runs(doc: dict, where: str) -> list[tuple[str, dict | None, dict | None]]:
    """(direction, received sum, sent sum) for each direction the document measured."""
    start, end = doc["start"], doc["end"]
    test = start.get("test_start") if isinstance(start.get("test_start"), dict) else {}
    reverse = bool(test.get("reverse"))
    server = "accepted_connection" in start and "connecting_to" not in start
    if "connecting_to" not in start and not server:
        raise InputError(f"{where}: neither a client's nor a server's iperf3 document (no connecting_to or "
                         "accepted_connection in start)")
    fwd = ("tx" if not server else "rx") if not reverse else ("rx" if not server else "tx")
    out = [(fwd, _sum(end, "sum_received", where), _sum(end, "sum_sent", where))]
    if "sum_received_bidir_reverse" in end or "sum_sent_bidir_reverse" in end or test.get("bidir"):
        out.append(("rx" if fwd == "tx" else "tx", _sum(end, "sum_received_bidir_reverse", where),
                    _sum(end, "sum_sent_bidir_reverse", where)))
    return out


def _pmtu(doc: dict) -> int | None:
    best = None
    for iv in doc.get("intervals") or []:
        for st in (iv.get("streams") or []) if isinstance(iv, dict) else []:
            m = st.get("pmtu") if isinstance(st, dict) else None
            if isinstance(m, int) and not isinstance(m, bool) and 68 <= m <= 65536:
                best = m if best is None else max(best, m)
    return best


def _run(doc: dict, where: str) -> list[Run]:
    if not isinstance(doc, dict) or not isinstance(doc.get("start"), dict) or not isinstance(doc.get("end"), dict):
        raise InputError(f"{where}: not iperf3 --json output (no start and end objects)")
    err = doc.get("error")
    if err:
        raise InputError(f"{where}: iperf3 reported an error: {str(err)[:200]}")
    start, end = doc["start"], doc["end"]
    test = start.get("test_start") if isinstance(start.get("test_start"), dict) else {}
    proto = test.get("protocol", "TCP")
    if proto != "TCP":
        raise InputError(f"{where}: a {proto} test: nicdb compares TCP throughput (run iperf3 without -u)")
    if not end:
        raise InputError(f"{where}: the iperf3 run has no results (its 'end' is empty: interrupted?)")
    server = "accepted_connection" in start and "connecting_to" not in start
    peer_info = start.get("accepted_connection" if server else "connecting_to") or {}
    connected = start.get("connected") or [{}]
    local = connected[0].get("local_host") if isinstance(connected[0], dict) else None
    cpu = end.get("cpu_utilization_percent") if isinstance(end.get("cpu_utilization_percent"), dict) else {}
    remote = _num(cpu, "remote_total")
    if server and not remote:  # an iperf3 server does not learn the client's CPU use
        remote = None
    mss = start.get("tcp_mss") or start.get("tcp_mss_default")
    when = (start.get("timestamp") or {}).get("time") if isinstance(start.get("timestamp"), dict) else None
    runs = []
    for direction, received, sent in _direction_runs(doc, where):
        use = received if received is not None and (_num(received, "bytes") or 0) > 0 else sent
        if use is None:
            raise InputError(f"{where}: no sum_received or sum_sent for the {direction} direction")
        mbps = finite(_num(use, "bits_per_second"), "bits_per_second", where, 1e14) / 1e6
        retr = _num(sent, "retransmits")
        seconds = _num(use, "seconds") or _num(use, "end")
        runs.append(Run("iperf3", direction, round(mbps, 4), retransmits=None if retr is None else int(retr),
                        cpu_local=pct(_num(cpu, "host_total")), cpu_peer=pct(remote),
                        duration_s=None if seconds is None else round(float(seconds), 3), mtu=_pmtu(doc),
                        mss=mss if isinstance(mss, int) and not isinstance(mss, bool) and mss > 0 else None,
                        peer=str(peer_info.get("host")) if isinstance(peer_info, dict) and peer_info.get("host")
                        else None,
                        local_address=str(local) if local else None, when=when, where=where))
    return runs


def parse(text: str, label: str) -> list[Run]:
    """The runs of every iperf3 document in ``text``."""
    docs = _documents(text, label)
    if not docs:
        raise InputError(f"{label}: no JSON document")
    out = []
    for i, doc in enumerate(docs):
        out += _run(doc, label if len(docs) == 1 else f"{label}: document {i + 1}")
    return out
