"""The pending waits a run exposes: each names its setting, and ends when Kafka's timeout says."""

import pytest

from tutor.sim.simulation import Simulation
from tutor.sim.snapshot import take
from tutor.sim.waits import kafka_value, pending

from _build import at, live


def _by(sim: Simulation, who: str) -> list:
    """The pending waits of one party."""
    return [w for w in pending(sim) if w.who == who]


def test_a_healthy_run_waits_for_nothing():
    """Records flow: no timeout governs what happens next."""
    sim = live(workload={"messages": 1000, "interval.ms": 10})
    sim.run(3000)
    assert _by(sim, "controller") == [] and _by(sim, "producer") == []


def test_a_dead_leader_is_fenced_when_its_session_expires():
    """R1: the controller fences a silent broker broker.session.timeout.ms (9000 in KRaft) after its last
    heartbeat; the wait names that setting, ends then, and the election follows at that time."""
    sim = live([at(2000, "power-loss", "leader")], workload={"messages": 1000, "interval.ms": 10})
    sim.run(2500)
    [w] = _by(sim, "controller")
    assert (w.setting, w.value) == ("broker.session.timeout.ms", 9000)
    last = sim.controller.last_heartbeat["broker-1"]
    assert w.due == last + 9000 and 2000 - 9000 < w.due - 9000 <= 2000
    assert "broker-1's session expires" in w.what and "new leader" in w.then
    sim.run(w.due)
    assert sim.controller.leader != "broker-1" and _by(sim, "controller") == []


def test_a_request_to_a_powerless_leader_times_out_after_request_timeout_ms():
    """P6: a produce request to a host without power gets no answer; it fails after request.timeout.ms
    (30000) and is retried, on the new leader once one is elected."""
    sim = live([at(2000, "power-loss", "leader")], workload={"messages": 1000, "interval.ms": 10})
    sim.run(3500)
    [w] = _by(sim, "producer")
    assert (w.setting, w.value) == ("request.timeout.ms", 30000) and "broker-1" in w.what
    assert 2000 - 1500 <= w.due - 30000 <= 3500 - 1000  # sent around the power loss, unanswered for 1 s
    sim.run(12000)
    [w2] = _by(sim, "producer")
    assert w2.due == w.due and "new leader broker-2" in w2.then


def test_a_restarted_consumer_waits_for_its_dead_session():
    """A crashed member holds the partition until session.timeout.ms passes; the new one joins then."""
    sim = live([at(4000, "crash", "consumer"), at(5000, "restart", "consumer")], consumer={},
               workload={"messages": 1000, "interval.ms": 10})
    sim.run(5100)
    [w] = _by(sim, "consumer")
    timeout = sim.config.consumer["session.timeout.ms"]
    assert (w.setting, w.value) == ("session.timeout.ms", timeout) and w.due == 4000 + timeout
    sim.run(w.due)
    assert sim.consumer.state == "active"


def test_snapshots_carry_the_waits_and_lines_say_kafkas_values():
    """The snapshot holds the waits; a line counts down and writes values as Kafka does."""
    sim = live([at(2000, "power-loss", "leader")], workload={"messages": 1000, "interval.ms": 10})
    sim.run(2500)
    snap = take(sim)
    w = next(w for w in snap.waits if w.who == "controller")
    line = w.line(w.due - 7000)
    assert line.startswith("controller: broker-1's session expires in 7.0 s (broker.session.timeout.ms = 9000)")
    assert w.line(0, then=False, value=False, who=False) == \
        f"broker-1's session expires in {w.due / 1000:,.1f} s (broker.session.timeout.ms)"
    assert [kafka_value(v) for v in (True, False, None, 500.0, "all")] == ["true", "false", "null", "500", "all"]


@pytest.mark.parametrize("client, setting, timeout", [
    ("java", "request.timeout.ms", 30000),
    ("librdkafka", "socket.timeout.ms + fetch.wait.max.ms", 60500),
])
def test_a_fetch_to_a_powerless_leader_is_given_up_its_timeout_after_it_was_sent(client, setting, timeout):
    """The consumer's fetch to a leader without power: the wait ends the client's fetch timeout after the fetch
    was sent (Java request.timeout.ms; librdkafka socket.timeout.ms + fetch.wait.max.ms), and the fetch is
    given up right then, not before."""
    sim = live([at(2000, "power-loss", "leader")],
               consumer={"auto.offset.reset": "earliest", "start.ms": 0, "client": client},
               broker={"group.initial.rebalance.delay.ms": 0}, workload={"messages": 1000, "interval.ms": 10})
    sim.run(5000)
    [w] = _by(sim, "consumer")
    sent = sim.consumer.fetch_sent_at
    assert (w.setting, w.value) == (setting, timeout) and "broker-1" in w.what
    assert w.due == sent + timeout and 1900 < sent <= 2100
    sim.run(w.due - 0.01)
    assert sim.consumer.fetching and sim.consumer.fetch_sent_at == sent
    sim.run(w.due + 0.01)
    assert not sim.consumer.fetching and _by(sim, "consumer") == []
