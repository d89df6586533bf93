"""One consumer group at its coordinator (the classic protocol), as plain data driven by method calls.

The coordinator follows apache/kafka's `GroupMetadataManager` and `ClassicGroup` (group-coordinator
module; `GroupCoordinator.scala` / `GroupMetadata.scala` before it): states Empty,
PreparingRebalance, CompletingRebalance, Stable and Dead; generations; the initial rebalance delay;
the rebalance timeout; session expiry; offset commits validated by member and generation.
Every method takes the current virtual time and returns what happened; `next_deadline()` says
when `tick()` must run next. Nothing here sends messages or reads a clock: the simulation wires it.
Client-side rules live in `tutor.sim.member`, coordinator placement in `tutor.sim.placement`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .assignors import TP, assign, select_protocol

EMPTY, PREPARING, COMPLETING, STABLE, DEAD = (
    "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead")

# Error names as Kafka's protocol spells them (`org.apache.kafka.common.protocol.Errors`).
UNKNOWN_MEMBER_ID = "UNKNOWN_MEMBER_ID"
ILLEGAL_GENERATION = "ILLEGAL_GENERATION"
REBALANCE_IN_PROGRESS = "REBALANCE_IN_PROGRESS"
COORDINATOR_NOT_AVAILABLE = "COORDINATOR_NOT_AVAILABLE"
NOT_COORDINATOR = "NOT_COORDINATOR"
INCONSISTENT_GROUP_PROTOCOL = "INCONSISTENT_GROUP_PROTOCOL"
NO_GENERATION = -1


@dataclass(frozen=True)
class GroupEvent:
    """Something the group did at a time: kind, the member it concerns, a sentence, and data."""

    time: float
    kind: str  # join | rebalance | generation | assignment | removed | commit | coordinator
    member: str | None
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """A request's answer: the error code (None: success) and the events it caused."""

    error: str | None = None
    events: list[GroupEvent] = field(default_factory=list)
    member_id: str | None = None


@dataclass
class GroupMember:
    """A member as the coordinator knows it (`ClassicGroupMember`)."""

    member_id: str
    name: str
    strategies: tuple[str, ...]
    topics: tuple[str, ...]
    session_timeout_ms: float
    rebalance_timeout_ms: float
    last_seen: float
    owned: tuple[TP, ...] = ()      # what it said it owned when it last joined
    assignment: tuple[TP, ...] = ()  # what the last completed sync gave it
    awaiting_join: bool = False


@dataclass
class Committed:
    """A committed offset: the next offset to read, who committed it, when and in which generation."""

    offset: int
    member: str
    generation: int
    time: float
    how: str = ""


class GroupCoordinator:
    """The coordinator's view of one classic consumer group, and its committed offsets."""

    def __init__(self, group_id: str, partitions: Mapping[str, int], initial_delay_ms: float = 3000,
                 broker: str | None = None) -> None:
        self.group_id = group_id
        self.partitions = dict(partitions)
        self.initial_delay_ms = initial_delay_ms  # group.initial.rebalance.delay.ms (3000)
        self.broker = broker  # the broker acting as coordinator; None while none is available
        self.state = EMPTY
        self.generation = 0
        self.protocol: str | None = None
        self.leader: str | None = None
        self.members: dict[str, GroupMember] = {}  # in join order, as Kafka's members map
        self.offsets: dict[TP, Committed] = {}
        self.joins = 0  # member ids handed out, for unique ids
        self.join_deadline: float | None = None
        self.initial_remaining: float | None = None  # set while the initial delay runs
        self.initial_delay = initial_delay_ms  # the delay now running (it can shrink at the end)
        self.new_member_added = False
        self.sync_deadline: float | None = None
        self.persisted: dict[str, Any] = self._snapshot()

    # --- membership ----------------------------------------------------------------------
    def join(self, now: float, name: str, *, strategies: Sequence[str], topics: Sequence[str],
             session_timeout_ms: float, rebalance_timeout_ms: float, member_id: str | None = None,
             owned: Sequence[TP] = ()) -> Outcome:
        """JoinGroup: a new member (no id) gets one and the group rebalances; a known member rejoins.
        A known member rejoining a Stable group always rebalances here (Kafka skips it for a follower
        whose metadata is unchanged)."""
        if self.broker is None:
            return Outcome(COORDINATOR_NOT_AVAILABLE)
        if member_id is not None and member_id not in self.members:
            return Outcome(UNKNOWN_MEMBER_ID)
        if self.members and not self._protocols_fit(strategies):
            return Outcome(INCONSISTENT_GROUP_PROTOCOL)
        events: list[GroupEvent] = []
        new = member_id is None
        if new:
            self.joins += 1
            member_id = f"{name}-{self.joins}"
            self.members[member_id] = GroupMember(member_id, name, tuple(strategies), tuple(topics),
                                                  session_timeout_ms, rebalance_timeout_ms, now)
            self.new_member_added = True
            events.append(GroupEvent(now, "join", member_id, f"{name} joins group {self.group_id!r}"))
        m = self.members[member_id]
        m.strategies, m.topics, m.owned = tuple(strategies), tuple(topics), tuple(owned)
        m.session_timeout_ms, m.rebalance_timeout_ms = session_timeout_ms, rebalance_timeout_ms
        m.awaiting_join, m.last_seen = True, now
        if self.state in (EMPTY, STABLE, COMPLETING):
            events += self._prepare(now, f"{name} {'joined' if new else 'rejoined'}")
        elif self.state == PREPARING and self.initial_remaining is None and self._all_joined():
            events += self._complete_join(now)
        return Outcome(None, events, member_id)

    def leave(self, now: float, member_id: str, reason: str = "left the group") -> Outcome:
        """LeaveGroup (a clean close, or a member whose poll loop outlasted max.poll.interval.ms)."""
        if self.broker is None:
            return Outcome(COORDINATOR_NOT_AVAILABLE)
        if member_id not in self.members:
            return Outcome(UNKNOWN_MEMBER_ID)
        return Outcome(None, self._remove(now, member_id, reason))

    def heartbeat(self, now: float, member_id: str, generation: int) -> Outcome:
        """Heartbeat (`validateClassicGroupHeartbeat`, `classicGroupHeartbeatToClassicGroup`)."""
        error = self._member_error(member_id, generation)
        if error:
            return Outcome(error)
        self.members[member_id].last_seen = now
        return Outcome(REBALANCE_IN_PROGRESS if self.state == PREPARING else None)

    def sync(self, now: float, member_id: str, generation: int,
             assignment: Mapping[str, Sequence[TP]] | None = None) -> Outcome:
        """SyncGroup. The leader's carries the assignment: the group becomes Stable and every member
        gets its share (the model answers the followers' SyncGroup at the same moment)."""
        error = self._member_error(member_id, generation)
        if error:
            return Outcome(error)
        if self.state == PREPARING:
            return Outcome(REBALANCE_IN_PROGRESS)
        self.members[member_id].last_seen = now
        if self.state != COMPLETING or member_id != self.leader or assignment is None:
            return Outcome(None)
        events = []
        for mid, m in self.members.items():
            m.assignment = tuple(sorted(assignment.get(mid, ())))
            m.last_seen = now
            events.append(GroupEvent(now, "assignment", mid,
                                     f"coordinator answers {m.name}'s SyncGroup: {_tps(m.assignment)}, "
                                     f"generation {self.generation}",
                                     {"generation": self.generation, "partitions": m.assignment}))
        self.state, self.sync_deadline = STABLE, None
        self.persisted = self._snapshot()  # the group metadata record in __consumer_offsets
        return Outcome(None, events)

    def leader_view(self) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[TP, ...]]]:
        """What the leader's JoinGroup response carries: each member's subscription and owned partitions."""
        subs = {mid: m.topics for mid, m in self.members.items()}
        owned = {mid: m.owned for mid, m in self.members.items()}
        return subs, owned

    # --- offsets -------------------------------------------------------------------------
    def commit(self, now: float, member_id: str, generation: int, offsets: Mapping[TP, int],
               how: str = "") -> Outcome:
        """OffsetCommit, validated as `ClassicGroup.validateOffsetCommit` does; a success is durable."""
        error = self._commit_error(member_id, generation)
        who = self.members[member_id].name if member_id in self.members else member_id
        if error is not None:
            return Outcome(error, [GroupEvent(now, "commit", member_id,
                                              f"commit by {who} (generation {generation}) refused: {error}",
                                              {"error": error, "offsets": dict(offsets)})])
        for tp, offset in offsets.items():
            self.offsets[tp] = Committed(offset, who, generation, now, how)
        if member_id in self.members:
            # a commit renews the session (OffsetMetadataManager.commitOffset)
            self.members[member_id].last_seen = now
        return Outcome(None, [GroupEvent(now, "commit", member_id,
                                         f"{who} committed {_offsets(offsets)}", {"offsets": dict(offsets)})])

    def committed(self, tp: TP) -> int | None:
        """The committed offset of a partition (the next offset to read), None if never committed."""
        c = self.offsets.get(tp)
        return None if c is None else c.offset

    def _member_error(self, member_id: str, generation: int) -> str | None:
        """What a heartbeat or SyncGroup from this member gets before anything else: no coordinator, an
        unknown member, or another generation."""
        if self.broker is None:
            return COORDINATOR_NOT_AVAILABLE
        if member_id not in self.members:
            return UNKNOWN_MEMBER_ID
        if generation != self.generation:
            return ILLEGAL_GENERATION
        return None

    def _commit_error(self, member_id: str, generation: int) -> str | None:
        """The error a commit gets: coordinator gone, unknown member, stale generation, or mid-sync."""
        if self.broker is None:
            return COORDINATOR_NOT_AVAILABLE
        if self.state == DEAD:
            return COORDINATOR_NOT_AVAILABLE
        if generation < 0 and not member_id and self.state == EMPTY:
            return None  # a consumer using assign() without group management
        if member_id not in self.members:
            return UNKNOWN_MEMBER_ID
        if generation != self.generation:
            return ILLEGAL_GENERATION
        if self.state == COMPLETING:
            return REBALANCE_IN_PROGRESS
        return None

    # --- time ----------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        """The earliest time `tick()` has something to do, or None (nothing runs without a coordinator)."""
        if self.broker is None:
            return None
        times = [t for t in (self.join_deadline, self.sync_deadline) if t is not None]
        times += [m.last_seen + m.session_timeout_ms for m in self.members.values() if self._expires(m)]
        return min(times) if times else None

    def tick(self, now: float) -> list[GroupEvent]:
        """Run whatever is due: session expiry, the end of the join phase, a leader that never synced."""
        events: list[GroupEvent] = []
        if self.broker is None:
            return events
        for mid in [mid for mid, m in self.members.items()
                    if self._expires(m) and now >= m.last_seen + m.session_timeout_ms]:
            if mid in self.members:
                m = self.members[mid]
                events += self._remove(now, mid, f"session timeout: no heartbeat for {m.session_timeout_ms:g} ms")
        if self.join_deadline is not None and now >= self.join_deadline:
            events += self._join_timer(now)
        if self.sync_deadline is not None and now >= self.sync_deadline and self.state == COMPLETING:
            self.sync_deadline = None
            if self.leader is not None:
                events += self._remove(now, self.leader, "never sent the assignment (SyncGroup) in time")
        return events

    def _expires(self, m: GroupMember) -> bool:
        """Members waiting for a JoinGroup answer are not expired (`hasSatisfiedHeartbeat`)."""
        return not (self.state == PREPARING and m.awaiting_join)

    def _join_timer(self, now: float) -> list[GroupEvent]:
        """The initial delay (extended while new members arrive) or the rebalance timeout ends."""
        self.join_deadline = None
        if self.state != PREPARING:
            return []
        if self.initial_remaining is not None:
            if self.new_member_added and self.initial_remaining > 0:
                self.new_member_added = False  # `tryCompleteInitialRebalanceElseSchedule`
                delay = min(self.initial_delay_ms, self.initial_remaining)
                self.initial_remaining = max(self.initial_remaining - self.initial_delay, 0)
                self.initial_delay, self.join_deadline = delay, now + delay
                return []
            self.initial_remaining = None
        return self._complete_join(now)

    # --- rebalancing ---------------------------------------------------------------------
    def _prepare(self, now: float, reason: str) -> list[GroupEvent]:
        """`prepareRebalance`: a new group waits the initial delay; otherwise all members must rejoin
        within the rebalance timeout (the largest of the members' max.poll.interval.ms in Java)."""
        initial = self.state == EMPTY
        self.state, self.sync_deadline = PREPARING, None
        events = [GroupEvent(now, "rebalance", None, f"group {self.group_id!r} rebalances: {reason}",
                             {"generation": self.generation, "reason": reason})]
        if initial:
            self.new_member_added = False
            self.initial_remaining = max(self._rebalance_timeout() - self.initial_delay_ms, 0)
            self.initial_delay = self.initial_delay_ms
            self.join_deadline = now + self.initial_delay_ms
        elif self._all_joined():
            events += self._complete_join(now)
        else:
            self.join_deadline = now + self._rebalance_timeout()
        return events

    def _complete_join(self, now: float) -> list[GroupEvent]:
        """`completeClassicGroupJoin`: drop members that did not rejoin, start the next generation."""
        self.join_deadline = None
        events: list[GroupEvent] = []
        for mid in [mid for mid, m in self.members.items() if not m.awaiting_join]:
            m = self.members.pop(mid)
            events.append(GroupEvent(now, "removed", mid, f"{m.name} removed: did not rejoin within the "
                                                          f"rebalance timeout", {"reason": "rebalance timeout"}))
        self.generation += 1
        if not self.members:
            self.state, self.protocol, self.leader = EMPTY, None, None
            self.persisted = self._snapshot()
            events.append(GroupEvent(now, "generation", None, f"group {self.group_id!r} is empty "
                                                              f"(generation {self.generation})",
                                     {"generation": self.generation, "members": ()}))
            return events
        if self.leader not in self.members:
            self.leader = next(iter(self.members))
        self.protocol = select_protocol([m.strategies for m in self.members.values()])
        for m in self.members.values():
            m.awaiting_join, m.last_seen = False, now  # the session restarts with the JoinGroup answer
        self.state = COMPLETING
        self.sync_deadline = now + self._rebalance_timeout()
        names = tuple(self.members)
        events.append(GroupEvent(now, "generation", self.leader,
                                 f"generation {self.generation}: {len(names)} member(s), leader "
                                 f"{self.members[self.leader].name}, assignor {self.protocol}",
                                 {"generation": self.generation, "members": names, "leader": self.leader,
                                  "protocol": self.protocol}))
        return events

    def _remove(self, now: float, member_id: str, reason: str) -> list[GroupEvent]:
        """Remove a member (left, expired); the group rebalances, or finishes a pending join phase."""
        m = self.members.pop(member_id)
        events = [GroupEvent(now, "removed", member_id, f"{m.name} removed: {reason}", {"reason": reason})]
        if self.leader == member_id:
            self.leader = None
        if self.state in (STABLE, COMPLETING):
            events += self._prepare(now, f"{m.name} {reason}")
        elif self.state == PREPARING and self.initial_remaining is None and self._all_joined():
            events += self._complete_join(now)
        return events

    def _all_joined(self) -> bool:
        """Has every known member rejoined (`hasAllMembersJoined`)?"""
        return all(m.awaiting_join for m in self.members.values())

    def _rebalance_timeout(self) -> float:
        """The group's rebalance timeout: the largest its members asked for."""
        return max((m.rebalance_timeout_ms for m in self.members.values()), default=0)

    def _protocols_fit(self, strategies: Sequence[str]) -> bool:
        """A joining member must share an assignor with every current member (`supportsProtocols`)."""
        common = set(strategies)
        for m in self.members.values():
            common &= set(m.strategies)
        return bool(common)

    # --- coordinator placement and failover ----------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        """The group metadata record written to __consumer_offsets after a rebalance."""
        return {"state": STABLE if self.members else EMPTY, "generation": self.generation,
                "protocol": self.protocol, "leader": self.leader,
                "members": {mid: (m.name, m.strategies, m.topics, m.session_timeout_ms, m.rebalance_timeout_ms,
                                  m.assignment) for mid, m in self.members.items()}}

    def coordinator_lost(self, now: float) -> list[GroupEvent]:
        """The coordinator's broker died: requests fail (NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE,
        both retriable) until a new coordinator has loaded the group."""
        old, self.broker = self.broker, None
        return [GroupEvent(now, "coordinator", None, f"group coordinator {old} is gone", {"broker": None})]

    def coordinator_moved(self, now: float, broker: str) -> list[GroupEvent]:
        """A new leader of the group's __consumer_offsets partition loads the group from the log:
        committed offsets and the last completed generation survive (the topic is replicated); a
        rebalance in progress is lost, and every member's session starts again at load time."""
        snap = self.persisted
        self.broker = broker
        self.state, self.generation = snap["state"], snap["generation"]
        self.protocol, self.leader = snap["protocol"], snap["leader"]
        self.members = {}
        for mid, (name, strategies, topics, session, rebalance, assignment) in snap["members"].items():
            self.members[mid] = GroupMember(mid, name, strategies, topics, session, rebalance, now,
                                            assignment, assignment)
        self.join_deadline = self.sync_deadline = self.initial_remaining = None
        return [GroupEvent(now, "coordinator", None, f"{broker} is now the coordinator of group "
                                                     f"{self.group_id!r} (generation {self.generation})",
                           {"broker": broker})]

    # --- views -------------------------------------------------------------------------
    def leader_assignment(self) -> dict[str, list[TP]]:
        """What the leader's assignor computes from its JoinGroup answer (`ConsumerCoordinator.onLeaderElected`)."""
        subs, owned = self.leader_view()
        return assign(self.protocol or "range", subs, self.partitions, owned)

    def assignment(self) -> dict[str, tuple[TP, ...]]:
        """Each member's partitions as of the last completed rebalance."""
        return {mid: m.assignment for mid, m in self.members.items()}

    def member_id(self, name: str) -> str | None:
        """The current member id of a member name, if it is in the group."""
        return next((mid for mid, m in self.members.items() if m.name == name), None)


def _tps(tps: Sequence[TP]) -> str:
    """Partitions as "t-0, t-2" (or "nothing")."""
    return ", ".join(f"{t}-{p}" for t, p in tps) or "nothing"


def _offsets(offsets: Mapping[TP, int]) -> str:
    """Offsets as "t-0@12, t-1@7"."""
    return ", ".join(f"{t}-{p}@{o}" for (t, p), o in sorted(offsets.items()))
