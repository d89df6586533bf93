"""Producer: batching, linger, acks, the buffer, retries, idempotence, delivery timeout."""

from _build import at, run, scenario, texts

from tutor.sim.simulation import Simulation


def _batch_sizes(sim: Simulation) -> list[int]:
    """Records per producer batch."""
    return [b.count for b in sim.ledger.batches]


def test_linger_batches_records_sent_within_the_window():
    """With linger.ms=5 and one send per ms, batches hold about five records (P3)."""
    sim, _ = run(producer={"linger.ms": 5}, workload={"messages": 50, "interval.ms": 1})
    sizes = _batch_sizes(sim)
    assert sum(sizes) == 50 and max(sizes) >= 5 and len(sizes) <= 12


def test_linger_zero_sends_each_record_alone_when_sends_are_spaced():
    """With linger.ms=0 and spaced sends, every record leaves in its own batch."""
    sim, _ = run(producer={"linger.ms": 0}, workload={"messages": 20, "interval.ms": 10})
    assert _batch_sizes(sim) == [1] * 20


def test_batch_size_closes_a_batch_early():
    """A batch leaves when the next record would not fit in batch.size."""
    sim, _ = run(producer={"linger.ms": 1000, "batch.size": 300},
                 workload={"messages": 30, "interval.ms": 1, "size.bytes": 100})
    assert set(_batch_sizes(sim)) == {3}


def test_java_linger_default_changed_in_4_0():
    """KIP-1030: Java linger.ms defaults to 5 from 4.0 and 0 before; librdkafka uses 5."""
    assert scenario(cluster={"kafka.version": "4.0"}).config.producer["linger.ms"] == 5
    assert scenario(cluster={"kafka.version": "3.9"}).config.producer["linger.ms"] == 0
    assert scenario(producer={"client": "librdkafka"}).config.producer["linger.ms"] == 5


def test_acks_and_idempotence_defaults_follow_client_and_version():
    """P4/P5: Java acks=all and idempotence from 3.0; acks=1 before; librdkafka all, no idempotence."""
    new, old = scenario().config.producer, scenario(cluster={"kafka.version": "2.8"}).config.producer
    rdk = scenario(producer={"client": "librdkafka"}).config.producer
    assert (new["acks"], new["enable.idempotence"]) == ("all", True)
    assert (old["acks"], old["enable.idempotence"]) == ("1", False)
    assert (rdk["acks"], rdk["enable.idempotence"]) == ("all", False)


def test_default_idempotence_yields_to_acks_1():
    """KAFKA-13598: idempotence left at its default is turned off by acks=1."""
    assert scenario(producer={"acks": 1}).config.producer["enable.idempotence"] is False


def test_acks_0_reports_offset_minus_one_at_once():
    """P4: acks=0 completes when written, with offset -1."""
    sim, report = run(producer={"acks": 0}, workload={"messages": 10})
    assert report.summary["acked"] == 10
    assert all(t[2] == -1 for t in sim.ledger.told)


def test_producer_crash_loses_buffered_records_without_telling_anyone():
    """P1: buffered records vanish with the process; they count as unconfirmed, lost at the producer."""
    sim, report = run([at(95, "crash", "producer")], producer={"linger.ms": 1000},
                      workload={"messages": 20, "interval.ms": 10})
    s = report.summary
    assert s["unconfirmed"] == 10 and s["lost_at"]["producer"] == 10 and s["send_errors"] == 0
    assert "producer process died" in report.messages[0]["explanation"]


def test_full_buffer_blocks_then_fails_send_with_small_max_block():
    """P2: buffer.memory full and max.block.ms small: send() throws, the record is dropped."""
    events = [at(0, "partition", between=[["producer"], ["all-brokers"]]), at(3000, "heal")]
    sim, report = run(events, producer={"buffer.memory": 1000, "max.block.ms": 50, "linger.ms": 0},
                      workload={"messages": 30, "interval.ms": 10, "size.bytes": 100})
    failed = [m for m in report.messages if not m["acked"]]
    assert report.summary["send_errors"] >= 10
    assert any("max.block.ms" in m["explanation"] for m in failed)


def test_librdkafka_queue_full_fails_at_once():
    """librdkafka has no max.block.ms: produce() fails immediately with QUEUE_FULL."""
    events = [at(0, "partition", between=[["producer"], ["all-brokers"]]), at(2000, "heal")]
    sim, report = run(events, producer={"client": "librdkafka", "queue.buffering.max.messages": 5},
                      workload={"messages": 20, "interval.ms": 10})
    assert report.summary["send_errors"] >= 10
    assert any("QUEUE_FULL" in t for t in texts(sim))


def test_unreachable_leader_fails_records_through_the_callback():
    """P6: leader unreachable past delivery.timeout.ms: the records fail and the app is told."""
    events = [at(0, "partition", between=[["producer"], ["all-brokers"]])]
    sim, report = run(events, producer={"delivery.timeout.ms": 5000, "request.timeout.ms": 1000,
                                        "linger.ms": 0}, workload={"messages": 10, "interval.ms": 10})
    assert report.summary["send_errors"] == 10 and report.summary["lost_at"]["producer"] == 10
    assert "delivery.timeout.ms" in report.messages[0]["explanation"]


def test_sync_send_waits_for_each_answer():
    """send.mode=sync: the next send waits for the previous future, so sends spread out."""
    sim, _ = run(producer={"send.mode": "sync", "linger.ms": 0}, network={"latency.ms": 5},
                 workload={"messages": 10, "interval.ms": 1})
    gaps = [b - a for a, b in zip(sim.ledger.sent_at, sim.ledger.sent_at[1:])]
    assert min(gaps) >= 10  # a round trip of two 5 ms hops at least
