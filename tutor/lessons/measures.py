"""What questions and waits can measure: a finished run's outcome, or the live run at one instant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.sim.snapshot import STATE_NAMES, Snapshot

from .latency import Latency, latency

if TYPE_CHECKING:
    from tutor.sim.report import Report
    from tutor.sim.simulation import Simulation

#: numbers read from a run played out to its end (the report's summary, and produce latency)
OUTCOME_NUMBERS = ("sent", "acked", "send_errors", "unconfirmed", "processed", "duplicates", "lost",
                   "lost_acked", "lost_at.producer", "lost_at.broker", "lost_at.consumer",
                   "reordered", "latency.p50.ms", "latency.p99.ms", "latency.max.ms", "latency.mean.ms")
#: sets of record ids read from a run played out to its end
OUTCOME_IDS = ("lost_ids", "lost_acked_ids", "duplicated_ids")
#: record states at one instant, counted (the snapshot's states; spaces become underscores)
STATE_COUNTS = tuple(n.replace(" only", "").replace(" ", "_") for n in STATE_NAMES if n != "unsent")
#: numbers read from the live run at one instant
LIVE_NUMBERS = ("t", "elapsed", "sent", "acked", "send_errors", "lost_acked") + tuple(
    n for n in STATE_COUNTS if n not in ("sent", "acked")) + (
    "isr", "offline", "leader_epoch", "hw", "leo", "unflushed", "producer.blocked",
    "consumer.processed", "consumer.committed", "consumer.position")


@dataclass
class Outcome:
    """A run played out to its end: its report, its produce latency, and the finished simulation."""

    report: "Report"
    latency: Latency
    sim: "Simulation"

    @classmethod
    def of(cls, sim: "Simulation") -> "Outcome":
        """Settle a simulation (a copy the caller owns) and measure it."""
        sim.auto_finish = True
        report = sim.run_to_end()
        return cls(report, latency(sim), sim)

    def value(self, name: str) -> float:
        """One of OUTCOME_NUMBERS."""
        if name.startswith("latency."):
            return float(getattr(self.latency, name.split(".")[1]))
        if name == "reordered":
            return reordered(self.sim)
        return self.report.value(name)

    def ids(self, name: str) -> frozenset[int]:
        """One of OUTCOME_IDS."""
        return frozenset(self.report.ids(name[: -len("_ids")]))


@dataclass
class Live:
    """The live run at one instant: its snapshot, the simulation, and when the current step began."""

    snap: Snapshot
    sim: "Simulation"
    step_start: float = 0.0

    def value(self, name: str) -> float:
        """One of LIVE_NUMBERS."""
        return float(_LIVE[name](self))

    def ids(self, name: str) -> frozenset[int]:
        """The live run has no final fates yet."""
        raise KeyError(name)


def _leader(live: Live) -> Any:
    """The controller's leader as the snapshot shows it, or None when offline."""
    return next((b for b in live.snap.brokers if b.leader), None)


def _state(name: str):
    """A reader for one record-state count."""
    full = next(n for n in STATE_NAMES if n.replace(" only", "").replace(" ", "_") == name)
    return lambda live: live.snap.counts[full]


def _consumer(field: str):
    """A reader for one consumer figure (-1 when there is none, or it is unset)."""
    def read(live: Live) -> float:
        """The figure, or -1."""
        c = live.snap.consumer
        value = getattr(c, field) if c is not None else None
        return -1 if value is None else value
    return read


_LIVE = {
    "t": lambda live: live.snap.t,
    "elapsed": lambda live: live.snap.t - live.step_start,
    "sent": lambda live: live.snap.counts["sent"],
    "acked": lambda live: live.snap.counts["acked"],
    "lost_acked": lambda live: live.snap.counts["lost_acked"],
    "send_errors": lambda live: sum(1 for t in live.sim.ledger.told if t and t[0] == "failed"),
    **{name: _state(name) for name in STATE_COUNTS if name not in ("sent", "acked")},
    "isr": lambda live: len(live.snap.isr),
    "offline": lambda live: 0 if live.snap.leader else 1,
    "leader_epoch": lambda live: live.snap.leader_epoch,
    "hw": lambda live: _leader(live).hw if _leader(live) else 0,
    "leo": lambda live: _leader(live).leo if _leader(live) else 0,
    "unflushed": lambda live: _leader(live).unflushed if _leader(live) else 0,
    "producer.blocked": lambda live: int(live.snap.producer.blocked),
    "consumer.processed": _consumer("processed"),
    "consumer.committed": _consumer("committed"),
    "consumer.position": _consumer("position"),
}


def reordered(sim: "Simulation") -> int:
    """Records that landed in the final committed log after a record sent later (first copies only)."""
    from tutor.sim.report import final_leader

    leader = final_leader(sim)
    if leader is None:
        return 0
    seen: set[int] = set()
    highest, count = -1, 0
    for rid in leader.replica.log.ids(0, leader.replica.hw):
        if rid in seen:
            continue
        seen.add(rid)
        count += rid < highest
        highest = max(highest, rid)
    return count
