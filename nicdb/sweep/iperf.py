"""One iperf3 measurement against a peer running ``iperf3 -s``, read with nicdb's own
iperf3 parser. tx: this machine sends (a normal run); rx: it receives (``-R``)."""

from __future__ import annotations

import os
import socket
import subprocess

from nicdb.errors import InputError
from nicdb.sweep.base import StepError, find_tool

CONNECT_TIMEOUT_MS = 5000


def command(peer: str, port: int, duration: int, direction: str) -> list[str]:
    return ["iperf3", "-c", peer, "-p", str(port), "-t", str(duration), "-J",
            "--connect-timeout", str(CONNECT_TIMEOUT_MS)] + (["-R"] if direction == "rx" else [])


def measure(peer: str, port: int, duration: int, direction: str):
    """One :class:`~nicdb.evidence.runs.Run`; StepError when iperf3 fails or the peer does not answer."""
    from nicdb.evidence import iperf3

    argv = command(peer, port, duration, direction)
    exe = find_tool("iperf3")
    if exe is None:
        raise StepError("iperf3 is not installed (apt-get install iperf3)")
    try:
        p = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, errors="replace",
                           timeout=duration + CONNECT_TIMEOUT_MS / 1000 + 20, env=dict(os.environ, LC_ALL="C"),
                           check=False)
    except subprocess.TimeoutExpired:
        raise StepError(f"iperf3 against {peer}:{port} did not finish in time") from None
    except OSError as e:
        raise StepError(f"iperf3 could not run ({e.strerror or e})") from None
    if not p.stdout.strip():
        said = p.stderr.strip().splitlines()
        raise StepError(f"iperf3 against {peer}:{port} failed: {said[-1] if said else f'exit status {p.returncode}'}")
    try:
        runs = iperf3.parse(p.stdout, f"iperf3 against {peer}:{port}")
    except InputError as e:
        raise StepError(str(e)) from None
    return runs[0]


def reachable(peer: str, port: int, timeout: float = 3.0) -> str | None:
    """None when ``peer:port`` accepts a TCP connection, else why not. (An ``iperf3 -s``
    logs the empty connection as an error and goes on serving; ``iperf3 -s -1`` would
    end: the peer must run a lasting server.)"""
    try:
        with socket.create_connection((peer, port), timeout=timeout):
            return None
    except OSError as e:
        return e.strerror or str(e)


def resolve(peer: str) -> str:
    """The peer's address (a name is looked up once, so every run goes to the same one)."""
    try:
        infos = socket.getaddrinfo(peer, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        raise InputError(f"--peer {peer!r}: cannot resolve ({getattr(e, 'strerror', None) or e})") from None
    if not infos:
        raise InputError(f"--peer {peer!r}: no address")
    return infos[0][4][0]
