"""The event log in an operator's words, newest last; failures, elections and ISR changes stand out."""

from __future__ import annotations

import textwrap

from rich.console import RenderableType
from rich.text import Text

from ..draw_group import REBALANCE_MARK, rebalancing
from ..frame import Frame
from .base import FrameWidget

KIND_STYLES = {"failure": "bold red", "repair": "bold green", "election": "yellow", "isr": "magenta",
               "truncate": "bold red", "offline": "bold red", "fence": "yellow", "restart": "green",
               "setting": "cyan", "produce-error": "yellow", "consumer": "blue", "recovery": "green",
               "group": "blue", "rebalance": "bold yellow"}
WELCOME = ("The sandbox: records flow from the producer through the brokers to the consumer. "
           "Break something (K kill, L power loss, Z zombie … ? lists every key), change settings (o), "
           "scrub time (← →). The lessons (main menu) walk through each way to lose a record.")


def event_line(e, width: int) -> Text:
    """"  12.30 s  broker-1 lost power: …" with the kind's colour."""
    line = Text(f"{e.t / 1000:8.2f} s  ", style="dim")
    if rebalancing(e.text):  # partitions change hands: marked, whatever kind the engine filed it under
        line.append(REBALANCE_MARK, style="bold yellow")
        line.append(e.text, style=KIND_STYLES["rebalance"])
    else:
        line.append(e.text, style=KIND_STYLES.get(e.kind, ""))
    line.truncate(width, overflow="ellipsis")
    return line


def wait_line(w, now: float, width: int) -> Text:
    """"  ◷ controller: broker-1's session expires in 7.0 s (broker.session.timeout.ms = 9000), then …"."""
    line = Text("      ◷  " if width >= 100 else " ◷ ", style="bold cyan")
    room = width - line.cell_len
    forms = (w.line(now), w.line(now, then=False), w.line(now, then=False, value=False))
    text = next((x for x in forms if len(x) <= room),  # narrow: the setting's name matters most
                w.line(now, then=False, value=False, who=False))
    line.append(text, style="cyan")
    line.truncate(width, overflow="ellipsis")
    return line


def pending_lines(frame: Frame, width: int, rows: int) -> list[Text]:
    """The waits that decide what happens next, with their countdowns (the newest event keeps a row)."""
    waits = frame.snap.waits if frame is not None else ()
    return [wait_line(w, frame.t, width) for w in waits[: max(min(rows - 1, 3), 1)]]


def welcome_lines(width: int, rows: int) -> list[str]:
    """The welcome wrapped to the width, cut to `rows` lines (the last one ends in … if cut)."""
    lines = textwrap.wrap(WELCOME, max(width, 10))
    if len(lines) > rows:
        lines = lines[:rows]
        lines[-1] = lines[-1][: max(width - 1, 0)] + "…"
    return lines


class EventLog(FrameWidget):
    """The most recent events that fit, pushed a Frame."""

    def key(self, frame: Frame) -> tuple:
        """How many events, and the last one."""
        last = frame.events[-1] if frame.events else None
        waits = tuple(w.line(frame.t) for w in frame.snap.waits)  # countdowns tick at a tenth of a second
        return len(frame.events), last and (last.t, last.text), waits

    def render(self) -> RenderableType:
        """As many of the newest events as there are rows."""
        f = self.frame
        rows, width = self.content_size.height, self.content_size.width
        events = f.events if f is not None else []
        if rows <= 0:
            return ""
        waits = pending_lines(f, width, rows)
        lines = [event_line(e, width) for e in events[-(rows - len(waits)):]] if rows > len(waits) else []
        lines += waits
        room = rows - len(lines)
        if room > 0:  # room to spare: the welcome stays on top until events fill the log
            lines[:0] = [Text(line, style="dim italic") for line in welcome_lines(width, room)]
        return Text("\n").join(lines)
