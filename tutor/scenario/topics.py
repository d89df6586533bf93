"""Check [[topics]]: further topics after [topic], as the article's subscribe(Arrays.asList("foo", "bar")) wants."""

from __future__ import annotations

import re
from typing import Any

from tutor.sim.config import Config

from .errors import ScenarioError, show
from .flatten import DuplicateKey, flatten
from .values import is_int

MAX_EXTRA_TOPICS = 2
MAX_PARTITIONS = 12
TOPIC_KEYS = ("name", "partitions", "replication.factor", "min.insync.replicas")
#: Kafka's Topic.validate: ASCII letters, digits, '.', '_' and '-', at most 249 characters
LEGAL_NAME = re.compile(r"[a-zA-Z0-9._-]{1,249}")


def check_topics(path: str, raw: Any, config: Config) -> list[dict[str, Any]]:
    """[[topics]] as a list of {name, partitions[, replication.factor, min.insync.replicas]}, or ScenarioError."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ScenarioError(path, "[[topics]]", "must be an array of tables, each written [[topics]]")
    if len(raw) > MAX_EXTRA_TOPICS:
        raise ScenarioError(path, "[[topics]]", f"at most {MAX_EXTRA_TOPICS} topics besides [topic], "
                                                f"not {len(raw)}")
    seen = {config.topic["name"]: "[topic]"}
    out = []
    for i, table in enumerate(raw, 1):
        where = f"[[topics]] {i}"
        topic = _topic(path, where, table, config)
        if topic["name"] in seen:
            raise ScenarioError(path, f"{where} name", f"{show(topic['name'])} is already the name of "
                                                       f"{seen[topic['name']]}; every topic needs its own")
        seen[topic["name"]] = where
        out.append(topic)
    return out


def _topic(path: str, where: str, table: dict[str, Any], config: Config) -> dict[str, Any]:
    """One checked entry."""
    try:
        values = flatten(table, TOPIC_KEYS)
    except DuplicateKey as dup:
        raise ScenarioError(path, f"{where} {dup.name}", "given twice") from None
    for key in values:
        if key not in TOPIC_KEYS:
            raise ScenarioError(path, f"{where} {key}", f"unknown key; [[topics]] takes {', '.join(TOPIC_KEYS)}")
    for key in ("name", "partitions"):
        if key not in values:
            raise ScenarioError(path, where, f"needs {key}")
    name = values["name"]
    check_name(path, f"{where} name", name)
    rf = values.get("replication.factor", config.topic["replication.factor"])
    limits = {"partitions": MAX_PARTITIONS, "replication.factor": config.cluster["brokers"],
              "min.insync.replicas": rf if is_int(rf) else 1}
    for key, top in limits.items():
        if key in values and (not is_int(values[key]) or not 1 <= values[key] <= top):
            raise ScenarioError(path, f"{where} {key}", f"takes an integer from 1 to {top}, not {show(values[key])}")
    return dict(values)


def check_name(path: str, where: str, name: Any) -> None:
    """A topic name Kafka accepts (not "." or "..", not internal)."""
    if not isinstance(name, str) or not LEGAL_NAME.fullmatch(name) or name in (".", ".."):
        raise ScenarioError(path, where, f"takes a topic name of 1 to 249 letters, digits, '.', '_' or '-', "
                                         f"not {show(name)}")
    if name.startswith("__"):
        raise ScenarioError(path, where, f"{show(name)} starts with __, which Kafka keeps for internal topics")
