"""The ``nicdb`` command as installed (``nicdb = nicdb.console:main``) and ``python -m nicdb``.

A run of nicdb is one short process: the cyclic garbage collector is switched off before
click and the rest are imported, which saves its passes over every object those imports
create (several milliseconds of a command that must answer at once). Reference counting
still frees everything that is not part of a cycle, and a fleet run (long, and reading
without bound) switches it back on. :func:`nicdb.cli.main` itself leaves the collector
alone, so a program or test calling it in-process is unaffected.
"""

import gc


def main() -> None:
    gc.disable()
    from nicdb.cli import main as run

    run()
