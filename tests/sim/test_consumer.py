"""Consumer: group join, reading below the HW, both clients' auto-commit, manual commits, resets."""

from _build import at, live, run, texts

from tutor.sim.spec import Action

CONSUMER = {"auto.offset.reset": "earliest"}


def _crash_after(n: int, restart: float = 1000.0) -> list[Action]:
    """Crash the consumer right after its n-th processed record, restarting later."""
    return [Action("crash", "consumer", when_processed=n, params={"restart.after.ms": restart})]


def test_consumer_reads_only_below_the_hw():
    """R2: with followers far behind, records above the HW are not handed to the consumer."""
    sim = live([at(20, "slow", "followers", delay__ms=300)], producer={"acks": "1"},
               consumer={**CONSUMER, "start.ms": 0}, broker={"group.initial.rebalance.delay.ms": 0},
               workload={"messages": 200, "interval.ms": 1})
    gaps = []
    for t in (50, 150, 400, 700):
        sim.run(t)
        leader = sim.brokers["broker-1"].replica
        offsets = {leader.log.record_at(o): o for o in range(leader.log.leo)}
        assert all(offsets[rid] < leader.hw for rid in sim.ledger.fetched_at)
        gaps.append(leader.log.leo - leader.hw)
    assert max(gaps) > 50 and len(sim.ledger.fetched_at) > 0


def test_new_group_with_latest_skips_what_came_before_the_first_assignment():
    """C4: auto.offset.reset=latest (Java's default) and the initial rebalance delay skip early records."""
    _, report = run(consumer={}, workload={"messages": 100, "interval.ms": 10})
    lost = [m for m in report.messages if m["fate"] == "lost"]
    assert lost and all(m["lost_at"] == "consumer" for m in lost)
    assert "auto.offset.reset=latest" in lost[0]["explanation"]


def test_java_auto_commit_in_the_poll_loop_gives_duplicates_not_loss():
    """C1: processing inside the poll loop, crash: reprocessing from the last commit, nothing lost."""
    _, report = run(_crash_after(25), consumer={**CONSUMER, "max.poll.records": 10, "processing.ms": 30,
                                                "auto.commit.interval.ms": 100},
                    workload={"messages": 60, "interval.ms": 1})
    assert report.summary["lost"] == 0 and report.summary["duplicates"] > 0


def test_java_auto_commit_with_a_worker_thread_loses_records():
    """C1: handing records to a worker and polling on commits them before they are processed."""
    _, report = run(_crash_after(25), consumer={**CONSUMER, "max.poll.records": 10, "processing.ms": 30,
                                                "auto.commit.interval.ms": 100,
                                                "processing.mode": "worker-thread"},
                    workload={"messages": 60, "interval.ms": 1})
    assert report.summary["lost_at"]["consumer"] > 0
    lost = [m for m in report.messages if m["fate"] == "lost"]
    assert "committed offset" in lost[0]["explanation"] and "not yet processed" in lost[0]["explanation"]


def test_librdkafka_default_offset_store_skips_the_rest_of_the_batch():
    """C2: the fact's own example: batches of 10, 30 ms each, commit every 100 ms, crash after 25."""
    consumer = {**CONSUMER, "client": "librdkafka", "max.poll.records": 10, "processing.ms": 30,
                "auto.commit.interval.ms": 100}
    _, report = run(_crash_after(25), consumer=consumer, workload={"messages": 60, "interval.ms": 1})
    assert report.ids("lost") == [25, 26, 27, 28, 29]


def test_librdkafka_store_after_processing_skips_nothing():
    """C2's fix: enable.auto.offset.store=false and store_offsets() after processing: no loss."""
    consumer = {**CONSUMER, "client": "librdkafka", "max.poll.records": 10, "processing.ms": 30,
                "auto.commit.interval.ms": 100, "enable.auto.offset.store": False}
    _, report = run(_crash_after(25), consumer=consumer, workload={"messages": 60, "interval.ms": 1})
    assert report.summary["lost"] == 0 and report.summary["duplicates"] >= 0


def test_commit_before_processing_is_at_most_once():
    """C3: commit right after poll, crash mid-batch: the rest of the batch is lost."""
    consumer = {**CONSUMER, "commit.mode": "before-processing", "max.poll.records": 10, "processing.ms": 30}
    _, report = run(_crash_after(25), consumer=consumer, workload={"messages": 60, "interval.ms": 1})
    assert report.summary["lost"] > 0 and report.summary["duplicates"] == 0


def test_commit_after_processing_is_at_least_once():
    """C3: commit after the batch is processed, crash mid-batch: duplicates, no loss."""
    consumer = {**CONSUMER, "commit.mode": "after-processing", "max.poll.records": 10, "processing.ms": 30}
    _, report = run(_crash_after(25), consumer=consumer, workload={"messages": 60, "interval.ms": 1})
    assert report.summary["lost"] == 0 and report.summary["duplicates"] > 0


def test_restarted_consumer_waits_for_the_dead_members_session():
    """A crashed member holds its partition until session.timeout.ms passes."""
    sim, _ = run(_crash_after(5, restart=100), consumer={**CONSUMER, "session.timeout.ms": 10000,
                                                         "processing.ms": 10},
                 workload={"messages": 30, "interval.ms": 1})
    joins = [e.t for e in sim.ledger.events if "joined group" in e.text]
    crash = next(e.t for e in sim.ledger.events if e.text.startswith("consumer process crashed"))
    assert len(joins) == 2 and joins[1] >= crash + 10000


def test_processing_error_closes_and_auto_commit_on_close_skips_the_batch():
    """A record that throws: close() auto-commits the position, so the rest of the poll is skipped."""
    events = [Action("processing-error", "consumer", when_processed=25, params={"restart.after.ms": 500})]
    consumer = {**CONSUMER, "max.poll.records": 10, "processing.ms": 30}
    sim, report = run(events, consumer=consumer, workload={"messages": 60, "interval.ms": 1})
    assert report.ids("lost") == [25, 26, 27, 28, 29]
    assert any("closed the consumer" in t for t in texts(sim))


def test_offset_validation_arrived_with_java_2_3():
    """KIP-320: after an unclean election the 2.3 consumer rereads reused offsets; 2.2 skips them."""
    from pathlib import Path

    from tutor.scenario import parse_scenario
    from tutor.sim.simulation import Simulation
    text = (Path(__file__).parents[1] / "scenarios" / "c4-old-consumer-reused-offsets.toml").read_text()
    old = Simulation(parse_scenario(text)).run_to_end()
    new = Simulation(parse_scenario(text.replace('"2.2"', '"2.3"'))).run_to_end()
    assert old.summary["lost_at"]["consumer"] == 290 and "KIP-320" in old.messages[300]["explanation"]
    assert new.summary["lost"] == 0


def test_by_partition_groups_a_poll_in_first_seen_order():
    """commit.scope per-partition processes a poll partition by partition (records.partitions())."""
    from tutor.sim.consumer import Rec, by_partition
    recs = [Rec(0, 1, 0, 1, 2), Rec(0, 2, 0, 1, 0), Rec(1, 3, 0, 1, 2), Rec(1, 4, 0, 1, 0)]
    assert [(r.partition, r.offset) for r in by_partition(recs)] == [(2, 0), (2, 1), (0, 0), (0, 1)]


def test_a_fetch_to_a_silent_leader_is_abandoned_exactly_request_timeout_after_it_was_sent():
    """Java's NetworkClient checks every in-flight request's age on each poll (handleTimedOutRequests): a
    fetch to a leader that lost power is given up request.timeout.ms after it was sent, not at a later check."""
    sim = live([at(3000, "power-loss", "broker-1", restart__after__ms=120000)],
               consumer={**CONSUMER, "start.ms": 0}, broker={"group.initial.rebalance.delay.ms": 0},
               workload={"messages": 2000, "interval.ms": 10})
    sim.run(3100)
    c = sim.consumer
    sent = c.fetch_sent_at
    assert c.fetching and c.leader == "broker-1" and 2900 < sent <= 3100
    timeout = c.REQUEST_TIMEOUT_MS
    sim.run(sent + timeout - 0.01)
    assert c.fetching and c.fetch_sent_at == sent  # still waiting on the silent leader
    sim.run(sent + timeout + 0.01)
    assert not c.fetching and c.leader is None  # given up; the next poll asks who leads now
    sim.run(sent + timeout + 1000)
    assert c.leader in ("broker-2", "broker-3")  # it found the new leader


def test_a_librdkafka_fetch_to_a_silent_leader_waits_socket_timeout_plus_fetch_wait():
    """librdkafka gives a FetchRequest socket.timeout.ms + fetch.wait.max.ms (60000 + 500) before its broker
    thread times it out (rd_kafka_broker_fetch_toppars, rd_kafka_broker_timeout_scan), not Java's 30 s."""
    sim = live([at(3000, "power-loss", "broker-1", restart__after__ms=120000)],
               consumer={**CONSUMER, "start.ms": 0, "client": "librdkafka"},
               broker={"group.initial.rebalance.delay.ms": 0}, workload={"messages": 2000, "interval.ms": 10})
    sim.run(3100)
    c = sim.consumer
    sent = c.fetch_sent_at
    assert c.fetching and c.leader == "broker-1" and 2900 < sent <= 3100
    assert c.fetch_timeout_ms() == 60500
    sim.run(sent + 60500 - 0.01)
    assert c.fetching and c.fetch_sent_at == sent  # past Java's 30 s, still waiting on the silent leader
    sim.run(sent + 60500 + 0.01)
    assert not c.fetching and c.leader is None  # given up; the next poll asks who leads now


def test_a_late_answer_to_an_abandoned_fetch_is_not_taken_for_the_next_fetchs():
    """A fetch given up is gone (Java closes the connection, librdkafka forgets the request): its answer,
    arriving after the next fetch of the partition was sent, is dropped and the next fetch's own counts."""
    sim = live([at(5000, "slow", "consumer", delay__ms=16000), at(25000, "heal", "consumer")],
               consumer={**CONSUMER, "start.ms": 0}, broker={"group.initial.rebalance.delay.ms": 0},
               workload={"messages": 3000, "interval.ms": 10}, seed=3)
    sim.run(5100)
    c = sim.consumer
    first, sent = c.parts[0].fetch_seq, c.fetch_sent_at  # its answer takes 2 x 16 s: past the 30 s timeout
    sim.run(sent + 30000 + 500)
    assert c.fetching and c.parts[0].fetch_seq == first + 1  # the next fetch is out, its answer queued behind
    asked_at = c.fetch_sent_at
    leader = sim.brokers["broker-1"].replica
    had = leader.hw  # what the leader could hand out when the next fetch reached it (~asked_at)
    sim.run(sent + 2 * 16000 + 100)  # both answers have arrived, the stale one first
    assert not c.fetching or c.parts[0].fetch_seq > first + 1
    offsets = [r.offset for r in c.buffer] + [r.offset for r in c.work]
    assert asked_at > sent + 30000 and offsets and max(offsets) >= had - 1, \
        "the records buffered are those of the fetch sent after the timeout, not the abandoned one's"


def test_a_fetch_timeout_closes_the_connection_and_fails_every_fetch_in_flight_to_that_broker():
    """On a request timeout both clients close the connection (Java NetworkClient.handleTimedOutRequests,
    librdkafka rd_kafka_broker_fail with socket.max.fails = 1): another partition's fetch to the same
    silent leader, sent later, fails at the first one's deadline rather than waiting out its own."""
    sim = live([at(3000, "power-loss", "broker-1", restart__after__ms=120000)], topic={"partitions": 6},
               consumer={**CONSUMER, "start.ms": 0}, broker={"group.initial.rebalance.delay.ms": 0},
               workload={"messages": 2000, "interval.ms": 10, "keys": 6})
    sim.run(4000)
    c = sim.consumer
    to_dark = [f for f in c.parts if f.fetching and f.fetch_to == "broker-1"]
    first = min(f.fetch_sent_at for f in to_dark)
    assert len({f.fetch_sent_at for f in to_dark}) > 1  # sent at different times
    sim.run(first + c.fetch_timeout_ms() + 0.01)
    assert not any(f.fetching and f.fetch_to == "broker-1" for f in c.parts)
