"""The status line: key settings on the left, time and play state on the right; the least important
items give way first when the line is too narrow."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from ..draw_group import drawn_members
from ..frame import Frame
from ..settings import show
from .base import FrameWidget

SEPARATOR = " · "
GAP = 2  # at least this many columns between the settings and the clock


@dataclass(frozen=True)
class Item:
    """One piece of the line: its text, its style, how much it matters (higher stays longer), and what
    separates it from the piece before."""

    text: str
    rank: int
    style: str | Style = ""
    before: str = SEPARATOR


def setting_items(frame: Frame) -> list[Item]:
    """The settings that decide most losses, in reading order."""
    c = frame.config
    p, t, b = c["producer"], c["topic"], c["broker"]
    flush = b["log.flush.interval.messages"]
    return [Item("tutor sandbox", 10, "bold reverse"), Item(f"acks={p['acks']}", 90, "bold", "  "),
            Item(f"idempotence={'on' if p['enable.idempotence'] else 'off'}", 45),
            Item(f"linger.ms={show(p['linger.ms'])}", 30), Item(f"RF={t['replication.factor']}", 55),
            Item(f"min.insync={t['min.insync.replicas']}", 60),
            Item(f"flush={'never' if flush is None else flush}", 40),
            Item(f"unclean={'on' if t['unclean.leader.election.enable'] else 'off'}", 50)]


def clock_items(frame: Frame) -> list[Item]:
    """Time, play state, speed, seed, LIVE or REPLAY, and the failure keys' target."""
    # while playing, tenths of a second are enough (and repaint the line less often)
    when = f"{frame.t / 1000:,.1f} s" if frame.playing else f"{frame.t / 1000:,.3f} s"
    play = Item("▶", 100, "bold green", " ") if frame.playing else Item("‖", 100, "bold yellow", " ")
    live = Item("LIVE", 95, "bold green") if frame.live else Item("REPLAY", 95, "bold black on yellow")
    items = [Item(when, 100, "bold"), play, Item(f"×{frame.speed:g}", 95, before=" ")]
    if frame.fast:
        items.append(Item(frame.fast, 96, "bold black on cyan"))
    items += [Item(f"seed {frame.seed}", 20), live, Item(f"target {frame.selected}", 70, "bold")]
    if frame.member and drawn_members(frame.snap):  # the group keys' member, where a group's box is drawn
        items.append(Item(f"member {frame.member}", 65, "bold"))
    return items


def assemble(items: list[Item]) -> Text:
    """The items as styled text, each after its separator (none before the first)."""
    text = Text()
    for n, item in enumerate(items):
        if n:
            text.append(item.before)
        text.append(item.text, style=item.style)
    return text


def fits(left: list[Item], right: list[Item], columns: int) -> bool:
    """Do both sides fit on one line with a gap between them?"""
    return assemble(left).cell_len + GAP + assemble(right).cell_len <= columns


def choose(columns: int, left: list[Item], right: list[Item]) -> tuple[list[Item], list[Item]]:
    """Keep items from the highest rank down while they fit; order on the line stays as given."""
    kept: set[int] = set()
    for item in sorted(left + right, key=lambda i: -i.rank):
        trial = kept | {id(item)}
        if fits([i for i in left if id(i) in trial], [i for i in right if id(i) in trial], columns):
            kept = trial
    return [i for i in left if id(i) in kept], [i for i in right if id(i) in kept]


def status_line(frame: Frame, columns: int) -> Text:
    """The whole line at `columns`: the most important items that fit, the rest left out."""
    left, right = choose(columns, setting_items(frame), clock_items(frame))
    text, clock = assemble(left), assemble(right)
    text.append(" " * max(columns - text.cell_len - clock.cell_len, GAP if left else 0))
    text.append_text(clock)
    text.truncate(columns)
    return text


class StatusBar(FrameWidget):
    """One line at the top."""

    def key(self, frame: Frame) -> tuple:
        """What the line is made of (the items decide it; laying them out is left to a repaint)."""
        return tuple(setting_items(frame)), tuple(clock_items(frame))

    def render(self) -> RenderableType:
        """The line at the widget's width."""
        if self.frame is None:
            return ""
        return status_line(self.frame, self.size.width)
