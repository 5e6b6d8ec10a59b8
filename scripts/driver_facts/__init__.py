"""Driver facts from Debian's kernel and firmware packages (scripts/gen_driver_facts.py).

One concern per module: ``deb`` reads .deb files, ``modinfo`` reads a module's ELF
.modinfo section, ``kernel`` picks the network drivers of a kernel series, ``firmware``
maps declared firmware names to the packages that ship them, ``apt`` chooses and
downloads the packages, ``tables`` and ``provenance`` write the output, ``run`` ties
them together. Standard library only.
"""
