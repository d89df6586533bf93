"""Failure keys: what each one breaks, built as engine Actions aimed at the node selected on screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tutor.sim.snapshot import Snapshot
from tutor.sim.spec import Action

SLOW_MS = 2000.0   # the delay a "slow follower" key adds to each of its links
LEADER = "leader"  # the default selection: whichever broker leads when the key is pressed


@dataclass(frozen=True)
class Failure:
    """One failure key."""

    key: str
    name: str                 # the action name bound to the key, e.g. "power_loss"
    label: str                # footer text
    help: str                 # what it does, for the help screen and the command palette
    build: Callable[[str, Snapshot], list[Action]]


def _one(action: str, **params) -> Callable[[str, Snapshot], list[Action]]:
    """An action on the selected node."""
    return lambda target, snap: [Action(action, target, params=dict(params))]


def _fixed(action: str, target: str | None, **params) -> Callable[[str, Snapshot], list[Action]]:
    """An action on a fixed node or role."""
    return lambda _target, snap: [Action(action, target, params=dict(params))]


def _slow(target: str, snap: Snapshot) -> list[Action]:
    """Slow the selected follower, or every follower when the selection is the leader."""
    follower = target.startswith("broker-") and snap.leader != target
    return [Action("slow", target if follower else "followers", params={"delay.ms": SLOW_MS})]


def down_nodes(snap: Snapshot) -> list[str]:
    """Nodes that are stopped at this instant, from the snapshot."""
    down = [b.name for b in snap.brokers if not b.up]
    if not snap.producer.up:
        down.append("producer")
    group = getattr(snap, "group", None)
    if group is not None and len(group.members) > 1:  # each stopped member by name ("consumer" is all of them)
        down += [m.name for m in group.members if not m.up]
    elif snap.consumer is not None and not snap.consumer.up:
        down.append("consumer")
    if not snap.controller_up:
        down.append("controller")
    return down


def _restart(target: str, snap: Snapshot) -> list[Action]:
    """Restart the selected node; with the leader selected, every node that is down."""
    names = down_nodes(snap) if target == LEADER else [target]
    return [Action("restart", name) for name in names]


def _partition(a: list[str], b: list[str]) -> Callable[[str, Snapshot], list[Action]]:
    """Cut every link between two groups (roles resolve when the engine applies it)."""
    return _fixed("partition", None, between=[a, b])


FAILURES: tuple[Failure, ...] = (
    Failure("K", "crash", "kill", "crash the selected node's process (default: the leader); "
            "a broker's page cache survives", _one("crash")),
    Failure("L", "power_loss", "power", "the selected node's host loses power (default: the leader); "
            "a broker loses its unflushed page cache", _one("power-loss")),
    Failure("D", "outage", "outage", "datacenter outage: every broker loses power at once",
            _fixed("power-loss", "all-brokers")),
    Failure("S", "slow", "slow", f"slow follower: +{SLOW_MS:g} ms on each link of the selected "
            "follower (every follower if the leader is selected)", _slow),
    Failure("Z", "zombie", "zombie", "zombie leader: cut the leader off the followers and the controller",
            _partition(["leader"], ["followers", "controller"])),
    Failure("X", "cut_producer", "cut prod", "cut the producer off the leader",
            _partition(["producer"], ["leader"])),
    Failure("P", "crash_producer", "kill prod", "the producer application crashes",
            _fixed("crash", "producer")),
    Failure("C", "crash_consumer", "kill cons", "the consumer application crashes (in a group, every "
            "member: G crashes one)",
            _fixed("crash", "consumer")),
    Failure("E", "processing_error", "proc error", "the consumer's processing throws",
            _fixed("processing-error", "consumer")),
    Failure("R", "restart", "restart", "restart the selected node; with the leader selected, "
            "restart every node that is down", _restart),
    Failure("H", "heal", "heal", "heal the network: restore cut links, remove added latency",
            _fixed("heal", None)),
)

BY_NAME = {f.name: f for f in FAILURES}
