"""The name-source chain: pci.ids when installed, nicdb's own transcribed names otherwise."""

import json

from nicdb.names import pciids


def test_names_without_any_pci_ids(run, monkeypatch, tmp_path, shared_datadir):
    monkeypatch.setenv("NICDB_PCI_IDS", "none")
    monkeypatch.setenv("NICDB_DB", str(tmp_path / "db.sqlite"))
    r = run("identify", "--sysfs", str(shared_datadir / "sysfs" / "virtio"), "--json")
    assert r.code == 0, r.err
    nic = json.loads(r.out)["nics"][0]
    assert nic["vendor"]["name"] == "Red Hat, Inc."
    assert nic["device"]["name"] == "Virtio 1.0 network device"
    doc = json.loads(run("chip", "1106:3119", "--json").out)
    assert doc["device"]["name"] == "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter"
    assert "no pci.ids found" in r.err  # said once, as a warning, while building


def test_pci_ids_parser_shapes():
    text = ("# Version: 2099.01.02\n1106  VIA Technologies, Inc.\n\t3119  VT6120/VT6121/VT6122 Gigabit\n"
            "\t\t1106 0110  VT6122 board\nC 02  Network controller\n\t00  Ethernet controller\n\t\t01  odd if\n")
    recs = list(pciids.parse(text))
    assert pciids.read_version(text) == "2099.01.02"
    assert [(r.kind, r.key) for r in recs] == [("vendor", (0x1106,)), ("device", (0x1106, 0x3119)),
                                               ("subsystem", (0x1106, 0x3119, 0x1106, 0x0110)),
                                               ("class", (0x020000,)), ("subclass", (0x020000,)), ("progif", (0x020001,))]


def test_pci_ids_parser_can_pass_over_malformed_lines_and_what_is_below_them():
    """Old pci.ids snapshots (read by scripts/transcribe_name_history.py) carry a few broken
    lines: strict parsing refuses them, lenient parsing skips each with its children."""
    import pytest

    from nicdb.errors import InputError

    text = ("1106  VIA Technologies, Inc.\n\t3119  VT6122\n\t31x9  broken device\n\t\t1106 0110  under it\n"
            "\\n  :03e5 leftover\n\t03e5  MCP61 Ethernet\n10de  NVIDIA\n\t0057  CK804 Ethernet\n"
            "C 0x  broken class\n\t00  under it\nC 02  Network controller\n\t0g  bad\n\t\t01  under it\n"
            "\t00  Ethernet controller\n")
    with pytest.raises(InputError, match="line 3: malformed device line"):
        list(pciids.parse(text))
    got = [(r.kind, r.key, r.name) for r in pciids.parse(text, strict=False)]
    assert got == [("vendor", (0x1106,), "VIA Technologies, Inc."), ("device", (0x1106, 0x3119), "VT6122"),
                   ("vendor", (0x10DE,), "NVIDIA"), ("device", (0x10DE, 0x0057), "CK804 Ethernet"),
                   ("class", (0x020000,), "Network controller"), ("subclass", (0x020000,), "Ethernet controller")]


def test_class_name_is_the_subclass_as_lspci_prints_it(kb):
    if kb.meta().get("pci_ids_version") == "":
        import pytest

        pytest.skip("no pci.ids on this machine")
    assert kb.class_name(0x020000) == "Ethernet controller"
    assert kb.class_name(0x028000) == "Network controller"
    assert kb.class_name(0x02FF00) == "Network controller"  # unknown subclass: the class name
