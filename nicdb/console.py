"""The ``nicdb`` command as installed (``nicdb = nicdb.console:main``) and ``python -m nicdb``.

A run of nicdb is one short process, and the interpreter's housekeeping costs it time
that the answer does not need:

* the cyclic garbage collector is switched off before click and the rest are imported,
  saving its passes over every object those imports create. Reference counting still
  frees whatever is not part of a cycle; a fleet run (long, and reading without bound)
  switches it back on.
* at exit, once the command has finished and its output is flushed, the process ends
  at once (``os._exit``) instead of tearing down every module and object one by one.
  Every file nicdb writes (the database, the overlay, a snapshot) is closed before its
  command returns, and nicdb registers no exit handlers; the exit status is the
  command's (or 2 with a one-line error when the output cannot be written).

Together they take well over ten milliseconds off every command on a small machine.
:func:`nicdb.cli.main` itself leaves the collector and the exit alone, so a program or
test calling it in-process is unaffected.
"""

import errno
import gc
import os
import sys


def main() -> None:
    gc.disable()
    try:
        from nicdb.cli import main as run

        run()
        code = 0
    except SystemExit as e:
        code = e.code
    if code is not None and not isinstance(code, int):  # sys.exit("message"): as Python does it
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
    except OSError as e:  # a closed pipe, a full disk: what is left cannot be written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if e.errno != errno.EPIPE:
            sys.stderr.write(f"nicdb: error: cannot write the output: {e.strerror or e}\n")
            code = 2
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code or 0)
