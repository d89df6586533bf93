"""The command line explains itself: every subcommand's --help describes it and each of its arguments;
`tutor run` prints the scenario's title and description, with a progress line on a terminal's stderr;
`tutor lab N` takes the number from the list."""

import argparse
import io
import time

from tutor.cli import ProgressLine, build_parser, main
from tutor.lab.catalog import LABS
from tutor.lab.command import _by_number
from tutor.scenario import builtin_scenario
from tutor.sim.simulation import Simulation


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    """Every `tutor COMMAND` parser by name."""
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_describes_itself_and_its_arguments():
    """A description, and a help line for every argument but -h."""
    for name, parser in _subparsers().items():
        assert parser.description and len(parser.description) > 30, name
        for action in parser._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"tutor {name}: {action.dest} has no help"


def test_run_prints_title_and_description_above_the_report(capsys):
    """The report starts with the scenario's title and its description, then the summary."""
    from pathlib import Path

    demo = Path(__file__).resolve().parents[1] / "tutor" / "data" / "scenarios" / "demo.toml"
    assert main(["run", str(demo)]) == 0
    out = capsys.readouterr().out
    title, description = builtin_scenario("demo").title, builtin_scenario("demo").description
    first_words = " ".join(description.split()[:6])
    assert out.index(title) < out.index("The producer uses acks=1") < out.index("Summary")
    assert first_words in " ".join(out.split())


def test_progress_line_reports_and_clears_without_changing_the_result():
    """On a terminal a line says how far the run got; the report is the same as without it."""
    scenario = builtin_scenario("demo")
    sim = Simulation(scenario)
    stream = io.StringIO()
    ProgressLine.DELAY_S, saved = 0.0, ProgressLine.DELAY_S
    try:
        watcher = ProgressLine(sim, stream)
        for _ in range(1000):  # wait for the first line (state, not a fixed time)
            if watcher.shown:
                break
            time.sleep(0.01)
        report = sim.run_to_end()
        watcher.stop()
    finally:
        ProgressLine.DELAY_S = saved
    text = stream.getvalue()
    assert "simulating…" in text and text.endswith("\r\x1b[K")
    assert report.to_json() == Simulation(scenario).run_to_end().to_json()


def test_lab_takes_its_number_from_the_list():
    """`tutor lab 1` is the first lab listed; names still work; other numbers stay unknown."""
    names = list(LABS)
    assert _by_number("1") == names[0] and _by_number(str(len(names))) == names[-1]
    assert _by_number(names[1]) == names[1] and _by_number("99") == "99"
