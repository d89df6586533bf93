"""The `tutor` command: exit codes, JSON output, one-line errors."""

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from tutor import __version__, cli

DEMO = str(files("tutor") / "data" / "scenarios" / "demo.toml")
SUMMARY_KEYS = {"sent", "acked", "send_errors", "unconfirmed", "processed", "duplicates", "lost",
                "lost_acked", "lost_at"}


class FakeReport:
    """A stand-in for the engine's Report, so exit codes can be tested on their own."""

    title, seed, end_ms = "fake", 1, 1000.0
    summary = {"sent": 2, "acked": 2, "send_errors": 0, "unconfirmed": 0, "processed": 1, "duplicates": 0,
               "lost": 1, "lost_acked": 1, "lost_at": {"producer": 0, "broker": 1, "consumer": 0}}
    messages = [{"id": 0, "acked": True, "fate": "processed", "lost_at": None, "explanation": "",
                 "times_processed": 1},
                {"id": 1, "acked": True, "fate": "lost", "lost_at": "broker", "explanation": "truncated",
                 "times_processed": 0}]
    timeline = [(0.0, "start"), (10.0, "broker-1 loses power")]

    def __init__(self, failures=()):
        """Remember which expectations check() should report as failed."""
        self.failures = list(failures)

    def to_json(self, lazy=False):
        """Summary, messages and timeline as plain data."""
        return {"summary": self.summary, "messages": self.messages, "timeline": self.timeline}

    def check(self, expect):
        """The configured failures."""
        return self.failures


def write(tmp_path: Path, name: str, text: str) -> str:
    """Write a scenario file and return its path as a string."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


class FakeEngine:
    """Stands in for cli.simulate: records each call and returns `report`."""

    def __init__(self):
        """No calls yet; a report whose expectations all hold."""
        self.calls, self.report = [], FakeReport()

    def __call__(self, scenario, seed):
        """Record the call and return the report."""
        self.calls.append((scenario, seed))
        return self.report


@pytest.fixture
def fake_engine(monkeypatch):
    """Replace the simulation with a FakeEngine."""
    engine = FakeEngine()
    monkeypatch.setattr(cli, "simulate", engine)
    return engine


def test_version(capsys):
    """--version prints the package version."""
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tutor {__version__}"


def test_check_good_files(tmp_path, capsys):
    """check prints `ok FILE` for each good file and exits 0."""
    other = write(tmp_path, "a.toml", "[producer]\nacks = 1\n")
    assert cli.main(["check", DEMO, other]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok {DEMO}", f"ok {other}"]


def test_check_bad_file(tmp_path, capsys):
    """A bad file is one line on stderr naming file and key; exit 2; good files still say ok."""
    bad = write(tmp_path, "bad.toml", "[producer]\nlingr.ms = 5\n")
    assert cli.main(["check", bad, DEMO]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"ok {DEMO}"]
    assert err.splitlines() == [f"{bad}: [producer] lingr.ms: unknown key; did you mean linger.ms?"]


def test_run_bad_file_is_one_line(tmp_path, capsys):
    """run on a bad file: exit 2, nothing on stdout, one line on stderr."""
    bad = write(tmp_path, "bad.toml", '[producer]\nacks = "2"\n')
    assert cli.main(["run", bad]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "[producer] acks: takes" in err


def test_run_missing_file(capsys):
    """A file that does not exist is a bad file."""
    assert cli.main(["run", "/no/such.toml"]) == 2
    assert capsys.readouterr().err == "/no/such.toml: cannot read: no such file or directory\n"


def test_run_json_is_one_object(fake_engine, capsys):
    """--json prints exactly one JSON object on stdout."""
    assert cli.main(["run", DEMO, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["lost_acked"] == 1 and "expect" not in data


def test_run_seed_overrides(fake_engine, capsys):
    """--seed is handed to the simulation; without it the seed is None (the file's)."""
    cli.main(["run", DEMO, "--json", "--seed", "42"])
    cli.main(["run", DEMO, "--json"])
    assert [seed for _, seed in fake_engine.calls] == [42, None]


def test_run_rich_report(fake_engine, capsys):
    """Without --json the report is drawn: title, summary, lost records."""
    assert cli.main(["run", DEMO]) == 0
    out = capsys.readouterr().out
    assert "fake" in out and "Summary" in out and "Lost although acknowledged: 1" in out


def test_failed_expectation_exits_1(tmp_path, fake_engine, capsys):
    """A failed [expect] check exits 1 and says which check failed."""
    fake_engine.report = FakeReport(["lost_acked: expected 0, got 1"])
    path = write(tmp_path, "e.toml", "[expect]\nlost_acked = 0\n")
    assert cli.main(["run", path]) == 1
    assert "lost_acked: expected 0, got 1" in capsys.readouterr().out


def test_failed_expectation_in_json(tmp_path, fake_engine, capsys):
    """With --json the failures are in the object and on stderr."""
    fake_engine.report = FakeReport(["lost_acked: expected 0, got 1"])
    path = write(tmp_path, "e.toml", "[expect]\nlost_acked = 0\n")
    assert cli.main(["run", path, "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["expect"] == {"failed": ["lost_acked: expected 0, got 1"], "ok": False}
    assert err == f"{path}: 1 expectation failed: lost_acked: expected 0, got 1\n"


def test_held_expectation_exits_0(tmp_path, fake_engine, capsys):
    """Expectations that hold exit 0 and the report says so."""
    path = write(tmp_path, "e.toml", "[expect]\nlost_acked = 1\n")
    assert cli.main(["run", path]) == 0
    assert "All expectations held." in capsys.readouterr().out


def test_step_budget_exits_3(monkeypatch, capsys):
    """A run that exceeds its step budget says so on one line and exits 3."""
    def too_long(scenario, seed):
        """Stop as the engine does when the budget runs out."""
        raise cli.RunAborted(f"{scenario.source}: the run did not settle within 10 steps")
    monkeypatch.setattr(cli, "simulate", too_long)
    assert cli.main(["run", DEMO]) == 3
    assert capsys.readouterr().err == f"{DEMO}: the run did not settle within 10 steps\n"


def test_ctrl_c_exits_130(monkeypatch, capsys):
    """Ctrl+C ends the command with status 130 and no traceback."""
    def interrupted(scenario, seed):
        """Behave as if the user pressed Ctrl+C."""
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "simulate", interrupted)
    assert cli.main(["run", DEMO]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_no_arguments_runs_the_demo(fake_engine, capsys):
    """`tutor` alone runs the built-in demo."""
    assert cli.main([]) == 0
    [(scenario, seed)] = fake_engine.calls
    assert scenario.source == "demo.toml" and seed is None


def test_unknown_command_is_a_usage_error(capsys):
    """argparse refuses an unknown command with status 2."""
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2


def test_python_m_tutor_bad_file_has_no_traceback(tmp_path):
    """`python -m tutor check` on a bad file: exit 2, one line, no traceback."""
    bad = write(tmp_path, "bad.toml", "[[events]]\naction = \"crash\"\nat.ms = 1\n")
    done = subprocess.run([sys.executable, "-m", "tutor", "check", bad], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"{bad}: [[events]] #1: crash needs a target")


# The tests below run the real simulation engine.

def test_run_demo_json_with_the_engine(capsys):
    """The demo runs to the end; its JSON has the summary keys and lost acked records."""
    assert cli.main(["run", DEMO, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert SUMMARY_KEYS <= set(data["summary"])
    assert data["summary"]["lost_acked"] >= 1
    assert {"summary", "messages", "timeline"} <= set(data)


def test_failed_expectation_with_the_engine(tmp_path, capsys):
    """The demo's settings with `lost_acked = 0` expected: exit 1, the check named."""
    text = Path(DEMO).read_text() + "\n[expect]\nlost_acked = 0\n"
    path = write(tmp_path, "demo-expect.toml", text)
    assert cli.main(["run", path, "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["expect"]["ok"] is False and "lost_acked" in err


def test_python_m_tutor_runs_the_demo():
    """`python -m tutor` with no arguments prints the demo's report and exits 0."""
    done = subprocess.run([sys.executable, "-m", "tutor"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Lost although acknowledged" in done.stdout and "Traceback" not in done.stderr


def test_write_json_prints_exactly_what_json_dumps_with_indent_2_prints():
    """The streamed report encoder (a fast path for flat list items) gives json.dumps(indent=2)'s text."""
    import io
    import json

    from tutor.cli import write_json

    data = {"summary": {"sent": 3, "lost": 0}, "messages": [
        {"id": 1, "acked": True, "fate": "lost", "lost_at": None, "explanation": "é \"quoted\"\nline", "x": 1.5},
        {"nested": {"a": [1, 2]}}, {}, [], 7, "text", {"k": [{"deep": None}]}], "empty": [], "title": "t"}
    out = io.StringIO()
    write_json(data, out)
    assert out.getvalue() == json.dumps(data, indent=2) + "\n"


def test_write_json_encodes_runs_of_flat_entries_as_json_dumps_does():
    """Chunks of flat entries (one C encoder call each, across the thousand-item chunk boundary, with
    strings holding braces, commas and escaped newlines) and a lone flat entry print as json.dumps does."""
    import io
    import json

    from tutor.cli import write_json

    entries = [{"id": i, "acked": i % 2 == 0, "lost_at": None, "x": i / 4,
                "explanation": "},\n      {" if i % 7 else "a\nb \"c\" é"} for i in range(2503)]
    for data in ({"messages": entries, "n": 1}, {"one": [{"id": 0}]}, {"mixed": entries[:3] + [[1]] + entries[3:5]}):
        out = io.StringIO()
        write_json(data, out)
        assert out.getvalue() == json.dumps(data, indent=2) + "\n"


def test_write_json_of_a_report_prints_what_json_dumps_prints():
    """A report's entries (ready text for records processed once, dicts for lost ones) print as json.dumps
    prints the whole report: the demo, with records lost, and a run on two topics with names to escape."""
    import io

    from tutor.cli import write_json
    from tutor.scenario.loader import load_scenario
    from tutor.sim.simulation import Simulation
    from tutor.sim.spec import Scenario

    odd = Scenario(title="odd names", seed=3, given={
        "topic": {"name": 'q"b\\é', "partitions": 2, "replication.factor": 3},
        "consumer": {"auto.offset.reset": "earliest"}, "workload": {"messages": 2500, "interval.ms": 1, "keys": 5}},
        topics=[{"name": "tab\there\U0001F600", "partitions": 3}])
    for scenario in (load_scenario(DEMO), odd):
        report = Simulation(scenario).run_to_end()
        out = io.StringIO()
        write_json(report.to_json(lazy=True), out)
        assert out.getvalue() == json.dumps(report.to_json(), indent=2) + "\n"
    assert report.summary["sent"] == 2500 and '\\"b\\\\\\u00e9-1: processed at' in out.getvalue()
