"""What the learner changes in the sandbox: presets, failure keys, settings from the panel, and the
widgets' clicks; each says what it did (and when it forked the run)."""

from __future__ import annotations

from .. import notices
from ..frame import Frame
from ..settings import CONTROLS, parse
from ..widgets.controls import ControlsPanel
from ..widgets.pipeline import PipelineView
from ..widgets.timeline import TimelineBar
from .prompt import PromptScreen


class SandboxChanges:
    """Mixed into the sandbox screen (it has `driver`, `runner`, `frame`, `show`, `fit`, `goto`, `inspect`)."""

    # --- settings and failures ------------------------------------------------------------
    def action_preset(self, name: str) -> None:
        """s / d."""
        before = self.frame
        outcome = self.runner.sync(self.driver.preset, name)
        self._forked(before, outcome.restarted)
        self._report(outcome, "no-loss recipe" if name == "no-loss" else
                     "Kafka defaults (Kafka and client properties; the workload and the application kept)")

    def action_fail(self, name: str) -> None:
        """A failure key: the engine's own words appear in the event log."""
        before = self.frame
        self.runner.sync(self.driver.fail, name)
        self._forked(before)
        if name == "processing_error" and notices.nothing_in_hand(before):
            self.notify(notices.nothing_in_hand(before), timeout=10)
        self.show()

    def action_choose_member(self) -> None:
        """m: the next member of the consumer group."""
        try:
            name = self.driver.choose_member()
        except ValueError as err:  # no group in this run (or in this engine): one line says so
            self.notify(str(err), severity="warning", timeout=4)
            return
        self.notify(f"group keys aim at {name}", timeout=2)
        self.show()

    def action_member(self, name: str) -> None:
        """J, G, M: a member joins; the chosen one crashes; it turns slow past max.poll.interval.ms."""
        before = self.frame
        try:
            lines = self.runner.sync(self.driver.group_action, name)
        except ValueError as err:  # no group to act on, or the engine refused the target: one line
            self.notify(str(err).splitlines()[0] if str(err) else f"{name}: not possible here",
                        severity="warning", timeout=5)
            return
        self._forked(before)
        self.notify("; ".join(lines), timeout=4)
        self.show()

    def _forked(self, before: Frame | None, restarted: bool = False) -> None:
        """Acting in the past forks the run: say so (a restart says its own words)."""
        words = "" if restarted else notices.forked(before)
        if words:
            self.notify(words, severity="warning", timeout=8)

    def _report(self, outcome, what: str = "") -> None:
        """Tell the learner what a settings change did."""
        head = f"{what}: " if what else ""
        severity = "information" if outcome.ok else "warning"
        self.notify(head + "; ".join(outcome.lines), severity=severity, timeout=6 if outcome.restarted else 4)
        if outcome.restarted:
            self.fit()
        self.show()

    # --- messages from the widgets ----------------------------------------------------------
    def on_pipeline_view_record_clicked(self, message: PipelineView.RecordClicked) -> None:
        """A token was clicked."""
        self.inspect(message.rid)

    def on_pipeline_view_node_clicked(self, message: PipelineView.NodeClicked) -> None:
        """A box was clicked: aim failures at it (the sink is not a node); a member's name chooses it."""
        if message.name.startswith("consumer-"):
            self.driver.member = message.name
            self.show()
        elif message.name not in ("sink", "group"):
            self.driver.select(message.name)
            self.show()

    def on_timeline_bar_scrubbed(self, message: TimelineBar.Scrubbed) -> None:
        """The timeline was clicked."""
        self.goto(message.t)

    def on_controls_panel_change_requested(self, message: ControlsPanel.ChangeRequested) -> None:
        """A setting stepped with ←/→."""
        before = self.frame
        outcome = self.runner.sync(self.driver.change, {(message.section, message.key): message.value})
        self._report(outcome)
        self._forked(before, outcome.restarted)

    def on_controls_panel_edit_requested(self, message: ControlsPanel.EditRequested) -> None:
        """Type a value for a setting."""
        c = message.which
        current = self.frame.config[c.section][c.key]
        self.app.push_screen(PromptScreen(f"{c.key} ({c.setting.doc}):", "" if current is None else str(current)),
                             lambda text: self._typed(c.ident, text))

    def _typed(self, ident: str, text: str | None) -> None:
        """A typed setting value: checked by the model's rules, then applied."""
        if text is None:
            return
        c = CONTROLS[ident]
        try:
            value = parse(c, text)
        except ValueError as err:
            self.notify(f"{c.key} {err}", severity="warning")
            return
        before = self.frame
        outcome = self.runner.sync(self.driver.change, {(c.section, c.key): value})
        self._report(outcome)
        self._forked(before, outcome.restarted)
