"""The session as the run's one history: derived settings, marks and rewinds, branches, replays onto a new start."""

from _build import scenario

from tutor.sim.session import Session
from tutor.sim.spec import Action


def _session() -> Session:
    """A Java producer on Kafka 4.0 (idempotence on by default), acks=all, a steady workload."""
    sc = scenario(producer={"acks": "all"}, consumer={"auto.offset.reset": "earliest"},
                  workload={"messages": 400, "interval.ms": 5})
    return Session(sc, auto_finish=False)


def test_a_change_brings_the_settings_the_client_derives():
    """acks=1 turns default idempotence off (KAFKA-13598); only what was set by hand counts as given."""
    s = _session()
    s.seek(500)
    made = s.change([("producer", "acks", "1")])
    assert ("producer", "acks", "1") in made and ("producer", "enable.idempotence", False) in made
    assert s.sim.config.producer["enable.idempotence"] is False
    assert s.given()["producer"] == {"acks": "1"}
    assert [x.derived for x in s.interventions] == [False, True]


def test_an_impossible_change_changes_nothing():
    """Idempotence with acks=1 cannot run: refused with the reason, no intervention kept."""
    s = _session()
    try:
        s.change([("producer", "enable.idempotence", True), ("producer", "acks", "1")])
    except ValueError as err:
        assert "enable.idempotence" in str(err)
    else:
        raise AssertionError("the change was not refused")
    assert s.interventions == []


def test_rewind_to_a_mark_is_the_run_as_it_was():
    """Back to a mark: the same moment, the same counts, what came after it forgotten."""
    s = _session()
    s.seek(400)
    s.apply(Action("crash", "broker-2"))
    s.seek(800)
    mark, counts = s.mark(), s.frames[-1].counts
    s.apply(Action("power-loss", "leader"))
    s.seek(1500)
    s.rewind(mark)
    assert s.sim.now == 800 and s.frames[-1].counts == counts
    assert [x.action.action for x in s.interventions] == ["crash"]


def test_a_branch_has_its_own_future():
    """A branch plays on alone; the session it came from stays where it was."""
    s = _session()
    s.seek(600)
    other = s.branch()
    other.apply(Action("power-loss", "leader"))
    other.seek(1200)
    assert s.sim.now == 600 and s.interventions == [] and s.sim.brokers["broker-1"].host_on
    assert other.sim.now == 1200 and len(other.interventions) == 1


def test_a_branch_runs_on_exactly_as_the_session_would():
    """Branching copies the run, it does not approximate it: both reach the same state."""
    s = _session()
    s.seek(700)
    other = s.branch()
    s.seek(2000)
    other.seek(2000)
    assert s.frames[-1].counts == other.frames[-1].counts


def test_replayed_with_a_start_setting_matches_a_fresh_start():
    """A start setting folded in, what was done replayed: as if the run had started that way."""
    s = _session()
    s.seek(300)
    s.apply(Action("crash", "leader", params={"restart.after.ms": 500}))
    s.seek(1000)
    other = s.replayed_with([("topic", "min.insync.replicas", 2)])
    fresh = Session(scenario(producer={"acks": "all"}, consumer={"auto.offset.reset": "earliest"},
                             workload={"messages": 400, "interval.ms": 5}, topic={"min.insync.replicas": 2}),
                    auto_finish=False)
    fresh.seek(300)
    fresh.apply(Action("crash", "leader", params={"restart.after.ms": 500}))
    fresh.seek(1000)
    assert other.frames[-1].counts == fresh.frames[-1].counts and s.sim.config.topic["min.insync.replicas"] != 2


def test_a_replayed_run_without_a_session_is_the_same_run():
    """replayed_sim (what a challenge trial plays) gives the run replayed_with gives, to the last record."""
    s = _session()
    s.seek(300)
    s.apply(Action("crash", "leader", params={"restart.after.ms": 500}))
    s.seek(2500)
    s.set("producer", "linger.ms", 20)
    s.seek(4700)
    change = [("topic", "min.insync.replicas", 2)]
    bare, full = s.replayed_sim(change), s.replayed_with(change).sim
    assert bare.now == full.now == 4700
    assert bare.finish().to_json() == full.finish().to_json()
