"""The producer application and its client: send(), the RecordAccumulator, the sender thread."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from .ledger import BatchHistory
from .node import ClientNode, Deadlines

if TYPE_CHECKING:
    from .simulation import Simulation

RETRIABLE = {"NOT_LEADER_OR_FOLLOWER", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
             "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION", "OUT_OF_ORDER_SEQUENCE_NUMBER",
             "REQUEST_TIMEOUT"}
STALE_METADATA = {"NOT_LEADER_OR_FOLLOWER", "NETWORK_EXCEPTION", "REQUEST_TIMEOUT"}


@dataclass(slots=True, eq=False)
class Batch:
    """A producer batch in the accumulator or in flight."""

    history: BatchHistory
    created: float
    bytes: int = 0
    attempts: int = 0
    retry_at: float = 0.0
    seq: int = -1
    pid: int = -1
    closed: bool = False
    done: bool = False
    in_flight: bool = False
    sent_to: str | None = None

    @property
    def batch_id(self) -> int:
        """The ledger's id of this batch."""
        return self.history.batch_id

    @property
    def first_id(self) -> int:
        """Id of the first record."""
        return self.history.first_id

    @property
    def count(self) -> int:
        """Records in the batch."""
        return self.history.count


def _batch_done(b: Batch) -> bool:
    """A batch whose outcome is known needs no delivery deadline."""
    return b.done


@dataclass(slots=True)
class ProduceRequest:
    """What travels to the leader."""

    batch: Batch
    acks: str
    pid: int
    seq: int
    timeout: float
    attempt: int


@dataclass
class AppState:
    """The application's send loop."""

    next_id: int = 0            # index into the workload of the next record to send
    next_at: float = 0.0        # when it is due
    blocked_since: float | None = None
    waiting_on: int | None = None  # sync mode: the batch id whose future we wait on
    pending: deque = field(default_factory=deque)


class Producer(ClientNode):
    """KafkaProducer (or librdkafka's producer) inside the application process."""

    def __init__(self, sim: "Simulation", name: str = "producer") -> None:
        super().__init__(sim, name)
        self.cfg: dict[str, Any] = sim.config.producer  # live: the UI changes values in place
        self.app = AppState()
        self.queue: deque[Batch] = deque()
        self.used_bytes = 0
        self.used_records = 0
        self.in_flight: dict[int, Batch] = {}  # attempt key -> batch
        self.pid = -1
        self.next_seq = self.acked_seq = 0
        self.wakeup_at: float | None = None
        self.attempt_seq = 0
        self.sessions = 0

    # --- lifecycle -----------------------------------------------------------------------
    def boot(self, resume: bool = True) -> None:
        """Start the process: a new producer id (a new idempotence session), fresh metadata."""
        self.start()
        self.request_deadlines = Deadlines(self, self._request_timeout, self._answered)
        self.delivery_deadlines = Deadlines(self, self._expire, _batch_done)
        self.sessions += 1
        self.pid = self.sessions if self.cfg["enable.idempotence"] else -1
        self.next_seq = self.acked_seq = 0  # acked_seq: the sequence after the last acked batch
        self.start_metadata(self.cfg["metadata.max.age.ms"])
        if resume and self.app.next_id < self.sim.workload_size():
            self.app.next_at = max(self.app.next_at, self.now)
            self.sim.loop.at(self.app.next_at, self._fire, self.incarnation, self.app_send, ())

    def crash(self) -> list[Batch]:
        """The process dies: everything buffered or in flight is gone, nobody is told (P1)."""
        self.stop("crash")
        lost = [b for b in self.queue if not b.done] + [b for b in self.in_flight.values() if not b.done]
        for b in dict.fromkeys(lost):
            b.done = True
            where = "in flight" if b.in_flight else "in the producer buffer"
            for rid in b.history.ids():
                self.sim.ledger.note(rid, self.now, f"{where} when the producer process died")
            self.sim.ledger.step(b.batch_id, self.now, "dropped", self.name, where)
        if self.app.blocked_since is not None:
            rid = self.app.pending[0]
            self.sim.ledger.note(rid, self.now, "send() was blocked on a full buffer when the producer died")
        self.queue.clear()
        self.in_flight.clear()
        self.used_bytes = self.used_records = 0
        self.app.blocked_since = None
        self.app.waiting_on = None
        self.app.pending.clear()
        return lost

    # --- the application -----------------------------------------------------------------
    def app_send(self) -> None:
        """The application calls send() for its next record."""
        app = self.app
        if app.next_id >= self.sim.workload_size() or app.blocked_since is not None or app.waiting_on is not None:
            return
        rid = self.sim.ledger.sent(self.now)
        app.next_id += 1
        app.next_at += self.sim.config.workload["interval.ms"]
        self.sim.activity()
        app.pending.append(rid)
        self._try_append()

    def _schedule_next_send(self) -> None:
        """Queue the application's next send() call when it is due."""
        if self.app.next_id < self.sim.workload_size():
            self.sim.loop.at(max(self.app.next_at, self.now), self._fire, self.incarnation, self.app_send, ())

    def _try_append(self) -> None:
        """Append the pending record, or block (Java, up to max.block.ms) or fail (librdkafka)."""
        app = self.app
        rid = app.pending[0]
        size = self.sim.config.workload["size.bytes"]
        if self._fits(size):
            app.pending.popleft()
            app.blocked_since = None
            batch = self._append(rid, size)
            if self.cfg["send.mode"] == "sync":
                app.waiting_on = batch.batch_id
            else:
                self._schedule_next_send()
        elif self.cfg["client"] == "librdkafka":
            app.pending.popleft()
            self._reject(rid, "QUEUE_FULL: produce() failed, the local queue is full")
            self._schedule_next_send()
        elif app.blocked_since is None:
            app.blocked_since = self.now
            self.timer(self.cfg["max.block.ms"], self._block_expired, rid)
            self._wake(self.now)

    def _fits(self, size: int) -> bool:
        """Room in buffer.memory (Java) or in the queue limits (librdkafka)?"""
        if self.cfg["client"] == "librdkafka":
            return (self.used_records < self.cfg["queue.buffering.max.messages"]
                    and self.used_bytes + size <= self.cfg["queue.buffering.max.kbytes"] * 1024)
        return self.used_bytes + size <= self.cfg["buffer.memory"]

    def _block_expired(self, rid: int) -> None:
        """max.block.ms passed with the buffer still full: send() throws (P2)."""
        app = self.app
        if app.blocked_since is None or not app.pending or app.pending[0] != rid:
            return
        app.pending.popleft()
        app.blocked_since = None
        self._reject(rid, f"TimeoutException: buffer full for max.block.ms={self.cfg['max.block.ms']}")
        self._schedule_next_send()

    def _reject(self, rid: int, error: str) -> None:
        """send() failed: the record never entered the buffer and the application knows."""
        if self.queue:
            self.queue[-1].closed = True  # batches hold consecutive ids: the next record starts anew
        self.sim.ledger.rejected(rid, self.now, error)
        self.sim.ledger.log(self.now, "produce-error", f"send() of record {rid} failed: {error}", self.name)

    def _append(self, rid: int, size: int) -> Batch:
        """RecordAccumulator.append: into the open batch if it fits batch.size, else a new one."""
        last = self.queue[-1] if self.queue else None
        if last is None or last.closed or last.attempts or last.bytes + size > self.cfg["batch.size"]:
            if last is not None:
                last.closed = True
            last = Batch(self.sim.ledger.new_batch(self.now, rid), self.now)
            self.queue.append(last)
            self.delivery_deadlines.add(self.cfg["delivery.timeout.ms"], last)
            self._wake(self.now + self.cfg["linger.ms"])
        self.sim.ledger.batched(rid, last.history)
        last.bytes += size
        self.used_bytes += size
        self.used_records += 1
        if last.bytes + size > self.cfg["batch.size"]:
            last.closed = True  # full: the next record would not fit
            self._wake(self.now)
        return last

    # --- the sender thread ---------------------------------------------------------------
    def _wake(self, at: float) -> None:
        """Make sure the sender runs at `at` (one pending wake-up is enough)."""
        if self.wakeup_at is None or at < self.wakeup_at:
            self.wakeup_at = at
            self.sim.loop.at(at, self._fire, self.incarnation, self._wakeup, (at,))

    def _wakeup(self, at: float) -> None:
        """A scheduled wake-up of the sender (only the latest one counts)."""
        if at == self.wakeup_at:
            self.wakeup_at = None
            self._run_sender()

    def _ready(self, b: Batch) -> bool:
        """A batch may leave: full, lingered long enough, buffer exhausted, or its backoff is over."""
        if b.attempts:
            return self.now >= b.retry_at
        return (b.closed or self.now >= b.created + self.cfg["linger.ms"]
                or self.app.blocked_since is not None)

    def _run_sender(self) -> None:
        """Drain ready batches to the leader within max.in.flight.requests.per.connection."""
        if self.leader is None:
            return self.refresh_metadata()
        limit = self.cfg["max.in.flight.requests.per.connection"]
        while self.queue and len(self.in_flight) < limit:
            b = self.queue[0]
            if not self._ready(b):
                break
            self.queue.popleft()
            b.closed = True
            self._send(b)
        if self.queue:
            b = self.queue[0]
            when = b.retry_at if b.attempts else b.created + self.cfg["linger.ms"]
            if when > self.now and len(self.in_flight) < limit:
                self._wake(when)

    def _send(self, b: Batch) -> None:
        """Send one batch as a produce request; acks=0 completes as soon as it is on the wire."""
        acks = self.cfg["acks"]
        if b.seq < 0 and self.pid >= 0:
            b.pid, b.seq = self.pid, self.next_seq
            self.next_seq += b.count
        b.attempts += 1
        self.attempt_seq += 1
        key = self.attempt_seq
        leader = b.sent_to = self.leader
        self.sim.ledger.step(b.batch_id, self.now, "sent", leader, b.attempts)
        req = ProduceRequest(b, acks, b.pid, b.seq, self.cfg["request.timeout.ms"], b.attempts)
        broker = self.sim.brokers[leader]
        reply = partial(broker.send, self.name, self._on_response, key)
        reset = partial(self._on_response, key, "NETWORK_EXCEPTION", None)
        self.send(leader, broker.on_produce, req, reply, on_reset=reset)
        if acks == "0":
            self._complete(b, "acked", -1)  # P4: offset -1, no answer will come
            return
        b.in_flight = True
        self.in_flight[key] = b
        self.request_deadlines.add(self.cfg["request.timeout.ms"], key)

    def _answered(self, key: int) -> bool:
        """The request with this key got its answer (or was abandoned)."""
        return key not in self.in_flight

    def _request_timeout(self, key: int) -> None:
        """No answer within request.timeout.ms: the attempt failed; the connection is closed."""
        if key in self.in_flight:
            self._on_response(key, "REQUEST_TIMEOUT", None)

    def _on_response(self, key: int, error: str | None, offset: int | None) -> None:
        """A produce answer: done, retry (P6, P7) or fail through the callback."""
        b = self.in_flight.pop(key, None)
        if b is None:  # acks=0: no answer is awaited, but an error closes the connection
            if error in STALE_METADATA:
                self.leader = None
                self.refresh_metadata()
            return
        b.in_flight = False
        if b.done:
            return self._run_sender()
        if error in (None, "OK"):
            if b.pid == self.pid and b.seq >= 0:
                self.acked_seq = max(self.acked_seq, b.seq + b.count)
            self._complete(b, "acked", offset)
        else:
            self._retry_or_fail(b, error)
        self._run_sender()  # the sender thread wakes on every answer

    def _retry_or_fail(self, b: Batch, error: str) -> None:
        """Retriable errors go back to the head of the queue after retry.backoff.ms."""
        self.sim.ledger.step(b.batch_id, self.now, "error", self.name, error)
        if error in STALE_METADATA:
            self.leader = None
        if error == "OUT_OF_ORDER_SEQUENCE_NUMBER" and b.seq == self.acked_seq:
            return self._fail_and_bump(b, error)  # the next expected batch itself: not retriable
        if error in RETRIABLE and b.attempts <= self.cfg["retries"]:
            b.retry_at = self.now + self.cfg["retry.backoff.ms"]
            self._requeue(b)
            self._wake(b.retry_at)
        else:
            self._complete(b, "failed", error)

    def _requeue(self, b: Batch) -> None:
        """Put a retried batch back in sequence order (idempotence keeps order; without it, it may not)."""
        i = 0
        while self.pid >= 0 and i < len(self.queue) and 0 <= self.queue[i].seq < b.seq:
            i += 1
        self.queue.insert(i, b)

    def _fail_and_bump(self, b: Batch, error: str) -> None:
        """Fail the batch and start a new producer epoch with fresh sequences (KIP-360)."""
        self._complete(b, "failed", f"OutOfOrderSequenceException ({error})")
        self._bump_epoch()

    def _bump_epoch(self) -> None:
        """A new producer epoch (modelled as a new producer id): re-sequence what is still queued."""
        self.sessions += 1
        self.pid, self.next_seq, self.acked_seq = self.sessions, 0, 0
        for q in self.queue:
            q.seq = -1

    def _expire(self, b: Batch) -> None:
        """delivery.timeout.ms since the batch was created: it fails through the callback (P6)."""
        if b.done:
            return
        if b in self.queue:
            self.queue.remove(b)
        self._complete(b, "failed", f"TimeoutException: expired after delivery.timeout.ms="
                                    f"{self.cfg['delivery.timeout.ms']}")
        if self.pid >= 0:  # KIP-360: an unknown outcome bumps the epoch; a new sequence space
            self._bump_epoch()

    def _complete(self, b: Batch, kind: str, detail: Any) -> None:
        """Report the outcome to the application and free the buffer space."""
        b.done = True
        self.sim.ledger.outcome(b.history, self.now, kind, detail)
        self.sim.ledger.step(b.batch_id, self.now, kind, self.name, detail)
        self.used_bytes -= b.bytes
        self.used_records -= b.count
        self.sim.activity()
        if kind == "failed":
            ids = f"record {b.first_id}" if b.count == 1 else f"records {b.first_id}-{b.first_id + b.count - 1}"
            self.sim.ledger.log(self.now, "produce-error", f"{ids} failed: {detail}", self.name)
        if self.app.blocked_since is not None:
            self._try_append()
        if self.app.waiting_on == b.batch_id:
            self.app.waiting_on = None
            self._schedule_next_send()

    def reconfigure(self, key: str) -> None:
        """A setting changed live; idempotence takes effect as a new producer session would."""
        if key == "enable.idempotence":
            self._bump_epoch()
            if not self.cfg["enable.idempotence"]:
                self.pid = -1

    def on_leader_known(self) -> None:
        """A leader is known again: let the sender drain."""
        self._wake(self.now)

    # --- views ---------------------------------------------------------------------------
    def idle(self) -> bool:
        """Nothing buffered, in flight or blocked."""
        return not self.queue and not self.in_flight and not self.app.pending
