"""From run outcomes to one row per configuration: latency, throughput, losses per fault, verdict, frontier."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

FAULT_KEYS = ("lost", "lost_acked", "duplicates", "send_errors")
#: the promises a configuration can keep over the whole fault suite, strongest loss promise first
AT_LEAST_ONCE, NO_ACKED_LOSS, AT_MOST_ONCE = "at-least-once", "no acknowledged loss", "at-most-once"
FRONTIER_LATENCY = "p99"  # the frontier weighs tail latency: what an application's timeouts must budget for


ACKS0_MARK = "†"
#: with acks=0 no broker acknowledges anything; the producer counts a record as sent once written out (P4)
ACKS0_NOTE = f"{ACKS0_MARK} acks=0: nothing is acknowledged; these records were counted as sent by the producer"


@dataclass
class Outcome:
    """What one run (configuration x fault x seed) produced, as plain numbers."""

    lost: int
    lost_acked: int
    duplicates: int
    send_errors: int
    unreported: int  # lost records the application was never told about (neither acked nor failed)
    latencies: list[float]  # send() to acknowledgement, per acknowledged record (ms)
    acked: int
    span_ms: float  # first send() to the last acknowledgement
    acks0: bool = False  # acks=0: "acknowledged" means only counted as sent by the producer (P4)


@dataclass
class Row:
    """One configuration's figures over its faults and seeds."""

    index: int
    settings: dict[str, Any]
    p50: float
    p99: float
    throughput: float
    faults: dict[str, dict[str, int]]
    promises: list[str]
    frontier: bool = False
    unreported: dict[str, int] = field(default_factory=dict)
    acks0: bool = False  # its runs used acks=0: nothing was acknowledged, records were counted as sent

    @property
    def verdict(self) -> str:
        """The promises kept, in words: "at-least-once + at-most-once", or "none"."""
        return " + ".join(self.promises) or "none"

    @property
    def acked_loss(self) -> int:
        """Records lost although acknowledged, over every fault and seed."""
        return sum(f["lost_acked"] for f in self.faults.values())

    @property
    def latency(self) -> float:
        """The latency the frontier weighs."""
        return self.p99 if FRONTIER_LATENCY == "p99" else self.p50

    def to_json(self) -> dict[str, Any]:
        """The row as --json prints it."""
        return {"settings": dict(self.settings), "latency_ms": {"p50": self.p50, "p99": self.p99},
                "throughput": self.throughput, "faults": {k: dict(v) for k, v in self.faults.items()},
                "verdict": self.verdict}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted values; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def build_row(index: int, settings: dict[str, Any], baseline: list[Outcome],
              by_fault: dict[str, list[Outcome]]) -> Row:
    """Latency and throughput from the fault-free runs; losses summed per fault over the seeds."""
    latencies = [v for o in baseline for v in o.latencies]
    span = sum(o.span_ms for o in baseline)
    throughput = round(sum(o.acked for o in baseline) * 1000 / span, 1) if span > 0 else 0.0
    faults = {name: {k: sum(getattr(o, k) for o in outs) for k in FAULT_KEYS} for name, outs in by_fault.items()}
    unreported = {name: sum(o.unreported for o in outs) for name, outs in by_fault.items()}
    row = Row(index, settings, round(percentile(latencies, 50), 3), round(percentile(latencies, 99), 3),
              throughput, faults, [], unreported=unreported,
              acks0=any(o.acks0 for o in baseline))
    row.promises = promises(row)
    return row


def promises(row: Row) -> list[str]:
    """Which delivery promises held under every fault and seed of the suite."""
    kept = []
    if all(f["lost_acked"] == 0 for f in row.faults.values()):
        # every lost record came back to the application as a send error, which it can retry
        silent = sum(row.unreported.values())
        kept.append(AT_LEAST_ONCE if silent == 0 else NO_ACKED_LOSS)
    if all(f["duplicates"] == 0 for f in row.faults.values()):
        kept.append(AT_MOST_ONCE)
    return kept


def frontier(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the Pareto frontier: points no other point beats on both (lower is better on each)."""
    out = []
    for i, (x, y) in enumerate(points):
        beaten = any(ox <= x and oy <= y and (ox < x or oy < y) for j, (ox, oy) in enumerate(points) if j != i)
        if not beaten:
            out.append(i)
    return out


def mark_frontier(rows: list[Row]) -> None:
    """Set `frontier` on the rows that trade latency against acknowledged loss best."""
    for i in frontier([(r.latency, r.acked_loss) for r in rows]):
        rows[i].frontier = True


def rows_to_json(rows: list[Row]) -> dict[str, Any]:
    """{"rows": [...]}: what `tutor explore --json` prints."""
    return {"rows": [r.to_json() for r in rows]}


def csv_header(rows: list[Row]) -> list[str]:
    """The CSV columns: settings, latency, throughput, then fault.key for every fault."""
    settings = list(rows[0].settings) if rows else []
    faults = [f"{name}.{k}" for name in (rows[0].faults if rows else {}) for k in FAULT_KEYS]
    return settings + ["latency_p50_ms", "latency_p99_ms", "throughput", *faults, "verdict", "frontier"]


def csv_row(row: Row) -> list[Any]:
    """One configuration as CSV values, in csv_header's order."""
    faults = [f[k] for f in row.faults.values() for k in FAULT_KEYS]
    return [*row.settings.values(), row.p50, row.p99, row.throughput, *faults, row.verdict,
            "yes" if row.frontier else "no"]


def acked_cell(row: Row, n: int) -> str:
    """A count of acknowledged losses; marked when acks=0 made "acknowledged" mean only "counted as sent"."""
    return f"{n}{ACKS0_MARK}" if row.acks0 else str(n)
