"""Quiet stretches pass quickly: while nothing visible moves and the run waits for a Kafka timeout,
time runs faster until the wait ends (announced on screen; `a` turns it off)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.sim.snapshot import Snapshot
from tutor.sim.waits import Wait

WAIT_WALL_S = 2.0   # a quiet wait passes in about this much wall time
MAX_RATE = 20.0     # never more than this many simulated ms per wall ms (the model must keep up)
QUIET_WALL_S = 0.5  # nothing visible changed for this long on the wall: the stretch is quiet


def progress(snap: Snapshot) -> tuple:
    """What a learner sees move: outcomes, leadership, liveness, the consumer, the event log."""
    c = snap.counts
    return (c["acked"], c["committed"], c["processed"], c["failed"], c["lost"], c["duplicated"], snap.leader,
            snap.isr, tuple(b.up for b in snap.brokers), snap.consumer and snap.consumer.state, snap.events_seen)


def next_wait(snap: Snapshot, t: float) -> Wait | None:
    """The earliest wait still ahead of time t that has an end."""
    return next((w for w in snap.waits if w.due is not None and w.due > t), None)


@dataclass
class FastForward:
    """Decides, tick by tick, how much faster than the chosen speed time runs."""

    enabled: bool = True
    boost: float = 1.0
    target: Wait | None = None
    _seen: Any = None
    _since: float = 0.0

    def update(self, snap: Snapshot, t: float, speed: float, playing: bool, wall_now: float) -> float:
        """The boost for the next tick, given the latest snapshot and the time on screen."""
        key = progress(snap)
        if key != self._seen:
            self._seen, self._since = key, wall_now
            return self._stop()
        if not (self.enabled and playing) or wall_now - self._since < QUIET_WALL_S:
            return self._stop()
        wait = next_wait(snap, t)
        if wait is None:
            return self._stop()
        if self.target is None or wait.due != self.target.due or wait.who != self.target.who:
            self.target = wait
            self.boost = max(1.0, min((wait.due - t) / (WAIT_WALL_S * 1000.0 * speed), MAX_RATE / speed))
        return self.boost

    def _stop(self) -> float:
        """Back to the chosen speed."""
        self.boost, self.target = 1.0, None
        return 1.0

    def banner(self, speed: float) -> str:
        """The announcement while fast-forwarding ("" otherwise)."""
        if self.target is None or self.boost <= 1.0:
            return ""
        return f"▶▶ ×{speed * self.boost:.2g} while the {self.target.who} waits · a: off"
