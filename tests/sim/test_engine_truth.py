"""Engine truth (issue 8): each corrected rule, checked against what Kafka's and librdkafka's sources do."""

from __future__ import annotations

from types import SimpleNamespace

from tutor.sim.config import build_config
from tutor.sim.simulation import Simulation

from _build import at, live, run, scenario


def _request(sim, batch, seq: int, acks: str, pid: int = 7, epoch: int = 0):
    """A produce request as the producer builds it (one record)."""
    b = SimpleNamespace(batch_id=batch.batch_id, first_id=batch.first_id, count=1, bytes=100)
    return SimpleNamespace(batch=b, acks=acks, pid=pid, seq=seq, epoch=epoch, timeout=30000, attempt=1)


def _leader_with_one_batch(acks: str):
    """A live run whose leader holds one idempotent batch (pid 7, seq 0) that is not yet committed."""
    sim = live(workload={"messages": 0}, producer={"acks": acks})
    sim.run(100)
    for f in ("broker-2", "broker-3"):  # followers stop fetching: the HW stays put
        sim.net.partition([f], ["broker-1"])
    leader = sim.brokers["broker-1"]
    hist = sim.ledger.new_batch(sim.now, sim.ledger.sent(sim.now))
    sim.ledger.batched(0, hist)
    answers = []
    leader.replica.on_produce(_request(sim, hist, 0, acks), lambda *a: answers.append(a))
    return sim, leader, hist, answers


def test_duplicate_acks_all_waits_for_the_high_watermark():
    """Item 1: an acks=all duplicate is not answered before the HW passes the original batch."""
    sim, leader, hist, answers = _leader_with_one_batch("all")
    leader.replica.on_produce(_request(sim, hist, 0, "all"), lambda *a: answers.append(("retry",) + a))
    sim.run(sim.now + 500)
    assert answers == [] and len(leader.replica.delayed) == 2  # both wait in purgatory
    sim.net.heal()
    sim.run(sim.now + 2000)
    assert ("retry", "OK", 0) in answers and ("OK", 0) in answers


def test_duplicate_acks_1_is_answered_at_once_with_the_original_offset():
    """Item 1: with acks=1 the duplicate is answered at once, with the first attempt's offset."""
    sim, leader, hist, answers = _leader_with_one_batch("1")
    leader.replica.on_produce(_request(sim, hist, 0, "1"), lambda *a: answers.append(("retry",) + a))
    assert answers == [("OK", 0), ("retry", "OK", 0)]
    assert leader.replica.log.leo == 1


def test_sequence_rules_per_broker_version():
    """A new epoch must start at 0; an unknown producer id gets any sequence from 2.5, UNKNOWN_PRODUCER_ID before."""
    sim, leader, hist, _ = _leader_with_one_batch("1")
    check = leader.replica._check_sequence
    assert check(_request(sim, hist, 5, "1", epoch=1)) == "OUT_OF_ORDER_SEQUENCE_NUMBER"
    assert check(_request(sim, hist, 0, "1", epoch=1)) is None
    assert check(_request(sim, hist, 2, "1")) == "OUT_OF_ORDER_SEQUENCE_NUMBER"
    assert check(_request(sim, hist, 9, "1", pid=99)) is None
    sim.config.cluster["kafka.version"] = "2.4"
    assert check(_request(sim, hist, 9, "1", pid=99)) == "UNKNOWN_PRODUCER_ID"


def test_parked_produce_requests_are_reset_when_the_leader_is_killed():
    """Item 6: acks=all requests in purgatory fail with a reset a link latency after the crash."""
    sim, rep = run([at(0, "slow", "followers", delay__ms=100), at(300, "crash", "leader")],
                   producer={"acks": "all"}, workload={"messages": 50, "interval.ms": 10})
    errors = [s for b in sim.ledger.batches for s in b.steps if s[1] == "error"]
    assert errors and min(t for t, *_ in errors) <= 302
    assert all(d == "NETWORK_EXCEPTION" for t, _, _, d in errors if t < 1000)


def test_consumer_long_poll_and_follower_fetch_are_reset_at_once():
    """Item 6: a consumer's long poll and a follower's fetch parked in a killed leader get a reset."""
    sim = live(producer={"acks": "all"}, workload={"messages": 0}, consumer={"client": "java"},
               broker={"group.initial.rebalance.delay.ms": 0, "replica.fetch.wait.max.ms": 500})
    sim.run(3000)
    leader = sim.brokers["broker-1"]
    assert leader.replica.parked_hw and leader.replica.parked  # both long polls wait there
    sim.apply(at(sim.now, "crash", "broker-1"))
    sim.run(sim.now + 5)
    assert not sim.consumer.fetching  # the reset came: no 30 s wait
    assert sim.brokers["broker-2"].replica.fetch_sent_at is None


def test_java_20_defaults():
    """Item 9: Java 2.0 has retries=0 (KIP-91 came in 2.1)."""
    assert build_config({"cluster": {"kafka.version": "2.0"}}).producer["retries"] == 0
    assert build_config({"cluster": {"kafka.version": "2.1"}}).producer["retries"] == 2147483647


def test_java_30_31_not_idempotent_by_default():
    """Item 9: KAFKA-13598: idempotence is off by default in 3.0.0 and 3.1.0, on from 3.2."""
    idem = {v: build_config({"cluster": {"kafka.version": v}}).producer["enable.idempotence"]
            for v in ("2.8", "3.0", "3.1", "3.2", "4.0")}
    assert idem == {"2.8": False, "3.0": False, "3.1": False, "3.2": True, "4.0": True}


def test_librdkafka_defaults():
    """Item 9: librdkafka refreshes metadata every 300 s and bounds a request by socket.timeout.ms = 60 s."""
    p = build_config({"producer": {"client": "librdkafka"}}).producer
    assert p["topic.metadata.refresh.interval.ms"] == 300000 and p["socket.timeout.ms"] == 60000
    assert p["retry.backoff.max.ms"] == 1000


def test_retry_backoff_exponential_from_37_and_in_librdkafka():
    """Item 9: KIP-580 (Java 3.7) and librdkafka back off exponentially with jitter up to retry.backoff.max.ms."""
    def backoffs(**producer):
        sim = Simulation(scenario(producer=producer, cluster=producer.pop("cluster", {})))
        return [sim.producer._backoff(n) for n in (1, 2, 3, 4, 5, 6)]
    old = backoffs(cluster={"kafka.version": "3.6"})
    assert old == [100] * 6
    for new in (backoffs(cluster={"kafka.version": "3.7"}), backoffs(client="librdkafka")):
        assert 80 <= new[0] <= 120 and 160 <= new[1] <= 240 and new[-1] == 1000


def test_first_metadata_request_goes_to_a_seeded_random_broker():
    """Item 11: leastLoadedNode starts at a random offset: the first metadata request's broker depends on the seed."""
    first = set()
    for seed in range(12):
        sim = Simulation(scenario(seed=seed, workload={"messages": 0}))
        msgs = [dst for (src, dst, fn, *_rest) in sim.net.in_flight.values() if src == "producer"]
        first.add(msgs[0])
        again = Simulation(scenario(seed=seed, workload={"messages": 0}))
        assert [d for (s, d, *_r) in again.net.in_flight.values() if s == "producer"][0] == msgs[0]
    assert len(first) > 1


def test_a_crashed_producer_never_restarted_ends_the_run_soon():
    """Item 12: the final recovery does not wait an hour for a producer that will send nothing more."""
    sim, rep = run([at(300, "crash", "producer")], workload={"messages": 100, "interval.ms": 10})
    assert rep.end_ms < 20000 and rep.summary["sent"] == 30


def test_a_new_leader_deduplicates_a_retry_of_a_batch_it_replicated():
    """P5: producer state follows the log to a new leader. The leader crashes with acks=all requests unanswered;
    the producer retries them at the follower that takes over, which holds the ones it replicated: with
    idempotence it answers a retry from its producer state (no record twice in the log), without it the retry
    is appended a second time."""
    def crashed(idempotent):
        return run([at(300, "crash", "leader")], producer={"acks": "all", "enable.idempotence": idempotent},
                   workload={"messages": 1000, "interval.ms": 1}, network={"latency.ms": 2})

    sim, report = crashed(True)
    deduplicated = [s[2] for b in sim.ledger.batches for s in b.steps if s[1] == "deduplicated"]
    assert deduplicated and "broker-1" not in deduplicated
    assert report.summary["duplicates"] == 0 and report.summary["lost"] == 0
    assert crashed(False)[1].summary["duplicates"] > 0
