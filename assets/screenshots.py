"""Regenerate the SVG screenshots in assets/ (python assets/screenshots.py), paused at fixed points."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from tutor.scenario.builtin import builtin_scenario
from tutor.ui.app import make_app

HERE = Path(__file__).resolve().parent

#: file name -> (scenario name or None for the sandbox, terminal size, time in ms, keys pressed)
SHOTS = {
    "sandbox-power-loss.svg": ("demo", (120, 36), 301, ()),
    "sandbox-80x24.svg": (None, (80, 24), 4000, ()),
    "sandbox-settings.svg": ("demo", (170, 48), 7400, ("o",)),
    "record-inspector.svg": ("demo", (120, 36), 301, ("i", "1", "5", "enter")),
}


async def shoot(name: str, scenario: str | None, size: tuple[int, int], t: float, keys: tuple) -> None:
    """One screenshot."""
    app = make_app(builtin_scenario(scenario) if scenario else None, seed=1, autoplay=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.sandbox.goto(t)
        await pilot.press(*keys)
        await pilot.pause(0.3)
        app.save_screenshot(name, path=str(HERE))


#: file name -> (lesson, terminal size, keys pressed: the card, a jump through the contents, the answer)
LESSON_SHOTS = {
    "lesson-acks-1.svg": ("4", (120, 36), ("enter", "t", "down", "down", "enter", "enter", "K",
                                           "1", "1", "minus", "2", "9", "enter")),
}


async def shoot_lesson(name: str, lesson: str, size: tuple[int, int], keys: tuple) -> None:
    """One screenshot of a lesson, with progress kept in a throwaway folder."""
    with tempfile.TemporaryDirectory() as data:
        os.environ["TUTOR_DATA_DIR"] = data
        app = make_app(autoplay=False, start="lessons", lesson=lesson)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            app.save_screenshot(name, path=str(HERE))


def main() -> None:
    """Every screenshot in SHOTS and LESSON_SHOTS."""
    for name, args in SHOTS.items():
        asyncio.run(shoot(name, *args))
        print(f"assets/{name}")
    for name, args in LESSON_SHOTS.items():
        asyncio.run(shoot_lesson(name, *args))
        print(f"assets/{name}")


if __name__ == "__main__":
    main()
