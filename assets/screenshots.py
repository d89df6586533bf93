"""Regenerate the SVG screenshots in assets/ (python assets/screenshots.py), paused at fixed points."""

from __future__ import annotations

import asyncio
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


def main() -> None:
    """Every screenshot in SHOTS."""
    for name, args in SHOTS.items():
        asyncio.run(shoot(name, *args))
        print(f"assets/{name}")


if __name__ == "__main__":
    main()
