"""`tutor serve`: the app in a web browser through textual-serve, on 127.0.0.1 unless told otherwise;
`python -m tutor.serve` is what each browser tab runs."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import shlex
import signal
import socket
import sys
import threading
from typing import Any
from urllib.parse import urljoin, urlsplit

from aiohttp import web
from textual_serve.server import Server

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARDS = ("0.0.0.0", "::", "")
#: tabs served at once (each is a tutor process of about 70 MB); --max-sessions changes it
DEFAULT_MAX_SESSIONS = 8
#: the terminal sizes a tab may ask for (a 4K screen at a small font is about 400 x 120)
MIN_SIZE, MAX_WIDTH, MAX_HEIGHT = (20, 8), 400, 150
REFUSED_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>tutor: no free tab</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>tutor: every tab is in use</h1>
<p>This server runs at most {limit} tabs at once, and all are open. Close a tab of tutor (here or on
another computer) and reload this page, or ask whoever started <code>tutor serve</code> to raise
<code>--max-sessions</code>.</p></body></html>
"""
#: a stylesheet <link> in the page (textual-serve's links Google Fonts, which an offline classroom cannot reach)
LINK_TAG = re.compile(r"<link\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"'][^>]*>", re.IGNORECASE)
#: the page's fonts from this server: textual-serve's own copy of Roboto Mono (the face its terminal asks
#: for), else whatever monospace font this computer has
LOCAL_FONTS = """<style>
@font-face {{ font-family: "Roboto Mono"; font-weight: 100 700;
  src: local("Roboto Mono"), url("{static}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }}
@font-face {{ font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
  src: local("Roboto Mono Italic"), url("{static}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }}
.intro, body button {{ font-family: "Roboto Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }}
</style>
"""


def app_command(scenario: str | None = None, seed: int | None = None, server_pid: int | None = None,
                class_args: list[str] | None = None) -> str:
    """The shell command run for each browser tab: this module, with this Python (so a venv works);
    `class_args` name a class and the tab's student (or the instructor), already checked.

    `exec` makes the tab's process a direct child of the server, so that it can die with it."""
    args = [sys.executable, "-m", "tutor.serve", *(class_args or [])]
    if scenario is not None:
        args.append(os.path.abspath(scenario))  # the app process may not share our working directory
    if seed is not None:
        args += ["--seed", str(seed)]
    if server_pid is not None:
        args += ["--server-pid", str(server_pid)]
    return "exec " + shlex.join(args)


def die_with_server(server_pid: int) -> None:
    """End this tab's process when the server dies, whatever kills it (SIGKILL too).

    On Linux the kernel sends the signal (PR_SET_PDEATHSIG); elsewhere a thread watches the parent."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != server_pid:  # the server died before the signal was asked for, or no prctl
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(server_pid,), daemon=True, name="server-watch").start()


def _watch_parent(server_pid: int) -> None:
    """Poll the parent once a second; when it is gone (re-parented), end at once."""
    import time

    while os.getppid() == server_pid:
        time.sleep(1.0)
    os._exit(1)


#: frames a second in a browser tab (a terminal gets 60): each frame crosses the network, and a class shares the
#: serving machine's cores
SERVED_FPS = 30


def tab_main(argv: list[str] | None = None) -> int:
    """One tab's app: the main menu, or the sandbox on a scenario file (checked before serving)."""
    import argparse

    from tutor.scenario import load_scenario
    from tutor.ui.app import make_app

    parser = argparse.ArgumentParser(prog="python -m tutor.serve")
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--class", dest="class_name")
    parser.add_argument("--student")
    parser.add_argument("--instructor", action="store_true")
    args = parser.parse_args(argv)
    if args.server_pid is not None:
        die_with_server(args.server_pid)
    if args.class_name is not None:
        from tutor.ui.classtab import class_tab_app

        app = class_tab_app(args.class_name, args.student, args.instructor)
    elif args.scenario is None:
        app = make_app(None, args.seed, start="menu")
    else:
        app = make_app(load_scenario(args.scenario), args.seed)
    app.frames_per_second = SERVED_FPS
    app.run()
    return 0


def offline_page(html: str, public: str) -> str:
    """textual-serve's page with every <link> to another site dropped and fonts from this server instead:
    a classroom may have no Internet, and a page that waits on it renders late, in another font."""
    base = public.rstrip("/") + "/"
    own = urlsplit(base).netloc.lower()

    def keep_own(link: re.Match) -> str:
        """The tag if it loads from this server, else nothing."""
        return link.group(0) if urlsplit(urljoin(base, link.group(1))).netloc.lower() == own else ""

    fonts = LOCAL_FONTS.format(static=base + "static/")  # where textual-serve's page finds its static files
    return LINK_TAG.sub(keep_own, html).replace("</head>", fonts + "</head>", 1)


def is_loopback(host: str) -> bool:
    """Does binding to `host` keep the app on this machine?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int) -> str:
    """The address a browser opens (the page's websocket goes to the same place): for a wildcard host,
    this machine's address on its way out to the network (its name when it has none)."""
    name = outward_address() if host in WILDCARDS else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return f"http://{name}:{port}"


def outward_address() -> str:
    """The address other machines most likely reach this one at: the source address of the default
    route (a UDP socket's connect sends nothing), or the machine's name when there is no network."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never answered, only routed
            address = s.getsockname()[0]
    except OSError:
        return socket.getfqdn()
    return socket.getfqdn() if ipaddress.ip_address(address).is_loopback else address


def port_problem(port: str) -> str | None:
    """Why `--port` is not a port to listen on, or None."""
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"tutor serve: --port takes a number from 1 to 65535, not {port!r}"
    return None


def bind_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port (in use, not this machine's address), found before anything is
    printed; None when it is free."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in infos[:1]:
            with socket.socket(family, kind, proto) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
                s.bind(address)
    except OSError as err:
        return f"tutor serve: cannot listen on {host}:{port}: {(err.strerror or str(err)).lower()}"
    return None


def clamp_size(width: Any, height: Any) -> tuple[int, int]:
    """A terminal size a tab may have: numbers within MIN_SIZE..MAX_WIDTH x MAX_HEIGHT (80 x 24 if unreadable)."""
    return (_clamped(width, 80, MIN_SIZE[0], MAX_WIDTH), _clamped(height, 24, MIN_SIZE[1], MAX_HEIGHT))


def _clamped(value: Any, default: int, low: int, high: int) -> int:
    """An int from a query string or a message, kept within [low, high]."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(low, min(high, number))


def allowed_host(host_header: str, public: str) -> bool:
    """Is the Host a browser used one this server answers to (an address, localhost, this machine's name,
    or the public URL's host)? A name that merely resolves here is refused (DNS rebinding)."""
    host = urlsplit(f"//{host_header}").hostname or ""
    names = {"localhost", socket.gethostname().lower(), socket.getfqdn().lower(),
             (urlsplit(public).hostname or "").lower()}
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return host.lower() in names


def same_origin(origin: str | None, host_header: str, public: str = "") -> bool:
    """Does a browser's Origin name the page's own server, as it reached it or at its public URL (behind a
    proxy)? A page elsewhere may not drive tabs. No Origin at all is a client that is not a browser,
    which could connect anyway."""
    if origin is None:
        return True
    parts, mine = urlsplit(origin), urlsplit(public)
    if parts.scheme not in ("http", "https"):
        return False
    return parts.netloc.lower() == host_header.lower() or (parts.scheme, parts.netloc.lower()) == (
        mine.scheme, mine.netloc.lower())


def exposure_words(host: str, port: int) -> tuple[str, bool]:
    """What the binding means for who can connect, and whether that deserves a warning."""
    if is_loopback(host):
        return (f"bound to {host} only: other machines cannot reach it "
                "(--host 0.0.0.0 serves it to the network)"), False
    return (f"warning: bound to {host or 'every interface'}: anyone who can reach this machine on port "
            f"{port} can open the app, and each visit starts a tutor process here"), True


class TutorServer(Server):
    """textual-serve's server with tutor's start-up lines, an Origin check, a cap on tabs, bounded terminal
    sizes, and a stop (by any signal) that ends every tab."""

    def __init__(self, *args: Any, max_sessions: int = DEFAULT_MAX_SESSIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tabs: set[asyncio.Task] = set()
        self.max_sessions = max_sessions
        self.server_pid = os.getpid()

    async def _make_app(self) -> web.Application:
        """textual-serve's routes behind a guard on every request."""
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse requests from pages of other sites, and Host names this server does not answer to."""
        host = request.headers.get("Host", "")
        origin = request.headers.get("Origin")
        if not allowed_host(host, self.public_url) or not same_origin(origin, host, self.public_url):
            return web.Response(status=403, text="tutor serve: only its own page may open tabs\n")
        return await handler(request)

    async def on_startup(self, app: Any) -> None:
        """Say where it is, who can reach it and how to stop it (instead of textual-serve's logo)."""
        words, warn = exposure_words(self.host, self.port)
        print(f"tutor serve: open {self.public_url} in a browser (each tab runs its own tutor; "
              f"at most {self.max_sessions} at once)", flush=True)
        print(words, file=sys.stderr if warn else sys.stdout, flush=True)
        print("Ctrl+C stops it.", flush=True)

    async def handle_index(self, request: web.Request) -> Any:
        """The page, loading nothing from other sites, or (every tab in use) a page that says so."""
        if len(self.tabs) >= self.max_sessions:
            return self.refusal()
        response = await super().handle_index(request)
        if isinstance(response, web.Response) and response.status == 200 and response.text:
            response.text = offline_page(response.text, self.public_url)
        return response

    def refusal(self) -> web.Response:
        """503 with a page that says why and what to do."""
        return web.Response(status=503, content_type="text/html",
                            text=REFUSED_PAGE.format(limit=self.max_sessions))

    async def handle_websocket(self, request: web.Request) -> Any:
        """One browser tab's app at a bounded size, remembered so that a stop can end it; none past the cap."""
        if len(self.tabs) >= self.max_sessions:
            return self.refusal()
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        request = request.clone(rel_url=request.rel_url.update_query(width=str(width), height=str(height)))
        task = asyncio.current_task()
        self.tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.tabs.discard(task)

    async def _process_messages(self, websocket: Any, app_service: Any) -> None:
        """The tab's messages, with each resize clamped (one huge resize would cost gigabytes); a message that
        is not what the page sends ends the tab quietly (no traceback on the server's terminal)."""
        try:
            await super()._process_messages(websocket, ClampedService(app_service))
        except (ValueError, TypeError, KeyError, IndexError, AssertionError, AttributeError):
            await websocket.close()

    async def on_shutdown(self, app: Any) -> None:
        """A stop: end every tab now (textual-serve then quits its app) rather than wait a minute for them."""
        for task in list(self.tabs):
            task.cancel()

    def serve(self, debug: bool = False) -> None:
        """textual-serve's serve, with SIGHUP (a closed terminal) stopping it as SIGINT and SIGTERM do."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        if hasattr(signal, "SIGHUP"):
            loop.add_signal_handler(signal.SIGHUP, self.request_exit)
        super().serve(debug)


class ClampedService:
    """An app service whose terminal size stays within MAX_WIDTH x MAX_HEIGHT; everything else passes through."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    async def set_terminal_size(self, width: Any, height: Any) -> None:
        """Resize within bounds."""
        await self._service.set_terminal_size(*clamp_size(width, height))


def serve(host: str = LOOPBACK, port: int = DEFAULT_PORT, scenario: str | None = None,
          seed: int | None = None, url: str | None = None, max_sessions: int = DEFAULT_MAX_SESSIONS,
          class_name: str | None = None) -> int:
    """Serve the app (or a class: see tutor.classroom.serving) until stopped; 2 when the port cannot be bound
    (said before any address is printed)."""
    problem = bind_problem(host, port)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    options: dict[str, Any] = dict(host=host, port=port, title="tutor", public_url=url or public_url(host, port),
                                   max_sessions=max_sessions)
    if class_name is None:
        server = TutorServer(app_command(scenario, seed, os.getpid()), **options)
    else:
        from tutor.classroom import ClassFolder
        from tutor.classroom.serving import ClassServer

        folder = ClassFolder.of(class_name)
        try:
            info = folder.ensure()
        except OSError as err:
            print(f"tutor serve: cannot create the class folder {folder.path}: {(err.strerror or str(err)).lower()}",
                  file=sys.stderr)
            return 2
        server = ClassServer(app_command(server_pid=os.getpid()), folder=folder, info=info, **options)
    try:
        server.serve()
    except OSError as err:  # taken between the check and the bind
        print(f"tutor serve: cannot listen on {host}:{port}: {(err.strerror or str(err)).lower()}", file=sys.stderr)
        return 2
    print("tutor serve: stopped", flush=True)
    return 0


if __name__ == "__main__":  # what each browser tab runs (see app_command)
    raise SystemExit(tab_main())
