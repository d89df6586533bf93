"""Produce latency from a finished run's ledger: each acknowledged batch, from creation to its ack."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.sim.simulation import Simulation


@dataclass(frozen=True)
class Latency:
    """Percentiles of produce latency (ms) over acknowledged batches; zeros when none was acked."""

    count: int
    p50: float
    p99: float
    max: float
    mean: float


def batch_latencies(sim: "Simulation") -> list[float]:
    """One sample per acknowledged batch: ack time minus the batch's creation in the accumulator."""
    return [b.outcome[1] - b.created for b in sim.ledger.batches
            if b.outcome is not None and b.outcome[0] == "acked"]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100); 0 for an empty list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency(sim: "Simulation") -> Latency:
    """The produce latency summary of a run (finished, or as far as it has got)."""
    values = sorted(batch_latencies(sim))
    if not values:
        return Latency(0, 0.0, 0.0, 0.0, 0.0)
    return Latency(len(values), percentile(values, 50), percentile(values, 99), values[-1],
                   sum(values) / len(values))
