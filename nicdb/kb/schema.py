"""The knowledge base's SQLite schema, declared once.

Every table the build writes is declared here with its columns, their SQLite types, a
primary key and indexes, and a sentence saying what a row means. :mod:`nicdb.kb.build`
creates the tables from these declarations (with sqlite-utils); the documentation of
the schema (``data/SCHEMA.md``) and the database browser's metadata are generated from
them, so the three cannot drift apart. The read path (:mod:`nicdb.kb.store`) does not
import this module.
"""

from __future__ import annotations


class Column:
    """A column: its name, SQLite type (as a Python type), a sentence saying what it holds,
    and the unit of its numbers where it has one (as Pint, and so Datasette, spells it)."""

    __slots__ = ("name", "type", "doc", "unit")

    def __init__(self, name: str, type_: type, doc: str, unit: str | None = None) -> None:
        self.name, self.type, self.doc, self.unit = name, type_, doc, unit


class Table:
    """A table: what a row means, its columns, key and indexes, and for the database
    browser (``nicdb db browse``) the columns to offer as facets and to search in full text."""

    __slots__ = ("name", "doc", "columns", "pk", "indexes", "group", "facets", "search")

    def __init__(self, name: str, doc: str, columns: list[Column], *, pk: tuple[str, ...] | None = None,
                 indexes: tuple[tuple[str, ...], ...] = (), group: str = "knowledge",
                 facets: tuple[str, ...] = (), search: tuple[str, ...] = ()) -> None:
        self.name, self.doc, self.columns = name, doc, columns
        self.pk, self.indexes, self.group = pk, indexes, group
        self.facets, self.search = facets, search

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def sqlite_columns(self) -> dict[str, type]:
        """``{column: python type}`` in order, as sqlite-utils' ``create`` takes them."""
        return {c.name: c.type for c in self.columns}


def _cited() -> list[Column]:
    return [
        Column("file", str, "the data file the row comes from (data/... or your overlay)"),
        Column("source_key", str, "key of the row's source in that file's [sources] (table sources)"),
        Column("confidence", str, "how sure the fact is: driver-source, vendor-source, bsd-source, pci-ids, "
                                  "datasheet, measured, seed-inferred, unverified or local"),
    ]


_REV = [Column("rev_lo", int, "lowest PCI revision ID of the range (0-255)"),
        Column("rev_hi", int, "highest PCI revision ID of the range (0-255)")]
_ID = [Column("vendor", int, "PCI vendor ID (an integer; 0x1106 is 4358)"),
       Column("device", int, "PCI device ID (an integer)")]

TABLES: tuple[Table, ...] = (
    Table("sources", "Every source a data file cites: what it is and where to find it.", [
        Column("file", str, "the data file that defines it"),
        Column("key", str, "its key in that file's [sources]"),
        Column("kind", str, "the kind of source (same words as confidence, plus seed)"),
        Column("title", str, "what the source is"),
        Column("ref", str, "where to find it: repository and path, URL, package"),
        Column("version", str, "kernel tag, driver version, package version or date"),
    ], pk=("file", "key"), facets=("kind", "file")),
    Table("families", "Chip families: chips that share a driver lineage (one data/families file each).", [
        Column("id", str, "the family's id (its file name)"),
        Column("name", str, "human name"),
        Column("line_rate_mbps", int, "line rate of the family's chips in Mb/s, unless a chip says otherwise",
               "Mbit/s"),
        Column("summary", str, "what distinguishes the family, in a sentence or two"),
        Column("file", str, "the data file"),
        Column("origin", str, "shipped (nicdb's data/) or local (your overlay)"),
    ], pk=("id",), facets=("origin",), search=("id", "name", "summary")),
    Table("chips", "Which chip a PCI vendor:device (and subsystem) is, per range of PCI revision IDs.", [
        Column("id", int, "row id (claims refer to it)"),
        Column("family", str, "the family id"),
        *_ID,
        Column("subvendor", int, "subsystem vendor ID the row is limited to (null: any)"),
        Column("subdevice", int, "subsystem device ID the row is limited to (null: any)"),
        *_REV,
        Column("chip", str, "the chip's name as the driver source calls it"),
        Column("products", str, "JSON list of product names sold with this chip"),
        Column("products_confidence", str, "confidence of the product names (may be lower than the chip's)"),
        Column("shares_id_with", str, "JSON list of other chips that report the same ID and revision "
                                      "(only the kernel log or a register tells them apart)"),
        Column("bus", str, "host bus: pci, pci-x, pcie, integrated or unknown"),
        Column("bus_width_bits", int, "conventional PCI/PCI-X bus width in bits, when fixed by the chip", "bit"),
        Column("bus_mhz", int, "conventional PCI/PCI-X clock in MHz, when fixed by the chip", "MHz"),
        Column("line_rate_mbps", int, "the chip's line rate in Mb/s", "Mbit/s"),
        Column("features", str, "JSON list of features that change at this revision boundary"),
        Column("firmware", str, "JSON list of firmware files this chip loads (relative to /lib/firmware)"),
        Column("notes", str, "what changes at this boundary, and why it matters"),
        Column("origin", str, "shipped or local"),
        *_cited(),
    ], pk=("id",), indexes=(("vendor", "device"),), facets=("family", "bus", "confidence", "origin"),
       search=("chip", "products", "family", "notes")),
    Table("claims", "What other sources say about a chip row, where they disagree or add detail.", [
        Column("chip_id", int, "the chips row"),
        Column("says", str, "the claim, in nicdb's words"),
        *_cited(),
    ], indexes=(("chip_id",),), facets=("confidence",), search=("says",)),
    Table("log_ids", "Chips a driver names in the kernel log by an identifier the PCI ID does not carry "
                     "(r8169's XID, tg3's ASIC revision, iwlwifi's hardware REV, ...).", [
        Column("family", str, "the family id"),
        Column("driver", str, "the driver whose kernel-log line carries the identifier"),
        Column("kind", str, "the identifier's kind (xid, asic-rev, hw-rev, chip-rev, mac-rev, ...)"),
        Column("value", int, "the identifier's value"),
        Column("mask", int, "bits of the logged value that are compared (null: all)"),
        Column("vendor", int, "PCI vendor ID the row is limited to (null: any the driver binds)"),
        Column("device", int, "PCI device ID the row is limited to (null: any)"),
        Column("chip", str, "the chip the identifier names"),
        Column("products", str, "JSON list of product names"),
        Column("firmware", str, "JSON list of firmware files the driver loads for this chip"),
        Column("line_rate_mbps", int, "the chip's line rate in Mb/s (null: the family's)", "Mbit/s"),
        Column("notes", str, "what nicdb knows about this chip"),
        *_cited(),
    ], indexes=(("driver", "kind"),), facets=("family", "driver", "kind", "confidence"),
       search=("chip", "products", "notes")),
    Table("bridges", "PCI bridges and chipset functions whose conventional PCI bus runs at a width and clock "
                     "fixed by the chip (a consumer chipset's PCI slots: 32-bit/33 MHz by its datasheet).", [
        *_ID,
        Column("name", str, "the bridge or chipset"),
        Column("role", str, "pci-bridge (its secondary bus is the PCI bus), south-bridge or host-bridge (a "
                            "chipset function on bus 0, whose PCI devices share bus 0)"),
        Column("bus_width_bits", int, "width of that PCI bus in bits", "bit"),
        Column("bus_mhz", int, "clock of that PCI bus in MHz", "MHz"),
        Column("notes", str, "what the datasheet says, in nicdb's words"),
        *_cited(),
    ], indexes=(("vendor", "device"),), facets=("role", "confidence"), search=("name", "notes")),
    Table("drivers", "Drivers nicdb has notes on: Linux in-tree, vendor and BSD drivers.", [
        Column("name", str, "the driver's name as the kernel reports it in use"),
        Column("module", str, "the module name (modules.alias spelling)"),
        Column("kind", str, "in-tree, vendor or bsd"),
        Column("os", str, "linux, freebsd, netbsd or openbsd"),
        Column("families", str, "JSON list of the family ids it drives"),
        Column("summary", str, "what the driver is"),
        Column("maintained", int, "1 when maintained, 0 when not, null when unknown"),
        Column("package", str, "distribution package that provides a vendor driver (e.g. a dkms package)"),
        Column("version", str, "the vendor driver's version nicdb's notes describe; its issues are judged "
                               "against it (empty: every issue is shown)"),
        Column("origin", str, "shipped or local"),
        *_cited(),
    ], pk=("name",), facets=("kind", "os", "maintained", "confidence"),
       search=("name", "module", "summary", "package")),
    Table("supports", "What a driver binds or refuses, per ID and revision range, on which kernels.", [
        Column("driver", str, "the driver"),
        *_ID,
        *_REV,
        Column("status", str, "supported, partial or refused"),
        Column("kernels", str, "versions where this holds (kernel versions for in-tree drivers)"),
        Column("reason", str, "why, for partial and refused"),
        *_cited(),
    ], indexes=(("vendor", "device"),), facets=("driver", "status", "confidence")),
    Table("params", "Module parameters nicdb has notes on.", [
        Column("driver", str, "the driver"),
        Column("name", str, "the parameter"),
        Column("type", str, "int, bool or string"),
        Column("array", int, "1 when it takes one value per card"),
        Column("min", int, "lowest accepted value"),
        Column("max", int, "highest accepted value"),
        Column("unit", str, "unit of the value"),
        Column("meaning", str, "what it controls, in nicdb's words"),
        Column("value_names", str, "JSON object: value -> what it means"),
        *_cited(),
    ], pk=("driver", "name"), facets=("driver", "type", "confidence"), search=("driver", "name", "meaning")),
    Table("param_defaults", "A parameter's default value, per driver version range.", [
        Column("driver", str, "the driver"),
        Column("param", str, "the parameter"),
        Column("versions", str, "versions with this default"),
        Column("value", str, "the default, as JSON"),
        *_cited(),
    ], indexes=(("driver", "param"),), facets=("driver", "param", "confidence")),
    Table("param_recommend", "nicdb's advice for a parameter, per revision range and kernel range.", [
        Column("driver", str, "the driver"),
        Column("param", str, "the parameter"),
        *_REV,
        Column("value", str, "the recommended value as JSON (null: leave the default)"),
        Column("why", str, "the reason"),
        Column("evidence", str, "JSON list of measurement set ids behind it"),
        Column("kernels", str, "kernels the advice is for"),
        *_cited(),
    ], indexes=(("driver", "param"),), facets=("driver", "param", "confidence")),
    Table("issues", "Known issues of a driver, with the versions affected and the fix.", [
        Column("driver", str, "the driver"),
        Column("id", str, "the issue's id within the driver"),
        Column("title", str, "one line"),
        Column("symptom", str, "what the user sees"),
        Column("affected", str, "versions affected (kernel versions for in-tree drivers)"),
        Column("fixed_in", str, "the first version with the fix"),
        Column("workaround", str, "what to do meanwhile"),
        Column("severity", str, "minor, major or critical"),
        Column("devices", str, "JSON list of vendor:device IDs the issue is limited to (empty: all)"),
        *_REV,
        *_cited(),
    ], indexes=(("driver",),), facets=("driver", "severity", "confidence"),
       search=("driver", "id", "title", "symptom", "workaround")),
    Table("measurement_sets", "Sets of throughput measurements: the seed's, and your own (imported or swept).", [
        Column("id", str, "the set's id"),
        Column("title", str, "what was measured"),
        Column("tool", str, "nuttcp, iperf3, ..."),
        Column("setting", str, "the setting the set varies, unless its rows say (MODULE.PARAM, a bare PARAM "
                               "of each row's driver, a sysctl, coalesce./ring./offload. for ethtool, mtu, "
                               "txqueuelen); null: none"),
        Column("vendor", int, "PCI vendor ID of the NIC under test (null: not a PCI NIC, e.g. a veth)"),
        Column("device", int, "PCI device ID of the NIC under test (null: not a PCI NIC)"),
        *_REV,
        Column("chip", str, "the chip, as the knowledge base named it when the set was made"),
        Column("board", str, "the machine"),
        Column("cpu", str, "its CPU"),
        Column("bus", str, "the NIC's host bus"),
        Column("line_rate_mbps", int, "the link speed or line rate of the NIC under test, Mb/s (null: unknown)",
               "Mbit/s"),
        Column("host", str, "host name of the machine under test"),
        Column("kernel", str, "its kernel release"),
        Column("iface", str, "the network interface measured"),
        Column("slot", str, "its PCI slot"),
        Column("peer", str, "the other end"),
        Column("date", str, "when the set was made (ISO 8601)"),
        Column("origin", str, "shipped or local"),
        *_cited(),
    ], pk=("id",), facets=("tool", "origin", "confidence"),
       search=("id", "title", "board", "cpu", "bus", "peer", "host")),
    Table("measurements", "One measurement: a driver, a setting's value, a direction, the throughput.", [
        Column("set_id", str, "the measurement set"),
        Column("driver", str, "the driver under test"),
        Column("driver_version", str, "its version (/sys/module/*/version or modinfo), when known"),
        Column("setting", str, "the setting varied (the set's, unless the row names one)"),
        Column("value", str, "the setting's value as JSON (null: the default, not set)"),
        Column("params", str, "JSON object: the driver's module parameters in force"),
        Column("mtu", int, "MTU in bytes", "byte"),
        Column("mss", int, "TCP maximum segment size in bytes", "byte"),
        Column("direction", str, "tx (the NIC under test sends) or rx (it receives)"),
        Column("mbps", float, "throughput in Mb/s (the median, when the run was repeated)", "Mbit/s"),
        Column("runs", str, "JSON list of each repeat's Mb/s (null: one run)"),
        Column("retransmits", int, "TCP retransmissions during the run (the median of the repeats)"),
        Column("cpu_local_pct", int, "CPU use on the machine under test, %", "percent"),
        Column("cpu_peer_pct", int, "CPU use on the peer, %", "percent"),
        Column("duration_s", float, "seconds each run lasted", "second"),
        Column("note", str, "remarks"),
        Column("where", str, "file and row the measurement comes from"),
    ], indexes=(("set_id",),), facets=("set_id", "driver", "setting", "direction", "mtu")),
    Table("kb_names", "PCI names for the IDs in nicdb's knowledge base (used without pci.ids).", [
        *_ID,
        Column("vendor_name", str, "the vendor's pci.ids name"),
        Column("name", str, "the device's pci.ids name"),
        *_cited(),
    ], indexes=(("vendor", "device"),), group="names", facets=("vendor_name", "confidence"),
       search=("vendor_name", "name")),
    Table("vendor_names", "Names other pci.ids versions gave network vendors (to read old or new lspci output).", [
        Column("vendor", int, "PCI vendor ID"),
        Column("name", str, "the name"),
        Column("seen", str, "the pci.ids snapshots that carry it"),
        *_cited(),
    ], indexes=(("name",),), group="names", search=("name",)),
    Table("device_names", "Names other pci.ids versions gave network devices.", [
        *_ID,
        Column("name", str, "the name"),
        Column("seen", str, "first and last pci.ids snapshot that carry it"),
        *_cited(),
    ], indexes=(("vendor", "name"),), group="names", search=("name",)),
    Table("pci_vendors", "Vendor names from the installed pci.ids.", [
        Column("vendor", int, "PCI vendor ID"),
        Column("name", str, "pci.ids name"),
    ], indexes=(("vendor",), ("name",)), group="pci.ids", search=("name",)),
    Table("pci_devices", "Device names from the installed pci.ids.", [
        *_ID,
        Column("name", str, "pci.ids name"),
    ], indexes=(("vendor", "device"), ("name",)), group="pci.ids", search=("name",)),
    Table("pci_subsystems", "Subsystem names from the installed pci.ids.", [
        *_ID,
        Column("subvendor", int, "subsystem vendor ID"),
        Column("subdevice", int, "subsystem device ID"),
        Column("name", str, "pci.ids name"),
    ], indexes=(("vendor", "device", "subvendor", "subdevice"),), group="pci.ids"),
    Table("pci_classes", "PCI class, subclass and programming-interface names from pci.ids.", [
        Column("code", int, "24-bit class code, lower levels zero-filled"),
        Column("level", int, "0 class, 1 subclass, 2 programming interface"),
        Column("name", str, "pci.ids name"),
    ], indexes=(("code",),), group="pci.ids"),
    Table("aliases", "PCI modalias patterns of Linux network drivers (modules.alias): the shipped driver "
                     "facts' (data/driver-facts/aliases.tsv, Debian kernels of several series) and the running "
                     "kernel's.", [
        Column("source", str, "shipped or running"),
        Column("vendor", str, "the pattern's literal vendor (8 hex digits) or *"),
        Column("device", str, "the pattern's literal device (8 hex digits) or *"),
        Column("pattern", str, "the modalias pattern, pci:v...d...sv...sd...bc...sc...i..."),
        Column("module", str, "the module it loads"),
        Column("series", str, "shipped: the kernel series whose module carries the alias, space-separated "
                              "(5.10 6.1 6.12 7.2); running: empty"),
        Column("carried", str, "series added by the built-in rule: a module built into a series whose "
                               "modules.builtin.modinfo lists no aliases keeps the aliases of the series "
                               "around it (empty: none)"),
    ], indexes=(("source", "vendor", "device"), ("module",)), group="modules", facets=("source", "module"),
       search=("module", "pattern")),
    Table("modules", "Linux PCI network driver modules in Debian's kernels, per kernel series "
                     "(data/driver-facts/modules.tsv).", [
        Column("module", str, "the module name (modules.alias spelling)"),
        Column("series", str, "the kernel series that have it, space-separated, ascending"),
        Column("path", str, "its path under lib/modules/<release>/ in the newest series that has it"),
    ], pk=("module",), group="driver-facts", search=("module", "path")),
    Table("module_params", "Parameters of those modules and their types, per kernel series "
                           "(data/driver-facts/params.tsv; a retyped parameter has a row per type).", [
        Column("module", str, "the module"),
        Column("name", str, "the parameter"),
        Column("type", str, "its type as modinfo's parmtype gives it: int, uint, bool, charp, array of int, ..."),
        Column("series", str, "the kernel series in which it has this type"),
    ], indexes=(("module",),), group="driver-facts", facets=("module", "type"), search=("module", "name")),
    Table("module_firmware", "Firmware names those modules declare (modinfo firmware=), per kernel series "
                             "(data/driver-facts/firmware.tsv).", [
        Column("module", str, "the module"),
        Column("name", str, "the firmware name, relative to /lib/firmware; may hold wildcards (* ? [..])"),
        Column("wildcard", int, "1 when the name holds wildcards (each matches within one path component)"),
        Column("series", str, "the kernel series whose module declares it"),
    ], indexes=(("module",), ("name",)), group="driver-facts", facets=("module", "wildcard"),
       search=("module", "name")),
    Table("firmware_files", "Firmware files Debian's firmware packages ship, per release, for the declared "
                            "names (data/driver-facts/firmware-packages.tsv).", [
        Column("file", str, "the file's path under /lib/firmware"),
        Column("release", str, "the Debian release (bullseye, bookworm, trixie, sid)"),
        Column("package", str, "the binary package that ships it"),
        Column("version", str, "that package's version"),
        Column("target", str, "for a symbolic link, the file it finally points to (also listed); else empty"),
    ], indexes=(("file",), ("package",)), group="driver-facts", facets=("release", "package"),
       search=("file", "package")),
    Table("fact_inputs", "The Debian packages the driver facts were read from "
                         "(data/driver-facts/PROVENANCE.toml).", [
        Column("kind", str, "kernel or firmware"),
        Column("series", str, "the kernel series (kernel packages)"),
        Column("release", str, "the Debian release"),
        Column("suite", str, "the archive suite it was taken from"),
        Column("package", str, "the package"),
        Column("version", str, "its version"),
    ], group="driver-facts", facets=("kind", "release")),
    Table("meta", "What the database was built from, and when.", [
        Column("key", str, "the item"),
        Column("value", str, "its value"),
    ], pk=("key",), group="build"),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
