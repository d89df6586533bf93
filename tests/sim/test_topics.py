"""Two topics, as the article's subscribe(Arrays.asList("foo", "bar")): expectations derived from the
assignors' rules (RangeAssignor assigns each topic on its own; RoundRobinAssignor deals every
topic-partition, sorted by topic then partition, over the members sorted by id), then checked
against whole runs."""

from __future__ import annotations

from tutor.scenario.loader import parse_scenario
from tutor.sim.simulation import Simulation
from tutor.sim.snapshot import take

FOO_BAR = """
[topic]
name = "foo"
replication.factor = 3
partitions = 3
[[topics]]
name = "bar"
partitions = 3
[producer]
acks = "all"
[consumer]
instances = 2
auto.offset.reset = "earliest"
partition.assignment.strategy = "{strategy}"
[workload]
messages = 120
interval.ms = 50
keys = {keys}
"""

CRASH = '[[events]]\nat.ms = {at}\naction = "crash"\ntarget = "{target}"\n'


def build(strategy: str = "range", keys: int = 0) -> Simulation:
    """Two members subscribed to foo and bar, three partitions each."""
    return Simulation(parse_scenario(FOO_BAR.format(strategy=strategy, keys=keys)))


def assigned(strategy: str) -> dict[str, list[str]]:
    """Each member's partitions by name once the first generation is stable."""
    sim = build(strategy)
    sim.run(8000)
    return {m.name: sorted(sim.tp_name(p) for p in m.assigned) for m in take(sim).group.members}


def test_range_assigns_each_topic_on_its_own():
    """3 partitions over 2 members per topic: the first member takes 2 of each, so 4 against 2."""
    assert assigned("range") == {"consumer-1": ["bar-0", "bar-1", "foo-0", "foo-1"],
                                 "consumer-2": ["bar-2", "foo-2"]}


def test_roundrobin_deals_every_topic_partition():
    """bar-0, bar-1, bar-2, foo-0, foo-1, foo-2 dealt in turn: 3 and 3."""
    assert assigned("roundrobin") == {"consumer-1": ["bar-0", "bar-2", "foo-1"],
                                      "consumer-2": ["bar-1", "foo-0", "foo-2"]}


def test_partitions_are_named_and_placed_per_topic():
    """foo's partitions come first in the index space; each topic's replicas are placed as for a new
    topic (partition p's first replica on broker p % n + 1)."""
    sim = build()
    views = take(sim).partitions
    assert [v.tp for v in views] == ["foo-0", "foo-1", "foo-2", "bar-0", "bar-1", "bar-2"]
    assert [sim.replica_names(p)[0] for p in range(6)] == ["broker-1", "broker-2", "broker-3"] * 2


def test_records_alternate_topics_and_the_report_names_them():
    """Record i goes to topic i % 2 (foo, bar); every entry has its topic and its partition within it."""
    report = build(keys=6).run_to_end().to_json()
    msgs = report["messages"]
    assert [m["topic"] for m in msgs[:4]] == ["foo", "bar", "foo", "bar"]
    assert all(0 <= m["partition"] < 3 for m in msgs)
    assert all(m["explanation"].startswith(f"{m['topic']}-{m['partition']}: ") for m in msgs)
    parts = report["summary"]["partitions"]
    assert set(parts) == {"foo-0", "foo-1", "foo-2", "bar-0", "bar-1", "bar-2"}
    assert sum(r["sent"] for k, r in parts.items() if k.startswith("foo")) == 60
    assert report["summary"]["processed"] == 120 and report["summary"]["lost"] == 0


def test_one_topic_reports_have_no_topic_field():
    """A run with one topic keeps its entries as they were: no "topic" key."""
    sim = Simulation(parse_scenario("[topic]\npartitions = 2\n[workload]\nmessages = 5\n"))
    msgs = sim.run_to_end().to_json()["messages"]
    assert msgs and all("topic" not in m and "partition" in m for m in msgs)


def test_leader_of_a_named_topic_partition_is_a_target():
    """leader:bar-1 names bar-1's leader: with three brokers its first replica, broker-2 (bar placed
    as a new topic: partition 1 starts on broker-2). Crashing it leaves foo-1's leader, also broker-2,
    down too; bar-0 (broker-1) keeps its leader. Once the controller fences broker-2 (its session
    expires), bar-1 has another leader."""
    text = FOO_BAR.format(strategy="range", keys=0) + CRASH.format(at=3000, target="leader:bar-1")
    sim = Simulation(parse_scenario(text))
    sim.run(3500)
    assert not sim.brokers["broker-2"].up and sim.brokers["broker-1"].up
    sim.run(3000 + sim.config.session_timeout_ms() + 2000)
    assert sim.controller.leader_of(sim.index_of(("bar", 0))) == "broker-1"
    assert sim.controller.leader_of(sim.index_of(("bar", 1))) != "broker-2"


def test_unknown_topic_in_a_role_is_one_line():
    """leader:baz-0 in a run without baz: the error names the topics."""
    import pytest
    from tutor.scenario.errors import ScenarioError
    text = FOO_BAR.format(strategy="range", keys=0) + CRASH.format(at=3, target="leader:baz-0")
    with pytest.raises(ScenarioError, match=r'names topic "baz"; the topics are foo, bar'):
        parse_scenario(text)
    with pytest.raises(ScenarioError, match=r"topic bar has 3 partition\(s\): bar-0 to bar-2"):
        parse_scenario(text.replace("baz-0", "bar-3"))
