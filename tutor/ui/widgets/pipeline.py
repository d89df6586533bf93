"""The pipeline view: the canvas of boxes, records and moving messages for the current frame."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ..canvas import Canvas
from ..draw import pipeline
from ..frame import Frame
from ..layout import preferred_height


class PipelineView(Widget):
    """Draws the whole pipeline; a click on a record or a node is posted up."""

    frame: reactive[Frame | None] = reactive(None, layout=False, always_update=True)

    @dataclass
    class RecordClicked(Message):
        """A record's token was clicked."""

        rid: int

    @dataclass
    class NodeClicked(Message):
        """A node's box was clicked (to aim failures at it)."""

        name: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.canvas: Canvas | None = None

    def watch_frame(self) -> None:
        """A new frame: draw it on the next refresh."""
        self.canvas = None
        self.refresh()

    def on_resize(self) -> None:
        """The size changed: lay out again."""
        self.canvas = None

    def current(self) -> Canvas:
        """The canvas for the current frame and size (drawn once per frame)."""
        w, h = self.size
        if self.canvas is None or (self.canvas.width, self.canvas.height) != (w, h):
            self.canvas = pipeline(self.frame, w, h) if self.frame else Canvas(w, h)
        return self.canvas

    def render_line(self, y: int) -> Strip:
        """One row of the canvas."""
        return self.current().strip(y)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The rows the pipeline wants at this width."""
        snap = self.frame.snap if self.frame else None
        brokers = len(snap.brokers) if snap else 3
        return preferred_height(width, brokers, snap is None or snap.consumer is not None)

    def on_click(self, event: events.Click) -> None:
        """Post what was clicked: a record's token or a node's box."""
        what = self.current().at(event.x, event.y)
        if what is None:
            return
        kind, value = what
        self.post_message(self.RecordClicked(value) if kind == "record" else self.NodeClicked(value))

    def text(self) -> str:
        """The characters on screen now (for tests and screen readers)."""
        return "\n".join(self.current().text())
