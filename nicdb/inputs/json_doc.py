"""Reading nicdb's own ``--json`` output back (round trip): a document, or JSON lines
(one document per host, as ``identify --from DIR --json`` writes, or one NIC per line,
as ``identify --jsonl`` writes)."""

from __future__ import annotations

import json

from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source
from nicdb.model import LogFact, NetInterface, PciDevice, PciLink, PciX


def _hex(v, what: str, where: str, bits: int = 16) -> int | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise InputError(f"{where}: {what} must be a hex string, not {type(v).__name__}")
    try:
        n = int(v, 16)
    except ValueError:
        raise InputError(f"{where}: {what} {v[:20]!r} is not hex") from None
    if n < 0 or n >= 1 << bits:
        raise InputError(f"{where}: {what} {v[:20]!r} is out of range")
    return n


def _str(v) -> str | None:
    """A name or other text field: a string, or nothing (a wrong type is ignored, not passed on)."""
    return v if isinstance(v, str) else None


def _num(v, what: str, where: str):
    if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return v
    raise InputError(f"{where}: {what} must be a number")


def _nic(n: dict, where: str) -> PciDevice:
    if not isinstance(n, dict):
        raise InputError(f"{where}: a NIC entry must be an object")

    def sub(key: str) -> dict:
        v = n.get(key) or {}
        if not isinstance(v, dict):
            raise InputError(f"{where}: {key} must be an object")
        return v

    vendor, device, subsys, klass = sub("vendor"), sub("device"), sub("subsystem"), sub("class")
    slot = n.get("slot")
    if not isinstance(slot, str) or not slot:
        raise InputError(f"{where}: missing slot")
    dev = PciDevice(
        slot=slot,
        vendor=_hex(vendor.get("id"), "vendor.id", where),
        device=_hex(device.get("id"), "device.id", where),
        subsystem_vendor=_hex(subsys.get("vendor"), "subsystem.vendor", where),
        subsystem_device=_hex(subsys.get("device"), "subsystem.device", where),
        revision=_hex(n.get("revision"), "revision", where, bits=8),
        class_code=_hex(klass.get("code"), "class.code", where, bits=24),
        driver=n.get("driver_in_use") if isinstance(n.get("driver_in_use"), str) else None,
        vendor_name=_str(vendor.get("name")), device_name=_str(device.get("name")),
        subsystem_name=_str(subsys.get("name")), class_name=_str(klass.get("name")),
        is_pcie=n.get("pcie") if isinstance(n.get("pcie"), bool) else None,
        origin=where,
    )
    mods = n.get("kernel_modules") or []
    dev.modules = [m for m in mods if isinstance(m, str)] if isinstance(mods, list) else []
    up = n.get("upstream") or []
    dev.upstream = [u for u in up if isinstance(u, str)] if isinstance(up, list) else []
    link = n.get("link")
    if isinstance(link, dict):
        dev.link = PciLink(_num(link.get("speed_gts"), "link.speed_gts", where), _num(link.get("width"), "link.width", where),
                           _num(link.get("max_speed_gts"), "link.max_speed_gts", where),
                           _num(link.get("max_width"), "link.max_width", where))
    for f in n.get("log") or [] if isinstance(n.get("log"), list) else []:
        if isinstance(f, dict) and all(isinstance(f.get(k), str) for k in ("driver", "kind", "value")):
            dev.log.append(LogFact(f["driver"], f["kind"], f["value"], _str(f.get("line")) or "",
                                   f["lineno"] if type(f.get("lineno")) is int else 0, _str(f.get("tie")) or "slot"))
    bus = n.get("pci_bus")
    if isinstance(bus, dict):
        dev.cap_66mhz = bus.get("cap_66mhz") if isinstance(bus.get("cap_66mhz"), bool) else None
        dev.sec_66mhz = bus.get("secondary_66mhz") if isinstance(bus.get("secondary_66mhz"), bool) else None
        dev.secondary_bus = _hex(bus.get("secondary_bus"), "pci_bus.secondary_bus", where, bits=8)
        px = bus.get("pcix")
        if isinstance(px, dict):
            ints = [px.get(k) if type(px.get(k)) is int else None for k in ("width_bits", "max_mhz", "bus_mhz")]
            dev.pcix = PciX(px.get("bridge") is True, *ints)
    for ident in n.get("candidate_ids") or [] if isinstance(n.get("candidate_ids"), list) else []:
        if isinstance(ident, str) and len(ident) == 9 and ident[4] == ":":
            dev.candidate_ids.append((_hex(ident[:4], "candidate_ids", where), _hex(ident[5:], "candidate_ids", where)))
    ifaces = n.get("interfaces") or []
    if not isinstance(ifaces, list):
        raise InputError(f"{where}: interfaces must be a list")
    for i in ifaces:
        if not isinstance(i, dict) or not isinstance(i.get("name"), str):
            raise InputError(f"{where}: an interface needs a name")
        dev.interfaces.append(NetInterface(i["name"], _str(i.get("driver")), _str(i.get("mac")),
                                           _num(i.get("mtu"), "mtu", where),
                                           _num(i.get("speed_mbps"), "speed_mbps", where), _str(i.get("operstate")),
                                           _num(i.get("tx_queue_len"), "tx_queue_len", where)))
    return dev


def parse_document(doc, origin: str) -> list[PciDevice]:
    if not isinstance(doc, dict) or not isinstance(doc.get("nics"), list):
        raise InputError(f"{origin}: not a nicdb JSON document (no \"nics\" list)")
    return [_nic(n, f"{origin}: nics[{i}]") for i, n in enumerate(doc["nics"])]


def parse_json_text(text: str, origin: str) -> list[PciDevice]:
    """A whole document, or JSON lines of documents (all their NICs, in order)."""
    try:
        return parse_document(json.loads(text), origin)
    except RecursionError:
        raise InputError(f"{origin}: JSON nested too deeply") from None
    except json.JSONDecodeError as first:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) <= 1:
            raise InputError(f"{origin}: not valid JSON ({first.msg} at line {first.lineno})") from None
    except ValueError:  # json.loads refuses integers of more than 4300 digits with a plain ValueError
        raise InputError(f"{origin}: not valid JSON (a number is too long)") from None
    out: list[PciDevice] = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{origin}:{no}: not valid JSON ({e.msg})") from None
        except ValueError:
            raise InputError(f"{origin}:{no}: not valid JSON (a number is too long)") from None
        except RecursionError:
            raise InputError(f"{origin}:{no}: JSON nested too deeply") from None
        if isinstance(doc, dict) and "nics" not in doc:
            if "nic" in doc:  # a line of `identify --jsonl`
                out.append(_nic(doc["nic"], f"{origin}:{no}: nic"))
                continue
            if "summary" in doc or "error" in doc:
                continue  # the fleet summary of `--json`, a host `--jsonl` could not read
        out += parse_document(doc, f"{origin}:{no}")
    return out


_DOC_KEYS = ("nics", "devices", "nic")


def _is_document(doc) -> bool:
    if isinstance(doc, dict):
        return any(k in doc for k in _DOC_KEYS)
    if isinstance(doc, list):
        return bool(doc) and all(isinstance(d, dict) and any(k in d for k in _DOC_KEYS) for d in doc)
    return False


def _json_problem(text: str) -> str | None:
    """None when ``text`` is nicdb JSON, else what is wrong with it as JSON."""
    import json

    try:
        doc = json.loads(text)
    except RecursionError:
        return "JSON nested too deeply"
    except json.JSONDecodeError as e:
        whole = f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 2:
            return whole
        # JSON lines, one document per host or one NIC per line; the fleet summary line
        # and the lines of hosts that could not be read are no host
        for ln in lines:
            try:
                doc = json.loads(ln)
            except (ValueError, RecursionError):
                return whole
            if _is_document(doc):
                return None
            if not (isinstance(doc, dict) and ("summary" in doc or "error" in doc)):
                return whole
        return None
    except ValueError:  # json refuses integers of more than 4300 digits with a plain ValueError
        return "not valid JSON (a number is too long)"
    if _is_document(doc):
        return None
    return "JSON, but not a nicdb document (no \"nics\" or \"devices\" key)"


NAME = "json_doc"
SHAPE = "text"


def _looks_like_json(src: Source) -> bool:
    return src.text.lstrip()[:1] in ("{", "[")


def detect(src: Source) -> bool:
    """A nicdb document, a list of them, or JSON lines of them."""
    return _looks_like_json(src) and _json_problem(src.text) is None


def near_miss(src: Source) -> str | None:
    """What is wrong with a text that starts like JSON but is not a nicdb document."""
    return _json_problem(src.text) if _looks_like_json(src) else None


def read(src: Source, nics_only: bool = False) -> Reading:
    return Reading(parse_json_text(src.text, src.label), src.label, method=NAME)
