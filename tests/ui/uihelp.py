"""Helpers for the UI tests: pinned sandbox apps, and moving the run to a fixed time."""

from __future__ import annotations

import asyncio
import io
import functools
from contextlib import asynccontextmanager
from typing import Any

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


def at(t: float):
    """A snap_compare run_before that moves the sandbox to time t."""
    async def run_before(pilot) -> None:
        """Pin the run at t."""
        await pilot.pause()
        await goto(pilot.app.sandbox, pilot, t)
    return run_before



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
