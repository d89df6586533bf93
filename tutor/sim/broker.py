"""A broker: the host and process (heartbeat, page cache, flusher) and one Replica per partition it holds
(leading: produce, fetch, HW, ISR; following: fetch, truncate)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from .config import vt
from .log import LogBatch, ReplicaLog
from .node import Deadlines, Node
from .watched import reaches

if TYPE_CHECKING:
    from .simulation import Simulation

REPLICA_FETCH_BACKOFF_MS = 1000   # replica.fetch.backoff.ms
REPLICA_SOCKET_TIMEOUT_MS = 30000  # replica.socket.timeout.ms: a fetch that long unanswered is retried
LOG_INITIAL_TASK_DELAY_MS = 30000  # log.initial.task.delay.ms: LogManager's tasks first run this late


@dataclass(slots=True, eq=False)
class FollowerState:
    """What the leader knows of one follower (Kafka's Replica fetch state)."""

    leo: int = 0
    last_caught_up: float = 0.0
    last_fetch_leo: int = 0
    last_fetch_at: float = 0.0


@dataclass(slots=True, eq=False)
class DelayedProduce:
    """An acks=all produce waiting in purgatory for the high watermark."""

    required: int
    respond: Callable[[str, Any], None]
    base: int
    done: bool = False
    requester: tuple | None = None  # (client, its incarnation, on_reset): reset if this process dies


@dataclass(slots=True, eq=False)
class ProducerEntry:
    """What a leader remembers of one producer id (ProducerStateEntry): its epoch and the sequence
    ranges and offsets of its last five batches."""

    epoch: int
    batches: deque  # of (first_seq, last_seq, base, end)


@dataclass(slots=True, eq=False)
class Parked:
    """A fetch waiting at the leader (long poll) for data below `upto` ("leo" or "hw")."""

    offset: int
    upto: str
    respond: Callable[..., Any]
    max_bytes: int
    deadline: float
    parked: bool = False
    answered: bool = False
    requester: tuple | None = None  # (client, its incarnation, on_reset): reset if this process dies

    def reply(self, *args: Any) -> None:
        """Answer once; later wake-ups of an answered fetch do nothing."""
        if not self.answered:
            self.answered = True
            self.respond(*args)


def _answered(p: Parked) -> bool:
    """A parked fetch that was answered needs no deadline."""
    return p.answered


def _produce_done(d: DelayedProduce) -> bool:
    """An answered produce request needs no deadline."""
    return d.done


class Replica:
    """One partition on one broker: its log, the partition state as this broker believes it, and what it
    does as leader or follower. Every broker has one per partition, for the metadata; only those in the
    partition's replica list (`hosts`) store records."""

    def __init__(self, broker: "Broker | None" = None, index: int = 0, hosts: bool = True,
                 replica_set: tuple[str, ...] = ()) -> None:
        self.broker = broker
        self.index = index                 # the partition number
        self.tp = broker.sim.tp_name(index) if broker is not None else f"t-{index}"
        self.hosts = hosts                 # is this broker in the partition's replica list?
        self.replica_set = replica_set     # the partition's replicas, in assignment order
        self.sim = broker.sim if broker is not None else None
        self.name = broker.name if broker is not None else ""
        self.loop = broker.loop if broker is not None else None
        self.cfg: dict[str, Any] = broker.cfg if broker is not None else {}
        self.label = ""                    # " of t-N" in log lines when the topic has several partitions
        self.log = ReplicaLog()
        self.role: str | None = None       # "leader" | "follower" | None (not told yet)
        self.leader: str | None = None
        self.known_leader: str | None = None  # who leads this partition, as this broker last heard
        self.leader_epoch = -1
        self.partition_epoch = -1
        self.isr: list[str] = []
        self.hw = 0
        self.epoch_start = 0
        self.followers: dict[str, FollowerState] = {}
        self.pending_isr: list[str] | None = None
        self.delayed: list[DelayedProduce] = []
        self.parked: list[Parked] = []      # followers: woken by appends
        self.parked_hw: list[Parked] = []   # consumers: woken by the HW
        self.producers: dict[int, ProducerEntry] = {}
        self.fetch_gen = 0
        self.fetch_sent_at: float | None = None
        self.flush_pending = False
        self.flusher_busy = False
        self.fetch_deadlines: Deadlines | None = None
        self.produce_deadlines: Deadlines | None = None
        if broker is not None:  # the broker's own methods: messages and timers are the host's
            self.send = broker.send
            self.timer = broker.timer

    # --- the host this replica lives on ---------------------------------------------------
    @property
    def now(self) -> float:
        """The virtual clock."""
        return self.loop.now

    @property
    def incarnation(self) -> int:
        """The broker process's incarnation."""
        return self.broker.incarnation

    def started(self) -> None:
        """The broker process started: deadlines of this incarnation, producer state from the log."""
        self.fetch_deadlines = Deadlines(self.broker, self._serve, _answered)
        self.produce_deadlines = Deadlines(self.broker, self._expire_produce, _produce_done)
        self._rebuild_producer_state()
        self.log.last_flush_at = self.loop.now  # a loaded log counts as flushed now (LocalLog)
        self.flusher_busy = False

    def requesters(self) -> list[tuple | None]:
        """Who has a request parked here (acks=all produce in purgatory, long-polling fetches)."""
        return [d.requester for d in self.delayed if not d.done] + \
               [p.requester for p in self.parked + self.parked_hw if not p.answered]

    def reset_volatile(self) -> None:
        """Partition state lives in memory: a restarted broker relearns it from the controller."""
        self.role, self.leader, self.isr, self.pending_isr = None, None, [], None
        self.delayed, self.parked, self.parked_hw, self.followers = [], [], [], {}
        self.leader_epoch = self.partition_epoch = -1
        self.hw = min(self.hw, self.log.leo)
        self.known_leader = None
        self.flush_pending = False

    def on_metadata(self, leader: str | None, epoch: int, isr: list[str], pepoch: int) -> None:
        """LeaderAndIsr / KRaft metadata for this partition: become leader or follower under a new epoch."""
        if (epoch, pepoch) <= (self.leader_epoch, self.partition_epoch):
            return
        self.known_leader = leader  # every broker knows the metadata; only replicas act on it
        if not self.hosts:
            self.leader_epoch, self.partition_epoch = epoch, pepoch
            return
        changed_leader = epoch != self.leader_epoch or self.role is None
        self.partition_epoch, self.isr, self.pending_isr = pepoch, list(isr), None
        if not changed_leader:
            self.sim.activity()
            return
        self.leader_epoch, self.leader = epoch, leader
        if leader == self.name:
            self.become_leader()
        else:
            self.become_follower()
        self.sim.activity()

    def isr_check(self) -> None:
        """Drop followers out of sync (R1, R11); the broker runs this every replica.lag.time.max.ms / 2."""
        if self.role == "leader" and self.pending_isr is None:
            out = [f for f in self.isr if f != self.name and not self._in_sync(self.followers[f])]
            if out:
                self.propose_isr([m for m in self.isr if m not in out], f"{', '.join(out)} fell behind")

    def fetch_watchdog(self) -> None:
        """A fetch lost in a partition is retried after replica.socket.timeout.ms."""
        sent = self.fetch_sent_at
        if self.role == "follower" and sent is not None and self.loop.now - sent > REPLICA_SOCKET_TIMEOUT_MS:
            self.fetch()
        elif self.role == "follower" and sent is None and self.leader is not None:
            self.fetch()

    def flush_due(self, interval: float) -> bool:
        """LogManager.flushDirtyLogs: last flush at least log.flush.interval.ms ago, with unflushed data."""
        log = self.log
        return bool(interval) and self.loop.now - log.last_flush_at >= interval and \
            log.leo > log.recovery_point and not self.flusher_busy

    def maximal_isr(self) -> list[str]:
        """ISR the HW is computed over: committed ISR plus pending additions (KIP-497)."""
        r = self
        if r.pending_isr and len(r.pending_isr) > len(r.isr):
            return r.pending_isr
        return r.isr

    def under_min_isr(self) -> bool:
        """Is the (committed) ISR below min.insync.replicas?"""
        return len(self.isr) < self.sim.min_isr_of(self.index)

    # --- storage -------------------------------------------------------------------------
    def fsync(self, then: Callable[[], None] | None = None) -> None:
        """Flush this log; the writer (and its response) waits disk.fsync.ms for it."""
        upto = self.log.leo
        self.flush_pending = True
        self.timer(self.cfg["disk.fsync.ms"], self._fsynced, upto, then)

    def _fsynced(self, upto: int, then: Callable[[], None] | None, background: bool = False) -> None:
        """The fsync returned: everything up to `upto` is on disk."""
        if background:
            self.flusher_busy = False
        else:
            self.flush_pending = False
        for b in self.log.flush(upto, self.loop.now):
            self.sim.ledger.step(b.batch_id, self.loop.now, "flushed", self.name, "fsync")
        if then is not None:
            then()

    def needs_flush(self) -> bool:
        """log.flush.interval.messages reached since the last flush?"""
        return reaches(self.cfg, "log.flush.interval.messages", self.log.unflushed())

    def append(self, batch: LogBatch) -> None:
        """Append a batch to this replica's log and record it. Only a leader keeps its producer state as it
        appends: a follower's is rebuilt from its log when it becomes leader (the same state: the log holds
        exactly what it appended, and truncation and restart rebuild it anyway), sparing every copy a step."""
        self.log.append(batch, self.loop.now)
        if batch.pid >= 0 and batch.seq >= 0 and self.role == "leader":
            self._remember_sequence(batch)

    def _remember_sequence(self, b: LogBatch) -> None:
        """Idempotence: keep the last five batches' sequence ranges per producer id; a new producer
        epoch starts a new list (ProducerStateEntry.addBatch)."""
        e = self.producers.get(b.pid)
        if e is None or e.epoch != b.pepoch:
            e = self.producers[b.pid] = ProducerEntry(b.pepoch, deque(maxlen=5))
        e.batches.append((b.seq, b.seq + b.count - 1, b.base, b.end))

    def _rebuild_producer_state(self) -> None:
        """After truncation or recovery, producer state is rebuilt from the log itself."""
        self.producers = {}
        for b in self.log.batches:
            if b.pid >= 0 and b.seq >= 0:
                self._remember_sequence(b)

    def truncate(self, offset: int, reason: str) -> list[LogBatch]:
        """Cut the log back to `offset`; every removed batch is noted in the ledger."""
        removed = self.log.truncate_to(offset)
        if removed:
            self._rebuild_producer_state()
            n = sum(b.count for b in removed)
            for b in removed:
                self.sim.ledger.step(b.batch_id, self.loop.now, "truncated", self.name, reason)
            self.sim.ledger.log(self.loop.now, "truncate",
                                f"{self.name} truncated its log{self.label} to offset {offset}: "
                                f"{n} record(s) removed ({reason})", self.name, offset=offset, removed=n)
        self.hw = min(self.hw, self.log.leo)
        return removed

    # --- leadership ----------------------------------------------------------------------
    def become_leader(self) -> None:
        """Take over leadership: new epoch start offset, fresh follower states."""
        r = self
        was = r.role
        if was != "leader":
            self._rebuild_producer_state()  # (a follower does not keep it as it appends)
        r.role, r.pending_isr = "leader", None
        r.epoch_start = r.log.leo
        r.followers = {b: FollowerState(last_caught_up=self.loop.now) for b in self.replica_set if b != self.name}
        r.fetch_gen += 1
        self.sim.ledger.log(self.loop.now, "election",
                            f"{self.name} is now leader of {self.tp} (epoch {r.leader_epoch}, "
                            f"log end {r.log.leo}, HW {r.hw})", self.name, epoch=r.leader_epoch,
                            was=was)
        self.maybe_advance_hw()

    def become_follower(self) -> None:
        """Follow the new leader: drop leader duties, fetch (and truncate on divergence)."""
        r = self
        if r.role == "leader":
            self._fail_delayed("NOT_LEADER_OR_FOLLOWER")
        r.role, r.followers, r.pending_isr = "follower", {}, None
        self._wake_parked()
        self._wake_parked(hw=True)
        r.fetch_gen += 1
        r.fetch_sent_at = None
        if r.leader is not None:
            self.fetch()

    # --- leader: produce -----------------------------------------------------------------
    def on_produce(self, req: Any, respond: Callable[[str, Any], None]) -> None:
        """Handle a produce request: checks, idempotence, append, flush, answer per acks."""
        r = self
        if r.role != "leader":
            return self._refuse(req, respond, "NOT_LEADER_OR_FOLLOWER")
        if req.acks == "all" and self.under_min_isr():
            self.sim.ledger.step(req.batch.batch_id, self.loop.now, "rejected", self.name, "NOT_ENOUGH_REPLICAS")
            return self._refuse(req, respond, "NOT_ENOUGH_REPLICAS")
        check = self._check_sequence(req)
        if isinstance(check, str):
            self.sim.ledger.step(req.batch.batch_id, self.loop.now, "rejected", self.name, check)
            return self._refuse(req, respond, check)
        if check is not None:  # a duplicate: answered with the original batch's offsets
            base, end = check
            self.sim.ledger.step(req.batch.batch_id, self.loop.now, "deduplicated", self.name, base)
            return self._answer(req, respond, base, end)
        base, batch = r.log.leo, req.batch
        lb = LogBatch(base, batch.count, r.leader_epoch, batch.batch_id, batch.first_id,
                      req.pid, req.seq, batch.bytes, pepoch=req.epoch)
        self.append(lb)
        self.sim.ledger.step(batch.batch_id, self.loop.now, "appended", self.name, (base, r.leader_epoch))
        self.sim.last_activity = self.loop.now  # sim.activity(), inlined: every batch passes here
        self._wake_parked()
        self._answer_after_append(req, respond, base, lb.end)
        self.maybe_advance_hw()

    def _refuse(self, req: Any, respond: Callable, error: str) -> None:
        """An error answer; for acks=0 there is no answer, so the broker closes the connection instead
        (KafkaApis.handleProduceRequest: closeConnection when an acks=0 request failed)."""
        if req.acks != "0":
            return respond(error, None)
        cur = self.sim.net.current
        if cur is not None:
            net = self.sim.net
            net.peers.get(self.name, {}).pop(cur[0], None)
            net.loop.after(net.delay(self.name, cur[0]), net._closed, cur[0], cur[1], self.name, self.incarnation)

    def _answer_after_append(self, req: Any, respond: Callable, base: int, end: int) -> None:
        """Answer once written, after the fsync if log.flush.interval.messages made one due."""
        if self.needs_flush():
            self.fsync(partial(self._answer, req, respond, base, end, self.sim.net.current))
        else:
            self._answer(req, respond, base, end)

    def _answer(self, req: Any, respond: Callable, base: int, end: int, requester: tuple | None = None) -> None:
        """acks=0: no answer; acks=1: answer now (P4); acks=all: wait in purgatory until the HW
        reaches `end` (ReplicaManager: requiredOffset = lastOffset + 1), also for a duplicate (R2)."""
        if req.acks == "1":
            respond("OK", base)
        elif req.acks == "all":
            self._delay_produce(DelayedProduce(end, respond, base, requester=requester or self.sim.net.current), req)

    def _check_sequence(self, req: Any) -> str | tuple[int, int] | None:
        """Idempotence (P5, ProducerAppendInfo / ProducerStateEntry): (base, end) of the batch a retry
        duplicates, an error code, or None to append."""
        if req.seq < 0 or req.pid < 0:
            return None
        e = self.producers.get(req.pid)
        if e is not None and e.epoch == req.epoch:
            last = req.seq + req.batch.count - 1
            for first_seq, last_seq, base, end in e.batches:
                if first_seq == req.seq and last_seq == last:
                    return base, end
        if e is not None and req.epoch < e.epoch:
            return "INVALID_PRODUCER_EPOCH"
        if e is None or e.epoch != req.epoch:  # a new producer, or a new epoch: sequences start at 0
            if req.seq == 0:
                return None
            if e is not None:
                return "OUT_OF_ORDER_SEQUENCE_NUMBER"
            # no state: since 2.5 any sequence is accepted (its records may have been removed);
            # before, the broker answered UNKNOWN_PRODUCER_ID (ProducerStateManager.checkSequence)
            return None if vt(self.sim.config.version) >= (2, 5) else "UNKNOWN_PRODUCER_ID"
        if req.seq != e.batches[-1][1] + 1:
            return "OUT_OF_ORDER_SEQUENCE_NUMBER"
        return None

    def _delay_produce(self, d: DelayedProduce, req: Any) -> None:
        """Park an acks=all request until the HW passes it or request.timeout.ms expires."""
        self.delayed.append(d)
        self.produce_deadlines.add(req.timeout, d)
        self._complete_delayed()

    def _expire_produce(self, d: DelayedProduce) -> None:
        """The broker gives up waiting: REQUEST_TIMED_OUT (the record stays in the log)."""
        if not d.done:
            d.done = True
            self.delayed.remove(d)
            d.respond("REQUEST_TIMED_OUT", None)

    def _complete_delayed(self) -> None:
        """Answer every parked acks=all request the HW now covers."""
        r = self
        for d in [d for d in r.delayed if r.hw >= d.required]:
            d.done = True
            r.delayed.remove(d)
            if self.under_min_isr():  # P8: the ISR shrank after the append
                d.respond("NOT_ENOUGH_REPLICAS_AFTER_APPEND", None)
            else:
                d.respond("OK", d.base)

    def _fail_delayed(self, error: str) -> None:
        """Leadership lost: every parked request fails."""
        for d in self.delayed:
            d.done = True
            d.respond(error, None)
        self.delayed = []

    # --- leader: high watermark and ISR --------------------------------------------------
    def maybe_advance_hw(self) -> None:
        """HW = min log end over the (maximal) ISR; frozen under min ISR since 3.7 (R3)."""
        r = self
        if r.role != "leader":
            return
        isr = r.isr
        if len(isr) < self.sim.min_isr_of(self.index) and self.sim.config.hw_gated_by_min_isr:  # (cheaper first)
            return
        new, followers, pending = r.log.leo, r.followers, r.pending_isr
        for name in (pending if pending and len(pending) > len(isr) else isr):  # the maximal ISR (KIP-497)
            f = followers.get(name)
            if f is not None and f.leo < new:
                new = f.leo
        if new > r.hw:
            self._hw_moved(r.hw, new)

    def _hw_moved(self, old: int, new: int) -> None:
        """Record the commit of every batch the HW passed, answer waiting producers and consumers."""
        r = self
        r.hw = new
        log = r.log
        for b in log.batches[log.index_of(old):log.index_of(new)]:
            self.sim.ledger.step(b.batch_id, self.loop.now, "committed", self.name, (b.base, new))
        self.sim.last_activity = self.loop.now  # sim.activity(), inlined: every batch passes here
        self._complete_delayed()
        self._wake_parked(hw=True)

    def _in_sync(self, f: FollowerState) -> bool:
        """Replica.isCaughtUp: at our log end, or caught up within replica.lag.time.max.ms (R11)."""
        return f.leo == self.log.leo or \
            self.loop.now - f.last_caught_up <= self.cfg["replica.lag.time.max.ms"]

    def propose_isr(self, isr: list[str], why: str) -> None:
        """AlterPartition: only the controller changes the ISR (R1, R8)."""
        r = self
        r.pending_isr = isr
        sent = self.send("controller", self.sim.controller.on_alter_partition, self.name, self.index,
                         r.leader_epoch, r.partition_epoch, isr, why)
        if not sent:
            self.timer(REPLICA_FETCH_BACKOFF_MS, self._retry_isr)

    def _retry_isr(self) -> None:
        """No answer from the controller: the proposal lapses and is made again when still due."""
        self.pending_isr = None

    def on_alter_partition_response(self, ok: bool, isr: list[str], pepoch: int) -> None:
        """The controller's answer: apply the committed ISR."""
        r = self
        r.pending_isr = None
        if ok and r.role == "leader" and pepoch > r.partition_epoch:
            r.isr, r.partition_epoch = list(isr), pepoch
            self.maybe_advance_hw()
            self._complete_delayed()

    # --- leader: fetch -------------------------------------------------------------------
    def on_fetch(self, follower: str, offset: int, last_epoch: int, epoch: int, gen: int) -> None:
        """A follower's fetch: divergence check, fetch state, ISR expansion, data or long-poll."""
        r = self
        peer = self.sim.brokers[follower]
        reply = partial(self.send, follower, peer.replicas[self.index].on_fetch_response, self.name, epoch, gen)
        if r.role != "leader" or epoch != r.leader_epoch:
            return reply("NOT_LEADER_OR_FOLLOWER", None, [], 0)
        diverge = self.divergence(offset, last_epoch)
        if diverge is not None:
            return reply("DIVERGING", diverge, [], r.hw)
        self._update_follower(follower, offset)
        self._serve(Parked(offset, "leo", reply, self.cfg["replica.fetch.max.bytes"],
                           self.loop.now + self.cfg["replica.fetch.wait.max.ms"], requester=self.sim.net.current))

    def divergence(self, offset: int, last_epoch: int) -> int | None:
        """KIP-320/595: the offset a fetcher must truncate to, or None if its log agrees with ours."""
        if last_epoch < 0 or offset == 0:
            return None
        log = self.log
        if offset <= log.leo and log.batches[-1].epoch == last_epoch:
            return None  # (the usual fetch: our last epoch is the fetcher's and ends at our log end)
        epoch, end = log.end_offset_for_epoch(last_epoch)
        if epoch == last_epoch and end >= offset:
            return None
        return min(end, offset)

    def _serve(self, p: "Parked") -> None:
        """Answer a fetch with data at once, or park it until data arrives or its wait runs out."""
        r = self
        if p.answered:
            return
        stop = r.hw if p.upto == "hw" else r.log.leo
        if r.role != "leader":
            return p.reply(None, None, [], r.hw)
        if p.offset < stop or self.loop.now >= p.deadline:
            return p.reply(None, None, r.log.read(p.offset, stop, p.max_bytes), r.hw)
        if not p.parked:
            p.parked = True
            self.fetch_deadlines.add(p.deadline - self.loop.now, p)
        (r.parked_hw if p.upto == "hw" else r.parked).append(p)

    def _wake_parked(self, hw: bool = False) -> None:
        """New data (or, for consumers, a new HW): let parked fetches re-check."""
        r = self
        if hw:
            parked, r.parked_hw = r.parked_hw, []
        else:
            parked, r.parked = r.parked, []
        for p in parked:
            if not p.answered:
                self._serve(p)

    def _update_follower(self, follower: str, offset: int) -> None:
        """Kafka's updateFetchState: caught up if it fetched at our log end (or the previous one)."""
        r = self
        f = r.followers.get(follower)
        if f is None:  # (not setdefault: it would build a state on every fetch)
            f = r.followers[follower] = FollowerState(last_caught_up=self.loop.now)
        leo = r.log.leo
        if offset >= leo:
            f.last_caught_up = max(f.last_caught_up, self.loop.now)
        elif offset >= f.last_fetch_leo:
            f.last_caught_up = max(f.last_caught_up, f.last_fetch_at)
        f.leo, f.last_fetch_leo, f.last_fetch_at = offset, leo, self.loop.now
        if (follower not in r.isr and r.pending_isr is None and offset >= r.hw
                and offset >= r.epoch_start and follower in self.replica_set):
            self.propose_isr(r.isr + [follower], f"{follower} caught up")
        self.maybe_advance_hw()

    # --- leader: consumers and metadata --------------------------------------------------
    def on_consumer_fetch(self, consumer: str, offset: int, last_epoch: int, max_bytes: int,
                          wait: float, reply: Callable, current_epoch: int = -1) -> None:
        """A consumer's fetch: only records below the HW (R2); truncation is detected (KIP-320)."""
        r = self
        if r.role != "leader":
            return reply("NOT_LEADER_OR_FOLLOWER", None, [], 0)
        if 0 <= current_epoch < r.leader_epoch:  # the client's metadata is older than this leader
            return reply("FENCED_LEADER_EPOCH", None, [], r.hw)
        diverge = self.divergence(offset, last_epoch)
        if diverge is not None:
            return reply("DIVERGING", diverge, [], r.hw)
        if offset > r.log.leo:
            return reply("OFFSET_OUT_OF_RANGE", None, [], r.hw)
        self._serve(Parked(offset, "hw", reply, max_bytes, self.loop.now + wait, requester=self.sim.net.current))

    def on_list_offsets(self, which: str, reply: Callable) -> None:
        """ListOffsets: earliest is 0 (no retention here), latest is the HW for consumers."""
        r = self
        if r.role != "leader":
            return reply("NOT_LEADER_OR_FOLLOWER", None, -1)
        reply(None, 0 if which == "earliest" else r.hw, r.log.epoch_at(r.hw - 1))

    def fetch(self) -> None:
        """Send the next fetch to the leader, carrying our log end and last epoch."""
        r = self
        if r.role != "follower" or r.leader is None or self.flush_pending:
            return
        r.fetch_gen += 1
        r.fetch_sent_at = self.loop.now
        leader = self.sim.brokers[r.leader].replicas[self.index]
        self.send(r.leader, leader.on_fetch, self.name, r.log.leo, r.log.last_epoch(),
                  r.leader_epoch, r.fetch_gen, on_reset=self._fetch_reset)

    def _fetch_reset(self) -> None:
        """The leader's process is gone: back off and retry."""
        self.fetch_sent_at = None
        self.timer(REPLICA_FETCH_BACKOFF_MS, self.fetch)

    def on_fetch_response(self, leader: str, epoch: int, gen: int, error: str | None,
                          diverge: int | None, batches: list[LogBatch], hw: int) -> None:
        """Append what the leader sent (or truncate where we diverge), then fetch again."""
        r = self
        if r.role != "follower" or r.leader != leader or epoch != r.leader_epoch or gen != r.fetch_gen:
            return
        r.fetch_sent_at = None
        if error == "DIVERGING":
            self.truncate(diverge, f"diverged from leader {leader} (epoch {epoch})")
            return self.fetch()
        if error is not None:
            return self.timer(REPLICA_FETCH_BACKOFF_MS, self.fetch)
        self._append_fetched(batches)
        r.hw = min(hw, r.log.leo)
        if self.needs_flush():
            self.fsync(self.fetch)
        else:
            self.fetch()

    def _append_fetched(self, batches: list[LogBatch]) -> None:
        """Append fetched batches to our log: the leader's own batch objects (they never change once appended,
        and keep the leader's epoch)."""
        r = self
        for b in batches:
            if b.base != r.log.leo:
                continue
            self.append(b)
            self.sim.ledger.step(b.batch_id, self.loop.now, "replicated", self.name, b.base)
        if batches:
            self.sim.last_activity = self.loop.now  # sim.activity(), inlined: every batch passes here


class Broker(Node):
    """A Kafka broker: a process on a host, holding one Replica per partition of the topic (those outside
    the partition's replica list store nothing and only answer metadata)."""

    def __init__(self, sim: "Simulation", name: str) -> None:
        super().__init__(sim, name)
        self.cfg: dict[str, Any] = sim.config.broker  # live: the UI changes values in place
        placement = sim.placement
        self.replicas: list[Replica] = [Replica(self, p, name in placement[p], tuple(placement[p]))
                                        for p in range(len(placement))]
        if len(self.replicas) > 1:
            for r in self.replicas:
                r.label = f" of {r.tp}"
        self.replica = self.replicas[0]  # partition 0's, as callers of a one-partition topic knew it
        self.hosted = [r for r in self.replicas if r.hosts]
        self.writeback_running = False
        self.flusher_period: int | None = None  # log.flush.scheduler.interval.ms as read at startup

    @property
    def hosts_replica(self) -> bool:
        """Is this broker one of t-0's replicas?"""
        return self.replica.hosts

    @property
    def known_leader(self) -> str | None:
        """Who leads t-0, as this broker last heard."""
        return self.replica.known_leader

    # --- lifecycle -----------------------------------------------------------------------
    def power_loss(self) -> list[LogBatch]:
        """The host loses power: the page cache of every log on it is gone (B3)."""
        self.stop("power-loss")
        lost = [b for r in self.replicas for b in r.log.lose_unflushed()]
        self._reset_volatile()
        return lost

    def crash(self) -> None:
        """The process dies; the OS keeps its page cache and still writes it back (B3). The requests
        parked in it (acks=all produce in purgatory, long-polling fetches) get a connection reset."""
        parked = [x for r in self.replicas for x in r.requesters()]
        self.stop("crash")
        self._reset_volatile()
        net = self.sim.net
        for client, inc, on_reset in sorted({x for x in parked if x is not None and x[2] is not None},
                                            key=lambda x: x[0]):
            if net.link_up(self.name, client):
                self.sim.loop.after(net.delay(self.name, client), net._reset, client, inc, on_reset)

    def _reset_volatile(self) -> None:
        """Partition state lives in memory: a restarted broker relearns it from the controller."""
        for r in self.replicas:
            r.reset_volatile()

    def boot(self) -> None:
        """Process start: recover the logs (B2), then register with the controller."""
        self.start()
        for r in self.replicas:
            r.started()
        self.timer(0, self.heartbeat)
        self.schedule_writeback()
        self.timer(self.sim.lag_check_interval(), self.isr_check)
        self.timer(REPLICA_FETCH_BACKOFF_MS, self.fetch_watchdog)
        self.flusher_period = self.cfg["log.flush.scheduler.interval.ms"]
        self.timer(LOG_INITIAL_TASK_DELAY_MS, self.log_flusher)

    def heartbeat(self) -> None:
        """Broker heartbeat (KRaft) / session keep-alive (ZooKeeper) to the controller."""
        self.send("controller", self.sim.controller.on_heartbeat, self.name, self.incarnation)
        self.timer(self.cfg["broker.heartbeat.interval.ms"], self.heartbeat)

    # --- storage -------------------------------------------------------------------------
    def schedule_writeback(self) -> None:
        """The kernel's flusher thread wakes every dirty_writeback_centisecs while the host has power."""
        if not self.writeback_running:
            self.writeback_running = True
            self.sim.loop.after(self.cfg["vm.dirty_writeback_centisecs"] * 10, self._writeback)

    def _writeback(self) -> None:
        """Write back pages older than dirty_expire_centisecs, of every log on the host; a crashed
        process does not stop it."""
        if not self.host_on:
            self.writeback_running = False
            return
        age = self.cfg["vm.dirty_expire_centisecs"] * 10
        for r in self.hosted:
            for b in r.log.write_back(self.loop.now - age):
                self.sim.ledger.step(b.batch_id, self.loop.now, "flushed", self.name, "writeback")
        self.sim.loop.after(self.cfg["vm.dirty_writeback_centisecs"] * 10, self._writeback)

    def reconfigure(self, key: str) -> None:
        """A setting changed live. Every broker setting is read at its next use; the flusher task
        reads log.flush.interval.ms each time it runs (a dynamic config in Kafka)."""

    def log_flusher(self) -> None:
        """LogManager's kafka-log-flusher task (B4): fsync each log whose last flush is at least
        log.flush.interval.ms old; it runs log.initial.task.delay.ms after startup, then every
        log.flush.scheduler.interval.ms (read at startup; default Long.MAX_VALUE: never again)."""
        interval = self.cfg["log.flush.interval.ms"]
        for r in self.hosted:
            if r.flush_due(interval):
                r.flusher_busy = True  # on the scheduler's thread: the writer and fetcher go on
                self.timer(self.cfg["disk.fsync.ms"], r._fsynced, r.log.leo, None, True)
        if self.flusher_period:
            self.timer(self.flusher_period, self.log_flusher)

    # --- metadata, ISR checks, fetching: for every partition -----------------------------
    def on_metadata(self, states: tuple) -> None:
        """LeaderAndIsr / KRaft metadata: (partition, leader, leader epoch, ISR, partition epoch) each."""
        replicas = self.replicas
        for p, leader, epoch, isr, pepoch in states:
            replicas[p].on_metadata(leader, epoch, isr, pepoch)

    def isr_check(self) -> None:
        """Every replica.lag.time.max.ms / 2: each partition it leads drops followers out of sync (R1)."""
        for r in self.hosted:
            r.isr_check()
        self.timer(self.sim.lag_check_interval(), self.isr_check)

    def on_metadata_request(self, reply: Callable) -> None:
        """A client asks who leads each partition: answered from this broker's own (maybe stale) view:
        partition 0's leader and epoch, then (leader, epoch) of every partition."""
        r = self.replica
        reply(r.known_leader, r.leader_epoch, tuple((x.known_leader, x.leader_epoch) for x in self.replicas))

    def fetch_watchdog(self) -> None:
        """A follower's fetch lost in a partition is retried after replica.socket.timeout.ms."""
        for r in self.hosted:
            r.fetch_watchdog()
        self.timer(REPLICA_FETCH_BACKOFF_MS, self.fetch_watchdog)
