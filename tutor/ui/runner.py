"""Keeps the simulation off the UI thread: advances run on one worker thread, frames interpolate between."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor
from time import perf_counter
from typing import Any, Callable

from . import collector
from .driver import Driver
from .frame import Frame
from .members import chosen

MODEL_SHARE = 0.3   # the simulation thread may use about this share of wall time; frames in between interpolate
MIN_ADVANCE_S = 1 / 15  # at most 15 advances a second: each one records a frame in the session (memory)
LEAD_WALL_S = 0.5   # the time on screen runs at most this far (in screen seconds) ahead of the last snapshot


class Runner:
    """The UI thread's side of the driver: `tick` while playing, `sync` for everything the learner does."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tutor-sim")
        self.job: Future | None = None
        self.frame: Frame = driver.frame()
        self.shown = self.frame.t       # the time on screen: ahead of the last snapshot while playing
        self.not_before = 0.0           # no new advance before this wall time (keeps the CPU share)
        collector.watch()

    def tick(self, wall_s: float) -> Frame | None:
        """Time passed on the wall: move the time on screen, start an advance if due; the frame to show."""
        fresh = self._collect()
        collector.settle()
        clock = self.driver.clock
        dt = clock.sim_ms(wall_s)
        if dt <= 0 and not fresh:
            return None
        lead = LEAD_WALL_S * 1000.0 * clock.rate
        self.shown = min(self.shown + dt, self.frame.snap.t + lead)
        if clock.playing and self.job is None and perf_counter() >= self.not_before:
            self.job = self.pool.submit(self._advance, self.shown)
        return self.view()

    def _advance(self, t: float) -> tuple[Frame, float]:
        """On the worker thread: run the simulation to t and build the frame there."""
        start = perf_counter()
        self.driver.seek(t)
        return self.driver.frame(), perf_counter() - start

    def _collect(self) -> bool:
        """Take a finished advance's frame; True if there was one."""
        if self.job is None or not self.job.done():
            return False
        self.frame, cost = self.job.result()
        self.job = None
        self.not_before = perf_counter() + max(cost * (1.0 / MODEL_SHARE - 1.0), MIN_ADVANCE_S - cost)
        return True

    def view(self) -> Frame:
        """The latest frame at the time on screen, with the UI's own state (play, speed, targets)."""
        d = self.driver
        return dataclasses.replace(self.frame, t=self.shown, playing=d.clock.playing, speed=d.clock.speed,
                                   selected=d.selected, inspected=d.inspected,
                                   member=chosen(self.frame.snap, d.member))

    def sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Wait for a running advance, run fn(*args) here, and show its result at once."""
        if self.job is not None:
            self.frame, _ = self.job.result()
            self.job = None
        sim = self.driver.session.sim
        result = fn(*args)
        if self.driver.session.sim is not sim:  # a restart or a fork dropped the run: its cycles must be seen
            collector.release()
        if self.driver.clock.playing:
            collector.prepare()
        self.frame = self.driver.frame()
        self.shown = self.frame.t
        return result

    def close(self) -> None:
        """Stop the worker thread (after the advance in progress)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        collector.release()
