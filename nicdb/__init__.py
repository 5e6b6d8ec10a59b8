"""nicdb: identify PCI network chips down to the revision ID and advise on drivers.

The public Python API lives in the submodules:

- :mod:`nicdb.inputs`  -- read devices from a live system, a sysfs tree, lspci text,
  config-space dumps or nicdb's own JSON; every back end yields :class:`nicdb.model.PciDevice`.
- :mod:`nicdb.kb`      -- the knowledge base: build it from ``data/`` and query it.
- :mod:`nicdb.advice`  -- pure functions that turn a device plus knowledge into advice.
- :mod:`nicdb.render`  -- presenters (plain text, rich tables, JSON).
"""

__version__ = "0.2.0"
