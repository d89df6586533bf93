"""The producer application's own state: its send loop, its window, its in-memory queue, its spool file."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

#: send.mode values: how the application calls send() (application patterns, not client settings)
MODES = ("async", "sync", "window", "spool", "unbounded")
#: modes whose state the report and the producer box describe beyond what async/sync show
APP_MODES = ("window", "spool", "unbounded")

#: where a record was when it was lost -> the words a ledger note about it begins with
WHERE = {
    "spool": "in the spool's unsynced tail",
    "application queue": "in the application's own queue",
    "accumulator": "in the producer buffer",
    "in flight": "in flight",
}


def where_lost(notes: list[tuple[float, str]]) -> str | None:
    """Where a record last was when its process or host died, read from its notes."""
    for _, text in reversed(notes):
        for place, words in WHERE.items():
            if text.startswith(words):
                return place
    return None


@dataclass
class AppState:
    """The application's send loop."""

    next_id: int = 0            # index into the workload of the next record to send
    next_at: float = 0.0        # when it is due
    blocked_since: float | None = None
    waiting_on: int | None = None  # sync mode: the batch id whose future we wait on
    pending: deque = field(default_factory=deque)  # records handed to send() not yet in the buffer
    feeding: bool = False       # the pending record came from the spool's sender thread
    outstanding: int = 0        # window mode: records sent and not yet answered
    window_full: bool = False   # window mode: send() waits for a permit
    spool: "Spool | None" = None


@dataclass
class Spool:
    """A local append-only file of records, with done marks, read in order by a sender thread.

    The file lives in the host's page cache: a killed process leaves it intact (the OS still writes
    it out), a power loss keeps only what was synced to disk before it."""

    entries: list[int] = field(default_factory=list)       # record ids, in append order
    appended_at: list[float] = field(default_factory=list)
    done_at: dict[int, float] = field(default_factory=dict)  # record id -> when marked done
    cursor: int = 0                                          # next entry the sender reads
    retry: deque = field(default_factory=deque)              # records to send again first
    synced_count: int = 0        # entries on disk by the application's own fsyncs
    synced_at: float = -1.0      # when the last of them began: done marks written before it are on disk
    fsync_busy: bool = False     # spool.fsync.mode = "every": the application waits on an fsync
    open: int = 0                # entries not marked done
    first_open: int = 0          # no entry before this index is waiting (kept lazily)
    members: set = field(default_factory=set)

    def append(self, rid: int, now: float) -> None:
        """The application writes one record."""
        self.entries.append(rid)
        self.appended_at.append(now)
        self.members.add(rid)
        self.open += 1

    def mark_done(self, rid: int, now: float) -> None:
        """The sender saw the record acknowledged (or gave it up) and marks it done in the file."""
        if rid in self.members and rid not in self.done_at:
            self.done_at[rid] = now
            self.open -= 1

    def next_record(self) -> int | None:
        """The record the sender thread produces next (re-sends first), or None."""
        while self.retry:
            rid = self.retry.popleft()
            if rid not in self.done_at:
                return rid
        while self.cursor < len(self.entries):
            rid = self.entries[self.cursor]
            self.cursor += 1
            if rid not in self.done_at:
                return rid
        return None

    def waiting(self) -> list[int]:
        """Records in the spool not yet marked done (in order)."""
        entries, done = self.entries, self.done_at
        while self.first_open < len(entries) and entries[self.first_open] in done:
            self.first_open += 1
        return [r for r in entries[self.first_open:] if r not in done] if self.open else []

    def unread(self) -> int:
        """Entries the sender thread has not read yet (re-sends included)."""
        return len(self.entries) - self.cursor + len(self.retry)

    def fsync(self, count: int, now: float) -> None:
        """An fsync that began at `now` with `count` entries written has finished."""
        if count > self.synced_count:
            self.synced_count = count
        self.synced_at = max(self.synced_at, now)

    def synced(self, writeback_until: float) -> int:
        """How many entries are on disk (by the application's fsyncs or the OS writeback)."""
        return max(self.synced_count, bisect_right(self.appended_at, writeback_until))

    def rewind(self) -> None:
        """After a restart the sender reads again every record not marked done, from the start."""
        self.retry.clear()
        self.waiting()
        self.cursor = self.first_open

    def power_loss(self, writeback_until: float) -> list[int]:
        """Keep only what reached the disk; returns the records whose entry was lost and not done."""
        kept = self.synced(writeback_until)
        lost = [r for r in self.entries[kept:] if r not in self.done_at]
        del self.entries[kept:], self.appended_at[kept:]
        self.members = set(self.entries)
        marks = max(self.synced_at, writeback_until)
        self.done_at = {r: t for r, t in self.done_at.items() if t < marks and r in self.members}  # unsynced
        self.synced_count = len(self.entries)                                                      # marks go
        self.open = sum(1 for r in self.entries if r not in self.done_at)
        self.first_open = 0
        self.fsync_busy = False
        self.rewind()
        return lost


def writeback_until(now: float, dirty_writeback_cs: int, dirty_expire_cs: int) -> float:
    """Linux writeback: at each flusher wake-up (every dirty_writeback_centisecs) pages dirty for
    longer than dirty_expire_centisecs are written, so by `now` everything written before the last
    wake-up minus the expiry age is on disk."""
    interval = dirty_writeback_cs * 10.0
    last_wake = (now // interval) * interval
    return last_wake - dirty_expire_cs * 10.0
