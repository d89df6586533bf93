"""`tutor serve`: the app in a web browser through textual-serve, on 127.0.0.1 unless told otherwise;
`python -m tutor.serve` is what each browser tab runs."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shlex
import socket
import sys
from typing import Any

from textual_serve.server import Server

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARDS = ("0.0.0.0", "::", "")


def app_command(scenario: str | None = None, seed: int | None = None) -> str:
    """The shell command run for each browser tab: this module, with this Python (so a venv works)."""
    args = [sys.executable, "-m", "tutor.serve"]
    if scenario is not None:
        args.append(os.path.abspath(scenario))  # the app process may not share our working directory
    if seed is not None:
        args += ["--seed", str(seed)]
    return shlex.join(args)


def tab_main(argv: list[str] | None = None) -> int:
    """One tab's app: the main menu, or the sandbox on a scenario file (checked before serving)."""
    import argparse

    from tutor.scenario import load_scenario
    from tutor.ui.app import make_app

    parser = argparse.ArgumentParser(prog="python -m tutor.serve")
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    if args.scenario is None:
        make_app(None, args.seed, start="menu").run()
    else:
        make_app(load_scenario(args.scenario), args.seed).run()
    return 0


def is_loopback(host: str) -> bool:
    """Does binding to `host` keep the app on this machine?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int) -> str:
    """The address a browser opens (the page's websocket goes to the same place)."""
    name = socket.getfqdn() if host in WILDCARDS else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return f"http://{name}:{port}"


def exposure_words(host: str, port: int) -> tuple[str, bool]:
    """What the binding means for who can connect, and whether that deserves a warning."""
    if is_loopback(host):
        return (f"bound to {host} only: other machines cannot reach it "
                "(--host 0.0.0.0 serves it to the network)"), False
    return (f"warning: bound to {host or 'every interface'}: anyone who can reach this machine on port "
            f"{port} can open the app, and each visit starts a tutor process here"), True


class TutorServer(Server):
    """textual-serve's server with tutor's start-up lines, and a stop that does not wait for open tabs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tabs: set[asyncio.Task] = set()

    async def on_startup(self, app: Any) -> None:
        """Say where it is, who can reach it and how to stop it (instead of textual-serve's logo)."""
        words, warn = exposure_words(self.host, self.port)
        print(f"tutor serve: open {self.public_url} in a browser (each tab runs its own tutor)", flush=True)
        print(words, file=sys.stderr if warn else sys.stdout, flush=True)
        print("Ctrl+C stops it.", flush=True)

    async def handle_websocket(self, request: Any) -> Any:
        """One browser tab's app, remembered so that a stop can end it."""
        task = asyncio.current_task()
        self.tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.tabs.discard(task)

    async def on_shutdown(self, app: Any) -> None:
        """Ctrl+C: end every tab now (textual-serve then quits its app) rather than wait a minute for them."""
        for task in list(self.tabs):
            task.cancel()


def serve(host: str = LOOPBACK, port: int = DEFAULT_PORT, scenario: str | None = None,
          seed: int | None = None, url: str | None = None) -> int:
    """Serve the app until Ctrl+C; 2 when the port cannot be bound."""
    server = TutorServer(app_command(scenario, seed), host=host, port=port, title="tutor",
                         public_url=url or public_url(host, port))
    try:
        server.serve()
    except OSError as err:  # the port is taken, or the address is not this machine's
        print(f"tutor serve: cannot listen on {host}:{port}: {err.strerror or err}", file=sys.stderr)
        return 2
    print("tutor serve: stopped", flush=True)
    return 0


if __name__ == "__main__":  # what each browser tab runs (see app_command)
    raise SystemExit(tab_main())
