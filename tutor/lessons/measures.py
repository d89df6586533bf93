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
                   "reordered", "latency.p50.ms", "latency.p99.ms", "latency.max.ms", "latency.mean.ms",
                   "last_ack.ms", "lost_silently", "lost_in.spool", "lost_in.app_queue", "lost_in.accumulator",
                   "lost_in.in_flight")
#: sets of record ids read from a run played out to its end
OUTCOME_IDS = ("lost_ids", "lost_acked_ids", "duplicated_ids")
#: record states at one instant, counted (the snapshot's states; spaces become underscores)
STATE_COUNTS = tuple(n.replace(" only", "").replace(" ", "_") for n in STATE_NAMES if n != "unsent")
#: numbers read from the live run at one instant
LIVE_NUMBERS = ("t", "elapsed", "sent", "acked", "send_errors", "lost_acked") + tuple(
    n for n in STATE_COUNTS if n not in ("sent", "acked")) + (
    "isr", "offline", "leader_epoch", "hw", "leo", "unflushed", "producer.blocked",
    "consumer.processed", "consumer.committed", "consumer.position", "group.owned", "group.generation")


#: plain words for the measures a question can ask about
WORDS = {
    "sent": "records sent", "acked": "records acknowledged", "send_errors": "records whose send failed",
    "unconfirmed": "records never answered", "processed": "records processed", "duplicates":
    "duplicate processings", "lost": "records lost", "lost_acked": "acknowledged records lost",
    "lost_at.producer": "records lost in the producer", "lost_at.broker": "records lost in the brokers",
    "lost_at.consumer": "records the consumer skipped", "reordered": "records written out of order", "latency.p50.ms": "median produce latency",
    "latency.p99.ms": "p99 produce latency", "latency.max.ms": "longest produce latency",
    "latency.mean.ms": "mean produce latency", "last_ack.ms": "time of the last acknowledgement",
    "lost_silently": "records lost with nobody told", "lost_in.spool": "records lost from the spool",
    "lost_in.app_queue": "records lost from the application's own queue",
    "lost_in.accumulator": "records lost from the producer's buffer",
    "lost_in.in_flight": "records lost in flight", "lost_ids": "records lost",
    "lost_acked_ids": "acknowledged records lost", "duplicated_ids": "records processed twice",
    "hw": "high watermark", "isr": "ISR size", "consumer.committed": "committed offset",
    "consumer.position": "consumer position", "consumer.processed": "records processed",
    "group.owned": "partitions a running member holds", "group.generation": "group generation",
    "committed": "records committed", "unflushed": "unflushed records on the leader",
    "t": "time since the run started", "elapsed": "time since the step started",
    "buffered": "records in the producer's buffer", "in_flight": "records on their way to the leader",
    "page_cache": "records only in the leader's page cache", "flushed": "records on a disk",
    "replicated": "records on more than one replica", "duplicated": "records processed twice",
    "failed": "records whose send failed", "leo": "leader's log end offset",
    "offline": "partition offline", "leader_epoch": "leader epoch", "producer.blocked": "send() blocked",
    "lost_includes": "records lost", "lost_excludes": "records lost",
    "duplicated_includes": "records processed twice",
}


def amount(x: float, unit: str = "") -> str:
    """A figure as a learner reads it: thousands separators, no needless ".0", its unit ("1,200 ms")."""
    if float(x).is_integer():
        text = f"{int(x):,}"
    else:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def unit_of(measure: str) -> str:
    """The unit of a measure's figures ("ms" for latencies and times), or ""."""
    return "ms" if measure.endswith(".ms") or measure in ("t", "elapsed") else ""


def words(measure: str) -> str:
    """A measure in plain words."""
    return WORDS.get(measure, measure.replace("_", " ").replace(".", " "))


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
        if name == "last_ack.ms":
            return last_ack(self.sim)
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
    "group.owned": lambda live: _owned(live),
    "group.generation": lambda live: live.snap.group.generation if live.snap.group else 0,
}


def _owned(live: Live) -> int:
    """Partitions held by a member whose process runs: the ones being consumed (an eager member that
    revoked everything before rejoining holds none until its new assignment)."""
    g = live.snap.group
    if g is None:
        return 0
    return len({p for m in g.members if m.up for p in m.assigned})


def last_ack(sim: "Simulation") -> float:
    """When the last acknowledgement reached the application (0 when none did): the run's throughput."""
    return max((b.outcome[1] for b in sim.ledger.batches if b.outcome is not None and b.outcome[0] == "acked"),
               default=0.0)


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


#: comparison operators of a wait condition, in words
_OP_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "fewer than", "==": "", "!=": "not"}


def condition_words(condition: Any) -> str:
    """A wait condition (`consumer.processed >= 250 and t >= 5000`) in a learner's words."""
    groups = [" and ".join(_clause_words(c) for c in group) for group in condition.groups]
    return " or ".join(groups)


def _clause_words(clause: Any) -> str:
    """`isr == 1` -> "ISR size: 1"; `consumer.processed >= 250` -> "records processed: at least 250"."""
    number = f"{clause.number:g}"
    if clause.metric in ("t", "elapsed"):
        number = f"{clause.number:,.0f} ms"
        what = "time since the run started" if clause.metric == "t" else "time since the step started"
    else:
        what = words(clause.metric)
    return f"{what}: {' '.join(w for w in (_OP_WORDS[clause.op], number) if w)}"
