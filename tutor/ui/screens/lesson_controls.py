"""The lesson screen's controls: the learner's own keys (failures, time, settings), the widgets' messages, and
judging an answer off the UI thread. Everything goes through the LessonRun, which may refuse and say why."""

from __future__ import annotations

from typing import Any, Callable

from textual import events, work

from tutor.lessons import Verdict
from tutor.lessons.model import SETTING_NAMES
from tutor.lessons.answers import save_run
from tutor.lessons.run import QUESTION, WAIT

from ..failures import FAILURES
from ..lesson_driver import make_watch, pace
from ..settings import CONTROLS, parse
from ..widgets.controls import ControlsPanel
from ..widgets.pipeline import PipelineView
from ..widgets.questions import AnswerMisread, ChallengeForm, HelpWanted, QuestionAnswered, TypedAnswer
from ..widgets.timeline import TimelineBar
from .cards import LEAVE, ContentsScreen, LessonHelpScreen
from .prompt import PromptScreen

FAILURE_KEYS = {f.key: f.name for f in FAILURES}


class LessonControls:
    """Mixed into the lesson screen (run, driver, runner, panel, store, busy, move, clock, _after_change, _save)."""

    # --- the lesson's keys: ⏎ ← t h s esc ---------------------------------------------------
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
            self.notify(self.panel.your_turn().plain, timeout=4)
        elif run.phase == QUESTION:
            self.panel.focus_question()
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
        self.panel.hints.append(self.run.hint() or "no hints for this one")
        self.store.record_hint(self.run.lesson.id, self.run.question.id)  # saved with the next answer or step
        self.panel.show_note()

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
        self.panel.note = message.reason
        self.panel.show_note()

    def judge(self, submit: Callable[[], Verdict], answer: Any) -> None:
        """Judge an answer (or show me) on a worker thread; the screen waits with a word."""
        if self.run.phase != QUESTION or not self._idle():
            return
        self.busy, self.panel.note = True, "the engine is playing it out…"
        self.panel.show_note()
        self._judge(submit, answer)

    @work(thread=True, exclusive=True, group="judge")
    def _judge(self, submit: Callable[[], Verdict], answer: Any) -> None:
        """On a worker: the verdict, and the run playing on from it on a branch of its session."""
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
        self.busy, self.panel.note = False, f"the engine could not play this out: {why}"
        self.panel.show_note()

    def _judged(self, verdict: Verdict, answer: Any, watch) -> None:
        """Show the verdict; a closed question saves, and the run plays on to show it."""
        self.busy, self.panel.note = False, ""
        self.panel.verdict = verdict
        self.panel.answer = answer if not verdict.shown else None
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

    def action_toggle_play(self) -> None:
        """space: pause or resume time."""
        self.panel.held = not self.panel.held
        self.clock()
        self.panel.update_wait()

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
            self.panel.focus_question()

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
