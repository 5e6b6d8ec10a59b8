"""Access methods: interchangeable back ends that all yield :class:`nicdb.model.PciDevice`.

- :mod:`nicdb.inputs.udev`        -- the live system, enumerated with pyudev
- :mod:`nicdb.inputs.sysfs`       -- a sysfs-shaped directory (live /sys, a fixture, an unpacked snapshot)
- :mod:`nicdb.inputs.snapshot`    -- nicdb's own sysfs snapshot archives
- :mod:`nicdb.inputs.lspci_text`  -- pasted lspci output in every common shape
- :mod:`nicdb.inputs.lspci_hex`   -- lspci -x/-xxx/-xxxx config-space dumps
- :mod:`nicdb.inputs.json_doc`    -- nicdb's own --json output (round trip)
- :mod:`nicdb.inputs.detect`      -- picks the right text back end for a file
"""


def resolve_missing_ids(devices: list, lookup) -> None:
    """Name-only input (plain lspci): vendor, device and class IDs from the names, in place,
    before anything is looked up -- when some device lacks one (see
    :func:`nicdb.inputs.resolve_names.resolve_ids`; imported only then)."""
    if any(d.vendor is None or d.device is None or d.class_code is None for d in devices):
        from nicdb.inputs.resolve_names import resolve_ids

        resolve_ids(devices, lookup)
