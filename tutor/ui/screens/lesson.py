"""The lesson screen: the sandbox's pipeline and ledger driven by a LessonRun, with narration, questions and cards."""

from __future__ import annotations

from time import monotonic
from typing import Any, Callable, Hashable

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tutor.lessons import Catalog, Item, LessonRun, ProgressStore, Question, Verdict
from tutor.lessons.player import save_run
from tutor.lessons.model import SETTING_NAMES
from tutor.lessons.run import QUESTION, READY, WAIT

from .. import lesson_keys
from ..failures import FAILURES
from ..frame import Frame
from ..labs import lab_lines
from ..layout import preferred_height
from ..lesson_driver import LessonDriver, make_watch, pace, wait_pace
from ..lesson_text import verdict_view
from ..runner import Runner
from ..settings import CONTROLS, parse, show
from ..widgets.controls import ControlsPanel
from ..widgets.ledger_bar import LedgerBar
from ..widgets.lesson_bar import LessonBar, LessonEvents
from ..widgets.pipeline import PipelineView
from ..widgets.questions import (AnswerMisread, ChallengeForm, ChoiceQuestion, HelpWanted, QuestionAnswered,
                                 TypedAnswer)
from ..widgets.timeline import TimelineBar
from .cards import BACK, CONTENTS, LEAVE, NEXT, Card, ContentsScreen, EndCard, Ending, LessonHelpScreen, \
    TitleCard
from .prompt import PromptScreen
from .run_actions import RunActions

FPS = 34
MIN_WIDTH, MIN_HEIGHT = 80, 24
NARROW = 120          # below this width narration and the work area stack, and share the panel
TALL = 40             # from this height an event strip sits under the ledger
FIXED_ROWS = 4        # status, timeline, ledger, footer
EVENT_ROWS = 4
FAILURE_KEYS = {f.key: f.name for f in FAILURES}
_UNSET = object()


class LessonScreen(RunActions, Screen[str]):
    """One lesson, step by step, over a live simulation; dismisses with "leave" or "next"."""

    AUTO_FOCUS = ""
    CSS_PATH = "lesson.tcss"
    BINDINGS = lesson_keys.bindings()

    def __init__(self, item: Item, catalog: Catalog, store: ProgressStore, autoplay: bool = True,
                 seed: int | None = None) -> None:
        super().__init__()
        self.item, self.catalog, self.store = item, catalog, store
        self.number = catalog.number(item.id)
        self.run = LessonRun(item.lesson, seed)
        self.driver = LessonDriver(self.run)
        self.runner = Runner(self.driver)
        self.autoplay = autoplay
        self.saved: set[str] = set()
        self.frame: Frame | None = None
        self.verdict: Verdict | None = None
        self.answer: Any = None
        self.hints: list[str] = []
        self.note = ""
        self.held = self.card_up = self.busy = False
        self._state: tuple = ()
        self._shown: dict[str, Hashable] = {}      # what each part of the panel shows, by a key
        self._keys_state: tuple = ()
        self._last = monotonic()
        self._sized = False

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Status; the stage (pipeline, timeline, ledger, events); the lesson panel; footer."""
        yield LessonBar(id="status")
        with Vertical(id="stage"):
            yield PipelineView(id="pipeline")
            yield TimelineBar(id="timeline")
            yield LedgerBar(id="ledger")
            yield LessonEvents(id="events")
        with Horizontal(id="lesson"):
            with VerticalScroll(id="read"):
                yield Static(id="narration")
            with VerticalScroll(id="work"):
                yield Static(id="locks")
                yield Static(id="wait")
                yield Static(id="ask")
                yield Vertical(id="answer")
                yield Static(id="note")
                yield Static(id="verdict")
        yield ControlsPanel(id="controls")
        yield Static(id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        """Resume where the learner left off, start the clock, and open with the lesson's card."""
        self.query_one("#controls").border_title = "settings · ←/→ change · e type · esc back to the keys"
        resumed = self._resume()
        self._warn()  # a progress file set aside when it was opened
        self.set_interval(1 / FPS, self.tick)
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
        missing = [p for p in lesson.prerequisites if p not in self.store.done()]
        notes = [f"{len(lesson.steps)} steps · {len(lesson.questions())} questions"]
        if missing:
            notes.append(f"This lesson builds on {', '.join(missing)}; you may go ahead anyway.")
        notes.append(resumed or f"Step {self.run.index + 1}: {self.run.step.title}")
        return Card(f"Lesson {self.number}", self.run.index + 1, len(lesson.steps), lesson.title,
                    lesson.teaches, "\n".join(notes))

    def on_resize(self) -> None:
        """Too small: say what is needed; narrow: narration and work share the panel; size the pipeline."""
        w, h = self.size
        self.set_class(w < MIN_WIDTH or h < MIN_HEIGHT, "too-small")
        self.set_class(w < NARROW, "narrow")
        self.set_class(h >= TALL, "tall")
        self.query_one("#too-small", Static).update(
            f"tutor needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {w}×{h}.\n"
            "Make the window larger (or the font smaller). esc goes back.")
        self.fit()

    def fit(self) -> None:
        """Give the pipeline the rows it wants, leaving the lesson panel enough to read."""
        w, h = self.size
        snap = self.runner.frame.snap
        want = preferred_height(w, len(snap.brokers), snap.consumer is not None)
        events = EVENT_ROWS if h >= TALL else 0
        panel = 10 if h < 30 else 14
        self.query_one(PipelineView).styles.height = max(min(want, h - FIXED_ROWS - events - panel), 3)

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
        self.held = True
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

    def show(self) -> None:
        """Push the current frame (after something the learner did)."""
        self.push(self.runner.view())

    def push(self, frame: Frame) -> None:
        """Push a frame to every widget, and the wait's progress to its line."""
        self.frame = frame
        for wid in ("#status", "#pipeline", "#timeline", "#ledger", "#events"):
            self.query_one(wid).frame = frame
        state = (repr(frame.config), len(CONTROLS))
        if state != getattr(self, "_controls_state", None):
            self._controls_state = state
            self.query_one(ControlsPanel).set_state(frame.config, self.driver.defaults())
        self._update_wait()

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

    def on_unmount(self) -> None:
        """Stop the simulation thread."""
        self.runner.close()

    # --- steps ----------------------------------------------------------------------------
    def begin_step(self, card: Card | None = None) -> None:
        """A step begins: save the place, pace its wait, show its card, then its panel."""
        self.verdict, self.answer, self.hints, self.note, self.held = None, None, [], "", False
        self.driver.clock.speed = wait_pace(self.run)
        self._save()
        steps = len(self.run.lesson.steps)
        self.query_one(LessonBar).where = f"Lesson {self.number} · step {self.run.index + 1}/{steps}"
        self._changed()
        self.refresh_panel()
        self.card_up = True
        self.clock()
        step = self.run.step
        card = card or Card(f"Lesson {self.number} · {self.run.lesson.title}", self.run.index + 1,
                            len(self.run.lesson.steps), step.title)
        self.app.push_screen(TitleCard(card), self._card_closed)

    def _card_closed(self, result: str | None) -> None:
        """The card was closed: go on, back, to the contents, or out."""
        self.card_up = False
        if result == BACK and self.run.index > 0:
            return self.move(self.run.back)
        if result == CONTENTS:
            self.action_contents()
        elif result == LEAVE:
            return self.action_leave()
        self.clock()
        self._focus_question()

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
        """Narration, locks, the wait, the question, the verdict and what enter does, for the run's phase."""
        run = self.run
        step = run.step
        panel = self.query_one("#lesson")
        panel.border_title = f"Step {run.index + 1} of {len(run.lesson.steps)} · {step.title}"
        self._put("#narration", (run.index, step.narration), lambda: Markdown(step.narration))
        locks = lesson_keys.locks_line(run)
        self._put("#locks", locks, lambda: Text(locks, style="dim") if locks else None)
        self._update_wait()
        asking = run.phase == QUESTION
        self.query_one("#lesson").set_class(asking or self.verdict is not None, "asking")
        self._show_question(run.step.question if asking or self.verdict is not None else None)
        if asking:
            self._mount_answer(run.question)
        else:
            self.query_one("#answer").remove_children()
        self._show_note()
        self._show_verdict()
        panel.border_subtitle = self._next_line()
        self.query_one(LessonBar).badge = "AFTER YOUR ANSWER" if self.driver.watch is not None else ""
        self._notes()
        keys = (frozenset(run.locks), run.phase)
        if keys != self._keys_state:  # the footer rebuilds itself: only when what it shows may change
            self._keys_state = keys
            self.refresh_bindings()

    def _put(self, selector: str, key: Hashable, make: Callable[[], RenderableType | None]) -> bool:
        """Show make()'s content in a part of the panel when `key` changed (None hides it); True if it did."""
        if self._shown.get(selector, _UNSET) == key:  # an update costs a layout of the panel: skip it
            return False
        self._shown[selector] = key
        content = make()
        box = self.query_one(selector, Static)
        box.update("" if content is None else content)
        box.display = content is not None
        return True

    def _update_wait(self) -> None:
        """The wait line: time running (and how far), or what the learner must do."""
        text = self._wait_line()
        self._put("#wait", text.plain, lambda: text if text.plain else None)

    def _wait_line(self) -> Text:
        """What is happening now, in one or two lines."""
        run, watch = self.run, self.driver.watch
        paused = " · paused (space plays)" if self.held else ""
        if watch is not None:
            t0 = run.now
            done = min(watch.session.sim.now, watch.end) - t0
            word = "played on" if watch.over else "▶ playing on"
            return Text(f"{word} from your answer: +{done / 1000:,.1f} s of +{(watch.end - t0) / 1000:,.1f} s"
                        f"{paused}", style="bold cyan")
        if run.phase != WAIT:
            return Text("")
        wait = run.step.wait
        elapsed = run.now - run.step_start
        if wait.kind == "ms":
            return Text(f"▶ time runs for {wait.ms:,.0f} ms: {elapsed:,.0f} so far"
                        f"{paused}", style="bold green")
        if wait.kind == "until":
            return Text(f"▶ time runs until {wait.until.text} (at most {wait.ms:,.0f} ms): {elapsed:,.0f} ms "
                        f"so far{paused}", style="bold green")
        return self._your_turn()

    def _your_turn(self) -> Text:
        """The learner's turn: the step's prompt and the key that does it."""
        wait = self.run.step.wait
        text = Text("YOUR TURN ", style="bold reverse yellow")
        if wait.kind == "action":
            key = lesson_keys.key_for(wait.action)
            what = wait.prompt or f"{wait.action.action} {wait.action.target or ''}".strip()
            text.append(f" {what}", style="bold yellow")
            text.append(f"\npress {key}" if key else "", style="bold")
        else:
            text.append(f" {wait.prompt or f'set {wait.setting} to {show(wait.value)}'}", style="bold yellow")
            text.append(f"\no opens the settings: set {wait.setting} to {show(wait.value)}", style="bold")
        text.append("   (s: show me)", style="dim")
        return text

    def _show_question(self, q: Question | None) -> None:
        """The question's prompt (kept above the verdict once answered)."""
        if q is None:
            self._put("#ask", None, lambda: None)
            return
        head = Text(f" QUESTION · {q.kind} ", style="bold reverse")
        if self.run.phase == QUESTION:
            head.append("   h hint · s show me", style="dim")
        self._put("#ask", (id(q), head.plain), lambda: Group(head, Markdown(q.prompt)))

    def _mount_answer(self, q: Question) -> None:
        """The widget that takes this question's answer (kept while it stays open)."""
        box = self.query_one("#answer")
        if box.children and getattr(box.children[0], "question", None) is q:
            return
        box.remove_children()
        if q.kind == "choice":
            widget: Any = ChoiceQuestion(q, id="choices")
        elif q.kind == "challenge":
            widget = ChallengeForm(q, self._current(q.allowed), self._best(q), id="challenge")
        else:
            widget = TypedAnswer(q, id="typed")
        box.mount(widget)
        self.call_after_refresh(self._focus_question)

    def _current(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The values in force of some settings ("producer.acks" -> "1")."""
        config = self.run.session.sim.config
        return {n: (getattr(config, n.partition(".")[0]) or {}).get(n.partition(".")[2]) for n in names}

    def _best(self, q: Question) -> float | None:
        """The learner's best for a challenge: this run's, or the one saved from earlier runs."""
        here = self.run.answers.get(q.id)
        if here is not None and here.best is not None:
            return here.best
        saved = self.store.data["lessons"].get(self.item.id, {}).get("answers", {}).get(q.id, {})
        return saved.get("best")

    def _focus_question(self) -> None:
        """Put the keys in the question's widget (not while a card is up)."""
        if self.card_up or self.run.phase != QUESTION:
            return
        for widget in self.query("#answer > *"):
            widget.focus()
            return

    def _show_note(self) -> None:
        """Hints so far and the last misread answer or refusal."""
        parts = [Text(f"hint: {h}", style="cyan") for h in self.hints]
        if self.note:
            parts.append(Text(self.note, style="yellow"))
        self._put("#note", (tuple(self.hints), self.note), lambda: Group(*parts) if parts else None)

    def _show_verdict(self) -> None:
        """The verdict with the learner's answer, the engine's truth and the explanation."""
        v = self.verdict
        key = v and (self.run.index, v.truth, v.correct, v.final, v.shown, v.best, repr(self.answer))
        if self._put("#verdict", key, lambda: verdict_view(v, self.run.step.question, self.answer) if v else None) \
                and v is not None:
            self.call_after_refresh(self.query_one("#verdict").scroll_visible)

    def _next_line(self) -> str:
        """What enter does now (on the panel's lower edge, always in sight)."""
        run = self.run
        if run.phase == WAIT and run.step.wait.plays:
            return "⏎ skip to the end of the wait"
        if run.phase != READY:
            return ""
        last = run.index + 1 >= len(run.lesson.steps)
        return "⏎ finish the lesson" if last else f"⏎ next step: {run.lesson.steps[run.index + 1].title}"

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

    # --- lesson actions -------------------------------------------------------------------
    def _idle(self) -> bool:
        """False (and say so) while the engine is still judging an answer."""
        if self.busy:
            self.notify("the engine is still playing it out…", timeout=2)
        return not self.busy

    def action_forward(self) -> None:
        """⏎ / →: skip the rest of a wait, or go on to the next step."""
        if not self._idle():
            return
        run = self.run
        if run.phase == WAIT and run.step.wait.plays:
            self.runner.sync(run.finish_wait)
            self.driver.adopt()
            self.runner.sync(lambda: None)
            self._after_change()
        elif run.phase == WAIT:
            self.notify(self._your_turn().plain, timeout=4)
        elif run.phase == QUESTION:
            self._focus_question()
            self.notify("answer the question first (h: a hint, s: show me)", timeout=3)
        else:
            self.move(run.next)

    def action_back(self) -> None:
        """←: back to the start of the previous step."""
        if self._idle():
            self.move(self.run.back)

    def action_contents(self) -> None:
        """t: the table of contents."""
        if self._idle():
            self.app.push_screen(ContentsScreen(self.run.lesson.title, self.run.toc()), self._jump)

    def _jump(self, k: int | None) -> None:
        """A step chosen in the contents."""
        if k is not None:
            self.move(lambda: self.run.jump(k))
        else:
            self.clock()

    def action_hint(self) -> None:
        """h: the next hint of the open question."""
        if self.run.question is None:
            self.notify("hints are for questions; none is open now", timeout=3)
            return
        self.hints.append(self.run.hint() or "no hints for this one")
        self.store.record_hint(self.run.lesson.id, self.run.question.id)  # saved with the next answer or step
        self._show_note()

    def action_show_me(self) -> None:
        """s: do what the step waits for, or play the question's answer (not scored)."""
        if not self._idle():
            return
        run = self.run
        if run.phase == WAIT:
            result = self.runner.sync(run.show_me)
            self.driver.adopt()
            self.runner.sync(lambda: None)
            self.notify("; ".join(result.lines) or "done", timeout=4)
            self._after_change()
        elif run.phase == QUESTION:
            self.judge(run.show_me, None)
        else:
            self.notify("nothing to show in this step: ⏎ goes on", timeout=3)

    def action_leave(self) -> None:
        """esc: back to the lessons; the place is saved."""
        if self.busy:
            return
        save_run(self.store, self.run, self.saved, final=True)
        self._warn()
        self.dismiss(LEAVE)

    def _after_change(self) -> None:
        """After a change (the learner acted, or a wait ended): the panel and the clock follow the run."""
        self._changed()
        self.refresh_panel()
        self.clock()
        self._focus_question()

    # --- answers --------------------------------------------------------------------------
    def on_question_answered(self, message: QuestionAnswered) -> None:
        """An answer from a question widget: judged by the engine off the UI thread."""
        message.stop()
        self.judge(lambda: self.run.submit(message.answer), message.answer)

    def on_help_wanted(self, message: HelpWanted) -> None:
        """h or s typed into an answer."""
        message.stop()
        self.action_hint() if message.what == "hint" else self.action_show_me()

    def on_answer_misread(self, message: AnswerMisread) -> None:
        """A typed answer that could not be read: say how to write it."""
        message.stop()
        self.note = message.reason
        self._show_note()

    def judge(self, submit: Callable[[], Verdict], answer: Any) -> None:
        """Judge an answer (or show me) on a worker thread; the screen waits with a word."""
        if self.run.phase != QUESTION or not self._idle():
            return
        self.busy, self.note = True, "the engine is playing it out…"
        self._show_note()
        self._judge(submit, answer)

    @work(thread=True, exclusive=True, group="judge")
    def _judge(self, submit: Callable[[], Verdict], answer: Any) -> None:
        """On a worker: the verdict, and a copy of the run playing on from it."""
        q = self.run.question
        try:
            verdict = self.runner.sync(submit)
            watch = make_watch(self.run, q.after_ms) if verdict.final and self.run.phase != QUESTION else None
        except Exception as err:  # the engine gave up (a step budget): say so instead of crashing
            self.app.call_from_thread(self._judge_failed, str(err))
            return
        self.app.call_from_thread(self._judged, verdict, answer, watch)

    def _judge_failed(self, why: str) -> None:
        """The engine could not judge: say why; the question stays open."""
        self.busy, self.note = False, f"the engine could not play this out: {why}"
        self._show_note()

    def _judged(self, verdict: Verdict, answer: Any, watch) -> None:
        """Show the verdict; a closed question saves, and the run plays on to show it."""
        self.busy, self.note = False, ""
        self.verdict = verdict
        self.answer = answer if not verdict.shown else None
        if watch is not None:
            self.driver.clock.speed = pace(watch.end - self.run.now)
        self.runner.sync(self.driver.watch_from, watch)
        form = self.query("#challenge")
        if verdict.best is not None and form:
            form.first(ChallengeForm).set_best(verdict.best)
        if self.run.phase != QUESTION:
            self._save()
            self.set_focus(None)
        self._after_change()

    # --- the learner's own keys -------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Locked failure keys leave the footer (pressing one says why); settings dim when all are locked."""
        if action == "fail":
            return self.driver.refusal(str(parameters[0])) is None
        if action == "toggle_controls":
            return None if all(self.run.locked(n) for n in SETTING_NAMES) else True
        if action == "to_live":
            return self.frame is not None and not self.frame.live
        return True

    def on_key(self, event: events.Key) -> None:
        """A locked failure key or the locked settings: say why instead of doing nothing."""
        name = FAILURE_KEYS.get(event.key)
        why = self.driver.refusal(name) if name else None
        if event.key == "o" and all(self.run.locked(n) for n in SETTING_NAMES):
            why = "the settings are locked in this step"
        if why:
            event.stop()
            self.notify(why, severity="warning", timeout=3)

    def action_fail(self, name: str) -> None:
        """A failure key, through the lesson (refused with the reason when it may not happen now)."""
        if not self._idle():
            return
        result = self.runner.sync(self.driver.act, name)
        self.notify("; ".join(result.lines), severity="information" if result.ok else "warning", timeout=3)
        self._after_change()

    def action_select(self, target: str) -> None:
        """0-9: aim node failures."""
        names = [b.name for b in self.driver.snap.brokers]
        if target != "leader" and target not in names:
            self.notify(f"there is no {target}", severity="warning", timeout=2)
            return
        self.driver.select(target)
        self.show()

    def action_toggle_play(self) -> None:
        """space: pause or resume time."""
        self.held = not self.held
        self.clock()
        self._update_wait()

    def action_scrub(self, times: int) -> None:
        """shift+←/→: look back and forth (never past the present)."""
        self.runner.sync(self.driver.look, self.driver.session.cursor + times * 1000.0 * self.driver.clock.speed)
        self.show()

    def action_toggle_controls(self) -> None:
        """o: the settings in place of the lesson panel (focus moves into them)."""
        shown = not self.has_class("show-controls")
        self.set_class(shown, "show-controls")
        self.set_focus(self.query_one(ControlsPanel) if shown else None)
        if not shown:
            self._focus_question()

    def action_help(self) -> None:
        """?."""
        self.app.push_screen(LessonHelpScreen())

    # --- messages from the widgets ----------------------------------------------------------
    def on_pipeline_view_record_clicked(self, message: PipelineView.RecordClicked) -> None:
        """A token was clicked: it joins a pick answer, or opens the inspector."""
        typed = self.query("#typed")
        if self.run.question is not None and self.run.question.kind == "pick" and typed:
            typed.first(TypedAnswer).add_id(message.rid)
            typed.first(TypedAnswer).focus()
            return
        self.inspect(message.rid)

    def on_pipeline_view_node_clicked(self, message: PipelineView.NodeClicked) -> None:
        """A box was clicked: aim failures at it."""
        if message.name != "sink":
            self.driver.select(message.name)
            self.show()

    def on_timeline_bar_scrubbed(self, message: TimelineBar.Scrubbed) -> None:
        """The timeline was clicked: look there."""
        self.runner.sync(self.driver.look, message.t)
        self.show()

    def on_controls_panel_change_requested(self, message: ControlsPanel.ChangeRequested) -> None:
        """A setting stepped with ←/→ in the settings."""
        self._setting(f"{message.section}.{message.key}", message.value)

    def on_controls_panel_edit_requested(self, message: ControlsPanel.EditRequested) -> None:
        """Type a value for a setting."""
        c = message.which
        current = self.driver.snap.config[c.section][c.key]
        self.app.push_screen(PromptScreen(f"{c.key} ({c.setting.doc}):", "" if current is None else str(current)),
                             lambda text: self._typed(c.ident, text))

    def _typed(self, ident: str, text: str | None) -> None:
        """A typed setting value, read by the model's rules."""
        if text is None:
            return
        try:
            value = parse(CONTROLS[ident], text)
        except ValueError as err:
            self.notify(f"{ident} {err}", severity="warning")
            return
        self._setting(ident, value)

    def _setting(self, name: str, value: Any) -> None:
        """A setting through the lesson: applied now, or refused with the reason."""
        if not self._idle():
            return
        result = self.runner.sync(self.driver.set_value, name, value)
        self.notify("; ".join(result.lines), severity="information" if result.ok else "warning", timeout=3)
        self._after_change()
