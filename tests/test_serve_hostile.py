"""`tutor serve` against hostile clients and signals: other sites' pages, huge terminals, too many tabs,
a server killed under its tabs, bad ports."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from test_serve import APP_S, Served, serving, stop_group

from tutor import serve

GONE_S = 30.0  # a tab's process has ended within this after its server died


@pytest.fixture
def served(tmp_path):
    """`tutor serve --max-sessions 1`: the app, from its main menu, one tab at a time."""
    yield from serving(tmp_path, "--max-sessions", "1")


def tabs_of(server_pid: int) -> list[int]:
    """Pids of the server's child processes (its tabs)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server_pid and fields[0] != "Z":
                out.append(int(entry))
    return out


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll a condition until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """Is this process running (a zombie is not)?"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def get(url: str, **headers: str) -> tuple[int, str]:
    """GET with headers: (status, body)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


async def open_tab(port: int, query: str = "width=80&height=24", **headers: str):
    """A websocket as the page's terminal opens it; returns (session, ws) or raises on refusal."""
    import aiohttp

    http = aiohttp.ClientSession()
    try:
        ws = await http.ws_connect(f"ws://127.0.0.1:{port}/ws?{query}", headers=headers)
    except BaseException:
        await http.close()
        raise
    return http, ws


async def first_output(ws) -> None:
    """Wait until the app has drawn something."""
    import aiohttp

    deadline = time.monotonic() + APP_S
    while time.monotonic() < deadline:
        msg = await ws.receive(timeout=deadline - time.monotonic())
        if msg.type == aiohttp.WSMsgType.BINARY:
            return
        assert msg.type not in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR), "the tab closed"
    raise AssertionError("the app never drew")


def test_a_page_of_another_site_cannot_open_a_tab(served):
    """A websocket with a foreign Origin is refused before any process starts; the page likewise."""
    import aiohttp

    async def attempt() -> int:
        """Open a tab from another site; the handshake status."""
        try:
            http, ws = await open_tab(served.port, Origin="http://evil.example")
        except aiohttp.WSServerHandshakeError as err:
            return err.status
        await ws.close()
        await http.close()
        return 101

    assert asyncio.run(attempt()) == 403
    assert get(served.url + "/", Origin="http://evil.example")[0] == 403
    assert tabs_of(served.proc.pid) == []


def test_a_rebound_host_name_is_refused(served):
    """DNS rebinding: a page on a name that resolves here sends Host and Origin of that name: refused."""
    evil = f"evil.example:{served.port}"
    assert get(served.url + "/", Host=evil, Origin=f"http://{evil}")[0] == 403
    status, page = get(served.url + "/", Origin=served.url)
    assert status == 200 and "textual.js" in page


def test_huge_sizes_are_clamped(served):
    """?width=5000&height=5000 starts the tab at the largest size; a resize to 100000 is clamped too."""
    import aiohttp

    async def hostile() -> tuple[str, float]:
        """Open at 5000x5000, resize to 100000; (COLUMNS of the tab, its memory)."""
        http, ws = await open_tab(served.port, "width=5000&height=5000")
        try:
            await first_output(ws)
            [tab] = tabs_of(served.proc.pid)
            with open(f"/proc/{tab}/environ", "rb") as f:
                columns = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)[b"COLUMNS"]
            await ws.send_json(["resize", {"width": 100000, "height": 100000}])
            await ws.send_json(["ping", "after"])
            deadline = time.monotonic() + APP_S
            while True:  # the server still answers this tab
                msg = await ws.receive(timeout=max(deadline - time.monotonic(), 0.1))
                assert msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), "the tab closed"
                if msg.type == aiohttp.WSMsgType.TEXT and msg.data == '["pong", "after"]':
                    break
            await first_output(ws)  # and the app redraws
            return columns.decode(), rss_mb(tab)
        finally:
            await ws.close()
            await http.close()

    columns, memory = asyncio.run(hostile())
    assert columns == str(serve.MAX_WIDTH) and memory < 400


def test_a_malformed_message_ends_only_that_tab(served):
    """Garbage on the websocket closes the tab quietly; the server keeps serving without a traceback."""
    async def garbage() -> None:
        """Send text that is not JSON."""
        http, ws = await open_tab(served.port)
        try:
            await ws.send_str("not json")
            await ws.receive(timeout=APP_S)
        finally:
            await ws.close()
            await http.close()

    asyncio.run(garbage())
    wait_until(lambda: tabs_of(served.proc.pid) == [], GONE_S, "the tab did not end")
    assert get(served.url + "/")[0] == 200 and "Traceback" not in served.output()


def test_tabs_past_the_cap_get_a_page_that_says_why(served):
    """With --max-sessions 1 and one tab open, the page and a second websocket are refused with 503."""
    import aiohttp

    async def two_tabs() -> tuple[int, str, int]:
        """Hold one tab, then ask for the page and a second tab."""
        http, ws = await open_tab(served.port)
        try:
            await first_output(ws)
            status, page = get(served.url + "/")
            try:
                http2, ws2 = await open_tab(served.port)
            except aiohttp.WSServerHandshakeError as err:
                return status, page, err.status
            await ws2.close()
            await http2.close()
            return status, page, 101
        finally:
            await ws.close()
            await http.close()

    status, page, second = asyncio.run(two_tabs())
    assert status == 503 and "every tab is in use" in page and "--max-sessions" in page and second == 503


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_tabs_end_when_the_server_dies(tmp_path, sig):
    """However the server dies (SIGKILL too), its tabs' processes end with it."""
    served = Served(tmp_path)
    try:
        from test_serve import wait_for_port

        wait_for_port(served.port, served.proc)

        async def one_tab() -> list[int]:
            """Open a tab, signal the server; the tab pids seen before."""
            http, ws = await open_tab(served.port)
            try:
                await first_output(ws)
                tabs = tabs_of(served.proc.pid)
                served.proc.send_signal(sig)
                served.proc.wait(timeout=GONE_S)
                return tabs
            finally:
                await ws.close()
                await http.close()

        tabs = asyncio.run(one_tab())
        assert len(tabs) == 1
        wait_until(lambda: not any(alive(p) for p in tabs), GONE_S, f"a tab outlived its server ({sig.name})")
        if sig != signal.SIGKILL:
            assert "stopped" in served.output()
    finally:
        stop_group(served.proc)


@pytest.mark.parametrize("port", ["70000", "-1", "0", "http"])
def test_a_bad_port_is_one_line(port):
    """--port out of range or not a number: one line, status 2, no address printed."""
    r = subprocess.run([sys.executable, "-m", "tutor", "serve", "--port", port],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "1 to 65535" in r.stderr


# --- the parts that need no server ---------------------------------------------------------------
def test_sizes_are_clamped():
    """Terminal sizes stay within bounds; unreadable ones fall back to 80 x 24."""
    assert serve.clamp_size("5000", "5000") == (serve.MAX_WIDTH, serve.MAX_HEIGHT)
    assert serve.clamp_size(-3, 0) == serve.MIN_SIZE
    assert serve.clamp_size("x", None) == (80, 24) and serve.clamp_size(float("inf"), 30) == (80, 30)
    assert serve.clamp_size(120, 36) == (120, 36)


def test_origins_and_hosts():
    """Only the page's own origin; addresses, localhost and this machine's names as Host."""
    assert serve.same_origin(None, "127.0.0.1:8000")
    assert serve.same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not serve.same_origin("http://evil.example", "127.0.0.1:8000")
    assert not serve.same_origin("null", "127.0.0.1:8000")
    assert serve.same_origin("https://tutor.example.edu", "127.0.0.1:8000", "https://tutor.example.edu")  # a proxy
    assert not serve.same_origin("http://tutor.example.edu", "127.0.0.1:8000", "https://tutor.example.edu")
    assert serve.allowed_host("127.0.0.1:8000", "http://127.0.0.1:8000")
    assert serve.allowed_host("[::1]:8000", "http://127.0.0.1:8000")
    assert serve.allowed_host("classroom.example:8000", "http://classroom.example:8000")
    assert not serve.allowed_host("evil.example:8000", "http://127.0.0.1:8000")


def test_a_wildcard_host_gets_an_address_browsers_can_open():
    """--host 0.0.0.0: the page points at this machine's outward address, never at 0.0.0.0 or localhost."""
    url = serve.public_url("0.0.0.0", 8000)
    assert url.endswith(":8000") and "0.0.0.0" not in url and "localhost" not in url


def test_a_tab_command_dies_with_its_server():
    """The tab runs as the server's own child (exec) and is told the server's pid."""
    cmd = serve.app_command(None, None, 1234)
    assert cmd.startswith("exec ") and cmd.endswith("--server-pid 1234")
