"""One picture of the sandbox, pushed down to every widget: the snapshot plus what the UI adds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from tutor.lessons.reveal import offsets_held, tells
from tutor.sim.snapshot import Snapshot


@dataclass(frozen=True)
class Losses:
    """The loss ledger's figures at one instant."""

    sent: int = 0
    acked: int = 0
    lost: int = 0              # at the producer, at a broker, or skipped by the consumer
    lost_acked: int = 0
    failed: int = 0            # the application was told (send errors)
    duplicated: int = 0
    processed: int = 0
    at_producer: int = 0
    at_broker: int = 0
    at_consumer: int = 0       # skipped by the consumer for good: in the log, never processed


@dataclass(frozen=True)
class Mark:
    """Something on the timeline: a failure, repair or setting change at time t."""

    t: float
    kind: str   # failure | repair | setting | restart
    text: str


@dataclass(eq=False)
class Frame:
    """Everything the sandbox widgets draw at one instant (compared by identity, so cheap to push)."""

    snap: Snapshot
    t: float                      # the displayed time (messages are interpolated at it)
    horizon: float                # the furthest computed time
    live: bool
    playing: bool
    speed: float
    seed: int
    title: str
    selected: str                 # "leader" or a node name
    ghosts: dict[str, list[int]] = field(default_factory=dict)
    acked: Callable[[int], bool] = lambda rid: False
    losses: Losses = Losses()
    events: list[Any] = field(default_factory=list)   # ledger Events up to t (the most recent ones)
    marks: list[Mark] = field(default_factory=list)
    inspected: int | None = None  # a record highlighted on screen
    fast: str = ""                # the fast-forward announcement while a quiet wait passes quickly
    held: frozenset[str] = frozenset()  # figures held back while a lesson's question asks about them
    member: str | None = None     # the consumer-group member the group keys aim at

    def figure(self, name: str, value: int) -> str:
        """A count as drawn ("1,234"), or "?" while a question asks about it."""
        return "?" if name in self.held else f"{value:,}"

    @property
    def offsets_hidden(self) -> bool:
        """Are the consumer's position and committed offset held back (the open question asks about one)?"""
        return offsets_held(self.held)

    @property
    def config(self) -> dict[str, dict[str, Any]]:
        """The settings in force (from the snapshot)."""
        return self.snap.config



def held_back(frame: Frame, held: frozenset[str]) -> Frame:
    """The frame with what an open question asks about held back: its counts as "?", no lost-record ghosts,
    no event line that tells it."""
    if not held:
        return frame
    events = [e for e in frame.events if not tells(e.text, held)]
    ghosts = {} if "lost" in held else frame.ghosts
    return dataclasses.replace(frame, held=held, events=events, ghosts=ghosts)
