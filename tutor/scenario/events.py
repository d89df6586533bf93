"""Check the [[events]] array: what happens, to whom, and when."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tutor.sim.spec import ACTIONS, ROLES, TARGETED, Action

from .errors import ScenarioError, one_of, show, suggest
from .flatten import DuplicateKey, flatten
from .limits import MAX_TIME_MS
from .values import is_int, is_number

BASE_KEYS = ("action", "target", "at.ms", "when.processed")
PARAMS = tuple(sorted({p for params in ACTIONS.values() for p in params}))
#: roles that are also node names
NODE_ROLES = ("producer", "consumer", "controller")
#: parameters an action cannot do without
REQUIRED = {"partition": "between", "slow": "delay.ms"}
#: a role of one partition: leader:N, followers:N
PARTITION_ROLE = re.compile(r"(leader|followers):(\d+)")
#: leader:bar-1 / followers:bar-1: a partition of a named topic
TOPIC_ROLE = re.compile(r"(leader|followers):([a-zA-Z0-9._-]+)-(\d+)")


@dataclass
class Nodes:
    """What an event may name: the roles and the nodes this scenario has."""

    brokers: int
    consumer: bool
    partitions: int = 1
    instances: int = 1  # group members started with the run
    members: int = 1    # members in all, counting those a `join` action starts
    topics: dict[str, int] = field(default_factory=dict)  # every topic's partition count, by name

    def names(self) -> list[str]:
        """Every valid target: roles first, then node names."""
        roles = [r for r in ROLES if self.consumer or r not in ("consumer", "coordinator")]
        nodes = [f"broker-{i}" for i in range(1, self.brokers + 1)] + ["producer", "controller"]
        if self.consumer and self.members > 1:
            nodes += [f"consumer-{i}" for i in range(1, self.members + 1)]
        return roles + [n for n in nodes if n not in roles]


MEMBER = re.compile(r"consumer-([1-8])")


def joined_members(raw: Any) -> int:
    """The highest consumer-N a `join` event names (0 if none): such members exist from the start, down."""
    tables = raw if isinstance(raw, list) else []
    found = [MEMBER.fullmatch(t.get("target", "")) for t in tables
             if isinstance(t, dict) and t.get("action") == "join" and isinstance(t.get("target"), str)]
    return max([int(m.group(1)) for m in found if m] or [0])


def check_events(path: str, raw: Any, nodes: Nodes) -> list[Action]:
    """The events as Actions, in file order, or ScenarioError naming the first bad one."""
    if isinstance(raw, dict):
        raise ScenarioError(path, "[events]", "write each event as its own [[events]] table")
    if not isinstance(raw, list):
        raise ScenarioError(path, "events", "must be an array of [[events]] tables")
    return [_event(path, i, table, nodes) for i, table in enumerate(raw, start=1)]


def _event(path: str, index: int, table: Any, nodes: Nodes) -> Action:
    """One event table checked and turned into an Action."""
    where = f"[[events]] #{index}"
    if not isinstance(table, dict):
        raise ScenarioError(path, where, f"must be a table, not {show(table)}")
    values = _flat(path, where, table)
    action = _action(path, where, values.get("action"))
    _check_keys(path, where, action, values)
    at_ms, processed = _when(path, where, values, nodes)
    target = _target(path, where, action, values.get("target"), nodes)
    params = {k: _param(path, f"{where} {k}", k, v, nodes) for k, v in values.items() if k in PARAMS}
    return Action(action, target, at_ms, processed, params)


def _flat(path: str, where: str, table: dict[str, Any]) -> dict[str, Any]:
    """The event's keys as dotted names."""
    try:
        return flatten(table, BASE_KEYS + PARAMS)
    except DuplicateKey as dup:
        raise ScenarioError(path, f"{where} {dup.name}", "given twice") from None


def _action(path: str, where: str, action: Any) -> str:
    """The action name, which must be one the model knows."""
    if action is None:
        raise ScenarioError(path, where, f"needs action = one of {one_of(ACTIONS)}")
    if not isinstance(action, str):
        raise ScenarioError(path, f"{where} action", f"takes a string, one of {one_of(ACTIONS)}; not {show(action)}")
    if action not in ACTIONS:
        hint = suggest(str(action), ACTIONS) or f"; it takes {one_of(ACTIONS)}"
        raise ScenarioError(path, f"{where} action", f"unknown action {show(action)}{hint}")
    return action


def _check_keys(path: str, where: str, action: str, values: dict[str, Any]) -> None:
    """Refuse keys this action does not take, saying which it does."""
    allowed = BASE_KEYS + ACTIONS[action]
    for key in values:
        if key in allowed:
            continue
        if key in PARAMS:
            takes = ", ".join(ACTIONS[action]) or "no parameters"
            raise ScenarioError(path, f"{where} {key}", f"not a parameter of {action}; it takes {takes}")
        raise ScenarioError(path, f"{where} {key}", "unknown key" + suggest(key, allowed))
    if action in REQUIRED and REQUIRED[action] not in values:
        raise ScenarioError(path, where, f"{action} needs {REQUIRED[action]}")


def _when(path: str, where: str, values: dict[str, Any], nodes: Nodes) -> tuple[float | None, int | None]:
    """(at_ms, when_processed): exactly one of them is given."""
    at, processed = values.get("at.ms"), values.get("when.processed")
    if (at is None) == (processed is None):
        raise ScenarioError(path, where, "needs exactly one of at.ms (a time) or when.processed (a count)")
    if at is not None:
        return float(_number(path, f"{where} at.ms", at)), None
    if not is_int(processed) or processed < 1:
        raise ScenarioError(path, f"{where} when.processed", f"takes an integer >= 1, not {show(processed)}")
    if not nodes.consumer:
        raise ScenarioError(path, f"{where} when.processed",
                            "needs a [consumer]: nothing is processed without one")
    return None, processed


def _number(path: str, where: str, value: Any) -> float:
    """A number of milliseconds from 0 to MAX_TIME_MS."""
    if not is_number(value) or not 0 <= value <= MAX_TIME_MS:
        raise ScenarioError(path, where, f"takes a number >= 0 (milliseconds, at most {MAX_TIME_MS}: one hour "
                            f"of simulated time, the longest a run may last), not {show(value)}")
    return value


def _target(path: str, where: str, action: str, target: Any, nodes: Nodes) -> str | None:
    """The event's target: required for targeted actions, a role or a node name."""
    if target is None:
        if action in TARGETED:
            raise ScenarioError(path, where, f"{action} needs a target: {one_of(nodes.names())}")
        return None
    if action == "partition":
        raise ScenarioError(path, f"{where} target", "partition takes between = [[...], [...]], not a target")
    target = _node(path, f"{where} target", target, nodes)
    if action == "heal" and target.split(":")[0] in ROLES and target not in NODE_ROLES:
        raise ScenarioError(path, f"{where} target", f"heal takes a node name such as broker-1, not the role "
                                                     f"{show(target)}")
    if action == "processing-error" and target != "consumer" and not MEMBER.fullmatch(target):
        raise ScenarioError(path, f"{where} target",
                            f"processing-error happens in the consumer, not {show(target)}")
    if action == "join":
        m = MEMBER.fullmatch(target)
        if m is None or int(m.group(1)) <= nodes.instances:
            raise ScenarioError(path, f"{where} target",
                                f"join starts a member beyond [consumer] instances = {nodes.instances}: "
                                f"consumer-{nodes.instances + 1} to consumer-8, not {show(target)}")
    return target


def _node(path: str, where: str, name: Any, nodes: Nodes) -> str:
    """A role or node name this scenario has; leader:N and followers:N name partition N's."""
    if name in nodes.names():
        return name
    m = PARTITION_ROLE.fullmatch(name) if isinstance(name, str) else None
    if m is not None:
        if int(m.group(2)) < nodes.partitions:
            return name
        raise ScenarioError(path, where, f"{show(name)} names partition {m.group(2)}, but the topic has "
                                         f"{nodes.partitions} partition(s): {m.group(1)}:0 to "
                                         f"{m.group(1)}:{nodes.partitions - 1}")
    m = TOPIC_ROLE.fullmatch(name) if isinstance(name, str) else None
    if m is not None:
        return _topic_role(path, where, name, m, nodes)
    if name == "consumer":
        raise ScenarioError(path, where, "there is no consumer: add a [consumer] section")
    hint = suggest(str(name), nodes.names()) or f"; it takes {one_of(nodes.names())}"
    raise ScenarioError(path, where, f"unknown node or role {show(name)}{hint}")


def _topic_role(path: str, where: str, name: str, m: re.Match, nodes: Nodes) -> str:
    """leader:bar-1 / followers:bar-1, if the scenario has topic bar with a partition 1."""
    topic, number = m.group(2), int(m.group(3))
    if topic not in nodes.topics:
        raise ScenarioError(path, where, f"{show(name)} names topic {show(topic)}; the topics are "
                                         f"{', '.join(nodes.topics) or 't'}")
    if number >= nodes.topics[topic]:
        raise ScenarioError(path, where, f"{show(name)} names partition {number}, but topic {topic} has "
                                         f"{nodes.topics[topic]} partition(s): {topic}-0 to "
                                         f"{topic}-{nodes.topics[topic] - 1}")
    return name


def _param(path: str, where: str, key: str, value: Any, nodes: Nodes) -> Any:
    """An action parameter's checked value."""
    if key == "between":
        return _between(path, where, value, nodes)
    return _number(path, where, value)


def _between(path: str, where: str, value: Any, nodes: Nodes) -> list[list[str]]:
    """Two non-empty lists of node names or roles: the sides of a network partition."""
    shape = "takes two non-empty lists of nodes, e.g. [[\"leader\"], [\"followers\", \"controller\"]]"
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(s, list) and s for s in value)):
        raise ScenarioError(path, where, f"{shape}, not {show(value)}")
    return [[_node(path, where, name, nodes) for name in side] for side in value]
