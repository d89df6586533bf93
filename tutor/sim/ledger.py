"""The ledger: what happened to every record and batch, and the operator's event log, as plain data."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_SOME = re.compile(rb"[^\x00]+")  # runs of records processed at least once, in a column of counts


@dataclass(slots=True)
class BatchHistory:
    """A producer batch's life: the records it carries and every step it took, with times."""

    batch_id: int
    first_id: int
    count: int
    created: float
    steps: list[tuple[float, str, str, Any]] = field(default_factory=list)  # (t, kind, node, detail)
    outcome: tuple[str, float, Any] | None = None  # ("acked", t, offset) | ("failed", t, error)
    partition: int = 0  # the partition the producer put it in
    shared: bool = False  # also held by a copy of the run: copied before it changes (copy on write)

    def ids(self) -> range:
        """The record ids in this batch."""
        return range(self.first_id, self.first_id + self.count)

    def __deepcopy__(self, memo: dict) -> "BatchHistory":
        """Steps and the outcome are tuples of plain values, never changed: a checkpoint copies the list."""
        return self.clone()

    def clone(self) -> "BatchHistory":
        """A copy of its own (the steps are tuples of plain values, never changed, so the list is copied)."""
        return BatchHistory(self.batch_id, self.first_id, self.count, self.created, list(self.steps), self.outcome,
                            self.partition)


@dataclass(slots=True)
class Event:
    """One line of the operator's event log."""

    t: float
    kind: str     # failure, election, isr, truncate, flush-loss, produce-error, commit, ...
    text: str     # in words an operator knows
    node: str | None = None
    data: dict[str, Any] | None = None


class Ledger:
    """Per-record facts kept compact: record -> batch, batch -> steps, plus rare per-record notes."""

    def __deepcopy__(self, memo: dict) -> "Ledger":
        """A checkpoint's copy, cheap: the per-record columns hold plain values and are copied as lists; a batch
        whose outcome is known is shared by both copies and copied only when one of them adds a step to it
        (the producer holds only batches still in flight, which are copied as usual)."""
        new = Ledger.__new__(Ledger)
        memo[id(self)] = new
        batches = []
        for b in self.batches:
            if b.outcome is None:
                b = memo.get(id(b)) or copy.deepcopy(b, memo)
            else:
                b.shared = True
                memo[id(b)] = b
            batches.append(b)
        new.sent_at, new.batch_of, new.told = self.sent_at[:], self.batch_of[:], self.told[:]
        new.batches = batches
        new.notes = {rid: list(v) for rid, v in self.notes.items()}
        new.times_done, new.first_done = bytearray(self.times_done), self.first_done[:]
        new.more_done = {rid: list(v) for rid, v in self.more_done.items()}
        new.first_fetched = self.first_fetched[:]
        new.events = copy.deepcopy(self.events, memo)
        new.commits = self.commits[:]
        new.skipped = set(self.skipped)
        new.lost_in_flight, new.acked = self.lost_in_flight, self.acked
        return new

    def own(self, batch_id: int) -> BatchHistory:
        """The batch's history, copied first if another copy of the run shares it."""
        b = self.batches[batch_id]
        if b.shared:
            b = self.batches[batch_id] = b.clone()
        return b

    def __init__(self) -> None:
        self.sent_at: list[float] = []
        self.batch_of: list[int] = []          # -1: never entered a batch
        self.told: list[tuple[str, float, Any] | None] = []  # what the application was told
        self.batches: list[BatchHistory] = []
        self.notes: dict[int, list[tuple[float, str]]] = {}
        # the consumer's side, one column per record (most records are processed once, in order)
        self.times_done = bytearray()             # how often each record was processed (255: that or more)
        self.first_done: list[float | None] = []  # when it was first processed
        self.more_done: dict[int, list[float]] = {}  # the later times of a record processed again
        self.first_fetched: list[float | None] = []  # when poll() first handed it to the application
        self.events: list[Event] = []
        self.commits: list[tuple[float, int, str]] = []  # (t, committed offset, how)
        self.skipped: set[int] = set()  # records the consumer passed over for good
        self.lost_in_flight = 0  # records whose produce request reached a dead broker
        self.acked = 0

    # --- producer side -------------------------------------------------------------------
    def sent(self, t: float) -> int:
        """A send() call; returns the new record's id."""
        self.sent_at.append(t)
        self.batch_of.append(-1)
        self.told.append(None)
        self.times_done.append(0)
        self.first_done.append(None)
        self.first_fetched.append(None)
        return len(self.sent_at) - 1

    def new_batch(self, t: float, first_id: int) -> BatchHistory:
        """A new producer batch starting with record `first_id`."""
        b = BatchHistory(len(self.batches), first_id, 0, t)
        self.batches.append(b)
        return b

    def batched(self, rid: int, batch: BatchHistory) -> None:
        """Record `rid` joined `batch` in the accumulator."""
        self.batch_of[rid] = batch.batch_id
        if batch.shared:  # (an open batch is never shared: kept for safety)
            batch = self.own(batch.batch_id)
        batch.count += 1

    def step(self, batch_id: int, t: float, kind: str, node: str, detail: Any = None) -> None:
        """A step of a batch: sent, appended, replicated, flushed, truncated, lost, committed..."""
        b = self.batches[batch_id]
        if b.shared:
            b = self.own(batch_id)
        b.steps.append((t, kind, node, detail))

    def dropped_on_the_way(self, batch_id: int, t: float, node: str) -> None:
        """A produce request carrying this batch reached a broker that was gone."""
        self.step(batch_id, t, "lost-in-flight", node)
        self.lost_in_flight += self.batches[batch_id].count

    def outcome(self, batch: BatchHistory, t: float, kind: str, detail: Any) -> None:
        """The application is told: acked (detail = offset) or failed (detail = error)."""
        batch = self.own(batch.batch_id)
        batch.outcome = told = (kind, t, detail)  # one tuple shared by the batch's records
        for rid in batch.ids():
            self.told[rid] = told
        if kind == "acked":
            self.acked += batch.count

    def rejected(self, rid: int, t: float, error: str) -> None:
        """send() itself failed: the record never entered the buffer."""
        self.told[rid] = ("failed", t, error)
        self.note(rid, t, f"send() failed: {error}")

    def note(self, rid: int, t: float, text: str) -> None:
        """A fact about one record that its batch's steps do not tell."""
        self.notes.setdefault(rid, []).append((t, text))

    def skip(self, rid: int, t: float, text: str) -> None:
        """The consumer passed over this record for good (its committed offset moved past it)."""
        self.skipped.add(rid)
        self.note(rid, t, text)

    def reached_log(self, rid: int) -> bool:
        """Was this record ever appended to a replica's log?"""
        bid = self.batch_of[rid]
        return bid >= 0 and any(k in ("appended", "replicated") for _, k, _, _ in self.batches[bid].steps)

    # --- consumer side -------------------------------------------------------------------
    def fetched(self, rid: int, t: float) -> None:
        """The consumer handed this record to the application (first time only kept)."""
        if self.first_fetched[rid] is None:
            self.first_fetched[rid] = t

    def done(self, rid: int, t: float) -> None:
        """The application finished processing this record."""
        n = self.times_done[rid]
        if n == 0:
            self.first_done[rid] = t
        else:
            self.more_done.setdefault(rid, []).append(t)
        if n < 255:
            self.times_done[rid] = n + 1

    @property
    def processed(self) -> "ProcessedTimes":
        """Record id -> the times it was processed, for the records processed at least once (a view)."""
        return ProcessedTimes(self)

    @property
    def fetched_at(self) -> "FirstFetched":
        """Record id -> when poll() first handed it to the application (a view)."""
        return FirstFetched(self)

    def processed_runs(self) -> Iterator[tuple[int, int]]:
        """(first, end) id ranges of the records processed at least once (found in C: they come in runs)."""
        return (m.span() for m in _SOME.finditer(self.times_done))

    def times_processed(self, rid: int) -> int:
        """How often a record was processed."""
        n = self.times_done[rid] if 0 <= rid < len(self.times_done) else 0
        return n if n < 2 else 1 + len(self.more_done[rid])

    def committed(self, t: float, offset: int, how: str) -> None:
        """The group's committed offset became `offset`."""
        self.commits.append((t, offset, how))

    # --- event log -----------------------------------------------------------------------
    def log(self, t: float, kind: str, text: str, node: str | None = None, **data: Any) -> Event:
        """Add a line to the operator's event log."""
        e = Event(t, kind, text, node, data or None)
        self.events.append(e)
        return e

    def __len__(self) -> int:
        return len(self.sent_at)


class ProcessedTimes(Mapping):
    """The ledger's processing columns seen as {record id: [times processed]}, for the records processed."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __getitem__(self, rid: int) -> list[float]:
        led = self.ledger
        if not (isinstance(rid, int) and 0 <= rid < len(led.times_done)) or not led.times_done[rid]:
            raise KeyError(rid)
        return [led.first_done[rid], *led.more_done.get(rid, ())]

    def __contains__(self, rid: object) -> bool:
        done = self.ledger.times_done
        return isinstance(rid, int) and 0 <= rid < len(done) and done[rid] != 0

    def __iter__(self) -> Iterator[int]:
        for lo, hi in self.ledger.processed_runs():
            yield from range(lo, hi)

    def __len__(self) -> int:
        done = self.ledger.times_done
        return len(done) - done.count(0)


class FirstFetched(Mapping):
    """The ledger's fetch column seen as {record id: when first handed to the application}."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __getitem__(self, rid: int) -> float:
        first = self.ledger.first_fetched
        t = first[rid] if isinstance(rid, int) and 0 <= rid < len(first) else None
        if t is None:
            raise KeyError(rid)
        return t

    def __iter__(self) -> Iterator[int]:
        return (rid for rid, t in enumerate(self.ledger.first_fetched) if t is not None)

    def __len__(self) -> int:
        first = self.ledger.first_fetched
        return len(first) - first.count(None)
