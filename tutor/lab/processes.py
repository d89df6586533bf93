"""The lab's client processes: started, followed line by line, killed with SIGKILL, never left behind."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import tutor

#: the folder holding the tutor package, so a worker imports the same tutor as the lab
PACKAGE_ROOT = str(Path(tutor.__file__).resolve().parent.parent)


class WorkerGone(Exception):
    """A client process ended before reporting what the lab waited for."""


class Worker:
    """One client process running tutor.lab.worker; its JSON lines arrive on a queue."""

    def __init__(self, name: str, cfg: dict[str, Any]) -> None:
        """Start the process and the thread that reads its lines."""
        self.name = name
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [PACKAGE_ROOT,
                                                                          os.environ.get("PYTHONPATH")]))}
        # A session of its own: a Ctrl+C in the terminal reaches only the lab, which then kills
        # its workers itself; their stdin is a pipe from the lab, so they also go when it dies.
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor.lab.worker", json.dumps(cfg)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=env, start_new_session=True)
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def _read(self) -> None:
        """Queue each line as an event; None marks the end of the output."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                continue  # not ours (a library writing to stdout)
        self.events.put(None)

    def next_event(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None if none came within timeout; WorkerGone once the output ends."""
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return None
        if event is None:
            self.events.put(None)  # stay at the end for later calls
            raise WorkerGone(f"the {self.name} exited with status {self.proc.wait()}: {self.stderr_tail()}")
        return event

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines the process wrote on stderr, for an error message."""
        self.stderr.seek(0)
        tail = self.stderr.read().decode(errors="replace").strip().splitlines()[-lines:]
        return " / ".join(tail) or "no message"

    def tell(self, line: str) -> None:
        """Write one line to the process's stdin (a worker reads "go")."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # it has exited (or was killed): next_event says how

    def finish(self, timeout: float = 30.0) -> None:
        """Wait for a worker that reported it is done to exit; kill it if it hangs."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would, and reap it."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.close()

    def close(self) -> None:
        """Close our ends of its pipes (a live worker then exits by itself)."""
        for stream in (self.proc.stdin, self.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


class Children:
    """Every worker the lab started; stop_all() kills those still running and waits for them."""

    def __init__(self) -> None:
        """No workers yet."""
        self.workers: list[Worker] = []

    def start(self, name: str, cfg: dict[str, Any]) -> Worker:
        """Start a worker and keep track of it."""
        worker = Worker(name, cfg)
        self.workers.append(worker)
        return worker

    def running(self) -> list[Worker]:
        """Workers that have not exited."""
        return [w for w in self.workers if w.proc.poll() is None]

    def stop_all(self) -> int:
        """Kill every running worker; returns how many were still running."""
        alive = self.running()
        for worker in self.workers:
            worker.kill()
        return len(alive)

    def __enter__(self) -> "Children":
        """Use as `with Children() as children:`."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing outlives the block, whatever ended it."""
        self.stop_all()
