"""The lesson panel beside the stage: the narration; the locks, the wait, the question and its answer widget,
hints and notes, and the verdict, each redrawn only when what it shows changes."""

from __future__ import annotations

from typing import Any, Callable, Hashable

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from tutor.lessons import LessonRun, Question, Verdict
from tutor.lessons.run import QUESTION, READY, WAIT

from .. import lesson_keys
from ..lesson_driver import LessonDriver
from ..lesson_text import verdict_view
from ..settings import show
from .questions import ChallengeForm, ChoiceQuestion, TypedAnswer

_UNSET = object()


class LessonPanel(Horizontal):
    """What the learner reads and answers; the screen tells it what happened, it draws the run's phase."""

    def __init__(self, run: LessonRun, driver: LessonDriver, saved_best: Callable[[str], float | None],
                 may_focus: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run, self.driver = run, driver
        self.saved_best, self.may_focus = saved_best, may_focus
        self.verdict: Verdict | None = None
        self.answer: Any = None
        self.hints: list[str] = []
        self.note = ""
        self.held = False                            # the learner paused time
        self._shown: dict[str, Hashable] = {}      # what each part shows, by a key

    def compose(self) -> ComposeResult:
        """The narration on the left; the work (locks, wait, question, answer, note, verdict) on the right."""
        with VerticalScroll(id="read"):
            yield Static(id="narration")
        with VerticalScroll(id="work"):
            yield Static(id="locks")
            yield Static(id="wait")
            yield Static(id="ask")
            yield Vertical(id="answer")
            yield Static(id="note")
            yield Static(id="verdict")

    def clear(self) -> None:
        """A new step: no verdict, answer, hints or note; time not held."""
        self.verdict, self.answer, self.hints, self.note, self.held = None, None, [], "", False

    def redraw(self) -> None:
        """Narration, locks, the wait, the question, the verdict and what enter does, for the run's phase."""
        run = self.run
        step = run.step
        self.border_title = f"Step {run.index + 1} of {len(run.lesson.steps)} · {step.title}"
        self._put("#narration", (run.index, step.narration), lambda: Markdown(step.narration))
        locks = lesson_keys.locks_line(run)
        self._put("#locks", locks, lambda: Text(locks, style="dim") if locks else None)
        self.update_wait()
        asking = run.phase == QUESTION
        self.set_class(asking or self.verdict is not None, "asking")
        self._show_question(run.step.question if asking or self.verdict is not None else None)
        if asking:
            self._mount_answer(run.question)
        else:
            self.query_one("#answer").remove_children()
        self.show_note()
        self._show_verdict()
        self.border_subtitle = self._next_line()

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

    # --- the wait -------------------------------------------------------------------------
    def update_wait(self) -> None:
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
        return self.your_turn()

    def your_turn(self) -> Text:
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

    # --- the question ---------------------------------------------------------------------
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
            widget = ChallengeForm(q, self.current(q.allowed), self._best(q), id="challenge")
        else:
            widget = TypedAnswer(q, id="typed")
        box.mount(widget)
        self.call_after_refresh(self.focus_question)

    def current(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The values in force of some settings ("producer.acks" -> "1")."""
        config = self.run.session.sim.config
        return {n: (getattr(config, n.partition(".")[0]) or {}).get(n.partition(".")[2]) for n in names}

    def _best(self, q: Question) -> float | None:
        """The learner's best for a challenge: this run's, or the one saved from earlier runs."""
        here = self.run.answers.get(q.id)
        if here is not None and here.best is not None:
            return here.best
        return self.saved_best(q.id)

    def focus_question(self) -> None:
        """Put the keys in the question's widget (not while a card is up)."""
        if not self.may_focus() or self.run.phase != QUESTION:
            return
        for widget in self.query("#answer > *"):
            widget.focus()
            return

    # --- notes and the verdict ------------------------------------------------------------
    def show_note(self) -> None:
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
