"""Brokers: HW, ISR changes through the controller, elections, truncation, flushing."""

from _build import at, live, run, texts


def test_hw_is_the_minimum_log_end_over_the_isr():
    """R2: with a slow follower the leader's HW trails its log end until the follower fetches."""
    sim = live([at(0, "slow", "broker-3", delay__ms=50)], workload={"messages": 100, "interval.ms": 1})
    sim.run(120)
    leader = sim.brokers["broker-1"].replica
    assert leader.hw < leader.log.leo
    assert leader.hw <= sim.brokers["broker-3"].replica.log.leo


def test_lagging_follower_leaves_the_isr_after_replica_lag_time_max():
    """R1: a follower cut off for replica.lag.time.max.ms is dropped from the ISR via the controller."""
    events = [at(100, "partition", between=[["broker-3"], ["broker-1"]])]
    sim = live(events, broker={"replica.lag.time.max.ms": 2000},
                              workload={"messages": 400, "interval.ms": 10})
    sim.run(2000)
    assert "broker-3" in sim.controller.isr
    sim.run(3200)
    assert sim.controller.isr == ["broker-1", "broker-2"]
    assert any("shrank from [1,2,3] to [1,2]" in t for t in texts(sim))


def test_returning_follower_rejoins_the_isr_after_catching_up():
    """R1: once healed, the follower catches up and the leader adds it back."""
    events = [at(100, "partition", between=[["broker-3"], ["broker-1"]]), at(4000, "heal")]
    sim, _ = run(events, broker={"replica.lag.time.max.ms": 2000}, workload={"messages": 600, "interval.ms": 10})
    assert sorted(sim.controller.isr) == ["broker-1", "broker-2", "broker-3"]
    assert any("expanded" in t and "broker-3 caught up" in t for t in texts(sim))


def test_not_enough_replicas_refuses_before_append():
    """R4/P8: acks=all with ISR below min.insync.replicas is refused before the append; nothing acked."""
    events = [at(0, "partition", between=[["broker-1"], ["broker-2", "broker-3"]])]
    sim, report = run(events, topic={"min.insync.replicas": 2}, broker={"replica.lag.time.max.ms": 1000},
                      producer={"delivery.timeout.ms": 8000, "request.timeout.ms": 2000}, workload={"messages": 200, "interval.ms": 20})
    errors = [d for b in sim.ledger.batches for _, k, _, d in b.steps if k in ("error", "rejected")]
    assert "NOT_ENOUGH_REPLICAS" in errors
    assert report.summary["lost_acked"] == 0


def test_hw_gating_since_3_7():
    """R3: with ISR below min.insync.replicas, 3.7+ holds the HW; 3.6 advances it."""
    def hw_gap(version: str) -> int:
        events = [at(0, "partition", between=[["broker-1"], ["broker-2", "broker-3"]])]
        sim = live(events, cluster={"kafka.version": version}, topic={"min.insync.replicas": 2},
                                  broker={"replica.lag.time.max.ms": 1000}, producer={"acks": "1"},
                                  workload={"messages": 300, "interval.ms": 10})
        sim.run(2500)
        r = sim.brokers["broker-1"].replica
        return r.log.leo - r.hw
    assert hw_gap("3.6") == 0
    assert hw_gap("3.7") > 50


def test_process_crash_keeps_the_page_cache_power_loss_does_not():
    """B3: after a crash the log is intact; after a power loss only the flushed part remains."""
    def leo_after(action: str) -> tuple[int, int]:
        sim = live([at(500, action, "broker-3")], workload={"messages": 100, "interval.ms": 1})
        sim.run(499)
        before = sim.brokers["broker-3"].replica.log.leo
        sim.run(501)
        return before, sim.brokers["broker-3"].replica.log.leo
    before, after = leo_after("crash")
    assert before == after > 0
    before, after = leo_after("power-loss")
    assert before > 0 and after == 0


def test_flush_every_message_survives_power_loss():
    """B1: log.flush.interval.messages=1 makes every append durable before the answer."""
    events = [at(500, "power-loss", "all-brokers", restart__after__ms=1000)]
    _, report = run(events, broker={"log.flush.interval.messages": 1}, producer={"acks": "1"},
                    workload={"messages": 100, "interval.ms": 10})
    assert report.summary["lost_acked"] == 0


def test_os_writeback_makes_old_records_durable():
    """B1: pages older than vm.dirty_expire_centisecs are written back by the OS."""
    sim = live(workload={"messages": 10, "interval.ms": 10})
    sim.run(20000)
    assert sim.brokers["broker-1"].replica.log.flushed == 0
    sim.run(36000)
    assert sim.brokers["broker-1"].replica.log.flushed == 10


def test_old_leader_truncates_acks_1_writes_on_return():
    """R7: acks=1 records only the old leader had are truncated when it returns as a follower."""
    events = [at(0, "slow", "followers", delay__ms=100), at(600, "crash", "leader", restart__after__ms=100)]
    sim, report = run(events, producer={"acks": "1"}, workload={"messages": 100, "interval.ms": 10})
    assert report.summary["lost_acked"] > 0
    assert any("broker-1 truncated its log" in t for t in texts(sim))
    lost = [m for m in report.messages if m["fate"] == "lost"]
    assert all("truncated" in m["explanation"] for m in lost)


def test_unclean_election_elects_a_stale_replica_and_loses_committed_records():
    """R6: with unclean election on, a replica outside the ISR leads and committed records are lost."""
    events = [at(100, "partition", between=[["broker-3"], ["broker-1", "broker-2"]]),
              at(3000, "power-loss", "broker-1"), at(3000, "power-loss", "broker-2"),
              at(3100, "heal")]
    sim, report = run(events, topic={"unclean.leader.election.enable": True},
                      broker={"replica.lag.time.max.ms": 1000}, workload={"messages": 400, "interval.ms": 10})
    assert any("UNCLEAN election" in t for t in texts(sim))
    assert report.summary["lost_acked"] > 0
