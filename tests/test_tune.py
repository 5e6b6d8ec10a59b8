"""Reading throughput settings (nicdb.tuning.read), proposals (nicdb.advice.tune) and their rendering."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from nicdb.advice.citations import SEED_GIGABIT
import pytest

from nicdb.advice.tune import bdp_bytes, pow2_at_least, propose
from nicdb.errors import InputError
from nicdb.render.tune import tune_to_dict, tune_to_text
from nicdb.tuning.read import (
    NOTE_COALESCE_UNSUPPORTED,
    NOTE_NO_ETHTOOL,
    NOTE_RINGS_UNSUPPORTED,
    Settings,
    parse_ethtool_coalesce,
    parse_ethtool_rings,
    read_settings,
    run_ethtool,
)


@pytest.fixture
def tune_dir(shared_datadir) -> Path:
    return shared_datadir / "tune"


def by_setting(report) -> dict:
    return {p.setting: p for p in report.proposals}


def fake_ethtool(tmp_path: Path, c: str, g: str, c_rc: int = 0, g_rc: int = 0) -> str:
    """An executable that answers -c and -g like ethtool, from the given texts (stdout, or
    stderr when the exit status is non-zero)."""
    (tmp_path / "c.txt").write_text(c)
    (tmp_path / "g.txt").write_text(g)
    script = tmp_path / "ethtool"
    script.write_text(
        "#!/bin/sh\n"
        f'case "$1" in\n'
        f'  -c) if [ {c_rc} -ne 0 ]; then cat "{tmp_path}/c.txt" >&2; exit {c_rc}; fi; cat "{tmp_path}/c.txt";;\n'
        f'  -g) if [ {g_rc} -ne 0 ]; then cat "{tmp_path}/g.txt" >&2; exit {g_rc}; fi; cat "{tmp_path}/g.txt";;\n'
        "esac\n"
    )
    script.chmod(0o755)
    return str(script)


# --- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rate,rtt,bdp", [
    (1000, 1, 125000),
    (100, 1, 12500),
    (1000, 0.5, 62500),
    (1000, 100, 12_500_000),
    (10000, 80, 100_000_000),
    (1, 0.001, 1),  # 0.125 bytes rounds up
])
def test_bdp(rate, rtt, bdp):
    assert bdp_bytes(rate, rtt) == bdp


def test_pow2():
    assert pow2_at_least(250000) == 262144
    assert pow2_at_least(262144) == 262144
    assert pow2_at_least(25_000_000) == 33554432
    assert pow2_at_least(1) == 4096


# --- reading fixture trees ------------------------------------------------------------------------


def test_read_gigabit_tree(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    assert (s.mtu, s.tx_queue_len, s.speed_mbps) == (1500, 1000, 1000)
    assert (s.netdev_max_backlog, s.rmem_max, s.wmem_max) == (1000, 212992, 212992)
    assert s.tcp_rmem == (4096, 131072, 6291456)
    assert s.tcp_wmem == (4096, 16384, 4194304)
    assert s.tcp_mem == (92796, 123729, 185592)
    assert s.tcp_congestion_control == "cubic"
    assert s.tcp_available_congestion_control == ["reno", "cubic"]
    assert s.tcp_window_scaling is True
    assert s.problems == []
    # ethtool only ever runs against this host, never against a copied tree.
    assert s.coalesce is None and s.rings is None and s.coalesce_supported is None
    assert any("ethtool not run" in n for n in s.notes)


def test_read_broken_tree_records_every_bad_file(tune_dir):
    root = tune_dir / "broken"
    s = read_settings("eth0", root=str(root))
    for name in ("mtu", "tx_queue_len", "speed", "rmem_max", "wmem_max", "tcp_rmem", "tcp_wmem",
                 "tcp_congestion_control", "tcp_available_congestion_control", "tcp_window_scaling"):
        field = "speed_mbps" if name == "speed" else name
        assert getattr(s, field) is None, name
    assert s.netdev_max_backlog == 1000  # the good files are still read
    assert s.tcp_mem == (92796, 123729, 185592)
    probs = "\n".join(s.problems)
    assert len(s.problems) == 9
    assert f"{root}/sys/class/net/eth0/mtu: 'fifteen hundred' is not a whole number >= 1" in probs
    assert f"{root}/sys/class/net/eth0/tx_queue_len: is a directory, not a setting" in probs
    assert f"{root}/proc/sys/net/core/rmem_max: missing" in probs
    assert f"{root}/proc/sys/net/core/wmem_max: '-5' is not a whole number >= 0" in probs
    assert "tcp_rmem: '4096 x 6291456' is not three whole numbers" in probs
    assert "tcp_wmem: '4096 16384' is not three whole numbers" in probs
    assert "tcp_congestion_control: '' is not a congestion control name" in probs
    assert "tcp_available_congestion_control: " in probs
    assert "tcp_window_scaling: '2' is not 0 or 1" in probs
    # speed -1 is the kernel's "unknown", not garbage
    assert any("speed = -1" in n for n in s.notes)


def test_missing_interface(tune_dir):
    with pytest.raises(InputError) as e:
        read_settings("eth7", root=str(tune_dir / "gigabit"))
    assert str(e.value) == "no network interface named 'eth7' (see /sys/class/net)"
    with pytest.raises(InputError):
        read_settings("../../proc", root=str(tune_dir / "gigabit"))


def test_driver_from_symlink(tmp_path):
    net = tmp_path / "sys" / "class" / "net" / "enp2s0"
    drivers = tmp_path / "sys" / "bus" / "pci" / "drivers" / "via-velocity"
    fn = tmp_path / "sys" / "devices" / "pci0000:00" / "0000:02:00.0"
    drivers.mkdir(parents=True)
    fn.mkdir(parents=True)
    net.mkdir(parents=True)
    os.symlink(drivers, fn / "driver")
    os.symlink(fn, net / "device")
    (net / "mtu").write_text("1500\n")
    s = read_settings("enp2s0", root=str(tmp_path), ethtool=None)
    assert s.driver == "via-velocity" and s.mtu == 1500
    assert any("ethtool not run (disabled)" in n for n in s.notes)
    # Only mtu in this tree: tx_queue_len, speed and the nine sysctls are one problem line each.
    assert len(s.problems) == 11 and all(p.endswith(": missing") for p in s.problems)
    assert s.rmem_max is None and s.tcp_rmem is None


# --- ethtool text ------------------------------------------------------------------------------


def test_parse_coalesce_new_format(tune_dir):
    c = parse_ethtool_coalesce((tune_dir / "ethtool" / "virtio-c.txt").read_text())
    assert c["rx-usecs"] == 0 and c["rx-frames"] == 1 and c["tx-usecs"] == 0 and c["tx-frames"] == 1
    assert c["adaptive-rx"] is False and c["adaptive-tx"] is None
    assert c["cqe-mode-rx"] is None and c["rx-usecs-irq"] is None


def test_parse_coalesce_old_format(tune_dir):
    c = parse_ethtool_coalesce((tune_dir / "ethtool" / "oldfmt-c.txt").read_text())
    assert c["rx-usecs"] == 3 and c["rx-frames"] == 0
    assert c["adaptive-rx"] is False and c["adaptive-tx"] is False
    assert c["stats-block-usecs"] == 0


def test_parse_rings(tune_dir):
    r = parse_ethtool_rings((tune_dir / "ethtool" / "virtio-g.txt").read_text())
    assert r["max"] == {"rx": 256, "rx-mini": None, "rx-jumbo": None, "tx": 256}
    assert r["current"]["rx"] == 256 and r["current"]["tx"] == 256 and r["current"]["tx-push"] is False
    r = parse_ethtool_rings((tune_dir / "ethtool" / "oldfmt-g.txt").read_text())
    assert (r["max"]["rx"], r["max"]["tx"], r["current"]["rx"], r["current"]["tx"]) == (4096, 4096, 256, 256)


def test_parsers_reject_garbage(tune_dir):
    with pytest.raises(ValueError):
        parse_ethtool_coalesce((tune_dir / "ethtool" / "unsupported-c.txt").read_text())
    with pytest.raises(ValueError):
        parse_ethtool_rings("hello: world\n")


def test_ethtool_missing():
    e = run_ethtool("eth0", "/nonexistent/ethtool")
    assert e.notes == [NOTE_NO_ETHTOOL] and e.coalesce is None and e.coalesce_supported is None
    e = run_ethtool("eth0", "no-such-ethtool-binary")
    assert e.notes == [NOTE_NO_ETHTOOL]


def test_ethtool_unsupported_both_formats(tmp_path, tune_dir):
    rings = (tune_dir / "ethtool" / "oldfmt-g.txt").read_text()
    for i, msg in enumerate(["netlink error: Operation not supported\n",
                             (tune_dir / "ethtool" / "unsupported-c.txt").read_text()]):
        d = tmp_path / str(i)
        d.mkdir()
        e = run_ethtool("eth1", fake_ethtool(d, msg, rings, c_rc=1))
        assert e.coalesce is None and e.coalesce_supported is False
        assert e.notes == [NOTE_COALESCE_UNSUPPORTED]
        assert e.rings_supported is True and e.rings["current"]["rx"] == 256
        assert e.problems == []


def test_ethtool_parsed_and_failures(tmp_path, tune_dir):
    e = run_ethtool("eth1", fake_ethtool(tmp_path, (tune_dir / "ethtool" / "oldfmt-c.txt").read_text(),
                                         "netlink error: Operation not supported\n", g_rc=1))
    assert e.coalesce["rx-usecs"] == 3 and e.coalesce_supported is True
    assert e.rings is None and e.rings_supported is False and e.notes == [NOTE_RINGS_UNSUPPORTED]
    d = tmp_path / "nodev"
    d.mkdir()
    e = run_ethtool("eth9", fake_ethtool(d, "netlink error: No such device\n", "garbage\n", c_rc=1))
    assert e.problems[0] == "ethtool -c eth9: failed (netlink error: No such device)"
    assert e.problems[1] == "ethtool -g eth9: no ring sizes in the ethtool -g output"


# --- proposals ---------------------------------------------------------------------------------


def test_propose_gigabit_lan(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    r = propose(s, None, None, "eth0")
    assert (r.rate_mbps, r.rtt_ms, r.bdp_bytes, r.buffer_target_bytes) == (1000, 1, 125000, 250000)
    assert r.assumptions[0] == "rate 1000 Mb/s: the link speed eth0 reports"
    assert "assumed 1 ms (a LAN)" in r.assumptions[1]
    p = by_setting(r)
    assert set(p) == {"net.core.rmem_max", "net.core.wmem_max", "txqueuelen",
                      "net.core.netdev_max_backlog", "mtu"}
    assert (p["net.core.rmem_max"].current, p["net.core.rmem_max"].proposed) == (212992, 262144)
    assert p["net.core.rmem_max"].command == "sysctl -w net.core.rmem_max=262144"
    assert "tcp_adv_win_scale" in p["net.core.rmem_max"].reason
    assert p["net.core.wmem_max"].command == "sysctl -w net.core.wmem_max=262144"
    # Gigabit queue advice is seed-000's, optional at the usual default of 1000.
    assert p["txqueuelen"].command == "ip link set dev eth0 txqueuelen 2000"
    assert p["txqueuelen"].optional
    assert p["txqueuelen"].source == SEED_GIGABIT
    assert f"{SEED_GIGABIT} raises it to 2000" in p["txqueuelen"].reason
    assert p["net.core.netdev_max_backlog"].command == "sysctl -w net.core.netdev_max_backlog=2000"
    # Jumbo frames only as an option, with the caveat.
    assert p["mtu"].optional and p["mtu"].command == "ip link set dev eth0 mtu 9000"
    assert "Every host, switch and router on the segment must agree" in p["mtu"].reason
    # Already large enough: said, not proposed.
    assert "net.ipv4.tcp_rmem maximum 6291456 is already at least 2×BDP (250000 bytes)" in r.notes


def test_propose_long_fat_pipe(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    r = propose(s, 1000, 100)
    assert r.bdp_bytes == 12_500_000 and r.buffer_target_bytes == 25_000_000
    p = by_setting(r)
    assert p["net.ipv4.tcp_rmem"].command == "sysctl -w net.ipv4.tcp_rmem='4096 131072 33554432'"
    assert p["net.ipv4.tcp_wmem"].command == "sysctl -w net.ipv4.tcp_wmem='4096 16384 33554432'"
    assert p["net.ipv4.tcp_rmem"].current == "4096 131072 6291456"
    assert p["net.core.rmem_max"].proposed == 33554432


def test_propose_legacy_host_at_gigabit(tune_dir):
    s = read_settings("eth1", root=str(tune_dir / "legacy"))
    r = propose(s, 1000, None)
    p = by_setting(r)
    assert p["net.ipv4.tcp_window_scaling"].command == "sysctl -w net.ipv4.tcp_window_scaling=1"
    assert p["net.ipv4.tcp_congestion_control"].command == "sysctl -w net.ipv4.tcp_congestion_control=cubic"
    assert p["net.ipv4.tcp_rmem"].command == "sysctl -w net.ipv4.tcp_rmem='4096 87380 262144'"
    # Below the usual default: the seed's 2000 is not optional here.
    assert p["txqueuelen"].command == "ip link set dev eth1 txqueuelen 2000" and not p["txqueuelen"].optional
    assert (p["net.core.netdev_max_backlog"].current, p["net.core.netdev_max_backlog"].proposed) == (300, 2000)


def test_propose_at_fast_ethernet_changes_nothing(tune_dir):
    s = read_settings("eth1", root=str(tune_dir / "legacy"))
    r = propose(s, None, None)
    assert r.rate_mbps == 100 and r.bdp_bytes == 12500
    assert r.proposals == []
    assert any("below 1 Gb/s" in n for n in r.notes)


def test_propose_10g_queues_and_rings(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    s.rings = parse_ethtool_rings((tune_dir / "ethtool" / "oldfmt-g.txt").read_text())
    r = propose(s, 10000, None)
    p = by_setting(r)
    # 10 ms of 1500-byte frames at 10 Gb/s = 8333 packets -> 9000
    assert p["txqueuelen"].proposed == 9000 and not p["txqueuelen"].optional
    assert p["net.core.netdev_max_backlog"].command == "sysctl -w net.core.netdev_max_backlog=9000"
    assert p["rings"].command == "ethtool -G eth0 rx 4096 tx 4096"
    assert p["rings"].current == {"rx": 256, "tx": 256}


def test_never_lowers(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    s.rmem_max = s.wmem_max = 1 << 30
    s.tcp_rmem = s.tcp_wmem = (4096, 87380, 1 << 30)
    s.tx_queue_len = s.netdev_max_backlog = 50000
    s.mtu = 9000
    s.coalesce = {"rx-usecs": 100, "rx-frames": 0, "adaptive-rx": False}
    r = propose(s, 10000, 50)
    assert r.proposals == []
    assert "interrupt coalescing already on: rx-usecs 100, rx-frames 0" in r.notes


def test_coalescing_proposal_and_unsupported(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    s.coalesce = parse_ethtool_coalesce((tune_dir / "ethtool" / "virtio-c.txt").read_text())
    s.coalesce_supported = True
    p = by_setting(propose(s, None, None))
    assert p["rx-usecs"].command == "ethtool -C eth0 rx-usecs 50"
    assert (p["rx-usecs"].current, p["rx-usecs"].proposed) == (0, 50)
    assert "~83333 interrupts/s" in p["rx-usecs"].reason  # 1e9 / (1500 × 8)
    assert "adaptive-rx on" in p["rx-usecs"].reason

    s.coalesce, s.coalesce_supported = None, False
    r = propose(s, None, None)
    assert "rx-usecs" not in by_setting(r)
    assert any(NOTE_COALESCE_UNSUPPORTED in n for n in r.notes)


def test_unknown_speed_and_small_mtu(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "broken"))
    r = propose(s, None, 2)
    assert r.rate_mbps == 1000 and r.bdp_bytes == 250000
    assert r.assumptions[0].startswith("rate assumed 1000 Mb/s")
    assert r.problems == s.problems and len(r.problems) == 9
    p = by_setting(r)
    # Unreadable values are proposed with current None, never silently skipped.
    assert p["net.core.rmem_max"].current is None and p["net.core.rmem_max"].proposed == 524288
    assert p["net.ipv4.tcp_rmem"].command == "sysctl -w net.ipv4.tcp_rmem='4096 131072 524288'"
    s2 = read_settings("eth0", root=str(tune_dir / "gigabit"))
    s2.mtu = 1400
    r2 = propose(s2, None, None)
    assert "mtu" not in by_setting(r2)
    assert any("MTU 1400 is below Ethernet's 1500" in n for n in r2.notes)


def test_tcp_mem_too_small_is_noted():
    s = Settings("eth0", tcp_mem=(1000, 2000, 3000), tcp_rmem=(4096, 131072, 1 << 30),
                 tcp_wmem=(4096, 16384, 1 << 30), rmem_max=1 << 30, wmem_max=1 << 30)
    r = propose(s, 1000, 200)
    assert any("net.ipv4.tcp_mem allows 3000 pages" in n for n in r.notes)


@pytest.mark.parametrize("rate,rtt", [(0, 1), (-5, 1), (1000, 0), (float("nan"), 1)])
def test_bad_rate_or_rtt(rate, rtt):
    with pytest.raises(InputError):
        propose(Settings("eth0"), rate, rtt)


# --- rendering ---------------------------------------------------------------------------------


def test_render(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    r = propose(s, None, None)
    d = json.loads(json.dumps(tune_to_dict(r)))
    assert list(d) == ["schema", "interface", "rate_mbps", "rtt_ms", "bdp_bytes", "buffer_target_bytes",
                       "assumptions", "proposals", "notes", "problems", "settings"]
    assert d["bdp_bytes"] == 125000 and d["interface"] == "eth0"
    assert d["proposals"][0] == {
        "setting": "net.core.rmem_max", "current": 212992, "proposed": 262144,
        "reason": r.proposals[0].reason, "command": "sysctl -w net.core.rmem_max=262144",
        "optional": False, "source": SEED_GIGABIT}
    assert d["settings"]["tcp_rmem"] == [4096, 131072, 6291456]
    text = tune_to_text(r)
    assert "bandwidth-delay product 125000 bytes" in text
    assert "net.core.rmem_max: 212992 → 262144\n" in text
    assert "  $ sysctl -w net.core.rmem_max=262144\n" in text
    assert "txqueuelen (optional): 1000 → 2000\n" in text
    assert "No changes proposed." in tune_to_text(propose(read_settings("eth1", root=str(tune_dir / "legacy")), None, None))


def test_iface_argument_names_the_commands(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    r = propose(s, 1000, 1, "enp2s0")
    p = by_setting(r)
    assert r.iface == "enp2s0"
    assert p["txqueuelen"].command == "ip link set dev enp2s0 txqueuelen 2000"
    assert p["mtu"].command == "ip link set dev enp2s0 mtu 9000"
    assert r.assumptions[0] == "rate 1000 Mb/s, as given" and r.assumptions[1] == "round-trip time 1 ms, as given"
    # Without it, the settings' own interface.
    assert propose(s, 1000, 1).iface == "eth0"


def test_note_texts():
    assert NOTE_NO_ETHTOOL == "ethtool is not installed"
    assert NOTE_COALESCE_UNSUPPORTED == "the driver does not support interrupt coalescing settings"


def test_unsupported_coalescing_end_to_end(tmp_path, tune_dir):
    """Fixture ethtool text saying 'Operation not supported' -> a note, no rx-usecs proposal."""
    s = read_settings("eth0", root=str(tune_dir / "gigabit"))
    e = run_ethtool("eth0", fake_ethtool(tmp_path, (tune_dir / "ethtool" / "unsupported-c.txt").read_text(),
                                         (tune_dir / "ethtool" / "virtio-g.txt").read_text(), c_rc=95))
    s.coalesce, s.coalesce_supported, s.rings, s.rings_supported = e.coalesce, e.coalesce_supported, e.rings, True
    s.notes.extend(e.notes)
    r = propose(s, 1000, 1, "eth0")
    assert "rx-usecs" not in by_setting(r)
    assert not any(p.command.startswith("ethtool -C") for p in r.proposals)
    assert any(n.startswith("interrupt coalescing: the driver does not support interrupt coalescing settings")
               for n in r.notes)
    text = tune_to_text(r, s)
    assert "interrupt coalescing             not supported by the driver\n" in text
    assert "rings                            rx 256 (max 256), tx 256 (max 256)\n" in text
    assert f"  - {NOTE_COALESCE_UNSUPPORTED}\n" in text


def test_speed_file_errors(tmp_path):
    net = tmp_path / "sys" / "class" / "net" / "eth0"
    (net / "speed").mkdir(parents=True)  # unreadable as a file
    (net / "mtu").write_text("9000\n")
    (net / "tx_queue_len").write_bytes(b"\xff\xfe\x00\x01")  # binary garbage
    s = read_settings("eth0", root=str(tmp_path))
    assert s.speed_mbps is None and s.tx_queue_len is None and s.mtu == 9000
    assert f"{net}/speed: unreadable (Is a directory)" in s.problems
    assert any(p.startswith(f"{net}/tx_queue_len: ") and p.endswith("is not a whole number >= 0") for p in s.problems)
    # A propose() over such a tree still works and shows every problem.
    r = propose(s, None, None, "eth0")
    assert r.problems == s.problems and len(r.problems) == 11


def test_render_text_layout(tune_dir):
    s = read_settings("eth0", root=str(tune_dir / "broken"))
    r = propose(s, None, 2, "eth0")
    text = tune_to_text(r, s)
    lines = text.splitlines()
    assert lines[0] == f"Current settings of eth0 (read from {tune_dir / 'broken'})"
    assert "  mtu                              unknown" in lines
    assert "  net.core.netdev_max_backlog      1000" in lines
    assert "  net.ipv4.tcp_mem (pages)         92796 123729 185592" in lines
    assert "  interrupt coalescing             not read" in lines
    target = ("Target: 1000 Mb/s over a 2 ms round trip: bandwidth-delay product 250000 bytes; "
              "socket buffers should reach 2×BDP = 500000 bytes")
    assert target in lines
    # Sections in order: settings, target, proposals, assumptions, notes, problems.
    order = [lines.index(x) for x in ("Current settings of eth0 (read from " + str(tune_dir / "broken") + ")",
                                      target, "Proposals (6; nothing has been changed):",
                                      "Assumptions:", "Notes:", "Problems:")]
    assert order == sorted(order)
    assert [p.setting for p in r.proposals] == ["net.core.rmem_max", "net.core.wmem_max", "net.ipv4.tcp_rmem",
                                                "net.ipv4.tcp_wmem", "txqueuelen", "net.core.netdev_max_backlog"]
    assert "net.core.rmem_max: unknown → 524288" in lines
    assert "txqueuelen (optional): unknown → 2000" in lines
    assert "  $ sysctl -w net.ipv4.tcp_rmem='4096 131072 524288'" in lines
    assert f"  - {tune_dir / 'broken'}/sys/class/net/eth0/mtu: 'fifteen hundred' is not a whole number >= 1" in lines
    assert "  - the driver reports no link speed (speed = -1); virtual NICs usually do not" in lines
    d = tune_to_dict(r, s)
    assert d["settings"]["mtu"] is None and d["settings"]["netdev_max_backlog"] == 1000
    assert len(d["settings"]["problems"]) == 9 and d["problems"] == d["settings"]["problems"]
    assert [p["setting"] for p in d["proposals"]] == [p.setting for p in r.proposals]


# --- this machine ----------------------------------------------------------------------------


def _cat(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


@pytest.mark.skipif(not os.path.isdir("/sys/class/net/eth0"), reason="no eth0 on this host")
def test_real_eth0():
    s = read_settings("eth0")
    assert s.mtu == int(_cat("/sys/class/net/eth0/mtu"))
    assert s.tx_queue_len == int(_cat("/sys/class/net/eth0/tx_queue_len"))
    raw_speed = int(_cat("/sys/class/net/eth0/speed")) if os.access("/sys/class/net/eth0/speed", os.R_OK) else -1
    assert s.speed_mbps == (raw_speed if raw_speed > 0 else None)
    assert s.rmem_max == int(_cat("/proc/sys/net/core/rmem_max"))
    assert s.wmem_max == int(_cat("/proc/sys/net/core/wmem_max"))
    assert s.netdev_max_backlog == int(_cat("/proc/sys/net/core/netdev_max_backlog"))
    assert s.tcp_rmem == tuple(int(x) for x in _cat("/proc/sys/net/ipv4/tcp_rmem").split())
    assert s.tcp_wmem == tuple(int(x) for x in _cat("/proc/sys/net/ipv4/tcp_wmem").split())
    assert s.tcp_window_scaling is (_cat("/proc/sys/net/ipv4/tcp_window_scaling") == "1")
    assert s.tcp_available_congestion_control == _cat("/proc/sys/net/ipv4/tcp_available_congestion_control").split()
    assert s.problems == []
    assert s.tcp_congestion_control == _cat("/proc/sys/net/ipv4/tcp_congestion_control")
    assert s.tcp_congestion_control in s.tcp_available_congestion_control
    link = "/sys/class/net/eth0/device/driver"
    if os.path.islink(link):
        assert s.driver == os.path.basename(os.readlink(link))
    exe = shutil.which("ethtool", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if exe is None:
        assert NOTE_NO_ETHTOOL in s.notes
    else:
        p = subprocess.run([exe, "-c", "eth0"], capture_output=True, text=True)
        if "Operation not supported" in p.stdout + p.stderr:
            assert s.coalesce is None and s.coalesce_supported is False
            assert NOTE_COALESCE_UNSUPPORTED in s.notes
        else:
            assert s.coalesce == parse_ethtool_coalesce(p.stdout) and "rx-usecs" in s.coalesce
            assert s.coalesce_supported is True
        g = subprocess.run([exe, "-g", "eth0"], capture_output=True, text=True)
        if g.returncode == 0:
            assert s.rings == parse_ethtool_rings(g.stdout)
    r = propose(s, None, None, "eth0")
    assert r.rate_mbps == (s.speed_mbps or 1000) and r.rtt_ms == 1
    assert r.bdp_bytes == bdp_bytes(r.rate_mbps, 1.0)
    for pr in r.proposals:  # never a cut
        if isinstance(pr.current, int) and isinstance(pr.proposed, int):
            assert pr.proposed > pr.current, pr
    d = json.loads(json.dumps(tune_to_dict(r, s)))
    assert d["settings"]["mtu"] == s.mtu and d["settings"]["rmem_max"] == s.rmem_max
    assert tune_to_text(r, s).startswith("Current settings of eth0\n")


@pytest.mark.skipif(not os.path.isdir("/sys/class/net/eth0"), reason="no eth0 on this host")
def test_real_eth0_with_unsupported_ethtool(tmp_path, tune_dir):
    fake = fake_ethtool(tmp_path, "netlink error: Operation not supported\n",
                        "netlink error: Operation not supported\n", c_rc=1, g_rc=1)
    s = read_settings("eth0", root="/", ethtool=fake)
    assert s.coalesce_supported is False and s.rings_supported is False
    assert NOTE_COALESCE_UNSUPPORTED in s.notes and NOTE_RINGS_UNSUPPORTED in s.notes
    s = read_settings("eth0", root="/", ethtool="/nonexistent/ethtool")
    assert "ethtool is not installed" in s.notes and s.coalesce is None and s.rings is None
    r = propose(s, None, None, "eth0")
    assert "interrupt coalescing not read (ethtool not run or not installed)" in r.notes
    assert "rx-usecs" not in by_setting(r)
