"""A topic of several partitions: replica placement, the partitioners, per-partition idempotence and report fields."""

from __future__ import annotations

import random
import zlib
from collections import Counter

from tutor.sim.partitioner import (Partitioner, java_key_partition, key_bytes, kind_for, murmur2,
                                   rdkafka_key_partition)
from tutor.sim.simulation import Simulation, assign_replicas
from tutor.sim.spec import Action, Scenario


def _scenario(parts: int, **sections: dict) -> Scenario:
    """A small run: 3 brokers, RF 3, `parts` partitions, 40 records, no consumer."""
    given = {"cluster": {"brokers": 3}, "topic": {"replication.factor": 3, "partitions": parts},
             "workload": {"messages": 40, "interval.ms": 10}}
    for section, values in sections.items():
        given.setdefault(section, {}).update(values)
    return Scenario("partitions", 1, given)


def _partitions_of(sim: Simulation) -> list[int]:
    """The partition each record was put in, by record id."""
    return [sim.ledger.batches[sim.ledger.batch_of[rid]].partition for rid in range(len(sim.ledger))]


# --- placement ---------------------------------------------------------------------------------
def test_placement_follows_kafkas_rack_unaware_assignment():
    """AdminUtils' own example (5 brokers, 10 partitions, RF 3, start index and shift 0): p0 on
    0,1,2; p5 on 0,2,3 (the shift grows after each wrap); p8 on 3,0,1."""
    brokers = [f"b{i}" for i in range(5)]
    got = assign_replicas(brokers, 10, 3)
    assert got[0] == ["b0", "b1", "b2"]
    assert got[4] == ["b4", "b0", "b1"]
    assert got[5] == ["b0", "b2", "b3"]
    assert got[8] == ["b3", "b0", "b1"]
    assert Counter(r[0] for r in got) == Counter({b: 2 for b in brokers})  # leaders spread evenly


def test_partition_zero_keeps_its_replicas_and_preferred_leader():
    """t-0 is always on broker-1..RF with broker-1 preferred, so one-partition runs are unchanged."""
    sim = Simulation(_scenario(4))
    assert sim.placement[0] == ["broker-1", "broker-2", "broker-3"]
    assert sim.placement[1] == ["broker-2", "broker-3", "broker-1"]
    assert sim.placement[3] == ["broker-1", "broker-3", "broker-2"]
    assert [sim.controller.leader_of(p) for p in range(4)] == ["broker-1", "broker-2", "broker-3", "broker-1"]


# --- failures hit every partition a broker holds -------------------------------------------------
def test_power_loss_of_a_broker_moves_leadership_in_every_partition_it_led():
    """broker-1 leads t-0 and t-3 of four partitions: after its power loss and fencing both move."""
    sim = Simulation(_scenario(4, producer={"acks": "1"}))
    sim.auto_finish = False  # no final recovery: broker-1 stays down
    sim.run(200)
    sim.apply(Action("power-loss", "broker-1", sim.now))
    assert all(r.log.leo == r.log.flushed for r in sim.brokers["broker-1"].replicas)  # every tail gone
    sim.run(20_000)
    assert sim.controller.leader_of(0) == "broker-2"
    assert sim.controller.leader_of(3) == "broker-3"
    assert sim.controller.leader_of(1) == "broker-2" and sim.controller.leader_of(2) == "broker-3"
    assert all("broker-1" not in sim.controller.parts[p].isr for p in range(4))


def test_leader_n_targets_that_partitions_leader():
    """leader:2 is broker-3 (the first replica of t-2); followers:2 are its other replicas."""
    from tutor.sim.failures import resolve_target
    sim = Simulation(_scenario(3))
    sim.run(100)
    assert resolve_target(sim, "leader:2") == ["broker-3"]
    assert resolve_target(sim, "followers:2") == ["broker-1", "broker-2"]
    assert resolve_target(sim, "leader") == ["broker-1"]


# --- partitioners --------------------------------------------------------------------------------
def test_murmur2_matches_kafkas_test_vectors():
    """UtilsTest.testMurmur2 in Apache Kafka."""
    cases = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536,
             b"a-little-bit-longer-string": -1486304829,
             b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, b"abc": 479470107}
    for data, want in cases.items():
        assert murmur2(data) == want


def test_partitioner_per_client_and_version():
    """Java before 2.4 round-robin, 2.4-3.2 sticky, 3.3+ uniform sticky; librdkafka consistent_random."""
    assert kind_for("java", (2, 3)) == "round-robin"
    assert kind_for("java", (2, 4)) == kind_for("java", (3, 2)) == "sticky"
    assert kind_for("java", (3, 3)) == kind_for("java", (4, 0)) == "uniform-sticky"
    assert kind_for("librdkafka", (3, 3)) == "consistent_random"


def test_round_robin_cycles_over_the_led_partitions_from_a_random_start():
    """DefaultPartitioner.nextValue: a counter from a random int, toPositive(counter) % available."""
    p = Partitioner("round-robin", 3, 16384, random.Random(7))
    seq = [p.partition(None, [0, 1, 2], 0) for _ in range(7)]
    assert all(b == (a + 1) % 3 for a, b in zip(seq, seq[1:]))
    only = [p.partition(None, [0, 2], 0) for _ in range(4)]  # t-1 has no leader: skipped
    assert set(only) == {0, 2}


def test_sticky_partitioner_switches_only_on_a_new_batch():
    """StickyPartitionCache: the same partition until onNewBatch for it, then another led one."""
    p = Partitioner("sticky", 3, 16384, random.Random(3))
    first = p.partition(None, [0, 1, 2], 0)
    assert {p.partition(None, [0, 1, 2], t) for t in range(10)} == {first}
    assert not p.new_batch((first + 1) % 3, [0, 1, 2])  # a new batch elsewhere changes nothing
    assert p.new_batch(first, [0, 1, 2])
    assert p.partition(None, [0, 1, 2], 10) != first


def test_uniform_sticky_switches_after_batch_size_bytes():
    """BuiltInPartitioner.updatePartitionInfo: switch once batch.size bytes went to the partition and
    its batches are full, or at twice batch.size whatever the batches."""
    p = Partitioner("uniform-sticky", 3, 1000, random.Random(5))
    p.partition(None, [0, 1, 2], 0)
    p.appended(999, True, [0, 1, 2])
    assert p.produced == 999                   # not yet batch.size
    p.appended(1, False, [0, 1, 2])
    assert p.produced == 1000                  # batch.size, but the open batch is not full
    p.appended(1000, False, [0, 1, 2])
    assert p.produced == 0                     # twice batch.size: switched (to a random one, maybe the same)
    p.appended(1000, True, [0, 1, 2])
    assert p.produced == 0


def test_librdkafka_keyless_records_stick_for_ten_ms():
    """rd_kafka_msg_sticky_partition: one partition per sticky.partitioning.linger.ms (10 ms)."""
    p = Partitioner("consistent_random", 6, 16384, random.Random(11))
    first = p.partition(None, list(range(6)), 0)
    assert {p.partition(None, list(range(6)), t) for t in (0, 3, 9.9)} == {first}
    later = {p.partition(None, list(range(6)), 10 * i) for i in range(1, 40)}
    assert len(later) > 1


def test_keyed_records_land_by_murmur2_in_java_and_crc32_in_librdkafka():
    """A run with keys: each record's partition is the client's hash of its key."""
    for client, part in (("java", java_key_partition), ("librdkafka", rdkafka_key_partition)):
        sim = Simulation(_scenario(5, workload={"keys": 7}, producer={"client": client}))
        sim.run_to_end()
        assert _partitions_of(sim) == [part(key_bytes(rid % 7), 5) for rid in range(40)]
    assert rdkafka_key_partition(b"abc", 5) == zlib.crc32(b"abc") % 5


def test_java_3_6_keyless_records_stay_on_one_partition_below_batch_size():
    """Uniform sticky: 40 records of 100 bytes are 4000 bytes < batch.size 16384: one partition."""
    sim = Simulation(_scenario(3, cluster={"kafka.version": "3.6"}))
    sim.run_to_end()
    assert len(set(_partitions_of(sim))) == 1


# --- idempotence and the report ------------------------------------------------------------------
def test_idempotent_sequences_are_per_partition():
    """Each partition's log holds the producer id's batches with sequences from 0, each following the last."""
    sim = Simulation(_scenario(3, workload={"keys": 12}, producer={"enable.idempotence": True, "acks": "all"}))
    sim.run_to_end()
    assert len(set(_partitions_of(sim))) == 3  # keys "0".."11" cover every partition
    for p in range(3):
        leader = sim.brokers[sim.controller.leader_of(p)].replicas[p]
        seqs = [(b.seq, b.count) for b in leader.log.batches]
        assert seqs and seqs[0][0] == 0
        assert all(s2 == s1 + c1 for (s1, c1), (s2, _) in zip(seqs, seqs[1:]))


def test_report_gives_each_record_its_partition_and_offset():
    """partition and offset point at the record in its partition's final log; counts per partition."""
    sim = Simulation(_scenario(3, workload={"keys": 5}))
    report = sim.run_to_end()
    for m in report.messages:
        leader = sim.brokers[sim.controller.leader_of(m["partition"])].replicas[m["partition"]]
        assert leader.log.record_at(m["offset"]) == m["id"]
        assert m["explanation"].startswith(f"t-{m['partition']}: ")
    per = report.summary["partitions"]
    assert sum(row["sent"] for row in per.values()) == 40
    assert per["t-1"]["sent"] == sum(1 for m in report.messages if m["partition"] == 1)


def test_one_partition_report_has_no_partition_summary():
    """A one-partition summary stays as it was; its records are in t-0 at their own offsets here."""
    report = Simulation(_scenario(1)).run_to_end()
    assert "partitions" not in report.summary
    assert [(m["partition"], m["offset"]) for m in report.messages] == [(0, i) for i in range(40)]


# --- the consumer: every partition assigned ------------------------------------------------------
def _consumed(parts: int, consumer: dict, events: tuple = (), **sections: dict) -> Simulation:
    """A run with a consumer that reads from the start; keys spread the records over the partitions."""
    given = {"consumer": {"auto.offset.reset": "earliest", **consumer},
             "broker": {"group.initial.rebalance.delay.ms": 0}, "workload": {"keys": 7}}
    for section, values in sections.items():
        given.setdefault(section, {}).update(values)
    scenario = _scenario(parts, **given)
    scenario.events = list(events)
    sim = Simulation(scenario)
    sim.run_to_end()
    return sim


def test_consumer_reads_and_commits_every_partition():
    """Each partition's position and committed offset end at its log end; every record processed once."""
    sim = _consumed(3, {"commit.mode": "after-processing"})
    assert sorted(sim.ledger.processed) == list(range(40))
    assert all(len(t) == 1 for t in sim.ledger.processed.values())
    for p in range(3):
        leader = sim.brokers[sim.controller.leader_of(p)].replicas[p]
        assert sim.consumer.parts[p].position == leader.log.leo > 0
        assert sim.group.part(p).offset == leader.log.leo


def test_consumer_crash_resumes_each_partition_from_its_own_commit():
    """Java auto-commit in poll(): after a crash each partition restarts at its own committed offset,
    so what it re-reads is per partition (duplicates, no loss; C1)."""
    crash = Action("crash", "consumer", 250, params={"restart.after.ms": 100})
    sim = _consumed(3, {"processing.ms": 5, "auto.commit.interval.ms": 100}, (crash,))
    counts = Counter({rid: len(t) for rid, t in sim.ledger.processed.items()})
    assert set(counts) == set(range(40))  # nothing lost
    twice = [rid for rid, n in counts.items() if n > 1]
    assert twice  # the records after each partition's last commit were processed again
    parts = _partitions_of(sim)
    for p in {parts[rid] for rid in twice}:  # per partition, the re-read ones are its latest before the crash
        mine = sorted(rid for rid in counts if parts[rid] == p and sim.ledger.processed[rid][0] < 250)
        again = sorted(rid for rid in twice if parts[rid] == p)
        assert again == mine[len(mine) - len(again):]


def test_consumer_truncation_is_detected_per_partition():
    """acks=1, the leader of t-1 crashes before its followers fetched: the consumer's t-1 position
    goes back where the logs diverge (KIP-320) and only t-1's texts name it."""
    slow = [Action("slow", f"broker-{b}", 0, params={"delay.ms": 100}) for b in (1, 3)]
    crash = Action("crash", "leader:1", 300, params={"restart.after.ms": 15000})
    sim = _consumed(3, {}, (*slow, crash), producer={"acks": "1"})
    texts = [e.text for e in sim.ledger.events if e.kind == "truncate"]
    assert texts and all(" of t-1 " in t for t in texts)


def test_snapshot_has_a_view_per_partition():
    """Leader, ISR, HW and each replica's log end and flushed offset per partition; the consumer's
    position and committed offset per partition; t-0's views as before."""
    from tutor.sim.snapshot import take
    sim = _consumed(3, {"commit.mode": "after-processing"})
    snap = take(sim)
    assert [pv.tp for pv in snap.partitions] == ["t-0", "t-1", "t-2"]
    for pv in snap.partitions:
        leader = sim.brokers[pv.leader].replicas[pv.index]
        assert pv.hw == leader.hw and pv.isr == tuple(sim.controller.parts[pv.index].isr)
        assert [r.name for r in pv.replicas] == sim.placement[pv.index]
        assert all(r.leo == leader.log.leo and r.flushed <= r.leo for r in pv.replicas)
    assert snap.leader == snap.partitions[0].leader and snap.isr == snap.partitions[0].isr
    assert [(p, pos) for p, pos, _ in snap.consumer.partitions] == [(f.index, f.position) for f in sim.consumer.parts]
    assert all(pos == committed for _, pos, committed in snap.consumer.partitions)
