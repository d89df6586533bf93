"""The consumer application and its client: group join, poll, processing, offset store and commits."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from .core import URGENT
from .log import LogBatch
from .member import commit_offset
from .node import ClientNode, Deadlines
from .watched import at_most

if TYPE_CHECKING:
    from .simulation import Simulation

MAX_PARTITION_FETCH_BYTES = 1048576  # max.partition.fetch.bytes
SOCKET_TIMEOUT_MS = 60000  # librdkafka socket.timeout.ms


@dataclass(slots=True, eq=False)
class Rec:
    """A record the consumer holds: its offset, id and the leader epoch it was written in."""

    offset: int
    rid: int
    epoch: int
    poll: int  # which poll returned it (one batch of work)
    partition: int = 0


@dataclass
class PartitionOffset:
    """One partition's committed offset at the coordinator: the next offset to read (C3)."""

    offset: int | None = None
    epoch: int = -1
    at: float = 0.0
    how: str = ""


@dataclass
class Group:
    """The group's state at its coordinator: a committed offset per partition and membership (kept durable)."""

    offsets: list[PartitionOffset] = field(default_factory=lambda: [PartitionOffset()])
    ever_joined: bool = False
    dead_member_expires: float | None = None  # a crashed member holds its partitions until then

    def part(self, p: int) -> PartitionOffset:
        """Partition p's committed offset (unset until something commits it)."""
        while len(self.offsets) <= p:
            self.offsets.append(PartitionOffset())
        return self.offsets[p]

    @property
    def committed(self) -> int | None:
        """t-0's committed offset."""
        return self.offsets[0].offset

    @property
    def committed_epoch(self) -> int:
        """The leader epoch committed with t-0's offset."""
        return self.offsets[0].epoch

    @property
    def committed_at(self) -> float:
        """When t-0's offset was last committed."""
        return self.offsets[0].at

    @property
    def committed_how(self) -> str:
        """What committed t-0's offset last."""
        return self.offsets[0].how


@dataclass(slots=True, eq=False)
class PartFetch:
    """The consumer's state for one assigned partition: position, offset store, its fetch in flight."""

    index: int
    position: int | None = None
    position_epoch: int = -1
    stored: tuple[int, int] | None = None  # librdkafka's offset store
    done_upto: int | None = None  # offset after the last processed record
    done_epoch: int = -1
    fetching: bool = False
    fetch_sent_at: float = 0.0
    fetch_seq: int = 0  # which fetch is in flight: its deadline is keyed by (self, fetch_seq)
    fetch_to: str | None = None  # the broker the fetch in flight went to
    resets: int = 0  # ListOffsets requests sent; only the answer to the latest counts
    meta_epoch: int = -1     # the leader epoch the latest metadata named
    fetched_epoch: int = -1  # the leader epoch of the last fetch answered without error
    fetch_epoch_sent: int = -1


def by_partition(recs: list[Rec]) -> list[Rec]:
    """One poll's records partition by partition, in the order the partitions first came (the article's
    loop over `records.partitions()`, then `records.records(partition)`)."""
    order: dict[int, list[Rec]] = {}
    for rec in recs:
        order.setdefault(rec.partition, []).append(rec)
    return [rec for group in order.values() for rec in group]


def _fetch_settled(key: tuple[PartFetch, int]) -> bool:
    """That fetch was answered, failed or given up (or a later fetch of its partition was sent)."""
    f, seq = key
    return not f.fetching or f.fetch_seq != seq


def _part_attr(name: str, doc: str) -> property:
    """A Consumer attribute that is t-0's PartFetch field (one-partition callers read it so)."""
    return property(lambda self: getattr(self.parts[0], name),
                    lambda self, value: setattr(self.parts[0], name, value), doc=doc)


class Consumer(ClientNode):
    """One consumer of group `group.id`, alone in its group, assigned every partition (as assign() would)."""

    position = _part_attr("position", "t-0's position")
    position_epoch = _part_attr("position_epoch", "the epoch of the record before t-0's position")
    stored = _part_attr("stored", "t-0's stored offset (librdkafka)")
    done_upto = _part_attr("done_upto", "offset after the last processed record of t-0")
    fetching = _part_attr("fetching", "a fetch of t-0 is in flight")
    fetch_sent_at = _part_attr("fetch_sent_at", "when t-0's fetch was sent")
    resets = _part_attr("resets", "t-0's ListOffsets requests sent")
    meta_epoch = _part_attr("meta_epoch", "t-0's leader epoch as the latest metadata named it")
    fetched_epoch = _part_attr("fetched_epoch", "t-0's leader epoch of the last fetch answered")

    def __init__(self, sim: "Simulation", name: str = "consumer") -> None:
        super().__init__(sim, name)
        self.cfg: dict[str, Any] = sim.config.consumer  # live: the UI changes values in place
        self.state = "down"
        self.parts = [PartFetch(p) for p in range(sim.partitions)]  # every partition is assigned
        self.buffer: deque[Rec] = deque()
        self.work: deque[Rec] = deque()      # handed to the application, not yet processed
        self.current: Rec | None = None
        self.current_since = 0.0
        self.last_commit_at = 0.0
        self.polls = 0
        self.polling = False
        self.orphans: list[Rec] = []  # handed but unprocessed when the process died
        self.commit_timer_armed = False  # librdkafka's auto-commit timer
        self.fetch_deadlines = Deadlines(self, self._fetch_timed_out, _fetch_settled)  # one per fetch sent

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
        self.fresh_process()
        self.start_metadata(300000)
        self.timer(self._join_delay(), self._joined)
        self.commit_timer_armed = False
        self._arm_commit_timer()

    def fresh_process(self) -> None:
        """A new process: joining, nothing buffered or in hand, and no position anywhere (the committed
        offset or a reset gives each partition one)."""
        self.start()
        self.fetch_deadlines = Deadlines(self, self._fetch_timed_out, _fetch_settled)  # the old died with its process
        self.state = "joining"
        self.buffer.clear()
        self.work.clear()
        self.current = None
        for f in self.parts:
            f.position, f.position_epoch = None, -1
            f.stored = None
            f.fetching = False
            f.meta_epoch = f.fetched_epoch = -1
        self.polling = False

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
        resumed = [f for f in self.parts if g.part(f.index).offset is not None]
        for f in resumed:
            c = g.part(f.index)
            f.position, f.position_epoch = c.offset, c.epoch
        if resumed:
            self._note_orphans(g)
            for f in resumed:
                f.done_upto = g.part(f.index).offset
            self.poll()
        for f in self.parts:
            if f not in resumed:
                self._reset(f, self.cfg["auto.offset.reset"], "no committed offset for the group")

    def _note_orphans(self, g: Group) -> None:
        """Records handed over before a crash but covered by the commit are skipped for good."""
        for rec in self.orphans:
            c = g.part(rec.partition)
            if c.offset is not None and rec.offset < c.offset:
                self.sim.ledger.skip(rec.rid, self.now,
                                     f"skipped: handed to the application but not yet processed when "
                                     f"{c.how} (at {c.at:g} ms) committed offset "
                                     f"{c.offset}{self._of(rec.partition)} past it; the consumer died and "
                                     f"resumed from offset {c.offset}")
        self.orphans = []

    def _of(self, p: int) -> str:
        """" of t-N" when the topic has several partitions (one-partition texts stay as they are)."""
        return f" of {self.sim.tp_name(p)}" if len(self.parts) > 1 else ""

    def _leader_of(self, p: int) -> str | None:
        """Who leads partition p, as this client's metadata says."""
        return self.leader if p == 0 else self.leaders[p]

    def _forget_leader(self, p: int) -> None:
        """Stale metadata for partition p: ask again before fetching it."""
        if p == 0:
            self.leader = None
        self.leaders[p] = None

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
        if self.java:
            self.commit_positions("auto-commit on close()")
        else:
            self.commit_stored("commit of stored offsets on close()")

    # --- fetching ------------------------------------------------------------------------
    def poll(self) -> None:
        """poll(): Java auto-commits first (C1); then hand over buffered records or fetch more."""
        if self.state != "active" or self.polling and not self.worker:
            return
        if self.java and self.cfg["enable.auto.commit"] and self.now - self.last_commit_at >= \
                self.cfg["auto.commit.interval.ms"] and any(f.position is not None for f in self.parts):
            self.commit_positions("auto-commit in poll()")
        if self.buffer:
            return self._hand_over()
        for f in self.parts:
            self._fetch(f)

    def _fetch(self, f: PartFetch) -> None:
        """Fetch partition f from its leader at our position, long-polling for fetch.max.wait.ms."""
        if f.fetching or self.state != "active" or f.position is None:
            return
        leader = self._leader_of(f.index)
        if leader is None:
            return self.refresh_metadata()
        broker = self.sim.brokers[leader]
        f.fetching, f.fetch_sent_at, f.fetch_to = True, self.now, leader
        f.fetch_seq += 1
        self.fetch_deadlines.add(self.fetch_timeout_ms(), (f, f.fetch_seq))
        wait = self.fetch_wait_ms()
        reply = partial(broker.send, self.name, self._on_fetch, leader, self.incarnation, f.index, f.fetch_seq)
        validates = self.sim.config.consumer_validates_offsets
        epoch = f.position_epoch if validates else -1
        f.fetch_epoch_sent = f.meta_epoch
        self.send(leader, broker.replicas[f.index].on_consumer_fetch, self.name, f.position, epoch,
                  MAX_PARTITION_FETCH_BYTES, wait, reply, f.meta_epoch if validates else -1,
                  on_reset=partial(self._fetch_failed, f))

    def fetch_wait_ms(self) -> float:
        """How long the leader may hold a fetch for data: fetch.max.wait.ms (librdkafka fetch.wait.max.ms)."""
        return self.cfg.get("fetch.max.wait.ms", self.cfg.get("fetch.wait.max.ms", 500))

    def fetch_timeout_ms(self) -> float:
        """How long a fetch may go unanswered: Java's request.timeout.ms (30000 from 2.0, KIP-266);
        librdkafka's socket.timeout.ms + fetch.wait.max.ms (rd_kafka_broker_fetch_toppars)."""
        if self.java:
            return ClientNode.REQUEST_TIMEOUT_MS
        return self.cfg.get("socket.timeout.ms", SOCKET_TIMEOUT_MS) + self.fetch_wait_ms()

    def _fetch_failed(self, f: PartFetch) -> None:
        """Connection reset or timeout: find the leader again."""
        f.fetching = False
        self._forget_leader(f.index)
        self.timer(ClientNode.RETRY_BACKOFF_MS, self.poll)

    def _fetch_timed_out(self, key: tuple[PartFetch, int]) -> None:
        """A fetch unanswered fetch_timeout_ms() after it was sent is abandoned (Java's NetworkClient checks
        every in-flight request's age on each poll, handleTimedOutRequests; librdkafka's broker thread
        scans its in-flight requests, rd_kafka_broker_timeout_scan). Both then close the connection, so
        every other partition's fetch in flight to that broker fails with it."""
        if _fetch_settled(key):
            return
        broker = key[0].fetch_to
        for f in self.parts:
            if f.fetching and f.fetch_to == broker:
                self._fetch_failed(f)

    def _on_metadata(self, *answer: Any) -> None:
        """Metadata names each partition's leader and epoch: the epoch the next fetches carry (KIP-320)."""
        asked = self.metadata_pending
        super()._on_metadata(*answer)
        if asked and not self.metadata_pending:  # taken as the answer (a stale one changes nothing)
            leaders = answer[3] if len(answer) > 3 else ()
            if leaders:
                for f, (_, epoch) in zip(self.parts, leaders):
                    f.meta_epoch = epoch
            else:
                self.parts[0].meta_epoch = answer[2]

    def on_leader_known(self) -> None:
        """A leader is known: poll."""
        if self.state == "active":
            self.poll()

    def _on_fetch(self, leader: str, inc: int, p: int, seq: int, error: str | None, diverge: int | None,
                  batches: list[LogBatch], hw: int) -> None:
        """Buffer the fetched records of partition p, or handle truncation, out-of-range and leader moves.
        Only the answer to the fetch in flight counts: one to a fetch already given up is dropped (Java's
        NetworkClient closed that connection; librdkafka no longer knows the request's correlation id)."""
        f = self.parts[p]
        if inc != self.incarnation or not f.fetching or seq != f.fetch_seq:
            return
        f.fetching = False
        if error in ("NOT_LEADER_OR_FOLLOWER", "FENCED_LEADER_EPOCH"):  # stale metadata: ask again
            self._forget_leader(p)
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self.poll)
        if error == "DIVERGING":
            return self._truncation_detected(f, diverge)
        if error == "OFFSET_OUT_OF_RANGE":
            return self._reset(f, self.cfg["auto.offset.reset"], f"offset {f.position}{self._of(p)} is out of range")
        f.fetched_epoch = f.fetch_epoch_sent  # the position holds under this leader epoch
        pos, buf = f.position, self.buffer
        for b in batches:
            base, first, epoch = b.base, b.first_id, b.epoch
            buf.extend(Rec(base + i, first + i, epoch, 0, p) for i in range(max(0, pos - base), b.count))
        self.poll()

    def _truncation_detected(self, f: PartFetch, offset: int) -> None:
        """KIP-320: the log was truncated below our position; go back to where it diverged."""
        self.sim.ledger.log(self.now, "consumer",
                            f"consumer detected log truncation{self._of(f.index)}: position {f.position} -> {offset}",
                            self.name)
        f.position = offset
        f.position_epoch = self._epoch_before(f, offset)
        self._drop_buffered(f.index)
        self.poll()

    def _drop_buffered(self, p: int) -> None:
        """Fetched records of partition p not yet handed over are dropped (the position moved)."""
        if len(self.parts) == 1:
            self.buffer.clear()
        else:
            self.buffer = deque(r for r in self.buffer if r.partition != p)

    def _epoch_before(self, f: PartFetch, offset: int) -> int:
        """The epoch of the record before `offset` as the partition's leader has it."""
        name = self._leader_of(f.index)
        leader = self.sim.brokers.get(name) if name else None
        return leader.replicas[f.index].log.epoch_at(offset - 1) if leader and offset else -1

    def _reset(self, f: PartFetch, policy: str, why: str) -> None:
        """auto.offset.reset: earliest (0) or latest (the HW); none is an error (C4)."""
        if policy == "none":
            self.sim.ledger.log(self.now, "consumer", f"consumer failed: {why} and auto.offset.reset=none",
                                self.name)
            self.sim.fail_node(self.name, "error")
            return
        leader = self._leader_of(f.index)
        if leader is None:
            self.refresh_metadata()
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self._reset, f, policy, why)
        broker = self.sim.brokers[leader]
        f.resets += 1
        reply = partial(broker.send, self.name, self._on_list_offsets, f.index, policy, why, f.resets)
        self.send(leader, broker.replicas[f.index].on_list_offsets, policy, reply,
                  on_reset=partial(self._reset_failed, f, policy, why, f.resets))
        self.timer(ClientNode.REQUEST_TIMEOUT_MS, self._reset_failed, f, policy, why, f.resets)

    def _reset_failed(self, f: PartFetch, policy: str, why: str, token: int) -> None:
        """ListOffsets got no answer: find the leader again and retry."""
        if token == f.resets:
            f.resets += 1
            self._forget_leader(f.index)
            self._reset(f, policy, why)

    def _on_list_offsets(self, p: int, policy: str, why: str, token: int, error: str | None, offset: int,
                         epoch: int) -> None:
        """Jump to the reset offset; records jumped over are skipped (lost at the consumer)."""
        f = self.parts[p]
        if token != f.resets:
            return
        f.resets += 1
        if error is not None:
            self._forget_leader(p)
            return self.timer(ClientNode.RETRY_BACKOFF_MS, self._reset, f, policy, why)
        self.sim.ledger.log(self.now, "consumer", f"auto.offset.reset={policy}: {why}; position"
                                                  f"{self._of(p)} -> {offset}", self.name)
        if policy == "latest":
            self._note_skipped(f, offset, f"skipped: auto.offset.reset=latest at {self.now:g} ms "
                                          f"({why}) moved the position{self._of(p)} to {offset}")
        f.position, f.position_epoch = offset, epoch
        f.done_upto = offset if f.done_upto is None else f.done_upto
        self._drop_buffered(p)
        self.poll()

    def _note_skipped(self, f: PartFetch, stop: int, text: str) -> None:
        """Every record below `stop` in the partition leader's log that was never handed over is skipped."""
        leader = self.sim.brokers[self._leader_of(f.index)]
        fetched = self.sim.ledger.first_fetched
        for rid in leader.replicas[f.index].log.ids(0, stop):
            if fetched[rid] is None:
                self.sim.ledger.skip(rid, self.now, text)

    # --- handing over and processing -----------------------------------------------------
    def _hand_over(self) -> None:
        """poll() returns up to max.poll.records; librdkafka stores their offsets now (C2)."""
        n = at_most(self.cfg, "max.poll.records", len(self.buffer))
        self.polls += 1
        recs = [self.buffer.popleft() for _ in range(n)]
        fetched, now, poll = self.sim.ledger.first_fetched, self.now, self.polls
        for rec in recs:
            rec.poll = poll
            if fetched[rec.rid] is None:
                fetched[rec.rid] = now
        parts = self.parts
        if len(parts) == 1:
            last = recs[-1]
            touched = parts
            parts[0].position, parts[0].position_epoch = last.offset + 1, last.epoch
        else:
            moved: dict[int, PartFetch] = {}
            for rec in recs:
                f = moved[rec.partition] = parts[rec.partition]
                f.position, f.position_epoch = rec.offset + 1, rec.epoch
            touched = list(moved.values())
        if not self.java and self.cfg["enable.auto.offset.store"]:
            for f in touched:
                f.stored = (f.position, f.position_epoch)
        if self.cfg["commit.mode"] == "before-processing":
            self._commit_before_processing()
        if len(parts) > 1 and self.cfg["commit.scope"] == "per-partition":
            recs = by_partition(recs)
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
        work, now, parts, done = self.work, self.now, self.parts, self.sim.ledger.done
        simple = self.java or self.cfg["enable.auto.offset.store"]
        simple = simple and self.cfg["commit.mode"] != "after-processing"
        while work:
            rec = work.popleft()
            done(rec.rid, now)
            if simple:  # no per-record store or commit to do: just count
                parts[rec.partition].done_upto = rec.offset + 1
                self.sim.processed_count += 1
            else:
                self._after_processing(rec)
        self.sim.last_activity = self.loop.now  # sim.activity(), inlined: every poll's records pass here

    def _after_processing(self, rec: Rec) -> None:
        """Offset store (librdkafka) and commit-after-processing at the end of a poll's batch (every
        partition's processed offset, as commitSync() commits them all)."""
        f = self.parts[rec.partition]
        f.done_upto, f.done_epoch = rec.offset + 1, rec.epoch
        self.sim.processed_count += 1
        if not self.java and not self.cfg["enable.auto.offset.store"]:
            f.stored = (rec.offset + 1, rec.epoch)  # store_offsets() after processing
        if self.cfg["commit.mode"] != "after-processing":
            return
        nxt = self.work[0] if self.work else None
        if self.cfg["commit.scope"] == "per-partition":
            if nxt is None or nxt.poll != rec.poll or nxt.partition != rec.partition:
                self._app_commit(f, f.done_upto, f.done_epoch, "commit after processing")
        elif nxt is None or nxt.poll != rec.poll:
            for g in self.parts:
                if g.done_upto is not None and (g is f or g.done_epoch >= 0):
                    self._app_commit(g, g.done_upto, g.done_epoch, "commit after processing")

    def _commit_before_processing(self) -> None:
        """At-most-once: commit the poll's positions before processing its records."""
        for f in self.parts:
            if f.position is not None:
                self._app_commit(f, f.position, f.position_epoch, "commit before processing")

    def _app_commit(self, f: PartFetch, upto: int, epoch: int, how: str) -> None:
        """The application's own commit of partition f after the record before `upto`: commit.offset
        "next" commits lastOffset + 1 (the next record to read, C3); "last" commits lastOffset (off by one)."""
        self.commit(commit_offset(upto - 1, self.cfg["commit.offset"]), epoch, how, f.index)

    def _finish(self, rec: Rec) -> bool:
        """Bookkeeping of a processed record: store/commit as configured; True if it fired an event."""
        self.sim.ledger.done(rec.rid, self.now)
        self.current = None
        self.sim.processed_count -= 1  # count_processed counts it (and fires triggers)
        self._after_processing(rec)
        self.sim.activity()
        return self.sim.count_processed()

    # --- commits -------------------------------------------------------------------------
    def commit(self, offset: int, epoch: int, how: str, p: int = 0) -> None:
        """Commit `offset` (the next one to read, C3) of partition p to the group coordinator."""
        self.last_commit_at = self.now
        c = self.sim.group.part(p)
        if c.offset == offset or not self.sim.coordinator_reachable(self.name):
            return
        c.offset, c.epoch, c.at, c.how = offset, epoch, self.now, how
        self.sim.ledger.committed(self.now, offset, how + self._of(p))

    def commit_positions(self, how: str) -> None:
        """Java: commit every partition's position (what earlier polls returned)."""
        for f in self.parts:
            if f.position is not None:
                self.commit(f.position, f.position_epoch, how, f.index)

    def commit_stored(self, how: str) -> None:
        """librdkafka: commit every partition's stored offset."""
        for f in self.parts:
            if f.stored is not None:
                self.commit(*f.stored, how, f.index)

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
        if self.state == "active":
            self.commit_stored("auto-commit timer")
        self.timer(self.cfg["auto.commit.interval.ms"], self._auto_commit_timer)

    # --- views ---------------------------------------------------------------------------
    def caught_up(self, hw: int, leader_epoch: int, p: int = 0) -> bool:
        """Nothing buffered or in hand, partition p's position at its HW, and that position answered
        by the leader of the current epoch: after a leader change a position that looks caught up may
        sit beyond a truncated log, and only the next fetch tells (C6)."""
        f = self.parts[p]
        return (self.state == "active" and not self.buffer and not self.work and self.current is None
                and f.position is not None and f.position >= hw and f.fetched_epoch == leader_epoch)
