"""A scenario's Kafka settings as real configuration: Java properties, librdkafka JSON, server.properties, topic CLI."""

from __future__ import annotations

import json
import math
from typing import Any

from tutor.sim.assignors import EAGER, PROTOCOL_OF
from tutor.sim.config import SETTINGS, strategies, vt
from tutor.sim.spec import Scenario

FORMATS = ("java", "librdkafka", "broker", "topic")
NEVER_MS = 9223372036854775807  # Kafka's Long.MAX_VALUE: an unset flush interval
INT_MAX, LONG_MAX = 2**31 - 1, 2**63 - 1

def _eager_if_mixed(value: str) -> str:
    """"range,cooperative-sticky" -> "range": the assignors a Java member uses when its list mixes protocols."""
    names = strategies(value)
    if len({PROTOCOL_OF.get(n) for n in names}) > 1:
        names = tuple(n for n in names if PROTOCOL_OF.get(n) == EAGER)
    return ",".join(names)


#: a librdkafka name -> (Java name, value conversion); None: the Java client has no such property
TO_JAVA: dict[tuple[str, str], tuple[str, Any] | None] = {
    ("producer", "queue.buffering.max.kbytes"): ("buffer.memory", lambda kb: kb * 1024),
    ("producer", "queue.buffering.max.messages"): None,
    ("producer", "message.max.bytes"): ("max.request.size", lambda v: v),
    ("consumer", "fetch.wait.max.ms"): ("fetch.max.wait.ms", lambda v: v),
    ("consumer", "enable.auto.offset.store"): None,
}
#: a Java name -> (librdkafka name, value conversion); None: librdkafka has no such property
TO_RDK: dict[tuple[str, str], tuple[str, Any] | None] = {
    ("producer", "buffer.memory"): ("queue.buffering.max.kbytes", lambda b: max(1, math.ceil(b / 1024))),
    ("producer", "max.block.ms"): None,  # produce() fails at once with QUEUE_FULL instead of blocking
    ("producer", "max.request.size"): ("message.max.bytes", lambda v: v),
    ("consumer", "fetch.max.wait.ms"): ("fetch.wait.max.ms", lambda v: v),
    # Java rebalances eagerly when its list mixes eager and cooperative assignors (only the eager ones
    # take part); librdkafka refuses such a list, so the export keeps what Java actually uses
    ("consumer", "partition.assignment.strategy"): ("partition.assignment.strategy", _eager_if_mixed),
    ("consumer", "max.poll.records"): None,  # librdkafka: consume(num_messages); its own
    # max.poll.records bounds share consumers only (CONFIGURATION.md)
}
NO_EQUIVALENT_NOTE = {
    "max.block.ms": "librdkafka's produce() raises QUEUE_FULL at once instead of blocking",
    "max.poll.records": "with confluent-kafka pass it as consume(num_messages=...)",
    "queue.buffering.max.messages": "the Java producer bounds its buffer in bytes only (buffer.memory)",
    "enable.auto.offset.store": "the Java consumer commits the positions poll() returned",
}

# The Java clients' property types, from ProducerConfig.java and ConsumerConfig.java (apache/kafka) at each
# release tag: name -> [(first version, type)], the type in force from that version on.
JAVA_TYPES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "producer": {
        "acks": [("2.0", "STRING")],
        "linger.ms": [("2.0", "LONG"), ("2.1", "INT"), ("2.3", "LONG")],  # KAFKA-5886 made it INT; KAFKA-8134
        "batch.size": [("2.0", "INT")],
        "buffer.memory": [("2.0", "LONG")],
        "max.block.ms": [("2.0", "LONG")],
        "max.request.size": [("2.0", "INT")],
        "retries": [("2.0", "INT")],
        "retry.backoff.ms": [("2.0", "LONG")],
        "retry.backoff.max.ms": [("3.7", "LONG")],  # KIP-580: exponential retry backoff
        "request.timeout.ms": [("2.0", "INT")],
        "delivery.timeout.ms": [("2.1", "INT")],  # KIP-91 (KAFKA-5886): new in 2.1
        "enable.idempotence": [("2.0", "BOOLEAN")],
        "max.in.flight.requests.per.connection": [("2.0", "INT")],
        "metadata.max.age.ms": [("2.0", "LONG")],
    },
    "consumer": {
        "group.id": [("2.0", "STRING")],
        "enable.auto.commit": [("2.0", "BOOLEAN")],
        "auto.commit.interval.ms": [("2.0", "INT")],
        "auto.offset.reset": [("2.0", "STRING")],
        "max.poll.records": [("2.0", "INT")],
        "session.timeout.ms": [("2.0", "INT")],
        "fetch.max.wait.ms": [("2.0", "INT")],
        "partition.assignment.strategy": [("2.0", "LIST")],
        "max.poll.interval.ms": [("2.0", "INT")],
        "heartbeat.interval.ms": [("2.0", "INT")],
        "group.protocol": [("3.7", "STRING")],  # KIP-848: early access in 3.7, generally available in 4.0
    },
}


def java_type(role: str, name: str, version: str) -> str | None:
    """The type of a Java client property in a Kafka version, or None when that version has no such property."""
    found = None
    for since, kind in JAVA_TYPES[role].get(name, []):
        if vt(version) >= vt(since):
            found = kind
    return found


def java_problem(role: str, name: str, text: str, version: str) -> str | None:
    """Why `name=text` is not a valid Java client property in this version, or None when it is."""
    kind = java_type(role, name, version)
    if kind is None:
        return f"{name}: not a {role} property of the Kafka {version} Java client"
    if kind == "BOOLEAN":
        return None if text in ("true", "false") else f"{name}: takes true or false, not {text}"
    if kind in ("INT", "LONG"):
        limit = INT_MAX if kind == "INT" else LONG_MAX
        try:
            number = int(text)
        except ValueError:
            return f"{name}: takes a whole number ({kind}), not {text}"
        return None if -limit - 1 <= number <= limit else f"{name}: {text} is out of range for {kind}"
    return None


def changed(scenario: Scenario, section: str, include_defaults: bool) -> dict[str, Any]:
    """A section's Kafka settings as the run resolved them; without defaults, those the scenario sets itself
    (written in it, or derived from what is written, such as enable.auto.commit = false for a manual committer)."""
    config = scenario.config
    values = config.section(section) or {}
    given = scenario.given.get(section, {})
    client = values.get("client", "java")
    out = {}
    for name, value in values.items():
        setting = SETTINGS.get((section, name))
        if setting is None or not setting.kafka:
            continue  # the model's own parameters: workload, latency, processing time, client choice
        if include_defaults or name in given or value != setting.default_for(client, config.version) \
                or name == "group.id":  # a consumer that commits needs a group
            out[name] = value
    return out


def _whole(value: Any) -> Any:
    """5.0 -> 5; other values unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _translate(section: str, values: dict[str, Any], table: dict) -> tuple[dict[str, Any], list[str]]:
    """Rename settings into the other client's names; settings it lacks become notes."""
    out, notes = {}, []
    for name, value in values.items():
        if (section, name) not in table:
            out[name] = _whole(value)
            continue
        target = table[(section, name)]
        if target is None:
            notes.append(f"{name} = {_text(value)}: no equivalent; {NO_EQUIVALENT_NOTE[name]}")
        else:
            out[target[0]] = _whole(target[1](value))
    return out, notes


def _text(value: Any) -> str:
    """A value as a .properties file writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_whole(value))


def java_properties(scenario: Scenario, include_defaults: bool = False) -> dict[str, tuple[dict[str, str], list[str]]]:
    """{"producer": (properties, notes), "consumer": ...}: Java client names, values as text, checked for the version."""
    config = scenario.config
    out = {}
    for role in ("producer", "consumer"):
        if config.section(role) is None:
            continue
        values = changed(scenario, role, include_defaults)
        if config.section(role)["client"] == "librdkafka":
            values, notes = _translate(role, values, TO_JAVA)
        else:
            notes = []
        props = {}
        for name, value in values.items():
            text = _text(value)
            if isinstance(value, float) and not value.is_integer():
                notes.append(f"{name} = {value:g}: the Java client takes whole milliseconds; use {math.ceil(value)}")
                continue
            problem = java_problem(role, name, text, config.version)
            if problem:
                notes.append(problem)
            else:
                props[name] = text
        out[role] = (props, notes)
    return out


def librdkafka_config(scenario: Scenario, include_defaults: bool = False) -> dict[str, dict[str, Any]]:
    """{"producer": {...}, "consumer": {...}} with librdkafka names, ready for confluent_kafka.Producer/Consumer."""
    config = scenario.config
    out: dict[str, dict[str, Any]] = {}
    for role in ("producer", "consumer"):
        if config.section(role) is None:
            continue
        values, _ = _translate(role, changed(scenario, role, include_defaults), TO_RDK)
        out[role] = {k: _whole(v) for k, v in values.items()}
    return out


def librdkafka_notes(scenario: Scenario, include_defaults: bool = False) -> list[str]:
    """The Java settings that librdkafka cannot take, each with what to do instead."""
    config, notes = scenario.config, []
    for role in ("producer", "consumer"):
        if config.section(role) is not None:
            notes += _translate(role, changed(scenario, role, include_defaults), TO_RDK)[1]
    return notes


def broker_properties(scenario: Scenario, include_defaults: bool = False) -> tuple[dict[str, str], list[str]]:
    """server.properties lines (the coordination settings of the mode in force: KRaft from 3.3, else ZooKeeper)."""
    config = scenario.config
    values = changed(scenario, "broker", include_defaults)
    skip = "zookeeper.session.timeout.ms" if config.kraft else "broker.session.timeout.ms"
    skip_also = () if config.kraft else ("broker.heartbeat.interval.ms",)
    props, notes = {}, []
    for name, value in values.items():
        if name == skip or name in skip_also:
            if name in changed(scenario, "broker", False):
                mode = "KRaft" if config.kraft else "ZooKeeper"
                notes.append(f"{name}: not used in {mode} mode (Kafka {config.version})")
            continue
        props[name] = str(NEVER_MS) if value is None else _text(value)
    return props, notes


def topic_commands(scenario: Scenario, include_defaults: bool = False) -> list[str]:
    """kafka-topics.sh to create the topic and kafka-configs.sh to set the same configs on an existing one."""
    config = scenario.config
    values = changed(scenario, "topic", include_defaults)
    configs = [f"{k}={_text(v)}" for k, v in values.items() if k not in ("replication.factor", "partitions")]
    topic = config.topic["name"]
    create = (f"kafka-topics.sh --bootstrap-server localhost:9092 --create --topic {topic} "
              f"--partitions {config.topic['partitions']} "
              f"--replication-factor {config.topic['replication.factor']}"
              + "".join(f" --config {c}" for c in configs))
    lines = [create]
    if configs:
        lines.append("kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics "
                     f"--entity-name {topic} --add-config {','.join(configs)}")
    for extra in config.extra_topics:  # [[topics]]: created alike, with their own shape
        own = [c for c in configs if not c.startswith("min.insync.replicas=")]
        own += [f"min.insync.replicas={extra['min.insync.replicas']}"] if any(
            c.startswith("min.insync.replicas=") for c in configs) or include_defaults or \
            extra["min.insync.replicas"] != config.topic["min.insync.replicas"] else []
        lines.append(f"kafka-topics.sh --bootstrap-server localhost:9092 --create --topic {extra['name']} "
                     f"--partitions {extra['partitions']} --replication-factor {extra['replication.factor']}"
                     + "".join(f" --config {c}" for c in own))
    return lines


def export_notes(scenario: Scenario, fmt: str, include_defaults: bool = False) -> list[str]:
    """What a format cannot say (JSON has no comments): printed apart from the configuration."""
    return librdkafka_notes(scenario, include_defaults) if fmt == "librdkafka" else []


def export_text(scenario: Scenario, fmt: str, include_defaults: bool = False) -> str:
    """The scenario's settings in one format, as the text `tutor export` prints (notes are comments in it)."""
    version = scenario.config.version
    if fmt == "librdkafka":
        return json.dumps(librdkafka_config(scenario, include_defaults), indent=2) + "\n"
    if fmt == "java":
        blocks = []
        for role, (props, notes) in java_properties(scenario, include_defaults).items():
            lines = [f"# {role}.properties (Java client, Kafka {version})"]
            lines += [f"{k}={v}" for k, v in props.items()] + [f"# {n}" for n in notes]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"
    if fmt == "broker":
        props, notes = broker_properties(scenario, include_defaults)
        lines = [f"# server.properties (Kafka {version})"] + [f"{k}={v}" for k, v in props.items()]
        return "\n".join(lines + [f"# {n}" for n in notes]) + "\n"
    if fmt == "topic":
        return "\n".join(topic_commands(scenario, include_defaults)) + "\n"
    raise ValueError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
