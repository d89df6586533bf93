"""The real `tutor` command in a real terminal (tmux): it opens, reacts to keys and quits cleanly."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tutor_command() -> str:
    """The installed console script next to this Python (else `python -m tutor`)."""
    script = Path(sys.executable).with_name("tutor")
    return str(script) if script.exists() else f"{sys.executable} -m tutor"


class Tmux:
    """One tmux server on a private socket, so nothing else is touched."""

    def __init__(self, name: str) -> None:
        self.socket = f"tutor-test-{os.getpid()}-{name}"

    def run(self, *args: str) -> str:
        """A tmux command's output."""
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True).stdout

    def start(self, command: str, size=(100, 30)) -> None:
        """Run a shell command in a new detached session of this size."""
        self.run("new-session", "-d", "-x", str(size[0]), "-y", str(size[1]),
                 f"TERM=xterm-256color {command}; echo EXIT=$?; sleep 30")

    def screen(self) -> str:
        """The pane's text now."""
        return self.run("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        """Type keys (tmux key names)."""
        self.run("send-keys", *keys)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """Poll the pane until `text` shows up (the timeout only stops a hang); the pane's text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pane = self.screen()
            if text in pane:
                return pane
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def wait_for_gone(self, text: str, timeout: float = 60.0) -> None:
        """Poll the pane until `text` is no longer on it."""
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() >= deadline:
                raise AssertionError(f"{text!r} never went away; the screen was:\n{self.screen()}")
            time.sleep(0.1)

    def close(self) -> None:
        """Stop this private server."""
        self.run("kill-server")


@pytest.fixture
def tmux(request):
    """A private tmux server, stopped after the test."""
    t = Tmux(request.node.name.replace("[", "-").replace("]", ""))
    yield t
    t.close()


def test_tutor_opens_the_sandbox_and_quits_cleanly(tmux):
    """`tutor` with no arguments opens the menu, 1 the sandbox; keys work; q quits with status 0."""
    tmux.start(tutor_command())
    tmux.wait_for("Sandbox")
    tmux.keys("1")
    pane = tmux.wait_for("LEDGER")
    assert "producer app" in pane and "broker-1" in pane
    tmux.keys("space")
    tmux.wait_for("‖")
    tmux.keys("L")
    tmux.wait_for("lost power")
    tmux.keys("?")
    tmux.wait_for("pause and run to the next event")
    tmux.keys("Escape")  # alone: an escape followed at once by q would read as alt+q
    tmux.wait_for_gone("pause and run to the next event")
    tmux.keys("q")
    pane = tmux.wait_for("EXIT=0")
    assert "Traceback" not in pane and "LEDGER" not in pane  # the terminal's own screen is back


def test_tutor_sandbox_on_a_scenario_file(tmux, tmp_path):
    """`tutor sandbox FILE` plays the file's scripted failure; ctrl+c quits with status 0."""
    demo = Path(__file__).resolve().parents[2] / "tutor" / "data" / "scenarios" / "demo.toml"
    tmux.start(f"{tutor_command()} sandbox {demo}", size=(80, 24))
    tmux.wait_for("LEDGER")
    tmux.keys("+", "+", "+")  # faster, so the scripted power loss at 300 ms comes quickly
    tmux.wait_for("LOST ACKED 1")
    tmux.keys("C-c")
    pane = tmux.wait_for("EXIT=0")
    assert "Traceback" not in pane and "LEDGER" not in pane


def test_power_loss_at_the_default_speed_fast_forwards_to_the_election(tmux):
    """After `L` at the default speed the screen names the session wait, says it fast-forwards through it
    (Kafka's own wait is 9 s, 90 s of wall time at ×0.1), and the new leader's election appears; the chosen
    speed stays. The banner is the proof, not a stopwatch: a busy machine draws fewer frames."""
    tmux.start(f"{tutor_command()} sandbox", size=(120, 40))
    tmux.wait_for("consumer joined group")
    tmux.keys("L")
    pane = tmux.wait_for("session expires in")
    assert "(broker.session.timeout.ms" in pane and "×0.1" in pane  # the chosen speed stays
    tmux.wait_for("controller waits · a: off")  # the fast-forward's banner: "▶▶ ×4.5 while the controller waits"
    tmux.wait_for("controller elected broker-2")
    tmux.keys("q")
    tmux.wait_for("EXIT=0")


def test_bad_scenario_file_fails_before_the_app_starts(tmp_path):
    """A bad file: one line on stderr, exit status 2, as with `tutor run`."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[producer]\nacks = 2\n")
    done = subprocess.run(tutor_command().split() + ["sandbox", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"{bad}: [producer] acks")
