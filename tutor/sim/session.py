"""A run's history, in one place: play forward, scrub back, change settings (with the ones they derive), fail
nodes, restart, rewind to a mark, branch a what-if and replay what was done onto a new start."""

from __future__ import annotations

import bisect
import copy
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import snapshot
from .config import build_config, check_config
from .simulation import Simulation
from .spec import Action, Scenario

Change = tuple[str, str, Any]  # (section, key, value)
SECTIONS = ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")

CHECKPOINT_EVERY_MS = 2000.0  # full copies of the run, to fork from without replaying it all
MAX_FRAMES = 20000            # recorded frames kept; older ones are thinned beyond this
CHECKPOINT_SHARE = 0.2        # copies may cost at most this share of the time spent running


@dataclass
class Intervention:
    """Something the learner did at a moment: a failure, a repair or a setting change."""

    t: float
    kind: str              # "action" | "setting"
    action: Action | None = None
    setting: tuple[str, str, Any] | None = None
    derived: bool = False  # a setting the client derived from one the learner set (not set by hand)

    def describe(self) -> str:
        """Words for the timeline."""
        if self.action is not None:
            return f"{self.action.action} {self.action.target or ''}".strip()
        section, key, value = self.setting
        return f"{key} = {str(value).lower() if isinstance(value, bool) else value}"  # as Kafka writes it


@dataclass(frozen=True)
class Mark:
    """A moment of a session to come back to: the scenario its run started from and what was done until then."""

    t: float
    scenario: Scenario
    done: tuple[Intervention, ...]


def merged_given(given: dict[str, dict[str, Any]], changes: Iterable[Change]) -> dict[str, dict[str, Any]]:
    """Settings with changes laid over them (a new dict; the old one is left alone)."""
    out = {s: dict(v) for s, v in given.items()}
    for section, key, value in changes:
        out.setdefault(section, {})[key] = value
    return out


def derive(given: dict[str, dict[str, Any]], changes: Iterable[Change]) -> list[Change]:
    """Every setting that changes when `changes` are made, derived ones included; ValueError if impossible."""
    new_given = merged_given(given, changes)
    old, new = build_config(given), build_config(new_given)
    problems = check_config(new, new_given)
    if problems:
        section, key, message = problems[0]
        raise ValueError(f"{section}.{key} {message}")
    out = []
    for section in SECTIONS:
        before, after = getattr(old, section) or {}, getattr(new, section) or {}
        out += [(section, k, v) for k, v in after.items() if before.get(k, v) != v]
    return out


@dataclass
class Session:
    """One learner's run: the simulation, its past (frames, checkpoints) and what the learner did."""

    scenario: Scenario
    seed: int | None = None
    auto_finish: bool = True
    keep_past: bool = True  # False: no older frames and no copies beyond the start (nothing will scrub back)
    sim: Simulation = field(init=False)
    frames: list[snapshot.Snapshot] = field(init=False, default_factory=list)
    checkpoints: list[tuple[float, Simulation, int]] = field(init=False, default_factory=list)
    # (time, copy, how many interventions it already contains)
    interventions: list[Intervention] = field(init=False, default_factory=list)
    cursor: float = field(init=False, default=0.0)  # the time being shown

    def __post_init__(self) -> None:
        self.restart()

    # --- the present ---------------------------------------------------------------------
    def restart(self, seed: int | None = None, scenario: Scenario | None = None) -> None:
        """Start over (optionally with another seed or scenario); the learner's changes are dropped."""
        if seed is not None:
            self.seed = seed
        if scenario is not None:
            self.scenario = scenario
        self.sim = Simulation(self.scenario, self.seed)
        self.sim.auto_finish = self.auto_finish
        self._prepared: tuple | None = None  # (moment, session) made by prepare_restart
        self.frames, self.checkpoints, self.interventions = [], [], []
        self.frame_times: list[float] = []
        self.cursor = 0.0
        self._run_wall = self._copy_wall = 0.0
        self.copying = True  # False while a replay for a verdict runs: it keeps no copies on the way
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
        self._run_to(t)
        self._record()
        self.cursor = min(t, self.sim.now)
        return self.frames[-1]

    def _run_to(self, t: float) -> None:
        """Run the simulation to t, keeping checkpoints while they stay cheap beside the running."""
        while self.sim.now < t and self.sim.phase != "done":
            started = time.perf_counter()
            self.sim.run(_slice_end(self.sim, t))
            self._run_wall += time.perf_counter() - started
            due = self.keep_past and self.copying and self.sim.now - self.checkpoints[-1][0] >= CHECKPOINT_EVERY_MS
            if due and self._copy_wall <= CHECKPOINT_SHARE * self._run_wall:
                self._checkpoint()

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
        i = bisect.bisect_right(self.frame_times, t) - 1
        return self.frames[max(i, 0)]

    # --- changing the course ---------------------------------------------------------------
    def apply(self, action: Action) -> list[str]:
        """Do something now; scrubbed back, it forks a new future from the cursor."""
        self._fork_here()
        self.interventions.append(Intervention(self.cursor, "action", action=action))
        lines = self.sim.apply(action)
        self._record()
        return lines

    def set(self, section: str, key: str, value: Any, derived: bool = False) -> None:
        """Change a setting now (forking if scrubbed back); `derived`: the client's consequence of another."""
        self._fork_here()
        self.interventions.append(Intervention(self.cursor, "setting", setting=(section, key, value),
                                               derived=derived))
        self.sim.set(section, key, value)
        self._record()

    def given(self, upto: float | None = None) -> dict[str, dict[str, Any]]:
        """What the scenario and the learner set by hand, as of the cursor (or `upto`); the rest are defaults."""
        t = self.cursor if upto is None else upto
        return merged_given(self.scenario.given, [x.setting for x in self.interventions
                                                  if x.kind == "setting" and not x.derived and x.t <= t])

    def change(self, explicit: list[Change]) -> list[Change]:
        """Set settings now with the ones the client derives from them; the changes made (ValueError if they
        cannot run together, and then nothing changes)."""
        made = derive(self.given(self.sim.now), explicit)
        asked = {(s, k) for s, k, _ in explicit}
        for section, key, value in made:
            self.set(section, key, value, derived=(section, key) not in asked)
        return made

    def _fork_here(self) -> None:
        """Make the cursor the present: restore the run as it was then and forget the old future."""
        if self.live:
            return
        t = self.cursor
        i = self._checkpoint_before(t)
        base_t = self.checkpoints[i][0]
        self.sim = self.copy_at(t)
        self.checkpoints = self.checkpoints[: i + 1]
        self.frames = [f for f in self.frames if f.t <= base_t]
        self.frame_times = [f.t for f in self.frames]
        self.interventions = [x for x in self.interventions if x.t <= t]
        self._record()
        self.cursor = self.sim.now

    def _checkpoint_before(self, t: float) -> int:
        """Index of the last checkpoint at or before t."""
        return max(bisect.bisect_right([c[0] for c in self.checkpoints], t) - 1, 0)

    def copy_at(self, t: float) -> Simulation:
        """The run as it was at time t, rebuilt from a checkpoint with the learner's later actions
        replayed; the session itself is left alone."""
        _, base, applied = self.checkpoints[self._checkpoint_before(t)]
        sim = base.checkpoint()
        for x in self.interventions[applied:]:
            if x.t > t:
                break
            sim.run(x.t)
            self._replay(x, sim)
        sim.run(t)
        return sim

    @staticmethod
    def _replay(x: Intervention, sim: Simulation) -> None:
        """Do again, on a restored run, what the learner did then."""
        if x.action is not None:
            sim.apply(x.action)
        else:
            sim.set(*x.setting)

    # --- marks, rewinds, branches and replays ------------------------------------------------
    def mark(self) -> Mark:
        """The present, to come back to with rewind()."""
        return Mark(self.sim.now, self.scenario, tuple(self.interventions))

    def rewind(self, mark: Mark) -> None:
        """Go back to a mark: the run started again from its scenario, with what was done until then replayed."""
        self.restart(scenario=mark.scenario)
        self.replay(mark.done, mark.t)

    def replay(self, done: Iterable[Intervention], until: float) -> None:
        """Do again, at the same moments, what was done on another run of this start; then run to `until`."""
        for x in done:
            self.seek(x.t)
            if x.action is not None:
                self.apply(x.action)
            else:
                self.set(*x.setting, derived=x.derived)
        if until > self.sim.now:
            self.seek(until)

    def restart_with(self, changes: list[Change]) -> None:
        """Settings that only apply at start: start again with them folded in, replaying what was done up to now
        (ValueError if they cannot run together, and then nothing changes). A replay already made for these
        changes from this very moment (prepare_restart) is taken over instead of being played again."""
        ready, self._prepared = self._prepared, None
        if ready is not None and ready[0] == self._moment(changes):
            self._adopt(ready[1])
            return
        start = self._start_with(changes)
        done, now = tuple(self.interventions), self.sim.now
        self.restart(scenario=start)
        self.replay(done, now)

    def prepare_restart(self, changes: list[Change]) -> "Session":
        """The session restart_with(changes) would make now, made without touching this one; restart_with from
        this same moment takes it over (so do not play it on: play a copy of its run)."""
        other = self.replayed_with(changes)
        self._prepared = (self._moment(changes), other)
        return other

    def _moment(self, changes: list[Change]) -> tuple:
        """This session's present and a set of changes, as a key (True and 1 told apart)."""
        return (id(self.sim), self.sim.loop.steps, self.sim.now, len(self.interventions), id(self.scenario),
                tuple((s, k, type(v).__name__, v) for s, k, v in changes))

    def _adopt(self, other: "Session") -> None:
        """Become another session of the same learner: its start, run, past and interventions."""
        self.scenario, self.seed, self.sim = other.scenario, other.seed, other.sim
        self.frames, self.frame_times, self.checkpoints = other.frames, other.frame_times, other.checkpoints
        self.interventions, self.cursor = other.interventions, other.cursor
        self._run_wall, self._copy_wall = other._run_wall, other._copy_wall

    def replayed_with(self, changes: list[Change]) -> "Session":
        """A new session started with `changes` folded in and what was done up to now replayed; this one stays."""
        other = Session(self._start_with(changes), self.seed, self.auto_finish, self.keep_past)
        other.copying = False  # a verdict waits on this replay: a fork into its past replays from the start
        other.replay(self.interventions, self.sim.now)
        other.copying = True
        return other

    def replayed_sim(self, changes: list[Change], watch: frozenset | None = None) -> Simulation:
        """The run replayed_with(changes) would have, without the frames and checkpoints a session keeps: for a
        what-if that is only played on to its end (ValueError if the changes cannot run together). With `watch`,
        the run notes which of those settings it reads (Simulation.reads)."""
        sim = Simulation(self._start_with(changes), self.seed, watch)
        sim.auto_finish = self.auto_finish
        for x in self.interventions:
            _run_in_slices(sim, x.t)
            self._replay(x, sim)
        _run_in_slices(sim, self.sim.now)
        return sim

    def start_config(self, changes: list[Change]) -> Any:
        """The configuration a run replayed with `changes` starts from (ValueError if they cannot run together)."""
        return self._start_with(changes).config

    def _start_with(self, changes: list[Change]) -> Scenario:
        """This session's scenario with changes folded in; ValueError if they cannot run together."""
        derive(self.scenario.given, changes)
        return dataclasses.replace(self.scenario, given=merged_given(self.scenario.given, changes))

    def branch(self) -> "Session":
        """A copy of this session at its present with a future of its own (the past is shared, not replayed)."""
        other = copy.copy(self)
        other._prepared = None
        other.sim = self.sim.checkpoint()
        other.frames, other.frame_times = list(self.frames), list(self.frame_times)
        other.checkpoints, other.interventions = list(self.checkpoints), list(self.interventions)
        other.cursor = other.sim.now
        return other

    # --- recording -----------------------------------------------------------------------
    def _record(self) -> None:
        """Keep a snapshot of now (replacing one taken at the same instant)."""
        snap = snapshot.take(self.sim)
        if self.frames and (self.frames[-1].t == snap.t or not self.keep_past):
            if not self.keep_past:
                self.frame_times[-1] = snap.t
            self.frames[-1] = snap
            return
        if self.frames:
            self.frames[-1] = self.frames[-1].packed()  # only the newest frame stays unpacked
        self.frames.append(snap)
        self.frame_times.append(snap.t)
        if len(self.frames) > MAX_FRAMES:  # thin the older half: keep every other frame there
            half = len(self.frames) // 2
            self.frames = self.frames[:half:2] + self.frames[half:]
            self.frame_times = [f.t for f in self.frames]

    def _checkpoint(self) -> None:
        """Keep a full copy of the run now, and what it cost."""
        started = time.perf_counter()
        self.checkpoints.append((self.sim.now, self.sim.checkpoint(), len(self.interventions)))
        self._copy_wall += time.perf_counter() - started

    def events(self, upto: float | None = None) -> list:
        """The operator's event log up to the cursor (or `upto`)."""
        t = self.cursor if upto is None else upto
        return [e for e in self.sim.ledger.events if e.t <= t]


def _slice_end(sim: Simulation, t: float) -> float:
    """Where the next slice of a run towards t ends: a session runs (and may keep a checkpoint) in slices."""
    return min(t, sim.now + CHECKPOINT_EVERY_MS)


def _run_in_slices(sim: Simulation, t: float) -> None:
    """Run to t in the same slices as a session, so a run replayed without one stays the same run."""
    while sim.now < t and sim.phase != "done":
        sim.run(_slice_end(sim, t))
