"""Stand-ins for the snapshot's consumer-group views (GroupView, MemberView), field for field as the
engine's contract has them, and a snapshot that carries one."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tutor.sim.snapshot import Snapshot


@dataclass(frozen=True)
class MemberView:
    """One member of the group, as the engine's snapshot describes it."""

    name: str
    up: bool
    state: str
    assigned: tuple[int, ...]
    positions: tuple[tuple[int, int], ...]
    committed: tuple[tuple[int, int], ...]
    last_poll_ms: float | None
    max_poll_interval_ms: int


@dataclass(frozen=True)
class GroupView:
    """The consumer group, as the engine's snapshot describes it."""

    state: str
    generation: int
    protocol: str
    strategy: str
    coordinator: str | None
    members: tuple[MemberView, ...]
    rebalancing: bool


@dataclass(frozen=True)
class GroupSnapshot(Snapshot):
    """A snapshot with a `group` field, as the engine's will have."""

    group: GroupView | None = None


def with_group(snap: Snapshot, group: GroupView | None) -> GroupSnapshot:
    """The same snapshot, carrying `group`."""
    values = {f.name: getattr(snap, f.name) for f in dataclasses.fields(Snapshot) if f.name != "group"}
    return GroupSnapshot(**values, group=group)


def member(name: str, assigned: tuple[int, ...], t: float = 0.0, since: float = 1000.0, up: bool = True,
           state: str = "Stable", max_poll: int = 10_000, base: int = 40) -> MemberView:
    """A member whose last poll was `since` ms before t, positions base+p and commits one behind."""
    return MemberView(name, up, state, assigned, tuple((p, base + p) for p in assigned),
                      tuple((p, base + p - 1) for p in assigned), t - since if up else None, max_poll)


def two(t: float = 0.0, rebalancing: bool = False, generation: int = 2, slow_since: float = 1000.0) -> GroupView:
    """A group of two on three partitions: consumer-1 has t-0 and t-1, consumer-2 has t-2."""
    return GroupView("PreparingRebalance" if rebalancing else "Stable", generation, "classic", "range",
                     "broker-2", (member("consumer-1", (0, 1), t), member("consumer-2", (2,), t, slow_since)),
                     rebalancing)
