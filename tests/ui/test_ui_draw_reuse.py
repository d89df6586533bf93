"""Frames between two advances reuse what their snapshot decides: unchanged rows compare equal, tokens are
worked out once."""

import dataclasses

from tutor.ui import draw
from tutor.ui.canvas import Canvas

from uihelp import driver


def test_the_same_frame_drawn_twice_changes_no_row():
    """Two canvases of one frame have the same cells, blank ones included (one style object for a blank cell)."""
    drv = driver()
    drv.seek(1500)
    frame = drv.frame()
    first, second = draw.pipeline(frame, 120, 30), draw.pipeline(frame, 120, 30)
    assert second.changed_rows(first) == []
    assert Canvas(3, 1).base is Canvas(4, 2).base


def test_tokens_are_worked_out_once_per_snapshot(monkeypatch):
    """A later frame of the same snapshot takes the tokens already made; a new snapshot makes its own."""
    drv = driver()
    drv.seek(1500)
    frame = drv.frame()
    made = []
    real = draw.tokens
    monkeypatch.setattr(draw, "tokens", lambda *a: made.append(a) or real(*a))
    monkeypatch.setattr(draw, "PER_SNAPSHOT", draw.PerSnapshot())
    shown = draw.pipeline(frame, 120, 30).text()
    n = len(made)
    assert n > 0
    later = dataclasses.replace(frame, t=frame.t + 5)  # interpolation only: the same snapshot
    draw.pipeline(later, 120, 30)
    assert len(made) == n
    drv.seek(1600)
    assert draw.pipeline(drv.frame(), 120, 30).text() != shown and len(made) > n
