"""Flush, ISR, election and consumer-recovery rules, each checked on the run that shows it."""

from __future__ import annotations

from pathlib import Path

from _build import at, live, texts

from tutor.scenario import load_scenario
from tutor.sim.config import build_config, check_config
from tutor.sim.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _run(name: str) -> Simulation:
    """Run a scenario file to its end; the simulation keeps the timeline."""
    sim = Simulation(load_scenario(SCENARIOS / name))
    sim.run_to_end()
    return sim


def test_follower_at_the_log_end_is_never_dropped():
    """R11: no ISR change at all while broker-3, unable to fetch, holds everything the leader has."""
    sim = _run("r11-follower-at-log-end-stays-in-isr.toml")
    assert not [t for t in texts(sim) if t.startswith("ISR for t-0")]


def test_follower_behind_the_log_end_is_dropped():
    """R1: the same cut while records keep coming: broker-3 falls behind and leaves the ISR."""
    sim = live([at(1000, "partition", between=[["broker-3"], ["broker-1"]])],
               workload={"messages": 10000, "interval.ms": 10})
    sim.run(50_000)
    assert any("shrank from [1,2,3] to [1,2] (broker-3 fell behind)" in t for t in texts(sim))


def test_kraft_before_3_9_says_why_it_stays_offline():
    """R12: the offline line names the KRaft rule, not the topic setting."""
    sim = _run("r12-kraft-3.6-ignores-unclean-election.toml")
    assert any("ignores unclean.leader.election.enable=true (honoured from 3.9)" in t for t in texts(sim))
    assert not any("UNCLEAN" in t for t in texts(sim))


def _offline(version: str, mode: str = "kraft", session: str = "broker.session.timeout.ms") -> Simulation:
    """The ISR (broker-1, broker-2) dies; broker-3, dropped earlier, is back: t-0 is offline."""
    events = [at(0, "crash", "broker-3", restart__after__ms=4000), at(2000, "crash", "broker-1"),
              at(2000, "crash", "broker-2")]
    sim = live(events, cluster={"kafka.version": version, "metadata.mode": mode},
               broker={session: 1500, "broker.heartbeat.interval.ms": 500}, workload={"messages": 10})
    sim.run(8000)
    assert sim.controller.leader is None
    return sim


def test_kraft_3_9_elects_unclean_at_its_next_check_of_leaderless_partitions():
    """R12: turned on live, KRaft 3.9 elects within 5 minutes of the partition going offline, not at once."""
    sim = _offline("3.9")
    offline_at = next(e.t for e in sim.ledger.events if e.kind == "offline")
    sim.set("topic", "unclean.leader.election.enable", True)
    sim.run(offline_at + 299_000)
    assert sim.controller.leader is None
    sim.run(offline_at + 301_000)
    assert sim.controller.leader == "broker-3"


def test_kraft_3_8_never_elects_unclean():
    """R12: before 3.9 the KRaft controller never reads the setting."""
    sim = _offline("3.8")
    sim.set("topic", "unclean.leader.election.enable", True)
    sim.run(700_000)
    assert sim.controller.leader is None


def test_zookeeper_elects_unclean_as_soon_as_it_is_turned_on():
    """R12: ZooKeeper mode (2.1+, KAFKA-6835) elects when the topic setting changes."""
    sim = _offline("3.6", "zookeeper", "zookeeper.session.timeout.ms")
    sim.set("topic", "unclean.leader.election.enable", True)
    sim.run(8100)
    assert sim.controller.leader == "broker-3"


def test_metadata_mode_must_exist_in_the_version():
    """KRaft is offered from 3.3; ZooKeeper mode is gone in 4.0; the default follows the version."""
    assert build_config({"cluster": {"kafka.version": "3.2"}}).cluster["metadata.mode"] == "zookeeper"
    assert build_config({"cluster": {"kafka.version": "3.3"}}).cluster["metadata.mode"] == "kraft"
    for version, mode in (("3.2", "kraft"), ("4.0", "zookeeper")):
        given = {"cluster": {"kafka.version": version, "metadata.mode": mode}}
        assert [k for _, k, _ in check_config(build_config(given), given)] == ["metadata.mode"]


def test_librdkafka_auto_commit_turned_on_live_commits():
    """A running librdkafka consumer whose auto-commit is switched on commits from its timer."""
    sim = live(consumer={"client": "librdkafka", "enable.auto.commit": False, "commit.mode": "after-processing",
                         "auto.commit.interval.ms": 200},
               broker={"group.initial.rebalance.delay.ms": 0}, workload={"messages": 1000, "interval.ms": 10})
    sim.run(1000)
    sim.set("consumer", "commit.mode", "auto")
    sim.run(1500)
    assert sim.group.committed_how == "commit after processing"  # nothing commits now
    sim.set("consumer", "enable.auto.commit", True)
    sim.run(2000)
    assert sim.group.committed_how == "auto-commit timer" and sim.group.committed_at > 1500


def test_the_consumer_reads_the_records_written_under_its_old_position():
    """C6: after the whole cluster lost power the consumer detects the truncation before the run ends."""
    sim = _run("c6-consumer-validates-after-power-loss.toml")
    assert any(t.startswith("consumer detected log truncation: position 100 -> 0") for t in texts(sim))


def test_a_consumer_that_gives_up_again_after_the_final_recovery_does_not_hold_the_run_open():
    """auto.offset.reset=none with no committed offset: the consumer fails, the final recovery restarts it, and
    it fails the same way as it starts again. The run ends once nothing moves (it waited out an hour before);
    what is lost is the same."""
    from _build import scenario

    sim = Simulation(scenario(None, 1, consumer={"auto.offset.reset": "none"},
                              workload={"messages": 50, "interval.ms": 10}))
    report = sim.run_to_end()
    failed = [e.t for e in sim.ledger.events if "auto.offset.reset=none" in e.text]
    recovery = [e.t for e in sim.ledger.events if e.text.startswith("final recovery")]
    assert len(failed) == 2 and failed[0] <= recovery[0] < failed[1]  # failed, restarted, failed again
    assert not sim.consumer.up and sim.phase == "done"
    assert sim.now < failed[1] + 10_000  # not an hour later
    assert report.summary["processed"] == 0 and report.summary["lost"] == 50
