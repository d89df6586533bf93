"""Properties of the model over generated scenarios: bookkeeping, determinism, and what acks promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tutor.sim.config import build_config, check_config
from tutor.sim.simulation import Simulation
from tutor.sim.spec import Action, Scenario

EXAMPLES = int(os.environ.get("TUTOR_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("TUTOR_PROPERTY_RANDOM") is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

FATES = {"processed", "duplicated", "lost"}
VERSIONS = ("2.8", "3.6", "3.7", "4.0")


def run(scenario: Scenario):
    """Run a scenario to the end and return its report."""
    return Simulation(scenario).run_to_end()


def valid(given_: dict) -> bool:
    """Settings the loader would accept (cross-key checks included)."""
    return not check_config(build_config(given_), given_)


@st.composite
def settings_(draw) -> dict:
    """Random but valid cluster, producer, consumer and workload settings."""
    rf = draw(st.integers(1, 3))
    producer = {"client": draw(st.sampled_from(["java", "librdkafka"])),
                "acks": draw(st.sampled_from(["0", "1", "all"])),
                "linger.ms": draw(st.sampled_from([0, 5, 50])),
                "request.timeout.ms": 2000, "delivery.timeout.ms": 8000}
    if producer["acks"] == "all" and draw(st.booleans()):
        producer["enable.idempotence"] = draw(st.booleans())
    given_ = {
        "cluster": {"brokers": draw(st.integers(rf, 3)), "kafka.version": draw(st.sampled_from(VERSIONS))},
        "topic": {"replication.factor": rf, "min.insync.replicas": draw(st.integers(1, rf)),
                  "unclean.leader.election.enable": draw(st.booleans())},
        "broker": {"replica.lag.time.max.ms": draw(st.sampled_from([1000, 30000]))},
        "producer": producer,
        "workload": {"messages": draw(st.integers(10, 80)), "interval.ms": draw(st.sampled_from([0, 1, 5, 20]))},
        "network": {"jitter.ms": draw(st.sampled_from([0.0, 2.0]))},
    }
    if draw(st.booleans()):
        given_["broker"]["log.flush.interval.messages"] = 1
    if draw(st.booleans()):
        client = draw(st.sampled_from(["java", "librdkafka"]))
        consumer = {"client": client,
                    "auto.offset.reset": draw(st.sampled_from(["earliest", "latest"])),
                    "commit.mode": draw(st.sampled_from(["auto", "after-processing", "before-processing"])),
                    "processing.mode": draw(st.sampled_from(["poll-loop", "worker-thread"])),
                    "processing.ms": draw(st.sampled_from([0, 1, 5])),
                    "max.poll.records": draw(st.sampled_from([1, 10, 500])),
                    "auto.commit.interval.ms": draw(st.sampled_from([100, 1000]))}
        if client == "librdkafka":
            consumer["enable.auto.offset.store"] = draw(st.booleans())
        given_["consumer"] = consumer
        given_["broker"]["group.initial.rebalance.delay.ms"] = draw(st.sampled_from([0, 3000]))
    return given_


@st.composite
def events(draw, given_: dict) -> list[Action]:
    """Up to three failures or repairs during (or just after) the workload."""
    brokers = [f"broker-{i}" for i in range(1, given_["cluster"]["brokers"] + 1)]
    targets = brokers + ["leader", "followers", "producer"] + (["consumer"] if "consumer" in given_ else [])
    span = given_["workload"]["messages"] * given_["workload"]["interval.ms"] + 200
    out = []
    for _ in range(draw(st.integers(0, 3))):
        at = float(draw(st.integers(0, int(span))))
        kind = draw(st.sampled_from(["crash", "power-loss", "partition", "slow", "heal", "processing-error"]))
        if kind == "processing-error" and "consumer" not in given_:
            kind = "crash"
        params: dict = {}
        target = None
        if kind == "partition":
            side = draw(st.sampled_from([["leader"], ["followers"], ["producer"], ["controller"]]))
            rest = [t for t in ("leader", "followers", "producer", "controller") if [t] != side]
            params["between"] = [side, rest]
        elif kind == "slow":
            target = draw(st.sampled_from(targets))
            params["delay.ms"] = float(draw(st.sampled_from([50, 3000])))
        elif kind == "processing-error":
            target = "consumer"
        elif kind != "heal":
            target = draw(st.sampled_from(targets))
        if kind in ("crash", "power-loss", "processing-error") and draw(st.booleans()):
            params["restart.after.ms"] = float(draw(st.sampled_from([0, 500, 12000])))
        out.append(Action(kind, target, at_ms=at, params=params))
    return out


@st.composite
def scenarios(draw) -> Scenario:
    """A whole random scenario with a seed."""
    given_ = draw(settings_())
    assume(valid(given_))
    return Scenario(title="generated", seed=draw(st.integers(0, 1000)), given=given_,
                    events=draw(events(given_)))


@PROPERTY
@given(scenarios())
def test_every_record_has_exactly_one_fate(scenario):
    """Each sent record ends processed, duplicated or lost, and the summary adds up."""
    report = run(scenario)
    s, msgs = report.summary, report.messages
    assert [m["id"] for m in msgs] == list(range(s["sent"]))
    assert all(m["fate"] in FATES for m in msgs)
    for m in msgs:
        n = m["times_processed"]
        assert m["fate"] == ("lost" if n == 0 else "processed" if n == 1 else "duplicated")
        assert (m["lost_at"] is not None) == (m["fate"] == "lost")
    assert s["acked"] + s["send_errors"] + s["unconfirmed"] == s["sent"]
    assert sum(s["lost_at"].values()) == s["lost"] == sum(m["fate"] == "lost" for m in msgs)
    assert s["processed"] + s["lost"] == s["sent"]
    assert s["lost_acked"] == sum(m["fate"] == "lost" and m["acked"] for m in msgs)
    assert s["duplicates"] == sum(max(0, m["times_processed"] - 1) for m in msgs)
    messages = scenario.given["workload"]["messages"]
    producer_hit = any(a.target == "producer" for a in scenario.events)
    assert s["sent"] == messages or (producer_hit and s["sent"] < messages)


@PROPERTY
@given(scenarios())
def test_same_scenario_and_seed_give_the_same_report(scenario):
    """Two runs of one scenario and seed give byte-identical JSON reports."""
    first = json.dumps(run(scenario).to_json(), sort_keys=True)
    assert json.dumps(run(scenario).to_json(), sort_keys=True) == first


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
REPORT_SCRIPT = """
import json, sys
from tutor.scenario import load_scenario
from tutor.sim.simulation import Simulation
for path in sys.argv[1:]:
    print(json.dumps(Simulation(load_scenario(path)).run_to_end().to_json(), sort_keys=True))
"""


def reports_in_process(hash_seed: str, paths: list[str]) -> str:
    """The JSON reports of some scenario files, computed in a fresh interpreter with this hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", REPORT_SCRIPT, *paths], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout


def test_reports_do_not_depend_on_the_interpreter():
    """Determinism across processes: string hashing (set and dict order) does not change a report."""
    paths = [str(SCENARIO_DIR / n) for n in ("unclean-election-stale-replica.toml", "acks1-zombie-leader.toml",
                                             "java-consumer-autocommit-worker-thread-crash.toml",
                                             "all-brokers-power-loss.toml")]
    assert reports_in_process("1", paths) == reports_in_process("2", paths)


@st.composite
def one_broker_failure(draw) -> Scenario:
    """acks=all, RF=3, min.insync.replicas=2, unclean off; one broker crashes or loses power once."""
    messages = draw(st.integers(20, 120))
    interval = draw(st.sampled_from([1, 5, 10]))
    params = {}
    if draw(st.booleans()):
        params["restart.after.ms"] = float(draw(st.integers(0, 20000)))
    failure = Action(draw(st.sampled_from(["crash", "power-loss"])),
                     draw(st.sampled_from(["leader", "broker-1", "broker-2", "broker-3"])),
                     at_ms=float(draw(st.integers(0, messages * interval))), params=params)
    given_ = {
        "cluster": {"brokers": 3, "kafka.version": draw(st.sampled_from(VERSIONS))},
        "topic": {"replication.factor": 3, "min.insync.replicas": 2, "unclean.leader.election.enable": False},
        "producer": {"client": draw(st.sampled_from(["java", "librdkafka"])), "acks": "all",
                     "linger.ms": draw(st.sampled_from([0, 5, 20]))},
        "workload": {"messages": messages, "interval.ms": interval},
        "network": {"jitter.ms": draw(st.sampled_from([0.0, 1.0, 5.0]))},
    }
    return Scenario(title="one broker fails", seed=draw(st.integers(0, 1000)), given=given_, events=[failure])


@settings(PROPERTY, max_examples=3 * EXAMPLES)
@given(one_broker_failure())
def test_acks_all_min_isr_2_survives_any_single_broker_failure(scenario):
    """R5: with acks=all, RF=3, min.insync.replicas=2, one broker's crash or power loss loses no acked record."""
    report = run(scenario)
    assert report.summary["lost_acked"] == 0, [m["explanation"] for m in report.messages
                                                if m["fate"] == "lost" and m["acked"]][:3]


def acks1_leader_failure(action: str, at: float) -> Scenario:
    """acks=1, RF=3, a busy producer; the leader fails once at `at` and restarts a second later."""
    return Scenario(title="acks=1", seed=0, given={
        "topic": {"replication.factor": 3},
        "producer": {"acks": "1", "linger.ms": 0},
        "workload": {"messages": 200, "interval.ms": 1},
    }, events=[Action(action, "leader", at_ms=at, params={"restart.after.ms": 1000.0})])


def test_acks1_some_leader_failure_time_loses_an_acked_record():
    """P4/R7: searching the workload for a leader crash or power-loss time finds one that loses an acked record."""
    found = None
    for action in ("crash", "power-loss"):
        for at in range(0, 250, 2):
            report = run(acks1_leader_failure(action, float(at)))
            if report.summary["lost_acked"]:
                found = (action, at, report)
                break
        assert found, f"no {action} time loses an acked record with acks=1"
        action, at, report = found
        lost = [m for m in report.messages if m["fate"] == "lost" and m["acked"]]
        assert all("acks=1" in m["explanation"] for m in lost)
        found = None


@st.composite
def kafkas_promise(draw) -> Scenario:
    """The safe configuration (RF=3, acks=all, min.insync.replicas=2, idempotence on, unclean off)
    under random partitions (often longer than request.timeout.ms), process crashes, slow nodes,
    and power loss only where every write is flushed (log.flush.interval.messages=1)."""
    flushed = draw(st.booleans())
    producer = {"client": draw(st.sampled_from(["java", "librdkafka"])), "acks": "all",
                "enable.idempotence": True, "linger.ms": draw(st.sampled_from([0, 5, 20])),
                "request.timeout.ms": draw(st.sampled_from([1000, 2000, 30000])), "delivery.timeout.ms": 120000}
    given_ = {
        "cluster": {"brokers": 3, "kafka.version": draw(st.sampled_from(VERSIONS))},
        "topic": {"replication.factor": 3, "min.insync.replicas": 2, "unclean.leader.election.enable": False},
        "broker": {"replica.lag.time.max.ms": draw(st.sampled_from([1000, 10000, 30000]))},
        "producer": producer,
        "workload": {"messages": draw(st.integers(20, 100)), "interval.ms": draw(st.sampled_from([1, 5, 10]))},
        "network": {"jitter.ms": draw(st.sampled_from([0.0, 1.0, 5.0]))},
    }
    if flushed:
        given_["broker"]["log.flush.interval.messages"] = 1
    nodes = ["leader", "followers", "broker-1", "broker-2", "broker-3"]
    span = given_["workload"]["messages"] * given_["workload"]["interval.ms"] + 500
    events = []
    for _ in range(draw(st.integers(1, 4))):
        at = float(draw(st.integers(0, span)))
        kind = draw(st.sampled_from(["crash", "partition", "slow", "heal"] + (["power-loss"] if flushed else [])))
        params: dict = {}
        target = None
        if kind == "partition":
            side = draw(st.sampled_from(["leader", "followers", "producer", "controller", "broker-2"]))
            rest = [t for t in ("leader", "followers", "producer", "controller") if t != side]
            params["between"] = [[side], rest]
        elif kind == "slow":
            target = draw(st.sampled_from(nodes + ["producer"]))
            params["delay.ms"] = float(draw(st.sampled_from([50, 3000, 20000])))
        elif kind != "heal":
            target = draw(st.sampled_from(nodes + ["producer"]))
            if draw(st.booleans()):
                params["restart.after.ms"] = float(draw(st.sampled_from([0, 500, 5000, 40000])))
        events.append(Action(kind, target, at_ms=at, params=params))
    if draw(st.booleans()):  # partitions often outlast request.timeout.ms; some heal only at the end
        events.append(Action("heal", None, at_ms=float(span + draw(st.sampled_from([1000, 20000, 45000])))))
    return Scenario(title="Kafka's promise", seed=draw(st.integers(0, 1000)), given=given_, events=events)


@settings(PROPERTY, max_examples=max(10, EXAMPLES // 2))
@given(kafkas_promise())
def test_kafkas_promise_no_acknowledged_record_is_lost(scenario):
    """Kafka's promise: with the safe configuration no acknowledged record is ever lost at the broker,
    whatever partitions, crashes, slow nodes and (flushed) power losses happen."""
    report = run(scenario)
    lost = [m["explanation"] for m in report.messages if m["fate"] == "lost" and m["acked"]]
    assert report.summary["lost_acked"] == 0, lost[:3]
