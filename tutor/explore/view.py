"""Printing the explorer's results with Rich: the table, the chart, and a progress bar on stderr."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .chart import text_chart
from .metrics import ACKS0_NOTE, Row, acked_cell
from .runner import Progress
from .sweep import Sweep


def table(sweep: Sweep, rows: list[Row]) -> Table:
    """One line per configuration: settings, latency, throughput, totals over the faults, verdict."""
    caption = (f"{len(sweep.faults)} faults x {len(sweep.seeds)} seeds, summed; latency in ms with nothing "
               "failing; * on the Pareto frontier of p99 latency against acknowledged loss")
    if any(r.acks0 for r in rows):
        caption += f"; {ACKS0_NOTE}"
    t = Table(title=sweep.title, caption=caption, caption_justify="left", padding=(0, 1))
    t.add_column("#", justify="right", no_wrap=True)
    for name, _ in sweep.axes:
        t.add_column(name.split(".", 1)[1].replace(".", ".\n"), no_wrap=True)
    for head in ("p50", "p99", "rec/s", "lost", "lost\nacked", "dupl", "send\nerr"):
        t.add_column(head, justify="right", no_wrap=True)
    t.add_column("verdict", min_width=13)
    for row in rows:
        t.add_row(*_cells(row), style="bold" if row.frontier else None)
    return t


def _cells(row: Row) -> list[Any]:
    """A row's cells, in table order."""
    total = {k: sum(f[k] for f in row.faults.values()) for k in ("lost", "lost_acked", "duplicates", "send_errors")}
    mark = "*" if row.frontier else ""
    verdict = Text(row.verdict, style="green" if row.promises else "red")
    return [f"{row.index + 1}{mark}", *(str(v) for v in row.settings.values()), f"{row.p50:.1f}",
            f"{row.p99:.1f}", f"{row.throughput:.0f}", str(total["lost"]), acked_cell(row, total["lost_acked"]),
            str(total["duplicates"]), str(total["send_errors"]), verdict]


def fault_table(rows: list[Row]) -> Table:
    """Records lost although acknowledged, fault by fault (rows) and configuration by configuration (columns)."""
    t = Table(title="lost although acknowledged, per fault", padding=(0, 1),
              caption=ACKS0_NOTE if any(r.acks0 for r in rows) else None, caption_justify="left")
    t.add_column("fault", overflow="fold", min_width=12)
    for row in rows:
        label = f"{row.index + 1}{'*' if row.frontier else ''}"
        t.add_column(label, justify="right", no_wrap=True, min_width=max(len(label), 3))
    for name in rows[0].faults if rows else []:
        cells = [Text(acked_cell(r, r.faults[name]["lost_acked"]),
                      style="red" if r.faults[name]["lost_acked"] else "dim") for r in rows]
        t.add_row(name, *cells)
    return t


def print_results(sweep: Sweep, rows: list[Row], console: Console | None = None) -> None:
    """The table, then the chart."""
    console = console or Console()
    console.print(table(sweep, rows))
    console.print()
    console.print(fault_table(rows))
    console.print()
    for line in text_chart(rows):
        console.print(Text(line))


@contextmanager
def progress_bar(total_label: str) -> Iterator[Progress | None]:
    """A Rich progress bar on stderr when it is a terminal; otherwise no progress at all."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TimeElapsedColumn

    with Bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(total_label, total=None)

        def advance(done: int, total: int) -> None:
            """Move the bar to `done` of `total` runs."""
            bar.update(task, completed=done, total=total)

        yield advance
