"""Rules added from the lessons, the lab and the app: each one proven on a small run."""

from _build import at, live, run, scenario

from tutor.sim import report as report_mod
from tutor.sim.session import Session
from tutor.sim.spec import Action


def test_acks0_client_finds_the_new_leader_after_a_crash():
    """An acks=0 producer whose leader crashed refreshes metadata and goes on with the new leader."""
    sim, rep = run([at(500, "crash", "leader", restart__after__ms=15000)], producer={"acks": 0},
                   workload={"messages": 3000, "interval.ms": 10})
    elected = next(e.t for e in sim.ledger.events if e.text.startswith("controller elected broker-2"))
    late = [m for m in rep.messages if sim.ledger.sent_at[m["id"]] > elected + 50]
    assert late and all(m["fate"] == "processed" for m in late)  # not lost for metadata.max.age.ms
    assert rep.summary["lost"] == 0  # the reset connection kept every record in the accumulator


def test_records_lost_on_the_wire_say_where():
    """A produce request that reaches a powered-off broker leaves a lost-in-flight step naming it."""
    sim, rep = run([at(300, "power-loss", "leader")], producer={"acks": 0},
                   workload={"messages": 100, "interval.ms": 10})
    steps = [s for b in sim.ledger.batches for s in b.steps if s[1] == "lost-in-flight"]
    assert steps and all(node == "broker-1" for _, _, node, _ in steps)


def test_a_rejected_send_starts_a_new_batch():
    """Batches hold consecutive ids even when send() fails in between (the ledger relies on it)."""
    events = [at(0, "slow", "broker-1", delay__ms=100)]
    sim, rep = run(events, producer={"linger.ms": 0, "buffer.memory": 1000, "max.block.ms": 5},
                   workload={"messages": 300, "interval.ms": 10})
    for b in sim.ledger.batches:
        assert all(sim.ledger.batch_of[rid] == b.batch_id for rid in b.ids())
    failed = {m["id"] for m in rep.messages if m["explanation"].startswith("the application was told it failed")}
    assert all(not m["acked"] for m in rep.messages if m["id"] in failed)


def test_brokers_outside_the_replica_set_hold_nothing_but_know_the_leader():
    """With 5 brokers and RF=3, broker-4 and broker-5 fetch nothing yet answer metadata requests."""
    sim = live(cluster={"brokers": 5}, workload={"messages": 50, "interval.ms": 5})
    sim.run(2000)
    assert sim.brokers["broker-4"].replica.log.leo == 0 and sim.brokers["broker-5"].replica.role is None
    assert sim.brokers["broker-4"].known_leader == "broker-1"


def test_flush_interval_alone_acts_once_when_the_flusher_first_runs():
    """B4: without log.flush.scheduler.interval.ms the flusher runs once, 30 s after startup, then never."""
    sim = live(workload={"messages": 5000, "interval.ms": 10})
    sim.run(300)
    sim.set("broker", "log.flush.interval.ms", 50)
    log = sim.brokers["broker-1"].replica.log
    sim.run(29_900)
    assert log.recovery_point == 0
    sim.run(30_100)
    once = log.recovery_point
    sim.run(45_000)
    assert 0 < once == log.recovery_point < log.leo


def test_flush_interval_set_live_reaches_a_running_flusher():
    """B4: with the flusher task scheduled, a live log.flush.interval.ms is applied at its next run."""
    sim = live(broker={"log.flush.scheduler.interval.ms": 50}, workload={"messages": 5000, "interval.ms": 10})
    log = sim.brokers["broker-1"].replica.log
    sim.run(31_000)
    assert log.recovery_point == 0  # the task runs, but no interval is set
    sim.set("broker", "log.flush.interval.ms", 100)
    sim.run(31_300)
    assert log.recovery_point > 0 and log.last_flush_at > 31_000


def test_start_only_settings_refuse_live_changes():
    """replication.factor cannot change under a running cluster."""
    sim = live()
    try:
        sim.set("topic", "replication.factor", 1)
    except ValueError as err:
        assert "only takes effect when a run starts" in str(err)
    else:
        raise AssertionError("expected a refusal")


def test_a_fork_replays_what_was_done_after_the_checkpoint():
    """Scrubbing back past an action and acting again keeps the earlier action."""
    sc = scenario(producer={"acks": "1"}, workload={"messages": 2000, "interval.ms": 2})
    s = Session(sc, auto_finish=False)
    s.seek(1000)
    s.apply(Action("power-loss", "broker-3"))
    s.seek(1500)
    s.seek(1200)
    s.apply(Action("crash", "producer"))
    assert not s.sim.brokers["broker-3"].host_on and not s.sim.producer.up


def test_explain_gives_one_records_fate_now():
    """report.explain answers for one record as the full report would."""
    sim, rep = run([at(0, "slow", "followers", delay__ms=100), at(300, "power-loss", "leader")],
                   producer={"acks": 1}, workload={"messages": 60, "interval.ms": 10})
    lost = rep.ids("lost_acked")
    assert lost and report_mod.explain(sim, lost[0]) == rep.messages[lost[0]]


def test_snapshots_through_a_failover_with_non_consecutive_fetches():
    """After a failover a fetch can carry batches whose ids are not consecutive; snapshots cope."""
    from tutor.sim import snapshot
    from tutor.lessons import LessonRun, load_catalog

    run = LessonRun(load_catalog().find("4").lesson)
    run.jump(2)
    run.apply(Action("crash", "leader"))
    run.submit(frozenset(range(11, 30)))
    run.next()
    for _ in range(200):
        run.advance(66.0)
        snap = snapshot.take(run.session.sim)
        sent = snap.counts["sent"]
        assert all(rid < sent for m in snap.messages for rid in m.ids())


def test_older_frames_are_packed_and_read_the_same():
    """Frames kept for scrubbing are compressed; their record states read back unchanged."""
    s = Session(scenario(workload={"messages": 500, "interval.ms": 2}), auto_finish=False)
    s.seek(300)
    before = s.frames[-1].states()
    s.seek(600)
    old = s.frame_at(300)
    assert old._packed and old.states() == before
