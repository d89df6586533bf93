"""A widget drawn from the pushed Frame that repaints only when what it shows has changed."""

from __future__ import annotations

from typing import Hashable

from textual.reactive import reactive
from textual.widget import Widget

from ..frame import Frame


class FrameWidget(Widget):
    """Subclasses say what they show as a key; equal keys mean nothing to repaint (30 pushes a second)."""

    frame: reactive[Frame | None] = reactive(None, repaint=False, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: Hashable = None

    def key(self, frame: Frame) -> Hashable:
        """What this widget shows of a frame (override)."""
        return id(frame)

    def watch_frame(self, frame: Frame | None) -> None:
        """Repaint when the key changed."""
        key = (self.key(frame) if frame is not None else None, self.size)
        if key != self._shown:
            self._shown = key
            self.refresh()
