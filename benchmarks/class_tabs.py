"""What one `tutor serve --class` tab costs: N students' tabs open the sandbox (which plays), then each tab
process's resident memory and CPU are sampled over a window. Linux only (reads /proc)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The server's tab processes."""
    out = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    """Resident memory in MB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


async def drain(ws, until: float, want: str | None = None) -> str:
    """Read a tab's output as a browser does, until a time (or until `want` shows)."""
    import aiohttp

    seen = ""
    while time.monotonic() < until and (want is None or want not in seen):
        try:
            msg = await ws.receive(timeout=max(until - time.monotonic(), 0.05))
        except asyncio.TimeoutError:
            break
        if msg.type == aiohttp.WSMsgType.BINARY:
            seen += ANSI.sub("", msg.data.decode("utf-8", "replace"))
        elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    return seen


async def measure(base: str, server: int, tabs: int, window: float) -> dict:
    """Open the tabs, put each in the sandbox, then sample them over the window."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        sockets = []
        for n in range(tabs):
            page = urllib.request.urlopen(f"{base}/?student=s{n}").read().decode()
            url = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
            ws = await http.ws_connect(url + "?width=120&height=36")
            await drain(ws, time.monotonic() + 60, "sandbox")
            await ws.send_str(json.dumps(["stdin", "1"]))  # the menu's 1: the sandbox, playing
            await drain(ws, time.monotonic() + 60, "LEDGER")
            sockets.append(ws)
        pids = children(server)
        before = {p: cpu_s(p) for p in pids}
        start = time.monotonic()
        await asyncio.gather(*(drain(ws, start + window) for ws in sockets))
        elapsed = time.monotonic() - start
        per_tab = [{"rss_mb": round(rss_mb(p), 1), "cpu_pct": round(100 * (cpu_s(p) - before[p]) / elapsed, 1)}
                   for p in pids]
        for ws in sockets:
            await ws.close()
    return {"tabs": per_tab, "server_rss_mb": round(rss_mb(server), 1), "window_s": round(elapsed, 1)}


def main() -> None:
    """Serve a class in a scratch data folder, measure, print JSON, stop everything."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0, help="seconds of sampling")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "serve", "--class", "bench", "--port", str(port),
                                 "--max-sessions", str(args.tabs)], env={**os.environ, "TUTOR_DATA_DIR": data},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 20
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                assert time.monotonic() < deadline and proc.poll() is None, "tutor serve did not start"
                time.sleep(0.1)
            print(json.dumps(asyncio.run(measure(f"http://127.0.0.1:{port}", proc.pid, args.tabs, args.window)),
                             indent=2))
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


if __name__ == "__main__":
    main()
