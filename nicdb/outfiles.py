"""Writing files a user asked for (``nicdb export -o``): whole or not at all, and never over
an existing file unless told to (``--force``).

A file is written to a temporary name in its folder and then put in place in one step:
linked to its name (which fails when the name exists) or, with ``force``, renamed over
it. A folder of files (one per host of a fleet) is written to a hidden staging folder
inside the target first and moved in only when every file is ready, so an error half-way
leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile

from nicdb.errors import InputError


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def _put(tmp: str, path: str, force: bool) -> None:
    """Move the finished ``tmp`` to ``path`` (same folder)."""
    if force:
        if os.path.isdir(path):
            raise InputError(f"{path}: is a folder")
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise InputError(f"{path}: exists (give --force to replace it)") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # a file system without hard links: check, then rename (a small window, but still whole)
        if os.path.lexists(path):
            raise InputError(f"{path}: exists (give --force to replace it)") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_file(path: str, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` whole or not at all; an existing file is an error
    unless ``force``."""
    if not force and os.path.lexists(path):
        raise InputError(f"{path}: exists (give --force to replace it)")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError(f"cannot write {path}: {_why(e)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        _put(tmp, path, force)
    except OSError as e:
        raise InputError(f"cannot write {path}: {_why(e)}") from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


class FolderWriter:
    """Files into ``folder`` (made when missing), all or none: :meth:`add` each, then
    :meth:`commit`; :meth:`abort` (or leaving a ``with`` block on an error) removes
    everything written so far. ``names`` are checked up front, so an existing file is an
    error before any work is done (unless ``force``)."""

    def __init__(self, folder: str, names: list[str], *, force: bool = False) -> None:
        self.folder, self.force = folder, force
        if os.path.lexists(folder) and not os.path.isdir(folder):
            raise InputError(f"{folder}: is a file; a fleet's files go into a folder (one per host)")
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise InputError(f"two hosts would write {os.path.join(folder, dup)}: rename one of their inputs")
        if not force:
            for n in names:
                if os.path.lexists(os.path.join(folder, n)):
                    raise InputError(f"{os.path.join(folder, n)}: exists (give --force to replace it)")
        self.made_folder = False
        try:
            if not os.path.isdir(folder):
                os.mkdir(folder)
                self.made_folder = True
            self.staging = tempfile.mkdtemp(prefix=".nicdb-export-", dir=folder)
        except OSError as e:
            raise InputError(f"cannot write into {folder}: {_why(e)}") from None
        self.names: list[str] = []

    def add(self, name: str, text: str) -> None:
        try:
            with open(os.path.join(self.staging, name), "x", encoding="utf-8") as f:
                f.write(text)
            os.chmod(os.path.join(self.staging, name), 0o644)
        except OSError as e:
            self.abort()
            raise InputError(f"cannot write {os.path.join(self.folder, name)}: {_why(e)}") from None
        self.names.append(name)

    def commit(self) -> None:
        done: list[str] = []
        try:
            for n in self.names:
                _put(os.path.join(self.staging, n), os.path.join(self.folder, n), self.force)
                done.append(n)
        except (OSError, InputError) as e:
            if not self.force:  # take back what was moved in (with --force the old files are gone anyway)
                for n in done:
                    try:
                        os.unlink(os.path.join(self.folder, n))
                    except OSError:
                        pass
            self.abort()
            if isinstance(e, InputError):
                raise
            raise InputError(f"cannot write into {self.folder}: {_why(e)}") from None
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.made_folder:
            try:
                os.rmdir(self.folder)
            except OSError:
                pass

    def __enter__(self) -> "FolderWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
