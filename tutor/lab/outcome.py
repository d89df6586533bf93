"""What a run ended with, in figures both the simulator and the real client can give, and their diff."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from tutor.sim.report import ranges

#: (field, label) of each compared figure, in table order
ROWS = (
    ("sent", "records sent"),
    ("acked", "acknowledged"),
    ("send_errors", "send errors the application saw"),
    ("processed", "processed (or, without a consumer, in the log)"),
    ("lost", "lost ids"),
    ("duplicated", "duplicated ids"),
)


@dataclass(frozen=True)
class RecordFate:
    """One record of a group run: where it was, and which members processed it (none: lost)."""

    id: int
    partition: int
    offset: int
    by: tuple[str, ...]

    @property
    def fate(self) -> str:
        """"processed", "duplicated" or "lost"."""
        return "lost" if not self.by else "duplicated" if len(self.by) > 1 else "processed"


@dataclass
class Outcome:
    """Counts and the exact ids lost and duplicated."""

    sent: int
    acked: int
    send_errors: int
    processed: int
    lost: list[int]
    duplicated: list[int]
    records: list[RecordFate] = field(default_factory=list)  # per record, where a run tells it
    owners: dict[str, tuple[int, ...]] = field(default_factory=dict)  # group: each member's first partitions
    # group: what the group did before the kill that is not the case's setup (a rebalance, a crash point
    # passed); only a last attempt goes on past it, and then the run may teach something else
    unsettled: tuple[str, ...] = ()

    @classmethod
    def from_report(cls, report: Any) -> "Outcome":
        """The simulator's Report as an Outcome."""
        s = report.summary
        return cls(s["sent"], s["acked"], s["send_errors"], s["processed"], sorted(report.ids("lost")),
                   sorted(report.ids("duplicated")))

    @classmethod
    def from_counts(cls, sent: Iterable[int], acked: int, send_errors: int, seen: Counter) -> "Outcome":
        """From the ids the application sent and how often each was processed (or is in the log)."""
        ids = sorted(set(sent))
        return cls(len(ids), acked, send_errors, sum(1 for i in ids if seen[i]),
                   [i for i in ids if not seen[i]], [i for i in ids if seen[i] > 1])

    def cell(self, field: str) -> str:
        """One figure as the table shows it: a count, ids as "25-29", or where a group lost and duplicated."""
        if field == "shape":
            return shape_words(self)
        if field in ("lost_count", "duplicated_count"):
            return str(len(self.lost if field == "lost_count" else self.duplicated))
        value = getattr(self, field)
        if isinstance(value, list) and self.records and value:
            return f"{span(value)} ({self.places(value)})"
        return span(value) if isinstance(value, list) else str(value)

    def places(self, ids: list[int]) -> str:
        """Where these ids are: "partition 0 offsets 8-9"."""
        at = {r.id: r for r in self.records}
        parts = sorted({at[i].partition for i in ids if i in at})
        offsets = {p: [at[i].offset for i in ids if i in at and at[i].partition == p] for p in parts}
        return "; ".join(f"partition {p} offsets {span(offsets[p])}" for p in parts)

    def value(self, field: str) -> Any:
        """A compared figure (the group rows are derived from the records)."""
        if field == "shape":
            return shape(self)
        if field in ("lost_count", "duplicated_count"):
            return len(self.lost if field == "lost_count" else self.duplicated)
        return getattr(self, field)


#: a group case is compared by counts and by where, per member, records were lost or processed twice:
#: which of the killed member's partitions its first fetch brings varies from run to run, so the ids do too
GROUP_ROWS = (
    ("sent", "records sent"),
    ("acked", "acknowledged"),
    ("send_errors", "send errors the application saw"),
    ("processed", "processed"),
    ("lost_count", "lost"),
    ("duplicated_count", "duplicated"),
    ("shape", "where, per member"),
)
#: shown beside a group case's compared rows, not compared
GROUP_IDS = (("lost", "lost ids"), ("duplicated", "duplicated ids"))


def shape(outcome: Outcome) -> tuple[tuple[str, tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]], ...]:
    """Per member (by its first assignment), the lost and the duplicated offsets of each of its partitions
    that holds records, in sorted order: the partitions' numbers left out."""
    out = []
    for member, partitions in sorted(outcome.owners.items()):
        rows = []
        for p in partitions:
            recs = [r for r in outcome.records if r.partition == p]
            if recs:
                rows.append((tuple(r.offset for r in recs if r.fate == "lost"),
                             tuple(r.offset for r in recs if r.fate == "duplicated")))
        out.append((member, tuple(sorted(rows))))
    return tuple(out)


def shape_words(outcome: Outcome) -> str:
    """"consumer-1: offsets 8-9 lost in 1 of its 2 partitions; consumer-2: nothing lost or processed twice"."""
    phrases = []
    for member, rows in shape(outcome):
        said = []
        for kind, index in (("lost", 0), ("processed twice", 1)):
            counts = Counter(row[index] for row in rows if row[index])
            said += [f"offsets {span(list(offsets))} {kind} in {n} of its {len(rows)} partitions"
                     for offsets, n in sorted(counts.items())]
        phrases.append(f"{member}: {', '.join(said) or 'nothing lost or processed twice'}")
    return "; ".join(phrases)


def rows_for(outcome: Outcome) -> tuple[tuple[str, str], ...]:
    """The compared rows: the group rows for a run with members, else the ids and counts."""
    return GROUP_ROWS if outcome.owners else ROWS


def span(ids: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"; [] -> "none"."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(sorted(ids))) or "none"


def differences(predicted: Outcome, real: Outcome) -> list[str]:
    """What differs, one phrase per compared figure; empty when they agree."""
    return [f"{label}: simulator {predicted.cell(f)}, real client {real.cell(f)}"
            for f, label in rows_for(predicted) if predicted.value(f) != real.value(f)]
