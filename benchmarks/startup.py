"""Startup: from the start of `tutor`'s process to the main menu's first screen (goal: under 0.5 s), and the
import time of the command and of the app.

    python benchmarks/startup.py              # best of 5 fresh processes
    python benchmarks/startup.py --repeat 10

Each measurement starts a fresh interpreter that opens the app at the main menu exactly as `tutor` does,
headless (Textual's test driver: every frame composed, nothing written to a terminal), and reports the
moment the menu was mounted and the moment its first frame had been composed. The clock is the system's
monotonic clock, which parent and child share, so the figure includes the interpreter's own start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, json, time
mark = {}
from tutor.cli import build_parser            # what `tutor` imports first
mark["cli_imported"] = time.monotonic()
from tutor.ui.app import make_app, MENU_START
from tutor.ui.screens.menu import MenuScreen
mark["app_imported"] = time.monotonic()
mounted = MenuScreen.on_mount
def on_mount(self):
    mounted(self)
    mark.setdefault("menu_mounted", time.monotonic())
MenuScreen.on_mount = on_mount

async def main():
    app = make_app(None, None, start=MENU_START)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()                       # the first frame is composed
        mark["menu_painted"] = time.monotonic()
        assert isinstance(app.screen, MenuScreen), app.screen
        text = app.export_screenshot()
    assert "sandbox" in text.lower(), "the menu is not on the screen"
asyncio.run(main())
print(json.dumps(mark))
"""


def once(data: str) -> dict[str, float]:
    """One fresh process: seconds from its start to each mark."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_DATA_DIR": data}
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    return {k: v - start for k, v in json.loads(out.splitlines()[-1]).items()}


def import_ms(module: str) -> float:
    """Cumulative import time of a module in a fresh interpreter (python -X importtime), in ms."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stderr
    line = next(row for row in err.splitlines()[::-1] if re.search(rf"\|\s*{re.escape(module)}$", row))
    return int(line.split("|")[1]) / 1000


def main() -> None:
    """Print the best of a few startups, and the import times."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as data:
        runs = [once(data) for _ in range(args.repeat)]
    best = {k: min(r[k] for r in runs) for k in runs[0]}
    print(f"import tutor.cli {min(import_ms('tutor.cli') for _ in range(3)):.0f} ms, "
          f"import tutor.ui.app {min(import_ms('tutor.ui.app') for _ in range(3)):.0f} ms (best of 3)")
    print(f"from process start (best of {args.repeat}): tutor.cli imported {best['cli_imported']:.2f} s, "
          f"app imported {best['app_imported']:.2f} s, menu mounted {best['menu_mounted']:.2f} s, "
          f"first frame {best['menu_painted']:.2f} s ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print("goal: the menu's first frame under 0.5 s:", "met" if best["menu_painted"] < 0.5 else "NOT met")


if __name__ == "__main__":
    main()
