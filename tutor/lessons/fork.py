"""Running a lesson's simulation forward: replaying what happened, and playing a what-if to its end."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable

from tutor.sim.config import build_config, check_config
from tutor.sim.simulation import Simulation, StepBudgetExceeded
from tutor.sim.spec import Action, Scenario

from .measures import Live, Outcome
from .model import Change

Timed = tuple[float, Action]


@dataclass(frozen=True)
class Entry:
    """One thing the lesson or the learner did, in the step it happened in."""

    step: int
    t: float
    kind: str                        # "set" (live), "start" (folded into the scenario), "action", "restart"
    change: Change | None = None
    action: Action | None = None
    given: dict[str, dict[str, Any]] | None = None  # restart: every setting the new run starts with


def merged_given(scenario: Scenario, changes: Iterable[Change]) -> dict[str, dict[str, Any]]:
    """The scenario's settings with changes laid over them."""
    given = {s: dict(v) for s, v in scenario.given.items()}
    for section, key, value in changes:
        given.setdefault(section, {})[key] = value
    return given


def derive(given: dict[str, dict[str, Any]], changes: Iterable[Change]) -> list[Change]:
    """Every setting that changes when `changes` are made, derived ones included; ValueError if impossible."""
    changes = list(changes)
    new_given = {s: dict(v) for s, v in given.items()}
    for section, key, value in changes:
        new_given.setdefault(section, {})[key] = value
    old, new = build_config(given), build_config(new_given)
    problems = check_config(new, new_given)
    if problems:
        section, key, message = problems[0]
        raise ValueError(f"{section}.{key} {message}")
    out = []
    for section in ("cluster", "topic", "broker", "producer", "consumer", "workload", "network"):
        before, after = getattr(old, section) or {}, getattr(new, section) or {}
        out += [(section, k, v) for k, v in after.items() if before.get(k, v) != v]
    return out


def segment(scenario: Scenario, log: list[Entry]) -> tuple[Scenario, list[Entry]]:
    """The scenario the current run started from (after the last restart) and the live entries since."""
    last = max((i for i, e in enumerate(log) if e.kind == "restart"), default=-1)
    base = dataclasses.replace(scenario, given=log[last].given) if last >= 0 else scenario
    rest = log[last + 1:]
    starts = [e.change for e in rest if e.kind == "start"]
    if starts:
        base = dataclasses.replace(base, given=merged_given(base, starts))
    return base, [e for e in rest if e.kind in ("set", "action")]


def replay(scenario: Scenario, seed: int | None, log: list[Entry], until: float) -> Simulation:
    """A fresh simulation that does everything in `log` (since the last restart) at the same moments."""
    start, entries = segment(scenario, log)
    sim = Simulation(start, seed)
    sim.auto_finish = False
    for e in entries:
        sim.run(e.t)
        _do(sim, e)
    sim.run(until)
    return sim


def _do(sim: Simulation, e: Entry) -> None:
    """Apply one live entry to a simulation."""
    if e.kind == "set":
        sim.set(*e.change)
    else:
        sim.apply(e.action)


@dataclass
class Fork:
    """A copy of a run with its own future: events still to happen, at absolute times."""

    sim: Simulation
    future: list[Timed]

    def to(self, until: float) -> "Fork":
        """Run to `until`, applying the scheduled events on the way, within `tutor run`'s step budget."""
        while self.future and self.future[0][0] <= until:
            t, action = self.future.pop(0)
            run_bounded(self.sim, t)
            self.sim.apply(action)
        run_bounded(self.sim, until)
        return self

    def out(self) -> Outcome:
        """Run through the scheduled events, then to the end; measure the run."""
        if self.future:
            self.to(self.future[-1][0])
        return Outcome.of(self.sim)

    def live(self, until: float, step_start: float) -> Live:
        """Run to `until` and look at the run there."""
        from tutor.sim import snapshot

        self.to(until)
        return Live(snapshot.take(self.sim), self.sim, step_start)


#: how far one slice of run_bounded goes before the step count is looked at (simulated ms)
SLICE_MS = 1000.0


def run_bounded(sim: Simulation, until: float) -> None:
    """sim.run(until), in slices, raising StepBudgetExceeded past the budget `tutor run` gives a run."""
    budget = 2_000_000 + 200 * sim.workload_size()  # as Simulation.run_to_end
    while sim.phase != "done" and sim.now < until:
        sim.run(min(until, sim.now + SLICE_MS))
        if sim.loop.steps > budget:
            raise StepBudgetExceeded(f"{sim.scenario.source}: the run did not settle within {budget:,} steps "
                                     f"(at {sim.now:,.0f} ms)")


def fork(sim: Simulation, future: Iterable[Timed], changes: Iterable[Change] = ()) -> Fork:
    """A copy of the run with `changes` made now and `future` events scheduled."""
    copy = sim.checkpoint()
    copy.auto_finish = False
    for change in changes:
        copy.set(*change)
    return Fork(copy, sorted(future, key=lambda x: x[0]))
