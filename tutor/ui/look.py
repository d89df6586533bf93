"""How each record state looks: a glyph, a short label and a colour, so it reads without colour too."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style

from tutor.sim.snapshot import (BUFFERED, COMMITTED, DUPLICATED, FAILED, FLUSHED, IN_FLIGHT, LOST,
                                PAGE_CACHE, PROCESSED, REPLICATED, STATE_NAMES, UNSENT)


@dataclass(frozen=True)
class Look:
    """The glyph, label and style of one record state."""

    glyph: str
    label: str
    style: Style


#: state code -> Look; glyphs differ by shape, not only by colour (monochrome, colour-blind)
LOOKS: dict[int, Look] = {
    UNSENT: Look("·", "not sent yet", Style(color="grey50")),
    BUFFERED: Look("○", "buffered in the producer", Style(color="bright_white")),
    IN_FLIGHT: Look("→", "in flight", Style(color="yellow")),
    PAGE_CACHE: Look("▒", "page cache only (volatile)", Style(color="magenta")),
    FLUSHED: Look("█", "flushed to a disk", Style(color="bright_blue")),
    REPLICATED: Look("⇉", "on a follower too", Style(color="cyan")),
    COMMITTED: Look("≡", "below HW (all ISR copies)", Style(color="green")),
    PROCESSED: Look("✓", "processed", Style(color="bright_green", dim=True)),
    DUPLICATED: Look("‡", "processed twice", Style(color="bright_cyan", bold=True)),
    FAILED: Look("!", "failed, app was told", Style(color="yellow", bold=True)),
    LOST: Look("✗", "lost", Style(color="red", bold=True, strike=True)),
}

#: extra marks that combine with a state
ACKED = Style(underline=True)            # the producer was told "acked"
LOST_ACKED = Style(color="bright_white", bgcolor="red", bold=True)  # lost although acked: loudest
GHOST = Style(color="red", dim=True, strike=True)  # a lost record where it died
SELECTED = Style(reverse=True)

BEING_PROCESSED = Look("◆", "being processed", Style(color="bright_yellow", bold=True))
QUEUED = Look("◇", "handed to the application, waiting", Style(color="yellow"))


def look(state: int) -> Look:
    """The look of a state code."""
    return LOOKS[state]


def legend() -> list[tuple[str, str, Style]]:
    """(glyph, label, style) for every state a learner can see, in pipeline order."""
    rows = [(LOOKS[s].glyph, LOOKS[s].label, LOOKS[s].style) for s in range(1, len(STATE_NAMES))]
    rows.insert(7, (BEING_PROCESSED.glyph, BEING_PROCESSED.label, BEING_PROCESSED.style))
    return rows
