"""A group member's client-side rules (Java and librdkafka) and the application's commit arithmetic.

Java: `ConsumerCoordinator` (onJoinPrepare, onJoinComplete, commit error handling) and
`AbstractCoordinator` (heartbeat thread, poll timeout, LeaveGroup) in apache/kafka's
`clients/.../consumer/internals/`. librdkafka: `rdkafka_cgrp.c` (max.poll.interval.ms check,
commit error handling, auto-commit timer) and `rdkafka_assignment.c` (commit on unassign).
Each method says what the member does and returns it as data; nothing here sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .assignors import COOPERATIVE, TP, default_strategy, rebalance_protocol
from .config import vt
from .group import ILLEGAL_GENERATION, NO_GENERATION, REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID


def client_defaults(client: str, version: str) -> dict:
    """The group settings' defaults: Java's per Kafka version (`ConsumerConfig`; session.timeout.ms 10000
    before 3.0, 45000 from 3.0, KIP-735), librdkafka's current ones (CONFIGURATION.md; 45000 since 1.7.0)."""
    java_old = client == "java" and vt(version) < (3, 0)
    return {"session.timeout.ms": 10000 if java_old else 45000, "heartbeat.interval.ms": 3000,
            "max.poll.interval.ms": 300000, "partition.assignment.strategy": default_strategy(client, version)}


@dataclass
class Revocation:
    """What a member gives up and commits at one step of a rebalance."""

    revoked: tuple[TP, ...] = ()   # partitions handed back (onPartitionsRevoked / rebalance_cb REVOKE)
    lost: bool = False             # handed back without a chance to commit (onPartitionsLost)
    commit: dict[TP, int] = field(default_factory=dict)  # what auto-commit commits first
    added: tuple[TP, ...] = ()     # partitions newly assigned
    rejoin: bool = False           # the member must join again (cooperative follow-up rebalance)
    leave: bool = False            # the member sends LeaveGroup
    error: str | None = None       # what the application is told, if anything

    def describe(self, name: str) -> str:
        """One line for the screen and the report: what the member gave up, committed and got."""
        parts = []
        if self.commit:
            parts.append("commits " + ", ".join(f"{t}-{p}@{o}" for (t, p), o in sorted(self.commit.items())))
        if self.revoked:
            verb = "loses" if self.lost else "revokes"
            parts.append(f"{verb} " + ", ".join(f"{t}-{p}" for t, p in self.revoked))
        if self.added:
            parts.append("is assigned " + ", ".join(f"{t}-{p}" for t, p in self.added))
        if self.leave:
            parts.append("leaves the group")
        if self.rejoin:
            parts.append("rejoins")
        return f"{name} " + ("; ".join(parts) if parts else "keeps its partitions")


class MemberClient:
    """One member's view of its group: member id, generation, assignment, and what it does when."""

    def __init__(self, name: str, client: str, strategies: Sequence[str], topics: Sequence[str], *,
                 auto_commit: bool, max_poll_interval_ms: float = 300000,
                 session_timeout_ms: float = 45000, heartbeat_interval_ms: float = 3000) -> None:
        self.name, self.client = name, client
        self.strategies, self.topics = tuple(strategies), tuple(topics)
        self.protocol = rebalance_protocol(client, self.strategies)
        self.auto_commit = auto_commit
        self.max_poll_interval_ms = max_poll_interval_ms
        self.session_timeout_ms = session_timeout_ms
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.member_id: str | None = None
        self.generation = NO_GENERATION
        self.assigned: tuple[TP, ...] = ()
        self.state = "unjoined"  # unjoined | joining | stable
        self.lost = False  # the assignment was lost (evicted, fenced) and no new one has come yet
        self.previous: tuple[TP, ...] = ()  # the last assignment received (an eager member revokes it)

    @property
    def java(self) -> bool:
        """Java client (else librdkafka)."""
        return self.client == "java"

    def join_request(self) -> dict:
        """The JoinGroup arguments for `GroupCoordinator.join`: both clients send max.poll.interval.ms as
        the rebalance timeout (`GroupRebalanceConfig`; librdkafka `rd_kafka_JoinGroupRequest`). The owned
        partitions are what a cooperative member still holds, or for an eager one what it held before
        revoking (StickyAssignor carries its previous assignment in its subscription's user data)."""
        self.state = "joining"
        owned = self.assigned if self.protocol == COOPERATIVE else self.previous
        return {"strategies": self.strategies, "topics": self.topics, "member_id": self.member_id,
                "session_timeout_ms": self.session_timeout_ms, "rebalance_timeout_ms": self.max_poll_interval_ms,
                "owned": owned}

    def prepare_rejoin(self, positions: Mapping[TP, int], stored: Mapping[TP, int]) -> Revocation:
        """Before (re)joining: a member still in its generation auto-commits and, if eager, revokes all;
        one whose generation is gone loses its partitions without committing.
        positions: Java's positions (next offset per partition); stored: librdkafka's stored offsets."""
        if self.generation == NO_GENERATION or self.member_id is None:
            lost, self.assigned, self.previous = self.assigned, (), ()
            return Revocation(revoked=lost, lost=bool(lost))
        commit: dict[TP, int] = {}
        if self.auto_commit and self.java:
            # onJoinPrepare commits every position first, eager or cooperative (KAFKA-14024)
            commit = {tp: positions[tp] for tp in self.assigned if tp in positions}
        if self.protocol == COOPERATIVE:
            return Revocation(commit=commit)  # nothing revoked before the join
        revoked, self.assigned = self.assigned, ()
        if self.auto_commit and not self.java:  # rdkafka_assignment.c: commit on unassign
            commit = {tp: stored[tp] for tp in revoked if tp in stored}
        return Revocation(revoked=revoked, commit=commit)

    def on_joined(self, member_id: str, generation: int) -> None:
        """The JoinGroup answer: our member id and the new generation."""
        self.member_id, self.generation = member_id, generation

    def on_assignment(self, generation: int, partitions: Sequence[TP], stored: Mapping[TP, int]) -> Revocation:
        """The SyncGroup answer. Cooperative: revoke what is no longer ours and rejoin at once
        (`onJoinComplete` requestRejoin; librdkafka incremental unassign, committing stored offsets)."""
        new = tuple(sorted(partitions))
        self.generation, self.state, self.lost = generation, "stable", False
        old, self.assigned, self.previous = self.assigned, new, new
        added = tuple(tp for tp in new if tp not in old)
        if self.protocol != COOPERATIVE:
            return Revocation(added=added)
        revoked = tuple(tp for tp in old if tp not in new)
        commit = {tp: stored[tp] for tp in revoked if tp in stored} if self.auto_commit and not self.java else {}
        return Revocation(revoked=revoked, added=added, commit=commit, rejoin=bool(revoked))

    def poll_timeout_expired(self, now: float, last_poll: float) -> bool:
        """Has the application gone longer than max.poll.interval.ms without polling?"""
        return self.state != "unjoined" and now - last_poll > self.max_poll_interval_ms

    def on_poll_timeout(self) -> Revocation:
        """max.poll.interval.ms exceeded: the member leaves the group and its generation is gone.
        Java's heartbeat thread sends LeaveGroup ("consumer poll timeout has expired"); the partitions
        are lost at the next poll(). librdkafka leaves, drops its member id, treats the assignment as
        lost (no commit) and hands the application ERR__MAX_POLL_EXCEEDED."""
        lost, self.assigned, self.lost, self.previous = self.assigned, (), True, ()
        self.member_id, self.generation, self.state = None, NO_GENERATION, "unjoined"
        error = None if self.java else "_MAX_POLL_EXCEEDED"
        return Revocation(revoked=lost, lost=bool(lost), leave=True, error=error)

    def on_fenced(self, error: str) -> Revocation:
        """A heartbeat or commit answered UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION: the partitions are lost
        and the member joins again (UNKNOWN_MEMBER_ID also drops its member id)."""
        lost, self.assigned, self.lost, self.previous = self.assigned, (), True, ()
        if error == UNKNOWN_MEMBER_ID:
            self.member_id = None
        self.generation, self.state = NO_GENERATION, "unjoined"
        return Revocation(revoked=lost, lost=bool(lost), rejoin=True)

    def commit_precheck(self, explicit: bool = True) -> str | None:
        """An error raised before any request. Java refuses a commit when the member is not in a stable
        generation (`sendOffsetCommitRequest`): CommitFailedException, or RebalanceInProgressException
        mid-rebalance. librdkafka refuses an offset-less commit (the current assignment) once the
        assignment is lost (`rd_kafka_cgrp_offsets_commit`: _ASSIGNMENT_LOST); explicit offsets are sent
        with whatever member id and generation it has, and the coordinator answers."""
        if not self.java:
            return "_ASSIGNMENT_LOST" if self.lost and not explicit else None
        if self.generation != NO_GENERATION and self.state == "stable":
            return None
        return "RebalanceInProgressException" if self.state == "joining" else "CommitFailedException"

    def commit_identity(self) -> tuple[str, int]:
        """The member id and generation an OffsetCommit carries ("" and -1 once they are gone)."""
        return self.member_id or "", self.generation

    def commit_error(self, error: str | None) -> str | None:
        """What the application sees for a coordinator's commit answer."""
        return commit_error_seen(self.client, error, rebalancing=self.state == "joining")


def commit_error_seen(client: str, error: str | None, rebalancing: bool = False) -> str | None:
    """Java maps a stale member or generation to CommitFailedException (RebalanceInProgressException if
    it is already rejoining); librdkafka passes the broker's error code (confluent-kafka raises
    KafkaException with it). Retriable coordinator errors are retried by both, not shown."""
    if error is None or error in ("NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS"):
        return None
    if client != "java":
        return error
    if error in (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION):
        return "RebalanceInProgressException" if rebalancing else "CommitFailedException"
    if error == REBALANCE_IN_PROGRESS:
        return "RebalanceInProgressException"
    return error


# --- the application's commit arithmetic ----------------------------------------------------

def commit_offset(last_offset: int, mode: str) -> int:
    """`commit.offset`: "next" commits lastOffset + 1, the next record to read (right); "last" commits
    lastOffset, so that record is read again after a restart or a rebalance (off by one)."""
    if mode == "next":
        return last_offset + 1
    if mode == "last":
        return last_offset
    raise ValueError(f"commit.offset: {mode!r} is not allowed; use \"next\" or \"last\"")


def commits_for_poll(processed: Mapping[TP, Sequence[int]], scope: str, mode: str) -> list[dict[TP, int]]:
    """The commits an application makes after processing one poll's records.
    `commit.scope` "per-partition": one commitSync of a singleton map per partition, in the order the
    partitions came (the article's loop over `records.partitions()`); "all": one commit of the whole poll."""
    per = {tp: commit_offset(max(offsets), mode) for tp, offsets in processed.items() if offsets}
    if scope == "per-partition":
        return [{tp: off} for tp, off in per.items()]
    if scope == "all":
        return [per] if per else []
    raise ValueError(f"commit.scope: {scope!r} is not allowed; use \"per-partition\" or \"all\"")


def reread_after_restart(committed: int | None, last_processed: int | None) -> range:
    """Offsets processed before and read again when a partition restarts from its committed offset."""
    if committed is None or last_processed is None or committed > last_processed:
        return range(0)
    return range(committed, last_processed + 1)


def after_revocation(handed: Mapping[TP, Sequence[int]], buffered: Mapping[TP, Sequence[int]],
                     revoked: Sequence[TP]) -> tuple[dict[TP, list[int]], dict[TP, list[int]]]:
    """Records of partitions just revoked or lost: those already returned to the application are still
    processed (it holds them; the new owner reads them again from the committed offset: duplicates);
    those only fetched are dropped (Java's fetcher drops data of unassigned partitions; librdkafka
    purges the partition's fetch queue when it stops it). Returns (still processed, dropped)."""
    gone = set(revoked)
    kept = {tp: list(offs) for tp, offs in handed.items() if tp in gone and offs}
    dropped = {tp: list(offs) for tp, offs in buffered.items() if tp in gone and offs}
    return kept, dropped
