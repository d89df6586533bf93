"""Consumer group partition assignors (range, roundrobin, sticky, cooperative-sticky) and how one is chosen.

Every function is pure: members, subscriptions and previous ownership in, an assignment out.
Sources (apache/kafka `clients/.../consumer/`): `RangeAssignor`, `RoundRobinAssignor`,
`internals/AbstractStickyAssignor` (its `ConstrainedAssignmentBuilder`), `CooperativeStickyAssignor`
(KIP-429), `ConsumerConfig` (defaults); the coordinator's choice is `ClassicGroup.selectProtocol`
with `ClassicGroupMember.vote` (formerly `GroupMetadata.selectProtocol` / `MemberMetadata.vote`).
librdkafka implements the same algorithms in `rdkafka_range_assignor.c`,
`rdkafka_roundrobin_assignor.c` and `rdkafka_sticky_assignor.c`.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable, Mapping, Sequence

from .config import vt

TP = tuple[str, int]  # (topic, partition)
Assignment = dict[str, list[TP]]  # member id -> its partitions, in (topic, partition) order

EAGER, COOPERATIVE = "eager", "cooperative"
#: the rebalance protocol each assignor supports (`ConsumerPartitionAssignor.supportedProtocols`)
PROTOCOL_OF = {"range": EAGER, "roundrobin": EAGER, "sticky": EAGER, "cooperative-sticky": COOPERATIVE}
STRATEGIES = tuple(PROTOCOL_OF)


def default_strategy(client: str, version: str) -> tuple[str, ...]:
    """`partition.assignment.strategy` default: Java [range] before 3.0, [range, cooperative-sticky]
    from 3.0 (upgrade notes 3.0); librdkafka "range,roundrobin" (CONFIGURATION.md)."""
    if client == "librdkafka":
        return ("range", "roundrobin")
    return ("range", "cooperative-sticky") if vt(version) >= (3, 0) else ("range",)


def rebalance_protocol(client: str, strategies: Sequence[str]) -> str:
    """The member's rebalance protocol: Java uses the latest one every configured assignor supports
    (`ConsumerCoordinator` constructor; upgrade notes 2.4), so any eager assignor in the list makes it
    eager; librdkafka refuses a list that mixes the two (`rdkafka_assignor.c`: "must have the same
    protocol type")."""
    kinds = {PROTOCOL_OF[s] for s in strategies}
    if client == "librdkafka" and len(kinds) > 1:
        raise ValueError("partition.assignment.strategy: librdkafka needs assignors of one protocol type "
                         f"(eager: range, roundrobin, sticky; cooperative: cooperative-sticky), got {list(strategies)}")
    return COOPERATIVE if kinds == {COOPERATIVE} else EAGER


def select_protocol(preferences: Sequence[Sequence[str]]) -> str:
    """The coordinator's choice (`ClassicGroup.selectProtocol`): among the assignors every member lists,
    each member votes for its own first such one; the most votes wins. Kafka breaks a tie by hash map
    order; the model breaks it by the earliest-joined member's vote, to stay deterministic."""
    if not preferences:
        raise ValueError("cannot select a protocol for an empty group")
    common = set(preferences[0]).intersection(*map(set, preferences[1:]))
    if not common:
        raise ValueError("no assignor is supported by every member (INCONSISTENT_GROUP_PROTOCOL)")
    votes = [next(p for p in prefs if p in common) for prefs in preferences]
    counts = Counter(votes)
    best = max(counts.values())
    return next(v for v in votes if counts[v] == best)


def _all_partitions(topics: Iterable[str], partitions: Mapping[str, int]) -> list[TP]:
    """Every partition of the topics, sorted by topic then partition."""
    return [(t, p) for t in sorted(set(topics)) for p in range(partitions.get(t, 0))]


def range_assign(subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int]) -> Assignment:
    """RangeAssignor, per topic: the members subscribed to it, sorted by member id, take consecutive
    ranges; the first (partitions % members) take one extra (`RangeAssignor.assignPartitions`)."""
    out: Assignment = {m: [] for m in subscriptions}
    for topic in sorted({t for ts in subscriptions.values() for t in ts}):
        members = sorted(m for m, ts in subscriptions.items() if topic in ts)
        count = partitions.get(topic, 0)
        per, extra = divmod(count, len(members))
        start = 0
        for i, m in enumerate(members):
            n = per + (1 if i < extra else 0)
            out[m].extend((topic, p) for p in range(start, start + n))
            start += n
    return {m: sorted(tps) for m, tps in out.items()}


def roundrobin_assign(subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int]) -> Assignment:
    """RoundRobinAssignor: all partitions sorted by (topic, partition) are dealt in turn to the members
    sorted by member id, skipping a member not subscribed to the partition's topic (its CircularIterator)."""
    members = sorted(subscriptions)
    out: Assignment = {m: [] for m in members}
    if not members:
        return out
    i = 0
    for tp in _all_partitions((t for ts in subscriptions.values() for t in ts), partitions):
        while tp[0] not in subscriptions[members[i % len(members)]]:
            i += 1
        out[members[i % len(members)]].append(tp)
        i += 1
    return out


def sticky_plan(subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int],
                owned: Mapping[str, Sequence[TP]]) -> tuple[Assignment, dict[TP, str]]:
    """The sticky assignors' balanced assignment (`AbstractStickyAssignor.ConstrainedAssignmentBuilder`):
    each member keeps up to its quota of what it owned, the rest is dealt round-robin to members under
    quota. Returns the assignment and the partitions changing owner (partition -> new owner).
    Needs one subscription shared by every member, the case Kafka's constrained path handles."""
    members = sorted(subscriptions)
    if not members:
        return {}, {}
    topics = set(subscriptions[members[0]])
    if any(set(subscriptions[m]) != topics for m in members):
        raise ValueError("sticky assignors are modelled for members that all subscribe to the same topics")
    every = _all_partitions(topics, partitions)
    valid = set(every)
    total, count = len(every), len(members)
    min_q, max_q = total // count, -(-total // count)
    expected_over = total % count
    over = 0
    out: Assignment = {m: [] for m in members}
    under: list[str] = []
    at_min: list[str] = []
    maybe_revoked: dict[TP, str] = {}
    claims = Counter(tp for m in members for tp in owned.get(m, ()))
    for m in members:  # Kafka walks a hash map here; the model walks members in id order
        mine = sorted((tp for tp in owned.get(m, ()) if tp in valid and claims[tp] == 1),
                      key=lambda tp: (tp[1], tp[0]))
        if len(mine) < min_q:
            out[m].extend(mine)
            under.append(m)
        elif len(mine) >= max_q and over < expected_over:
            over += 1
            if over == expected_over:
                at_min.clear()
            out[m].extend(mine[:max_q])
            maybe_revoked.update((tp, m) for tp in mine[max_q:])
        else:
            out[m].extend(mine[:min_q])
            maybe_revoked.update((tp, m) for tp in mine[min_q:])
            if over < expected_over:
                at_min.append(m)
    taken = {tp for tps in out.values() for tp in tps}
    unassigned = [tp for tp in every if tp not in taken]
    under.sort()
    at_min.sort()
    moving: dict[TP, str] = {}
    pos = 0  # Kafka walks `under` with an iterator that restarts when it runs out
    for tp in unassigned:  # assignRoundRobin: fill members under minQuota, then those at it
        if under:
            pos = 0 if pos >= len(under) else pos
            m = under[pos]
        else:
            m = at_min.pop(0)
        out[m].append(tp)
        if (tp in maybe_revoked and maybe_revoked[tp] != m) or claims[tp] > 1:
            moving[tp] = m
        n = len(out[m])
        if n == min_q and m in under:
            under.remove(m)  # the iterator's remove(): pos now points at the next member
            at_min.append(m)
        else:
            pos += m in under
            over += n == max_q
    return {m: sorted(tps) for m, tps in out.items()}, moving


def sticky_assign(subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int],
                  owned: Mapping[str, Sequence[TP]]) -> Assignment:
    """StickyAssignor (eager): the balanced sticky plan; moved partitions go to their new owner at once."""
    return sticky_plan(subscriptions, partitions, owned)[0]


def cooperative_sticky_assign(subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int],
                              owned: Mapping[str, Sequence[TP]]) -> Assignment:
    """CooperativeStickyAssignor (KIP-429): the sticky plan minus every partition that changes owner
    (`adjustAssignment`); its old owner revokes it and the follow-up rebalance hands it over."""
    plan, moving = sticky_plan(subscriptions, partitions, owned)
    return {m: [tp for tp in tps if moving.get(tp) != m] for m, tps in plan.items()}


Assignor = Callable[[Mapping[str, Sequence[str]], Mapping[str, int], Mapping[str, Sequence[TP]]], Assignment]

ASSIGNORS: dict[str, Assignor] = {
    "range": lambda subs, parts, owned: range_assign(subs, parts),
    "roundrobin": lambda subs, parts, owned: roundrobin_assign(subs, parts),
    "sticky": sticky_assign,
    "cooperative-sticky": cooperative_sticky_assign,
}


def assign(strategy: str, subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int],
           owned: Mapping[str, Sequence[TP]] | None = None) -> Assignment:
    """Run the named assignor as the group leader does (owned: each member's partitions before the rebalance)."""
    if strategy not in ASSIGNORS:
        raise ValueError(f"partition.assignment.strategy: unknown assignor {strategy!r}; "
                         f"allowed: {', '.join(STRATEGIES)}")
    return ASSIGNORS[strategy](subscriptions, partitions, owned or {})
