"""Made-up consumer groups in the engine's own views (GroupView, MemberView), and a snapshot that
carries one."""

from __future__ import annotations

import dataclasses

from tutor.sim.snapshot import GroupView, MemberView, Snapshot


def with_group(snap: Snapshot, group: GroupView | None) -> Snapshot:
    """The same snapshot, carrying `group`."""
    return dataclasses.replace(snap, group=group)


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
