"""A run's Report as Rich renderables (summary, lost and duplicated records, a short timeline), shared by the
text front-end and the app's report screen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

#: how many timeline entries to show before eliding the middle
TIMELINE_HEAD, TIMELINE_TAIL = 16, 8

SUMMARY_ROWS = (
    ("sent", "records the application sent"),
    ("acked", "acknowledged to the producer"),
    ("send_errors", "sends that failed and told the application"),
    ("unconfirmed", "never answered either way"),
    ("processed", "processed at least once"),
    ("duplicates", "extra processings (duplicate copies)"),
    ("lost", "never processed"),
    ("lost_acked", "lost although acknowledged"),
)
LOST_AT_ROWS = ("producer", "broker", "consumer")


#: a number standing on its own ("at 117 ms", "offset 25", "5,000 ms"), not part of a name like broker-1
NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w-])")

Num = tuple[float, str]  # a number's value and how the explanation wrote it


def _split(explanation: str) -> tuple[tuple[str, ...], list[Num]]:
    """An explanation's wording without its numbers, and the numbers."""
    parts = NUMBER.split(explanation)
    return tuple(parts[0::2]), [(float(n.replace(",", "")), n) for n in parts[1::2]]


@dataclass
class Run:
    """Consecutive record ids explained alike (numbers aside), shown as "25-29"."""

    first: Any
    last: Any
    wording: tuple[str, ...]
    lows: list[Num]
    highs: list[Num]
    where: str = ""  # where it was lost, or how often a duplicate was processed ("2x")
    count: int = 1

    @property
    def ids(self) -> str:
        """"25" or "25-29"."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def explanation(self) -> str:
        """The shared explanation; a number that varied within the run reads "117–297"."""
        out = [self.wording[0]]
        for lo, hi, text in zip(self.lows, self.highs, self.wording[1:]):
            out.append((lo[1] if lo[0] == hi[0] else f"{lo[1]}–{hi[1]}") + text)
        return "".join(out)

    def add(self, rid: Any, numbers: list[Num]) -> None:
        """Extend the run by the next record and widen the number ranges."""
        self.last, self.count = rid, self.count + 1
        self.lows = [min(a, b) for a, b in zip(self.lows, numbers)]
        self.highs = [max(a, b) for a, b in zip(self.highs, numbers)]


def lost_where(message: dict[str, Any]) -> str:
    """Where a record was lost: producer, broker or consumer."""
    return message.get("lost_at") or ""


def times_processed(message: dict[str, Any]) -> str:
    """How often a duplicated record was processed, e.g. "2x"."""
    return f"{message.get('times_processed', 2)}x"


def group_runs(messages: Iterable[dict[str, Any]],
               where: Callable[[dict[str, Any]], str] = lost_where) -> list[Run]:
    """Group consecutive ids explained alike (numbers may differ) with the same `where` into runs."""
    runs: list[Run] = []
    for m in messages:
        wording, numbers = _split(m.get("explanation", ""))
        last = runs[-1] if runs else None
        if last and _continues(last, m["id"], wording, where(m)):
            last.add(m["id"], numbers)
        else:
            runs.append(Run(m["id"], m["id"], wording, numbers, list(numbers), where(m)))
    return runs


def _continues(run: Run, rid: Any, wording: tuple[str, ...], where: str) -> bool:
    """True when a record extends the run: the next id, the same wording, the same place."""
    consecutive = isinstance(run.last, int) and rid == run.last + 1
    return consecutive and (wording, where) == (run.wording, run.where)


def report_renderables(report: Any, description: str = "") -> list[RenderableType]:
    """Everything the report shows, top to bottom, for a Console or a Textual widget (with the
    scenario's description under its title, when given)."""
    acks0 = getattr(report, "acks", "all") == "0"
    parts: list[RenderableType] = [_heading(report, description), summary_table(report.summary, acks0)]
    shown = [m for m in report.messages if m["fate"] != "processed"]  # entries are built as read: once
    lost_acked = [m for m in shown if m["fate"] == "lost" and m["acked"]]
    lost_other = [m for m in shown if m["fate"] == "lost" and not m["acked"]]
    duplicated = [m for m in shown if m["fate"] == "duplicated"]
    if lost_acked:
        title = ("Lost although the producer counted them as sent (acks=0: no acknowledgement)"
                 if acks0 else "Lost although acknowledged")
        parts.append(records_panel(lost_acked, title, "bold red"))
    if lost_other:
        parts.append(records_panel(lost_other, "Lost, never acknowledged", "yellow"))
    if duplicated:
        parts.append(records_panel(duplicated, "Processed more than once", "cyan", times_processed))
    if not (lost_acked or lost_other or duplicated):
        parts.append(Text("Every record was processed exactly once.", style="bold green"))
    parts.append(timeline_table(report.timeline))
    return parts


def _heading(report: Any, description: str = "") -> RenderableType:
    """The title, the scenario's description, then seed and simulated duration."""
    heading = Text(report.title, style="bold")
    if description.strip():
        heading.append("\n" + " ".join(description.split()) + "\n", style="")
    heading.append(f"\nseed {report.seed}, {report.end_ms / 1000:.2f} s simulated", style="dim")
    return heading


#: with acks=0 no broker acknowledges anything: the producer counts a record as sent once written out (P4)
ACKS0_WORDS = {"acked": "counted as sent by the producer (acks=0: no acknowledgement)",
               "lost_acked": "lost although counted as sent"}


def summary_table(summary: dict[str, Any], acks0: bool = False) -> Table:
    """The counts: sent, acked, ..., lost, and where the lost ones were lost."""
    table = Table(title="Summary", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(justify="right")
    table.add_column()
    for key, words in SUMMARY_ROWS:
        table.add_row(_count(key, summary.get(key, 0)), ACKS0_WORDS.get(key, words) if acks0 else words)
    for place in LOST_AT_ROWS:
        table.add_row(_count("lost_at", summary.get("lost_at", {}).get(place, 0)), f"  lost at the {place}")
    for key, words in LOST_IN_ROWS:  # only in reports of an application send.mode or ignored callbacks
        if key in summary.get("lost_in", {}):
            table.add_row(_count("lost_at", summary["lost_in"][key]), words)
    if summary.get("lost_silently"):
        table.add_row(_count("lost", summary["lost_silently"]), "lost with nobody told (callbacks ignored)")
    return table


#: where in the producer's process or host lost records were (report "lost_in")
LOST_IN_ROWS = (("spool", "    in the spool's unsynced tail"), ("app_queue", "    in the application's own queue"),
                ("accumulator", "    in the producer's buffer"), ("in_flight", "    in flight"))


def _count(key: str, value: int) -> Text:
    """A count, red when it is a loss and not zero."""
    if key in ("lost", "lost_acked", "lost_at") and value:
        return Text(str(value), style="bold red" if key == "lost_acked" else "red")
    if key == "duplicates" and value:
        return Text(str(value), style="cyan")
    return Text(str(value))


def records_panel(messages: list[dict[str, Any]], title: str, style: str,
                  where: Callable[[dict[str, Any]], str] = lost_where) -> Panel:
    """A boxed list of record runs with where (or how often) and why they were lost or duplicated."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="dim")
    table.add_column("ids", style=style, no_wrap=True)
    table.add_column("where" if where is lost_where else "times", no_wrap=True)
    table.add_column("why")
    for run in group_runs(messages, where):
        table.add_row(run.ids, run.where, run.explanation)
    return Panel(table, title=f"{title}: {len(messages)}", title_align="left", border_style=style)


def timeline_table(timeline: list[tuple[float, str]]) -> Table:
    """The notable events in time order; a long timeline keeps its start and end."""
    table = Table(title="Timeline", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(justify="right", style="dim", no_wrap=True)
    table.add_column()
    for t_ms, text in _elide(timeline):
        table.add_row("" if t_ms is None else f"{t_ms:,.1f} ms", text)
    return table


def _elide(timeline: list[tuple[float, str]]) -> list[tuple[float | None, str]]:
    """The first and last entries of a long timeline, with a line saying how many were skipped."""
    if len(timeline) <= TIMELINE_HEAD + TIMELINE_TAIL + 1:
        return list(timeline)
    skipped = len(timeline) - TIMELINE_HEAD - TIMELINE_TAIL
    gap = (None, f"… {skipped} more events (tutor run --json shows them all)")
    return list(timeline[:TIMELINE_HEAD]) + [gap] + list(timeline[-TIMELINE_TAIL:])
