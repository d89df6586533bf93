"""The record inspector: one record's history from the ledger and, if lost or duplicated, why."""

from __future__ import annotations

from rich.console import Group, RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class InspectorScreen(ModalScreen[None]):
    """Shows a record's story (built by tutor.ui.inspect.story); Esc closes."""

    BINDINGS = [Binding("escape,i", "close", "close"), Binding("q", "app.quit", "quit")]

    def __init__(self, rid: int, parts: list[RenderableType]) -> None:
        super().__init__()
        self.rid, self.parts = rid, parts

    def compose(self) -> ComposeResult:
        """The story in a scrollable box."""
        with VerticalScroll(id="inspector") as box:
            box.border_title = f"record {self.rid}"
            box.border_subtitle = "esc close · q quit tutor"
            yield Static(Group(*self.parts), id="story")

    def action_close(self) -> None:
        """Back to the sandbox."""
        self.dismiss(None)
