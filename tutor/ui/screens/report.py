"""The final report: what is lost for good if the run settles from here (computed on a copy, off-thread)."""

from __future__ import annotations

from typing import Any, Callable

from rich.console import Group
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.report_view import report_renderables


class ReportScreen(ModalScreen[None]):
    """Runs `settle()` in a worker thread and shows the report when it is ready."""

    BINDINGS = [Binding("escape,q,f", "close", "close")]

    def __init__(self, settle: Callable[[], Any]) -> None:
        super().__init__()
        self.settle = settle

    def compose(self) -> ComposeResult:
        """A scrollable box, "settling…" until the report arrives."""
        with VerticalScroll(id="report") as box:
            box.border_title = "what is lost for good (the run settled from here: failures healed, nodes restarted)"
            box.border_subtitle = "esc closes"
            yield Static("settling the run on a copy: healing the network, restarting nodes…", id="report-body")

    def on_mount(self) -> None:
        """Start settling."""
        self.compute()

    @work(thread=True, exclusive=True)
    def compute(self) -> None:
        """Settle on the worker thread (a long run takes a while), then show it."""
        try:
            parts = report_renderables(self.settle())
        except Exception as err:  # the engine gave up (step budget): say so instead of crashing
            parts = [f"the run did not settle: {err}"]
        self.app.call_from_thread(self.query_one("#report-body", Static).update, Group(*parts))

    def action_close(self) -> None:
        """Back to the sandbox."""
        self.dismiss(None)
