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
        """One figure as the table shows it: a count, or ids as "25-29"."""
        value = getattr(self, field)
        return span(value) if isinstance(value, list) else str(value)


def span(ids: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"; [] -> "none"."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(sorted(ids))) or "none"


def differences(predicted: Outcome, real: Outcome) -> list[str]:
    """What differs, one phrase per figure; empty when they agree."""
    return [f"{label}: simulator {predicted.cell(f)}, real client {real.cell(f)}"
            for f, label in ROWS if getattr(predicted, f) != getattr(real, f)]
