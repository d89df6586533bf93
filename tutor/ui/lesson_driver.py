"""The sandbox's Driver on a LessonRun: time through run.advance, the learner's keys through run.apply and run.set."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tutor.lessons import LessonRun, Result
from tutor.lessons.run import WAIT
from tutor.sim.session import Session
from tutor.sim.snapshot import Snapshot
from tutor.sim.spec import Action

from .clock import SPEEDS
from .driver import Driver
from .failures import BY_NAME

WALL_S_PER_WAIT = 8.0     # a step's wait plays in about this many seconds on screen, whatever its length
UNTIL_SHARE = 0.25        # an `until` wait usually holds well before its limit: pace it as this share of it
WATCH_TAIL_MS = 2000.0    # after an answer, the run plays on this long past the last thing it waits for
WATCH_MIN_MS, WATCH_MAX_MS = 3000.0, 30000.0


def pace(span_ms: float) -> float:
    """The speed that plays `span_ms` of simulated time in about WALL_S_PER_WAIT seconds (a step of the ladder)."""
    wanted = span_ms / (WALL_S_PER_WAIT * 1000.0)
    if wanted <= 0:
        return SPEEDS[0]
    return min(SPEEDS, key=lambda s: abs(math.log(s / wanted)))  # the nearest step of the ladder


def wait_pace(run: LessonRun) -> float:
    """The speed for the current step's wait."""
    wait = run.step.wait
    if wait is None or not wait.plays:
        return SPEEDS[0]
    return pace(wait.ms if wait.kind == "ms" else wait.ms * UNTIL_SHARE)


@dataclass
class Watch:
    """A copy of the lesson's run that plays on past an answer, with the events still to come."""

    session: Session
    future: list[tuple[float, Action]]
    end: float

    def to(self, t: float) -> Snapshot:
        """Play (or scrub) the copy to t, never past its end; events fire at their moments."""
        t = min(t, self.end)
        while self.future and self.future[0][0] <= t:
            at, action = self.future.pop(0)
            self.session.seek(at)
            self.session.apply(action)
        return self.session.seek(t)

    @property
    def over(self) -> bool:
        """Played to its end."""
        return self.session.sim.now >= self.end


def watch_span(run: LessonRun, after_ms: float | None) -> float:
    """How far to play on after an answer: to its judging moment, or past the last event still to come."""
    if after_ms is not None:
        return after_ms
    future = run.future()
    last = max((at for at, _ in future), default=run.now) - run.now
    restart = max((float(a.params.get("restart.after.ms", 0)) for _, a in future), default=0.0)
    return min(max(last + restart + WATCH_TAIL_MS, WATCH_MIN_MS), WATCH_MAX_MS)


def next_step_shows(run: LessonRun, span: float) -> bool:
    """Does the next step go on from here and let time run at least `span` ms (so it shows what follows)?"""
    steps = run.lesson.steps
    if run.index + 1 >= len(steps):
        return False
    nxt = steps[run.index + 1]
    return not nxt.restart and nxt.wait is not None and nxt.wait.plays and nxt.wait.ms >= span


def make_watch(run: LessonRun, after_ms: float | None) -> Watch | None:
    """The run playing on after an answer; None when there is nothing to watch or the next step shows it."""
    span = watch_span(run, after_ms)
    if span <= 0 or next_step_shows(run, span):
        return None
    return Watch(run.session.branch(), list(run.future()), run.now + span)


class LessonDriver(Driver):
    """Frames from the lesson's session; time moves only while the step's wait lets it."""

    def __init__(self, run: LessonRun, playing: bool = False) -> None:
        super().__init__(run.lesson.scenario, seed=run.seed, playing=playing)
        self.run = run
        self.watch: Watch | None = None
        self.adopt()

    def adopt(self) -> None:
        """Take the run's session again (a jump or a restart builds a new one) and show its present."""
        self.session = self.watch.session if self.watch is not None else self.run.session
        self.snap = self.session.frames[-1]

    # --- time -------------------------------------------------------------------------------
    @property
    def plays(self) -> bool:
        """Does time run now: the step's wait lets it, or a watch plays on after an answer?"""
        if self.watch is not None:
            return not self.watch.over
        run = self.run
        return run.phase == WAIT and run.step.wait.plays

    def seek(self, t: float) -> None:
        """Show time t: the past as recorded; past the present the lesson plays on, while its wait lets it."""
        if self.watch is not None:
            self.snap = self.watch.to(t)
            return
        run = self.run
        if t > run.now and self.plays:
            run.advance(t - run.now)
            self.session = run.session
            self.snap = run.snapshot
        else:
            self.snap = self.session.seek(min(t, run.now))

    def look(self, t: float) -> None:
        """Scrub to t to look (never past the present: only the lesson moves time on)."""
        self.snap = self.session.seek(min(max(t, 0.0), self.session.sim.now))

    def watch_from(self, watch: Watch | None) -> None:
        """Show a copy playing on after an answer (None: back to the lesson's own run)."""
        self.watch = watch
        self.adopt()

    # --- the learner acts -------------------------------------------------------------------
    def act(self, name: str) -> Result:
        """A failure key: each engine action through run.apply (refused when locked, and why)."""
        self.watch_from(None)
        actions = BY_NAME[name].build(self.selected, self.run.snapshot)
        lines: list[str] = []
        for action in actions:
            result = self.run.apply(action)
            lines += result.lines
            if not result.ok:
                self.adopt()
                return Result(False, lines)
        self.adopt()
        return Result(True, lines or ["nothing to do: every node is already running"])

    def refusal(self, name: str) -> str | None:
        """Why a failure key is refused now (locked), or None."""
        for action in BY_NAME[name].build(self.selected, self.run.snapshot):
            if self.run.locked(action.action):
                return f"{action.action} is locked in this step"
        return None

    def set_value(self, name: str, value: Any) -> Result:
        """A setting through run.set ("producer.acks", "all"): refused when locked or start-only, and why."""
        self.watch_from(None)
        result = self.run.set(name, value)
        self.adopt()
        return result
