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


def test_frames_of_one_snapshot_share_the_still_picture():
    """A later frame of the same snapshot draws only the messages over the kept still picture: the picture is
    cell for cell the one drawn from scratch, the still rows are the very same lists, and the still canvas is
    left as it was."""
    drv = driver()
    drv.seek(1500)
    frame = drv.frame()
    stills = draw.Stills()
    first = draw.pipeline(frame, 120, 30, stills)
    still = stills.value[1]
    before = (still.text(), [list(row) for row in still.styles])
    later = dataclasses.replace(frame, t=frame.t + 7)
    second = draw.pipeline(later, 120, 30, stills)
    assert stills.value[1] is still
    fresh = draw.pipeline(later, 120, 30)
    assert second.text() == fresh.text() and second.changed_rows(fresh) == []
    assert (still.text(), [list(row) for row in still.styles]) == before
    moved = second.changed_rows(first)
    shared = [y for y in range(second.height) if second.chars[y] is first.chars[y]]
    assert shared and not set(shared) & set(moved)
    assert second.text() != first.text() and moved  # the messages moved, nothing else


def _stilled() -> tuple:
    """A frame 1.5 s into the run, a Stills holding the still picture drawn for it, and that picture."""
    drv = driver()
    drv.seek(1500)
    frame = drv.frame()
    stills = draw.Stills()
    draw.pipeline(frame, 120, 30, stills)
    return frame, stills, stills.value


def test_a_new_snapshot_or_selection_draws_a_new_still_picture():
    """Anything the boxes show (the snapshot, the node aimed at) makes a new still picture."""
    frame, stills, kept = _stilled()
    draw.pipeline(dataclasses.replace(frame, selected="broker-2"), 120, 30, stills)
    assert stills.value is not kept
    assert draw.pipeline(dataclasses.replace(frame, selected="broker-2"), 120, 30).text() == \
        draw.pipeline(dataclasses.replace(frame, selected="broker-2"), 120, 30, stills).text()


def test_a_layer_copies_a_row_only_when_written():
    """Writing on a layer leaves the canvas under it unchanged and shares the rows it did not write."""
    under = Canvas(6, 3)
    under.put(0, 0, "abc")
    top = under.layer()
    top.put(1, 1, "xy")
    top.restyle(0, 2, 2, draw.BOLD)
    assert under.text() == ["abc   ", "      ", "      "]
    assert top.text() == ["abc   ", " xy   ", "      "]
    assert top.chars[0] is under.chars[0] and top.chars[1] is not under.chars[1]
    assert top.changed_rows(under) == [1, 2]


def test_every_field_the_boxes_show_is_part_of_the_still_key():
    """The fields left out of the still key are those only the messages or the other widgets show; a figure
    held back by a lesson's question (offsets as "?") draws a new still picture."""
    assert set(draw.STILL_FIELDS) >= {"selected", "ghosts", "losses", "inspected", "held", "member"}
    assert "t" in draw.NOT_STILL and not set(draw.STILL_FIELDS) & draw.NOT_STILL
    frame, stills, kept = _stilled()
    held = dataclasses.replace(frame, held=frozenset({"acked"}))
    assert draw.pipeline(held, 120, 30, stills).text() == draw.pipeline(held, 120, 30).text()
    assert stills.value is not kept
