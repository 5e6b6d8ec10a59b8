"""Fleet presenter: a fleet run's output as it goes -- JSON lines, a fixed-width table of
every NIC, or (on a terminal) a progress bar -- and the summary at the end. It only
formats; what a host's NICs are and what the summary counts come from nicdb.fleet."""

from __future__ import annotations

import sys

from nicdb.render.views import fleet_row, fleet_rows_header, fleet_summary_view
from nicdb.render.visible import visible

_WIDTHS = (20, 13, 17, 34, 14, 0)


def _row(cells) -> str:
    return "  ".join(visible(c).ljust(w) for c, w in zip(cells, _WIDTHS)).rstrip() + "\n"


class FleetOutput:
    """``mode``: "json" (a document per host, then the summary line), "rich" (a progress
    bar on a terminal's stderr, then the summary drawn with rich) or "plain" (a row per
    NIC, then the summary as text)."""

    def __init__(self, mode: str, kernel: str | None, hosts: int, out=None) -> None:
        from nicdb.render import json_out

        self.mode, self.out = mode, out or sys.stdout
        self.lines = json_out.FleetLines(kernel)
        self.progress = self.task = None
        if mode == "rich" and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("reading hosts", total=hosts)
        elif mode != "json":
            self.out.write(_row(fleet_rows_header()))

    def host(self, host: str, source: str, reports: list, distribution=None) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)
        elif self.mode == "json":
            self.out.write(self.lines.host(reports, source=source, host=host, distribution=distribution))
        else:
            for r in reports:
                self.out.write(_row(fleet_row(host, r)))

    def failed(self, host: str, error: str) -> None:
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
            self.out.write(self.lines.summary(data))
        else:
            from nicdb.render import show

            show(fleet_summary_view(data), self.mode)
