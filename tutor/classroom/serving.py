"""`tutor serve --class NAME`: each tab is one student of the class (named in the link or asked), the
instructor's tab is the live view; tokens in the links keep others out."""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import time
from html import escape
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService

from tutor.serve import TutorServer, app_command, clamp_size, is_loopback

from .folder import ClassError, ClassFolder, slug

#: a page's ticket to its tab is good this long, and this many may wait at once
TICKET_S, MAX_TICKETS = 600.0, 1000
WS_URL = re.compile(r'(data-session-websocket-url="[^"]*/ws)(")')
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>tutor: {title}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto"><h1>tutor: {title}</h1>
<p>{text}</p></body></html>
"""


def page(status: int, title: str, text: str) -> web.Response:
    """A short HTML page that says why a tab was not opened."""
    return web.Response(status=status, content_type="text/html",
                        text=PAGE.format(title=escape(title), text=escape(text)))


def same_token(given: str | None, token: str) -> bool:
    """Is the link's token the class's (compared in constant time)?"""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class ClassServer(TutorServer):
    """tutor serve for a class: the page hands its tab a one-time ticket naming who it is for."""

    def __init__(self, *args: Any, folder: ClassFolder, info: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = folder
        self.student_token, self.instructor_token = info["student_token"], info["instructor_token"]
        self.token_required = not is_loopback(self.host)
        self.tickets: dict[str, tuple[float, list[str]]] = {}

    async def _make_app(self) -> web.Application:
        """textual-serve's routes and a tab's websocket at /ws/TICKET."""
        app = await super()._make_app()
        app.router.add_get("/ws/{ticket}", self.handle_class_websocket)
        return app

    async def on_startup(self, app: Any) -> None:
        """The usual lines, then the links to hand out."""
        await super().on_startup(app)
        base = self.public_url.rstrip("/")
        need = "" if self.token_required else " (on this machine the token may be left out)"
        print(f"class {self.folder.name}: students open {base}/?token={self.student_token}{need}; "
              f"add &student=NAME to name a student in the link", flush=True)
        print(f"instructor's live view: {base}/?instructor={self.instructor_token} (keep this link to yourself)",
              flush=True)
        print(f"progress is kept in {self.folder.path}", flush=True)

    async def handle_index(self, request: web.Request) -> Any:
        """The page, for a student with the class's token or the instructor with theirs; its websocket URL
        carries a ticket that says which."""
        if len(self.tabs) >= self.max_sessions:
            return self.refusal()
        args = self.tab_args(request.query)
        if isinstance(args, web.Response):
            return args
        response = await super().handle_index(request)
        if not isinstance(response, web.Response) or response.status != 200:
            return response
        ticket = self.new_ticket(args)
        response.text = WS_URL.sub(lambda m: f"{m.group(1)}/{ticket}{m.group(2)}", response.text, count=1)
        return response

    def tab_args(self, query: Any) -> list[str] | web.Response:
        """The tab's class arguments from the link, or the page that refuses it."""
        if "instructor" in query:
            if not same_token(query.get("instructor"), self.instructor_token):
                return page(403, "not the instructor's link", "The instructor's view needs the instructor's link "
                            "(printed by tutor serve when it started).")
            return [f"--class={self.folder.name}", "--instructor"]
        if self.token_required and not same_token(query.get("token"), self.student_token):
            return page(403, "this class needs its link", "Open the link your instructor handed out: it "
                        "carries the class's token.")
        student = query.get("student")
        if student is None:
            return [f"--class={self.folder.name}"]
        try:
            slug(student)
        except ClassError as err:
            return page(400, "not a name", str(err))
        return [f"--class={self.folder.name}", f"--student={student}"]  # one word each, whatever the name

    def new_ticket(self, args: list[str]) -> str:
        """Remember who the next tab is for (old and surplus tickets are dropped)."""
        now = time.monotonic()
        for key, (at, _) in list(self.tickets.items()):
            if now - at > TICKET_S or len(self.tickets) >= MAX_TICKETS:
                del self.tickets[key]
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = (now, args)
        return ticket

    async def handle_websocket(self, request: web.Request) -> Any:
        """A tab without a ticket: refused (the class's page hands out tickets)."""
        return page(403, "open the class's page", "A class's tabs start from its page.")

    async def handle_class_websocket(self, request: web.Request) -> Any:
        """The tab a ticket names, at a bounded size, remembered so that a stop can end it; none past the cap."""
        if len(self.tabs) >= self.max_sessions:
            return self.refusal()
        found = self.tickets.pop(request.match_info["ticket"], None)
        if found is None or time.monotonic() - found[0] > TICKET_S:
            return page(403, "reload the page", "This tab's ticket was used or is too old; reload the page.")
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        command = app_command(server_pid=self.server_pid, class_args=found[1])
        task = asyncio.current_task()
        self.tabs.add(task)
        try:
            return await self.run_tab(request, command, width, height)
        finally:
            self.tabs.discard(task)

    async def run_tab(self, request: web.Request, command: str, width: int, height: int) -> web.WebSocketResponse:
        """One tab's process behind its websocket, as textual-serve runs one, with this tab's own command."""
        websocket = web.WebSocketResponse(heartbeat=15)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            service = AppService(command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager, debug=self.debug)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            if service is not None:
                await service.stop()
        return websocket
