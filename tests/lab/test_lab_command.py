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
#: the cases with a designed outcome to predict exactly (the group case has its own tests below)
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
    """tutor/data/lab/group-member-killed.toml has the real run's settings and places every record on the
    partition and offset the real producer writes it to."""
    import tomllib

    run = GROUP.run
    data = tomllib.loads(scenario_text(GROUP, Target()))
    consumer = data["consumer"]
    assert data["topic"]["partitions"] == run.partitions and data["workload"]["messages"] == run.messages
    assert data["workload"]["keys"] == run.keys
    assert consumer["instances"] == run.members and consumer["client"] == "librdkafka"
    assert consumer["max.poll.records"] == run.batch and consumer["processing.ms"] == run.processing_ms
    assert {k: consumer[k] for k in run.kafka_settings()} == run.kafka_settings()
    [kill] = data["events"]
    assert (kill["action"], kill["target"]) == ("crash", "consumer-1") and "restart" not in kill  # stays dead
    assert scenario_text(GROUP, Target("kafka:9092")) == scenario_text(GROUP, Target())  # 6 s suits both
    predicted = predict(GROUP, Target())
    where = {p: ids for p, ids in run.placement().items()}
    assert [(r.id, r.partition, r.offset) for r in predicted.records] == \
        [(i, run.partition_of(i), where[run.partition_of(i)].index(i)) for i in range(run.messages)]


def test_the_simulator_kills_consumer_1_where_the_real_run_does():
    """In the simulation, consumer-1 has processed exactly crash_after records of one partition (a prefix),
    in the middle of its batch, when the crash comes: the point the real run kills it at."""
    run = GROUP.run
    predicted = predict(GROUP, Target())
    mine = [r for r in predicted.records if "consumer-1" in r.by]
    assert len(mine) == run.crash_after and len({r.partition for r in mine}) == 1
    assert sorted(r.offset for r in mine) == list(range(run.crash_after))
    assert run.crash_after % run.batch != 0  # mid-batch
    assert predicted.owners == {"consumer-1": (0, 1), "consumer-2": (2,)}


def test_the_simulator_predicts_the_rest_of_consumer_1s_batch_lost():
    """The default offset store committed the batch consumer-1 was handed: the records after its kill point,
    to the batch's end, are lost; nothing is processed twice; consumer-2's partition is untouched."""
    from tutor.lab.outcome import shape

    run = GROUP.run
    predicted = predict(GROUP, Target())
    batch_end = -(-run.crash_after // run.batch) * run.batch
    lost = tuple(range(run.crash_after, batch_end))
    assert [(r.partition, r.offset) for r in predicted.records if r.fate == "lost"] == [(0, o) for o in lost]
    assert predicted.duplicated == [] and predicted.processed == run.messages - len(lost)
    assert shape(predicted) == (("consumer-1", (((), ()), (lost, ()))), ("consumer-2", (((), ()),)))


def _group_outcome(partition=1):
    """A group run as the real client ends it: consumer-1 killed with offsets 8-9 of `partition` handed over
    (the mock's partition 3 is consumer-2's and empty)."""
    from tutor.lab.outcome import RecordFate

    run = GROUP.run
    where = run.placement()
    records = []
    for rid in range(run.messages):
        p = run.partition_of(rid)
        offset = where[p].index(rid)
        by = ("consumer-2",) if p != partition else ("consumer-1",) if offset < 8 else ()
        records.append(RecordFate(rid, p, offset, by))
    lost = [r.id for r in records if not r.by]
    return Outcome(30, 30, 0, 28, lost, [], records, {"consumer-1": (0, 1), "consumer-2": (2, 3)})


def test_a_group_case_agrees_by_count_and_place_and_shows_the_ids_beside(monkeypatch):
    """The real consumer-1 lost offsets 8-9 of partition 1, the simulated one of partition 0: the verdict
    compares counts and where (offsets of whose partitions), so they agree; both ids are shown, with a line
    saying why they differ; the learner's ids of partition 1 are exact, of partition 0 count and place."""
    _fake_run(monkeypatch, _group_outcome(partition=1))
    real_ids = span(_group_outcome(1).lost)
    console = Console(record=True, width=250)
    status = lab_cmd.lab_command("consumer-group", None, console, predictions=[real_ids])
    text = console.export_text()
    sim_ids = span(predict(GROUP, Target()).lost)
    assert f"Simulator predicts: lost {sim_ids} (partition 0 offsets 8-9)" in text
    assert "Records by partition, in offset order: partition 0: ids" in text
    assert "offsets 0-7 by consumer-1" in text and "offsets 8-9 (ids" in text
    assert "consumer-1: offsets 8-9 lost in 1 of its 2 partitions; consumer-2: nothing lost" in text
    assert f"{real_ids} (partition 1 offsets 8-9)" in text and "The ids differ" in text
    assert "Verdict: agree" in text and status == 0
    assert "count right, place right; ids: exact" in text
    assert "count right, place right; ids: 0 of 2 right" in text  # the simulator's own line


def test_a_group_case_that_duplicates_instead_disagrees(monkeypatch):
    """Records processed twice where the simulator lost them: DISAGREE, naming the counts and the place."""
    from dataclasses import replace

    real = _group_outcome(partition=0)
    records = [replace(r, by=("consumer-1", "consumer-2")) if r.partition == 0 and r.offset in (6, 7)
               else replace(r, by=("consumer-2",)) if not r.by else r for r in real.records]
    real = Outcome(30, 30, 0, 30, [], [r.id for r in records if len(r.by) > 1], records, real.owners)
    _fake_run(monkeypatch, real)
    console = Console(record=True, width=250)
    assert lab_cmd.lab_command("consumer-group", None, console, predictions=["none"]) == 1
    text = console.export_text()
    assert "Verdict: DISAGREE" in text and "lost: simulator 2, real client 0" in text
    assert "consumer-1: offsets 6-7 processed twice in 1 of its 2 partitions" in text
    assert "count wrong (you said 0, 0 lost)" not in text and "count right, place right" in text


def test_a_group_run_that_went_on_past_a_rebalance_says_it_is_not_the_cases_setup(monkeypatch):
    """The lab's last attempt went on after the group rebalanced before the kill, and consumer-1 lost
    nothing: the verdict disagrees, and a line says what the group did and why the prediction is not for
    this run; a run in the case's setup has no such line."""
    from dataclasses import replace

    real = _group_outcome(partition=0)
    records = [replace(r, by=("consumer-1",)) if r.partition == 0 else r for r in real.records]
    real = Outcome(30, 30, 0, 30, [], [], records, real.owners,
                   unsettled=("consumer-1's partitions were revoked before the kill: the group rebalanced after it "
                              "had formed",))
    _fake_run(monkeypatch, real)
    console = Console(record=True, width=250)
    assert lab_cmd.lab_command("consumer-group", None, console, predictions=["none"]) == 1
    text = console.export_text()
    assert "Verdict: DISAGREE" in text and "lost: simulator 2, real client 0" in text
    assert ("Not this case's setup: on the lab's last attempt (a new group each time), consumer-1's "
            "partitions were revoked before the kill: the group rebalanced after it had formed, and the run "
            "went on.") in text
    _fake_run(monkeypatch, _group_outcome(partition=0))
    console = Console(record=True, width=250)
    lab_cmd.lab_command("consumer-group", None, console, predictions=["none"])
    assert "Not this case's setup" not in console.export_text()
