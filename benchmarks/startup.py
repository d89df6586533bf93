"""Startup: from the start of `tutor`'s process to the main menu's first screen (goal: under 0.5 s), and the
import time of the command and of the app.

    python benchmarks/startup.py              # best of 5 fresh processes of each kind
    python benchmarks/startup.py --repeat 10

Two measurements, each in fresh processes; the clock is the system's monotonic clock, which parent and child
share, so each figure includes the interpreter's own start:

- in a terminal: `python -m tutor` in a pseudo-terminal of 120x36, timed until the bytes of the menu's first
  frame (its entries and its footer) have arrived, and then until the line under Lessons ("19 lessons · 0 done
  · next: ...", which reads every lesson file) has. This is what a learner waits for.
- headless: the app opened at the main menu exactly as `tutor` opens it, in Textual's test driver, with the
  moments the command had parsed its arguments, the app was imported, the menu was mounted, its first whole frame (entries and
  footer keys laid out) was composed, and the app settled (the Lessons line in, nothing left to do). Beside
  each moment, the CPU time the process had used by then: the machine's speed wanders and other processes
  take turns on its cores, which stretches the wall-clock figures but hardly the CPU ones.

The package's bytecode is compiled first, as installing it does (otherwise, with PYTHONDONTWRITEBYTECODE set,
every fresh process would compile every module again, which an installed `tutor` never does).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 36)

CHILD = r"""
import asyncio, json, time
wall, cpu = {}, {}
def mark(name):
    if name not in wall:
        wall[name], cpu[name] = time.monotonic(), time.process_time()
from tutor.cli import build_parser            # what `tutor` does first
build_parser().parse_args([])
mark("command_parsed")
from tutor.ui.app import make_app, MENU_START
from tutor.ui.screens.menu import MenuScreen
mark("app_imported")
from textual.app import App

mounted = MenuScreen.on_mount
def on_mount(self):
    mounted(self)
    mark("menu_mounted")
MenuScreen.on_mount = on_mount

def whole(screen):
    keys = screen.query("FooterKey")
    return bool(keys) and all(w.region.area for w in (screen.query_one("#menu-list"), *keys))

display = App._display                        # what a terminal driver would write is handed over here
def shown(self, screen, update):
    display(self, screen, update)
    if update is not None and isinstance(screen, MenuScreen) and whole(screen):
        mark("first_frame")
App._display = shown

async def main():
    app = make_app(None, None, start=MENU_START)
    async with app.run_test(size=(%d, %d)) as pilot:
        await pilot.pause()                       # the Lessons line is in and the app is idle
        mark("settled")
        assert isinstance(app.screen, MenuScreen), app.screen
        text = app.export_screenshot()
        assert app.screen.lessons_line, "the line under Lessons is not in"
    assert "sandbox" in text.lower(), "the menu is not on the screen"
asyncio.run(main())
print(json.dumps({"wall": wall, "cpu": cpu}))
""" % SIZE

HEADLESS = ("command_parsed", "app_imported", "menu_mounted", "first_frame", "settled")


def headless(data: str) -> dict[str, tuple[float, float]]:
    """One fresh process: each mark's (seconds from the process's start, CPU seconds used by then)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_DATA_DIR": data}
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    found = json.loads(out.splitlines()[-1])
    return {k: (found["wall"][k] - start, found["cpu"][k]) for k in HEADLESS}


def in_terminal(data: str, timeout: float = 20.0) -> dict[str, float]:
    """`python -m tutor` in a pseudo-terminal: seconds until the menu's first frame, and the Lessons line,
    have been written to it; then q quits it."""
    import fcntl
    import pty
    import struct
    import termios

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_DATA_DIR": data, "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES", "TEXTUAL", "NO_COLOR"):
        env.pop(name, None)
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's size, then `tutor`
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "tutor"], env)
        finally:
            os._exit(127)
    seen, out = {}, b""
    try:
        while "lessons_line" not in seen and time.monotonic() - start < timeout:
            if not select.select([fd], [], [], 0.5)[0]:
                continue
            try:
                out += os.read(fd, 1 << 16)
            except OSError:  # it exited
                break
            now = time.monotonic() - start
            if b"Quit" in out and b"palette" in out:
                seen.setdefault("first_frame", now)
            if re.search(rb"\d+ lessons \xc2\xb7 \d+ done", out):
                seen.setdefault("lessons_line", now)
        os.write(fd, b"q")
        _wait_or_stop(pid, fd)
    finally:
        os.close(fd)
    if len(seen) < 2:
        raise SystemExit(f"the menu did not appear in the terminal within {timeout:.0f} s")
    return seen


def _wait_or_stop(pid: int, fd: int, grace: float = 10.0) -> None:
    """Wait for the process to quit (reading what it writes meanwhile); stop it if it does not."""
    until = time.monotonic() + grace
    while time.monotonic() < until:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        if select.select([fd], [], [], 0.1)[0]:
            try:
                os.read(fd, 1 << 16)
            except OSError:
                pass
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)


def import_ms(module: str) -> float:
    """Cumulative import time of a module in a fresh interpreter (python -X importtime), in ms."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stderr
    line = next(row for row in err.splitlines()[::-1] if re.search(rf"\|\s*{re.escape(module)}$", row))
    return int(line.split("|")[1]) / 1000


def main() -> None:
    """Print the best of a few startups of each kind, and the import times."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    compileall.compile_dir(ROOT / "tutor", quiet=1)
    terminal = sys.platform != "win32"
    with tempfile.TemporaryDirectory() as data:
        runs = [headless(data) for _ in range(args.repeat)]
        shells = [in_terminal(data) for _ in range(args.repeat)] if terminal else []
    wall = {k: min(r[k][0] for r in runs) for k in HEADLESS}
    cpu = {k: min(r[k][1] for r in runs) for k in HEADLESS}
    print(f"import tutor.cli {min(import_ms('tutor.cli') for _ in range(3)):.0f} ms, "
          f"import tutor.ui.app {min(import_ms('tutor.ui.app') for _ in range(3)):.0f} ms (best of 3)")
    print(f"headless, from process start (best of {args.repeat}; CPU seconds used in brackets): "
          + ", ".join(f"{k.replace('_', ' ')} {wall[k]:.2f} s ({cpu[k]:.2f})" for k in HEADLESS))
    if shells:
        first = sorted(s["first_frame"] for s in shells)
        line = sorted(s["lessons_line"] for s in shells)
        print(f"in a terminal, `python -m tutor` (best of {args.repeat}, median): the menu's first frame "
              f"{first[0]:.2f} s, {first[len(first) // 2]:.2f} s; the Lessons line {line[0]:.2f} s, "
              f"{line[len(line) // 2]:.2f} s")
    print(f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    best = min(s["first_frame"] for s in shells) if shells else wall["first_frame"]
    print("goal: the menu's first frame under 0.5 s:", "met" if best < 0.5 else "NOT met")


if __name__ == "__main__":
    main()
