"""The status line: the key settings on the left, time, play state, speed, seed and target on the right."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..frame import Frame
from ..settings import show
from .base import FrameWidget


def settings_words(frame: Frame) -> str:
    """"acks=1 · linger.ms=5 · RF=3 · min.insync=1 · flush=never · unclean=off"."""
    c = frame.config
    p, t, b = c["producer"], c["topic"], c["broker"]
    flush = b["log.flush.interval.messages"]
    words = [f"acks={p['acks']}", f"idempotence={'on' if p['enable.idempotence'] else 'off'}",
             f"linger.ms={show(p['linger.ms'])}", f"RF={t['replication.factor']}",
             f"min.insync={t['min.insync.replicas']}", f"flush={'never' if flush is None else flush}",
             f"unclean={'on' if t['unclean.leader.election.enable'] else 'off'}"]
    return " · ".join(words)


def clock_words(frame: Frame) -> Text:
    """"12.34 s ▶ ×0.1 · seed 7 · LIVE"; REPLAY when scrubbed back."""
    text = Text()
    # while playing, tenths of a second are enough (and repaint the line less often)
    text.append(f"{frame.t / 1000:,.1f} s " if frame.playing else f"{frame.t / 1000:,.3f} s ", style="bold")
    text.append("▶" if frame.playing else "‖", style="bold green" if frame.playing else "bold yellow")
    text.append(f" ×{frame.speed:g} · seed {frame.seed} · ")
    if frame.live:
        text.append("LIVE", style="bold green")
    else:
        text.append("REPLAY", style="bold black on yellow")
    text.append(f" · target {frame.selected}", style="bold")
    return text


class StatusBar(FrameWidget):
    """One line at the top."""

    def key(self, frame: Frame) -> str:
        """The words it shows."""
        return settings_words(frame) + clock_words(frame).plain

    def render(self) -> RenderableType:
        """Settings left (cut when narrow), clock right."""
        if self.frame is None:
            return ""
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        left = Text.assemble(("tutor ", "bold"), ("sandbox", "bold reverse"), "  ", settings_words(self.frame))
        grid.add_row(left, clock_words(self.frame))
        return grid
