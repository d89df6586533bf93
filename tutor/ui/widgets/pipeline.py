"""The pipeline view: the canvas of boxes, records and moving messages for the current frame."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ..canvas import Canvas
from ..draw import Stills, pipeline, wanted_height
from ..frame import Frame
from ..layout import preferred_height


class PipelineView(Widget):
    """Draws the whole pipeline; a click on a record or a node is posted up."""

    frame: reactive[Frame | None] = reactive(None, repaint=False, always_update=True)

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
        self._strips: dict[int, Strip] = {}
        self._stills = Stills()  # the still picture of the snapshot on screen, shared by its frames

    def watch_frame(self) -> None:
        """A new frame: draw it now and repaint only the rows that changed (most rows do not)."""
        if self.size.area == 0:
            return
        old, strips = self.canvas, self._strips
        self._draw()
        rows = self.canvas.changed_rows(old)
        if len(rows) == self.canvas.height:
            self.refresh()
        elif rows:
            self._strips = {y: strip for y, strip in strips.items() if y not in rows}  # the others are unchanged
            self.refresh(*(Region(0, y, self.size.width, 1) for y in rows))
        else:
            self._strips = strips

    def on_resize(self) -> None:
        """The size changed: lay out again."""
        self.canvas = None

    def _draw(self) -> Canvas:
        """Draw the current frame at the current size."""
        w, h = self.size
        self.canvas = pipeline(self.frame, w, h, self._stills) if self.frame else Canvas(w, h)
        self._strips = {}
        return self.canvas

    def current(self) -> Canvas:
        """The canvas for the current frame and size."""
        w, h = self.size
        if self.canvas is None or (self.canvas.width, self.canvas.height) != (w, h):
            return self._draw()
        return self.canvas

    def render_line(self, y: int) -> Strip:
        """One row of the canvas (each row's strip is built once per frame)."""
        canvas = self.current()
        strip = self._strips.get(y)
        if strip is None:
            strip = self._strips[y] = canvas.strip(y)
        return strip

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The rows the pipeline wants at this width."""
        snap = self.frame.snap if self.frame else None
        return wanted_height(snap, width) if snap else preferred_height(width, 3, True)

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
