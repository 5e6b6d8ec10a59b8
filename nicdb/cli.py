"""The nicdb command line: a thin click layer over the library.

Each command lives in its own module under :mod:`nicdb.commands`, imported only when
that command runs, so ``nicdb identify`` pays for no other command's options, and
heavy modules (rich, sqlite-utils) are imported only by the code that needs them.
Every error a user can cause ends as one line on stderr and exit status 2.
"""

from __future__ import annotations

import errno
import os
import sys

import click

from nicdb import __version__
from nicdb.errors import NicdbError

# errno values of a write to standard output that failed for reasons outside nicdb
_OUTPUT_ERRNOS = frozenset(getattr(errno, n) for n in ("ENOSPC", "EIO", "EDQUOT", "EFBIG") if hasattr(errno, n))

# command name -> module under nicdb.commands defining a click command of that name
COMMANDS = {
    "chip": "chip",
    "db": "db",
    "driver": "driver",
    "evidence": "evidence",
    "export": "export",
    "families": "families",
    "identify": "identify",
    "search": "search",
    "snapshot": "snapshot",
    "suggest": "suggest",
    "sweep": "sweep",
    "tune": "tune",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        return getattr(__import__(f"nicdb.commands.{module}", fromlist=[cmd_name]), cmd_name)


class FilePath(click.ParamType):
    """A file's path; a folder is refused. (click.Path does the same, but looks up a
    translation of its name on every run: this is a one-shot command.)"""

    name = "file"

    def convert(self, value, param, ctx):
        if os.path.isdir(value):
            self.fail(f"{value!r} is a folder, not a file", param, ctx)
        return value


# Help and message texts given explicitly: click's defaults cost a gettext lookup each.
@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nicdb", help="Show the version and exit.",
                      message="%(prog)s, version %(version)s")
@click.option("--db", type=FilePath(), metavar="FILE", envvar="NICDB_DB",
              help="Database file (default: ~/.cache/nicdb/nicdb.sqlite; env NICDB_DB).")
@click.option("--pci-ids", type=FilePath(), metavar="FILE",
              help="pci.ids file to take names from (default: the system's; env NICDB_PCI_IDS).")
@click.pass_context
def cli(ctx: click.Context, db: str | None, pci_ids: str | None) -> None:
    """Identify PCI network chips down to the revision ID, and choose their driver
    and module parameters -- with the evidence behind every answer."""
    ctx.obj = {"db": db, "pci_ids": pci_ids}


def main(argv: list[str] | None = None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="nicdb", standalone_mode=False)
        if isinstance(rv, int) and not isinstance(rv, bool) and rv:
            sys.exit(rv)  # ctx.exit(N) comes back as a return value without standalone mode
    except NicdbError as e:
        from nicdb.commands.common import one_line

        click.echo(f"nicdb: error: {one_line(str(e))}", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:  # usage errors too: one line, like every other error
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if isinstance(e, click.UsageError) and ctx else ""
        click.echo(f"nicdb: error: {' '.join(e.format_message().split())}{hint}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("nicdb: aborted", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug in nicdb, not the user's input: still no traceback unless asked
        if isinstance(e, OSError) and e.errno in _OUTPUT_ERRNOS:
            # the output cannot be written (a full disk, a dead terminal): say so once, and
            # drop what is still buffered so exiting does not fail on it again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            click.echo(f"nicdb: error: cannot write the output: {e.strerror or e}", err=True)
            sys.exit(2)
        if os.environ.get("NICDB_DEBUG"):
            raise
        click.echo(f"nicdb: internal error: {type(e).__name__}: {e} (run with NICDB_DEBUG=1 for details, "
                   "and please report it)", err=True)
        sys.exit(70)
    sys.exit(0)
