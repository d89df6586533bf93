"""The sandbox driver: failure keys, settings and presets change the run as the engine says."""

import pytest

from tutor.sim.snapshot import LOST
from tutor.ui.failures import FAILURES, SLOW_MS
from tutor.ui.settings import CONTROLS, NO_LOSS, step

from uihelp import demo, driver, scenario


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
    """The demo at 301 ms: 19 acknowledged records gone with broker-1's page cache."""
    d = driver(demo())
    d.seek(301)
    frame = d.frame()
    assert frame.losses.lost_acked == 19 and frame.losses.at_broker == 19
    assert frame.ghosts == {"broker-1/cache": list(range(11, 30))}
