"""Sessions and snapshots: playing, scrubbing back, forking a what-if, determinism of copies."""

import json

from _build import at, scenario

from tutor.sim import snapshot
from tutor.sim.session import Session
from tutor.sim.simulation import Simulation
from tutor.sim.spec import Action


def _session(**kw) -> Session:
    """A sandbox-like session: acks=1, consumer from the beginning, a steady workload."""
    sc = scenario(producer={"acks": "1"}, consumer={"auto.offset.reset": "earliest"},
                  workload={"messages": 2000, "interval.ms": 2}, **kw)
    return Session(sc, auto_finish=False)


def test_checkpoint_copies_run_on_identically():
    """A deep copy taken mid-run finishes with the byte-identical report."""
    sim = Simulation(scenario([at(1500, "power-loss", "leader", restart__after__ms=2000)],
                              producer={"acks": "1"}, workload={"messages": 500, "interval.ms": 5}))
    sim.run(1000)
    copy = sim.checkpoint()
    a, b = sim.run_to_end().to_json(), copy.run_to_end().to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_checkpoint_shares_finished_batches_until_one_side_changes_them():
    """Acked batches are shared by a run and its copy; a later step (a truncation after a power loss) lands
    only in the run that took it, and both finish as a run never copied does."""
    sc = scenario([at(1500, "power-loss", "leader", restart__after__ms=2000)],
                  producer={"acks": "1"}, workload={"messages": 500, "interval.ms": 5})
    sim = Simulation(sc)
    sim.run(1400)
    copy = sim.checkpoint()
    shared = [b.batch_id for b in copy.ledger.batches if b.outcome is not None]
    assert shared and all(copy.ledger.batches[i] is sim.ledger.batches[i] for i in shared)
    before = {i: list(sim.ledger.batches[i].steps) for i in shared}
    b = copy.run_to_end().to_json()
    assert {i: sim.ledger.batches[i].steps for i in shared} == before  # the copy's steps stayed its own
    assert any(copy.ledger.batches[i].steps != before[i] for i in shared)
    a, fresh = sim.run_to_end().to_json(), Simulation(sc).run_to_end().to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) == json.dumps(fresh, sort_keys=True)


def test_restart_takes_over_a_replay_prepared_from_the_same_moment():
    """restart_with after prepare_restart (same changes, same moment) adopts the prepared session, which is
    the session a plain restart_with makes: same run, same frames; from another moment it replays afresh."""
    changes = [("producer", "acks", "all")]
    plain, quick = _session(), _session()
    for s in (plain, quick):
        s.advance(700)
        s.apply(Action(at_ms=0, action="crash", target="broker-2"))
        s.advance(500)
    prepared = quick.prepare_restart(changes)
    plain.restart_with(changes)
    quick.restart_with(changes)
    assert quick.sim is prepared.sim and plain.sim is not prepared.sim
    assert [f.t for f in quick.frames] == [f.t for f in plain.frames] and quick.cursor == plain.cursor
    assert [x.describe() for x in quick.interventions] == [x.describe() for x in plain.interventions]
    a, b = plain.sim.finish().to_json(), quick.sim.finish().to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    stale = quick.prepare_restart([("producer", "acks", "1")])
    quick.advance(100)  # the moment moved on: the prepared replay is not the restart's
    quick.restart_with([("producer", "acks", "1")])
    assert quick.sim is not stale.sim and quick.sim.now == stale.sim.now + 100


def test_a_prepared_replay_keeps_no_copies_yet_acting_in_its_past_gives_the_same_run():
    """A verdict waits on prepare_restart's replay, which keeps only its start copy; once taken over, acting
    in its past replays from that start and comes to what a restart that kept copies comes to."""
    changes = [("producer", "acks", "all")]
    plain, quick = _session(), _session()
    for s in (plain, quick):
        s.advance(6000)
    quick.prepare_restart(changes)
    plain.restart_with(changes)
    quick.restart_with(changes)
    assert [t for t, _, _ in quick.checkpoints] == [0.0] and len(plain.checkpoints) > 1
    for s in (plain, quick):
        s.seek(4500)
        s.apply(Action("crash", "leader"))
        s.seek(7000)
    assert quick.frames[-1].counts == plain.frames[-1].counts
    a, b = plain.sim.finish().to_json(), quick.sim.finish().to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_deadlines_copy_drops_only_met_deadlines():
    """A copy of a run keeps every pending deadline (the met ones it drops expire into nothing) and runs on
    to the same report."""
    sim = Simulation(scenario([at(1500, "crash", "leader")], producer={"acks": "all"},
                              workload={"messages": 800, "interval.ms": 2}))
    sim.run(1200)
    copy = sim.checkpoint()
    for d_old, d_new in ((sim.producer.delivery_deadlines, copy.producer.delivery_deadlines),
                         (sim.producer.request_deadlines, copy.producer.request_deadlines)):
        pending = [e[:2] for e in d_old.entries() if not d_old.settled(e[2])]
        assert sorted(e[:2] for e in d_new.entries()) == sorted(pending) and d_new.armed == d_old.armed
    assert len(copy.producer.delivery_deadlines.entries()) < len(sim.producer.delivery_deadlines.entries())
    a, b = sim.run_to_end().to_json(), copy.run_to_end().to_json()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_scrubbing_back_returns_the_recorded_past():
    """seek() to an earlier time shows the frame recorded then, without recomputing."""
    s = _session()
    for _ in range(40):
        s.advance(50)
    now = s.sim.now
    frame = s.seek(1000)
    assert frame.t <= 1000 and s.sim.now == now and not s.live
    assert frame.counts["sent"] < s.frames[-1].counts["sent"]


def test_acting_in_the_past_forks_a_new_future():
    """A failure applied while scrubbed back restores the past and drops the old future."""
    s = _session()
    for _ in range(40):
        s.advance(50)
    s.seek(1000)
    s.apply(Action("power-loss", "leader"))
    assert s.live and s.sim.now == 1000
    assert s.interventions[-1].t == 1000
    assert not s.sim.brokers["broker-1"].host_on


def test_fork_matches_a_fresh_run_with_the_same_intervention():
    """Forking at t gives the same future as running from scratch and acting at t."""
    s = _session()
    s.seek(3000)
    s.seek(1000)
    s.apply(Action("crash", "leader"))
    s.seek(2500)
    fresh = _session()
    fresh.seek(1000)
    fresh.apply(Action("crash", "leader"))
    fresh.seek(2500)
    assert s.frames[-1].counts == fresh.frames[-1].counts


def test_snapshot_shows_page_cache_then_flushed_then_lost():
    """Record states follow the model: page cache, flushed by writeback, lost with a power loss."""
    sim = Simulation(scenario([at(20, "slow", "followers", delay__ms=5000)], producer={"acks": "1"},
                              workload={"messages": 10, "interval.ms": 10}))
    sim.auto_finish = False
    sim.run(200)
    assert snapshot.take(sim).state(8) == snapshot.PAGE_CACHE
    sim.run(36000)
    assert snapshot.take(sim).state(8) in (snapshot.FLUSHED, snapshot.REPLICATED, snapshot.COMMITTED)


def test_snapshot_marks_records_gone_from_every_log_as_lost():
    """After the only copy vanishes, the record is drawn as lost at once."""
    sim = Simulation(scenario([at(20, "slow", "followers", delay__ms=5000), at(300, "power-loss", "leader")],
                              producer={"acks": "1"}, workload={"messages": 20, "interval.ms": 10}))
    sim.auto_finish = False
    sim.run(301)
    snap = snapshot.take(sim)
    assert snap.state(15) == snapshot.LOST and snap.counts["lost_acked"] >= 15


def test_a_disposed_run_is_freed_without_the_collector_and_its_copy_runs_on():
    """dispose() breaks a played run's cycles: dropped, it is gone with the collector off; a copy made before
    (which shares the run's finished batches and log batches) still runs to the same report."""
    import gc
    import weakref

    sc = scenario([at(400, "crash", "leader")], producer={"acks": "all"}, workload={"messages": 300})
    sim = Simulation(sc)
    sim.run(600)
    twin = sim.checkpoint()
    fresh = Simulation(sc).run_to_end().to_json()
    sim.run_to_end()
    gone = weakref.ref(sim.producer)
    was = gc.isenabled()
    gc.disable()
    try:
        sim.dispose()
        del sim
        assert gone() is None
    finally:
        if was:
            gc.enable()
    assert json.dumps(twin.run_to_end().to_json(), sort_keys=True) == json.dumps(fresh, sort_keys=True)
