"""The sandbox driver: failure keys, settings and presets change the run as the engine says."""

from pathlib import Path

import pytest

from tutor.scenario import load_scenario
from tutor.sim.snapshot import LOST
from tutor.ui.failures import FAILURES, SLOW_MS
from tutor.ui.settings import CONTROLS, NO_LOSS, step

from uihelp import demo, driver, scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_every_failure_key_has_an_action(drv):
    """Each failure key builds at least one engine action against the sandbox."""
    for f in FAILURES:
        assert f.build("leader", drv.snap) or f.name == "restart"


def test_kill_the_leader(drv):
    """K with the default target crashes the leader's process; its page cache survives."""
    lines = drv.fail("crash")
    b = drv.snap.broker("broker-1")
    assert not b.up and b.host_on and "process crashed" in lines[0]


def test_power_loss_of_the_leader(drv):
    """L: the leader's host loses power and its unflushed records with it."""
    drv.fail("power_loss")
    assert not drv.snap.broker("broker-1").host_on


def test_targets_follow_the_selection(drv):
    """Select broker-2, then L: broker-2 loses power, the leader does not."""
    drv.select("broker-2")
    drv.fail("power_loss")
    assert not drv.snap.broker("broker-2").host_on and drv.snap.broker("broker-1").up


def test_datacenter_outage(drv):
    """D: every broker loses power at once."""
    drv.fail("outage")
    assert not any(b.host_on for b in drv.snap.brokers)


def test_slow_followers_by_default_and_one_when_selected(drv):
    """S slows every follower when the leader is the target, only the selected follower otherwise."""
    drv.fail("slow")
    assert drv.snap.slow == {"broker-2": SLOW_MS, "broker-3": SLOW_MS}
    d = driver()
    d.seek(1000)
    d.select("broker-3")
    d.fail("slow")
    assert d.snap.slow == {"broker-3": SLOW_MS}


def test_zombie_leader(drv):
    """Z cuts the leader off the followers and the controller; later the controller elects another."""
    drv.fail("zombie")
    cut = {frozenset(p) for p in drv.snap.cut_links}
    assert frozenset({"broker-1", "controller"}) in cut and frozenset({"broker-1", "broker-2"}) in cut
    drv.seek(20000)
    assert drv.snap.leader != "broker-1" and drv.snap.broker("broker-1").zombie


def test_cut_the_producer_off_the_leader(drv):
    """X cuts the producer's link to the leader."""
    drv.fail("cut_producer")
    assert {frozenset(p) for p in drv.snap.cut_links} == {frozenset({"producer", "broker-1"})}


def test_producer_and_consumer_crash(drv):
    """P and C stop the applications."""
    drv.fail("crash_producer")
    drv.fail("crash_consumer")
    assert not drv.snap.producer.up and not drv.snap.consumer.up


def test_processing_error_stops_the_consumer():
    """E: the consumer's processing throws and the application closes the consumer."""
    d = driver()
    d.seek(1500)
    d.fail("processing_error")
    assert not d.snap.consumer.up
    assert any("threw" in e.text or "processing" in e.text for e in d.session.events()[-3:])


def test_restart_brings_back_what_is_down(drv):
    """R with the leader targeted restarts every stopped node (after the broker's startup time)."""
    drv.fail("power_loss")
    drv.fail("crash_producer")
    drv.fail("restart")
    drv.seek(drv.session.cursor + 3000)
    assert drv.snap.broker("broker-1").up and drv.snap.producer.up


def test_restart_says_so_when_nothing_is_down(drv):
    """R with nothing down does nothing and says why."""
    assert drv.fail("restart") == ["nothing to do: every node is already running"]


def test_heal_restores_links_and_latency(drv):
    """H removes the cuts and the added latency."""
    drv.fail("zombie")
    drv.fail("slow")
    drv.fail("heal")
    assert drv.snap.cut_links == () and not drv.snap.slow


def test_acks1_slow_followers_leader_power_loss_loses_acked_records():
    """The issue's example: acks=1, slow followers, leader power loss: lost-acked > 0, drawn as lost."""
    d = driver(scenario(producer={"acks": "1"}, workload={"interval.ms": 10}))
    d.seek(500)
    d.fail("slow")
    d.seek(800)
    d.fail("power_loss")
    frame = d.frame()
    assert frame.losses.lost_acked > 0
    ghosts = frame.ghosts["broker-1/cache"]
    assert ghosts and all(frame.snap.state(r) == LOST for r in ghosts)


def test_scrubbing_back_and_failing_forks_a_new_future(drv):
    """A failure fired in the past replaces the future computed before."""
    drv.seek(3000)
    drv.seek(2000)
    drv.fail("crash_producer")
    assert drv.session.horizon == pytest.approx(2000) and not drv.snap.producer.up


def test_a_fork_keeps_earlier_interventions():
    """Crash the producer at 2.5 s, go to 3.5 s, scrub back to 3 s and change a setting: still crashed."""
    d = driver()
    d.seek(2500)
    d.fail("crash_producer")
    d.seek(3500)
    d.seek(3000)
    d.change({("producer", "linger.ms"): 10})
    assert not d.snap.producer.up


# --- settings ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ident", sorted(CONTROLS))
def test_every_control_steps_to_its_next_value(ident):
    """→ on any control sets the next value on its ladder (live, or by restarting for start-only keys)."""
    c = CONTROLS[ident]
    rdk = c.setting.clients == ("librdkafka",)
    d = driver(scenario(**{c.section: {"client": "librdkafka"}}) if rdk else None)
    d.seek(500)
    before = d.config()[c.section][c.key]
    value = step(c, before, +1)
    outcome = d.change({(c.section, c.key): value})
    if outcome.ok:
        assert d.config()[c.section][c.key] == value
        assert outcome.restarted == c.restart_only
    else:  # refused by the model's cross-key checks; nothing changed
        assert outcome.lines[0].startswith("refused:") and d.config()[c.section][c.key] == before


def test_a_live_change_is_logged_by_the_engine(drv):
    """acks = 1 shows in the event log, and the Java client derives idempotence off (KAFKA-13598)."""
    outcome = drv.change({("producer", "acks"): "1"})
    assert outcome.ok and not outcome.restarted
    assert drv.config()["producer"]["enable.idempotence"] is False
    assert any(e.kind == "setting" and e.text == "acks = 1" for e in drv.session.events())


def test_impossible_settings_are_refused(drv):
    """min.insync.replicas above replication.factor: refused with the model's reason."""
    outcome = drv.change({("topic", "min.insync.replicas"): 4})
    assert not outcome.ok and "replication.factor" in outcome.lines[0]
    assert drv.config()["topic"]["min.insync.replicas"] == 1


def test_start_only_settings_restart_and_keep_live_changes(drv):
    """replication.factor restarts the scenario; settings changed live before are kept."""
    drv.change({("producer", "acks"): "1"})
    outcome = drv.change({("topic", "replication.factor"): 2})
    assert outcome.restarted and drv.session.cursor == 0
    assert drv.config()["topic"]["replication.factor"] == 2 and drv.config()["producer"]["acks"] == "1"


def test_no_loss_recipe(drv):
    """s: every key of the recipe is in force."""
    drv.change({("producer", "acks"): "1"})
    assert drv.preset("no-loss").ok
    cfg = drv.config()
    assert all(cfg[s][k] == v for (s, k), v in NO_LOSS.items())


def test_no_loss_recipe_on_a_single_broker_adds_brokers():
    """With one broker the recipe restarts on three, so replication.factor = 3 can hold."""
    d = driver(scenario(cluster={"brokers": 1}, topic={"replication.factor": 1}))
    outcome = d.preset("no-loss")
    assert outcome.ok and outcome.restarted
    assert d.config()["cluster"]["brokers"] == 3 and d.config()["topic"]["replication.factor"] == 3


def test_kafka_defaults_keep_the_cluster_shape(drv):
    """d: Kafka's defaults for the client and version, without restarting for RF or brokers."""
    drv.preset("no-loss")
    outcome = drv.preset("defaults")
    cfg = drv.config()
    assert outcome.ok and not outcome.restarted
    assert cfg["topic"]["min.insync.replicas"] == 1 and cfg["consumer"]["enable.auto.commit"] is True
    assert cfg["topic"]["replication.factor"] == 3


def test_demo_ledger_counts_the_acked_loss():
    """The demo at 301 ms with its own seed: 19 acknowledged records gone with broker-1's page cache
    (record 10 reached both followers before the power loss)."""
    s = demo()
    d = driver(s, seed=s.seed)
    d.seek(301)
    frame = d.frame()
    assert frame.losses.lost_acked == 19 and frame.losses.at_broker == 19
    assert frame.ghosts == {"broker-1/cache": list(range(11, 30))}


@pytest.mark.parametrize("seed", [1, 7])
def test_demo_ledger_agrees_with_the_final_report(seed):
    """From the power loss on, the live ledger's lost records are the final report's, seed by seed:
    the jitter decides whether record 10 reached the followers before broker-1 lost power."""
    from tutor.sim.simulation import Simulation

    report = Simulation(demo(), seed=seed).run_to_end()
    lost = [m["id"] for m in report.to_json()["messages"] if m["fate"] == "lost"]
    d = driver(demo(), seed=seed)
    for t in (301, 400, 5000):
        d.seek(t)
        assert [rid for rid, state in enumerate(d.snap.states()) if state == LOST] == lost
        assert d.frame().losses.lost_acked == len(lost)


# --- the model's counts, restarts and the final report ---------------------------------------------
def test_consumer_skips_are_lost_at_the_consumer_from_the_moment_they_happen():
    """Worker-thread auto-commit and a crash: 100 records skipped, counted lost (and acked) from 47.1 s."""
    d = driver(load_scenario(SCENARIOS / "java-consumer-autocommit-worker-thread-crash.toml"))
    d.seek(48_000)
    lo = d.frame().losses
    assert (lo.at_consumer, lo.lost, lo.lost_acked, lo.at_producer, lo.at_broker) == (100, 100, 100, 0, 0)
    d.seek(47_000)  # scrubbed back to before the skip: nothing lost yet
    assert d.frame().losses.lost == d.frame().losses.lost_acked == 0


def test_start_only_settings_are_the_engines():
    """The settings that restart the run are exactly those the engine refuses to change live."""
    from tutor.sim.config import START_ONLY
    from tutor.ui.settings import RESTART_ONLY

    assert RESTART_ONLY == START_ONLY


def test_group_id_restarts_the_run(drv):
    """group.id only applies at start: changing it restarts instead of reaching Session.set (which refuses)."""
    outcome = drv.change({("consumer", "group.id"): "other"})
    assert outcome.ok and outcome.restarted and drv.config()["consumer"]["group.id"] == "other"


def test_restart_with_another_seed_keeps_the_scenario(drv):
    """restart(seed) starts over at 0 with that seed."""
    drv.restart(5)
    assert drv.session.cursor == 0 and drv.session.sim.seed == 5


def test_acks0_records_lost_on_the_way_are_ghosts_on_the_wire():
    """acks=0 and the leader's power cut: requests that reach it vanish, drawn where they died (its wire)."""
    d = driver(scenario(producer={"acks": "0"}))
    d.seek(1000)
    d.fail("power_loss")
    d.seek(1300)
    frame = d.frame()
    lost = frame.ghosts["wire:broker-1"]
    assert lost and all(frame.snap.state(r) == LOST and frame.acked(r) for r in lost)
    assert frame.losses.at_producer == frame.losses.lost_acked == len(lost)


def lossy():
    """acks=1, 60 records: slow followers at 200 ms, the leader's power cut at 500 ms, run on to 3 s."""
    d = driver(scenario(producer={"acks": "1"}, workload={"messages": 60, "interval.ms": 10}))
    d.seek(200)
    d.fail("slow")
    d.seek(500)
    d.fail("power_loss")
    d.seek(3000)
    return d


def test_final_report_settles_from_the_present():
    """Live, f settles a copy of the run as it is now: the power cut's acked losses are in it."""
    d = lossy()
    settle = d.settle_copy()
    assert settle.live and settle.t == 3000
    assert settle().summary["lost_acked"] > 0


def test_final_report_settles_from_the_cursor_when_scrubbed_back():
    """Scrubbed back to before the power cut, f settles from there: nothing lost, the session untouched."""
    d = lossy()
    d.seek(400)
    settle = d.settle_copy()
    assert not settle.live and settle.t == 400
    report = settle()
    assert report.summary["lost"] == 0 and report.summary["sent"] == len(d.session.copy_at(400).ledger) < 60
    assert d.session.horizon == 3000 and len(d.session.interventions) == 2 and d.session.cursor == 400


def test_settling_from_the_cursor_replays_what_the_learner_did_before_it():
    """Scrubbed back to just after the power cut (past the last checkpoint), the copy still has the cut."""
    d = lossy()
    d.seek(600)
    assert d.settle_copy()().summary["lost_acked"] == lossy().settle_copy()().summary["lost_acked"] > 0
