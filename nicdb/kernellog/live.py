"""The running kernel's log: ``/dev/kmsg`` read without blocking (root, or any user
when ``kernel.dmesg_restrict`` is 0), else ``journalctl -k -b`` (members of the
systemd-journal or adm group). Neither changes anything."""

from __future__ import annotations

import errno
import os
import shutil

KMSG = "/dev/kmsg"
MAX_BYTES = 16 * 1024 * 1024
JOURNALCTL = ("journalctl", "-k", "-b", "-o", "short-monotonic", "--no-pager", "-q")


def read_kmsg(path: str = KMSG) -> str | None:
    """Every record in the kernel's ring buffer, one per line (``PRIO,SEQ,TIME,FLAGS;text``;
    the key=value lines after a record are left out), or None when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    out: list[str] = []
    size = 0
    try:
        while size < MAX_BYTES:
            try:
                chunk = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EPIPE:  # records overwritten while reading: go on with the next
                    continue
                if e.errno == errno.EINTR:
                    continue
                return None if not out else "\n".join(out)
            if not chunk:
                break
            size += len(chunk)
            for rec in chunk.decode("utf-8", "replace").split("\n"):
                if rec and rec[0] != " ":
                    out.append(rec)
    finally:
        os.close(fd)
    return "\n".join(out)


def read_journal() -> str | None:
    """This boot's kernel messages from the journal, or None."""
    exe = shutil.which(JOURNALCTL[0])
    if exe is None:
        return None
    import subprocess

    try:
        p = subprocess.run((exe,) + JOURNALCTL[1:], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0 or not text.strip() or text.startswith("-- No entries --"):
        return None
    return text


def read_live() -> tuple[str | None, str]:
    """(log text, where it came from); (None, why not) when neither source is readable."""
    text = read_kmsg()
    if text:
        return text, KMSG
    text = read_journal()
    if text:
        return text, "journalctl -k -b"
    return None, ("the kernel log is not readable here (no permission for /dev/kmsg, and journalctl -k "
                  "gave nothing): run as root, or save it with dmesg and pass --dmesg FILE")
