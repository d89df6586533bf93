"""The Textual app: `make_app()` builds it around a scenario (the sandbox scenario by default)."""

from __future__ import annotations

from functools import partial
from importlib.resources import files
from typing import Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.scenario import parse_scenario
from tutor.sim.spec import Scenario

from .driver import Driver
from .keys import ALL
from .screens.sandbox import SandboxScreen


def sandbox_scenario() -> Scenario:
    """The built-in sandbox: three brokers, RF=3, a long steady workload, a consumer, nothing scripted."""
    text = (files("tutor") / "data" / "scenarios" / "sandbox.toml").read_text(encoding="utf-8")
    return parse_scenario(text, source="sandbox.toml", default_title="sandbox")


class TutorApp(App):
    """tutor: the sandbox for now (lessons come later)."""

    CSS_PATH = "app.tcss"
    TITLE = "tutor"
    BINDINGS = [Binding("ctrl+c", "quit", "quit", show=False, priority=True)]

    def __init__(self, driver: Driver, size: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.driver = driver
        self.pinned_size = size

    def on_mount(self) -> None:
        """Open the sandbox."""
        self.push_screen(SandboxScreen(self.driver))

    @property
    def sandbox(self) -> SandboxScreen:
        """The sandbox screen (under any modal on top of it)."""
        return next(s for s in self.screen_stack if isinstance(s, SandboxScreen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every sandbox action besides Textual's own."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, SandboxScreen):
            for k in ALL:
                yield SystemCommand(k.help[:1].upper() + k.help[1:], f"key {k.display or k.keys.split(',')[0]}",
                                    partial(screen.run_action, k.action))

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run; a pinned size applies to headless runs."""
        if self.pinned_size is not None:
            kwargs.setdefault("size", self.pinned_size)
        return super().run(*args, **kwargs)


def make_app(scenario: Scenario | None = None, seed: int | None = None, autoplay: bool = True,
             size: tuple[int, int] | None = None) -> TutorApp:
    """The app around a scenario (default: the sandbox); tests pass autoplay=False and pin the rest."""
    driver = Driver(scenario or sandbox_scenario(), seed=seed, playing=autoplay)
    return TutorApp(driver, size)
