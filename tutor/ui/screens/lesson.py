"""The lesson screen: the run frame shared with the sandbox, driven by a LessonRun, with the lesson panel,
the cards between steps, and progress saved as the learner goes."""

from __future__ import annotations

from time import monotonic
from typing import Any, Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Static

from tutor.lessons import Catalog, Item, LessonRun, ProgressStore, Verdict
from tutor.lessons.answers import save_run

from .. import lesson_keys
from ..frame import Frame, held_back
from ..labs import lab_lines
from ..draw import wanted_height
from ..lesson_driver import LessonDriver, wait_pace
from ..widgets.controls import ControlsPanel
from ..widgets.ledger_bar import LedgerBar
from ..widgets.lesson_bar import LessonBar, LessonEvents
from ..widgets.lesson_panel import LessonPanel
from ..widgets.pipeline import PipelineView
from ..widgets.timeline import TimelineBar
from .cards import BACK, CONTENTS, GO, LEAVE, NEXT, Card, EndCard, Ending, TitleCard
from .lesson_controls import CARDS, CARDS_OFF, LessonControls
from .run_frame import RunFrame

NARROW = 120          # below this width narration and the work area stack, and share the panel
TALL = 40             # from this height an event strip sits under the ledger
FIXED_ROWS = 4        # status, timeline, ledger, footer
EVENT_ROWS = 4


def run_badge(watching: bool, version: tuple[str, str] | None) -> str:
    """The status badge: the run playing on after an answer, and after a challenge whose settings it plays."""
    whose = {"yours": "YOUR VERSION", "the lesson's": "THE LESSON'S VERSION"}.get(version[0]) if version else ""
    return " · ".join(w for w in ("AFTER YOUR ANSWER" if watching else "", whose) if w)


class LessonScreen(LessonControls, RunFrame):
    """One lesson, step by step, over a live simulation; dismisses with "leave" or "next"."""

    AUTO_FOCUS = ""
    CSS_PATH = "lesson.tcss"
    BINDINGS = lesson_keys.bindings()

    def __init__(self, item: Item, catalog: Catalog, store: ProgressStore, autoplay: bool = True,
                 seed: int | None = None) -> None:
        self.run = LessonRun(item.lesson, seed)
        super().__init__(LessonDriver(self.run))
        self.item, self.catalog, self.store = item, catalog, store
        self.number = catalog.number(item.id)
        self.autoplay = autoplay
        self.saved: set[str] = set()
        self.card_up = self.busy = False
        self._state: tuple = ()
        self._keys_state: tuple = ()
        self.panel = LessonPanel(self.run, self.driver, self._saved_best, lambda: not self.card_up, id="lesson")

    @property
    def verdict(self) -> Verdict | None:
        """The verdict on the open or last question of this step."""
        return self.panel.verdict

    @property
    def held(self) -> bool:
        """Has the learner paused time?"""
        return self.panel.held

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Status; the stage (pipeline, timeline, ledger, events); the lesson panel; footer."""
        yield LessonBar(id="status")
        with Vertical(id="stage"):
            yield PipelineView(id="pipeline")
            yield TimelineBar(id="timeline")
            yield LedgerBar(id="ledger")
            yield LessonEvents(id="events")
        yield self.panel
        yield ControlsPanel(id="controls")
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        """Resume where the learner left off, start the clock, and open with the lesson's card."""
        self.query_one("#controls").border_title = "settings · ←/→ change · e type · esc back to the keys"
        resumed = self._resume()
        self._warn()  # a progress file set aside when it was opened
        self.start_clock()
        self.begin_step(self._opening_card(resumed))

    def _resume(self) -> str:
        """Pick up at the step reached last time (the run replays its way there)."""
        if self.store.status(self.item.id) != "started":
            return ""
        step = self.store.lesson(self.item.id).get("step", 0)
        if 0 < step < len(self.run.lesson.steps):
            self.run.jump(step)
            self.driver.adopt()
            self.runner.sync(lambda: None)
            return f"Resuming at step {step + 1} (← goes back, t lists the steps)."
        return ""

    def _opening_card(self, resumed: str) -> Card:
        """The first card: the lesson's title, what it teaches, its size, any note."""
        lesson = self.run.lesson
        missing = self.catalog.prerequisites(lesson, self.store.done())
        notes = [f"{len(lesson.steps)} steps · {len(lesson.questions())} questions"]
        if missing:
            notes.append(f"This lesson builds on {missing}; you may go ahead anyway.")
        notes.append(resumed or f"Step {self.run.index + 1}: {self.run.step.title}")
        return Card(f"Lesson {self.number}", self.run.index + 1, len(lesson.steps), lesson.title,
                    lesson.teaches, "\n".join(notes))

    def on_resize(self) -> None:
        """Too small: say what is needed; narrow: narration and work share the panel; size the pipeline."""
        w, h = self.size
        self.too_small("esc goes back.")
        self.set_class(w < NARROW, "narrow")
        self.set_class(h >= TALL, "tall")
        self.fit()

    def fit(self) -> None:
        """Give the pipeline the rows it wants, leaving the lesson panel enough to read."""
        w, h = self.size
        snap = self.runner.frame.snap
        events = EVENT_ROWS if h >= TALL else 0
        panel = 10 if h < 30 else 14
        avail = h - FIXED_ROWS - events - panel
        self.query_one(PipelineView).styles.height = max(min(wanted_height(snap, w, avail), avail), 3)

    # --- the clock ------------------------------------------------------------------------
    def tick(self) -> None:
        """One timer tick: the run advances off-thread while the step lets time run; react to what changed."""
        now = monotonic()
        wall, self._last = now - self._last, now
        try:
            frame = self.runner.tick(wall)
        except Exception as err:  # the engine failed in an advance: hold time and say so, rather than crash
            return self._engine_failed(err)
        if frame is not None:
            self.push(frame)
        if not self.busy and self._changed():
            self.runner.sync(lambda: None)
            self._after_change()

    def _engine_failed(self, err: Exception) -> None:
        """An advance raised: drop it, pause, and tell the learner how to go on (⏎ plays the wait at once)."""
        self.runner.job = None
        self.panel.held = True
        self.clock()
        self.notify(f"the simulation failed while playing ({type(err).__name__}: {err}); time is paused: "
                    "⏎ plays the rest of the wait at once", severity="error", timeout=10)

    def _changed(self) -> bool:
        """Did the run's step or phase change (a wait ended), or a watch reach its end?"""
        watch = self.driver.watch
        state = (self.run.index, self.run.phase, watch is not None and watch.over)
        if state == self._state:
            return False
        self._state = state
        return True

    def push(self, frame: Frame) -> None:
        """Push a frame with what the open question asks about held back until the answer is in."""
        super().push(held_back(frame, self.run.held()))

    def pushed(self, frame: Frame) -> None:
        """The wait's progress follows the frames."""
        self.panel.update_wait()

    def clock(self) -> None:
        """Time plays when the step lets it, no card or judging is in the way, and the learner has not paused."""
        playing = (self.autoplay and not self.held and not self.card_up and not self.busy
                   and self.driver.plays)
        if playing != self.driver.clock.playing:
            self.driver.clock.playing = playing
            self._last = monotonic()
            if not playing:  # show where the run is, not where the screen had run ahead to
                self.runner.sync(lambda: None)
        self.show()

    def goto(self, t: float) -> None:
        """Play (or look) to time t at once: tests and screenshots pin the run with this."""
        self.runner.sync(self.driver.seek, t)
        if self._changed():
            self.refresh_panel()
        self.show()

    # --- steps ----------------------------------------------------------------------------
    def begin_step(self, card: Card | None = None) -> None:
        """A step begins: save the place, pace its wait, show its card, then its panel."""
        self.panel.clear()
        self.driver.clock.speed = wait_pace(self.run)
        self._save()
        steps = len(self.run.lesson.steps)
        self.query_one(LessonBar).where = f"Lesson {self.number} · step {self.run.index + 1}/{steps}"
        self._changed()
        self.refresh_panel()
        self.card_up = True
        self.clock()
        step = self.run.step
        if not self.store.preference(CARDS, True):  # self-study: no cards; the opening one's note as a message
            if card is not None and card.note:
                self.notify(card.note, timeout=6)
            return self._card_closed(GO)
        card = card or Card(f"Lesson {self.number} · {self.run.lesson.title}", self.run.index + 1,
                            len(self.run.lesson.steps), step.title)
        self.app.push_screen(TitleCard(card), self._card_closed)

    def _card_closed(self, result: str | None) -> None:
        """The card was closed: go on, back, to the contents, or out."""
        self.card_up = False
        if result == CARDS_OFF:
            self.action_toggle_cards()
        if result == BACK and self.run.index > 0:
            return self.move(self.run.back)
        if result == CONTENTS:
            self.action_contents()
        elif result == LEAVE:
            return self.action_leave()
        self.clock()
        self.panel.focus_question()

    def move(self, how: Callable[[], Any]) -> None:
        """Leave the current step some way (next, back, jump) and begin the step it lands on."""
        def go() -> Any:
            """On the simulation's side: stop any watch, move, take the new session."""
            self.driver.watch_from(None)
            result = how()
            self.driver.adopt()
            return result
        self.runner.sync(go)
        if self.run.finished:
            return self.finish()
        self.begin_step()

    def finish(self) -> None:
        """The end: save it as done, then the score card."""
        save_run(self.store, self.run, self.saved, final=True, done=True)
        self._warn()
        self.refresh_panel()
        self.clock()
        nxt = self.catalog.next_lesson(self.store.done())
        questions = {q.id: (i, q) for i, q in self.run.lesson.questions()}
        answers = [(self._mark(qid), f"{self.run.lesson.steps[i].title} ({q.kind})")
                   for qid, (i, q) in questions.items()]
        self.app.push_screen(EndCard(Ending(f"Lesson {self.number} · {self.run.lesson.title}", self.run.score(),
                                            answers, nxt.title if nxt else None, lab_lines(self.item.id),
                                            list(self.store.warnings))), self._ended)

    def _mark(self, qid: str) -> str:
        """✓ scored, ✗ missed, ◇ shown, – skipped."""
        a = self.run.answers.get(qid)
        if a is None:
            return "–"
        return "✓" if a.scored else "◇" if a.shown else "✗"

    def _ended(self, result: str | None) -> None:
        """After the end card: the next lesson, back into the lesson, or the lessons."""
        if result == BACK:
            return self.move(self.run.back)
        self.dismiss(NEXT if result == NEXT else LEAVE)

    # --- the panel ------------------------------------------------------------------------
    def refresh_panel(self) -> None:
        """The panel, the status badge, the lesson's notes and the footer follow the run's phase."""
        self.panel.redraw()
        self.query_one(LessonBar).badge = run_badge(self.driver.watch is not None, self.run.version)
        self._notes()
        keys = (frozenset(self.run.locks), self.run.phase)
        if keys != self._keys_state:  # the footer rebuilds itself: only when what it shows may change
            self._keys_state = keys
            self.refresh_bindings()

    def _saved_best(self, qid: str) -> float | None:
        """A challenge's best saved from earlier runs."""
        saved = self.store.data["lessons"].get(self.item.id, {}).get("answers", {}).get(qid, {})
        return saved.get("best")

    def _notes(self) -> None:
        """Messages the lesson wants the learner told (a wait that gave up)."""
        for line in self.run.notes:
            self.notify(line, severity="warning", timeout=8)
        self.run.notes.clear()

    # --- progress -------------------------------------------------------------------------
    def _save(self) -> None:
        """Record the step and the answers closed so far (as the text player does)."""
        save_run(self.store, self.run, self.saved)
        self._warn()

    def _warn(self) -> None:
        """Say once if the progress file could not be written."""
        for line in self.store.warnings:
            self.notify(line, title="progress", severity="warning", timeout=10)
        self.store.warnings.clear()

    def _after_change(self) -> None:
        """After a change (the learner acted, or a wait ended): the panel and the clock follow the run."""
        self._changed()
        self.refresh_panel()
        self.clock()
        self.panel.focus_question()
