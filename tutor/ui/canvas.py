"""A character grid to draw the pipeline on: boxes, text and tokens, turned into Textual strips."""

from __future__ import annotations

from dataclasses import dataclass
from operator import is_not

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

LIGHT = "┌┐└┘─│"
HEAVY = "┏┓┗┛━┃"
DOUBLE = "╔╗╚╝═║"
#: the style of a blank cell: one object for every canvas, so that a row left blank compares the same from one
#: frame to the next (rows are compared by style identity) and is not repainted
PLAIN = Style()


@dataclass(frozen=True)
class Rect:
    """A region of the canvas."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        """The first column right of the rect."""
        return self.x + self.w

    @property
    def bottom(self) -> int:
        """The first row below the rect."""
        return self.y + self.h

    @property
    def mid_y(self) -> int:
        """The middle row."""
        return self.y + self.h // 2

    @property
    def mid_x(self) -> int:
        """The middle column."""
        return self.x + self.w // 2


@dataclass(frozen=True)
class Hit:
    """A clickable span: what lies under columns x0..x1 of row y."""

    y: int
    x0: int
    x1: int
    what: tuple[str, object]  # ("record", rid) or ("node", name)


class Canvas:
    """Width x height cells of (character, style); later writes win."""

    def __init__(self, width: int, height: int, base: Style | None = None) -> None:
        self.width, self.height = max(width, 0), max(height, 0)
        self.base = base or PLAIN
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.styles: list[list[Style]] = [[self.base] * self.width for _ in range(self.height)]
        self.hits: list[Hit] = []
        self._shared: set[int] = set()  # rows still shared with the canvas this one was layered on

    def layer(self) -> "Canvas":
        """A canvas to draw over this one: its rows are this one's until written (copied on the first write),
        so an unchanged row is the very same list in both, and this canvas is never changed."""
        top = Canvas.__new__(Canvas)
        top.width, top.height, top.base = self.width, self.height, self.base
        top.chars, top.styles, top.hits = list(self.chars), list(self.styles), list(self.hits)
        top._shared = set(range(self.height))
        return top

    def _own(self, y: int) -> None:
        """Copy a shared row before writing to it."""
        self._shared.discard(y)
        self.chars[y] = list(self.chars[y])
        self.styles[y] = list(self.styles[y])

    def put(self, x: int, y: int, text: str, style: Style | None = None, limit: int | None = None) -> int:
        """Write text at (x, y), clipped to the canvas (and to `limit` columns); returns columns written."""
        if not 0 <= y < self.height:
            return 0
        end = min(self.width, x + len(text) if limit is None else x + min(len(text), limit))
        if y in self._shared:
            self._own(y)
        row, srow, st = self.chars[y], self.styles[y], style or self.base
        for i in range(max(x, 0), end):
            row[i] = text[i - x]
            srow[i] = st
        return max(0, end - max(x, 0))

    def restyle(self, x: int, y: int, w: int, style: Style, under: bool = False) -> None:
        """Combine a style into existing cells: over them (dim), or under them (a background)."""
        if 0 <= y < self.height:
            if y in self._shared:
                self._own(y)
            srow = self.styles[y]
            for i in range(max(x, 0), min(self.width, x + w)):
                srow[i] = style + srow[i] if under else srow[i] + style

    def hit(self, x: int, y: int, w: int, what: tuple[str, object]) -> None:
        """Remember that a click on this span means `what`."""
        self.hits.append(Hit(y, x, x + w, what))

    def at(self, x: int, y: int) -> tuple[str, object] | None:
        """What a click at (x, y) points at (the last drawn, smallest span wins)."""
        found = [h for h in self.hits if h.y == y and h.x0 <= x < h.x1]
        return min(found, key=lambda h: h.x1 - h.x0).what if found else None

    def box(self, r: Rect, title: str = "", style: Style | None = None, kind: str = LIGHT,
            title_style: Style | None = None) -> None:
        """A frame around a rect with a title in its top border."""
        if r.w < 2 or r.h < 2:
            return
        tl, tr, bl, br, hz, vt = kind
        self.put(r.x, r.y, tl + hz * (r.w - 2) + tr, style)
        self.put(r.x, r.bottom - 1, bl + hz * (r.w - 2) + br, style)
        for y in range(r.y + 1, r.bottom - 1):
            self.put(r.x, y, vt, style)
            self.put(r.right - 1, y, vt, style)
        if title:
            self.put(r.x + 2, r.y, f" {title} ", title_style or style, limit=r.w - 4)

    def changed_rows(self, old: "Canvas | None") -> list[int]:
        """Rows that differ from an older canvas (all of them if the size changed)."""
        if old is None or (old.width, old.height) != (self.width, self.height):
            return list(range(self.height))
        # a row both canvases share with one still canvas is unchanged without a look; styles are shared
        # objects, so identity is a cheap (and safe: at worst a spare repaint) test for the others
        rows = zip(self.chars, self.styles, old.chars, old.styles)
        return [y for y, (row, srow, old_row, old_srow) in enumerate(rows)
                if (row is not old_row or srow is not old_srow)
                and (row != old_row or any(map(is_not, srow, old_srow)))]

    def text(self) -> list[str]:
        """The characters only, one string per row (for tests and text search)."""
        return ["".join(row) for row in self.chars]

    def strip(self, y: int) -> Strip:
        """One row as a Textual strip, runs of the same style merged into one segment."""
        if not 0 <= y < self.height:
            return Strip.blank(self.width, self.base)
        row, srow = self.chars[y], self.styles[y]
        segments, start = [], 0
        for i in range(1, self.width + 1):
            if i == self.width or srow[i] is not srow[start]:
                segments.append(Segment("".join(row[start:i]), srow[start]))
                start = i
        return Strip(segments, self.width)
