"""A what-if of a lesson's run: a copy of its simulation with the events still to come, played to its end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from tutor.sim.simulation import Simulation, StepBudgetExceeded
from tutor.sim.spec import Action

from .measures import Live, Outcome
from .model import Change

Timed = tuple[float, Action]


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
