"""Fleet presenter: a fleet run's output as it goes -- JSON documents per host, JSON lines
per NIC, a fixed-width table of every NIC, or (on a terminal) a progress bar -- and the
summary at the end. It only formats; what a host's NICs are and what the summary counts
come from nicdb.fleet.

A host's text is made by :class:`FleetText` where the host was identified (in a worker
process with ``identify -j``), and written in host order by :class:`FleetOutput`."""

from __future__ import annotations

import sys

from nicdb.render.views import fleet_row, fleet_rows_header, fleet_summary_view
from nicdb.render.visible import visible

_WIDTHS = (20, 13, 17, 34, 14, 0)


def _row(cells) -> str:
    return "  ".join(visible(c).ljust(w) for c, w in zip(cells, _WIDTHS)).rstrip() + "\n"


def text_mode(mode: str) -> str:
    """What a host's text is for an output ``mode`` ("json", "jsonl", "rich", "plain"):
    "json" (a document per host), "jsonl" (a line per NIC), "none" (a progress bar on a
    terminal's stderr stands for the hosts) or "rows" (a table row per NIC)."""
    if mode in ("json", "jsonl"):
        return mode
    return "none" if mode == "rich" and sys.stderr.isatty() else "rows"


class FleetText:
    """``(host, source, document) -> str``: one host's output text in ``text_mode``."""

    def __init__(self, mode: str, kernel: str | None) -> None:
        from nicdb.render import json_out

        self.mode = mode
        self.lines = json_out.FleetLines(kernel)

    def error(self, host: str, source: str, error: str) -> str:
        """The text of a host that could not be read: a line of its own in JSON lines,
        nothing elsewhere (the error goes to standard error)."""
        if self.mode == "jsonl":
            return self.lines.error_line(host, source, error)
        return ""

    def __call__(self, host: str, source: str, doc) -> str:
        """The text of a host's :class:`nicdb.report.Document`."""
        if self.mode == "json":
            return self.lines.host(doc.nics, source=source, host=host, distribution=doc.distribution)
        if self.mode == "jsonl":
            return self.lines.nic_lines(doc.nics, source=source, host=host, distribution=doc.distribution)
        if self.mode == "none":
            return ""
        return "".join([_row(fleet_row(host, r)) for r in doc.nics])


class FleetOutput:
    """Writes the hosts' texts (from :class:`FleetText` in the same ``text_mode``), then
    the summary: for "json" the summary line, for "jsonl" nothing (every line is a NIC, or
    a host that could not be read), else the summary drawn with rich ("rich") or as text."""

    def __init__(self, mode: str, kernel: str | None, hosts: int, out=None) -> None:
        self.mode, self.out = mode, out or sys.stdout
        self.text = text_mode(mode)
        self.kernel = kernel
        self.fd = None  # the output's file descriptor, once a worker's text is copied to it (-1: none)
        self.dirty = False  # something written through the text layer and not flushed yet
        self.progress = self.task = None
        if self.text == "none":
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("reading hosts", total=hosts)
        elif self.text == "rows":
            self.out.write(_row(fleet_rows_header()))
            self.dirty = True

    def host(self, text) -> None:
        """Write a host's text: a str, or (from a worker process) bytes already encoded as
        this output encodes, written straight to the output's file descriptor when it has
        one."""
        if self.progress is not None:
            self.progress.advance(self.task)
        elif isinstance(text, str):
            if text:
                self.out.write(text)
                self.dirty = True
                if self.text == "jsonl":
                    self.out.flush()  # a line per NIC as it comes, for a reader downstream (jq, a job)
                    self.dirty = False
        elif len(text):
            self._write_bytes(text)

    def _write_bytes(self, data) -> None:
        if self.fd is None:
            try:
                self.fd = self.out.fileno()
            except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
                self.fd = -1
        if self.fd < 0:  # a stream in memory (a test): through the text layer
            from nicdb.fleet import output_encoding

            self.out.write(bytes(data).decode(*output_encoding(self.out)))
            return
        import os

        if self.dirty:
            self.out.flush()  # what went through the text layer comes first
            self.dirty = False
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def failed(self, host: str, source: str, error: str) -> None:
        """A host that could not be read: one line on standard error (its text, a line in
        JSON lines, comes through :meth:`host`)."""
        if self.progress is not None:
            self.progress.advance(self.task)
        sys.stderr.write(f"nicdb: error: {visible(error)}\n")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def summary(self, data: dict) -> None:
        self.close()
        if self.mode == "json":
            from nicdb.render import json_out

            self.out.write(json_out.summary_line(data))
        elif self.mode != "jsonl":
            from nicdb.render import show

            show(fleet_summary_view(data), self.mode)
