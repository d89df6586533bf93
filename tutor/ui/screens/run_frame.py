"""The frame every screen that plays a run shares (the sandbox and the lessons): the stage's widgets fed from one
Runner, the settings panel, the inspector and speed keys, aiming at nodes, and the too-small notice."""

from __future__ import annotations

import asyncio
from time import monotonic

from textual.screen import Screen
from textual.widgets import Static

from ..clock import next_due
from ..driver import Driver
from ..frame import Frame
from ..runner import Runner
from ..settings import CONTROLS
from ..widgets.controls import ControlsPanel
from ..widgets.pipeline import PipelineView
from .run_actions import RunActions

FPS = 60  # ticks a second (an app may set its own `frames_per_second`: `tutor serve` does)
SHOWN_WAIT_S = 0.25  # the longest a tick waits for the previous frame to be on the screen
MIN_WIDTH, MIN_HEIGHT = 80, 24
STAGE = ("#status", "#pipeline", "#timeline", "#ledger", "#events")


class RunFrame(RunActions, Screen[str]):
    """A screen over a Driver: frames from its Runner go to the stage; subclasses add what is theirs."""

    def __init__(self, driver: Driver) -> None:
        super().__init__()
        self.driver = driver
        self.runner = Runner(driver)
        self.frame: Frame | None = None
        self._last = monotonic()
        self._controls_state: tuple = ()
        self._clock: asyncio.Task | None = None
        self._pushed = False  # the last tick pushed a frame

    def show(self) -> None:
        """Push the current frame (after something the learner did)."""
        self.push(self.runner.view())

    def push(self, frame: Frame) -> None:
        """Push a frame to every widget of the stage and the settings; then to the screen's own parts."""
        self.frame = frame
        self._pushed = True
        for wid in STAGE:
            self.query_one(wid).frame = frame
        state = (repr(frame.config), len(CONTROLS))
        if state != self._controls_state:  # the settings panel only hears about the settings when they change
            self._controls_state = state
            self.query_one(ControlsPanel).set_state(frame.config, self.driver.defaults())
        self.pushed(frame)

    def start_clock(self) -> None:
        """Tick at the app's frame rate (an app may set `frames_per_second`; else FPS)."""
        self._clock = asyncio.create_task(self._run_clock(1 / getattr(self.app, "frames_per_second", FPS)))

    async def _run_clock(self, period: float) -> None:
        """Tick on a fixed grid of deadlines: a late tick runs at once and the next keeps its deadline (Textual's
        interval timer, when a tick comes late, skips to the deadline after the next one: two ticks lost for one
        late, which a loaded machine makes common); a tick that pushed a frame waits until it is on the screen."""
        due = monotonic()
        shown = asyncio.Event()
        while True:
            due = next_due(due, monotonic(), period)
            await asyncio.sleep(max(due - monotonic(), 0.0))
            if not self._clock_tick():
                return
            if self._pushed:
                await self._composed(shown)

    def _clock_tick(self) -> bool:
        """One tick of the clock; False when the clock stops: the screen is being removed (it closed, or the app
        exits; its widgets go before it is unmounted), or the tick failed (the error then goes where Textual
        handles errors)."""
        if not (self.is_attached and self.display):  # a screen being removed is no longer displayed
            return False
        self._pushed = False
        try:
            self.tick()
        except Exception as error:
            self.call_next(_raise, error)
            return False
        return True

    async def _composed(self, shown: asyncio.Event) -> None:
        """Wait until the screen has composed the frame just pushed. It composes on its own 60 Hz timer: a tick
        that came before the last frame was composed would replace it unseen (a screen closing on top can drop
        the callback, hence the bound on the wait)."""
        shown.clear()
        self.call_after_refresh(shown.set)
        try:
            await asyncio.wait_for(shown.wait(), SHOWN_WAIT_S)
        except TimeoutError:
            pass

    def pushed(self, frame: Frame) -> None:
        """What the screen itself shows of a new frame (nothing here)."""

    def on_unmount(self) -> None:
        """Stop the clock and the simulation thread."""
        if self._clock is not None:
            self._clock.cancel()
        self.runner.close()

    def too_small(self, leave: str) -> None:
        """Say what size is needed when the terminal is below it (`leave`: the key that gets out)."""
        w, h = self.size
        self.set_class(w < MIN_WIDTH or h < MIN_HEIGHT, "too-small")
        self.query_one("#too-small", Static).update(
            f"tutor needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {w}×{h}.\n"
            f"Make the window larger (or the font smaller). {leave}")

    def action_select(self, target: str) -> None:
        """0-9: aim node failures."""
        names = [b.name for b in self.driver.snap.brokers]
        if target != "leader" and target not in names:
            self.notify(f"there is no {target}", severity="warning", timeout=2)
            return
        self.driver.select(target)
        self.show()

    def on_pipeline_view_node_clicked(self, message: PipelineView.NodeClicked) -> None:
        """A box was clicked: aim failures at it (the sink and the group's box are not nodes)."""
        if message.name not in ("sink", "group"):
            self.driver.select(message.name)
            self.show()


def _raise(error: Exception) -> None:
    """Raise an error of the clock's tick where Textual handles errors (a message handler)."""
    raise error
