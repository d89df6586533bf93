"""The consumer application and its client: group join, poll, processing, offset store and commits."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .core import URGENT
from .log import LogBatch
from .node import ClientNode

if TYPE_CHECKING:
    from .simulation import Simulation

MAX_PARTITION_FETCH_BYTES = 1048576  # max.partition.fetch.bytes


@dataclass(slots=True, eq=False)
class Rec:
    """A record the consumer holds: its offset, id and the leader epoch it was written in."""

    offset: int
    rid: int
    epoch: int
    poll: int  # which poll returned it (one batch of work)


@dataclass
class Group:
    """The group's state at its coordinator: committed offset and membership (kept durable)."""

    committed: int | None = None
    committed_epoch: int = -1
    committed_at: float = 0.0
    committed_how: str = ""
    ever_joined: bool = False
    dead_member_expires: float | None = None  # a crashed member holds the partition until then


class Consumer(ClientNode):
    """One consumer of group `group.id`, alone in its group, assigned partition 0."""

    def __init__(self, sim: "Simulation", name: str = "consumer") -> None:
        super().__init__(sim, name)
        self.cfg: dict[str, Any] = sim.config.consumer  # live: the UI changes values in place
        self.state = "down"
        self.position: int | None = None
        self.position_epoch = -1
        self.buffer: deque[Rec] = deque()
        self.work: deque[Rec] = deque()      # handed to the application, not yet processed
        self.current: Rec | None = None
        self.current_since = 0.0
        self.stored: tuple[int, int] | None = None  # librdkafka's offset store
        self.done_upto: int | None = None  # offset after the last processed record
        self.last_commit_at = 0.0
        self.fetching = False
        self.fetch_sent_at = 0.0
        self.polls = 0
        self.polling = False
        self.orphans: list[Rec] = []  # handed but unprocessed when the process died
        self.resets = 0  # ListOffsets requests sent; only the answer to the latest counts
        self.commit_timer_armed = False  # librdkafka's auto-commit timer
        self.meta_epoch = -1     # the leader epoch the latest metadata named
        self.fetched_epoch = -1  # the leader epoch of the last fetch answered without error
        self.fetch_epoch_sent = -1

    @property
    def java(self) -> bool:
        """Java client (else librdkafka)."""
        return self.cfg["client"] == "java"

    @property
    def worker(self) -> bool:
        """Processing on a worker thread while the poll thread polls on?"""
        return self.cfg["processing.mode"] == "worker-thread"

    # --- lifecycle -----------------------------------------------------------------------
    def boot(self) -> None:
        """Start the process and join the group."""
        self.start()
        self.state = "joining"
        self.buffer.clear()
        self.work.clear()
        self.current = None
        self.stored = None
        self.fetching = self.polling = False
        self.meta_epoch = self.fetched_epoch = -1
        self.start_metadata(300000)
        self.timer(self._join_delay(), self._joined)
        self.commit_timer_armed = False
        self._arm_commit_timer()
        self.timer(ClientNode.REQUEST_TIMEOUT_MS, self._fetch_watchdog)

    def reconfigure(self, key: str) -> None:
        """A setting changed live: auto-commit switched on arms librdkafka's timer (Java's poll() reads it)."""
        if key == "enable.auto.commit":
            self._arm_commit_timer()

    def _join_delay(self) -> float:
        """A new group waits group.initial.rebalance.delay.ms; a crashed member's session must expire."""
        g = self.sim.group
        if not g.ever_joined:
            return self.sim.config.broker["group.initial.rebalance.delay.ms"]
        if g.dead_member_expires is not None:
            return max(0.0, g.dead_member_expires - self.now)
        return 0.0

    def _joined(self) -> None:
        """Assignment received: resume from the committed offset, or reset (C4)."""
        g = self.sim.group
        g.ever_joined, g.dead_member_expires = True, None
        self.state = "active"
        self.sim.ledger.log(self.now, "consumer", f"consumer joined group {self.cfg['group.id']!r}", self.name)
        if g.committed is not None:
            self.position, self.position_epoch = g.committed, g.committed_epoch
            self._note_orphans(g)
            self.done_upto = g.committed
            self.poll()
        else:
            self._reset(self.cfg["auto.offset.reset"], "no committed offset for the group")

    def _note_orphans(self, g: Group) -> None:
        """Records handed over before a crash but covered by the commit are skipped for good."""
        for rec in self.orphans:
            if rec.offset < g.committed:
                self.sim.ledger.skip(rec.rid, self.now,
                                     f"skipped: handed to the application but not yet processed when "
                                     f"{g.committed_how} (at {g.committed_at:g} ms) committed offset "
                                     f"{g.committed} past it; the consumer died and resumed from "
                                     f"offset {g.committed}")
        self.orphans = []

    def crash(self, kind: str = "crash") -> None:
        """The process dies: in-memory work is gone; the group waits session.timeout.ms."""
        self.orphans = [r for r in ([self.current] if self.current else []) + list(self.work) if r]
        self.sim.group.dead_member_expires = self.now + self.cfg["session.timeout.ms"]
        self.stop(kind)
        self.state = "down"

    def processing_error(self) -> Rec | None:
        """The record being processed throws; the application closes the consumer and exits."""
        rec = self.current or (self.work[0] if self.work else None)  # the one starting now, if between
        if rec is not None:
            self.sim.ledger.note(rec.rid, self.now, "processing threw an exception; the application "
                                                    "closed the consumer")
        if self.cfg["enable.auto.commit"]:  # close() commits: positions (Java) or stored offsets
            self._commit_on_close()
        self.orphans = [r for r in ([self.current] if self.current else []) + list(self.work) if r]
        self.stop("error")
        self.state = "down"
        return rec

    def _commit_on_close(self) -> None:
        """KafkaConsumer.close() / rd_kafka_consumer_close() commit what auto-commit would."""
        if self.java and self.position is not None:
            self.commit(self.position, self.position_epoch, "auto-commit on close()")
        elif self.stored is not None:
            self.commit(*self.stored, "commit of stored offsets on close()")

    # --- fetching ------------------------------------------------------------------------
    def poll(self) -> None:
        """poll(): Java auto-commits first (C1); then hand over buffered records or fetch more."""
        if self.state != "active" or self.polling and not self.worker:
            return
        if self.java and self.cfg["enable.auto.commit"] and self.now - self.last_commit_at >= \
                self.cfg["auto.commit.interval.ms"] and self.position is not None:
            self.commit(self.position, self.position_epoch, "auto-commit in poll()")
        if self.buffer:
            return self._hand_over()
        self._fetch()

    def _fetch(self) -> None:
        """Fetch from the leader at our position, long-polling for fetch.max.wait.ms."""
        if self.fetching or self.state != "active" or self.position is None:
            return
        if self.leader is None:
            return self.refresh_metadata()
        broker = self.sim.brokers[self.leader]
        self.fetching, self.fetch_sent_at = True, self.now
        wait = self.cfg.get("fetch.max.wait.ms", self.cfg.get("fetch.wait.max.ms", 500))
        reply = partial(broker.send, self.name, self._on_fetch, self.leader, self.incarnation)
        validates = self.sim.config.consumer_validates_offsets
        epoch = self.position_epoch if validates else -1
        self.fetch_epoch_sent = self.meta_epoch
        self.send(self.leader, broker.replica.on_consumer_fetch, self.name, self.position, epoch,
                  MAX_PARTITION_FETCH_BYTES, wait, reply, self.meta_epoch if validates else -1,
                  on_reset=self._fetch_failed)

    def _fetch_failed(self) -> None:
        """Connection reset or timeout: find the leader again."""
        self.fetching = False
        self.leader = None
        self.timer(ClientNode.RETRY_BACKOFF_MS, self.poll)

    def _fetch_watchdog(self) -> None:
        """A fetch unanswered for request.timeout.ms is abandoned."""
        if self.fetching and self.now - self.fetch_sent_at >= ClientNode.REQUEST_TIMEOUT_MS:
            self._fetch_failed()
        self.timer(ClientNode.REQUEST_TIMEOUT_MS / 3, self._fetch_watchdog)

    def _on_metadata(self, *answer: Any) -> None:
        """Metadata names the leader and its epoch: the epoch the next fetches carry (KIP-320)."""
        asked = self.metadata_pending
        super()._on_metadata(*answer)
        if asked and not self.metadata_pending:  # taken as the answer (a stale one changes nothing)
            self.meta_epoch = answer[2]

    def on_leader_known(self) -> None:
        """A leader is known: poll."""
        if self.state == "active":
            self.poll()

    def _on_fetch(self, leader: str, inc: int, error: str | None, diverge: int | None,
                  batches: list[LogBatch], hw: int) -> None:
        """Buffer the fetched records, or handle truncation, out-of-range and leader moves."""
        if inc != self.incarnation or not self.fetching:
            return
        self.fetching = False
        if error in ("NOT_LEADER_OR_FOLLOWER", "FENCED_LEADER_EPOCH"):  # stale metadata: ask again
            self.leader = None
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self.poll)
        if error == "DIVERGING":
            return self._truncation_detected(diverge)
        if error == "OFFSET_OUT_OF_RANGE":
            return self._reset(self.cfg["auto.offset.reset"], f"offset {self.position} is out of range")
        self.fetched_epoch = self.fetch_epoch_sent  # the position holds under this leader epoch
        pos, buf = self.position, self.buffer
        for b in batches:
            base, first, epoch = b.base, b.first_id, b.epoch
            buf.extend(Rec(base + i, first + i, epoch, 0) for i in range(max(0, pos - base), b.count))
        self.poll()

    def _truncation_detected(self, offset: int) -> None:
        """KIP-320: the log was truncated below our position; go back to where it diverged."""
        self.sim.ledger.log(self.now, "consumer",
                            f"consumer detected log truncation: position {self.position} -> {offset}",
                            self.name)
        self.position = offset
        self.position_epoch = self._epoch_before(offset)
        self.buffer.clear()
        self.poll()

    def _epoch_before(self, offset: int) -> int:
        """The epoch of the record before `offset` as the leader has it."""
        leader = self.sim.brokers.get(self.leader) if self.leader else None
        return leader.replica.log.epoch_at(offset - 1) if leader and offset else -1

    def _reset(self, policy: str, why: str) -> None:
        """auto.offset.reset: earliest (0) or latest (the HW); none is an error (C4)."""
        if policy == "none":
            self.sim.ledger.log(self.now, "consumer", f"consumer failed: {why} and auto.offset.reset=none",
                                self.name)
            self.sim.fail_node(self.name, "error")
            return
        if self.leader is None:
            self.refresh_metadata()
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self._reset, policy, why)
        broker = self.sim.brokers[self.leader]
        self.resets += 1
        reply = partial(broker.send, self.name, self._on_list_offsets, policy, why, self.resets)
        self.send(self.leader, broker.replica.on_list_offsets, policy, reply,
                  on_reset=partial(self._reset_failed, policy, why, self.resets))
        self.timer(ClientNode.REQUEST_TIMEOUT_MS, self._reset_failed, policy, why, self.resets)

    def _reset_failed(self, policy: str, why: str, token: int) -> None:
        """ListOffsets got no answer: find the leader again and retry."""
        if token == self.resets:
            self.resets += 1
            self.leader = None
            self._reset(policy, why)

    def _on_list_offsets(self, policy: str, why: str, token: int, error: str | None, offset: int,
                         epoch: int) -> None:
        """Jump to the reset offset; records jumped over are skipped (lost at the consumer)."""
        if token != self.resets:
            return
        self.resets += 1
        if error is not None:
            self.leader = None
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self._reset, policy, why)
        old = self.position
        self.sim.ledger.log(self.now, "consumer", f"auto.offset.reset={policy}: {why}; position -> {offset}",
                            self.name)
        if policy == "latest":
            self._note_skipped(offset, f"skipped: auto.offset.reset=latest at {self.now:g} ms "
                                       f"({why}) moved the position to {offset}")
        self.position, self.position_epoch = offset, epoch
        self.done_upto = offset if self.done_upto is None else self.done_upto
        self.buffer.clear()
        self.poll()

    def _note_skipped(self, stop: int, text: str) -> None:
        """Every record below `stop` in the leader's log that was never handed over is skipped."""
        leader = self.sim.brokers[self.leader]
        fetched = self.sim.ledger.fetched_at
        for rid in leader.replica.log.ids(0, stop):
            if rid not in fetched:
                self.sim.ledger.skip(rid, self.now, text)

    # --- handing over and processing -----------------------------------------------------
    def _hand_over(self) -> None:
        """poll() returns up to max.poll.records; librdkafka stores their offsets now (C2)."""
        n = min(len(self.buffer), self.cfg["max.poll.records"])
        self.polls += 1
        recs = [self.buffer.popleft() for _ in range(n)]
        fetched, now, poll = self.sim.ledger.fetched_at, self.now, self.polls
        for rec in recs:
            rec.poll = poll
            if rec.rid not in fetched:
                fetched[rec.rid] = now
        last = recs[-1]
        self.position, self.position_epoch = last.offset + 1, last.epoch
        if not self.java and self.cfg["enable.auto.offset.store"]:
            self.stored = (self.position, self.position_epoch)
        if self.cfg["commit.mode"] == "before-processing":
            self.commit(self.position, self.position_epoch, "commit before processing")
        self.work.extend(recs)
        self.polling = True
        if self.current is None:
            self._process_next()
        if self.worker:
            self.polling = False
            self.timer(0, self.poll)  # the poll thread goes straight back to poll()

    def _process_next(self) -> None:
        """Start the next record, or finish the poll's batch and poll again."""
        if self.cfg["processing.ms"] == 0 and not self.sim.triggers:
            self._finish_instantly()
        if not self.work:
            self.current = None
            self.polling = False
            if not self.worker:
                self.poll()
            return
        rec = self.work.popleft()
        self.current, self.current_since = rec, self.now
        self.timer(self.cfg["processing.ms"], self._processed, rec)

    def _processed(self, rec: Rec) -> None:
        """A record is done; go on with the next (after any event it triggered)."""
        if self._finish(rec):
            self.sim.loop.at(self.now, self._fire, self.incarnation, self._process_next, (), prio=URGENT + 1)
        else:
            self._process_next()

    def _finish_instantly(self) -> None:
        """Zero-cost processing: finish all handed-over records now, without an event per record."""
        work, processed, now = self.work, self.sim.ledger.processed, self.now
        simple = self.java or self.cfg["enable.auto.offset.store"]
        simple = simple and self.cfg["commit.mode"] != "after-processing"
        while work:
            rec = work.popleft()
            times = processed.get(rec.rid)
            if times is None:
                processed[rec.rid] = [now]
            else:
                times.append(now)
            if simple:  # no per-record store or commit to do: just count
                self.done_upto = rec.offset + 1
                self.sim.processed_count += 1
            else:
                self._after_processing(rec)
        self.sim.activity()

    def _after_processing(self, rec: Rec) -> None:
        """Offset store (librdkafka) and commit-after-processing at the end of a poll's batch."""
        self.done_upto = rec.offset + 1
        self.sim.processed_count += 1
        if not self.java and not self.cfg["enable.auto.offset.store"]:
            self.stored = (rec.offset + 1, rec.epoch)  # store_offsets() after processing
        if self.cfg["commit.mode"] == "after-processing" and (not self.work or self.work[0].poll != rec.poll):
            self.commit(rec.offset + 1, rec.epoch, "commit after processing")

    def _finish(self, rec: Rec) -> bool:
        """Bookkeeping of a processed record: store/commit as configured; True if it fired an event."""
        self.sim.ledger.done(rec.rid, self.now)
        self.current = None
        self.sim.processed_count -= 1  # count_processed counts it (and fires triggers)
        self._after_processing(rec)
        self.sim.activity()
        return self.sim.count_processed()

    # --- commits -------------------------------------------------------------------------
    def commit(self, offset: int, epoch: int, how: str) -> None:
        """Commit `offset` (the next one to read, C3) to the group coordinator."""
        self.last_commit_at = self.now
        g = self.sim.group
        if g.committed == offset or not self.sim.coordinator_reachable(self.name):
            return
        g.committed, g.committed_epoch, g.committed_at, g.committed_how = offset, epoch, self.now, how
        self.sim.ledger.committed(self.now, offset, how)

    def _arm_commit_timer(self) -> None:
        """librdkafka commits from a background timer every auto.commit.interval.ms (C2)."""
        if not self.java and self.cfg["enable.auto.commit"] and not self.commit_timer_armed:
            self.commit_timer_armed = True
            self.timer(self.cfg["auto.commit.interval.ms"], self._auto_commit_timer)

    def _auto_commit_timer(self) -> None:
        """librdkafka: a background timer commits the stored offsets (C2); it stops when turned off."""
        if not self.cfg["enable.auto.commit"] or self.java:
            self.commit_timer_armed = False
            return
        if self.stored is not None and self.state == "active":
            self.commit(*self.stored, "auto-commit timer")
        self.timer(self.cfg["auto.commit.interval.ms"], self._auto_commit_timer)

    # --- views ---------------------------------------------------------------------------
    def caught_up(self, hw: int, leader_epoch: int) -> bool:
        """Nothing buffered or in hand, the position at the HW, and that position answered by the
        leader of the current epoch: after a leader change a position that looks caught up may sit
        beyond a truncated log, and only the next fetch tells (C6)."""
        return (self.state == "active" and not self.buffer and not self.work and self.current is None
                and self.position is not None and self.position >= hw and self.fetched_epoch == leader_epoch)
