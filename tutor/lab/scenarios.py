"""Each lab case as a simulator scenario whose settings mirror the real run, and its prediction."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tutor.scenario import ScenarioError, parse_scenario
from tutor.sim.spec import Scenario

from .catalog import Case, ConsumeRun, GroupRun, ProduceRun
from .outcome import Outcome, RecordFate
from .target import INITIAL_REBALANCE_DELAY_MS, Target


def scenario_text(case: Case, target: Target) -> str:
    """The case as scenario TOML (it can be saved and given to `tutor run`)."""
    run = case.run
    if isinstance(run, GroupRun):
        return group_scenario_text(run)
    lines = [f"title = {_toml(f'lab {case.name}: {case.title}')}", "", "[topic]",
             "replication.factor = 3", ""]
    if isinstance(run, ConsumeRun):
        lines += _consume_sections(run, target)
    else:
        lines += _produce_sections(run, target)
    return "\n".join(lines) + "\n"


def _consume_sections(run: ConsumeRun, target: Target) -> list[str]:
    """Records produced up front; one librdkafka consumer that is killed mid-batch and restarted."""
    consumer = {"client": "librdkafka", **run.kafka_settings(target.session_timeout_ms),
                "max.poll.records": run.batch, "processing.ms": run.processing_ms}
    if run.commit != "auto":
        consumer["commit.mode"] = run.commit
    return [
        "[broker]", f"group.initial.rebalance.delay.ms = {INITIAL_REBALANCE_DELAY_MS}", "",
        "[producer]", 'client = "librdkafka"', 'acks = "all"', "",
        "[consumer]", *_keys(consumer), "",
        # the real run produces every record before the consumer starts; 1 ms apart they are
        # all in the log long before the group's first assignment (3 s)
        "[workload]", f"messages = {run.messages}", "interval.ms = 1", "",
        "[[events]]", f"when.processed = {run.crash_after}", 'action = "crash"', 'target = "consumer"',
        f"restart.after.ms = {run.restart_after_ms}",
    ]


def _produce_sections(run: ProduceRun, target: Target) -> list[str]:
    """One librdkafka producer; maybe killed after some sends; slow brokers on the mock cluster."""
    lines = ["[producer]", 'client = "librdkafka"', *_keys(run.kafka_settings()), "",
             "[workload]", f"messages = {run.messages}", f"interval.ms = {run.interval_ms}"]
    if run.crash_after_sent is not None:
        # send k happens at (k-1) * interval; the kill lands before the next one is due
        at = (run.crash_after_sent - 1) * run.interval_ms + run.interval_ms / 2
        lines += ["", "[[events]]", f"at.ms = {at:g}", 'action = "crash"', 'target = "producer"',
                  f"restart.after.ms = {run.restart_after_ms}"]
    if run.broker_rtt_ms and target.mock:
        # test.mock.broker.rtt delays each answer by the round trip; half of it on each way
        lines += ["", "[[events]]", "at.ms = 0", 'action = "slow"', 'target = "all-brokers"',
                  f"delay.ms = {run.broker_rtt_ms // 2}"]
    return lines


def group_scenario_text(run: GroupRun) -> str:
    """A group case's scenario file (tutor/data/lab/); the same on the mock and on a real cluster."""
    return resources.files("tutor").joinpath("data", "lab", run.scenario_file).read_text(encoding="utf-8")


def _keys(settings: dict[str, Any]) -> list[str]:
    """TOML lines `key = value`, dotted names quoted so they stay one key."""
    return [f"{_toml(k) if '.' in k else k} = {_toml(v)}" for k, v in settings.items()]


def _toml(value: Any) -> str:
    """A TOML literal for a string, bool or number (JSON spells these the same way)."""
    return json.dumps(value)


def scenario(case: Case, target: Target) -> Scenario:
    """The case as a checked Scenario."""
    return parse_scenario(scenario_text(case, target), source=f"lab {case.name}")


#: said in place of a prediction the simulator cannot make
NOT_MODELLED = "the simulator does not model consumer groups yet"


def unmodelled(case: Case, target: Target) -> str | None:
    """Why the simulator cannot predict this case (one line), or None when it can.

    Only a group case can be refused: its scenario file uses the group keys (`instances`,
    `partitions`, ...), and it runs as soon as the scenario loader accepts them.
    """
    if not isinstance(case.run, GroupRun):
        return None
    try:
        scenario(case, target)
    except ScenarioError as err:
        first = str(err).split(";")[0]  # the loader's first complaint is enough for one line
        return f"{NOT_MODELLED} (the loader refuses its scenario, tutor/data/lab/{case.run.scenario_file}: {first})"
    return None


def predict(case: Case, target: Target) -> Outcome | None:
    """Run the case's scenario through the simulator; None when it cannot model the case (see unmodelled)."""
    from tutor.sim.simulation import Simulation

    if unmodelled(case, target) is not None:
        return None
    sim = Simulation(scenario(case, target))
    report = sim.run_to_end()
    outcome = Outcome.from_report(report)
    if isinstance(case.run, GroupRun):
        outcome.records, outcome.owners = group_fates(sim, report.messages)
    return outcome


def group_fates(sim: Any, messages: Any) -> tuple[list[RecordFate], dict[str, tuple[int, ...]]]:
    """A finished group run's records (partition, offset, who processed them) and each member's first
    partitions, read from the engine's ledger as the real run reads its clients' events."""
    by = {rid: tuple(name for name, _ in seen) for rid, seen in sim.wire.processed_by.items()}
    records = [RecordFate(m["id"], m["partition"], m["offset"], by.get(m["id"], ()))
               for m in messages]
    owners: dict[str, tuple[int, ...]] = {}
    for e in sim.ledger.events:
        if e.kind == "group" and e.data and e.data.get("event") == "assigned" and e.node not in owners:
            owners[e.node] = tuple(e.data["added"])
    return records, owners
