"""The sandbox screen: one timer drives the run; widgets get frames pushed down and post requests up."""

from __future__ import annotations

import dataclasses
import random
from time import monotonic

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from .. import keys
from ..driver import Driver
from ..fastforward import FastForward
from ..failures import LEADER, down_nodes
from ..frame import Frame
from ..draw import wanted_height
from ..draw_group import drawn_members
from ..widgets.controls import ControlsPanel
from ..widgets.event_log import EventLog
from ..widgets.ledger_bar import LedgerBar
from ..widgets.pipeline import PipelineView
from ..widgets.status import StatusBar
from ..widgets.timeline import TimelineBar
from .help import HelpScreen
from .prompt import PromptScreen
from .report import ReportScreen
from .run_frame import RunFrame
from .sandbox_changes import SandboxChanges

NARROW = 120          # below this width the settings open as a drawer at the bottom
CONTROLS_OPEN_FROM = 170  # from this width the settings panel is open at start
FIXED_ROWS = 4        # status, timeline, ledger, footer


class SandboxScreen(SandboxChanges, RunFrame):
    """Pipeline, timeline, ledger, events and settings, all drawn from the Driver's frames."""

    AUTO_FOCUS = ""  # keys belong to the sandbox until the learner opens the settings
    CSS_PATH = "sandbox.tcss"
    BINDINGS = keys.bindings() + [Binding("w", "export", "export", show=False)]

    def __init__(self, driver: Driver) -> None:
        super().__init__(driver)
        self._availability: tuple = ()
        self._shape: tuple = ()
        self._sized = False
        self.ff = FastForward()

    def compose(self) -> ComposeResult:
        """Status on top, the stage (pipeline, timeline, ledger, events), settings aside, footer."""
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            with Vertical(id="stage"):
                yield PipelineView(id="pipeline")
                yield TimelineBar(id="timeline")
                yield LedgerBar(id="ledger")
                yield EventLog(id="events")
            yield ControlsPanel(id="controls")
        yield Static(id="too-small")
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p still opens it; ? lists it

    def on_mount(self) -> None:
        """Start the clock and draw the first frame."""
        self.query_one("#events").border_title = "events"
        self.query_one("#controls").border_title = "settings · ←→ change · e type"
        self.start_clock()
        self.show()

    # --- the clock ------------------------------------------------------------------------
    def tick(self) -> None:
        """One timer tick: wall time since the last one becomes simulated time (the run advances off-thread)."""
        now = monotonic()
        wall, self._last = now - self._last, now
        clock = self.driver.clock
        clock.boost = self.ff.update(self.runner.frame.snap, self.runner.shown, clock.speed, clock.playing, now)
        frame = self.runner.tick(wall)
        if frame is not None:
            self.push(frame)

    def goto(self, t: float) -> None:
        """Show time t (tests and benchmarks pin the run with this)."""
        self.runner.sync(self.driver.seek, t)
        self.show()

    def push(self, frame: Frame) -> None:
        """Push a frame down, with the fast-forward banner while quiet waits are skipped."""
        super().push(dataclasses.replace(frame, fast=self.ff.banner(frame.speed)))

    def pushed(self, frame: Frame) -> None:
        """The footer follows what the frame makes possible; the pipeline's height follows its boxes (a
        member joining adds the group's box)."""
        self._refresh_keys(frame)
        shape = (len(frame.snap.brokers), len(frame.snap.partitions), drawn_members(frame.snap))
        if shape != self._shape:
            self._shape = shape
            self.fit()

    def _refresh_keys(self, frame: Frame) -> None:
        """The footer shows the keys that matter now: refresh it when that set changes."""
        snap = frame.snap
        state = (frame.live, bool(down_nodes(snap)), bool(snap.cut_links or snap.slow),
                 snap.consumer is not None and snap.consumer.up, frame.selected)
        if state != self._availability:
            self._availability = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing now (restart with nothing down, heal with nothing cut, ...)."""
        if self.frame is None:
            return True
        snap = self.frame.snap
        if action == "to_live":
            return not self.frame.live
        if action != "fail":
            return True
        name = parameters[0]
        if name == "restart":
            return bool(down_nodes(snap)) or self.driver.selected != LEADER
        if name == "heal":
            return bool(snap.cut_links or snap.slow)
        if name in ("crash_consumer", "processing_error"):
            return snap.consumer is not None and snap.consumer.up
        return True

    # --- size -----------------------------------------------------------------------------
    def on_resize(self) -> None:
        """Too small: say what is needed; narrow: the settings become a drawer; size the pipeline."""
        w, h = self.size
        self.too_small("q quits.")
        self.set_class(w < NARROW, "narrow")
        if not self._sized:
            self._sized = True
            self.set_class(w >= CONTROLS_OPEN_FROM, "show-controls")
        self.fit()

    def fit(self) -> None:
        """Give the pipeline the rows it wants, leaving the events (and the drawer) some room."""
        w, h = self.size
        drawer = 10 if self.has_class("narrow") and self.has_class("show-controls") else 0
        stage_w = w - (46 if self.has_class("show-controls") and not self.has_class("narrow") else 0)
        snap = self.runner.frame.snap
        events = 0 if drawer else (3 if h < 30 else 6)
        avail = h - FIXED_ROWS - drawer - events
        self.query_one(PipelineView).styles.height = max(min(wanted_height(snap, stage_w, avail), avail), 3)

    # --- time actions ---------------------------------------------------------------------
    def action_toggle_play(self) -> None:
        """space."""
        playing = self.runner.sync(self.driver.toggle_play)
        if not playing:  # the run stops where the screen is, not where the last advance got to
            self.runner.sync(self.driver.seek, self.runner.shown)
        self._last = monotonic()
        self.show()

    def action_toggle_fast(self) -> None:
        """a: fast-forward through quiet waits, or not."""
        self.ff.enabled = not self.ff.enabled
        self.notify("quiet waits fast-forward" if self.ff.enabled else
                    "fast-forward off: time runs at the chosen speed even through long timeouts", timeout=3)
        self.show()

    def action_step(self) -> None:
        """n: to the next event."""
        self.runner.sync(self.driver.step)
        self.show()

    def action_scrub(self, times: int) -> None:
        """←/→ (×10 with shift)."""
        self.runner.sync(self.driver.seek, self.runner.shown + times * self.driver.scrub_step_ms())
        self.show()

    def action_seek_start(self) -> None:
        """home."""
        self.runner.sync(self.driver.seek, 0)
        self.show()

    def action_restart(self) -> None:
        """ctrl+r: the same scenario and seed from the start."""
        self.runner.sync(self.driver.restart)
        self.notify("restarted: same scenario, same seed, your changes dropped", timeout=3)
        self.show()

    def action_seed(self) -> None:
        """#: ask for a seed (empty: a random one) and restart with it."""
        self.app.push_screen(PromptScreen("Restart with seed (empty: a random one):",
                                          placeholder=str(self.frame.seed)), self._seeded)

    def _seeded(self, text: str | None) -> None:
        """The seed prompt answered."""
        if text is None:
            return
        text = text.strip()
        if text and not text.isdigit():
            self.notify(f"a seed is a whole number ≥ 0, not {text!r}", severity="warning")
            return
        self.runner.sync(self.driver.restart, int(text) if text else random.randrange(1_000_000))
        self.show()

    # --- view actions ---------------------------------------------------------------------
    def action_toggle_controls(self) -> None:
        """o: show or hide the settings (focus moves into them when shown)."""
        shown = not self.has_class("show-controls")
        self.set_class(shown, "show-controls")
        self.fit()
        self.set_focus(self.query_one(ControlsPanel) if shown else None)

    def action_report(self) -> None:
        """f: settle a copy of the run and report what is lost for good."""
        self.app.push_screen(ReportScreen(self.runner.sync(self.driver.settle_copy)))

    def action_export(self) -> None:
        """w: the current settings as Kafka configuration, written to a file and shown."""
        from .export import ExportScreen, current_scenario

        self.app.push_screen(ExportScreen(current_scenario(self.driver)))

    def action_help(self) -> None:
        """?."""
        self.app.push_screen(HelpScreen())
