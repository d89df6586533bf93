"""The final report: what is lost for good if sending stops at the cursor and the run settles (on a copy)."""

from __future__ import annotations

from typing import Any, Callable

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.report_view import report_renderables
from tutor.sim.report import ms


def report_title(settle: Callable[[], Any]) -> str:
    """The box's title: from which moment the copy was settled (older callers give no time)."""
    t = getattr(settle, "t", None)
    if t is None:
        return "what is lost for good if sending stops here and the run settles"
    return (f"what is lost for good if sending stops at {ms(t)} and the run settles"
            + ("" if settle.live else " (the cursor)"))


def settle_words(settle: Callable[[], Any]) -> str:
    """The report's first line: what was done to the copy."""
    t = getattr(settle, "t", None)
    since = "" if t is None else f" at {ms(t)}" + ("" if settle.live else
                                                   ", where the cursor is (what came after it is ignored)")
    return (f"The run was copied{since}; on the copy the network was healed, every stopped node restarted, "
            "and it ran until everything settled.")


class ReportScreen(ModalScreen[None]):
    """Runs `settle()` in a worker thread and shows the report when it is ready."""

    BINDINGS = [Binding("escape,f", "close", "close"), Binding("q", "app.quit", "quit")]

    def __init__(self, settle: Callable[[], Any]) -> None:
        super().__init__()
        self.settle = settle

    def compose(self) -> ComposeResult:
        """A scrollable box, "settling…" until the report arrives."""
        with VerticalScroll(id="report") as box:
            box.border_title = report_title(self.settle)
            box.border_subtitle = "esc close · q quit tutor"
            yield Static("settling the run on a copy: healing the network, restarting nodes…", id="report-body")

    def on_mount(self) -> None:
        """Start settling."""
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        """Settle on the worker thread (a long run takes a while), then show it."""
        try:
            parts = [Text(settle_words(self.settle), style="dim"), Text("")] + report_renderables(self.settle())
        except Exception as err:  # the engine gave up (step budget): say so instead of crashing
            parts = [f"the run did not settle: {err}"]
        self.app.call_from_thread(self.query_one("#report-body", Static).update, Group(*parts))

    def action_close(self) -> None:
        """Back to the sandbox."""
        self.dismiss(None)
