"""The producer client (send(), the RecordAccumulator, the sender thread) inside its application (app.py)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from .app import AppState, Application
from .config import vt
from .ledger import BatchHistory
from .node import ClientNode, Deadlines
from .partitioner import Partitioner, key_bytes, kind_for
from .watched import below, exceeds

if TYPE_CHECKING:
    from .simulation import Simulation

RETRIABLE = {"NOT_LEADER_OR_FOLLOWER", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
             "REQUEST_TIMED_OUT", "NETWORK_EXCEPTION", "REQUEST_TIMEOUT"}
STALE_METADATA = {"NOT_LEADER_OR_FOLLOWER", "NETWORK_EXCEPTION", "REQUEST_TIMEOUT"}
DISCONNECTS = {"NETWORK_EXCEPTION", "REQUEST_TIMEOUT"}  # the connection is gone (or closed by the client)
IN_FLIGHT = "max.in.flight.requests.per.connection"  # compared with the requests in flight (see watched.below)
JAVA_EXCEPTION = {"OUT_OF_ORDER_SEQUENCE_NUMBER": "OutOfOrderSequenceException",
                  "UNKNOWN_PRODUCER_ID": "UnknownProducerIdException",
                  "INVALID_PRODUCER_EPOCH": "InvalidProducerEpochException"}


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
    epoch: int = 0
    seq_reset: bool = False  # its sequence was rewritten by an epoch bump (ProducerBatch)
    retried: bool = False    # it failed at least once and was re-queued (inRetry)
    closed: bool = False
    done: bool = False
    in_flight: bool = False
    sent_to: str | None = None
    partition: int = 0
    batch_id: int = -1  # the ledger's id of this batch (its history's, kept here: it is read at every step)
    first_id: int = -1  # id of the first record (likewise)

    @property
    def count(self) -> int:
        """Records in the batch."""
        return self.history.count


def _batch_done(b: Batch) -> bool:
    """A batch whose outcome is known needs no delivery deadline."""
    return b.done


@dataclass(slots=True, eq=False)
class Sequences:
    """Idempotence bookkeeping of one partition (Java's TxnPartitionEntry / librdkafka's rktp_eos)."""

    part_epoch: tuple[int, int]      # the producer id and epoch the sequences belong to
    next_seq: int = 0
    last_acked: int = -1             # last acknowledged sequence
    inflight: list[Batch] = field(default_factory=list)  # batches with a sequence, not yet done
    unresolved: int | None = None    # Java: next sequence of an expired retried batch


@dataclass(slots=True)
class ProduceRequest:
    """What travels to the leader."""

    batch: Batch
    acks: str
    pid: int
    seq: int
    timeout: float
    attempt: int
    epoch: int = 0


class Producer(Application, ClientNode):
    """KafkaProducer (or librdkafka's producer) inside the application process."""

    def __init__(self, sim: "Simulation", name: str = "producer") -> None:
        super().__init__(sim, name)
        self.cfg: dict[str, Any] = sim.config.producer  # live: the UI changes values in place
        self.app = AppState()
        self.nparts = sim.partitions
        self.queues: list[deque[Batch]] = [deque() for _ in range(self.nparts)]  # one per partition
        self.queue = self.queues[0]  # t-0's (a one-partition topic's only one)
        self.partitioner: Partitioner | None = None  # set at boot when the topic has several partitions
        #: several topics: (first partition index, partitioner) per topic, set at boot
        self.topic_parts: list[tuple[int, int, Partitioner]] | None = None
        self.used_bytes = 0
        self.used_records = 0
        self.in_flight: dict[int, Batch] = {}  # attempt key -> batch
        self.requests: dict[int, ProduceRequest] = {}  # attempt key -> what was sent
        self.pid = -1
        self.epoch = 0
        self.wakeup_at: float | None = None
        self.attempt_seq = 0
        self.sessions = 0
        self._reset_sequences()
        self.fatal: str | None = None  # librdkafka: a fatal error stops the producer
        self.sync_timer = 0  # spool.fsync.mode = "interval": the current arming of the fsync timer

    def _reset_sequences(self) -> None:
        """Idempotence bookkeeping: sequences per partition; the epoch bump and librdkafka's drain are
        the producer's (one producer id and epoch for all partitions)."""
        self.seqs = [Sequences((self.pid, self.epoch)) for _ in range(self.nparts)]
        self.bump_required = False
        self.drain = False               # librdkafka: wait for in-flight requests before sending more

    def queued(self) -> list[Batch]:
        """Every batch in the accumulator, partition by partition."""
        return [b for q in self.queues for b in q]

    # --- lifecycle -----------------------------------------------------------------------
    def boot(self, resume: bool = True) -> None:
        """Start the process: a new producer id (a new idempotence session), fresh metadata."""
        self.start()
        self.request_deadlines = Deadlines(self, self._request_timeout, self._answered)
        self.delivery_deadlines = Deadlines(self, self._expire, _batch_done)
        self.sessions += 1
        self.pid = self.sessions if self.cfg["enable.idempotence"] else -1
        self.epoch = 0
        self.fatal = None
        self.wakeup_at = None  # the dead process's wake-up died with it (its incarnation is stale)
        self._reset_sequences()
        if len(self.sim.topics) > 1:  # one partitioner per topic, as the clients keep one per topic
            kind, base, self.topic_parts = kind_for(self.cfg["client"], self._version()), 0, []
            for _, n in self.sim.topics:
                self.topic_parts.append((base, n, Partitioner(kind, n, self.cfg["batch.size"], self.sim.rng)))
                base += n
        elif self.nparts > 1:  # a new process starts with a new partitioner (a fresh sticky choice)
            self.partitioner = Partitioner(kind_for(self.cfg["client"], self._version()), self.nparts,
                                           self.cfg["batch.size"], self.sim.rng)
        self.start_metadata(self.cfg.get("topic.metadata.refresh.interval.ms") or self.cfg["metadata.max.age.ms"])
        self.app.send_due = None  # the dead process's send() call died with it
        if resume and self.app.next_id < self.sim.workload_size():
            self.app.next_at = max(self.app.next_at, self.loop.now)
            self._schedule_next_send()
        if self.app.spool is not None:  # the spool's sender resumes from the first record not marked done
            self._spool_resume()
            self._spool_interval_sync()
            self.sim.loop.at(self.loop.now, self._fire, self.incarnation, self._feed, ())

    def crash(self) -> list[Batch]:
        """The process dies: everything buffered or in flight is gone, nobody is told (P1)."""
        self.stop("crash")
        lost = [b for b in self.queued() if not b.done] + [b for b in self.in_flight.values() if not b.done]
        for b in dict.fromkeys(lost):
            b.done = True
            where = "in flight" if b.in_flight else "in the producer buffer"
            for rid in b.history.ids():
                self.sim.ledger.note(rid, self.loop.now, f"{where} when the producer process died")
            self.sim.ledger.step(b.batch_id, self.loop.now, "dropped", self.name, where)
        self._app_died()
        for q in self.queues:
            q.clear()
        self.in_flight.clear()
        self.requests.clear()
        self.used_bytes = self.used_records = 0
        return lost

    @property
    def java(self) -> bool:
        """The Java client (else librdkafka)."""
        return self.cfg["client"] == "java"

    def _version(self) -> tuple[int, int]:
        """The Kafka version of the Java client."""
        return vt(self.sim.config.cluster["kafka.version"])  # (config.version, without its call: asked per batch)

    @property
    def idempotent(self) -> bool:
        """An idempotence session is running (the sender's hot paths test `self.pid >= 0` itself)."""
        return self.pid >= 0

    # --- what send() checks and refuses ----------------------------------------------------
    def _too_large(self, size: int) -> str | None:
        """A record the client refuses at once, however empty its buffer: Java's ensureValidRecordSize
        (RecordTooLargeException, through the future); librdkafka's produce() (MSG_SIZE_TOO_LARGE past
        message.max.bytes, QUEUE_FULL every time past queue.buffering.max.kbytes)."""
        c = self.cfg
        if c["client"] == "java":
            if size <= c["max.request.size"] and size <= c["buffer.memory"]:
                return None  # (the usual answer, first: this runs for every record)
            for key in ("max.request.size", "buffer.memory"):
                if size > c[key]:
                    return f"RecordTooLargeException: the record is {size} bytes, more than {key}={c[key]}"
            return None
        if size > c["message.max.bytes"]:
            return f"MSG_SIZE_TOO_LARGE: the record is {size} bytes, more than message.max.bytes={c['message.max.bytes']}"
        if size > c["queue.buffering.max.kbytes"] * 1024:
            return "QUEUE_FULL: produce() failed, the record is larger than the whole local queue"
        return None

    def _fits(self, size: int) -> bool:
        """Room in buffer.memory (Java) or in the queue limits (librdkafka)?"""
        if self.cfg["client"] != "java":
            return (self.used_records < self.cfg["queue.buffering.max.messages"]
                    and self.used_bytes + size <= self.cfg["queue.buffering.max.kbytes"] * 1024)
        return self.used_bytes + size <= self.cfg["buffer.memory"]

    def _block_expired(self, rid: int) -> None:
        """max.block.ms passed with the buffer still full: send() throws (P2)."""
        app = self.app
        if app.blocked_since is None or not app.pending or app.pending[0] != rid or app.feeding:
            return
        app.pending.popleft()
        app.blocked_since = None
        self._reject(rid, f"TimeoutException: buffer full for max.block.ms={self.cfg['max.block.ms']}")
        self._schedule_next_send()

    def _reject(self, rid: int, error: str) -> None:
        """send() failed: the record never entered the buffer and the application knows."""
        for q in self.queues:
            if q:
                q[-1].closed = True  # batches hold consecutive ids: the next record starts anew
        self.sim.ledger.rejected(rid, self.loop.now, error)
        self.sim.ledger.log(self.loop.now, "produce-error", f"send() of record {rid} failed: {error}", self.name)

    def _append(self, rid: int, size: int) -> Batch:
        """RecordAccumulator.append: into the partition's open batch if it fits batch.size, else a new one."""
        base, span, part = 0, self.nparts, self.partitioner
        if self.topic_parts is not None:  # record i goes to topic i % topics
            base, span, part = self.topic_parts[rid % len(self.topic_parts)]
        p = 0 if part is None else base + self._choose_partition(rid, size, part, base, span)
        queue, cfg, ledger = self.queues[p], self.cfg, self.sim.ledger
        last = queue[-1] if queue else None
        if last is None or last.closed or last.attempts or last.bytes + size > cfg["batch.size"] \
                or rid != last.history.first_id + last.history.count:  # consecutive ids (see _joins)
            if last is not None:
                last.closed = True
            now = self.loop.now
            history = ledger.new_batch(now, rid)
            history.partition = p
            last = Batch(history, now, partition=p, batch_id=history.batch_id, first_id=rid)
            queue.append(last)
            self.delivery_deadlines.add(self._delivery_timeout(), last)
            self._wake(now + cfg["linger.ms"])
        history = last.history  # ledger.batched(rid, history), inlined: this runs for every record
        ledger.batch_of[rid] = last.batch_id
        if history.shared:  # (an open batch is never shared: kept for safety)
            history = ledger.own(last.batch_id)
        history.count += 1
        last.bytes += size
        self.used_bytes += size
        self.used_records += 1
        if last.bytes + size > cfg["batch.size"]:
            last.closed = True  # full: the next record would not fit
            self._wake(self.loop.now)
        if part is not None and not self.sim.config.workload.get("keys", 0):
            # Java 3.3+ counts keyless records only; allBatchesFull(dq) allows the switch
            part.appended(size, len(queue) > 1 or last.closed, self._led_partitions(base, span))
        return last

    def _joins(self, last: Batch | None, rid: int, size: int) -> bool:
        """Can record `rid` go into this open batch? It must fit batch.size and, as a batch holds
        consecutive ids here, follow its last record (a spool re-send or another partition's records
        in between start a new batch)."""
        return not (last is None or last.closed or last.attempts or last.bytes + size > self.cfg["batch.size"]
                    or rid != last.first_id + last.count)

    def _choose_partition(self, rid: int, size: int, part: Partitioner, base: int, span: int) -> int:
        """The partitioner's choice for record `rid`; Java 2.4-3.2 moves the sticky partition when a
        record, keyed or not, would need a new batch in it (KafkaProducer.doSend: abortForNewBatch,
        DefaultPartitioner.onNewBatch), then partitions the record again."""
        keys = self.sim.config.workload.get("keys", 0)
        key = key_bytes(rid % keys) if keys else None
        led = self._led_partitions(base, span)
        p = part.partition(key, led, self.loop.now)
        if part.kind == "sticky":
            queue = self.queues[base + p]
            if not self._joins(queue[-1] if queue else None, rid, size) and part.new_batch(p, led):
                p = part.partition(key, led, self.loop.now)
        return p

    def _led_partitions(self, base: int = 0, span: int | None = None) -> list[int]:
        """The partitions of a topic (its indexes base .. base + span - 1, numbered from 0) whose leader
        this client knows (Cluster.availablePartitionsForTopic)."""
        if base == 0 and (span is None or span == self.nparts):
            return [p for p, leader in enumerate(self.leaders) if leader is not None]
        return [p for p, leader in enumerate(self.leaders[base:base + span]) if leader is not None]

    def _delivery_timeout(self) -> float:
        """delivery.timeout.ms (Java 2.1+, KIP-91; librdkafka message.timeout.ms). Java 2.0 has none:
        a batch expires after request.timeout.ms in the accumulator (checked in _expire)."""
        if self.java and self._version() < (2, 1):
            return self.cfg["request.timeout.ms"] + self.cfg["linger.ms"]
        return self.cfg["delivery.timeout.ms"]

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
            return self.loop.now >= b.retry_at
        return (b.closed or self.loop.now >= b.created + self.cfg["linger.ms"]
                or self.app.blocked_since is not None)

    def _run_sender(self) -> None:
        """Drain ready batches to the leader, over a ready connection, within the in-flight limit."""
        if self.fatal is not None:
            return
        if self.pid >= 0:
            self._idempotence_housekeeping()
        if self.nparts > 1:
            return self._drain_partitions()
        if self.leader is None:
            return self.refresh_metadata()
        if not self.queue or not self.conn_ready(self.leader):
            return  # the sender drains only to ready nodes (NetworkClient.ready); a connect is under way
        cfg = self.cfg
        while self.queue and below(cfg, IN_FLIGHT, len(self.in_flight)):
            b = self.queue[0]
            if not self._ready(b) or (self.pid >= 0 and not self._may_drain(b)):
                break
            self.queue.popleft()
            b.closed = True
            self._send(b)
        if self.queue:
            b = self.queue[0]
            when = b.retry_at if b.attempts else b.created + self.cfg["linger.ms"]
            if when > self.loop.now and below(cfg, IN_FLIGHT, len(self.in_flight)):
                self._wake(when)

    def _drain_partitions(self) -> None:
        """Several partitions: drain each partition's queue to its leader, over a ready connection,
        within max.in.flight.requests.per.connection per broker (NetworkClient.canSendRequest)."""
        cfg = self.cfg
        wake, unknown = None, False
        for p, queue in enumerate(self.queues):
            leader = self.leaders[p]
            if not queue or leader is None:
                unknown = unknown or (bool(queue) and leader is None)
                continue
            if not self.conn_ready(leader):
                continue
            while queue and below(cfg, IN_FLIGHT, self._in_flight_to(leader)):
                b = queue[0]
                if not self._ready(b) or (self.pid >= 0 and not self._may_drain(b)):
                    break
                queue.popleft()
                b.closed = True
                self._send(b)
            if queue and below(cfg, IN_FLIGHT, self._in_flight_to(leader)):
                b = queue[0]
                when = b.retry_at if b.attempts else b.created + self.cfg["linger.ms"]
                if when > self.loop.now:
                    wake = when if wake is None else min(wake, when)
        if unknown:
            self.refresh_metadata()
        if wake is not None:
            self._wake(wake)

    def _in_flight_to(self, broker: str) -> int:
        """Requests in flight on the connection to `broker`."""
        return sum(1 for b in self.in_flight.values() if b.sent_to == broker)

    def _send(self, b: Batch) -> None:
        """Send one batch as a produce request; acks=0 completes as soon as it is on the wire."""
        acks = self.cfg["acks"]
        if self.pid >= 0 and b.seq < 0:
            self._assign_sequence(b)
        b.attempts += 1
        self.attempt_seq += 1
        key = self.attempt_seq
        leader = b.sent_to = self.leader if self.nparts == 1 else self.leaders[b.partition]
        self.sim.ledger.step(b.batch_id, self.loop.now, "sent", leader, b.attempts)
        req = ProduceRequest(b, acks, b.pid, b.seq, self.cfg["request.timeout.ms"], b.attempts, b.epoch)
        broker = self.sim.brokers[leader]
        reply = partial(broker.send, self.name, self._on_response, key)
        reset = partial(self._on_response, key, "NETWORK_EXCEPTION", None)
        self.send(leader, broker.replicas[b.partition].on_produce, req, reply, on_reset=reset,
                  dst_inc=self.conns[leader].inc)
        if acks == "0":
            self._complete(b, "acked", -1)  # P4: offset -1, no answer will come
            return
        b.in_flight = True
        self.in_flight[key] = b
        self.requests[key] = req
        self.request_deadlines.add(self._request_timeout_ms(b), key)

    def _request_timeout_ms(self, b: Batch) -> float:
        """Java: request.timeout.ms. librdkafka: the lesser of socket.timeout.ms and what is left of
        the first message's message.timeout.ms (request.timeout.ms is the broker's ack timeout)."""
        if self.java:
            return self.cfg["request.timeout.ms"]
        left = b.created + self.cfg["delivery.timeout.ms"] - self.loop.now
        return max(1.0, min(self.cfg["socket.timeout.ms"], left))

    def _answered(self, key: int) -> bool:
        """The request with this key got its answer (or was abandoned)."""
        return key not in self.in_flight

    def _request_timeout(self, key: int) -> None:
        """No answer in time: the attempt failed and the client closes the connection (Java
        NetworkClient.handleTimedOutRequests; librdkafka closes it on a request timeout too)."""
        b = self.in_flight.get(key)
        if b is not None:
            self._disconnect(b.sent_to, "REQUEST_TIMEOUT")

    def _disconnect(self, broker: str | None, error: str) -> None:
        """The connection to `broker` is gone: every request in flight on it fails with `error`."""
        for key in [k for k, b in self.in_flight.items() if b.sent_to == broker]:
            self._on_response(key, error, None, run=False)
        if broker is not None:
            self.disconnected(broker)
        self._run_sender()

    def on_connection_closed(self, peer: str, inc: int) -> None:
        """The leader's process died: its host closed the connection; requests on it fail at once."""
        c = self.conns.get(peer)
        if c is not None and c.state == "ready" and c.inc == inc:
            self._disconnect(peer, "NETWORK_EXCEPTION")

    def on_connection_change(self, broker: str) -> None:
        """A connection came up or went down: let the sender look again."""
        self._wake(self.loop.now)

    def _on_response(self, key: int, error: str | None, offset: int | None, run: bool = True) -> None:
        """A produce answer: done, retry (P6, P7) or fail through the callback."""
        b = self.in_flight.pop(key, None)
        req = self.requests.pop(key, None)
        if b is None:
            return  # acks=0 (no answer is awaited) or an attempt already given up
        b.in_flight = False
        if error == "NETWORK_EXCEPTION" and b.sent_to is not None and run:
            c = self.conns.get(b.sent_to)
            if c is not None and c.state == "ready":  # a reset: the whole connection is gone
                self.in_flight[key], self.requests[key] = b, req
                b.in_flight = True
                return self._disconnect(b.sent_to, error)
        if b.done:
            self._forget(b)
        elif error in (None, "OK"):
            if self.pid >= 0 and b.pid == self.pid and b.epoch == self.epoch and b.seq >= 0:
                s = self.seqs[b.partition]
                s.last_acked = max(s.last_acked, b.seq + b.count - 1)
            self._forget(b)
            self._complete(b, "acked", offset)
        elif self.pid < 0 or b.pid < 0:
            self._plain_error(b, error)
        elif self.java:
            self._java_idempotent_error(b, req, error)
        else:
            self._rdkafka_idempotent_error(b, req, error)
        if run:
            self._run_sender()  # the sender thread wakes on every answer

    # --- errors --------------------------------------------------------------------------
    def _note_error(self, b: Batch, error: str) -> None:
        """Ledger step; stale-metadata errors make the client ask who leads."""
        self.sim.ledger.step(b.batch_id, self.loop.now, "error", self.name, error)
        if error in STALE_METADATA and error not in DISCONNECTS:
            self.leader = None
            if self.nparts > 1:
                self.leaders[b.partition] = None

    def _can_retry(self, b: Batch) -> bool:
        """Retries left and still within delivery.timeout.ms (Sender.canRetry)."""
        if exceeds(self.cfg, "retries", b.attempts):
            return False
        if self.java and self._version() < (2, 1):
            return True
        return self.loop.now < b.created + self.cfg["delivery.timeout.ms"]

    def _plain_error(self, b: Batch, error: str) -> None:
        """Without idempotence: retriable errors are retried, others fail the batch."""
        self._note_error(b, error)
        if error in RETRIABLE and self._can_retry(b):
            self._requeue(b)
        else:
            self._complete(b, "failed", error)

    def _java_idempotent_error(self, b: Batch, req: ProduceRequest | None, error: str) -> None:
        """Java's TransactionManager.canRetry and handleFailedBatch for an idempotent producer."""
        self._note_error(b, error)
        if self._version() < (2, 5):
            return self._java_24_error(b, error)
        retry = self._can_retry(b)
        s = self.seqs[b.partition]
        if retry and error == "UNKNOWN_PRODUCER_ID":
            if not b.seq_reset:
                self.bump_required = True  # the broker lost our state: a new epoch, sequences from 0
        elif retry and error == "OUT_OF_ORDER_SEQUENCE_NUMBER":
            if s.unresolved is None and (b.seq_reset or b.seq != s.last_acked + 1):
                pass  # an earlier batch failed: this one is retried once that one is sorted out
            elif s.unresolved is None or b.seq == s.unresolved:
                self.bump_required = True  # KAFKA-8805 (2.5): a real gap, bump the epoch and retry
        elif retry:
            retry = error in RETRIABLE
        if retry:
            return self._requeue(b)
        self._forget(b)
        self._complete(b, "failed", JAVA_EXCEPTION.get(error, error))
        if (error in ("OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID")
                or not exceeds(self.cfg, "retries", b.attempts)):
            self.bump_required = True

    def _java_24_error(self, b: Batch, error: str) -> None:
        """Before 2.5 (no KAFKA-8805): an out-of-order sequence for the next expected batch is not
        retried; the batch fails and the producer id is reset (resetProducerId). A batch of an older
        producer id is not retried at all."""
        retry = self._can_retry(b) and b.pid == self.pid
        s = self.seqs[b.partition]
        if retry and error == "OUT_OF_ORDER_SEQUENCE_NUMBER":
            retry = s.unresolved is None and (b.seq_reset or b.seq != s.last_acked + 1)
        elif retry:
            retry = error in RETRIABLE
        if retry:
            return self._requeue(b)
        self._forget(b)
        self._complete(b, "failed", JAVA_EXCEPTION.get(error, error))
        if b.pid == self.pid and error in ("OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID"):
            self._new_producer_id()
        elif b.pid == self.pid and not exceeds(self.cfg, "retries", b.attempts):
            self._shift_sequences(b)  # adjustSequencesDueToFailedBatch

    def _rdkafka_idempotent_error(self, b: Batch, req: ProduceRequest | None, error: str) -> None:
        """librdkafka's rd_kafka_handle_idempotent_Produce_error and rd_kafka_handle_Produce_error."""
        self._note_error(b, error)
        next_ack = self.seqs[b.partition].last_acked + 1
        if error == "OUT_OF_ORDER_SEQUENCE_NUMBER":
            if b.seq > next_ack:  # a request behind a failed one: bump once drained, retry
                self._drain_and_bump()
                return self._requeue(b, count=False)
            return self._fatal(b, error, "sequence desynchronization with the broker")
        if error == "UNKNOWN_PRODUCER_ID":
            if b.attempts == 1 and b.seq == next_ack:
                self._drain_and_bump()
                return self._requeue(b, count=False)
            return self._fatal(b, error, "unable to retry without risking duplication/reordering")
        if error in RETRIABLE and self._can_retry(b):
            self.drain = True  # retry once every request in flight has come back
            return self._requeue(b)
        self._forget(b)
        self._complete(b, "failed", error if error != "REQUEST_TIMEOUT" else "_MSG_TIMED_OUT")
        self._drain_and_bump()  # a gap in the sequence: bump the epoch (no gap-less guarantee)

    def _fatal(self, b: Batch, error: str, why: str) -> None:
        """librdkafka: a fatal idempotence error. The batch fails, queued messages are purged, and
        every later produce() fails with _FATAL."""
        self.fatal = f"{error}: {why}"
        self.sim.ledger.log(self.loop.now, "produce-error", f"fatal error: {error} ({why})", self.name)
        self._forget(b)
        self._complete(b, "failed", error)
        for q in self.queued():
            self.queues[q.partition].remove(q)
            self._forget(q)
            self._complete(q, "failed", f"_PURGE_QUEUE: purged after the fatal error {error}")

    def _requeue(self, b: Batch, count: bool = True) -> None:
        """Back to the queue in sequence order after the (exponential) retry backoff."""
        b.retried = True
        b.retry_at = self.loop.now + self._backoff(b.attempts if count else 1)
        queue = self.queues[b.partition]
        i = 0
        while self.idempotent and i < len(queue) and 0 <= queue[i].seq < b.seq:
            i += 1
        queue.insert(i, b)
        self._wake(b.retry_at)

    def _backoff(self, attempts: int) -> float:
        """retry.backoff.ms; exponential up to retry.backoff.max.ms with +-20% jitter in Java from 3.7
        (KIP-580, ExponentialBackoff) and in librdkafka (rd_kafka_retry_msgq)."""
        base = self.cfg["retry.backoff.ms"]
        if self.java and self._version() < (3, 7):
            return base
        top = self.cfg.get("retry.backoff.max.ms", 1000)
        return min(top, base * 2 ** max(0, attempts - 1) * self.sim.rng.uniform(0.8, 1.2))

    # --- idempotence bookkeeping -----------------------------------------------------------
    def _assign_sequence(self, b: Batch) -> None:
        """A batch drained for the first time gets its partition's next sequence of the current epoch."""
        s = self.seqs[b.partition]
        if s.part_epoch != (self.pid, self.epoch) and not s.inflight:
            s.next_seq, s.last_acked, s.part_epoch = 0, -1, (self.pid, self.epoch)
        b.pid, b.epoch, b.seq = self.pid, self.epoch, s.next_seq
        s.next_seq += b.count
        s.inflight.append(b)

    def _forget(self, b: Batch) -> None:
        """The batch is done: no longer tracked as in flight for its sequence."""
        inflight = self.seqs[b.partition].inflight
        if b in inflight:
            inflight.remove(b)

    def _may_drain(self, b: Batch) -> bool:
        """Java (RecordAccumulator.shouldStopDrainBatchesForPartition): a new batch waits while
        batches of an older epoch are in flight or a sequence is unresolved; a retry goes only when
        it is the lowest sequence in flight. librdkafka: nothing goes while it drains."""
        if not self.java:
            return not (self.drain and self.in_flight)
        s = self.seqs[b.partition]
        if b.seq < 0:
            stale = any((x.pid, x.epoch) != (self.pid, self.epoch) for x in s.inflight)
            return not stale and s.unresolved is None
        first = min(s.inflight, key=lambda x: x.seq, default=None)
        return first is None or first is b or first.seq == b.seq

    def _idempotence_housekeeping(self) -> None:
        """Each sender loop: resolve sequences, bump the epoch when one is due (Sender.runOnce)."""
        if self.java and self._version() >= (2, 5):
            for s in self.seqs:
                if s.unresolved is not None and not s.inflight:  # maybeResolveSequences
                    if s.next_seq != s.last_acked + 1:
                        self.bump_required = True
                    s.unresolved = None
            if self.bump_required:
                self._bump_java()
        elif not self.java and self.drain and not self.in_flight:
            self.drain = False
            if self.bump_required:
                self._bump_rdkafka()

    def _bump_java(self) -> None:
        """bumpIdempotentProducerEpoch: epoch + 1; in every partition the batches still in flight get
        sequences from 0."""
        self.epoch += 1
        for s in self.seqs:
            seq = 0
            for x in sorted(s.inflight, key=lambda x: x.seq):
                x.pid, x.epoch, x.seq, x.seq_reset = self.pid, self.epoch, seq, True
                seq += x.count
            s.next_seq, s.last_acked, s.part_epoch = seq, -1, (self.pid, self.epoch)
            s.unresolved = None
        self.bump_required = False
        self.sim.ledger.log(self.loop.now, "note", f"producer bumped its epoch to {self.epoch}", self.name)

    def _drain_and_bump(self) -> None:
        """librdkafka: drain the requests in flight, then bump the epoch."""
        self.drain = True
        self.bump_required = True

    def _bump_rdkafka(self) -> None:
        """librdkafka (idempotence drain done): epoch + 1, sequences restart at the first queued message."""
        self.epoch += 1
        for q in self.queued():
            q.seq, q.seq_reset = -1, True
        self.seqs = [Sequences((self.pid, self.epoch)) for _ in range(self.nparts)]
        self.bump_required = False
        self.sim.ledger.log(self.loop.now, "note", f"producer bumped its epoch to {self.epoch}", self.name)

    def _new_producer_id(self) -> None:
        """Java before 2.5: resetProducerId and a new InitProducerId: a new id, sequences from 0."""
        self.sessions += 1
        self.pid, self.epoch = self.sessions, 0
        self._reset_sequences()

    def _shift_sequences(self, b: Batch) -> None:
        """Java before 2.5 (adjustSequencesDueToFailedBatch): later batches of its partition move down by its size."""
        s = self.seqs[b.partition]
        s.next_seq -= b.count
        for x in s.inflight:
            if x.seq > b.seq:
                x.seq -= b.count
                x.seq_reset = True

    def _expire(self, b: Batch) -> None:
        """delivery.timeout.ms since the batch was created: it fails through the callback (P6). Java
        marks the sequence unresolved if the batch had been retried (Sender.sendProducerData);
        librdkafka drains and bumps the epoch."""
        if b.done:
            return
        if self.java and self._version() < (2, 1) and (b.in_flight or b not in self.queues[b.partition]):
            return  # Java 2.0: an in-flight batch never expires; request.timeout.ms bounds the attempt
        queue = self.queues[b.partition]
        if b in queue:
            queue.remove(b)
        if self.java and self._version() < (2, 1):
            why = f"TimeoutException: expired in the accumulator after request.timeout.ms={self.cfg['request.timeout.ms']}"
        else:
            why = f"TimeoutException: expired after delivery.timeout.ms={self.cfg['delivery.timeout.ms']}"
        self._complete(b, "failed", why)
        if self.pid >= 0 and b.seq >= 0 and b.pid == self.pid:
            if self.java:
                self._forget(b)
                if b.retried or b.in_flight:
                    s = self.seqs[b.partition]
                    s.unresolved = max(s.unresolved or 0, b.seq + b.count)
            else:
                self._forget(b)
                self._drain_and_bump()
        elif self.idempotent and not self.java:
            self._drain_and_bump()

    def _complete(self, b: Batch, kind: str, detail: Any) -> None:
        """Report the outcome to the application and free the buffer space."""
        b.done = True
        self.sim.ledger.outcome(b.history, self.loop.now, kind, detail)
        self.sim.ledger.step(b.batch_id, self.loop.now, kind, self.name, detail)
        self.used_bytes -= b.bytes
        self.used_records -= b.count
        self.sim.last_activity = self.loop.now  # sim.activity(), inlined: every batch passes here
        if kind == "failed":
            ids = f"record {b.first_id}" if b.count == 1 else f"records {b.first_id}-{b.first_id + b.count - 1}"
            self.sim.ledger.log(self.loop.now, "produce-error", f"{ids} failed: {detail}", self.name)
        self._app_outcome(b, kind)

    def reconfigure(self, key: str) -> None:
        """A setting changed live; idempotence takes effect as a new producer session would."""
        if key == "spool.fsync.interval.ms" and self.app.spool is not None:
            self._spool_interval_sync()  # the application re-arms its fsync timer at the new interval
        if key in ("send.mode", "max.outstanding"):
            self._app_mode_changed()
        if key == "enable.idempotence":
            self.sessions += 1
            self.pid = self.sessions if self.cfg["enable.idempotence"] else -1
            self.epoch = 0
            self._reset_sequences()
            for q in self.queued():
                q.seq = -1

    def on_leader_known(self) -> None:
        """A leader is known again: let the sender drain."""
        self._wake(self.loop.now)

    # --- views ---------------------------------------------------------------------------
    def idle(self) -> bool:
        """Nothing buffered, in flight, blocked or waiting in the spool."""
        spool = self.app.spool
        return not any(self.queues) and not self.in_flight and not self.app.pending and (
            spool is None or self.fatal is not None or not spool.open)
