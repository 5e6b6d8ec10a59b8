"""Wireless drivers. Lines with an ``ieee80211 phyN:`` subject carry no device: the reader
ties them to the wireless device probed just before, or to the one device of the driver.

- iwlwifi: ``Detected <name>, REV=0x%X`` (mvm/ops.c up to 6.10, dvm/main.c in every
  version; iwl4965 the same); from 2023-04 ``PCI dev %04x/%04x, rev=0x%x, rfid=0x%x`` then
  ``Detected <name>``; ``Detected RF <name>, rfid=0x%x``; ``loaded firmware version %s
  op_mode %s``; ``no suitable firmware found!`` and ``<prefix>-%d is required``. REV is the
  CSR hardware revision (log_ids ``hw-rev``), rfid the radio (``rf-id``).
- ath9k (hw.c 3370/3376, 5.10-7.2): ``Atheros AR<name> Rev:%x mem=...`` or ``Atheros
  AR<name> MAC/BB Rev:%x AR<rf> RF Rev:%x ...`` (AR5416/5418/9160) on an ``ieee80211
  phyN:`` line; log_ids ``mac-rev`` = the AR digits and the Rev as two hex digits.
- ath5k (base.c 2670): ``ath5k: phyN: Atheros AR%s chip found (MAC: 0x%x, PHY: 0x%x)``.
- ath10k_pci (debug.c 51): ``<name> hw<v> target 0x%08x chip_id 0x%08x sub %04x:%04x``;
  ath11k_pci: ``<name> hw<v>`` (core.c) and ``chip_id 0x%x chip_family 0x%x board_id 0x%x
  soc_id 0x%x`` (qmi.c).
- mt76 (mt7921e, mt7925e, mt7603e, mt76x0e, mt76x2e): ``ASIC revision: %04x``.
- rt2x00: rt2800pci ``rt2x00_set_rt: Info - RT chipset %04x, rev %04x detected`` and
  ``rt2x00_set_rf: Info - RF chipset %04x detected``; rt61pci, rt2500pci, rt2400pci
  ``rt2x00_set_chip: Info - Chipset detected - rt: %04x, rf: %04x, rev: %04x``.
- rtlwifi: ``rtl8192ce: Chip Version ID: <name>``; rtw88/rtw89: firmware versions only.
"""

from __future__ import annotations

from nicdb.kernellog.registry import hexval, register

IWL = ("iwlwifi", "iwl4965", "iwl3945", "iwlagn")


def _iwl_detected(m):
    facts = [("chip", m["name"].strip())]
    if m["rev"]:
        facts.append(("hw-rev", hexval(m["rev"])))
    return facts


register(IWL, "Detected ", r"^Detected (?!RF |crf-id)(?P<name>[^,]+?)(?:, REV=0x(?P<rev>[0-9A-Fa-f]+))?\s*$",
         _iwl_detected)
register(IWL, "rev=0x", r"^PCI dev [0-9a-f]{4}/[0-9a-f]{4}, rev=0x(?P<rev>[0-9a-fA-F]+), rfid=0x(?P<rf>[0-9a-fA-F]+)",
         lambda m: [("hw-rev", hexval(m["rev"])), ("rf-id", hexval(m["rf"]))])
register(IWL, "Detected RF ", r"^Detected RF (?P<rf>.+?), rfid=0x(?P<id>[0-9a-fA-F]+)",
         lambda m: [("radio", m["rf"]), ("rf-id", hexval(m["id"]))])
register(IWL, "loaded firmware version", r"loaded firmware version (?P<v>\S+ \S+)",
         lambda m: [("firmware-loaded", m["v"])])
register(IWL, " is required", r"^(?P<f>iwlwifi-\S+) is required", lambda m: [("firmware-missing", m["f"] + ".ucode")])


def _ath9k(m):
    name, rev = m["name"], int(m["rev"], 16)
    facts = [("chip", f"AR{name}")]
    if name.isdigit() or not name.strip("0123456789abcdef"):
        facts.append(("mac-rev", f"{name.lower()}{rev:02x}"))
    if m["rf"]:
        facts.append(("radio", f"AR{m['rf']} RF Rev:{m['rfrev']}"))
    return facts


register(("ieee80211", "ath9k"), "Atheros AR", r"Atheros AR(?P<name>\w+) (?:MAC/BB )?Rev:(?P<rev>[0-9a-fA-F]+)"
         r"(?: AR(?P<rf>\w+) RF Rev:(?P<rfrev>[0-9a-fA-F]+))?", _ath9k, driver="ath9k")
register("ath5k", "chip found", r"Atheros AR(?P<name>\w+) chip found \(MAC: 0x(?P<mac>[0-9a-f]+), PHY: 0x(?P<phy>[0-9a-f]+)\)",
         lambda m: [("chip", f"AR{m['name']}"), ("mac-srev", m["mac"]), ("phy-srev", m["phy"])])
register("ath10k_pci", " target 0x", r"^(?P<name>\S+ hw[\d.]+) target 0x(?P<t>[0-9a-f]{8}) chip_id 0x(?P<c>[0-9a-f]{8})",
         lambda m: [("chip", m["name"]), ("target-version", m["t"]), ("chip-id-rev", m["c"])])
register("ath11k_pci", " hw", r"^(?P<name>[a-z]+\d+ hw[\d.]+)$", lambda m: [("chip", m["name"])])
register("ath11k_pci", "soc_id 0x", r"soc_id 0x(?P<s>[0-9a-fA-F]+)", lambda m: [("soc-id", hexval(m["s"]))])
register(("mt7921e", "mt7925e", "mt7603e", "mt76x0e", "mt76x2e"), "ASIC revision: ",
         r"^ASIC revision: (?P<r>[0-9a-fA-F]+)", lambda m: [("asic-rev", hexval(m["r"]))])

RT2X00 = ("ieee80211", "rt2800pci", "rt61pci", "rt2500pci", "rt2400pci")
register(RT2X00, "RT chipset ", r"RT chipset (?P<rt>[0-9a-f]{4}), rev (?P<rev>[0-9a-f]{4}) detected",
         lambda m: [("chip", f"RT{m['rt']}"), ("rt-chipset", m["rt"] + m["rev"])], driver="rt2800pci")
register(RT2X00, "RF chipset ", r"RF chipset (?P<rf>[0-9a-f]{4}) detected", lambda m: [("rf", m["rf"])],
         driver="rt2800pci")
register(RT2X00, "Chipset detected - rt: ", r"Chipset detected - rt: (?P<rt>[0-9a-f]{4}), rf: (?P<rf>[0-9a-f]{4}), "
         r"rev: (?P<rev>[0-9a-f]{4,8})", lambda m: [("chip", f"RT{m['rt']}"), ("rt-chipset", m["rt"] + m["rev"][-4:]),
                                                    ("rf", m["rf"])], driver="rt61pci")
register(("rtl8192ce", "rtl8192se", "rtl8192de", "rtl8723ae", "rtl8188ee", "rtl8723be", "rtl8821ae", "rtl8192ee"),
         "Chip Version ID", r"Chip Version ID: (?P<v>\S+)", lambda m: [("chip-cut", m["v"])])
register(("rtw_8821ce", "rtw_8822ce", "rtw_8822be", "rtw_8723de", "rtw_8814ae", "rtw_8821ae"), "Firmware version ",
         r"^(?:WOW )?Firmware version (?P<v>[\d.]+), H2C version (?P<h>\d+)", lambda m: [("firmware-version", m["v"])])
register(("rtw89_8852ae", "rtw89_8852be", "rtw89_8852ce", "rtw89_8851be", "rtw89_8922ae"), "loaded firmware ",
         r"^loaded firmware (?P<f>rtw89/\S+)", lambda m: [("firmware-loaded", m["f"])])
