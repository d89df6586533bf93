"""`tutor serve --class`: two students and the instructor against the real server, over HTTP and its websocket."""

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import aiohttp
import pytest
from classhelp import LESSON, QUESTION, answer, attempt, lesson, progress, write_student

from tutor.classroom import ClassFolder
from tutor.classroom.serving import ClassServer
from tutor.serve import app_command

START_S, APP_S = 60.0, 90.0  # bounds against a hang (a loaded machine starts tabs slowly), not timings
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")
WS = re.compile(r'data-session-websocket-url="([^"]+)"')


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(data_dir, tmp_path):
    """`tutor serve --class "CS 101" --max-sessions 4` on a free port; its whole process group stopped after."""
    port = free_port()
    log = tmp_path / "serve.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "serve", "--class", "CS 101", "--max-sessions", "4",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + START_S
        while "instructor's live view" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log.read_text()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def get(url: str) -> tuple[int, str]:
    """GET: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def tab_url(base: str, query: str) -> str:
    """The websocket URL the page at base/?query hands its terminal."""
    status, page = get(f"{base}/?{query}")
    assert status == 200, page
    return WS.search(page).group(1)


class Tab:
    """A browser tab's terminal: the websocket, and everything the app drew so far (ANSI stripped)."""

    def __init__(self, ws) -> None:
        # frames may split a character or an escape sequence: `seen` decodes all the bytes so far
        self.ws, self.raw, self.seen = ws, b"", ""

    async def until(self, want: str) -> None:
        """Read until `want` has been drawn."""
        deadline = time.monotonic() + APP_S
        while want not in self.seen:
            assert time.monotonic() < deadline, f"{want!r} never drawn; saw {self.seen[-400:]!r}"
            try:
                msg = await self.ws.receive(timeout=max(deadline - time.monotonic(), 0.1))
            except asyncio.TimeoutError:
                continue
            assert msg.type not in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR), "the tab closed"
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.raw += msg.data
                self.seen = ANSI.sub("", self.raw.decode("utf-8", "replace"))

    async def type(self, text: str) -> None:
        """Keys, as the page sends them."""
        await self.ws.send_str(json.dumps(["stdin", text]))


def wait_for_file(path, timeout: float = APP_S) -> dict:
    """Poll until a progress file exists; its data."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.1)
    return json.loads(path.read_text())


def test_two_students_and_the_instructor(served):
    """Ana named in her link resumes her progress; Bob types his name; each gets his own file; the instructor's
    tab shows the class's first answers to the question answered last."""
    base, out = served
    token = re.search(r"\?token=([\w-]+)", out).group(1)
    teacher = re.search(r"\?instructor=([\w-]+)", out).group(1)
    folder = ClassFolder.of("CS 101")
    write_student(folder, "Ana", progress("Ana", "CS 101", {"journey": lesson({}, status="done", step=7)}))
    write_student(folder, "Carol", progress("Carol", "CS 101", {LESSON: lesson({QUESTION: answer(
        [attempt(2, False, "2026-01-05T10:01:20Z")])})}))

    async def classroom() -> None:
        """Three tabs at once."""
        async with aiohttp.ClientSession() as http, contextlib.AsyncExitStack() as tabs:
            async def tab(query: str) -> Tab:
                """A tab opened from the page at base/?query."""
                url = tab_url(base, query) + "?width=120&height=36"
                return Tab(await tabs.enter_async_context(http.ws_connect(url)))

            ana, bob, view = (await tab(f"token={token}&student=Ana"), await tab(f"token={token}"),
                              await tab(f"instructor={teacher}"))
            await ana.until("1 done")            # her lesson done before, from her file in the class
            await ana.until("Ana · class CS 101")
            await bob.until("Your name?")
            await bob.type("Bob\r")
            await bob.until("Bob · class CS 101")
            await view.until("first answers: 1 of")
            await view.until("acks0-told")      # a screen may reach the tab in several frames
            assert "class CS 101" in view.seen

    asyncio.run(classroom())
    assert wait_for_file(folder.student_file("Bob"))["user"] == "Bob"
    ana = wait_for_file(folder.student_file("Ana"))
    assert (ana["user"], ana["class"], ana["lessons"]["journey"]["status"]) == ("Ana", "CS 101", "done")


def test_refusals_over_http(served):
    """No tab without a ticket from the page; a ticket works once; the instructor's view needs its token; a bad
    name is refused before anything starts."""
    base, out = served
    assert get(f"{base}/?instructor=guess")[0] == 403
    status, page = get(f"{base}/?student=../../etc")
    assert status == 400 and "a student name is" in page

    async def tickets() -> tuple[int, int]:
        """Connect without a ticket, then reuse one."""
        url = tab_url(base, "student=Ana")
        async with aiohttp.ClientSession() as http:
            statuses = []
            for ws_url in (base.replace("http", "ws") + "/ws", url):
                try:
                    async with http.ws_connect(ws_url + "?width=80&height=24") as ws:
                        if ws_url == url:
                            await Tab(ws).until("Ana")
                        statuses.append(101)
                except aiohttp.WSServerHandshakeError as err:
                    statuses.append(err.status)
            try:
                await http.ws_connect(url + "?width=80&height=24")
            except aiohttp.WSServerHandshakeError as err:
                statuses.append(err.status)
            return statuses

    assert asyncio.run(tickets()) == [403, 101, 403]


def test_beyond_loopback_students_need_the_class_token(data_dir):
    """Served to the network, a link without the class's token (or with the instructor's) opens nothing."""
    folder = ClassFolder.of("CS 101")
    info = folder.ensure()
    server = ClassServer(app_command(), host="0.0.0.0", port=1, folder=folder, info=info)
    assert server.tab_args({"student": "Ana"}).status == 403
    assert server.tab_args({"token": info["instructor_token"]}).status == 403
    assert server.tab_args({"token": info["student_token"], "student": "Ana"}) == ["--class=CS 101", "--student=Ana"]
    assert server.tab_args({"instructor": info["student_token"]}).status == 403
    assert server.tab_args({"instructor": info["instructor_token"]}) == ["--class=CS 101", "--instructor"]
