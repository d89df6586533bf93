"""A group of several members wired to its coordinator: expectations derived from docs/groups.md and
the sources it cites (RangeAssignor, RoundRobinAssignor, ConsumerCoordinator, AbstractCoordinator,
rdkafka_cgrp.c), then checked against whole runs."""

from __future__ import annotations

from tutor.scenario.loader import parse_scenario
from tutor.sim.simulation import Simulation
from tutor.sim.snapshot import take

BASE = """
[topic]
replication.factor = 3
partitions = 3
[producer]
acks = "all"
[consumer]
instances = 2
auto.offset.reset = "earliest"
{consumer}
[workload]
messages = {messages}
interval.ms = 100
keys = 6
{events}
"""


def build(consumer: str = "", events: str = "", messages: int = 300) -> Simulation:
    """A two-member group on three partitions; record i has key i % 6."""
    return Simulation(parse_scenario(BASE.format(consumer=consumer, events=events, messages=messages)))


def group_events(sim: Simulation, kind: str | None = None) -> list:
    """The group's events in the event log (optionally one kind: removed, revoke, commit-failed, ...)."""
    return [e for e in sim.ledger.events if e.kind == "group" and (kind is None or (e.data or {}).get("event") == kind)]


def assigned_after_join(strategy: str) -> dict[str, tuple[int, ...]]:
    """Each member's partitions once the first generation is stable."""
    sim = build(f'partition.assignment.strategy = "{strategy}"')
    sim.run(8000)
    return {m.name: m.assigned for m in take(sim).group.members}


def test_range_gives_consecutive_partitions_roundrobin_deals_them():
    """RangeAssignor: members sorted by id take consecutive ranges, the first one extra; RoundRobin deals."""
    assert assigned_after_join("range") == {"consumer-1": (0, 1), "consumer-2": (2,)}
    assert assigned_after_join("roundrobin") == {"consumer-1": (0, 2), "consumer-2": (1,)}


def test_group_view_for_the_screens():
    """The snapshot's GroupView: stable generation 1 at the coordinator broker, eager range."""
    sim = build('partition.assignment.strategy = "range"')
    sim.run(8000)
    g = take(sim).group
    assert (g.state, g.generation, g.protocol, g.strategy, g.rebalancing) == ("Stable", 1, "eager", "range", False)
    assert g.coordinator == sim.wire.broker and g.coordinator in sim.brokers
    assert take(sim).consumer == g.members[0].consumer


KILL = """
[[events]]
at.ms = 15000
action = "crash"
target = "consumer-1"
"""


def test_java_member_killed_with_auto_commit_duplicates_after_session_timeout():
    """C1, C7: a Java member processing in its poll loop dies; its partitions move after
    session.timeout.ms (45000) and the records since its last auto-commit are processed again."""
    sim = build('client = "java"\npartition.assignment.strategy = "range"\nmax.poll.records = 10\nprocessing.ms = 3',
                KILL)
    rep = sim.run_to_end().to_json()
    assert rep["summary"]["lost"] == 0 and rep["summary"]["duplicates"] > 0
    removed = group_events(sim, "removed")[0]
    assert "session timeout" in removed.text and "consumer-1" in removed.text
    assert 15000 + 45000 - 3000 <= removed.t <= 15000 + 45000
    dups = [m for m in rep["messages"] if m["fate"] == "duplicated"]
    assert {m["partition"] for m in dups} <= {0, 1}  # consumer-1's partitions only
    assert all("processed by consumer-1 (generation 1) and again by consumer-2 (generation 2)" in m["explanation"]
               and "session timeout" in m["explanation"] for m in dups)


def test_librdkafka_member_killed_mid_batch_loses_records():
    """C2: librdkafka stores each offset when it hands the message over; the 100 ms auto-commit timer
    commits past records still unprocessed, so the member taking over skips them. The members start at
    20 s with 200 records waiting, so polls return full batches of ten (300 ms each)."""
    sim = build('client = "librdkafka"\nmax.poll.records = 10\nprocessing.ms = 30\nauto.commit.interval.ms = 100\n'
                'start.ms = 20000', KILL.replace("at.ms = 15000", "at.ms = 27150"))
    rep = sim.run_to_end().to_json()
    lost = [m for m in rep["messages"] if m["fate"] == "lost"]
    assert lost and rep["summary"]["duplicates"] == 0
    assert {m["partition"] for m in lost} <= {0, 1}
    assert all("handed to consumer-1" in m["explanation"] and "took t-" in m["explanation"] for m in lost)


SLOW = """
[[events]]
at.ms = 15000
action = "slow"
target = "consumer-1"
delay.ms = 2000
"""


def slow_run(client: str) -> tuple[Simulation, dict]:
    """consumer-1's records take 2 s each from 15 s on: a poll of ten outlasts max.poll.interval.ms=10000."""
    sim = build(f'client = "{client}"\npartition.assignment.strategy = "range"\ncommit.mode = "after-processing"\n'
                'max.poll.records = 10\nmax.poll.interval.ms = 10000\nprocessing.ms = 3', SLOW)
    return sim, sim.run_to_end().to_json()


def test_slow_java_member_is_removed_and_its_commit_fails():
    """C7: past max.poll.interval.ms the member leaves; the commitSync after its batch throws
    CommitFailedException and the records it processed meanwhile are processed again by consumer-2."""
    sim, rep = slow_run("java")
    removed = group_events(sim, "removed")[0]
    assert "exceeded max.poll.interval.ms=10000" in removed.text
    failed = group_events(sim, "commit-failed")
    assert failed and all(e.data["error"] == "CommitFailedException" for e in failed)
    assert failed[0].t > removed.t
    assert rep["summary"]["lost"] == 0 and rep["summary"]["duplicates"] > 0
    assert any("max.poll.interval.ms=10000" in m["explanation"] for m in rep["messages"] if m["fate"] == "duplicated")


def test_slow_librdkafka_member_gets_max_poll_exceeded_and_unknown_member_id():
    """librdkafka: the application is handed ERR__MAX_POLL_EXCEEDED; an explicit commit goes out with
    no member id and generation -1 and the coordinator answers UNKNOWN_MEMBER_ID."""
    sim, rep = slow_run("librdkafka")
    assert any("_MAX_POLL_EXCEEDED" in e.text for e in group_events(sim, "lost"))
    failed = group_events(sim, "commit-failed")
    assert failed and {e.data["error"] for e in failed} == {"UNKNOWN_MEMBER_ID"}
    assert rep["summary"]["lost"] == 0 and rep["summary"]["duplicates"] > 0


JOIN = """
[[events]]
at.ms = 20000
action = "join"
target = "consumer-3"
"""


def test_join_action_starts_a_member_and_rebalances():
    """A join beyond instances: consumer-3 joins at 20 s; range gives each member one partition."""
    sim = build('partition.assignment.strategy = "range"', JOIN)
    sim.run(40000)
    g = take(sim).group
    assert g.generation == 2 and g.state == "Stable"
    assert {m.name: m.assigned for m in g.members} == {"consumer-1": (0,), "consumer-2": (1,), "consumer-3": (2,)}


def join_run(strategy: str) -> tuple[Simulation, list]:
    """consumer-3 joins a stable group; returns the run and the revocations made."""
    sim = build(f'client = "java"\npartition.assignment.strategy = "{strategy}"', JOIN)
    sim.run(60000)
    return sim, group_events(sim, "revoke")


def test_eager_revokes_everything_cooperative_only_what_moves():
    """KIP-429 with the same sticky plan (docs/groups.md: quotas, then the rest dealt round-robin): two
    members hold t-0, t-2 and t-1. When consumer-3 joins, eager `sticky` members revoke all their
    partitions before rejoining; `cooperative-sticky` ones revoke only t-2, which moves to consumer-3
    in a follow-up rebalance."""
    sim, revokes = join_run("sticky")
    assert sorted((e.node, tuple(e.data["revoked"])) for e in revokes) == [("consumer-1", (0, 2)), ("consumer-2", (1,))]
    assert {m.name: m.assigned for m in take(sim).group.members} == {
        "consumer-1": (0,), "consumer-2": (1,), "consumer-3": (2,)}
    sim, revokes = join_run("cooperative-sticky")
    assert [(e.node, tuple(e.data["revoked"])) for e in revokes] == [("consumer-1", (2,))]
    g = take(sim).group
    assert g.protocol == "cooperative" and g.generation == 3  # the join, then the follow-up
    assert {m.name: m.assigned for m in g.members} == {"consumer-1": (0,), "consumer-2": (1,), "consumer-3": (2,)}


def test_cooperative_keeps_consuming_partitions_that_do_not_move():
    """consumer-2 keeps t-1 either way; from its rejoin to the end of the rebalance it processes t-1's
    records only under cooperative-sticky (eager revoked t-1 before rejoining)."""
    def processed_while_rebalancing(strategy: str) -> int:
        sim, _ = join_run(strategy)
        start = next(e.t for e in group_events(sim, "rejoin") if e.node == "consumer-2")
        end = max(e.t for e in group_events(sim, "assignment"))
        return sum(1 for rid, seen in sim.wire.processed_by.items() if seen[-1][0] == "consumer-2"
                   and any(start < t < end for t in sim.ledger.processed.get(rid, [])))
    assert processed_while_rebalancing("sticky") == 0
    assert processed_while_rebalancing("cooperative-sticky") > 0


def test_coordinator_failover_keeps_offsets_and_generation():
    """The coordinator's broker dies: the next replica of the group's __consumer_offsets partition loads
    the group (committed offsets and generation survive) and members go on; nothing is lost."""
    sim = build('partition.assignment.strategy = "range"',
                '[[events]]\nat.ms = 20000\naction = "crash"\ntarget = "coordinator"\nrestart.after.ms = 30000')
    first = sim.wire.broker
    rep = sim.run_to_end().to_json()
    moves = [e for e in sim.ledger.events if e.kind == "group" and (e.data or {}).get("event") == "coordinator"]
    assert any(e.data["broker"] is None for e in moves)
    new = [e.data["broker"] for e in moves if e.data["broker"]]
    assert new and new[0] != first and "(generation 1)" in moves[1].text
    assert rep["summary"]["lost"] == 0


def test_bad_group_values_are_one_clear_line():
    """Unknown assignors, librdkafka's eager+cooperative mix, too many members, slow heartbeats are refused."""
    import pytest

    from tutor.scenario.errors import ScenarioError
    for line, needle in (('partition.assignment.strategy = "fastest"', "fastest"),
                         ('client = "librdkafka"\npartition.assignment.strategy = "range,cooperative-sticky"',
                          "mixes eager and cooperative"),
                         ("instances = 9", "instances"),
                         ("heartbeat.interval.ms = 50000", "lower than session.timeout.ms")):
        with pytest.raises(ScenarioError) as err:
            text = BASE.replace("instances = 2", line) if "instances" in line else BASE.replace("{consumer}", line)
            parse_scenario(text.format(consumer="", events="", messages=10))
        assert needle in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(BASE.format(consumer="", messages=10, events=JOIN.replace("consumer-3", "consumer-2")))
    assert "beyond [consumer] instances = 2" in str(err.value)


def test_a_lone_consumer_with_a_group_key_is_removed_for_a_slow_poll_loop():
    """One member (still named `consumer`) with max.poll.interval.ms set runs the group protocol: slowed
    to 2 s a record, a poll of five or more outlasts 10 s; it leaves, its commitSync fails, it rejoins
    from the last commit and processes those records again itself. `heal` ends the slowness."""
    text = """
[topic]
replication.factor = 3
[producer]
acks = "all"
[consumer]
client = "java"
commit.mode = "after-processing"
auto.offset.reset = "earliest"
max.poll.records = 10
max.poll.interval.ms = 10000
[workload]
messages = 200
interval.ms = 100
[[events]]
at.ms = 10000
action = "slow"
target = "consumer"
delay.ms = 2000
[[events]]
at.ms = 40000
action = "heal"
target = "consumer"
"""
    sim = Simulation(parse_scenario(text))
    assert [m.name for m in sim.members] == ["consumer"] and sim.wire is not None
    rep = sim.run_to_end().to_json()
    assert any("exceeded max.poll.interval.ms=10000" in e.text for e in group_events(sim, "removed"))
    assert {e.data["error"] for e in group_events(sim, "commit-failed")} == {"CommitFailedException"}
    dups = [m for m in rep["messages"] if m["fate"] == "duplicated"]
    assert rep["summary"]["lost"] == 0 and dups
    assert all("again by the same member" in m["explanation"] for m in dups)


def test_kip848_moves_partitions_one_at_a_time_without_a_barrier():
    """group.protocol = "consumer" (docs/groups.md, KIP-848): consumer-1 joins first and owns all three;
    when consumer-2's join bumps the group epoch, consumer-1 revokes only t-2 at its next heartbeat and
    keeps consuming t-0 and t-1; consumer-2 gets t-2 once it is released. A kill is noticed after the
    broker's group.consumer.session.timeout.ms (45000)."""
    sim = build('client = "java"\ngroup.protocol = "consumer"', KILL)
    sim.run(12000)
    g = take(sim).group
    assert (g.protocol, g.strategy, g.state) == ("consumer", "uniform", "Stable")
    assert {m.name: m.assigned for m in g.members} == {"consumer-1": (0, 1), "consumer-2": (2,)}
    revokes = group_events(sim, "revoke")
    assert [(e.node, tuple(e.data["revoked"])) for e in revokes] == [("consumer-1", (2,))]
    rep = sim.run_to_end().to_json()
    removed = group_events(sim, "removed")[0]
    assert "session timeout" in removed.text and 15000 + 45000 - 5000 <= removed.t <= 15000 + 45000
    assert rep["summary"]["lost"] == 0


def test_kip848_needs_kafka_4():
    """The consumer protocol is generally available from Kafka 4.0; the broker assigns partitions."""
    import pytest

    from tutor.scenario.errors import ScenarioError
    with pytest.raises(ScenarioError) as err:
        parse_scenario("[cluster]\nkafka.version = \"3.9\"\n" + BASE.format(
            consumer='group.protocol = "consumer"', events="", messages=10))
    assert "needs Kafka 4.0 or later, not 3.9" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(BASE.format(consumer='group.protocol = "consumer"\npartition.assignment.strategy = "range"',
                                   events="", messages=10))
    assert "the broker assigns" in str(err.value)


def test_kip848_slow_member_leaves_and_its_commit_fails():
    """Past max.poll.interval.ms the member leaves (epoch -1); Java's next commitSync fails with
    CommitFailedException (UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH at the coordinator)."""
    sim = build('client = "java"\ngroup.protocol = "consumer"\ncommit.mode = "after-processing"\n'
                'max.poll.records = 10\nmax.poll.interval.ms = 10000\nprocessing.ms = 3', SLOW)
    rep = sim.run_to_end().to_json()
    assert group_events(sim, "poll-timeout")
    failed = group_events(sim, "commit-failed")
    assert failed and {e.data["error"] for e in failed} == {"CommitFailedException"}
    assert rep["summary"]["lost"] == 0 and rep["summary"]["duplicates"] > 0


def test_waits_name_the_group_timeouts():
    """What happens next: a dead member's session at the coordinator; a slow poll loop's deadline."""
    from tutor.sim.waits import pending
    sim = build('partition.assignment.strategy = "range"', KILL)
    sim.run(20000)
    [w] = [w for w in pending(sim) if w.who == "coordinator"]
    assert (w.setting, w.value) == ("session.timeout.ms", 45000) and 15000 + 42000 <= w.due <= 60000
    sim = build('client = "java"\npartition.assignment.strategy = "range"\nmax.poll.records = 10\n'
                'max.poll.interval.ms = 10000\nprocessing.ms = 3', SLOW)
    sim.run(24000)
    [w] = [w for w in pending(sim) if w.who == "consumer-1"]
    assert w.setting == "max.poll.interval.ms" and w.due == sim.members[0].last_poll + 10000


def test_a_member_the_scenario_never_named_can_join_while_the_run_goes_on():
    """The sandbox's join key: consumer-3 is started by hand at 20 s (no join event declared it); it gets a
    host on the network, joins, and range gives each member one partition, as a declared join does.
    Only the next consumer-N can be added, and only to a group."""
    from tutor.sim.spec import Action

    sim = build('partition.assignment.strategy = "range"')
    sim.run(20000)
    assert sim.apply(Action("join", "consumer-5", sim.now)) == ["consumer-5 cannot join: the next new member is consumer-3"]
    assert sim.apply(Action("join", "consumer-3", sim.now)) == ["consumer-3 starts and joins group 'tutor'"]
    copy = sim.checkpoint()  # a member added by hand is part of a copy of the run, like any other
    for run in (sim, copy):
        run.run(40000)
        g = take(run).group
        assert g.generation == 2 and g.state == "Stable"
        assert {m.name: m.assigned for m in g.members} == {"consumer-1": (0,), "consumer-2": (1,), "consumer-3": (2,)}
    lone = Simulation(parse_scenario(BASE.replace("instances = 2", "instances = 1").format(
        consumer="", events="", messages=30)))
    assert lone.apply(Action("join", "consumer-2", 0.0))[0].startswith("consumer-2 cannot join: this run's consumer")
