"""The consumer group's keys: a member joins, the chosen member crashes or turns slow; built as the
engine's Actions from the snapshot's group, or refused in one line where there is no group to act on."""

from __future__ import annotations

from tutor.sim.snapshot import Snapshot
from tutor.sim.failures import MAX_MEMBERS, next_new_member
from tutor.sim.spec import Action

from .draw_group import group_of

SLOW_PAST_MS = 5000.0  # how far a slowed member's processing of one record outlasts max.poll.interval.ms


class NoGroup(ValueError):
    """A group key where the run has no consumer group to act on (the message says why, in one line)."""


def member_names(snap: Snapshot) -> list[str]:
    """The group's members, consumer-1 first (empty without a group)."""
    group = group_of(snap)
    return [m.name for m in group.members] if group is not None else []


def _group(snap: Snapshot):
    """The snapshot's group, or NoGroup saying why there is none."""
    if not hasattr(snap, "group"):
        raise NoGroup("this engine does not model consumer groups yet: a member cannot join, crash or slow down")
    group = group_of(snap)
    if group is None:
        raise NoGroup("this run has no consumer group ([consumer] instances sets its members)")
    return group


def chosen(snap: Snapshot, member: str | None) -> str | None:
    """The member the keys aim at: the one chosen with m if it is still in the group, else the first up."""
    group = group_of(snap)
    if group is None:
        return None
    names = [m.name for m in group.members]
    if member in names:
        return member
    up = [m.name for m in group.members if m.up]
    return (up or names or [None])[0]


def next_member(snap: Snapshot, member: str | None) -> str:
    """m: the member after the chosen one, round the group (NoGroup without members)."""
    names = [m.name for m in _group(snap).members]
    if not names:
        raise NoGroup("the group has no members to choose from")
    now = chosen(snap, member)
    return names[(names.index(now) + 1) % len(names)] if now in names else names[0]


def number(name: str) -> int:
    """consumer-3 -> 3 (0 for a name without a number)."""
    tail = name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def joiner(snap: Snapshot) -> str:
    """The next member to join: a member beyond `instances` that is not running (one the scenario's
    join events name start stopped), else the next new one, named as the engine names it."""
    group = group_of(snap)
    instances = int(snap.config.get("consumer", {}).get("instances", 1) or 1)
    waiting = [m.name for m in group.members if not m.up and number(m.name) > instances] if group else []
    if waiting:
        return waiting[0]
    return next_new_member(len(member_names(snap)))


def check_known(action: Action, known: set[str], snap: Snapshot) -> None:
    """Refuse, in one line and before the engine, a join it cannot do: a member is either one the run
    already has (stopped) or the next new consumer-N, up to MAX_MEMBERS."""
    if action.action != "join" or action.target in known:
        return
    names = member_names(snap)
    nxt = next_new_member(len(names))
    if action.target != nxt:
        raise NoGroup(f"{action.target} cannot join: the next new member is {nxt}")
    if len(names) >= MAX_MEMBERS:
        raise NoGroup(f"{action.target} cannot join: a group here has at most {MAX_MEMBERS} members")


def join(snap: Snapshot, member: str | None) -> list[Action]:
    """J: the next consumer-N starts and joins the group (a rebalance on purpose)."""
    _group(snap)
    return [Action("join", joiner(snap))]


def crash(snap: Snapshot, member: str | None) -> list[Action]:
    """The chosen member's application crashes."""
    _group(snap)
    name = chosen(snap, member)
    if name is None:
        raise NoGroup("the group has no member to crash")
    return [Action("crash", name)]


def slow(snap: Snapshot, member: str | None) -> list[Action]:
    """The chosen member's processing of each record takes longer than its max.poll.interval.ms, so it
    misses a poll and the coordinator removes it from the group."""
    group = _group(snap)
    name = chosen(snap, member)
    found = next((m for m in group.members if m.name == name), None)
    if found is None:
        raise NoGroup("the group has no member to slow down")
    delay = float(found.max_poll_interval_ms) + SLOW_PAST_MS
    return [Action("slow", name, params={"delay.ms": delay})]


#: group key name -> the Actions it fires
ACTIONS = {"join": join, "crash": crash, "slow": slow}
