"""One replica's log: record batches with offsets and leader epochs, split into page cache and disk."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(slots=True, init=False)
class LogBatch:
    """A record batch as stored in a replica's log; the records are ids first_id..first_id+count-1. It never
    changes once appended, so every replica's log holds the very object the leader appended; when each
    replica appended it is kept by that replica's log (its page ages)."""

    base: int           # offset of the first record
    count: int
    epoch: int          # leader epoch in which the leader appended it
    batch_id: int       # the producer batch it came from (a retry appends the same batch again)
    first_id: int       # id of the first record
    pid: int            # producer id (idempotence)
    seq: int            # producer sequence of the first record, -1 without idempotence
    size: int           # bytes
    end: int = -1       # the offset just past this batch (filled in from base + count)
    pepoch: int = 0     # producer epoch (idempotence)

    def __init__(self, base: int, count: int, epoch: int, batch_id: int, first_id: int, pid: int, seq: int,
                 size: int, end: int = -1, pepoch: int = 0) -> None:
        """The dataclass's own __init__ with `end` filled in from base + count in the same call (a leader
        makes one per batch it appends)."""
        self.base, self.count, self.epoch, self.batch_id, self.first_id = base, count, epoch, batch_id, first_id
        self.pid, self.seq, self.size = pid, seq, size
        self.end, self.pepoch = base + count, pepoch

    def __deepcopy__(self, memo: dict) -> "LogBatch":
        """Never changed once appended (replicas share them): a checkpoint keeps the same object."""
        return self


class ReplicaLog:
    """Batches in offset order; `flushed` is the offset below which the log is on disk."""

    def __init__(self) -> None:
        self.batches: list[LogBatch] = []
        self._bases: list[int] = []
        self._appended: list[float] = []  # when this replica appended each batch: the OS writes back by page age
        self.flushed = 0          # below it the log is on disk (fsync or the OS's writeback)
        self.recovery_point = 0   # below it Kafka itself flushed the log (its recovery point)
        self.last_flush_at = 0.0  # when Kafka last moved the recovery point (UnifiedLog.lastFlushTime)
        self.leo = 0              # log end offset: the offset the next record will get (read very often)

    def __deepcopy__(self, memo: dict) -> "ReplicaLog":
        """A checkpoint's copy: the batches are never changed (shared), the offsets are plain ints, the rest
        plain values; only the two lists are copied."""
        new = ReplicaLog.__new__(ReplicaLog)
        memo[id(self)] = new
        new.__dict__.update(self.__dict__)
        new.batches, new._bases, new._appended = self.batches[:], self._bases[:], self._appended[:]
        return new

    def append(self, batch: LogBatch, now: float) -> None:
        """Add a batch at the end, appended at `now` (its base must be the current log end offset)."""
        self.batches.append(batch)
        self._bases.append(batch.base)
        self._appended.append(now)
        self.leo = batch.end

    def index_of(self, offset: int) -> int:
        """Index of the batch holding `offset` (or the first batch after it)."""
        i = bisect_right(self._bases, offset) - 1
        if i >= 0 and self.batches[i].end <= offset:
            i += 1
        return max(i, 0)

    def batch_at(self, offset: int) -> LogBatch | None:
        """The batch that holds `offset`, if any."""
        i = self.index_of(offset)
        if i < len(self.batches) and self.batches[i].base <= offset < self.batches[i].end:
            return self.batches[i]
        return None

    def record_at(self, offset: int) -> int | None:
        """The record id at `offset`, if any."""
        b = self.batch_at(offset)
        return None if b is None else b.first_id + (offset - b.base)

    def read(self, start: int, stop: int, max_bytes: int) -> list[LogBatch]:
        """Whole batches from `start` up to (not past) `stop`, at least one, then within max_bytes."""
        out, size, batches = [], 0, self.batches
        for i in range(self.index_of(start), len(batches)):
            b = batches[i]
            if b.end > stop or (out and size + b.size > max_bytes):
                break
            out.append(b)
            size += b.size
        return out

    def truncate_to(self, offset: int) -> list[LogBatch]:
        """Remove everything at and above `offset` (on batch boundaries); returns what was removed."""
        i = self.index_of(offset)
        removed = self.batches[i:]
        del self.batches[i:]
        del self._bases[i:]
        del self._appended[i:]
        self.leo = self.batches[-1].end if self.batches else 0
        self.flushed = min(self.flushed, self.leo)
        self.recovery_point = min(self.recovery_point, self.leo)
        return removed

    def lose_unflushed(self) -> list[LogBatch]:
        """Power loss: the page cache is gone; only what reached the disk remains."""
        return self.truncate_to(self.flushed)

    def flush(self, upto: int, now: float) -> list[LogBatch]:
        """An fsync that started when the log ended at `upto` returned: durable up to there; returns
        the batches that just reached the disk. Kafka's flush time moves only if its recovery point did."""
        upto = min(upto, self.leo)
        done = self.batches[self.index_of(self.flushed):self.index_of(upto)] if upto > self.flushed else []
        self.flushed = max(self.flushed, upto)
        if upto > self.recovery_point:
            self.recovery_point, self.last_flush_at = upto, now
        return done

    def write_back(self, older_than: float) -> list[LogBatch]:
        """The OS writes back dirty pages appended before `older_than`; returns them."""
        done, start = [], self.index_of(self.flushed)
        for b, at in zip(self.batches[start:], self._appended[start:]):
            if at > older_than:
                break
            done.append(b)
        if done:
            self.flushed = done[-1].end
        return done

    def unflushed(self) -> int:
        """How many records are only in the page cache."""
        return self.leo - self.flushed

    def last_epoch(self) -> int:
        """Leader epoch of the last batch (-1 for an empty log)."""
        return self.batches[-1].epoch if self.batches else -1

    def epoch_at(self, offset: int) -> int:
        """Leader epoch of the record at `offset` (-1 if none)."""
        b = self.batch_at(offset)
        return -1 if b is None else b.epoch

    def end_offset_for_epoch(self, epoch: int) -> tuple[int, int]:
        """OffsetsForLeaderEpoch: the largest epoch <= `epoch` here and the offset where it ends."""
        found, end = -1, 0
        for b in reversed(self.batches):
            if b.epoch <= epoch:
                found = b.epoch
                break
            end = b.base
        if found == -1:
            return -1, 0
        return found, end if end else self.leo

    def ids(self, start: int = 0, stop: int | None = None) -> list[int]:
        """Record ids at offsets start..stop-1, in offset order."""
        stop = self.leo if stop is None else stop
        out = []
        for b in self.batches[self.index_of(start):]:
            base = b.base
            if base >= stop:
                break
            if base >= start and b.end <= stop:  # the whole batch (nearly every one)
                out.extend(range(b.first_id, b.first_id + b.count))
                continue
            lo, hi = max(start, base), min(stop, b.end)
            out.extend(range(b.first_id + lo - base, b.first_id + hi - base))
        return out
