"""Lost records stay visible where they died for a while: found from the ledger's removal steps."""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from tutor.sim.snapshot import LOST, Snapshot

#: batch steps that take a copy of a record away, and where the ghost is drawn
REMOVALS = ("lost-power", "truncated", "dropped", "lost-in-flight")

Removal = tuple[float, int, int, str]  # (time, first record id, count, area)


def removal_area(kind: str, node: str, steps: list, upto: int, partition: int = 0) -> str:
    """The area a copy vanished from: a broker's cache or disk (of partition 0, or "#p" for partition p), the
    producer, or the wire to a dead broker."""
    if kind == "dropped":
        return "producer"
    if kind == "lost-in-flight":  # the request reached a broker that was down (acks=0: nobody retries)
        return f"wire:{node}"
    if kind == "truncated" and any(k == "flushed" and n == node for _, k, n, _ in steps[:upto]):
        return broker_area(node, "disk", partition)
    return broker_area(node, "cache", partition)


def broker_area(node: str, where: str, partition: int = 0) -> str:
    """A broker's page cache or disk, as ghosts are keyed: partition 0's plainly ("broker-1/cache")."""
    return f"{node}/{where}" + (f"#{partition}" if partition else "")


def removals(batches: list[Any]) -> list[Removal]:
    """Every removal step in the ledger, sorted by time."""
    out = []
    for b in batches:
        for i, (t, kind, node, _) in enumerate(b.steps):
            if kind in REMOVALS:
                out.append((t, b.first_id, b.count, removal_area(kind, node, b.steps, i, b.partition)))
    out.sort(key=lambda r: r[0])
    return out


def recent_drops(batches: list[Any], since: float) -> list[Removal]:
    """Requests lost on the way to a dead broker, among the batches created since `since` (newest first
    scanned; a request is dropped on arrival or, held on a cut link, within 30 s of being sent)."""
    out = []
    for b in reversed(batches):
        if b.created < since:
            break
        for i, (t, kind, node, _) in enumerate(b.steps):
            if kind == "lost-in-flight":
                out.append((t, b.first_id, b.count, removal_area(kind, node, b.steps, i)))
    return out


DROP_LOOKBACK_MS = 60_000.0  # batches older than this had their requests answered or dropped long ago


class Ghosts:
    """Ghosts at time t: records lost at t whose copy vanished within the last `window` ms."""

    def __init__(self) -> None:
        self.key: Any = None
        self.drops_key: Any = None
        self.index: list[Removal] = []
        self.times: list[float] = []

    def reset(self) -> None:
        """Forget the index (a restart or another future)."""
        self.key = self.drops_key = None

    def refresh(self, key: Any, batches: list[Any], drops_key: Any = None, now: float = 0.0) -> None:
        """Rebuild the index when `key` changes (most removals come with event-log lines, so key on
        those); when only `drops_key` changes, add the requests lost on the way lately (they log nothing)."""
        if key != self.key:
            self.key, self.drops_key = key, drops_key
            self.index = removals(batches)
        elif drops_key != self.drops_key:
            self.drops_key = drops_key
            new = set(recent_drops(batches, now - DROP_LOOKBACK_MS)) - set(self.index)
            if not new:
                return
            self.index = sorted(self.index + list(new), key=lambda r: r[0])
        else:
            return
        self.times = [r[0] for r in self.index]

    def at(self, snap: Snapshot, window_ms: float) -> dict[str, list[int]]:
        """area -> ids of records lost at this instant that vanished from there recently."""
        lo = bisect.bisect_left(self.times, snap.t - window_ms)
        hi = bisect.bisect_right(self.times, snap.t)
        out: dict[str, set[int]] = defaultdict(set)
        for t, first, count, area in self.index[lo:hi]:
            out[area].update(r for r in range(first, first + count) if snap.state(r) == LOST)
        return {area: sorted(ids) for area, ids in out.items() if ids}
