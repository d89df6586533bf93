"""A plain SimPy model of a Kafka produce/replicate/consume pipeline, used as a speed and memory baseline."""

from __future__ import annotations

import argparse
import bisect
import resource
import sys
import time
import tracemalloc
from collections import deque
from dataclasses import dataclass, field

import simpy

# Stage names written into each record's history.
SENT = "sent"
BATCHED = "batched"
REQUEST_SENT = "request_sent"
APPENDED = "appended"
REPLICATED = "replicated"
HW_PASSED = "hw_passed"
ACKED = "acked"
FETCHED = "fetched"
PROCESSED = "processed"
OFFSET_COMMITTED = "offset_committed"

# sent, batched, request sent, appended, 2x replicated, HW, acked, fetched, processed, committed.
STAGES_PER_RECORD = 11

LEADER = "broker-1"
FOLLOWERS = ("broker-2", "broker-3")
PRODUCER = "producer"
CONSUMER = "consumer-1"

MAX_IN_FLIGHT = 5
FETCH_MAX_WAIT_MS = 500.0
CONSUMER_MAX_POLL_RECORDS = 500
AUTO_COMMIT_INTERVAL_MS = 5000.0


@dataclass
class Record:
    """One produced record and its full history of (time, stage, where) entries."""

    key: int
    size: int
    offset: int = -1
    history: list[tuple[float, str, str]] = field(default_factory=list)


@dataclass
class Batch:
    """A producer batch of records; the leader assigns its base offset on append."""

    created_at: float
    records: list[Record] = field(default_factory=list)
    size_bytes: int = 0
    base_offset: int = -1
    closed: bool = False

    @property
    def end_offset(self) -> int:
        """Offset one past the batch's last record."""
        return self.base_offset + len(self.records)


class Leader:
    """Partition leader: holds the log, tracks replica LEOs and the high watermark."""

    def __init__(self, env: simpy.Environment, replicas: tuple[str, ...]) -> None:
        """Create an empty log with every replica at offset 0."""
        self.env = env
        self.log: list[Batch] = []
        self.base_offsets: list[int] = []
        self.leo = 0
        self.hw = 0
        self.replica_leo = {name: 0 for name in replicas}
        # Pending acks=all produce requests, in offset order: (end offset, event).
        self.pending_acks: deque[tuple[int, simpy.Event]] = deque()
        # Long-polling fetchers wait on these; each is replaced once fired.
        self.new_data = env.event()
        self.hw_advanced = env.event()

    def append(self, batch: Batch) -> simpy.Event:
        """Append a batch and return an event that fires once the HW covers it."""
        now = self.env.now
        batch.base_offset = self.leo
        for i, record in enumerate(batch.records):
            record.offset = self.leo + i
            record.history.append((now, APPENDED, LEADER))
        self.log.append(batch)
        self.base_offsets.append(batch.base_offset)
        self.leo += len(batch.records)
        committed = self.env.event()
        self.pending_acks.append((batch.end_offset, committed))
        self.new_data.succeed()
        self.new_data = self.env.event()
        self._update_hw()
        return committed

    def batches_from(self, offset: int) -> list[Batch]:
        """Return every batch at or after `offset` (follower fetches are batch-aligned)."""
        index = bisect.bisect_left(self.base_offsets, offset)
        return self.log[index:]

    def records_between(self, start: int, end: int, limit: int | None = None) -> list[Record]:
        """Return records with start <= offset < end, at most `limit` of them."""
        out: list[Record] = []
        index = max(bisect.bisect_right(self.base_offsets, start) - 1, 0)
        while index < len(self.log) and (limit is None or len(out) < limit):
            batch = self.log[index]
            if batch.base_offset >= end:
                break
            for record in batch.records:
                if start <= record.offset < end:
                    out.append(record)
                    if limit is not None and len(out) >= limit:
                        break
            index += 1
        return out

    def fetch_arrived(self, replica: str, fetch_offset: int) -> None:
        """Note a follower's LEO from its fetch request, as Kafka does, and advance the HW."""
        self.replica_leo[replica] = fetch_offset
        self._update_hw()

    def _update_hw(self) -> None:
        """Recompute HW = min LEO over the ISR and release acks it now covers."""
        new_hw = min(self.leo, *self.replica_leo.values())
        if new_hw <= self.hw:
            return
        now = self.env.now
        for record in self.records_between(self.hw, new_hw):
            record.history.append((now, HW_PASSED, LEADER))
        self.hw = new_hw
        while self.pending_acks and self.pending_acks[0][0] <= new_hw:
            _, committed = self.pending_acks.popleft()
            committed.succeed()
        self.hw_advanced.succeed()
        self.hw_advanced = self.env.event()


class Producer:
    """Producer client: application loop, record accumulator with linger, and sender."""

    def __init__(
        self,
        env: simpy.Environment,
        leader: Leader,
        ledger: list[Record],
        records: int,
        interval_ms: float,
        linger_ms: float,
        batch_size: int,
        record_size: int,
        latency_ms: float,
    ) -> None:
        """Wire the producer to the leader and start its processes."""
        self.env = env
        self.leader = leader
        self.ledger = ledger
        self.records = records
        self.interval_ms = interval_ms
        self.linger_ms = linger_ms
        self.batch_size = batch_size
        self.record_size = record_size
        self.latency_ms = latency_ms
        self.open_batch: Batch | None = None
        self.ready: simpy.Store = simpy.Store(env)
        self.in_flight = simpy.Resource(env, capacity=MAX_IN_FLIGHT)
        self.acked = 0
        env.process(self.application())
        env.process(self.sender())

    def application(self):
        """Send one record every interval_ms, like a loop calling producer.send()."""
        for key in range(self.records):
            record = Record(key=key, size=self.record_size)
            record.history.append((self.env.now, SENT, PRODUCER))
            self.ledger.append(record)
            self.accumulate(record)
            yield self.env.timeout(self.interval_ms)

    def accumulate(self, record: Record) -> None:
        """Add a record to the open batch, closing it first if the record would not fit."""
        batch = self.open_batch
        if batch is not None and batch.size_bytes + record.size > self.batch_size:
            self.close(batch)
            batch = None
        if batch is None:
            batch = Batch(created_at=self.env.now)
            self.open_batch = batch
            self.env.process(self.linger(batch))
        batch.records.append(record)
        batch.size_bytes += record.size
        record.history.append((self.env.now, BATCHED, PRODUCER))
        if batch.size_bytes >= self.batch_size:
            self.close(batch)

    def linger(self, batch: Batch):
        """Close the batch linger_ms after its first record unless size closed it already."""
        yield self.env.timeout(self.linger_ms)
        if not batch.closed:
            self.close(batch)

    def close(self, batch: Batch) -> None:
        """Hand a full or lingered batch to the sender."""
        batch.closed = True
        if self.open_batch is batch:
            self.open_batch = None
        self.ready.put(batch)

    def sender(self):
        """Send closed batches in order, never more than MAX_IN_FLIGHT unanswered."""
        while True:
            batch = yield self.ready.get()
            slot = self.in_flight.request()
            yield slot
            self.env.process(self.produce_request(batch, slot))

    def produce_request(self, batch: Batch, slot):
        """One acks=all produce request: travel, append, wait for HW, travel back, ack."""
        now = self.env.now
        for record in batch.records:
            record.history.append((now, REQUEST_SENT, PRODUCER))
        yield self.env.timeout(self.latency_ms)
        committed = self.leader.append(batch)
        yield committed
        yield self.env.timeout(self.latency_ms)
        now = self.env.now
        for record in batch.records:
            record.history.append((now, ACKED, PRODUCER))
        self.acked += len(batch.records)
        self.in_flight.release(slot)


class Follower:
    """Follower replica that keeps its own log in sync with the leader by fetching."""

    def __init__(self, env: simpy.Environment, name: str, leader: Leader, latency_ms: float) -> None:
        """Start the follower's fetch loop."""
        self.env = env
        self.name = name
        self.leader = leader
        self.latency_ms = latency_ms
        self.log: list[Batch] = []
        self.leo = 0
        env.process(self.fetch_loop())

    def fetch_loop(self):
        """Fetch from the leader forever, long-polling when there is nothing new."""
        while True:
            yield self.env.timeout(self.latency_ms)
            self.leader.fetch_arrived(self.name, self.leo)
            if self.leader.leo <= self.leo:
                yield self.leader.new_data | self.env.timeout(FETCH_MAX_WAIT_MS)
            batches = self.leader.batches_from(self.leo)
            yield self.env.timeout(self.latency_ms)
            now = self.env.now
            for batch in batches:
                self.log.append(batch)
                self.leo += len(batch.records)
                for record in batch.records:
                    record.history.append((now, REPLICATED, self.name))


class Consumer:
    """Consumer that polls below the HW and auto-commits its position inside poll()."""

    def __init__(
        self,
        env: simpy.Environment,
        leader: Leader,
        total: int,
        latency_ms: float,
        processing_ms: float,
    ) -> None:
        """Start the poll loop; `done` fires once offset `total` is committed."""
        self.env = env
        self.leader = leader
        self.total = total
        self.latency_ms = latency_ms
        self.processing_ms = processing_ms
        self.position = 0
        self.committed_offset = 0
        self.processed = 0
        self.last_commit_at = 0.0
        self.uncommitted: list[Record] = []
        self.done = env.event()
        env.process(self.poll_loop())

    def poll_loop(self):
        """Java-style loop: poll (committing first when the interval is due), then process."""
        while True:
            if self.env.now - self.last_commit_at >= AUTO_COMMIT_INTERVAL_MS:
                self.last_commit_at = self.env.now
                if self.uncommitted:
                    # Auto-commit is asynchronous: poll() does not wait for it.
                    self.env.process(self.commit(self.position, self.uncommitted))
                    self.uncommitted = []
            yield self.env.timeout(self.latency_ms)
            if self.leader.hw <= self.position:
                yield self.leader.hw_advanced | self.env.timeout(FETCH_MAX_WAIT_MS)
            records = self.leader.records_between(
                self.position, self.leader.hw, CONSUMER_MAX_POLL_RECORDS
            )
            yield self.env.timeout(self.latency_ms)
            now = self.env.now
            for record in records:
                record.history.append((now, FETCHED, CONSUMER))
            for record in records:
                if self.processing_ms > 0:
                    yield self.env.timeout(self.processing_ms)
                record.history.append((self.env.now, PROCESSED, CONSUMER))
                self.processed += 1
                self.uncommitted.append(record)
            if records:
                self.position = records[-1].offset + 1

    def commit(self, offset: int, records: list[Record]):
        """Send an offset commit to the coordinator (the leader here) and record it there."""
        yield self.env.timeout(self.latency_ms)
        now = self.env.now
        for record in records:
            record.history.append((now, OFFSET_COMMITTED, LEADER))
        self.committed_offset = max(self.committed_offset, offset)
        if self.committed_offset >= self.total and not self.done.triggered:
            self.done.succeed()


def simulate(
    records: int = 100_000,
    interval_ms: float = 1.0,
    linger_ms: float = 5.0,
    batch_size: int = 16384,
    record_size: int = 100,
    latency_ms: float = 1.0,
    processing_ms: float = 0.0,
) -> dict:
    """Build and run one pipeline to completion; return the ledger and end-state counters."""
    env = simpy.Environment()
    ledger: list[Record] = []
    leader = Leader(env, FOLLOWERS)
    producer = Producer(
        env, leader, ledger, records, interval_ms, linger_ms, batch_size, record_size, latency_ms
    )
    for name in FOLLOWERS:
        Follower(env, name, leader, latency_ms)
    consumer = Consumer(env, leader, records, latency_ms, processing_ms)
    env.run(until=consumer.done)
    return {
        "ledger": ledger,
        "virtual_end_ms": env.now,
        "acked": producer.acked,
        "processed": consumer.processed,
        "committed_offset": consumer.committed_offset,
    }


def _maxrss_mb() -> float:
    """Process high-water RSS in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run(
    records: int = 100_000,
    interval_ms: float = 1.0,
    linger_ms: float = 5.0,
    batch_size: int = 16384,
    record_size: int = 100,
    latency_ms: float = 1.0,
    processing_ms: float = 0.0,
    trace_memory: bool = True,
) -> dict:
    """Time one run, then measure tracemalloc peak in a second identical run; return the figures."""
    params = dict(
        records=records,
        interval_ms=interval_ms,
        linger_ms=linger_ms,
        batch_size=batch_size,
        record_size=record_size,
        latency_ms=latency_ms,
        processing_ms=processing_ms,
    )
    # Timed without tracemalloc, whose per-allocation hook would inflate the wall time.
    start = time.perf_counter()
    result = simulate(**params)
    wall = time.perf_counter() - start
    maxrss = _maxrss_mb()

    ledger = result.pop("ledger")
    complete = sum(1 for r in ledger if len(r.history) == STAGES_PER_RECORD)
    del ledger

    peak_mb = None
    if trace_memory:
        already = tracemalloc.is_tracing()
        if not already:
            tracemalloc.start()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        traced = simulate(**params)
        _, peak = tracemalloc.get_traced_memory()
        del traced
        if not already:
            tracemalloc.stop()
        peak_mb = (peak - base) / (1024 * 1024)

    return {
        "records": records,
        "virtual_end_ms": result["virtual_end_ms"],
        "wall_seconds": wall,
        "records_per_second": records / wall if wall > 0 else float("inf"),
        "tracemalloc_peak_mb": peak_mb,
        "ru_maxrss_mb": maxrss,
        "acked": result["acked"],
        "processed": result["processed"],
        "committed_offset": result["committed_offset"],
        "complete_ledgers": complete,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run the model and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--interval-ms", type=float, default=1.0)
    parser.add_argument("--linger-ms", type=float, default=5.0)
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the second, memory-traced run"
    )
    args = parser.parse_args(argv)

    out = run(
        records=args.records,
        interval_ms=args.interval_ms,
        linger_ms=args.linger_ms,
        trace_memory=not args.no_tracemalloc,
    )
    peak = out["tracemalloc_peak_mb"]
    print(f"records:            {out['records']}")
    print(f"virtual end time:   {out['virtual_end_ms']:.1f} ms")
    print(f"wall time:          {out['wall_seconds']:.3f} s")
    print(f"records/s (wall):   {out['records_per_second']:,.0f}")
    print(f"tracemalloc peak:   {'n/a' if peak is None else f'{peak:.1f} MB'}")
    print(f"ru_maxrss:          {out['ru_maxrss_mb']:.1f} MB")
    ok = out["acked"] == out["records"] == out["processed"] == out["complete_ledgers"]
    print(
        f"sanity:             acked={out['acked']} processed={out['processed']} "
        f"complete_ledgers={out['complete_ledgers']} {'OK' if ok else 'MISMATCH'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
