"""The deterministic event core: a heap of (time, priority, seq, callback, args) and a clock."""

from __future__ import annotations

import gc
import heapq
from contextlib import contextmanager
from typing import Any, Callable, Iterator

URGENT, NORMAL, LATE = 0, 1, 2  # priorities among events at the same virtual millisecond


class EventLoop:
    """Virtual milliseconds; events at equal times run by priority, then in scheduling order."""

    def __init__(self) -> None:
        self.now = 0.0
        self.steps = 0
        self._heap: list[tuple[float, int, int, Callable[..., Any], tuple]] = []
        self._seq = 0
        self.halted = False  # set by the event that ends the run: run_until stops there

    def at(self, time: float, fn: Callable[..., Any], *args: Any, prio: int = NORMAL) -> None:
        """Run fn(*args) at virtual time `time` (never in the past)."""
        self._seq += 1
        if time < self.now:
            time = self.now
        heapq.heappush(self._heap, (time, prio, self._seq, fn, args))

    def after(self, delay: float, fn: Callable[..., Any], *args: Any, prio: int = NORMAL) -> None:
        """Run fn(*args) `delay` ms from now."""
        self.at(self.now + delay, fn, *args, prio=prio)

    def peek(self) -> float | None:
        """Time of the next event, or None when nothing is scheduled."""
        return self._heap[0][0] if self._heap else None

    def step(self) -> bool:
        """Run the next event; False when there is none."""
        if not self._heap:
            return False
        time, _prio, _seq, fn, args = heapq.heappop(self._heap)
        self.now = time
        self.steps += 1
        fn(*args)
        return True

    def run(self, until: float) -> None:
        """Run every event up to and including `until` (unless one halts the run), then set the clock to it."""
        self.run_until(until)
        self.now = max(self.now, until)

    def run_until(self, until: float, max_steps: float = float("inf")) -> None:
        """Run events up to and including time `until`, until `halted` is set (by an event) or past
        `max_steps` steps in all; the clock stays at the last event run. A run spends its every event in
        this loop: step(), inlined."""
        heap, pop = self._heap, heapq.heappop
        steps = self.steps
        try:
            while heap and heap[0][0] <= until and steps <= max_steps and not self.halted:
                time, _prio, _seq, fn, args = pop(heap)
                self.now = time
                steps += 1
                self.steps = steps  # (kept current: a handler may read it)
                fn(*args)
        finally:
            self.steps = steps

    def __len__(self) -> int:
        return len(self._heap)


#: A block that leaves more tracked objects than this moves them to the oldest generation unscanned (a run of
#: 10,000 records leaves about 60,000, nearly all alive: scanning them took 7% of the run, and found nothing)
BIG_BLOCK = 50_000
#: Objects moved that way since the last full collection, past which the next block starts with one.
MOVED_LIMIT = 4_000_000


class _Moved:
    """Objects gc_paused moved to the oldest generation since it last ran a full collection."""

    count = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block without the cyclic garbage collector: a run allocates millions of small objects that
    live on (the ledger, the logs), and the collector's repeated scans of them cost half the run. Cycles
    made meanwhile are collected once the block ends, in the young generation; but when the block leaves a
    great many objects (a long run), they are nearly all alive, and scanning them would only promote them:
    they go to the oldest generation at once (freeze then unfreeze: two list splices), where the next full
    collection finds any garbage among them (one is run when a block starts once MOVED_LIMIT of them have gone
    there: by then an earlier run may be garbage, and a one-off long run, as `tutor run` makes, never pays it)."""
    was = gc.isenabled()
    if was and _Moved.count > MOVED_LIMIT:
        _Moved.count = 0
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            _move_if_big()
            gc.enable()


def _move_if_big() -> None:
    """Send a big block's survivors straight to the oldest generation (see gc_paused)."""
    young = gc.get_count()[0]
    if young <= BIG_BLOCK or gc.get_freeze_count():
        return  # (objects someone froze, as the app does while a run plays, stay frozen: its policy rules)
    gc.freeze()
    gc.unfreeze()
    _Moved.count += young
