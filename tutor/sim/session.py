"""Time travel over a run: play forward, scrub back through recorded snapshots, fork a what-if."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from . import snapshot
from .simulation import Simulation
from .spec import Action, Scenario

CHECKPOINT_EVERY_MS = 2000.0  # full copies of the run, to fork from without replaying it all


@dataclass
class Intervention:
    """Something the learner did at a moment: a failure, a repair or a setting change."""

    t: float
    kind: str              # "action" | "setting"
    action: Action | None = None
    setting: tuple[str, str, Any] | None = None

    def describe(self) -> str:
        """Words for the timeline."""
        if self.action is not None:
            return f"{self.action.action} {self.action.target or ''}".strip()
        section, key, value = self.setting
        return f"{key} = {value}"


@dataclass
class Session:
    """One learner's run: the simulation, its past (frames, checkpoints) and what the learner did."""

    scenario: Scenario
    seed: int | None = None
    auto_finish: bool = True
    sim: Simulation = field(init=False)
    frames: list[snapshot.Snapshot] = field(init=False, default_factory=list)
    checkpoints: list[tuple[float, Simulation]] = field(init=False, default_factory=list)
    interventions: list[Intervention] = field(init=False, default_factory=list)
    cursor: float = field(init=False, default=0.0)  # the time being shown

    def __post_init__(self) -> None:
        self.restart()

    # --- the present ---------------------------------------------------------------------
    def restart(self, seed: int | None = None) -> None:
        """Start the scenario over (optionally with another seed); the learner's changes are dropped."""
        if seed is not None:
            self.seed = seed
        self.sim = Simulation(self.scenario, self.seed)
        self.sim.auto_finish = self.auto_finish
        self.frames, self.checkpoints, self.interventions = [], [], []
        self.cursor = 0.0
        self._record()
        self._checkpoint()

    @property
    def horizon(self) -> float:
        """The furthest time computed so far."""
        return self.sim.now

    @property
    def live(self) -> bool:
        """Is the cursor at the present (not scrubbed back)?"""
        return self.cursor >= self.sim.now

    def advance(self, dt: float) -> snapshot.Snapshot:
        """Move the cursor forward by dt ms of virtual time, computing the future as needed."""
        return self.seek(self.cursor + dt)

    def seek(self, t: float) -> snapshot.Snapshot:
        """Show time t: a recorded frame in the past, or run the simulation up to it."""
        t = max(0.0, t)
        if t <= self.sim.now:
            self.cursor = t
            return self.frame_at(t)
        while self.sim.now < t and self.sim.phase != "done":
            self.sim.run(min(t, self.checkpoints[-1][0] + CHECKPOINT_EVERY_MS))
            if self.sim.now - self.checkpoints[-1][0] >= CHECKPOINT_EVERY_MS:
                self._checkpoint()
        self._record()
        self.cursor = min(t, self.sim.now)
        return self.frames[-1]

    def step(self) -> snapshot.Snapshot:
        """Run exactly to the next event (the single-step key)."""
        if not self.live:
            return self.seek(self.sim.now)
        nxt = self.sim.loop.peek()
        if nxt is not None and self.sim.phase != "done":
            self.sim.run(nxt)
            self._record()
        self.cursor = self.sim.now
        return self.frames[-1]

    def frame_at(self, t: float) -> snapshot.Snapshot:
        """The latest recorded frame at or before t."""
        i = bisect.bisect_right([f.t for f in self.frames], t) - 1
        return self.frames[max(i, 0)]

    # --- changing the course ---------------------------------------------------------------
    def apply(self, action: Action) -> list[str]:
        """Do something now; scrubbed back, it forks a new future from the cursor."""
        self._fork_here()
        self.interventions.append(Intervention(self.cursor, "action", action=action))
        lines = self.sim.apply(action)
        self._record()
        return lines

    def set(self, section: str, key: str, value: Any) -> None:
        """Change a setting now (forking if scrubbed back)."""
        self._fork_here()
        self.interventions.append(Intervention(self.cursor, "setting", setting=(section, key, value)))
        self.sim.set(section, key, value)
        self._record()

    def _fork_here(self) -> None:
        """Make the cursor the present: restore the run as it was then and forget the old future."""
        if self.live:
            return
        t = self.cursor
        i = bisect.bisect_right([c[0] for c in self.checkpoints], t) - 1
        base_t, base = self.checkpoints[max(i, 0)]
        self.checkpoints = self.checkpoints[: max(i, 0) + 1]
        self.frames = [f for f in self.frames if f.t <= base_t]
        self.interventions = [x for x in self.interventions if x.t <= t]
        self.sim = base.checkpoint()
        self.seek(t)

    # --- recording -----------------------------------------------------------------------
    def _record(self) -> None:
        """Keep a snapshot of now (replacing one taken at the same instant)."""
        snap = snapshot.take(self.sim)
        if self.frames and self.frames[-1].t == snap.t:
            self.frames[-1] = snap
        else:
            self.frames.append(snap)

    def _checkpoint(self) -> None:
        """Keep a full copy of the run now."""
        self.checkpoints.append((self.sim.now, self.sim.checkpoint()))

    def events(self, upto: float | None = None) -> list:
        """The operator's event log up to the cursor (or `upto`)."""
        t = self.cursor if upto is None else upto
        return [e for e in self.sim.ledger.events if e.t <= t]
