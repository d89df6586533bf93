"""Helpers for the UI tests: pinned sandbox apps, and moving the run to a fixed time."""

from __future__ import annotations

import asyncio
import io
import functools
from contextlib import asynccontextmanager
from typing import Any, Callable

from tutor.scenario.builtin import builtin_scenario
from tutor.sim.spec import Scenario
from tutor.ui.app import make_app, sandbox_scenario
from tutor.ui.driver import Driver


def scenario(**sections: dict[str, Any]) -> Scenario:
    """The sandbox scenario with some settings changed, e.g. scenario(producer={"acks": "1"})."""
    s = sandbox_scenario()
    for section, values in sections.items():
        s = s.with_settings(section, **{k.replace(".", "__"): v for k, v in values.items()})
    return s


def demo() -> Scenario:
    """The built-in demo: acks=1, slow followers, the leader loses power at 300 ms."""
    return builtin_scenario("demo")


def driver(s: Scenario | None = None, seed: int = 1) -> Driver:
    """A paused driver on a scenario (the sandbox by default)."""
    return Driver(s or sandbox_scenario(), seed=seed, playing=False)


@asynccontextmanager
async def sandbox(s: Scenario | None = None, size: tuple[int, int] = (120, 36), seed: int = 1):
    """A paused app on a scenario; yields (sandbox screen, pilot)."""
    app = make_app(s, seed=seed, autoplay=False, size=size)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield app.sandbox, pilot


async def goto(screen, pilot, t: float) -> None:
    """Move the run to time t and redraw."""
    screen.goto(t)
    await pilot.pause()


def at(t: float | None = None, *keys: str):
    """A snap_compare run_before: move the sandbox to time t (None: leave it), press keys, wait until drawn."""
    async def run_before(pilot) -> None:
        """Pin the run at t, press the keys, then wait for the screen to show it."""
        await pilot.pause()
        if t is not None:
            await goto(pilot.app.sandbox, pilot, t)
        if keys:
            await pilot.press(*keys)
        await drawn(pilot)
    return run_before


async def wait_until(pilot, condition: Callable[[], bool], what: str, tries: int = 2000) -> None:
    """Let the app run until condition() holds: a state, never a time (tries only stops a hang)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


def footer_drawn(footer) -> bool:
    """Does a Footer show a key for every binding its screen shows (it fills in after the screen mounts)?"""
    from textual.widgets._footer import FooterKey

    shown = {binding.action for _, binding, _, _ in footer.screen.active_bindings.values() if binding.show}
    return shown <= {key.action for key in footer.query(FooterKey)}


async def footer_keys(screen, pilot) -> list:
    """The screen's footer keys once each is drawn and laid out: a key mounted since the last layout has no
    region yet (its width is 0 until the next one, later still on a busy machine)."""
    from textual.widgets._footer import FooterKey

    await drawn(pilot)
    await wait_until(pilot, lambda: all(k.region.width > 0 for k in screen.query(FooterKey)),
                     "every footer key laid out")
    return list(screen.query(FooterKey))


def visible_screens(app) -> list:
    """The top screen, and the screens a modal one lets show through beneath it."""
    from textual.screen import ModalScreen

    out = []
    for screen in reversed(app.screen_stack):
        out.append(screen)
        if not isinstance(screen, ModalScreen):
            break
    return out


async def drawn(pilot) -> None:
    """Wait until the screen is complete: workers done, animations over, every visible footer filled in."""
    from textual.widgets import Footer

    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await wait_until(pilot, lambda: all(footer_drawn(f) for s in visible_screens(pilot.app) for f in s.query(Footer)),
                     "every footer shows its keys")
    for screen in visible_screens(pilot.app)[1:]:  # under a modal a screen is not repainted by itself: it may
        screen.refresh(layout=True)                  # still show its footer from before the keys filled in
    await pilot.pause()


def aio(test):
    """Run an async test function with asyncio (the suite has no async plugin)."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        """The test, run to completion."""
        return asyncio.run(test(*args, **kwargs))
    return run


def plain(renderable, width: int = 160) -> str:
    """The text of a Rich renderable (or a Static widget's content)."""
    from rich.console import Console

    content = getattr(renderable, "content", renderable)
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()
