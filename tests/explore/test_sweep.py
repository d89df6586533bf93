"""Sweep files: what they build, and one clear line for every mistake."""

import pytest

from tutor.explore.sweep import UNSET, default_sweep, parse_sweep
from tutor.scenario import ScenarioError

from .sweeps import TINY

BASE = """
[base.topic]
replication.factor = 3
[base.consumer]
auto.offset.reset = "earliest"
"""


def error(text: str) -> str:
    """The one-line error a bad sweep raises."""
    with pytest.raises(ScenarioError) as info:
        parse_sweep(text, source="s.toml")
    line = str(info.value)
    assert "\n" not in line and line.startswith("s.toml: ")
    return line


def test_every_combination_is_one_configuration_in_file_order():
    sweep = parse_sweep(BASE + '[sweep]\n"producer.acks" = [0, "all"]\n"topic.min.insync.replicas" = [1, 2]\n')
    assert sweep.configurations() == [
        {"producer.acks": "0", "topic.min.insync.replicas": 1}, {"producer.acks": "0", "topic.min.insync.replicas": 2},
        {"producer.acks": "all", "topic.min.insync.replicas": 1},
        {"producer.acks": "all", "topic.min.insync.replicas": 2}]


def test_without_faults_the_whole_builtin_suite_runs():
    sweep = parse_sweep(BASE)
    assert [f.name for f in sweep.faults] == [
        "none", "leader-crash", "leader-power-loss", "all-brokers-power-loss", "zombie-leader",
        "slow-followers-leader-power-loss", "producer-crash", "consumer-crash", "long-partition"]
    assert sweep.configurations() == [{}]


def test_unset_leaves_the_key_out_so_the_default_applies():
    sweep = parse_sweep(BASE.replace("[base.consumer]", "[base.broker]\nlog.flush.interval.messages = 5\n"
                                     "[base.consumer]") + '[sweep]\n"broker.log.flush.interval.messages" = [1, "unset"]\n')
    assert sweep.configurations()[1] == {"broker.log.flush.interval.messages": UNSET}
    assert sweep.scenario(0, "none").config.broker["log.flush.interval.messages"] == 1
    assert sweep.scenario(1, "none").config.broker["log.flush.interval.messages"] is None  # never


def test_builtin_faults_are_timed_to_the_configuration():
    sweep = parse_sweep(BASE + '[base.workload]\nmessages = 40\ninterval.ms = 10\n')
    cut, heal = sweep.scenario(0, "zombie-leader").events
    assert (cut.action, cut.at_ms, heal.action) == ("partition", 200.0, "heal")  # 40 records x 10 ms / 2
    assert heal.at_ms == 200.0 + 9000 + 3000  # past broker.session.timeout.ms: the controller fences the zombie
    crash = sweep.scenario(0, "consumer-crash").events[0]
    assert (crash.action, crash.target, crash.when_processed) == ("crash", "consumer", 20)
    cut, heal = sweep.scenario(0, "long-partition").events
    assert heal.at_ms - cut.at_ms > 120000  # outlasts the Java producer's delivery.timeout.ms


def test_faults_tables_add_custom_faults_beside_builtins():
    sweep = parse_sweep(BASE + '[[faults]]\nname = "none"\n[[faults]]\nname = "controller-crash"\n'
                        'events = [{ at.ms = 100, action = "crash", target = "controller" }]\n')
    assert [f.name for f in sweep.faults] == ["none", "controller-crash"]
    assert sweep.scenario(0, "controller-crash").events[0].target == "controller"


def test_the_default_sweep_is_valid_and_small():
    sweep = default_sweep()
    assert len(sweep.configurations()) * len(sweep.faults) * len(sweep.seeds) <= 300


@pytest.mark.parametrize("text, message", [
    ("sweeps = 1\n", "s.toml: sweeps: unknown key; did you mean sweep?"),
    ('[sweep]\n"producer.ack" = ["1"]\n', 's.toml: [sweep] "producer.ack": unknown key "ack" in [producer]; '
                                          'did you mean acks?'),
    ('[sweep]\n"produce.acks" = ["1"]\n', 's.toml: [sweep] "produce.acks": unknown section "produce"; '
                                          'did you mean producer?'),
    ('[sweep]\n"producer.acks" = ["1", "2"]\n', 's.toml: [sweep] "producer.acks" value #2: takes "all", "-1", "1", '
                                                '"0" (or the integers -1, 0, 1), not "2" (or "unset" for the default)'),
    ('[sweep]\n"producer.acks" = []\n', 's.toml: [sweep] "producer.acks": takes a non-empty array of values, not []'),
    ('[sweep]\nproducer.acks = ["1"]\n', 's.toml: [sweep] producer: quote the dotted name'),
    ('faults = ["leader-crsh"]\n', 's.toml: faults #1: unknown fault "leader-crsh"; did you mean leader-crash?'),
    ('seeds = [1, 1]\n', "s.toml: seeds: lists a seed twice: [1, 1]"),
    ('seeds = []\n', "s.toml: seeds: takes a non-empty array of integers >= 0, not []"),
    ('[base.producer]\nack = 1\n', "s.toml: [base.producer] ack: unknown key; did you mean acks?"),
    ('[base.produce]\nacks = 1\n', "s.toml: [base.produce]: unknown section; did you mean producer?"),
    ('[sweep]\n"topic.replication.factor" = [1, 3]\n"topic.min.insync.replicas" = [2]\n',
     "s.toml: [sweep] topic.replication.factor = 1, topic.min.insync.replicas = 2: [topic] min.insync.replicas: "
     "is 2, more than replication.factor 1"),
    ('[[faults]]\nname = "x"\nevents = [{ at.ms = 1, action = "explode", target = "leader" }]\n',
     's.toml: faults #1 (x) [[events]] #1 action: unknown action "explode"'),
    ('[[faults]]\nname = "leader-crash"\nevents = []\n', 's.toml: faults #1 name: "leader-crash" is a built-in'),
    ('faults = ["none", "none"]\n', 's.toml: faults: names "none" twice'),
    ("[sweep\n", "s.toml: line 1: TOML syntax error"),
])
def test_a_mistake_is_one_line_naming_the_key(text, message):
    assert error(text).startswith(message)


def test_a_fault_that_needs_a_consumer_says_so():
    assert error('faults = ["consumer-crash"]\n[base.topic]\nreplication.factor = 3\n') == \
        "s.toml: faults #1: consumer-crash needs a consumer: add [base.consumer]"


def test_the_tiny_sweep_parses():
    assert len(parse_sweep(TINY).configurations()) == 2


def test_the_documented_sweep_parses():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "explore.md").read_text()
    [block] = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    sweep = parse_sweep(block, source="docs")
    assert len(sweep.configurations()) == 4 and [f.name for f in sweep.faults][-1] == "all-brokers-power-loss"
