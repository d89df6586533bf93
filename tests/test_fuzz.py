"""Structure-aware fuzzing of scenario files, lesson files and progress files through the commands.

Every input gives a documented status (0, 1, 2 or 3), exactly one line on stderr for 2, never a
traceback, and finishes within a time bound."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import string
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor import cli
from tutor.sim.config import SETTINGS
from tutor.sim.spec import ACTIONS

EXAMPLE_S = 60  # one example (a whole command) finishes within this, even on a loaded machine
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
DEMO = (files("tutor") / "data" / "scenarios" / "demo.toml").read_text(encoding="utf-8")
LESSON = (files("tutor") / "data" / "lessons" / "04-acks-1.toml").read_text(encoding="utf-8")


class TooSlow(Exception):
    """An example ran past EXAMPLE_S."""


def command(*argv: str) -> tuple[int, str, str]:
    """`tutor ARGV` in this process within EXAMPLE_S: (status, stdout, stderr); any exception fails the test."""
    out, err = io.StringIO(), io.StringIO()

    def too_slow(signum, frame):
        """Stop the example: it ran too long."""
        raise TooSlow(f"tutor {' '.join(argv)} ran past {EXAMPLE_S} s")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(EXAMPLE_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(argv))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return status, out.getvalue(), err.getvalue()


def assert_documented(status: int, err: str) -> None:
    """A documented status; one line for a bad file; no traceback."""
    assert status in (0, 1, 2, 3), status
    assert "Traceback" not in err
    if status == 2:
        assert len(err.strip().splitlines()) >= 1
        assert all(line.strip() for line in err.strip().splitlines())


# --- values a careless or hostile author writes ---------------------------------------------------------
NASTY_STRINGS = st.sampled_from(["", "all", "\x1b[2J", "a\nb", "\ufeff", "never", "-1", "1e999", "x" * 300])
SCALARS = st.one_of(st.integers(min_value=-2**63, max_value=2**63), st.floats(allow_nan=True, allow_infinity=True),
                    st.booleans(), NASTY_STRINGS, st.text(string.printable, max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a", "ms", "at.ms"]), inner, max_size=2), max_leaves=6)
KEYS = st.sampled_from(sorted({f"[{s}] {k}" for s, k in SETTINGS}) + ["[workload] messages"] * 5)
EVENT_KEYS = st.sampled_from(["action", "target", "at.ms", "when.processed", "delay.ms", "restart.after.ms",
                              "between", "bogus"])
ACTION_VALUES = st.one_of(st.sampled_from(sorted(ACTIONS)), VALUES)


def toml_value(value) -> str:
    """A Python value written as TOML (json's spelling is TOML's for these, bar nan/inf and tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else
                                             "-inf" if value == float("-inf") else repr(value))
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k) if '.' not in k else k} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@st.composite
def scenario_texts(draw) -> str:
    """A scenario: settings with good and bad values, events with good and bad parts, then maybe mutated."""
    lines = []
    for key in draw(st.lists(KEYS, max_size=5, unique=True)):
        section, name = key[1:].split("] ")
        small = st.integers(min_value=0, max_value=500) if name == "messages" else VALUES
        lines.append(f"[{section}]\n{name} = {toml_value(draw(small))}\n")
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        event = {k: draw(ACTION_VALUES if k == "action" else VALUES) for k in draw(st.lists(EVENT_KEYS, max_size=4,
                                                                                         unique=True))}
        lines.append("[[events]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in event.items()))
    text = "".join(lines)
    return draw(mutated(text))


@st.composite
def mutated(draw, text: str) -> str:
    """The text as written, cut short, with a line of nesting, or with a stray byte."""
    how = draw(st.sampled_from(["as is", "as is", "cut", "nest", "byte", "bom"]))
    if how == "cut" and text:
        return text[:draw(st.integers(min_value=0, max_value=len(text)))]
    if how == "nest":
        depth = draw(st.integers(min_value=1, max_value=2000))
        return text + f"\nx = {'[' * depth}{']' * depth}\n"
    if how == "byte":
        at = draw(st.integers(min_value=0, max_value=len(text)))
        return text[:at] + draw(st.sampled_from(["\x00", "\x1b", "\"", "[", "=", "\n"])) + text[at:]
    if how == "bom":
        return "\ufeff" + text
    return text


@given(text=scenario_texts())
@FUZZ
def test_fuzzed_scenarios(tmp_path_factory, text):
    """`tutor check` and `tutor run` on a fuzzed scenario: a documented status, no traceback."""
    path = Path(tmp_path_factory.mktemp("fuzz")) / "s.toml"
    path.write_text(text, encoding="utf-8")
    status, _, err = command("check", str(path))
    assert_documented(status, err)
    if status == 2:
        assert len(err.strip().splitlines()) == 1
    if status == 0:
        status, _, err = command("run", str(path))
        assert_documented(status, err)


LESSON_EDITS = [("wait.ms = ", "wait.ms = 1e12 #"), ('answer = "11-29"', 'answer = "0-300000000"'),
                ('action = "crash"', 'action = ["crash"]'), ("[[steps]]", "[[steps]]\nx = " + "[" * 500 + "]" * 500),
                ('title = "', 'title = "\\u001b]0;x\\u0007'), ("kind = \"pick\"", "kind = 3"),
                ("narration", "narration.x"), ("[steps.question]", "[steps.question]\nafter.ms = -1")]


@given(edits=st.lists(st.sampled_from(LESSON_EDITS), max_size=3, unique=True), tail=mutated(""))
@FUZZ
def test_fuzzed_lessons(tmp_path_factory, edits, tail):
    """`tutor check` and the text menu on a shipped lesson with hostile edits: documented, no traceback."""
    text = LESSON
    for old, new in edits:
        text = text.replace(old, new, 1)
    folder = Path(tmp_path_factory.mktemp("lessons"))
    (folder / "04.toml").write_text(text + tail, encoding="utf-8")
    status, _, err = command("check", str(folder / "04.toml"))
    assert_documented(status, err)
    status, out, err = command("lessons", "--text", "--lessons", str(folder))
    assert status in (0, 2) and "Traceback" not in out + err  # 2: no lesson loads; the menu shows why


ANSWER = st.fixed_dictionaries({}, optional={
    "kind": VALUES, "first_correct": VALUES, "attempts": VALUES, "shown": VALUES, "solved": VALUES,
    "best": VALUES, "par": VALUES, "tries": VALUES})
RECORD = st.fixed_dictionaries({"status": st.sampled_from(["started", "done", "bogus"])}, optional={
    "step": VALUES, "steps": VALUES, "questions": VALUES, "updated": VALUES,
    "answers": st.dictionaries(st.text(max_size=5), ANSWER | VALUES, max_size=2) | VALUES})
PROGRESS = st.one_of(
    st.fixed_dictionaries({"format": st.sampled_from([1, 1, 2, "1", None]),
                           "lessons": st.dictionaries(st.sampled_from(["journey", "acks-1", "x\x1b"]),
                                                      RECORD | VALUES, max_size=3) | VALUES},
                          optional={"user": VALUES}),
    VALUES)


@given(data=PROGRESS, nest=st.sampled_from([0, 0, 0, 100_000]))
@FUZZ
def test_fuzzed_progress_files(tmp_path_factory, monkeypatch, data, nest):
    """`tutor progress` (and its exports) and `tutor lessons` on a fuzzed progress file: status 0, no traceback."""
    folder = Path(tmp_path_factory.mktemp("data"))
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    text = json.dumps(data, allow_nan=True) if not nest else "[" * nest + "]" * nest
    (folder / "progress.json").write_text(text, encoding="utf-8")
    for argv in (["progress"], ["progress", "--export", "csv"], ["progress", "--export", "json"],
                 ["lessons", "--text"]):
        status, _, err = command(*argv)
        assert status == 0 and "Traceback" not in err, (argv, err)
        assert len(err.strip().splitlines()) <= 1


@pytest.mark.parametrize("text", ["", "\ufeff", "[[events]]\n", "[workload]\nmessages = 0\n"])
def test_edge_scenarios(tmp_path, text):
    """A few fixed edge cases: documented statuses."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    assert_documented(*command("check", str(path))[::2])
