"""Small builders shared by the model's tests."""

from __future__ import annotations

from typing import Any

from tutor.sim.simulation import Simulation
from tutor.sim.spec import Action, Scenario


def scenario(events: list[Action] | None = None, seed: int = 1, **sections: dict[str, Any]) -> Scenario:
    """A scenario from keyword sections (RF=3 unless given) and events."""
    given = {k: dict(v) for k, v in sections.items()}
    given.setdefault("topic", {}).setdefault("replication.factor", 3)
    return Scenario(title="test", seed=seed, given=given, events=list(events or []))


def run(events: list[Action] | None = None, seed: int = 1, **sections: dict[str, Any]):
    """Run such a scenario to the end; returns (simulation, report)."""
    sim = Simulation(scenario(events, seed, **sections))
    return sim, sim.run_to_end()


def at(t: float, action: str, target: str | None = None, **params: Any) -> Action:
    """A timed action; params with __ for dots (restart__after__ms=...)."""
    return Action(action, target, at_ms=t, params={k.replace("__", "."): v for k, v in params.items()})


def texts(sim: Simulation) -> list[str]:
    """The operator's event log as plain lines."""
    return [e.text for e in sim.ledger.events]


def live(events: list[Action] | None = None, seed: int = 1, **sections: dict[str, Any]) -> Simulation:
    """A simulation that keeps running (no settling, no final recovery), to inspect at any time."""
    sim = Simulation(scenario(events, seed, **sections))
    sim.auto_finish = False
    return sim
