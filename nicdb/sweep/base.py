"""The interface every kind of setting implements, and running its commands.

A :class:`Knob` reads the current value, says the exact commands that would apply a value
(for ``--dry-run`` and for the record), applies it, and restores the original. Commands
are argument lists run without a shell; a command that fails raises :class:`StepError`
with one line saying what failed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

from nicdb.advice.evidence import fmt_value
from nicdb.errors import NicdbError


class StepError(NicdbError):
    """A step of a sweep failed (a command refused a value, the link did not come back,
    the peer did not answer); the runner restores the original value and says both."""


def find_tool(name: str) -> str | None:
    """``name`` on PATH, or in /usr/sbin and /sbin, which an ordinary PATH often lacks."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def shown(argv: list[str]) -> str:
    """A command as a user would type it."""
    return " ".join(shlex.quote(a) for a in argv)


def run(argv: list[str], *, timeout: float = 60.0, what: str | None = None) -> str:
    """Run ``argv``; its standard output, or StepError with the command's last words."""
    exe = find_tool(argv[0])
    if exe is None:
        raise StepError(f"{argv[0]} is not installed (needed for: {shown(argv)})")
    try:
        p = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, errors="replace", timeout=timeout,
                           env=dict(os.environ, LC_ALL="C"), check=False)
    except subprocess.TimeoutExpired:
        raise StepError(f"{what or shown(argv)}: no answer within {timeout:g} s") from None
    except OSError as e:
        raise StepError(f"{what or shown(argv)}: could not run ({e.strerror or e})") from None
    if p.returncode != 0:
        said = (p.stderr.strip() or p.stdout.strip()).splitlines()
        raise StepError(f"{what or shown(argv)} failed: {said[-1].strip() if said else f'exit status {p.returncode}'}")
    return p.stdout


# A value as the commands take it (a list of numbers space-separated), as tables show it.
value_text = fmt_value


class Knob:
    """One setting on one interface. Subclasses set ``kind`` and implement :meth:`read`
    and :meth:`commands`; ``disrupts_link`` is True when applying a value takes the link
    down (a module reload, an MTU change on some drivers), so the runner waits for it."""

    kind = ""
    disrupts_link = False

    def __init__(self, setting, iface: str):
        self.setting, self.iface = setting, iface

    @property
    def name(self) -> str:
        return self.setting.text

    def read(self):
        """The value in force now (None when it cannot be read)."""
        raise NotImplementedError

    def check(self, value) -> None:
        """Refuse (InputError) a value this setting can never take, before anything changes."""

    def commands(self, value) -> list[list[str]]:
        """The exact commands that set ``value``."""
        raise NotImplementedError

    def restore_commands(self, original) -> list[list[str]]:
        """The exact commands that put the original value back."""
        return self.commands(original)

    def apply(self, value) -> None:
        for argv in self.commands(value):
            run(argv, what=f"setting {self.name}={value_text(value)} ({shown(argv)})")

    def restore(self, original) -> None:
        for argv in self.restore_commands(original):
            run(argv, what=f"restoring {self.name}={value_text(original)} ({shown(argv)})")

    def describe(self, value) -> str:
        """The original value as the final message names it."""
        return value_text(value)
