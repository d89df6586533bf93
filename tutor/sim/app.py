"""The producer application's own state: its send loop, its window, its in-memory queue, its spool file."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from heapq import heappush
from typing import TYPE_CHECKING

from .core import NORMAL

if TYPE_CHECKING:
    from .producer import Batch

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
    send_due: float | None = None  # when this process's next scheduled send() call is due (one suffices)


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


class Application:
    """The producer application's side of the Producer: its send loop in each send.mode, its window,
    its own queue, and its spool file with the spool's sender thread (a mixin of Producer)."""

    @property
    def mode(self) -> str:
        """How the application calls send(): async, sync, window, spool or unbounded."""
        return self.cfg["send.mode"]

    def _app_waits(self) -> bool:
        """Is the application's own thread stuck (in send(), on a future, a permit or an fsync)?"""
        app = self.app
        if app.waiting_on is not None or app.window_full or (app.spool is not None and app.spool.fsync_busy):
            return True
        if app.feeding:  # the spool's sender is in send(); an application off the spool waits its turn
            return self.mode != "spool"
        return app.blocked_since is not None and self.mode != "unbounded"

    def app_send(self, due: float | None = None) -> None:
        """The application calls send() for its next record (or writes it to its spool); `due` is the time
        of the scheduled call this is (see _schedule_next_send)."""
        app, sim, now = self.app, self.sim, self.loop.now
        if due is not None and app.send_due == due:
            app.send_due = None
        workload = sim.config.workload
        if app.next_id >= workload["messages"] or now < app.next_at or self._app_waits():
            return  # (a call before next_at is a spare wake-up: the due one is scheduled)
        rid = sim.ledger.sent(now)
        app.next_id += 1
        app.next_at += workload["interval.ms"]
        sim.last_activity = now  # sim.activity(), inlined: this runs for every record
        mode = self.cfg["send.mode"]
        if mode == "spool":
            return self._spool_write(rid)
        if self.fatal is not None:  # librdkafka: produce() fails at once after a fatal error
            self._reject(rid, f"_FATAL: the producer raised a fatal error ({self.fatal})")
            return self._schedule_next_send()
        size = workload["size.bytes"]
        if mode == "async" and not app.pending and self._accepts(size):
            # _offer's path for the one record of a plain send() that fits, without the queue in between
            app.blocked_since = None
            self._append(rid, size)
            self._schedule_next_send()
            app.feeding = False
            return
        app.pending.append(rid)
        if mode == "unbounded":
            return self._unbounded_send()
        self._offer()

    def _accepts(self, size: int) -> bool:
        """Does the client take a record of this size now (not too large, and room in the buffer)?"""
        c = self.cfg
        if c["client"] == "java" and size <= c["max.request.size"] and size <= c["buffer.memory"]:
            return self.used_bytes + size <= c["buffer.memory"]  # (the usual case, without two calls per record)
        return self._too_large(size) is None and self._fits(size)

    def _schedule_next_send(self) -> None:
        """Queue the application's next send() call when it is due, unless one is due already by then: that
        one sends (an application still waiting then is rescheduled by whatever frees it)."""
        app = self.app
        if app.next_id < self.sim.config.workload["messages"]:
            at = max(app.next_at, self.loop.now)
            if app.send_due is not None and app.send_due <= at:
                return
            app.send_due = at
            loop = self.loop  # EventLoop.at, inlined (at >= now): this runs for every record
            loop._seq = seq = loop._seq + 1
            heappush(loop._heap, (at, NORMAL, seq, self._fire, (self.incarnation, self.app_send, (at,))))

    def _unbounded_send(self) -> None:
        """The application never waits: what the client cannot take yet stays in its own queue, which
        holds it in memory until the process runs out (the article's piling-up threads)."""
        held = len(self.app.pending) * self.sim.config.workload["size.bytes"]
        if held > self.cfg["app.memory.bytes"]:
            return self._out_of_memory(held)
        self._schedule_next_send()
        self._offer()

    def _out_of_memory(self, held: int) -> None:
        """The application's queue passed app.memory.bytes: the process dies with all it held."""
        self.sim.ledger.log(self.loop.now, "failure", f"producer process ran out of memory: its own queue held "
                            f"{len(self.app.pending)} records ({held:,} bytes > app.memory.bytes="
                            f"{self.cfg['app.memory.bytes']:,})", self.name)
        self.crash()

    def _offer(self) -> None:
        """Hand the waiting records to the client in order, as far as the buffer takes them."""
        app = self.app
        size = self.sim.config.workload["size.bytes"]
        while app.pending:
            rid = app.pending[0]
            too_large = self._too_large(size)
            if too_large is not None:
                app.pending.popleft()
                self._reject(rid, too_large)
                self._after_reject(rid)
            elif self._fits(size):
                app.pending.popleft()
                app.blocked_since = None
                self._after_append(self._append(rid, size))
            elif app.feeding or self.mode == "unbounded":
                if app.blocked_since is None:  # the application waits for room, without a deadline
                    app.blocked_since = self.loop.now
                    self._wake(self.loop.now)
                return
            elif not self.java:
                app.pending.popleft()
                self._reject(rid, "QUEUE_FULL: produce() failed, the local queue is full")
                self._after_reject(rid)
            else:
                if app.blocked_since is None:
                    app.blocked_since = self.loop.now
                    self.timer(self.cfg["max.block.ms"], self._block_expired, rid)
                    self._wake(self.loop.now)
                return
            if app.feeding or self._app_waits():
                break
        if not app.pending:
            app.feeding = False

    def _app_mode_changed(self) -> None:
        """send.mode or the window changed at the application's next send(): release what the old mode
        held it on, and make sure its send loop is scheduled."""
        app = self.app
        if self.mode != "window" or app.outstanding < self.cfg["max.outstanding"]:
            app.window_full = False
        if self.mode != "sync":
            app.waiting_on = None
        if not self._app_waits():
            self._schedule_next_send()

    def _after_append(self, batch: Batch) -> None:
        """send() returned: the application goes on as its mode says."""
        app = self.app
        if app.feeding:
            return
        mode = self.cfg["send.mode"]
        if mode == "sync":
            app.waiting_on = batch.batch_id
        elif mode == "window":
            app.outstanding += 1
            if app.outstanding >= self.cfg["max.outstanding"]:
                app.window_full = True  # no permit left: the next send() waits for an answer
            else:
                self._schedule_next_send()
        elif mode != "unbounded":
            self._schedule_next_send()

    def _after_reject(self, rid: int) -> None:
        """send() failed at once: the spool gives up on a record that can never fit; others go on."""
        if self.app.feeding and self.app.spool is not None:
            self.app.spool.mark_done(rid, self.loop.now)
            self.sim.ledger.note(rid, self.loop.now, "the spool's sender gave up on it: it can never be sent")
        elif self.mode != "unbounded":
            self._schedule_next_send()

    def _app_outcome(self, b: Batch, kind: str) -> None:
        """The application hears of an outcome: a future completes, a permit or buffer room frees."""
        app = self.app
        if app.spool is not None:
            self._spool_outcome(b, kind)
        if app.window_full or app.outstanding:
            app.outstanding = max(0, app.outstanding - b.count)
            if app.window_full and app.outstanding < self.cfg["max.outstanding"]:
                app.window_full = False
                self._schedule_next_send()
        if app.pending:
            self._offer()
        if app.waiting_on == b.batch_id:
            app.waiting_on = None
            self._schedule_next_send()
        if app.spool is not None:
            self._feed()
        if not self._app_waits():  # whatever held the application back may be gone (a mode changed)
            self._schedule_next_send()

    def _app_died(self) -> None:
        """The application's threads die with the process: what they held in memory is gone; a spool
        file stays in the host's page cache."""
        app = self.app
        if app.feeding:
            pass  # the spool's record: still in the spool file
        elif self.mode == "unbounded" and app.pending:
            for rid in app.pending:
                self.sim.ledger.note(rid, self.loop.now, f"{WHERE['application queue']} when the producer "
                                                    f"process died")
        elif app.blocked_since is not None:
            rid = app.pending[0]
            self.sim.ledger.note(rid, self.loop.now, "send() was blocked on a full buffer when the producer died")
        app.blocked_since = app.waiting_on = None
        app.pending.clear()
        app.feeding = app.window_full = False
        app.outstanding = 0
        if app.spool is not None:
            app.spool.fsync_busy = False
            app.spool.rewind()

    def app_view(self) -> tuple:
        """The application's mode and state for the producer box (see ProducerView.app)."""
        app, mode = self.app, self.mode
        if mode == "window":
            return ("window", app.outstanding, self.cfg["max.outstanding"])
        if app.spool is not None:
            spool = app.spool
            return ("spool", len(spool.entries), spool.synced(self.written_back_until()), spool.unread(), spool.open)
        if mode == "unbounded":
            held = 0 if app.feeding else len(app.pending) * self.sim.config.workload["size.bytes"]
            return ("unbounded", held, self.cfg["app.memory.bytes"])
        return ()

    # --- the spool -------------------------------------------------------------------------
    def _spool_write(self, rid: int) -> None:
        """The application appends the record to its spool file and returns (after an fsync, if
        spool.fsync.mode = "every"); the spool's sender thread produces it."""
        spool = self.app.spool
        if spool is None:
            spool = self.app.spool = Spool()
            self._spool_interval_sync()
        spool.append(rid, self.loop.now)
        if self.cfg["spool.fsync.mode"] == "every":
            spool.fsync_busy = True
            self.timer(self.cfg["spool.fsync.ms"], self._spool_synced, len(spool.entries), self.loop.now)
        else:
            self._schedule_next_send()
        self._feed()

    def _spool_synced(self, count: int, started: float) -> None:
        """An fsync of the spool finished: what was written before it began is on disk."""
        spool = self.app.spool
        if spool is None:
            return
        spool.fsync(count, started)
        spool.fsync_busy = False
        self._schedule_next_send()

    def _spool_interval_sync(self, gen: int | None = None) -> None:
        """spool.fsync.mode = "interval": the application fsyncs its spool every spool.fsync.interval.ms.
        Called without `gen` it (re)arms the timer; a timer of an older arming is ignored."""
        if gen is None:
            self.sync_timer += 1
        elif gen != self.sync_timer:
            return
        spool = self.app.spool
        if gen is not None and self.cfg["spool.fsync.mode"] == "interval" and spool is not None:
            spool.fsync(len(spool.entries), self.loop.now)  # the interval fsync's own cost is not modelled
        self.timer(self.cfg["spool.fsync.interval.ms"], self._spool_interval_sync, self.sync_timer)

    def _feed(self) -> None:
        """The spool's sender thread: read the next record and send() it, one at a time, in order."""
        app, spool = self.app, self.app.spool
        if spool is None or not self.up or self.fatal is not None:
            return
        while not app.pending:
            rid = spool.next_record()
            if rid is None:
                return
            app.feeding = True
            app.pending.append(rid)
            self._offer()

    def _spool_outcome(self, b: Batch, kind: str) -> None:
        """The spool's sender marks acknowledged records done and reads failed ones again."""
        spool = self.app.spool
        if spool is None:
            return
        if kind == "acked":
            for rid in b.history.ids():
                spool.mark_done(rid, self.loop.now)
        else:
            spool.retry.extend(r for r in b.history.ids() if r not in spool.done_at)

    def written_back_until(self) -> float:
        """What the application host's OS has written back of its page cache by now."""
        br = self.sim.config.broker
        return writeback_until(self.loop.now, br["vm.dirty_writeback_centisecs"], br["vm.dirty_expire_centisecs"])

    def _spool_resume(self) -> None:
        """After a restart the spool's sender reads again every record not marked done; those the dead
        process had already handed to its client may be in a log already (P5: a new producer id)."""
        spool = self.app.spool
        spool.rewind()
        why = ("re-sent from the spool after a restart, under a new producer id" if self.idempotent else
               "re-sent from the spool after a restart")
        for rid in spool.waiting():
            if self.sim.ledger.batch_of[rid] >= 0:
                self.sim.ledger.note(rid, self.loop.now, why)

    def spool_words(self) -> str:
        """After a crash or power loss: what the spool still holds for its sender (or nothing)."""
        spool = self.app.spool
        if spool is None:
            return ""
        return f"; the spool file still holds {spool.open} records not marked done"

    def power_loss(self) -> list[Batch]:
        """The application's host loses power: the process dies and the spool keeps only its synced part."""
        spool = self.app.spool
        writing = spool.entries[-1] if spool is not None and spool.fsync_busy else None
        lost = self.crash()
        if spool is not None:
            for rid in spool.power_loss(self.written_back_until()):
                why = " (its fsync had not finished: the application's write had not returned)" if rid == writing else ""
                self.sim.ledger.note(rid, self.loop.now, f"{WHERE['spool']} when the application host lost "
                                                    f"power{why}")
        self.host_on = False
        return lost
