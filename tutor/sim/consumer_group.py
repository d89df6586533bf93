"""KIP-848's consumer group protocol (`group.protocol = "consumer"`, GA in Kafka 4.0) at its coordinator.

No join/sync barrier: each member heartbeats (ConsumerGroupHeartbeat) with its member epoch and the
partitions it owns; the coordinator bumps the group epoch when membership changes, computes a target
assignment with its own assignor, and moves each member towards it one step at a time: a member first
revokes what it must give up, and a partition goes to its new owner only once the old one has
released it. Sources, apache/kafka's group-coordinator module: `GroupMetadataManager`
(consumerGroupHeartbeat, throwIfConsumerGroupMemberEpochIsInvalid, maybeReconcile, session and
rebalance timeouts), `modern/consumer/CurrentAssignmentBuilder` (the member's reconciliation),
`assignor/UniformHomogeneousAssignmentBuilder` (the default `uniform` assignor),
`modern/consumer/ConsumerGroup.validateOffsetCommit`, `GroupCoordinatorConfig` (defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .assignors import TP
from .group import COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, Committed, GroupEvent, Outcome
from .member import Revocation

FENCED_MEMBER_EPOCH = "FENCED_MEMBER_EPOCH"
STALE_MEMBER_EPOCH = "STALE_MEMBER_EPOCH"
SESSION_TIMEOUT_MS = 45000     # group.consumer.session.timeout.ms (a broker setting now)
HEARTBEAT_INTERVAL_MS = 5000   # group.consumer.heartbeat.interval.ms
STABLE, UNREVOKED, UNRELEASED = "STABLE", "UNREVOKED_PARTITIONS", "UNRELEASED_PARTITIONS"


def uniform_assign(members: Sequence[str], partitions: Sequence[TP],
                   previous: Mapping[str, Sequence[TP]]) -> dict[str, tuple[TP, ...]]:
    """The `uniform` assignor for members with one subscription (`UniformHomogeneousAssignmentBuilder`):
    each member gets a quota (partitions // members, one more for the first partitions % members it
    walks), keeps its previous target partitions up to it, and the rest fill the members with room in
    turn. Kafka walks members and partitions in hash-set order; the model in id and partition order."""
    if not members:
        return {}
    total = len(partitions)
    base, extra = divmod(total, len(members))
    valid = set(partitions)
    held = {tp for m in members for tp in previous.get(m, ()) if tp in valid}
    free = [tp for tp in partitions if tp not in held]
    out: dict[str, list[TP]] = {}
    room: list[tuple[str, int]] = []
    for i, m in enumerate(sorted(members)):
        quota = base + (1 if i < extra else 0)
        mine = sorted(tp for tp in previous.get(m, ()) if tp in valid)
        out[m] = mine[:quota]
        free += mine[quota:]
        if quota > len(out[m]):
            room.append((m, quota - len(out[m])))
    it = iter(free)
    for m, n in room:
        out[m] += [tp for _, tp in zip(range(n), it)]
    return {m: tuple(sorted(tps)) for m, tps in out.items()}


@dataclass
class ConsumerMember:
    """A member as the coordinator knows it (`ConsumerGroupMember`)."""

    member_id: str
    name: str
    topics: tuple[str, ...]
    rebalance_timeout_ms: float
    last_seen: float
    epoch: int = 0
    previous_epoch: int = 0
    state: str = STABLE
    assigned: tuple[TP, ...] = ()
    pending_revocation: tuple[TP, ...] = ()
    revoke_deadline: float | None = None  # the rebalance timeout, while it must revoke


@dataclass
class HeartbeatAnswer:
    """A ConsumerGroupHeartbeat answer: error, member id and epoch, the assignment it must converge to."""

    error: str | None = None
    member_id: str | None = None
    epoch: int = -1
    assignment: tuple[TP, ...] = ()
    events: list[GroupEvent] = field(default_factory=list)


class ConsumerGroupCoordinator:
    """One KIP-848 consumer group at its coordinator, and its committed offsets."""

    def __init__(self, group_id: str, partitions: Mapping[str, int], broker: str | None = None,
                 session_timeout_ms: float = SESSION_TIMEOUT_MS) -> None:
        self.group_id = group_id
        self.partitions = dict(partitions)
        self.broker = broker
        self.session_timeout_ms = session_timeout_ms
        self.group_epoch = 0
        self.assignment_epoch = 0
        self.target: dict[str, tuple[TP, ...]] = {}
        self.members: dict[str, ConsumerMember] = {}
        self.offsets: dict[TP, Committed] = {}
        self.joins = 0

    def heartbeat(self, now: float, name: str, member_epoch: int, *, member_id: str | None = None,
                  topics: Sequence[str] = (), owned: Sequence[TP] | None = None,
                  rebalance_timeout_ms: float = 300000) -> HeartbeatAnswer:
        """ConsumerGroupHeartbeat: epoch 0 joins, -1 leaves, otherwise the member reports what it owns
        and gets the assignment it must move to (`consumerGroupHeartbeat`)."""
        if self.broker is None:
            return HeartbeatAnswer(COORDINATOR_NOT_AVAILABLE)
        if member_epoch == -1:
            if member_id not in self.members:
                return HeartbeatAnswer(UNKNOWN_MEMBER_ID)
            return HeartbeatAnswer(None, member_id, -1, (), self._fence(now, member_id, "left the group"))
        events: list[GroupEvent] = []
        if member_epoch == 0 and member_id not in self.members:
            self.joins += 1  # Kafka draws a UUID when the client sends no id; the model names it
            member_id = member_id or f"{name}-{self.joins}"
            self.members[member_id] = ConsumerMember(member_id, name, tuple(topics), rebalance_timeout_ms, now)
            events += self._bump(now, f"{name} joined")
            owned = ()
        elif member_id not in self.members:
            return HeartbeatAnswer(UNKNOWN_MEMBER_ID)
        m = self.members[member_id]
        if self._epoch_invalid(m, member_epoch, owned):
            return HeartbeatAnswer(FENCED_MEMBER_EPOCH)
        m.last_seen, m.rebalance_timeout_ms = now, rebalance_timeout_ms
        if self.group_epoch > self.assignment_epoch:
            self._new_target(now, events)
        self._reconcile(now, m, owned, events)
        return HeartbeatAnswer(None, member_id, m.epoch, m.assigned, events)

    def _epoch_invalid(self, m: ConsumerMember, epoch: int, owned: Sequence[TP] | None) -> bool:
        """Ahead of the coordinator, or behind it other than by one lost answer (owned within assigned)."""
        if epoch > m.epoch:
            return True
        return epoch < m.epoch and (epoch != m.previous_epoch or not set(owned or ()) <= set(m.assigned))

    def _bump(self, now: float, reason: str) -> list[GroupEvent]:
        """Membership changed: a new group epoch."""
        self.group_epoch += 1
        return [GroupEvent(now, "rebalance", None, f"group epoch {self.group_epoch}: {reason}",
                           {"generation": self.group_epoch, "reason": reason})]

    def _new_target(self, now: float, events: list[GroupEvent]) -> None:
        """The target assignment for the new group epoch (the `uniform` assignor)."""
        subscriptions = {m.topics for m in self.members.values()}
        if len(subscriptions) > 1:
            raise ValueError("the consumer protocol is modelled for members that all subscribe to the same topics")
        topics = sorted({t for m in self.members.values() for t in m.topics})
        every = [(t, p) for t in topics for p in range(self.partitions.get(t, 0))]
        self.target = uniform_assign(list(self.members), every, self.target)
        self.assignment_epoch = self.group_epoch
        events.append(GroupEvent(now, "generation", None, f"target assignment for epoch {self.group_epoch}",
                                 {"generation": self.group_epoch, "target": dict(self.target)}))

    def _owner_epoch(self, tp: TP) -> int:
        """The epoch of the member holding a partition (assigned or being revoked), -1 if it is free."""
        for m in self.members.values():
            if tp in m.assigned or tp in m.pending_revocation:
                return m.epoch
        return -1

    def _reconcile(self, now: float, m: ConsumerMember, owned: Sequence[TP] | None,
                   events: list[GroupEvent]) -> None:
        """One step of `CurrentAssignmentBuilder.build` for this member."""
        before = (m.state, m.epoch, m.assigned)
        if m.state == STABLE and m.epoch == self.assignment_epoch:
            return
        if m.state == UNREVOKED:
            if owned is None or set(owned) & set(m.pending_revocation):
                return  # still owns what it must give up
            self._next(m, m.epoch + 1, owned)
        else:
            self._next(m, m.epoch, owned)
        if (m.state, m.epoch, m.assigned) != before:
            m.revoke_deadline = now + m.rebalance_timeout_ms if m.state == UNREVOKED else None
            events.append(GroupEvent(now, "assignment", m.member_id,
                                     f"{m.name}: epoch {m.epoch}, {m.state}, assigned "
                                     f"{', '.join(f'{t}-{p}' for t, p in m.assigned) or 'nothing'}",
                                     {"generation": m.epoch, "partitions": m.assigned, "state": m.state,
                                      "revoking": m.pending_revocation}))

    def _next(self, m: ConsumerMember, epoch: int, owned: Sequence[TP] | None) -> None:
        """`computeNextAssignment`: keep target ∩ held; revoke the rest first (unless the member reports it
        no longer owns it); take the target partitions nobody holds any more."""
        target = set(self.target.get(m.member_id, ()))
        keep = set(m.assigned) & target
        revoke = set(m.assigned) - keep
        want = target - keep
        unreleased = {tp for tp in want if self._owner_epoch(tp) != -1}
        take = want - unreleased
        m.previous_epoch = m.epoch  # `updateMemberEpoch` keeps the epoch it replaces
        if revoke and (owned is None or revoke & set(owned)):
            m.state, m.epoch = UNREVOKED, epoch
            m.assigned, m.pending_revocation = tuple(sorted(keep)), tuple(sorted(revoke))
            return
        m.state = UNRELEASED if unreleased else STABLE
        m.epoch, m.assigned, m.pending_revocation = self.assignment_epoch, tuple(sorted(keep | take)), ()

    def _fence(self, now: float, member_id: str, reason: str) -> list[GroupEvent]:
        """Remove a member (left, session or rebalance timeout): its partitions are free; new epoch."""
        m = self.members.pop(member_id)
        self.target.pop(member_id, None)
        events = [GroupEvent(now, "removed", member_id, f"{m.name} removed: {reason}", {"reason": reason})]
        return events + self._bump(now, f"{m.name} {reason}")

    def commit(self, now: float, member_id: str, member_epoch: int, offsets: Mapping[TP, int],
               how: str = "") -> Outcome:
        """OffsetCommit (`ConsumerGroup.validateOffsetCommit`): epoch -1 only to a group without members;
        an unknown member gets UNKNOWN_MEMBER_ID, another epoch STALE_MEMBER_EPOCH."""
        error = None
        if self.broker is None:
            error = COORDINATOR_NOT_AVAILABLE
        elif not (member_epoch < 0 and not self.members):
            if member_id not in self.members:
                error = UNKNOWN_MEMBER_ID
            elif member_epoch != self.members[member_id].epoch:
                error = STALE_MEMBER_EPOCH
        if error is not None:
            return Outcome(error, [GroupEvent(now, "commit", member_id, f"commit refused: {error}",
                                              {"error": error, "offsets": dict(offsets)})])
        who = self.members[member_id].name if member_id in self.members else member_id
        for tp, offset in offsets.items():
            self.offsets[tp] = Committed(offset, who, member_epoch, now, how)
        return Outcome(None, [GroupEvent(now, "commit", member_id, f"{who} committed", {"offsets": dict(offsets)})])

    def committed(self, tp: TP) -> int | None:
        """The committed offset of a partition (the next offset to read), None if never committed."""
        c = self.offsets.get(tp)
        return None if c is None else c.offset

    def coordinator_lost(self, now: float) -> list[GroupEvent]:
        """The coordinator's broker died: requests fail with retriable errors until a new one loads the group."""
        old, self.broker = self.broker, None
        return [GroupEvent(now, "coordinator", None, f"group coordinator {old} is gone", {"broker": None})]

    def coordinator_moved(self, now: float, broker: str) -> list[GroupEvent]:
        """A new coordinator loads the group. Every step of the protocol was written to __consumer_offsets,
        so nothing is lost; session timeouts, and rebalance timeouts of members still revoking, start
        again at load time (`GroupMetadataManager.onLoaded`)."""
        self.broker = broker
        for m in self.members.values():
            m.last_seen = now
            if m.state == UNREVOKED:
                m.revoke_deadline = now + m.rebalance_timeout_ms
        return [GroupEvent(now, "coordinator", None, f"{broker} is now the coordinator of group {self.group_id!r}",
                           {"broker": broker})]

    def next_deadline(self) -> float | None:
        """The earliest session or rebalance timeout still running."""
        if self.broker is None:
            return None
        times = [m.last_seen + self.session_timeout_ms for m in self.members.values()]
        times += [m.revoke_deadline for m in self.members.values() if m.revoke_deadline is not None]
        return min(times) if times else None

    def tick(self, now: float) -> list[GroupEvent]:
        """Fence members whose session expired or who did not revoke within their rebalance timeout."""
        events: list[GroupEvent] = []
        for mid, m in list(self.members.items()):
            if now >= m.last_seen + self.session_timeout_ms:
                events += self._fence(now, mid, f"session timeout: no heartbeat for {self.session_timeout_ms:g} ms")
            elif m.revoke_deadline is not None and now >= m.revoke_deadline:
                events += self._fence(now, mid, "did not revoke its partitions within the rebalance timeout")
        return events


class ConsumerProtocolClient:
    """A member's side of the consumer protocol: what it reports, revokes, commits and is told.
    Java's `ConsumerMembershipManager` / `CommitRequestManager` (4.0) and librdkafka's
    `rdkafka_cgrp.c` consumer-protocol paths."""

    def __init__(self, name: str, client: str, topics: Sequence[str], *, auto_commit: bool,
                 max_poll_interval_ms: float = 300000) -> None:
        self.name, self.client, self.topics = name, client, tuple(topics)
        self.auto_commit, self.max_poll_interval_ms = auto_commit, max_poll_interval_ms
        self.member_id: str | None = None
        self.epoch = 0
        self.owned: tuple[TP, ...] = ()

    def request(self) -> dict:
        """The next ConsumerGroupHeartbeat's arguments for `ConsumerGroupCoordinator.heartbeat`."""
        return {"name": self.name, "member_epoch": self.epoch, "member_id": self.member_id,
                "topics": self.topics, "owned": self.owned, "rebalance_timeout_ms": self.max_poll_interval_ms}

    def on_answer(self, answer: HeartbeatAnswer, positions: Mapping[TP, int],
                  stored: Mapping[TP, int]) -> Revocation:
        """Converge to the assignment: commit first if auto-commit is on (Java: every consumed position,
        `maybeAutoCommitSyncBeforeRevocation`; librdkafka: the stored offsets of what it gives up), then
        revoke what is no longer ours and take the rest. Fenced or unknown: everything is lost and the
        member joins again with epoch 0."""
        if answer.error in (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID):
            lost, self.owned, self.epoch = self.owned, (), 0
            return Revocation(revoked=lost, lost=bool(lost), rejoin=True)
        if answer.error is not None:
            return Revocation()
        if answer.epoch == -1:  # the answer to our leave: out of the group, ready to join again
            self.owned, self.epoch = (), 0
            return Revocation()
        self.member_id, self.epoch = answer.member_id, answer.epoch
        new = set(answer.assignment)
        revoked = tuple(tp for tp in self.owned if tp not in new)
        added = tuple(sorted(new - set(self.owned)))
        commit: dict[TP, int] = {}
        if revoked and self.auto_commit:
            source = positions if self.client == "java" else stored
            keys = self.owned if self.client == "java" else revoked
            commit = {tp: source[tp] for tp in keys if tp in source}
        self.owned = tuple(sorted(new))
        return Revocation(revoked=revoked, added=added, commit=commit)

    def on_poll_timeout(self) -> Revocation:
        """max.poll.interval.ms exceeded: leave with epoch -1 (the next heartbeat), partitions lost;
        librdkafka also hands the application ERR__MAX_POLL_EXCEEDED."""
        lost, self.owned, self.epoch = self.owned, (), -1
        return Revocation(revoked=lost, lost=bool(lost), leave=True,
                          error=None if self.client == "java" else "_MAX_POLL_EXCEEDED")

    def commit_error(self, error: str | None) -> str | None:
        """What a manual commit's error looks like to the application: Java raises CommitFailedException
        for a stale epoch or an unknown member (`commitSyncExceptionForError`, `CommitRequestManager`);
        librdkafka returns the code (it does not retry a manual commit on STALE_MEMBER_EPOCH)."""
        if error in (None, COORDINATOR_NOT_AVAILABLE, "NOT_COORDINATOR"):
            return None
        if self.client == "java" and error in (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID):
            return "CommitFailedException"
        return error
