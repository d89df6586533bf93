"""`tutor lab` without the real client: the catalog, the scenarios, usage errors, verdicts and exit codes."""

import sys

import pytest
from rich.console import Console

from tutor import cli
from tutor.lab import LABS, available_labs
from tutor.lab import command as lab_cmd
from tutor.lab.outcome import Outcome, differences, span
from tutor.lab.scenarios import NOT_MODELLED, predict, scenario, scenario_text, unmodelled
from tutor.lab.target import Target

#: what each case is designed to show: (lost ids, duplicated ids)
DESIGNED = {
    "default-store": (list(range(25, 30)), []),
    "store-after-processing": ([], [24]),
    "before-processing": (list(range(25, 30)), []),
    "after-processing": ([], list(range(20, 25))),
    "linger": (list(range(0, 20)), []),
    "queue-full": (list(range(10, 30)), []),
}
CASES = [(lab.name, case) for lab in LABS.values() for case in lab.cases]
#: the cases the simulator can predict today; a group case joins them once the loader takes its scenario
MODELLED = [(lab, case) for lab, case in CASES if unmodelled(case, Target()) is None]
#: the cases with a designed outcome to predict exactly; the group case's (offsets 8-9 of consumer-1's
#: partition lost) rests on the real producer's i % 3 partitioning and the mock's fixed 3 s first join,
#: which the simulator does not share (keyed records; Kafka's initial delay grows while members arrive)
DESIGNED_CASES = [(lab, case) for lab, case in MODELLED if case.name in DESIGNED]
GROUP = LABS["consumer-group"].cases[0]


def test_available_labs_names_each_lab_with_title_and_description():
    """The hook for the UI and lessons: (name, title, description), the four labs of the issue."""
    labs = available_labs()
    assert [name for name, _, _ in labs] == ["auto-commit", "commit-order", "producer-crash", "buffer-full",
                                             "consumer-group"]
    assert all(title and description for _, title, description in labs)


@pytest.mark.parametrize("target", [Target(), Target("kafka:9092")], ids=["mock", "real"])
@pytest.mark.parametrize("lab, case", DESIGNED_CASES, ids=[c.name for _, c in DESIGNED_CASES])
def test_the_simulator_predicts_what_each_case_is_designed_to_show(lab, case, target):
    """Each case's scenario loads and the simulator loses (or duplicates) exactly the designed ids."""
    predicted = predict(case, target)
    assert (predicted.lost, predicted.duplicated) == DESIGNED[case.name]


def test_scenarios_mirror_the_real_settings():
    """The scenario carries the real run's client, batch size, processing time and crash trigger."""
    case = LABS["auto-commit"].cases[1]
    sc = scenario(case, Target())
    consumer = sc.config.consumer
    assert consumer["client"] == "librdkafka" and consumer["max.poll.records"] == 10
    assert consumer["enable.auto.offset.store"] is False and consumer["auto.commit.interval.ms"] == 10
    assert consumer["session.timeout.ms"] == Target().session_timeout_ms
    assert sc.events[0].when_processed == 25 and sc.events[0].action == "crash"
    assert '"enable.auto.offset.store" = false' in scenario_text(case, Target())


def test_the_broker_round_trip_is_mirrored_only_on_the_mock():
    """buffer-full slows the mock's brokers; a real cluster cannot be slowed, so neither is the scenario."""
    case = LABS["buffer-full"].cases[0]
    assert [e.action for e in scenario(case, Target()).events] == ["slow"]
    assert scenario(case, Target("kafka:9092")).events == []


def test_differences_name_each_figure_that_differs():
    """A verdict names what differs, in both columns."""
    a = Outcome(30, 10, 20, 10, list(range(10, 30)), [])
    b = Outcome(30, 11, 19, 11, list(range(11, 30)), [])
    assert differences(a, a) == []
    assert differences(a, b) == ["acknowledged: simulator 10, real client 11",
                                 "send errors the application saw: simulator 20, real client 19",
                                 "processed (or, without a consumer, in the log): simulator 10, real client 11",
                                 "lost ids: simulator 10-29, real client 11-29"]
    assert span([1, 2, 3, 7]) == "1-3, 7" and span([]) == "none"


def test_without_a_lab_it_lists_them(capsys):
    """`tutor lab` lists the labs and exits 0."""
    assert cli.main(["lab"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in LABS)


def test_an_unknown_lab_is_a_usage_error(capsys):
    """Exit 2 with one line naming the near miss."""
    assert cli.main(["lab", "autocommit"]) == 2
    assert "did you mean auto-commit?" in capsys.readouterr().err


def test_a_malformed_bootstrap_server_is_a_usage_error(capsys):
    """--bootstrap-servers takes HOST:PORT."""
    assert cli.main(["lab", "buffer-full", "--bootstrap-servers", "localhost"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err


def test_without_confluent_kafka_it_says_how_to_install_it(monkeypatch, capsys):
    """No real client: exit 2 and the pip command for the extra."""
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)  # makes the import fail
    assert cli.main(["lab", "auto-commit"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'kafka-tutor[lab]'" in err and "pip install '.[lab]'" in err


class FakeCluster:
    """Stands in for the cluster so the verdict can be tested without a real run."""

    def __init__(self, target, rtt):
        """Remember nothing."""

    def close(self):
        """No topic to remove."""
        return []


def _fake_run(monkeypatch, real):
    """Make every real run end with `real` (an Outcome) or raise it (an exception)."""
    import tutor.lab.runner as runner

    def run(self, progress):
        """The scripted outcome."""
        if isinstance(real, Exception):
            raise real
        return real

    monkeypatch.setattr(runner, "LabCluster", FakeCluster)
    monkeypatch.setattr(runner.RealRun, "run", run)
    monkeypatch.setattr(lab_cmd, "client_version", lambda: "confluent-kafka test")


def test_a_disagreement_is_said_plainly_and_exits_1(monkeypatch):
    """The verdict says DISAGREE with what differs; exit status 1."""
    _fake_run(monkeypatch, Outcome(30, 10, 20, 11, list(range(11, 30)), []))
    console = Console(record=True, width=200)
    assert lab_cmd.lab_command("buffer-full", None, console) == 1
    text = console.export_text()
    assert "Simulator predicts: lost 10-29" in text
    assert "Verdict: DISAGREE" in text and "lost ids: simulator 10-29, real client 11-29" in text


def test_an_agreement_exits_0(monkeypatch):
    """The prediction, the table and "Verdict: agree"; exit status 0."""
    _fake_run(monkeypatch, Outcome(30, 10, 20, 10, list(range(10, 30)), []))
    console = Console(record=True, width=200)
    assert lab_cmd.lab_command("buffer-full", None, console) == 0
    text = console.export_text()
    assert text.index("Simulator predicts") < text.index("lost ids") < text.index("Verdict: agree")


def test_a_failed_real_run_exits_3(monkeypatch):
    """A real run that cannot complete (say, an unreachable cluster) is neither agree nor disagree."""
    from tutor.lab.cluster import LabError

    _fake_run(monkeypatch, LabError("cannot reach kafka:9092"))
    console = Console(record=True, width=200)
    assert lab_cmd.lab_command("buffer-full", None, console) == 3
    assert "cannot reach kafka:9092" in console.export_text()


def test_docs_describe_every_lab_and_case():
    """docs/lab.md has a section for each lab and names each of its cases."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "lab.md").read_text(encoding="utf-8")
    assert all(f"### {lab.name}:" in doc for lab in LABS.values())
    assert all(f"`{case.name}`" in doc for _, case in CASES)


def test_a_prediction_reads_ids_ranges_and_none_and_refuses_ids_past_the_run():
    """The lesson pick syntax ("25-29, 31"), "none" for nothing lost; ids past the case's records refused."""
    from tutor.lab.predict import parse_prediction

    case = LABS["auto-commit"].cases[0]  # 40 records: ids 0-39
    assert parse_prediction(" 25-27, 31 ", case) == {25, 26, 27, 31}
    assert parse_prediction("None", case) == frozenset()
    with pytest.raises(ValueError, match="0 to 39"):
        parse_prediction("0-300000000", case)
    for bad in ("lots", "", "25-"):
        with pytest.raises(ValueError, match="such as 3-7, 12, or none"):  # no lab's answer as the example
            parse_prediction(bad, case)


def test_the_prompt_asks_again_after_a_bad_answer_and_skips_on_enter_or_end_of_input():
    """A bad answer gets one line and the question again; Enter or end of input is no prediction."""
    from tutor.lab.predict import QUESTION, ask

    case = LABS["auto-commit"].cases[0]
    answers, asked, said = iter(["25-", "25-29"]), [], []
    assert ask(case, lambda q: asked.append(q) or next(answers), said.append) == set(range(25, 30))
    assert asked == [QUESTION, QUESTION] and len(said) == 1 and "try again" in said[0]
    assert ask(case, lambda q: "", said.append) is None
    assert ask(case, lambda q: None, said.append) is None


def test_a_prediction_is_scored_right_missed_and_extra():
    """Exact, or how many lost ids were named, which were missed and which were named but not lost."""
    from tutor.lab.predict import score

    assert score({25, 26, 27, 28, 29}, range(25, 30)).words() == "exact"
    assert score(set(), []).exact
    partial = score({24, 25, 26}, range(25, 30))
    assert (partial.right, partial.missed, partial.extra) == ({25, 26}, {27, 28, 29}, {24})
    assert partial.words() == "2 of 5 right; missed 27-29; extra 24"
    assert score({3}, []).words() == "nothing was lost; extra 3"


def test_predict_once_per_case_or_a_usage_error(monkeypatch, capsys):
    """--predict counts and reads are checked before anything runs: exit 2 with one line."""
    _fake_run(monkeypatch, AssertionError("must not run"))
    assert cli.main(["lab", "auto-commit", "--predict", "25-29"]) == 2
    assert "auto-commit has 2 cases: give --predict once per case" in capsys.readouterr().err
    assert cli.main(["lab", "buffer-full", "--predict", "10-99"]) == 2
    assert "--predict: record ids run from 0 to 29 here" in capsys.readouterr().err


def test_on_a_terminal_the_learner_predicts_before_the_simulator_answers(monkeypatch):
    """The question comes before "Simulator predicts"; after the run, the prediction scored beside both."""
    _fake_run(monkeypatch, Outcome(30, 10, 20, 10, list(range(10, 30)), []))
    monkeypatch.setattr("builtins.input", lambda prompt="": "12-29, 5")
    console = Console(record=True, width=200)
    assert lab_cmd.lab_command("buffer-full", None, console, interactive=True) == 0
    text = console.export_text()
    assert text.index("Your prediction: which record ids") < text.index("Simulator predicts")
    assert "18 of 20 right; missed 10-11; extra 5" in text
    assert text.index("Verdict: agree") < text.index("scored against the real client")


def test_without_a_terminal_nothing_is_asked(monkeypatch):
    """Stdin that is not a terminal (CI): no prompt, no prediction table, the lab runs as before."""
    _fake_run(monkeypatch, Outcome(30, 10, 20, 10, list(range(10, 30)), []))
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked without a terminal"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    console = Console(record=True, width=200)
    assert lab_cmd.lab_command("buffer-full", None, console) == 0
    text = console.export_text()
    assert "Your prediction" not in text and "scored against" not in text and "Verdict: agree" in text


def test_a_lessons_end_in_text_mode_names_its_labs():
    """Each lesson that names labs ends with their `tutor lab NAME` commands."""
    from tutor.lessons import load_catalog
    from tutor.text.player import lab_lines

    lessons = [item.lesson for item in load_catalog().items if item.lesson is not None and item.lesson.labs]
    assert lessons
    for lesson in lessons:
        lines = lab_lines(lesson)
        assert all(any(f"tutor lab {name} " in line for line in lines) for name in lesson.labs)


def test_the_group_scenario_file_mirrors_the_real_run():
    """tutor/data/lab/group-member-killed.toml has the real run's settings, so that the simulator runs the
    same experiment as soon as it models groups; the kill lands inside consumer-1's record after its last."""
    import tomllib

    run = GROUP.run
    data = tomllib.loads(scenario_text(GROUP, Target()))
    consumer = data["consumer"]
    assert data["topic"]["partitions"] == run.partitions and data["workload"]["messages"] == run.messages
    assert consumer["instances"] == run.members and consumer["client"] == "librdkafka"
    assert consumer["max.poll.records"] == run.batch and consumer["processing.ms"] == run.processing_ms
    assert {k: consumer[k] for k in run.kafka_settings()} == run.kafka_settings()
    [kill] = data["events"]
    assert (kill["action"], kill["target"]) == ("crash", "consumer-1") and "restart" not in kill  # stays dead
    joined = data["broker"]["group"]["initial"]["rebalance"]["delay"]["ms"]  # unquoted dotted keys nest
    started, each = joined + run.crash_after * run.processing_ms, run.processing_ms
    assert started < kill["at"]["ms"] < started + each
    assert scenario_text(GROUP, Target("kafka:9092")) == scenario_text(GROUP, Target())  # 6 s suits both


def _group_outcome():
    """A group run as the real client ends it: consumer-1 killed with offsets 8-9 of partition 1 handed over."""
    from tutor.lab.outcome import RecordFate

    records = []
    for rid in range(30):
        partition, offset = rid % 3, rid // 3
        by = ("consumer-2",) if partition != 1 else ("consumer-1",) if offset < 8 else ()
        records.append(RecordFate(rid, partition, offset, by))
    return Outcome(30, 30, 0, 28, [25, 28], [], records)


def test_a_group_case_shows_each_partitions_records_and_an_honest_prediction_line(monkeypatch):
    """Per partition: who processed which offsets, which were never processed (ids too). Without the
    simulator's support for groups, one line says so and there is no verdict, and the exit status is 0."""
    _fake_run(monkeypatch, _group_outcome())
    console = Console(record=True, width=200)
    status = lab_cmd.lab_command("consumer-group", None, console, predictions=["25, 28"])
    text = console.export_text()
    assert "offsets 0-7 by consumer-1" in text and "offsets 8-9 (ids 25, 28)" in text
    assert "offsets 0-9 by consumer-2" in text
    assert "Your prediction, scored against the real client" in text and "exact" in text
    if unmodelled(GROUP, Target()) is not None:
        assert f"Simulator predicts: nothing: {NOT_MODELLED}" in text
        assert "[consumer] instances" in text  # the loader's own words, not swallowed as markup
        assert "No verdict" in text and "Verdict:" not in text and status == 0
    else:
        assert "Simulator predicts: lost" in text and "Verdict:" in text
