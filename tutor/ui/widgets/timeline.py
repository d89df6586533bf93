"""The timeline: a scrub bar over the computed run, failures and changes marked; click or drag to scrub."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from ..frame import Frame
from .base import FrameWidget

MARK_GLYPHS = {"failure": ("▼", "bold red"), "repair": ("▲", "bold green"), "setting": ("◆", "bold cyan"),
               "recovery": ("▲", "green")}
MIN_SPAN_MS = 5000.0  # the bar shows at least this much time, so early marks do not crowd


def span(frame: Frame) -> float:
    """The time the bar covers: a little past the horizon."""
    return max(MIN_SPAN_MS, frame.horizon * 1.1)


def bar_text(frame: Frame, width: int) -> Text:
    """"0 s ━━━▼━━━┃━━━━─────── 12.3 s": computed part heavy, the cursor a bar, marks on top."""
    left, right = "0 s ", f" {frame.horizon / 1000:,.1f} s"
    w = max(width - len(left) - len(right), 1)
    total = span(frame)
    cells = [("━", "grey62") if (i + 0.5) * total / w <= frame.horizon else ("─", "grey30") for i in range(w)]
    for m in frame.marks:
        glyph = MARK_GLYPHS.get(m.kind)
        if glyph:
            cells[min(int(m.t / total * w), w - 1)] = glyph
    cells[min(int(frame.t / total * w), w - 1)] = ("┃", "bold reverse" if not frame.live else "bold white")
    text = Text(left, style="dim")
    start = 0
    for i in range(1, w + 1):  # one span per run of equal style: far cheaper to render than one per cell
        if i == w or cells[i][1] != cells[start][1]:
            text.append("".join(g for g, _ in cells[start:i]), style=cells[start][1])
            start = i
    text.append(right, style="dim")
    return text


class TimelineBar(FrameWidget):
    """One line; a press or a drag posts the time under the pointer."""

    _dragged_to: float | None = None

    def key(self, frame: Frame) -> tuple:
        """The bar as drawn."""
        return bar_text(frame, self.content_size.width).plain, frame.live

    @dataclass
    class Scrubbed(Message):
        """The learner pressed or dragged on the bar: show time t."""

        t: float

    def render(self) -> RenderableType:
        """The bar at the widget's width."""
        return bar_text(self.frame, self.content_size.width) if self.frame else ""

    def time_at(self, x: int) -> float:
        """The time under column x."""
        if self.frame is None:
            return 0.0
        w = max(self.content_size.width - 4 - len(f" {self.frame.horizon / 1000:,.1f} s"), 1)
        return min(max(x - 4, 0) / w * span(self.frame), self.frame.horizon)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Press: jump there, and hold the mouse so that dragging scrubs (even off the bar)."""
        self.capture_mouse()
        self._dragged_to = self.time_at(event.x)
        self.post_message(self.Scrubbed(self._dragged_to))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Drag: follow the pointer, one message per column moved."""
        if self._dragged_to is None:  # not pressed on the bar: only passing over it
            return
        t = self.time_at(event.x)
        if t != self._dragged_to:
            self._dragged_to = t
            self.post_message(self.Scrubbed(t))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """Release: the drag is over."""
        self._dragged_to = None
        self.release_mouse()

    def on_mouse_release(self, event: events.MouseRelease) -> None:
        """The mouse was taken away (another capture): the drag is over too."""
        self._dragged_to = None
