"""The lesson screen's status line (where in the lesson, the key settings, the clock) and its event strip."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive

from ..frame import Frame
from ..settings import show
from .base import FrameWidget
from .event_log import event_line


def setting_words(frame: Frame) -> str:
    """The settings that decide most losses: "acks=1 · idempotence=off · RF=3 · min.insync=1 · …"."""
    c = frame.config
    p, t, b = c["producer"], c["topic"], c["broker"]
    flush = b["log.flush.interval.messages"]
    return " · ".join([f"acks={p['acks']}", f"idempotence={'on' if p['enable.idempotence'] else 'off'}",
                       f"linger.ms={show(p['linger.ms'])}", f"RF={t['replication.factor']}",
                       f"min.insync={t['min.insync.replicas']}", f"flush={'never' if flush is None else flush}",
                       f"unclean={'on' if t['unclean.leader.election.enable'] else 'off'}"])


def clock_text(frame: Frame) -> Text:
    """"1.234 s ‖ ×0.1 · LIVE · target leader"; REPLAY when scrubbed back."""
    text = Text(f"{frame.t / 1000:,.1f} s " if frame.playing else f"{frame.t / 1000:,.3f} s ", style="bold")
    text.append("▶" if frame.playing else "‖", style="bold green" if frame.playing else "bold yellow")
    text.append(f" ×{frame.speed:g} · ")
    text.append("LIVE" if frame.live else "REPLAY", style="bold green" if frame.live else "bold black on yellow")
    text.append(f" · target {frame.selected}", style="bold")
    return text


class LessonBar(FrameWidget):
    """One line: "Lesson 4 · step 3/6" and the settings on the left, the clock on the right."""

    where: reactive[str] = reactive("", repaint=True)
    badge: reactive[str] = reactive("", repaint=True)   # e.g. "AFTER YOUR ANSWER" while a copy plays on

    def key(self, frame: Frame) -> tuple:
        """The words it shows."""
        return self.where, self.badge, setting_words(frame), clock_text(frame).plain

    def render(self) -> RenderableType:
        """Where and settings left (cut when narrow), the clock right."""
        if self.frame is None:
            return ""
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        left = Text.assemble(("tutor ", "bold"), (f" {self.where} ", "bold reverse"), "  ",
                             setting_words(self.frame))
        clock = clock_text(self.frame)
        if self.badge:
            clock = Text.assemble((f" {self.badge} ", "bold black on cyan"), " ", clock)
        grid.add_row(left, clock)
        return grid


class LessonEvents(FrameWidget):
    """The newest engine events that fit, newest last (no welcome text: the narration speaks)."""

    def key(self, frame: Frame) -> tuple:
        """How many events, and the last one."""
        last = frame.events[-1] if frame.events else None
        return len(frame.events), last and (last.t, last.text)

    def render(self) -> RenderableType:
        """As many of the newest events as there are rows."""
        rows, width = self.content_size.height, self.content_size.width
        events = self.frame.events if self.frame is not None else []
        if rows <= 0 or not events:
            return Text("events appear here as they happen", style="dim italic") if rows > 0 else ""
        return Text("\n").join(event_line(e, width) for e in events[-rows:])
