"""What a sweep must check before it changes anything. Each check raises InputError with
one line saying what is wrong (nothing has been changed yet, so nothing is restored).

- changing settings needs root;
- iperf3 (and ip, ethtool, sysctl or modprobe, as the setting needs) must be installed;
- the peer must answer on its iperf3 port, through the interface under test;
- a module parameter: the module must be loaded (not built in, which cannot be
  reloaded), used by no other module, and the one that drives the interface; reloading
  a module that carries the only route to the peer -- or the SSH session the sweep was
  started from -- cuts this machine off if the module does not come back, so it is
  refused unless the user insists (``--force``).
"""

from __future__ import annotations

import json
import os

from nicdb.errors import InputError
from nicdb.sweep.base import StepError, find_tool, run


def check_root(what: str) -> None:
    if os.geteuid() != 0:
        raise InputError(f"changing {what} needs root; nothing was changed (run as root, or --dry-run for the plan)")


def check_tools(names: list[str]) -> None:
    missing = [n for n in names if find_tool(n) is None]
    if missing:
        raise InputError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; nothing was "
                         f"changed (apt-get install {' '.join('iproute2' if n == 'ip' else 'procps' if n == 'sysctl' else 'kmod' if n == 'modprobe' else n for n in missing)})")


def route(peer: str) -> dict:
    """``ip -j route get PEER``: the route this machine takes to the peer ({} when none)."""
    try:
        out = run(["ip", "-j", "route", "get", peer], timeout=10)
    except StepError as e:
        raise InputError(f"no route to the peer {peer}: {e}") from None
    try:
        got = json.loads(out)
    except ValueError:
        return {}
    return got[0] if isinstance(got, list) and got and isinstance(got[0], dict) else {}


def routes_matching(peer: str) -> list[dict]:
    """Every route of the main table that covers the peer (``ip -j route show match``)."""
    try:
        got = json.loads(run(["ip", "-j", "route", "show", "match", peer], timeout=10) or "[]")
    except (StepError, ValueError):
        return []
    return [r for r in got if isinstance(r, dict)]


def module_ifaces(module: str, sys_root: str = "/sys") -> list[str]:
    """The interfaces whose device a module drives."""
    base = os.path.join(sys_root, "class", "net")
    out = []
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return out
    for n in names:
        link = os.path.join(base, n, "device", "driver", "module")
        if os.path.islink(link) and os.path.basename(os.readlink(link)) == module:
            out.append(n)
    return out


def check_module(knob, iface_module: str | None, peer: str, force: bool, sys_root: str = "/sys",
                 ssh_connection: str | None = None, routes: list[dict] | None = None) -> list[str]:
    """The checks of a module-parameter sweep; returns the interfaces the reload takes down."""
    st = knob.state()
    m = knob.module
    if st.state == "absent":
        raise InputError(f"module {m} is not loaded here, so there is nothing to sweep; nothing was changed")
    if st.state == "builtin":
        raise InputError(f"{m} is built into the kernel: it cannot be unloaded and reloaded, so {knob.param} can only "
                         f"be set at boot ({m}.{knob.param}=VALUE on the kernel command line); nothing was changed")
    if st.state != "loaded":
        raise InputError(f"module {m} is {st.state}, not live; nothing was changed")
    if st.holders:
        raise InputError(f"module {m} is used by {', '.join(st.holders)}: unloading it would take them down; "
                         "nothing was changed")
    if iface_module is not None and iface_module != m:
        raise InputError(f"{knob.iface} is driven by {iface_module}, not {m}; nothing was changed")
    down = module_ifaces(m, sys_root) or [knob.iface]
    routes = routes_matching(peer) if routes is None else routes
    devs = {r.get("dev") for r in routes if r.get("dev")}
    worries = []
    if devs and devs <= set(down):
        worries.append(f"{'/'.join(sorted(devs))} carr{'y' if len(devs) > 1 else 'ies'} the only route to the peer "
                       f"{peer}")
    if ssh_connection:
        client = ssh_connection.split()[0]
        try:
            via = route(client).get("dev")
        except InputError:
            via = None
        if via in down:
            worries.append(f"your SSH session ({client}) comes in through {via}")
    if worries and not force:
        raise InputError(f"reloading {m} takes down {', '.join(down)}, and {' and '.join(worries)}: if the module "
                         "does not come back, this machine is cut off. Nothing was changed; give --force to do it "
                         "anyway")
    return down
