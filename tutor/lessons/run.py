"""LessonRun: the state machine of one lesson, driven by the text player now and the app's screen later."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

from tutor.sim import failures
from tutor.sim import session as history
from tutor.sim.config import is_start_only
from tutor.sim.core import gc_paused
from tutor.sim.session import Session
from tutor.sim.snapshot import Snapshot
from tutor.sim.spec import Action

from . import challenge
from .fork import Fork, fork
from .judge import Verdict, choice_feedback, is_right, truth_of, truth_text
from .measures import Live, Outcome, condition_words
from .model import FAILURE_NAMES, SETTING_NAMES, Lesson, Question, Step, split_name
from .reveal import held_later, held_now, played_line

CHECK_EVERY_MS = 100.0  # wait conditions are checked on this grid of simulated time, so runs repeat exactly

WAIT, QUESTION, READY, DONE = "wait", "question", "ready", "done"


@dataclass
class Result:
    """What a learner's action or setting did: applied (with the engine's words) or refused (and why)."""

    ok: bool
    lines: list[str]


@dataclass
class Answer:
    """One question's record in this run: first answer right?, attempts, shown, challenge best."""

    first_correct: bool | None = None
    attempts: int = 0
    shown: bool = False
    solved: bool = False
    best: float | None = None
    first_answer: Any = None
    #: every attempt in order: (the answer as given, right?, shown?, wall-clock time in seconds)
    tries: list[tuple[Any, bool, bool, float]] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        """Counts towards the score: right the first time (predictions) or solved unaided (challenges)."""
        return bool(self.first_correct) or (self.solved and not self.shown)


@dataclass
class Mark:
    """The lesson's state when a step began, to come back to it: the session's mark, locks, events to come."""

    history: history.Mark
    locks: frozenset[str]
    pending: list[tuple[float, Action]]

    @property
    def t(self) -> float:
        """When the step began (simulated ms)."""
        return self.history.t


@dataclass
class TocEntry:
    """A line of the table of contents."""

    index: int
    title: str
    visited: bool
    current: bool
    has_question: bool


class LessonRun:
    """One learner going through one lesson: steps, waits, questions, the simulation underneath."""

    def __init__(self, lesson: Lesson, seed: int | None = None, keep_past: bool = True) -> None:
        self.lesson = lesson
        self.seed = seed
        # keep_past=False: no frames of the past or copies to scrub back to (a check never looks back)
        self.session = Session(lesson.scenario, seed, auto_finish=False, keep_past=keep_past)
        self.answers: dict[str, Answer] = {}
        self.visited: set[int] = set()
        self.notes: list[str] = []          # things the lesson wants the learner told (a wait gave up, ...)
        self.marks: dict[int, Mark] = {}
        self.locks: set[str] = set()
        self.pending: list[tuple[float, Action]] = []
        #: after a challenge: whose settings the run plays ("yours" or "the lesson's"), and the words for it
        self.version: tuple[str, str] | None = None
        self.version_at = 0  # the step of the challenge it follows
        self._to_lesson: tuple[str, list[tuple[str, str, Any]]] | None = None  # (apply, changes) at the next step
        self.last_play: tuple | None = None  # the last challenge answer played: (run, where, result); see play
        self._played: tuple | None = None  # the last unchanged run played out: (sim, where, outcome); see played_out
        self._ahead: tuple | None = None  # (sim, interventions made, future, outcome) of it; see _read_on
        self._enter(0)

    # --- what the app reads --------------------------------------------------------------
    @property
    def step(self) -> Step:
        """The current step."""
        return self.lesson.steps[self.index]

    @property
    def now(self) -> float:
        """The lesson's present (simulated ms); the session's cursor may be scrubbed back to look."""
        return self.session.sim.now

    @property
    def given(self) -> dict[str, dict[str, Any]]:
        """The settings the scenario, the steps and the learner set by hand, as of the present."""
        return self.session.given(self.now)

    @property
    def snapshot(self) -> Snapshot:
        """The run at the present."""
        return self.session.frames[-1]

    @property
    def question(self) -> Question | None:
        """The question waiting for an answer, if any."""
        return self.step.question if self.phase == QUESTION else None

    @property
    def finished(self) -> bool:
        """Past the last step."""
        return self.phase == DONE

    def live(self) -> Live:
        """The live run now, for conditions and figures."""
        return Live(self.snapshot, self.session.sim, self.step_start)

    def held(self) -> frozenset[str]:
        """The figures the screens hold back now, because the open question asks about them."""
        return held_now(self.question)

    def played(self, verdict: Verdict) -> str | None:
        """A final verdict's played-out run in one line, without what a later question asks about."""
        if verdict.outcome is None or not verdict.final:
            return None
        return played_line(verdict.outcome.report.summary, held_later(self.lesson, self.index))

    def toc(self) -> list[TocEntry]:
        """The table of contents: every step, which were seen, which is current."""
        return [TocEntry(i, s.title, i in self.visited, i == self.index, s.question is not None)
                for i, s in enumerate(self.lesson.steps)]

    def locked(self, name: str) -> bool:
        """Is a control locked now? `name` is a failure (engine action) or a "section.key" setting."""
        return name in self.locks

    def score(self) -> tuple[int, int]:
        """(questions answered right first time or solved unaided, questions in the lesson)."""
        return sum(a.scored for a in self.answers.values()), len(self.lesson.questions())

    # --- time ----------------------------------------------------------------------------
    def advance(self, dt: float) -> Snapshot:
        """Play up to dt ms while the step's wait lets time run; stops early when the wait is over."""
        wait = self.step.wait
        if self.phase != WAIT or wait is None or not wait.plays:
            return self.snapshot
        end = self.step_start + wait.ms
        target = min(self.now + dt, end)
        if wait.kind == "ms":
            self._play_to(target)
        else:
            self._play_until(target)
        if self.phase == WAIT and self.now >= end:
            if wait.kind == "until":
                self.notes.append(f"waited {wait.ms:,.0f} ms but this never happened: {condition_words(wait.until)}")
            self._wait_done()
        return self.snapshot

    def finish_wait(self) -> Snapshot:
        """Play the current wait to its end (time waits), or do what it waits for (show me)."""
        if self.phase == WAIT and self.step.wait.plays:
            self.advance(math.inf)
        elif self.phase == WAIT:
            self.show_me()
        return self.snapshot

    def _play_until(self, target: float) -> None:
        """Check the wait's condition on the grid up to `target`; stop where it first holds."""
        cond = self.step.wait.until
        t = self.now
        while True:
            if cond.holds(self.live()):
                return self._wait_done()
            if t >= target:
                return
            t = min(target, (math.floor(t / CHECK_EVERY_MS) + 1) * CHECK_EVERY_MS)
            self._play_to(t)

    def _play_to(self, t: float) -> None:
        """Run the session to t, firing the lesson's scheduled events on the way."""
        while self.pending and self.pending[0][0] <= t:
            at, action = self.pending.pop(0)
            self.session.seek(at)
            self.session.apply(action)
        if t > self.now:
            self.session.seek(t)

    # --- the learner acts ----------------------------------------------------------------
    def apply(self, action: Action) -> Result:
        """The learner fires a failure or repair now (unless it is locked or a question is open)."""
        if self.locked(action.action):
            return Result(False, [f"{action.action} is locked in this step"])
        if self.phase in (QUESTION, DONE):
            return Result(False, ["answer the question first" if self.phase == QUESTION else "the lesson is over"])
        return Result(True, self._act(action))

    def set(self, name: str, value: Any) -> Result:
        """The learner changes a setting now ("producer.acks", "all"); derived settings follow."""
        refused = self._refuse_setting(name)
        if refused:
            return Result(False, [refused])
        try:
            lines = self._change([(*split_name(name), value)])
        except ValueError as err:
            return Result(False, [f"refused: {err}"])
        self._check_setting_wait()
        return Result(True, lines or ["no change"])

    def _refuse_setting(self, name: str) -> str | None:
        """Why a setting cannot be changed now, or None."""
        if name not in SETTING_NAMES:
            return f"unknown setting {name}"
        if self.locked(name):
            return f"{name} is locked in this step"
        if self.phase in (QUESTION, DONE):
            return "answer the question first" if self.phase == QUESTION else "the lesson is over"
        if is_start_only(name):
            return f"{name} only takes effect when a run starts"
        section, _ = split_name(name)
        if getattr(self.session.sim.config, section) is None:
            return f"this lesson has no {section}"
        return None

    def _act(self, action: Action) -> list[str]:
        """Apply an action at the present (the session keeps it); the awaited one ends the wait."""
        self._to_present()
        wait = self.step.wait
        awaited = self.phase == WAIT and wait.kind == "action" and self._matches(wait.action, action)
        if awaited:
            action = wait.action  # the key fires the failure as the step describes it (restart.after.ms ...)
        lines = self.session.apply(action)
        if awaited:
            self._wait_done()
        return lines

    def _matches(self, wanted: Action, done: Action) -> bool:
        """Same action, and the same node(s) now (a role such as "leader" matches the broker it names)."""
        if wanted.action != done.action or wanted.target is None:
            return wanted.action == done.action
        sim = self.session.sim
        return bool(set(failures.resolve_target(sim, wanted.target)) &
                    set(failures.resolve_target(sim, done.target)))

    def _change(self, explicit: list[tuple[str, str, Any]]) -> list[str]:
        """Make settings changes live, with the settings the client derives from them; ValueError if impossible."""
        self._to_present()
        made = self.session.change(explicit)
        return [f"{s}.{k} = {v}" for s, k, v in made]

    def _check_setting_wait(self) -> None:
        """A setting wait ends once the setting has its value."""
        wait = self.step.wait
        if self.phase == WAIT and wait is not None and wait.kind == "setting":
            section, key = split_name(wait.setting)
            if (getattr(self.session.sim.config, section) or {}).get(key) == wait.value:
                self._wait_done()

    def _to_present(self) -> None:
        """The learner may have scrubbed back to look; lesson actions always happen at the present."""
        if not self.session.live:
            self.session.seek(self.now)

    # --- questions -----------------------------------------------------------------------
    def submit(self, answer: Any) -> Verdict:
        """Answer the open question: an index (choice), a number, a set of ids, or settings (challenge)."""
        q = self.question
        if q is None:
            raise RuntimeError("no question is open")
        if q.kind == "challenge":
            with gc_paused():  # the learner waits on this: no collection of the process's older objects in it
                return self._attempt(q, dict(answer))
        truth, outcome = self.truth()
        right = is_right(q, truth, answer)
        self._record(q, right, answer)
        self._close(q)
        return Verdict(right, truth_text(q, truth), q.explanation, truth, outcome=outcome,
                       notes=choice_feedback(q, answer))

    def truth(self) -> tuple[Any, Any]:
        """The engine's answer to the open prediction question, and the played-out run (None for after.ms)."""
        if self._truth is None:
            q = self.question
            if q is None or q.kind == "challenge":
                raise RuntimeError("truth() answers an open prediction question; a challenge is judged per attempt")
            if q.after_ms is not None:
                self._truth = (truth_of(q, self.fork().live(self.now + q.after_ms, self.step_start)), None)
            else:
                outcome = self.played_out()
                self._truth = (truth_of(q, outcome), outcome)
        return self._truth

    def played_out(self) -> Outcome:
        """The run from the decision point played to its end with nothing changed (see fork()).

        Played once per moment: two questions in a row with no time between them, or a question and the check
        that a challenge's goal does not already hold, read the same run."""
        sim = self.session.sim
        where = (sim.loop.steps, sim.now, len(self.session.interventions), self.future())
        if self._played is not None and self._played[0] is sim and self._played[1] == where:
            return self._played[2]
        outcome = self._read_on(sim)
        if outcome is None:
            outcome = self.fork().out()
        self._played = (sim, where, outcome)
        self._ahead = (sim, where[2], where[3], outcome)  # (the interventions made so far, the future)
        return outcome

    def _read_on(self, sim: Any) -> Outcome | None:
        """The run last played out from an earlier moment, when this run has gone on just as that one did since:
        only time passed and only that run's own scheduled events fired, nothing more is scheduled, and that
        run had not yet begun its final recovery (the one thing it does that a lesson's run, kept going,
        does not). Played out from here, this run would play the very same events again."""
        if self._ahead is None or self._ahead[0] is not sim or not self.session.live:
            return None
        _, made_then, future, outcome = self._ahead
        now, ahead = sim.now, outcome.sim
        if not ahead.final or now >= ahead.recovery_at:
            return None
        fired = [(t, a) for t, a in future if t <= now]
        made = self.session.interventions[made_then:]
        if len(made) != len(fired) or any(x.kind != "action" or x.t != t or x.action is not a
                                          for x, (t, a) in zip(made, fired)):
            return None
        left, still = future[len(fired):], self.future()
        if len(left) != len(still) or any(t != u or a is not b for (t, a), (u, b) in zip(left, still)):
            return None
        return outcome

    def fork(self, changes: list[tuple[str, str, Any]] = ()) -> Fork:
        """The run from the decision point: pending events and the question's `then`, plus `changes`."""
        return fork(self.session.sim, self.future(), changes)

    def future(self) -> list[tuple[float, Action]]:
        """What is scheduled to happen from now: step events not yet fired and the question's `then`."""
        q = self.step.question
        then = [(self.now + a.at_ms, a) for a in q.then] if q is not None and self.phase == QUESTION else []
        return sorted(self.pending + then, key=lambda x: x[0])

    def _attempt(self, q: Question, changes: dict[str, Any], shown: bool = False) -> Verdict:
        """Try a challenge answer on a fork; a success closes the question and plays the changes."""
        record = self.answers.setdefault(q.id, Answer())
        verdict, made = challenge.attempt(self, q, changes, record.best, shown)
        if verdict.outcome is None:
            return verdict  # refused before running (not allowed, too many changes): not an attempt
        record.attempts += 1
        record.shown = record.shown or shown
        record.tries.append((dict(changes), bool(verdict.correct), shown, time.time()))
        if verdict.final:
            record.solved = record.solved or verdict.correct
            record.best = verdict.best
            self._close(q, made)
        return verdict

    def _record(self, q: Question, right: bool, answer: Any, shown: bool = False) -> None:
        """Keep the first answer to a prediction question."""
        record = self.answers.setdefault(q.id, Answer())
        record.attempts += 1
        record.shown = record.shown or shown
        record.tries.append((answer, bool(right), shown, time.time()))
        if record.first_correct is None:
            record.first_correct = right and not shown
            record.first_answer = answer

    def _close(self, q: Question, changes: list[tuple[str, str, Any]] | None = None) -> None:
        """The question is done: the learner's winning changes are made, then its `then` events happen."""
        if q.kind == "challenge" and changes:
            self._versions(q, changes)
        if changes:
            if q.apply == "start":
                self._restart_with(changes)
            else:
                self._change(changes)
        self.pending = sorted(self.pending + [(self.now + a.at_ms, a) for a in q.then], key=lambda x: x[0])
        self.phase = READY
        self._truth = None

    def _versions(self, q: Question, changes: list[tuple[str, str, Any]]) -> None:
        """Say whose settings the run plays after a challenge; when the learner's differ from the lesson's
        solution, the next step goes back to the lesson's, which its narration describes."""
        said = ", ".join(f"{s}.{k} = {_word(v)}" for s, k, v in changes)
        self.version_at = self.index
        solution = {tuple(split_name(n)): v for n, v in q.solution.items()}
        if {(s, k): v for s, k, v in changes} == solution:
            self.version, self._to_lesson = ("the lesson's", f"the lesson's solution: {said}"), None
            return
        config = self.session.sim.config
        undo = [(s, k, (getattr(config, s) or {}).get(k)) for s, k, _ in changes if (s, k) not in solution]
        self.version = ("yours", f"your settings: {said}")
        self._to_lesson = (q.apply, undo + [(s, k, v) for (s, k), v in solution.items()])

    def _lesson_version(self) -> None:
        """Entering the step after a challenge solved another way: the run takes the lesson's solution."""
        apply, changes = self._to_lesson
        self._to_lesson = None
        try:
            self._restart_with(changes) if apply == "start" else self._change(changes)
        except ValueError:
            return  # the lesson's solution cannot follow the learner's here: the run stays theirs
        said = ", ".join(f"{s}.{k} = {_word(v)}" for s, k, v in changes)
        self.version = ("the lesson's", f"the lesson's solution: {said}")
        self.notes.append(f"From here the run plays the lesson's solution ({said}), which the narration describes.")

    def _restart_with(self, changes: list[tuple[str, str, Any]]) -> None:
        """Start-only changes: the session starts again with them and replays the lesson so far."""
        self.session.restart_with(changes)

    def hint(self) -> str | None:
        """The next hint of the open question (the last one repeats), or None."""
        q = self.question
        if q is None or not q.hints:
            return None
        text = q.hints[min(self.hints_shown, len(q.hints) - 1)]
        self.hints_shown += 1
        return text

    def show_me(self) -> Verdict | Result:
        """Do what the step waits for, or play the open question's answer (not scored)."""
        if self.phase == WAIT:
            return self._show_wait()
        q = self.question
        if q is None:
            return Result(False, ["nothing to show in this step"])
        if q.kind == "challenge":
            return self._attempt(q, dict(q.solution), shown=True)
        truth, outcome = self.truth()
        self._record(q, False, None, shown=True)
        self._close(q)
        return Verdict(False, truth_text(q, truth), q.explanation, truth, shown=True, outcome=outcome)

    def _show_wait(self) -> Result:
        """Fire the awaited action, set the awaited setting, or play the time wait."""
        wait = self.step.wait
        if wait.kind == "action":
            return Result(True, self._act(wait.action))
        if wait.kind == "setting":
            lines = self._change([(*split_name(wait.setting), wait.value)])
            self._check_setting_wait()
            return Result(True, lines)
        self.finish_wait()
        return Result(True, [f"played to {self.now:,.0f} ms"])

    # --- moving between steps ------------------------------------------------------------
    def next(self) -> bool:
        """Go to the next step, finishing this one first (waits played, an open question skipped)."""
        if self.phase == DONE:
            return False
        self.finish_wait()
        if self.phase == QUESTION:
            self._close(self.step.question)  # skipped: not scored, but its events still happen
        if self.index + 1 >= len(self.lesson.steps):
            self.phase = DONE
            return False
        if self._to_lesson is not None and not self.lesson.steps[self.index + 1].restart:
            self._lesson_version()
        self._enter(self.index + 1)
        return True

    def back(self) -> None:
        """Go back to the start of the previous step (or restart this one, on the first)."""
        self.jump(max(0, self.index - 1))

    def jump(self, k: int) -> None:
        """Go to the start of step k: back by replaying the run to that moment, forward by playing on."""
        if not 0 <= k < len(self.lesson.steps):
            raise IndexError(f"no step {k + 1}")
        if k <= self.index:
            mark = self.marks[k]
            self.locks, self.pending = set(mark.locks), list(mark.pending)
            self.version, self._to_lesson = None, None  # the past is replayed as the lesson wrote it
            self.session.rewind(mark.history)
            self._enter(k)
            return
        while self.index < k and self.next():
            pass

    def restart(self) -> None:
        """Back to the first step."""
        self.jump(0)

    # --- internals -----------------------------------------------------------------------
    def _enter(self, k: int) -> None:
        """Begin step k: remember the state, then its settings, locks and events; then its wait."""
        self.marks = {i: m for i, m in self.marks.items() if i < k}
        self.marks[k] = Mark(self.session.mark(), frozenset(self.locks), list(self.pending))
        self.index, self.step_start, self.hints_shown, self._truth = k, self.now, 0, None
        self.visited.add(k)
        step = self.step
        if step.restart or (self.version is not None and self.version_at < k - 1):
            self.version = None  # a fresh run, or long past the challenge: nothing to tell apart
        if step.restart:
            self._restart_run(step)
        elif step.settings:
            self._change(list(step.settings))
        self._locks(step)
        self.pending = sorted(self.pending + [(self.now + a.at_ms, a) for a in step.events], key=lambda x: x[0])
        self._play_to(self.now)  # events at +0 ms happen on entry
        self.phase = WAIT if step.wait is not None else QUESTION if step.question else READY
        if self.phase == WAIT:
            self._check_setting_wait()
            if step.wait.kind == "until":
                self.advance(0)

    def _restart_run(self, step: Step) -> None:
        """Start the run over from 0 ms with the settings so far and the step's (start-only ones too)."""
        given = self.given
        history.derive(given, step.settings)  # refuses settings that cannot run together
        self.pending = []  # the old run's scheduled events belong to it
        start = dataclasses.replace(self.lesson.scenario, given=history.merged_given(given, step.settings))
        self.session.restart(scenario=start)
        self.step_start = 0.0

    def _locks(self, step: Step) -> None:
        """Lock, then unlock; groups stand for many names."""
        self.locks |= expand_locks(step.lock)
        self.locks -= expand_locks(step.unlock)

    def _wait_done(self) -> None:
        """The wait is over: the question (the decision point is now), or ready for the next step."""
        self.phase = QUESTION if self.step.question is not None else READY
        self._truth = None


def _word(value: Any) -> str:
    """A setting's value as Kafka writes it (true/false, never for an unset interval)."""
    if isinstance(value, bool):
        return str(value).lower()
    return "never" if value is None else str(value)


def expand_locks(names: tuple[str, ...]) -> set[str]:
    """Lock groups as the names they stand for."""
    out: set[str] = set()
    for name in names:
        if name in ("all", "failures"):
            out |= set(FAILURE_NAMES)
        if name in ("all", "settings"):
            out |= set(SETTING_NAMES)
        if name not in ("all", "failures", "settings"):
            out.add(name)
    return out
