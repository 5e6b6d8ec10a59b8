"""nicdb sweep, for real: iperf3 against a server in the test's own namespace over a veth
pair (198.18.0.0/15), sweeping the veth's txqueuelen and a TCP buffer sysctl inside the
namespace, one second per run; the original value is back after success, failure,
Ctrl-C and SIGTERM. Module reloads cannot be done on a test machine: their planning,
refusals and kmod's own dry run are tested against module trees the tests build."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tomllib

import pytest

from conftest import check_json_output


@pytest.fixture
def overlay(tmp_path, monkeypatch):
    path = tmp_path / "overlay"
    monkeypatch.setenv("NICDB_OVERLAY", str(path))
    return path


def _set(overlay, name: str) -> dict:
    return tomllib.loads((overlay / "measurements" / f"{name}.toml").read_text())


def _qlen(pair) -> int:
    return int(pair.read(f"/sys/class/net/{pair.client_if}/tx_queue_len"))


def test_txqueuelen_sweep_measures_saves_and_restores(netns_pair, overlay, tmp_path):
    pair = netns_pair
    before = _qlen(pair)
    png = tmp_path / "sweep.png"
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "100,1000,4000", "--peer", pair.server_ip, "--duration", "1",
                   "--both", "--repeat", "2", "--yes", "--set", "qlen", "--plain", "--plot", str(png))
    assert r.code == 0, r.err
    assert _qlen(pair) == before
    assert r.err.strip().splitlines()[-1] == f"nicdb: txqueuelen restored to {before}"
    lines = r.out.splitlines()
    # the growing table: a header, then a row per value and direction as they were measured
    assert lines[0].split()[:2] == ["txqueuelen", "direction"]
    rows = [ln.split() for ln in lines[1:7]]
    assert [(x[0], x[1], x[4]) for x in rows] == [(v, d, "2") for v in ("100", "1000", "4000") for d in ("tx", "rx")]
    assert "What it means:" in r.out and "saved as qlen" in r.out and f"chart written to {png}" in r.out
    doc = _set(overlay, "qlen")
    assert doc["set"]["setting"] == "txqueuelen" and doc["set"]["iface"] == pair.client_if
    assert doc["set"]["peer"] == f"{pair.server_ip}:5201" and doc["set"]["tool"] == "iperf3"
    assert [(x["value"], x["direction"], len(x["runs"])) for x in doc["rows"]] == \
        [(v, d, 2) for v in (100, 1000, 4000) for d in ("tx", "rx")]
    assert all(x["mbps"] > 0 and x["driver"] == "veth" and x["mtu"] == 1500 for x in doc["rows"])
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (960, 540)
        assert "veth tx" in im.info["Description"] and "veth rx" in im.info["Description"]
    # now it is evidence: listed as the user's own
    mine = next(m for m in json.loads(pair.nicdb(pair.client, "evidence", "list", "--json").out)["sets"]
                if m["id"] == "qlen")
    assert mine["origin"] == "local" and mine["count"] == 6 and mine["settings"] == ["txqueuelen"]


def test_sysctl_sweep_inside_the_namespace_with_json(netns_pair, overlay):
    pair = netns_pair
    before = pair.read("/proc/sys/net/ipv4/tcp_rmem")
    values = "4096 131072 262144,4096 131072 6291456"
    args = ("sweep", "net.ipv4.tcp_rmem", values, "--peer", pair.server_ip, "--duration", "1", "--reverse",
            "--yes", "--json", "--set", "rmem")
    r = pair.nicdb(pair.client, *args)
    assert r.code == 0, r.err
    check_json_output(args, r.out)
    doc = json.loads(r.out)
    assert doc["status"] == "done" and doc["restored"] is True and doc["kind"] == "sysctl"
    assert doc["values"] == [[4096, 131072, 262144], [4096, 131072, 6291456]] and doc["directions"] == ["rx"]
    assert doc["plan"][0]["commands"][0] == "sysctl -q -w 'net.ipv4.tcp_rmem=4096 131072 262144'"
    assert [m["direction"] for m in doc["set"]["measurements"]] == ["rx", "rx"]
    assert doc["set"]["verdicts"][0]["direction"] == "rx"
    assert pair.read("/proc/sys/net/ipv4/tcp_rmem") == before
    # the host's own value is untouched: the sysctl is the namespace's
    assert pair.exec(pair.client, "true").returncode == 0


def test_dry_run_prints_the_exact_commands_and_changes_nothing(netns_pair, overlay):
    pair = netns_pair
    before = _qlen(pair)
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "500..1500/500", "--peer", pair.server_ip, "--dry-run",
                   "--duration", "2", "--both")
    assert r.code == 0, r.err
    assert f"$ ip link set dev {pair.client_if} txqueuelen 500" in r.out
    assert f"$ ip link set dev {pair.client_if} txqueuelen 1500" in r.out
    assert f"$ iperf3 -c {pair.server_ip} -p 5201 -t 2 -J --connect-timeout 5000 -R" in r.out
    assert f"restore txqueuelen = {before}:\n  $ ip link set dev {pair.client_if} txqueuelen {before}" in r.out
    assert r.out.endswith("(dry run: nothing was changed)\n")
    assert _qlen(pair) == before and not overlay.exists()


def test_a_refused_value_restores_and_says_both(netns_pair, overlay):
    pair = netns_pair
    mtu = pair.read(f"/sys/class/net/{pair.client_if}/mtu")
    r = pair.nicdb(pair.client, "sweep", "mtu", "1400,70000", "--peer", pair.server_ip, "--duration", "1", "--yes",
                   "--set", "mtus", "--plain")
    assert r.code == 2
    (line,) = [ln for ln in r.err.splitlines() if ln.startswith("nicdb: error:")]
    assert line.startswith("nicdb: error: the sweep failed at mtu=70000: setting mtu=70000")
    assert line.endswith(f"; mtu restored to {mtu}")
    assert pair.read(f"/sys/class/net/{pair.client_if}/mtu") == mtu
    # what was measured before the failure is kept, and said to be partial
    doc = _set(overlay, "mtus")
    assert [x["value"] for x in doc["rows"]] == [1400] and "failed after 1 of 2 values" in doc["set"]["title"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_sweep_restores(netns_pair, overlay, sig):
    pair = netns_pair
    before = _qlen(pair)
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "200,300,400,500", "--peer", pair.server_ip, "--duration",
                   "1", "--yes", "--set", f"cut-{sig.name}", "--plain", signal_when="200 ", sig=sig)
    assert r.code == 130, (r.out, r.err)
    assert f"nicdb: interrupted at txqueuelen=300; txqueuelen restored to {before}" in r.err
    assert _qlen(pair) == before
    assert [x["value"] for x in _set(overlay, f"cut-{sig.name}")["rows"]] == [200]


def test_nothing_changes_without_yes_or_when_the_peer_is_away(netns_pair, overlay):
    pair = netns_pair
    before = _qlen(pair)
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "100,200", "--peer", pair.server_ip)  # stdin: not a tty
    assert r.code == 2 and "nothing was changed: give --yes" in r.err
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "100,200", "--peer", pair.server_ip, "--port", "5999", "--yes")
    assert r.code == 2 and f"the peer {pair.server_ip}:5999 does not answer" in r.err and "Nothing was changed" in r.err
    r = pair.nicdb(pair.client, "sweep", "txqueuelen", "100,200", "--peer", "198.19.255.254", "--yes")
    assert r.code == 2 and "no route to" in r.err or "does not answer" in r.err
    r = pair.nicdb(pair.client, "sweep", "net.core.rmem_max", "212992,4194304", "--peer", pair.server_ip, "--yes")
    assert r.code == 2 and "read-only here" in r.err
    assert _qlen(pair) == before and not overlay.exists()


def test_not_root_is_refused_before_anything_changes(netns_pair, overlay):
    pair = netns_pair
    before = _qlen(pair)
    env = dict(os.environ)
    p = subprocess.run(["ip", "netns", "exec", pair.client, "setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", sys.executable, "-m", "nicdb", "sweep", "txqueuelen", "100,200", "--peer",
                        pair.server_ip, "--yes"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2 and "changing txqueuelen needs root; nothing was changed" in p.stderr, p.stderr
    assert _qlen(pair) == before


@pytest.mark.parametrize("args, said", [
    (("txqueuelen", "1..200"), "more than 100 values"),
    (("txqueuelen", "5..1"), "a range goes up"),
    (("txqueuelen", "1,2,1"), "lists '1' twice"),
    (("txqueuelen", "10,-5"), "txqueuelen takes whole numbers from 0"),
    (("offload.tso", "maybe"), "offload.tso takes on or off"),
    (("DMA_length", "0..7"), "name the module too, e.g. via_velocity.DMA_length"),
    (("via_velocity.DMA_length", "0..9"), "outside via-velocity's range 0-7"),
    (("net.nosuch.key", "1,2"), "no sysctl net.nosuch.key here"),
])
def test_bad_sweeps_are_one_line(netns_pair, overlay, args, said):
    pair = netns_pair
    r = pair.nicdb(pair.client, "sweep", *args, "--peer", pair.server_ip, "--yes", "--duration", "1")
    assert r.code == 2 and said in r.err and r.err.count("\n") == 1, r.err
    assert not overlay.exists()


def test_duration_must_be_whole_seconds(run):
    # iperf3 -t 0.5 reads as -t 0, which runs for ever: only whole seconds get through
    r = run("sweep", "txqueuelen", "1,2", "--peer", "198.18.0.2", "--duration", "0.5")
    assert r.code == 2 and "--duration" in r.err


# ---------------------------------------------------------------- module parameters


def test_module_parameter_on_a_module_not_loaded_is_refused_with_the_plan_in_a_dry_run(netns_pair, overlay):
    pair = netns_pair
    r = pair.nicdb(pair.client, "sweep", "via_velocity.DMA_length", "0..7", "--peer", pair.server_ip, "--iface",
                   pair.client_if, "--dry-run")
    assert r.code == 0, r.err
    assert "$ modprobe -r via_velocity\n  $ modprobe via_velocity DMA_length=0" in r.out
    assert f"(wait up to 30 s for {pair.client_if} to come up" in r.out
    assert "modprobe's dry run" in r.out  # kmod's own answer, whatever this machine has
    assert "the sweep would be refused: module via_velocity is not loaded here" in r.out
    r = pair.nicdb(pair.client, "sweep", "via_velocity.DMA_length", "0..7", "--peer", pair.server_ip, "--iface",
                   pair.client_if, "--yes")
    assert r.code == 2 and r.err == ("nicdb: error: module via_velocity is not loaded here, so there is nothing to "
                                     "sweep; nothing was changed\n")


def _module_tree(tmp_path, module: str, *, initstate: str | None = "live", holders=(), params=None,
                 iface: str = "eth0"):
    """A /sys of the shape the kernel gives: /sys/module/M and /sys/class/net/IFACE/device/driver/module."""
    sys_root = tmp_path / "sys"
    m = sys_root / "module" / module
    (m / "parameters").mkdir(parents=True)
    (m / "holders").mkdir()
    if initstate:
        (m / "initstate").write_text(initstate + "\n")
        (m / "refcnt").write_text("0\n")
    for h in holders:
        (m / "holders" / h).symlink_to(sys_root / "module" / h)
    for k, v in (params or {}).items():
        (m / "parameters" / k).write_text(f"{v}\n")
    drv = sys_root / "bus" / "pci" / "drivers" / module.replace("_", "-")
    drv.mkdir(parents=True)
    (drv / "module").symlink_to(m)
    dev = sys_root / "devices" / "pci0000:00" / "0000:00:0a.0"
    dev.mkdir(parents=True)
    (dev / "driver").symlink_to(drv)
    net = sys_root / "class" / "net" / iface
    net.mkdir(parents=True)
    (net / "device").symlink_to(dev)
    return str(sys_root)


def _knob(sys_root, **kw):
    from nicdb.sweep import knob_for

    return knob_for("via_velocity.DMA_length", "eth0", sys_root=sys_root, **kw)


def test_module_refusals(tmp_path):
    from nicdb.errors import InputError
    from nicdb.sweep.safety import check_module

    only = [{"dst": "198.18.0.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link", "prefsrc": "198.18.0.1",
             "flags": []}]
    builtin = _module_tree(tmp_path / "b", "via_velocity", initstate=None)
    with pytest.raises(InputError, match="built into the kernel: it cannot be unloaded"):
        check_module(_knob(builtin), "via_velocity", "198.18.0.2", True, sys_root=builtin, routes=only)
    held = _module_tree(tmp_path / "h", "via_velocity", holders=["bonding"])
    with pytest.raises(InputError, match="used by bonding: unloading it would take them down"):
        check_module(_knob(held), "via_velocity", "198.18.0.2", True, sys_root=held, routes=only)
    live = _module_tree(tmp_path / "l", "via_velocity")
    with pytest.raises(InputError, match="eth0 is driven by r8169, not via_velocity"):
        check_module(_knob(live), "r8169", "198.18.0.2", True, sys_root=live, routes=only)
    # the only route to the peer: refused unless the user insists
    with pytest.raises(InputError, match="takes down eth0, and eth0 carries the only route to the peer 198.18.0.2: "
                                         "if the module does not come back, this machine is cut off. Nothing was "
                                         "changed; give --force"):
        check_module(_knob(live), "via_velocity", "198.18.0.2", False, sys_root=live, routes=only)
    assert check_module(_knob(live), "via_velocity", "198.18.0.2", True, sys_root=live, routes=only) == ["eth0"]
    # another way to the peer: no refusal
    two = only + [{"dst": "default", "gateway": "198.18.1.1", "dev": "eth1", "flags": []}]
    assert check_module(_knob(live), "via_velocity", "198.18.0.2", False, sys_root=live, routes=two) == ["eth0"]


def test_module_plan_restores_as_configured_and_reads_what_sys_shows(tmp_path):
    from nicdb.sweep.modparam import configured

    live = _module_tree(tmp_path, "via_velocity", params={"int_works": "32"})  # DMA_length has permission 0
    k = _knob(live, cards=2, array=True)
    assert k.read() is None and k.disrupts_link
    assert k.commands(3) == [["modprobe", "-r", "via_velocity"], ["modprobe", "via_velocity", "DMA_length=3,3"]]
    k._configured = None  # nothing in modprobe.d: the driver's default
    assert k.restore_commands(None) == [["modprobe", "-r", "via_velocity"], ["modprobe", "via_velocity"]]
    assert k.describe(None) == "the driver's default (as configured)"
    conf = "options via_velocity DMA_length=2\noptions e1000e InterruptThrottleRate=3000\n" \
           "options via-velocity DMA_length=6 int_works=32\n"
    assert configured(conf, "via_velocity", "DMA_length") == "6"
    assert configured(conf, "via_velocity", "rx_thresh") is None


def _kmod_tree(tmp_path) -> str:
    """A module tree kmod can read: via-velocity.ko (an ELF object with a .modinfo, as
    modpost writes it) indexed by the real depmod."""
    import shutil

    from fake_debian import elf_module

    depmod = shutil.which("depmod", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    assert depmod, "depmod is not installed: .ci/run installs kmod"
    root = tmp_path / "root"
    rel = os.uname().release
    d = root / "lib" / "modules" / rel / "kernel" / "drivers" / "net"
    d.mkdir(parents=True)
    (d / "via-velocity.ko").write_bytes(elf_module(["name=via_velocity", "parmtype=DMA_length:array of int",
                                                    "alias=pci:v00001106d00003119sv*sd*bc*sc*i*",
                                                    "license=GPL", "depends="]))
    subprocess.run([depmod, "-b", str(root), rel], check=True, capture_output=True)
    return str(root)


def test_plans_checked_by_kmods_own_dry_run(tmp_path):
    from nicdb.sweep import knob_for
    from nicdb.sweep.base import StepError

    root = _kmod_tree(tmp_path)
    k = knob_for("via_velocity.DMA_length", "eth0", modprobe_dir=root, cards=2, array=True)
    said = k.dry_run(6)
    assert said.strip() == f"insmod {root}/lib/modules/{os.uname().release}/kernel/drivers/net/via-velocity.ko " \
                           "DMA_length=6,6"
    assert k.commands(6)[1] == ["modprobe", "-d", root, "via_velocity", "DMA_length=6,6"]
    missing = knob_for("via_rhine.rx_copybreak", "eth0", modprobe_dir=root)
    with pytest.raises(StepError, match="modprobe's dry run of via_rhine rx_copybreak=0 failed: .*via_rhine not found"):
        missing.dry_run(0)


def test_ssh_session_through_the_module_is_refused(tmp_path, monkeypatch):
    """SSH_CONNECTION names the client; when the route to it goes through the module's
    interface, reloading is refused without --force (the route is asked of the real ip)."""
    from nicdb.errors import InputError
    from nicdb.sweep import safety

    live = _module_tree(tmp_path, "via_velocity", iface="lo")  # lo: the route to 127.0.0.2 goes through it
    two = [{"dst": "default", "dev": "eth9"}]  # the peer has another way: only the session matters here
    with pytest.raises(InputError, match=r"your SSH session \(127.0.0.2\) comes in through lo"):
        safety.check_module(_knob(live), "via_velocity", "198.18.0.2", False, sys_root=live, routes=two,
                            ssh_connection="127.0.0.2 51234 127.0.0.1 22")
