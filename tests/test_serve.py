"""`tutor serve`: the app served to a browser on a free local port, over HTTP, its websocket and Chromium."""

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from importlib.resources import files

import pytest

from tutor import serve

CHROMIUM = "/usr/bin/chromium"
START_S = 20.0        # the server answers within this
APP_S = 40.0          # the app in a browser tab has drawn its first screen within this
BUSY_PNG = 50_000     # bytes: the intro card alone is ~11 kB; the running sandbox is far busier
DEMO = str(files("tutor") / "data" / "scenarios" / "demo.toml")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,800", "--remote-debugging-port=0"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = START_S) -> None:
    """Poll until the port accepts a connection; fail early if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"tutor serve exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within {timeout:.0f} s")


def stop_group(proc: subprocess.Popen) -> None:
    """Kill whatever is left of a process group started with start_new_session."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


class Served:
    """A running `tutor serve [ARGS] --port FREE`, with its output in a file."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "serve.out"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "tutor", "serve", *args, "--port", str(self.port)],
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True, env={**os.environ, "COLUMNS": "200"})

    def output(self) -> str:
        """What it printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def serving(tmp_path: Path, *args: str):
    """`tutor serve ARGS --port FREE`, answering; always stopped afterwards (its whole process group)."""
    s = Served(tmp_path, *args)
    try:
        wait_for_port(s.port, s.proc)
        yield s
    finally:
        stop_group(s.proc)


@pytest.fixture
def served(tmp_path):
    """`tutor serve`: the app, from its main menu."""
    yield from serving(tmp_path)


@pytest.fixture
def served_demo(tmp_path):
    """`tutor serve DEMO.toml`: the sandbox on the built-in demo (the leader loses power at 300 ms)."""
    yield from serving(tmp_path, DEMO)


def test_serve_binds_to_loopback_and_says_so(served):
    """Without --host it listens on 127.0.0.1 and prints the URL and what that means."""
    out = served.output()
    assert f"open {served.url} in a browser" in out and "bound to 127.0.0.1 only" in out


def test_serve_answers_with_the_textual_serve_page(served):
    """GET / is textual-serve's page, whose terminal connects back to this server's websocket."""
    with urllib.request.urlopen(served.url + "/", timeout=10) as r:
        page = r.read().decode("utf-8")
    assert r.status == 200 and "textual.js" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page


def test_serve_runs_the_app_over_its_websocket(served):
    """A websocket client (as the page's terminal) receives the app's main menu."""
    assert "Sandbox" in asyncio.run(screen_text(served.port, "Lessons"))


def test_serve_with_a_scenario_runs_its_sandbox(served_demo):
    """With a scenario file, each tab opens the sandbox on it: its ledger line shows."""
    assert "LEDGER" in asyncio.run(screen_text(served_demo.port, "LEDGER"))


async def screen_text(port: int, want: str) -> str:
    """Open the app's websocket at 120x36 and collect its output (ANSI stripped) until `want` shows."""
    import aiohttp

    raw, seen = b"", ""  # frames may split a character or an escape sequence: decode what has come so far
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=36") as ws:
            deadline = time.monotonic() + APP_S
            while want not in seen and time.monotonic() < deadline:
                try:
                    msg = await ws.receive(timeout=max(deadline - time.monotonic(), 0.1))
                except asyncio.TimeoutError:
                    break
                if msg.type == aiohttp.WSMsgType.BINARY:
                    raw += msg.data
                    seen = ANSI.sub("", raw.decode("utf-8", "replace"))
                elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break
    return seen


def test_ctrl_c_stops_serve_cleanly(served):
    """SIGINT (Ctrl+C) with a tab connected ends the server with status 0, and the tab's app with it."""
    assert asyncio.run(interrupt_while_connected(served)) == 0
    assert "stopped" in served.output()
    assert not group_alive(served.proc.pid)


async def interrupt_while_connected(served: Served) -> int | None:
    """Open a tab's websocket, wait for the app to draw, press Ctrl+C on the server; its exit status."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=80&height=24") as ws:
            await ws.receive(timeout=APP_S)  # the app is up and drawing
            served.proc.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 15
            while served.proc.poll() is None and time.monotonic() < deadline:
                if not ws.closed:  # keep reading, as a browser does, so the server's close is answered
                    await receive_quietly(ws)
                else:
                    await asyncio.sleep(0.1)
    return served.proc.poll()


async def receive_quietly(ws) -> None:
    """One message or 0.1 s, whichever comes first."""
    try:
        await ws.receive(timeout=0.1)
    except asyncio.TimeoutError:
        pass


def group_alive(pgid: int) -> bool:
    """Is any process of this group still running (zombies aside)?"""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_serve_in_headless_chromium(served_demo, tmp_path):
    """Chromium loads the page, the demo's sandbox starts behind it, and a screenshot shows it."""
    shot = tmp_path / "serve.png"
    browser_screenshot(served_demo.url + "/", shot, tmp_path / "chromium")
    assert shot.stat().st_size > BUSY_PNG
    if os.environ.get("TUTOR_SCREENSHOT_DIR"):  # regenerate assets/serve.png
        shutil.copy(shot, Path(os.environ["TUTOR_SCREENSHOT_DIR"]) / "serve.png")


def browser_screenshot(url: str, path: Path, profile: Path) -> None:
    """Open url in headless Chromium, wait in real time until the app has drawn, save a PNG."""
    proc = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port = devtools_port(profile, proc)
        path.write_bytes(asyncio.run(capture(port, url)))
    finally:
        stop_group(proc)


def devtools_port(profile: Path, proc: subprocess.Popen) -> int:
    """The port Chromium's DevTools listen on (it writes it into the profile)."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline and proc.poll() is None:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.1)
    raise AssertionError("chromium did not start its DevTools")


async def first_byte(cdp: "Devtools", deadline: float) -> None:
    """Wait until the page's terminal has received its first byte from the app."""
    while not await cdp.evaluate("document.body.classList.contains('-first-byte')"):
        assert time.monotonic() < deadline, "the app never drew in the browser"
        await asyncio.sleep(0.25)


async def capture(port: int, url: str) -> bytes:
    """Over the DevTools protocol: wait for the terminal's first byte, let the app draw, screenshot."""
    import base64

    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [p for p in await r.json(content_type=None) if p["type"] == "page"]
        target = next(p for p in pages if p["url"].startswith(url))
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = Devtools(ws)
            deadline = time.monotonic() + APP_S
            await first_byte(cdp, deadline)
            while True:  # screenshots until the sandbox has drawn (a state: the page is busy), not a fixed wait
                png = base64.b64decode((await cdp.call("Page.captureScreenshot", format="png"))["data"])
                if len(png) > BUSY_PNG or time.monotonic() >= deadline:
                    return png
                await asyncio.sleep(0.25)


class Devtools:
    """Minimal DevTools protocol calls over one websocket."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id = ws, 0

    async def call(self, method: str, **params) -> dict:
        """Send one command and return its result (events in between are skipped)."""
        self.next_id += 1
        await self.ws.send_str(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads((await self.ws.receive(timeout=APP_S)).data)
            if msg.get("id") == self.next_id:
                return msg.get("result", {})

    async def evaluate(self, expression: str):
        """A JavaScript expression's value in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


# --- the parts that need no server ---------------------------------------------------------------
def test_app_command_runs_this_python():
    """Each tab runs `sys.executable -m tutor.serve`, with the scenario's absolute path and the seed."""
    cmd = serve.app_command("x.toml", 3)
    assert cmd.startswith(f"exec {sys.executable}") and "-m tutor.serve " in cmd
    assert os.path.abspath("x.toml") in cmd and cmd.endswith("--seed 3")


@pytest.mark.parametrize("host, warn", [("127.0.0.1", False), ("localhost", False), ("::1", False),
                                        ("0.0.0.0", True), ("192.168.1.5", True)])
def test_exposure_words(host, warn):
    """Loopback addresses are said to stay on this machine; anything else is a warning."""
    words, warned = serve.exposure_words(host, 8000)
    assert warned == warn and (words.startswith("warning") == warn)


def test_public_url_of_a_wildcard_host_names_this_machine():
    """0.0.0.0 is not an address a browser can open: the page points at this machine's address instead."""
    assert serve.public_url("0.0.0.0", 8000) == f"http://{serve.outward_address()}:8000"
    assert serve.public_url("::1", 8000) == "http://[::1]:8000"


def test_a_bad_scenario_fails_before_listening(tmp_path):
    """A bad scenario file: one line on stderr and status 2, and no server."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[producer]\nacks = 7\n")
    r = subprocess.run([sys.executable, "-m", "tutor", "serve", str(bad), "--port", str(free_port())],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "bad.toml" in r.stderr and "open http" not in r.stdout


def test_a_busy_port_is_refused(tmp_path):
    """A port in use: status 2 and the reason in one line, instead of a traceback; no address printed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "tutor", "serve", "--port", str(port)],
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in r.stderr
    assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1  # no address that does not work
