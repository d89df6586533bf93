"""Every setting declared live reaches the component that reads it: changed mid-run, it changes the run.

For each live setting (tutor.sim.config.SETTINGS, `live=True`) a probe names a small run in which
the setting matters, the moment to change it and the new value. The run is forked at that moment;
one branch gets the change. A branch whose engine state (logs, ISR, flushes, batches, commits,
consumer and producer state, the operator's events) ends up the same as the unchanged branch's
means the change never reached the component that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from _build import at, live

from tutor.sim.config import SETTINGS, START_ONLY
from tutor.sim.simulation import Simulation
from tutor.sim.spec import Action

BUSY = {"messages": 3000, "interval.ms": 1}
STEADY = {"workload": {"messages": 1000, "interval.ms": 10}}  # the base of every probe: 10 s of sends


@dataclass(frozen=True)
class Probe:
    """A run where a setting matters: its sections and events, when to change it, to what, and how long to look."""

    value: Any
    given: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: tuple[Action, ...] = ()
    change_at: float = 1000.0
    until: float = 4000.0


def _consumer(**values: Any) -> dict[str, Any]:
    """A consumer section that starts at once in a group with no initial delay."""
    return {"consumer": dict(values), "broker": {"group.initial.rebalance.delay.ms": 0}}


def _with(*parts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Merge section dictionaries."""
    out: dict[str, dict[str, Any]] = {}
    for part in parts:
        for section, values in part.items():
            out.setdefault(section, {}).update(values)
    return out


RDK_PRODUCER = {"producer": {"client": "librdkafka"}}
CUT_PRODUCER = (at(1000, "partition", between=[["producer"], ["leader"]]),)
ZOOKEEPER = {"cluster": {"kafka.version": "3.6", "metadata.mode": "zookeeper"}}
FAST_ZK = {"broker": {"zookeeper.session.timeout.ms": 1500}}
#: broker-3 is fenced within a second and min.insync.replicas=3: acks=all writes are refused and retried
REFUSED = {"topic": {"min.insync.replicas": 3}, "producer": {"request.timeout.ms": 300},
           "broker": {"broker.session.timeout.ms": 500, "broker.heartbeat.interval.ms": 100}}
REFUSING = (at(200, "crash", "broker-3"),)
#: the ISR dies at 2 s and stays dead; broker-3, out of the ISR, is back by 6 s: offline, unless unclean
OFFLINE = (at(0, "crash", "broker-3", restart__after__ms=4000), at(2000, "crash", "broker-1"),
           at(2000, "crash", "broker-2"))

PROBES: dict[tuple[str, str], Probe] = {
    ("topic", "min.insync.replicas"): Probe(3, {"producer": {"acks": "all"}},
                                           (at(100, "crash", "broker-3"),), until=12000),
    ("topic", "unclean.leader.election.enable"): Probe(True, _with(ZOOKEEPER, FAST_ZK), OFFLINE,
                                                      change_at=8000, until=8100),
    ("broker", "log.flush.interval.messages"): Probe(1),
    ("broker", "log.flush.interval.ms"): Probe(100, {"broker": {"log.flush.scheduler.interval.ms": 50},
                                                     "workload": {"messages": 4000, "interval.ms": 10}},
                                               change_at=30500, until=31000),
    ("broker", "replica.lag.time.max.ms"): Probe(1000, {"workload": {"messages": 3000, "interval.ms": 10}},
                                                 (at(500, "partition", between=[["broker-3"], ["broker-1"]]),),
                                                 until=20000),
    ("broker", "replica.fetch.wait.max.ms"): Probe(50, {"workload": {"messages": 10}}),
    ("broker", "replica.fetch.max.bytes"): Probe(100, {"workload": BUSY, "network": {"latency.ms": 20}}),
    ("broker", "broker.session.timeout.ms"): Probe(2000, {}, (at(1500, "crash", "broker-3"),), until=8000),
    ("broker", "broker.heartbeat.interval.ms"): Probe(500),
    ("broker", "zookeeper.session.timeout.ms"): Probe(2000, ZOOKEEPER, (at(1500, "crash", "broker-3"),),
                                                      until=12000),
    ("broker", "group.initial.rebalance.delay.ms"): Probe(0, {"consumer": {"start.ms": 1500}}, until=3000),
    ("broker", "vm.dirty_expire_centisecs"): Probe(100, until=8000),
    ("broker", "vm.dirty_writeback_centisecs"): Probe(10, {"broker": {"vm.dirty_expire_centisecs": 100}},
                                                      until=8000),
    ("broker", "disk.fsync.ms"): Probe(50, {"broker": {"log.flush.interval.messages": 1}}),
    ("broker", "startup.ms"): Probe(100, {}, (at(1500, "crash", "broker-3", restart__after__ms=100),)),
    ("producer", "acks"): Probe("1", {"producer": {"acks": "all"}}),
    ("producer", "linger.ms"): Probe(50),
    ("producer", "batch.size"): Probe(100, {"workload": BUSY}),
    ("producer", "buffer.memory"): Probe(50),
    ("producer", "max.block.ms"): Probe(0, {"producer": {"buffer.memory": 2000}, "workload": BUSY},
                                        (at(500, "slow", "broker-1", delay__ms=200),)),
    ("producer", "queue.buffering.max.messages"): Probe(1, _with(RDK_PRODUCER, {"workload": BUSY})),
    ("producer", "queue.buffering.max.kbytes"): Probe(1, _with(RDK_PRODUCER, {"workload": {
        **BUSY, "size.bytes": 600}})),
    ("producer", "retries"): Probe(0, _with(REFUSED, {"producer": {"enable.idempotence": False}}), REFUSING),
    ("producer", "retry.backoff.ms"): Probe(3000, REFUSED, REFUSING),
    ("producer", "retry.backoff.max.ms"): Probe(100, REFUSED, REFUSING, until=8000),
    ("producer", "socket.timeout.ms"): Probe(1000, RDK_PRODUCER, CUT_PRODUCER, change_at=900),
    ("producer", "request.timeout.ms"): Probe(1000, {}, CUT_PRODUCER, change_at=900),
    ("producer", "delivery.timeout.ms"): Probe(1500, {"producer": {"request.timeout.ms": 500}}, CUT_PRODUCER,
                                               change_at=900),
    ("producer", "enable.idempotence"): Probe(False),
    ("producer", "max.in.flight.requests.per.connection"): Probe(1, {"network": {"latency.ms": 20},
                                                                     "workload": BUSY}),
    ("producer", "send.mode"): Probe("sync", {"workload": BUSY}),
    ("producer", "max.request.size"): Probe(50),
    ("producer", "message.max.bytes"): Probe(1000, _with(RDK_PRODUCER, {"workload": {"size.bytes": 2000}})),
    ("producer", "max.outstanding"): Probe(1, {"producer": {"send.mode": "window", "max.outstanding": 1000},
                                               "workload": BUSY}),
    ("producer", "spool.fsync.mode"): Probe("every", {"producer": {"send.mode": "spool"}, "workload": BUSY}),
    ("producer", "spool.fsync.ms"): Probe(5, {"producer": {"send.mode": "spool", "spool.fsync.mode": "every"},
                                              "workload": BUSY}),
    ("producer", "spool.fsync.interval.ms"): Probe(50, {"producer": {
        "send.mode": "spool", "spool.fsync.mode": "interval", "spool.fsync.interval.ms": 100000}},
        CUT_PRODUCER + (at(1500, "power-loss", "producer", restart__after__ms=100),), change_at=900),
    ("producer", "app.memory.bytes"): Probe(1000, {"producer": {"send.mode": "unbounded", "buffer.memory": 2000},
                                                   "workload": BUSY}, (at(500, "slow", "broker-1", delay__ms=200),)),
    ("consumer", "enable.auto.commit"): Probe(True, _consumer(client="librdkafka", **{
        "commit.mode": "after-processing", "auto.commit.interval.ms": 100})),
    ("consumer", "auto.commit.interval.ms"): Probe(100, _consumer()),
    ("consumer", "enable.auto.offset.store"): Probe(False, _consumer(client="librdkafka", **{
        "processing.ms": 50, "auto.commit.interval.ms": 100})),
    ("consumer", "auto.offset.reset"): Probe("earliest", _consumer(**{"start.ms": 1500})),
    ("consumer", "max.poll.records"): Probe(1, _with(_consumer(), {"workload": BUSY})),
    ("consumer", "session.timeout.ms"): Probe(1000, _consumer(), (at(1500, "crash", "consumer",
                                                                     restart__after__ms=100),)),
    ("consumer", "fetch.max.wait.ms"): Probe(50, _with(_consumer(), {"workload": {"messages": 10}})),
    ("consumer", "fetch.wait.max.ms"): Probe(50, _with(_consumer(client="librdkafka"),
                                                       {"workload": {"messages": 10}})),
    ("consumer", "commit.mode"): Probe("before-processing", _consumer()),
    ("consumer", "commit.offset"): Probe("last", _consumer(**{"commit.mode": "after-processing"})),
    # three partitions, polls of several: per-partition commits t-0 as soon as its records are done
    ("consumer", "commit.scope"): Probe("per-partition", _with(
        _consumer(**{"commit.mode": "after-processing", "max.poll.records": 500, "processing.ms": 1}),
        {"topic": {"partitions": 3}, "workload": {"keys": 6, **BUSY}})),
    ("consumer", "processing.mode"): Probe("worker-thread", _with(_consumer(**{"processing.ms": 5}),
                                                                  {"workload": BUSY})),
    ("consumer", "processing.ms"): Probe(10, _consumer()),
    ("workload", "interval.ms"): Probe(20),
    ("workload", "size.bytes"): Probe(1000),
    ("network", "latency.ms"): Probe(10),
    ("network", "jitter.ms"): Probe(5),
}

LIVE = sorted(k for k in SETTINGS if k not in START_ONLY)


def state(sim: Simulation) -> tuple:
    """What the engine did and holds, minus the note that a setting changed."""
    events = tuple((e.t, e.text) for e in sim.ledger.events if e.kind != "setting")
    batches = tuple((i, tuple(b.steps)) for i, b in enumerate(sim.ledger.batches))
    brokers = tuple((b.replica.log.flushed, b.replica.log.recovery_point, b.replica.hw, tuple(b.replica.isr),
                     b.replica.fetch_sent_at, tuple((x.base, x.count, x.pid, x.seq, x.size)
                                                    for x in b.replica.log.batches))
                    for b in sim.brokers.values())
    c = sim.consumer
    consumer = None if c is None else (c.position, c.polls, c.fetch_sent_at, c.stored, c.last_commit_at)
    g = sim.group
    commits = tuple((o.offset, o.at, o.how) for o in g.offsets)  # every partition's committed offset
    return (events, batches, brokers, consumer, commits,
            tuple(sorted(sim.controller.last_heartbeat.items())), sim.producer.pid, sim.ledger.processed)


def test_every_live_setting_has_a_probe():
    """The declaration and the probes agree: a new live setting needs a run that shows it working."""
    assert sorted(PROBES) == LIVE


@pytest.mark.parametrize("key", LIVE, ids=lambda k: f"{k[0]}.{k[1]}")
def test_a_live_change_reaches_the_engine(key):
    """Changing the setting mid-run makes the run differ from the same run left alone."""
    probe = PROBES[key]
    sim = live(list(probe.events), **_with(STEADY, probe.given))
    sim.run(probe.change_at)
    changed = sim.checkpoint()
    changed.set(*key, probe.value)
    sim.run(probe.until)
    changed.run(probe.until)
    assert state(changed) != state(sim), f"{key[0]}.{key[1]} = {probe.value!r} changed nothing"


@pytest.mark.parametrize("key", sorted(START_ONLY), ids=lambda k: f"{k[0]}.{k[1]}")
def test_a_start_only_setting_is_refused_live(key):
    """A start-only setting cannot change under a running run."""
    sim = live(consumer={})
    with pytest.raises(ValueError, match="only takes effect when a run starts"):
        sim.set(*key, SETTINGS[key].default_for("java", "4.0"))
