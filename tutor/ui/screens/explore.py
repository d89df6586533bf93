"""The Explore screen: a sweep's configurations, their losses per fault and the Pareto chart; enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.explore.chart import text_chart
from tutor.explore.metrics import ACKS0_NOTE, Row, acked_cell
from tutor.explore.runner import explore, tasks
from tutor.explore.sweep import Sweep, default_sweep

from ..driver import Driver


def short_name(name: str) -> str:
    """A swept setting as a column header: "producer.acks" -> "acks", "broker.log.flush.interval.messages" ->
    "l.f.i.messages"."""
    key = name.split(".", 1)[1]
    if len(key) <= 12:
        return key
    *head, last = key.split(".")
    return ".".join([h[0] for h in head] + [last])


def fault_line(name: str, counts: dict[str, int]) -> Text:
    """A fault with the configuration's losses under it, red when acknowledged records were lost."""
    text = Text(name, style="bold")
    words = f"\n  lost {counts['lost']} · acked {counts['lost_acked']} · dupl {counts['duplicates']}" \
            f" · err {counts['send_errors']}"
    text.append(words, style="red" if counts["lost_acked"] else "dim")
    return text


class ExploreScreen(Screen):
    """Runs the sweep off the UI thread, then shows the table, the faults of the highlighted row and the chart."""

    CSS_PATH = "explore.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "menu", key_display="esc"),
                Binding("tab", "focus_next", "table/faults", show=True)]

    def __init__(self, sweep: Sweep | None = None) -> None:
        super().__init__()
        self.sweep = sweep
        self.rows: list[Row] | None = None

    def compose(self) -> ComposeResult:
        """The configurations beside their faults, the chart under them, a status line."""
        with Vertical(id="explore"):
            with Horizontal(id="explore-top"):
                yield DataTable(id="configs", cursor_type="row", zebra_stripes=True)
                yield OptionList(id="faults")
            yield Static(id="chart")
        yield Static("running the sweep…", id="explore-status")
        yield Footer()

    def on_mount(self) -> None:
        """Titles, then run the sweep in a worker."""
        self.query_one("#configs").border_title = "configurations · ⏎ choose · * Pareto frontier"
        self.query_one("#faults").border_title = "faults · ⏎ open in the sandbox"
        self.query_one("#chart").border_title = "acknowledged loss against p99 latency"
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        """Load and run the sweep on a worker thread (one process: a pool does not mix with the UI's threads)."""
        sweep = self.sweep or default_sweep()
        total = len(tasks(sweep))

        def progress(done: int, _total: int) -> None:
            """Say how far the runs are."""
            self.app.call_from_thread(self._status, f"running the sweep: {done} of {total} runs…")

        rows = explore(sweep, workers=1, progress=progress)
        self.app.call_from_thread(self._show, sweep, rows)

    def _status(self, text: str) -> None:
        """The line under the chart."""
        self.query_one("#explore-status", Static).update(text)

    def _show(self, sweep: Sweep, rows: list[Row]) -> None:
        """Fill the table and draw the chart."""
        self.sweep, self.rows = sweep, rows
        table = self.query_one("#configs", DataTable)
        table.add_columns("#", *(short_name(name) for name, _ in sweep.axes), "p50 ms", "p99 ms",
                          "rec/s", "acked lost", "dupl", "verdict")
        for row in rows:
            acked = row.acked_loss
            table.add_row(f"{row.index + 1}{'*' if row.frontier else ''}",
                          *(str(v) for v in row.settings.values()), f"{row.p50:.1f}", f"{row.p99:.1f}",
                          f"{row.throughput:.0f}", Text(acked_cell(row, acked), style="red" if acked else "green"),
                          str(sum(f["duplicates"] for f in row.faults.values())),
                          Text(row.verdict, style="green" if row.promises else "red"), key=str(row.index))
        width, height = max(30, min(70, self.size.width - 24)), 8 if self.size.height >= 32 else 4
        self.query_one("#chart", Static).update(Text("\n".join(text_chart(rows, width=width, height=height))))
        self._status(f"{len(rows)} configurations × {len(sweep.faults)} faults × {len(sweep.seeds)} seeds · "
                     f"{', '.join(name for name, _ in sweep.axes)} · {sweep.title}"
                     + (f"\n{ACKS0_NOTE}" if any(r.acks0 for r in rows) else ""))
        table.focus()
        self._faults_for(0)

    def _faults_for(self, index: int) -> None:
        """The faults list for configuration `index`."""
        if not self.rows:
            return
        row = self.rows[index]
        box = self.query_one("#faults", OptionList)
        box.set_options([Option(fault_line(name, counts), id=name) for name, counts in row.faults.items()])
        box.highlighted = 0

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted configuration's faults."""
        self._faults_for(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a configuration: choose its fault next."""
        self.query_one("#faults", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a fault: that configuration under that fault, in the sandbox (first seed)."""
        if self.sweep is None or self.rows is None:
            return
        index = self.query_one("#configs", DataTable).cursor_row
        self.open_in_sandbox(index, event.option.id)

    def open_in_sandbox(self, index: int, fault: str) -> None:
        """Push a sandbox on configuration `index` under `fault`; esc there comes back here."""
        from .sandbox import SandboxScreen

        scenario = self.sweep.scenario(index, fault)
        self.app.push_screen(SandboxScreen(Driver(scenario, seed=self.sweep.seeds[0])))
