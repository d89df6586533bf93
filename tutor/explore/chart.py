"""The Pareto chart of latency against acknowledged loss: as text for a terminal and as an SVG file."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .metrics import FRONTIER_LATENCY, Row
from .sweep import settings_text

X_LABEL = f"{FRONTIER_LATENCY} produce latency (ms)"
Y_LABEL = "records lost although acknowledged"


@dataclass(frozen=True)
class Point:
    """One configuration on the chart."""

    x: float
    y: float
    label: str  # the row number as the table shows it
    frontier: bool
    text: str  # the settings, for a tooltip


def points(rows: list[Row]) -> list[Point]:
    """The rows as chart points, numbered from 1 like the table."""
    return [Point(r.latency, float(r.acked_loss), str(r.index + 1), r.frontier, settings_text(r.settings))
            for r in rows]


def _span(values: list[float], padding: float = 0.05) -> tuple[float, float]:
    """A (low, high) range that is never empty, padded by a share of its width."""
    low, high = min(values, default=0.0), max(values, default=1.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = (high - low) * padding
    return low - pad, high + pad


def _frontier_line(pts: list[Point]) -> list[Point]:
    """The frontier points from lowest latency to highest."""
    return sorted((p for p in pts if p.frontier), key=lambda p: (p.x, -p.y))


def text_chart(rows: list[Row], width: int = 60, height: int = 14) -> list[str]:
    """The chart as lines of text: `*` on the frontier, `o` off it, numbers beside frontier points."""
    pts = points(rows)
    (x0, x1), (y0, y1) = _span([p.x for p in pts], 0), _span([p.y for p in pts], 0)
    cells: dict[tuple[int, int], list[Point]] = {}
    for p in pts:  # high loss at the top
        cell = (round((y1 - p.y) / (y1 - y0) * (height - 1)), round((p.x - x0) / (x1 - x0) * (width - 1)))
        cells.setdefault(cell, []).append(p)
    room = width + 12  # labels may run past the right edge
    grid = [[" "] * room for _ in range(height)]
    for (line, col), here in sorted(cells.items(), key=lambda c: any(p.frontier for p in c[1])):
        labels = ",".join(p.label for p in here if p.frontier)
        grid[line][col] = "*" if labels else "o"
        for k, ch in enumerate(labels):
            if col + 1 + k < room and grid[line][col + 1 + k] == " ":
                grid[line][col + 1 + k] = ch
    top, bottom = f"{y1:.0f}", f"{y0:.0f}"
    margin = max(len(top), len(bottom)) + 1
    lines = [f"acknowledged loss (up) against {X_LABEL} (right); * on the Pareto frontier"]
    for i, cells in enumerate(grid):
        tick = top if i == 0 else bottom if i == height - 1 else ""
        lines.append(f"{tick:>{margin}}|" + "".join(cells).rstrip())
    lines.append(" " * margin + "+" + "-" * width)
    left, right = f"{x0:.1f}", f"{x1:.1f}"
    lines.append(" " * (margin + 1) + left + " " * max(1, width - len(left) - len(right)) + right)
    return lines


def svg_chart(rows: list[Row], title: str, width: int = 720, height: int = 440) -> str:
    """The chart as a standalone SVG document: axes, points, the frontier as a line, a tooltip per point."""
    pts = points(rows)
    (x0, x1), (y0, y1) = _span([p.x for p in pts]), _span([p.y for p in pts])
    left, right, top, bottom = 70, 20, 40, 50
    pw, ph = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        """Data x to pixels."""
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        """Data y to pixels (up is more loss)."""
        return top + (y1 - y) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>']
    out += _ticks(x0, x1, y0, y1, sx, sy, left, top + ph)
    out.append(f'<text x="{left + pw / 2}" y="{height - 12}" text-anchor="middle">{escape(X_LABEL)}</text>')
    out.append(f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {top + ph / 2})">{escape(Y_LABEL)}</text>')
    line = _frontier_line(pts)
    if len(line) > 1:
        path = " ".join(f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in line)
        out.append(f'<polyline points="{path}" fill="none" stroke="#c0392b" stroke-width="1.5"/>')
    for p in sorted(pts, key=lambda p: p.frontier):
        colour = "#c0392b" if p.frontier else "#7f8c8d"
        out.append(f'<g><title>#{p.label}: {escape(p.text)}</title>'
                   f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="{5 if p.frontier else 4}" fill="{colour}"/>'
                   f'<text x="{sx(p.x) + 7:.1f}" y="{sy(p.y) - 6:.1f}" fill="{colour}">{p.label}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _ticks(x0: float, x1: float, y0: float, y1: float, sx, sy, left: float, base: float) -> list[str]:
    """Five labelled ticks on each axis."""
    out = []
    for k in range(5):
        x = x0 + (x1 - x0) * (k + 0.5) / 5
        y = y0 + (y1 - y0) * (k + 0.5) / 5
        out.append(f'<text x="{sx(x):.1f}" y="{base + 16}" text-anchor="middle">{x:.1f}</text>')
        out.append(f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.0f}</text>')
    return out


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
