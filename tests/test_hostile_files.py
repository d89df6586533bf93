"""Hostile and careless files: huge id ranges, endless times, deep nesting, wrong types, huge runs,
escape sequences, byte-order marks, FIFOs; each is one line and a status, never a hang or a traceback."""

import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from importlib.resources import files
from pathlib import Path

import pytest

from tutor import cli
from tutor.lessons.answers import parse_answer, typed
from tutor.lessons.ids import parse_ids
from tutor.lessons.parse import parse_lesson
from tutor.scenario import ScenarioError, parse_scenario
from tutor.scenario.limits import MAX_MESSAGES, MAX_TIME_MS
from tutor.scenario.safe import printable

LESSONS = files("tutor") / "data" / "lessons"
ROOT = Path(__file__).resolve().parents[1]


def error(text: str) -> str:
    """The one-line error of a scenario text."""
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "x.toml")
    line = str(err.value)
    assert "\n" not in line
    return line


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`tutor ARGV` in this process: (status, stdout, stderr)."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --- 1. pick answers and answer keys ---------------------------------------------------------------
def test_a_huge_range_is_refused_without_building_it():
    """"0-300000000" is refused in one line at once; no set of that size is ever made."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"record ids run from 0 to {MAX_MESSAGES - 1}"):
            parse_ids("0-300000000")
        with pytest.raises(ValueError):
            parse_ids(["5", "1-99999999999"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # bytes: a set of even a million ids would take tens of megabytes


def test_ranges_within_a_run_still_read():
    """Ordinary answers read as before."""
    assert parse_ids("11-13, 20") == {11, 12, 13, 20} and parse_ids([1, "3-4"]) == {1, 3, 4}
    assert parse_ids("") == frozenset()


def test_a_learner_answer_past_the_largest_run_is_refused():
    """The typed answer goes through the same check."""
    from tutor.lessons import load_lesson

    lesson = load_lesson(str(LESSONS / "04-acks-1.toml"))
    pick = next(q for _, q in lesson.questions() if q.kind == "pick")
    with pytest.raises(ValueError, match="record ids run from 0"):
        parse_answer(pick, "0-300000000")
    with pytest.raises(ValueError, match="at most"):
        parse_answer(pick, "1," * 20_000)


def test_an_answer_key_far_outside_any_run_is_one_line(tmp_path, capsys):
    """An answer key of 300 million ids: `tutor check` says so in one line, status 2."""
    text = (LESSONS / "04-acks-1.toml").read_text().replace('answer = "11-29"', 'answer = "0-300000000"')
    path = tmp_path / "04.toml"
    path.write_text(text)
    status, _, err = run_cli(capsys, "check", str(path))
    assert status == 2 and "record ids run from 0" in err and len(err.strip().splitlines()) == 1


# --- 4. times, and settings that cannot settle ----------------------------------------------------------
@pytest.mark.parametrize("text, where", [
    ("[[events]]\naction = \"heal\"\nat.ms = 1e12\n", "at.ms"),
    ("[[events]]\naction = \"slow\"\ntarget = \"followers\"\nat.ms = 0\ndelay.ms = 1e12\n", "delay.ms"),
    ("[producer]\nlinger.ms = 1e12\n", "linger.ms"),
    ("[broker]\nvm.dirty_expire_centisecs = 100000000\n", "vm.dirty_expire_centisecs"),
    ("[network]\nlatency.ms = 1e9\n", "latency.ms"),
])
def test_every_time_in_a_scenario_is_bounded(text, where):
    """A time past one hour of simulated time is refused at load, naming the key."""
    line = error(text)
    assert where in line and "one hour" in line


@pytest.mark.parametrize("text, where", [
    ("[broker]\nreplica.lag.time.max.ms = 1\n", "replica.lag.time.max.ms"),
    ("[broker]\nbroker.heartbeat.interval.ms = 20000\n", "broker.heartbeat.interval.ms"),
    ("[consumer]\nprocessing.ms = 3600000\n", "processing.ms"),
    ("[workload]\nmessages = 200000\ninterval.ms = 3600000\n", "interval.ms"),
])
def test_settings_that_cannot_settle_are_refused_at_load(text, where):
    """Settings with which no run settles are refused in one line instead of running out of steps."""
    assert where in error(text)


@pytest.fixture(autouse=True)
def _small_lesson_module(monkeypatch):
    """Make the lesson tests' small lesson importable here."""
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "lessons"))


def small(text_change: tuple[str, str] = ("", "")) -> str:
    """The lesson tests' small lesson, with one change."""
    from _lessons import small_lesson

    return small_lesson().replace(*text_change)


@pytest.mark.parametrize("change", [("wait.ms = 300", "wait.ms = 1e12"),
                                    ('id = "how-many"', 'id = "how-many"\nafter.ms = 1e12')])
def test_lesson_times_are_bounded(change):
    """A wait or a question's after.ms past one hour: one line at load (wait.ms = 1e12 ran past 4 GB)."""
    from tutor.lessons.errors import LessonError

    with pytest.raises(LessonError) as err:
        parse_lesson(small(change), "x.toml")
    assert str(MAX_TIME_MS) in str(err.value) and "\n" not in str(err.value)


def test_a_lesson_run_stops_at_the_step_budget(monkeypatch):
    """A fork that would run past `tutor run`'s budget raises StepBudgetExceeded, which check reports."""
    from tutor.lessons import fork as fork_module
    from tutor.sim.simulation import Simulation, StepBudgetExceeded

    sim = Simulation(parse_scenario("[workload]\nmessages = 10\n", "x.toml"))
    sim.loop.steps = 10**9  # as if it had already run that long
    with pytest.raises(StepBudgetExceeded, match="did not settle"):
        fork_module.run_bounded(sim, 5000.0)


# --- 5. deep nesting and actions of the wrong type ------------------------------------------------------
@pytest.mark.parametrize("text", ["x = " + "[" * 400 + "]" * 400, "x = " + "{a = " * 400 + "1" + "}" * 400,
                                  ".".join(["a"] * 1000) + " = 1", "[" + ".".join(["t"] * 1000) + "]"])
def test_deep_nesting_is_one_line(text):
    """Arrays, inline tables, dotted keys nested hundreds deep: one line, no RecursionError."""
    assert "nest deeper" in error(text) or "syntax error" in error(text)


@pytest.mark.parametrize("action", ['["crash"]', '{ kind = "crash" }', "3"])
def test_an_action_of_the_wrong_type_is_one_line(action):
    """action written as an array, a table or a number: one line naming the event's action."""
    assert "[[events]] #1 action: takes a string" in error(f"[[events]]\nat.ms = 0\naction = {action}\n")


@pytest.mark.parametrize("text, words", [
    ("[topic]\npartitions = 0\n", "[topic] partitions: must be at least 1"),
    ("[topic]\npartitions = 13\n", "[topic] partitions: must be at most 12"),
    ("[topic]\npartitions = true\n", "[topic] partitions: takes an integer"),
    ("[workload]\nkeys = -1\n", "[workload] keys: must be at least 0"),
    ('[topic]\npartitions = 2\n[[events]]\nat.ms = 0\naction = "crash"\ntarget = "leader:2"\n',
     "names partition 2, but the topic has 2 partition(s): leader:0 to leader:1"),
    ('[[events]]\nat.ms = 0\naction = "crash"\ntarget = "followers:99999999999999999999"\n',
     "names partition 99999999999999999999, but the topic has 1 partition(s)"),
])
def test_a_bad_partition_count_or_partition_role_is_one_line(text, words):
    """partitions outside 1..12, a negative key count, leader:N past the last partition: one line."""
    line = error(text)
    assert words in line and "\n" not in line


def test_a_bad_file_in_a_folder_does_not_stop_the_others(tmp_path, capsys):
    """A folder with a deeply nested file and a good one: the good one is still checked and ok."""
    (tmp_path / "a-deep.toml").write_text("x = " + "[" * 400 + "]" * 400)
    (tmp_path / "b-good.toml").write_text("[producer]\nacks = 1\n")
    (tmp_path / "c-action.toml").write_text('[[events]]\nat.ms = 0\naction = ["crash"]\n')
    status, out, err = run_cli(capsys, "check", str(tmp_path))
    assert status == 2 and f"ok {tmp_path / 'b-good.toml'}" in out
    assert len(err.strip().splitlines()) == 2 and "Traceback" not in err


def test_a_deep_lesson_does_not_stop_the_lessons_menu(tmp_path, capsys):
    """The menu lists the good lessons beside a broken one."""
    (tmp_path / "01.toml").write_text(small())
    (tmp_path / "02.toml").write_text("x = " + "{a = " * 400 + "1" + "}" * 400)
    status, out, err = run_cli(capsys, "lessons", "--text", "--lessons", str(tmp_path))
    assert status == 0 and "A small lesson" in out and "Traceback" not in out + err


def test_a_typed_value_nested_too_deep_is_text():
    """A challenge value typed as "[[[[..." is read as text, not a RecursionError."""
    assert typed("[" * 2000) == "[" * 2000


# --- 6. the largest run ----------------------------------------------------------------------------
def test_messages_past_what_runs_are_refused_with_the_reason():
    """10,000,000 records ran out of memory after 9 minutes; now it is refused at load, saying why."""
    line = error("[workload]\nmessages = 10000000\n")
    assert f"must be at most {MAX_MESSAGES}" in line and "memory" in line
    parse_scenario(f"[workload]\nmessages = {MAX_MESSAGES}\n", "x.toml")  # the bound itself loads


# --- 7. escape sequences ----------------------------------------------------------------------------
def test_escape_sequences_in_a_title_are_shown_as_text(tmp_path, capsys):
    """A title that would set the window title and clear the screen is printed as visible text."""
    path = tmp_path / "t.toml"
    path.write_text('title = "evil\\u001b]0;pwned\\u0007\\u001b[2J"\n[workload]\nmessages = 5\n')
    status, out, _ = run_cli(capsys, "run", str(path))
    assert status == 0 and "\x1b]0" not in out and "\x1b[2J" not in out and "\\e]0;pwned" in out


def test_escape_sequences_in_a_rejected_value_are_shown_as_text():
    """A rejected value with ESC and a newline: one line, with the ESC written out."""
    line = error('[producer]\nacks = "\\u001b[2J\\nall"\n')
    assert "\x1b" not in line and "\\e[2J\\nall" in line


def test_escape_sequences_in_a_lesson_reach_no_one():
    """A lesson's narration and titles lose their control characters at load (newlines stay)."""
    lesson = parse_lesson(small(('narration = "Records flow."', 'narration = "a\\u001b[31m\\nb\\u009b"')), "x")
    assert lesson.steps[0].narration == "a\\e[31m\nb\\x9b"


def test_printable_keeps_text_and_shows_controls():
    """Ordinary text, accents and emoji pass; controls and bidi overrides are written out."""
    assert printable("Löschen ✓ 🦀\n\tok") == "Löschen ✓ 🦀\n\tok"
    assert printable("a\rb\x00c\u202ed", one_line=True) == "a\\rb\\x00c\\u202ed"


# --- 9. the smaller ones ----------------------------------------------------------------------------
def test_a_newline_in_a_key_or_value_stays_on_one_line():
    """A quoted key or a value with a newline: still one line."""
    assert "\\n" in error('[producer]\n"linger\\nms" = 5\n')
    assert "\\n" in error('[producer]\nacks = "a\\nb"\n')


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    """A file saved with a UTF-8 byte-order mark loads like one without."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[workload]\nmessages = 5\n")
    status, out, _ = run_cli(capsys, "check", str(path))
    assert status == 0 and out.startswith("ok ")


def test_an_empty_file_in_a_lesson_folder_is_not_ok(tmp_path, capsys):
    """An empty .toml beside lessons is a broken lesson for check, as it is for the menu."""
    (tmp_path / "01.toml").write_text(small())
    (tmp_path / "02.toml").write_text("")
    status, out, err = run_cli(capsys, "check", str(tmp_path))
    assert status == 2 and "02.toml" in err and f"ok {tmp_path / '01.toml'}" in out


def test_one_lesson_checks_beside_a_broken_neighbour(tmp_path, capsys):
    """Checking one good lesson is ok though its prerequisite's file beside it does not load."""
    (tmp_path / "01-base.toml").write_text("id = [")
    (tmp_path / "02-next.toml").write_text(small(('prerequisites = []', 'prerequisites = ["base"]')))
    status, out, err = run_cli(capsys, "check", str(tmp_path / "02-next.toml"))
    assert status == 0 and out.startswith("ok "), err


def test_a_fifo_scenario_is_refused_without_blocking(tmp_path, capsys):
    """`tutor run FIFO` does not wait for a writer: one line, status 2."""
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=run_cli(capsys, "run", str(fifo))), daemon=True)
    worker.start()
    worker.join(timeout=60)
    status, _, err = result["r"]
    assert status == 2 and "not a regular file" in err


#: the child: tutor's own main(), with a line on stderr once the run is well under way (it has taken
#: 200,000 engine steps, seen at the engine's 100 ms tick), so the signal lands mid-run however loaded the
#: machine is
_CHILD = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started in the background
from tutor.sim import simulation
original, said = simulation.Simulation._tick, []
def announced(self):
    if not said and self.loop.steps >= 200_000:
        said.append(True)
        print("running", file=sys.stderr, flush=True)
    return original(self)
simulation.Simulation._tick = announced
from tutor.cli import main
sys.exit(main())
"""


def run_then_signal(sig: int, tmp_path: Path) -> tuple[int, str]:
    """Start a large run, wait until it is well under way, send `sig`; (status, stderr)."""
    path = tmp_path / "big.toml"
    path.write_text(f"[workload]\nmessages = {MAX_MESSAGES}\n")
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, "run", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stderr.readline().strip()  # blocks until the run announces itself (or the child ends)
    assert line == "running", f"the run never got under way: {line!r}"
    proc.send_signal(sig)
    err = proc.stderr.read()
    return proc.wait(timeout=120), err  # a bound against a hang, not a measurement


@pytest.mark.parametrize("sig, status, word", [(signal.SIGINT, 130, "interrupted"),
                                              (signal.SIGTERM, 143, "stopped by SIGTERM")])
def test_a_large_run_stops_at_once_with_a_word(tmp_path, sig, status, word):
    """Ctrl+C or SIGTERM in the middle of a large run: a word on stderr and the status, no traceback."""
    got, err = run_then_signal(sig, tmp_path)
    assert got == status and f"tutor: {word}" in err and "Traceback" not in err


def test_sigterm_quits_the_app_and_restores_the_terminal():
    """SIGTERM to the terminal app: it leaves the alternate screen, says why, and exits 143."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the sandbox on a pseudo-terminal
        os.environ.update(PYTHONPATH=str(ROOT), TERM="xterm-256color")
        os.execvp(sys.executable, [sys.executable, "-m", "tutor", "sandbox"])
    seen, deadline, signalled = b"", time.monotonic() + 60, False
    try:
        while b"LEDGER" not in seen and time.monotonic() < deadline:  # wait until it has drawn
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536)
        assert b"LEDGER" in seen, "the app never drew"
        os.kill(pid, signal.SIGTERM)
        signalled, seen = True, b""
        while time.monotonic() < deadline + 30:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:  # the terminal closed: the app has exited
                    break
    finally:
        if not signalled:  # a failure before the signal: do not leave the app running
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 143
    assert b"\x1b[?1049l" in seen and b"tutor: stopped by SIGTERM" in seen
