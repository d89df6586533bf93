"""Check the settings sections ([cluster], [topic], [broker], [producer], [consumer], ...)."""

from __future__ import annotations

from typing import Any

from tutor.sim.config import EQUIVALENTS, SETTINGS, section_keys

from .errors import ScenarioError, suggest
from .flatten import DuplicateKey, flatten
from .values import check_value

CLIENT_NAMES = {"java": "the Java client", "librdkafka": "librdkafka"}
#: what the other client does instead, when it has no equivalent key
NO_EQUIVALENT = {
    ("producer", "max.block.ms"): "librdkafka's produce() fails at once with QUEUE_FULL instead",
    ("consumer", "enable.auto.offset.store"):
        "the Java consumer has no offset store; it commits the positions poll() returned",
}


def check_section(path: str, section: str, table: Any) -> dict[str, Any]:
    """The section's settings with dotted names and canonical values, or ScenarioError."""
    if not isinstance(table, dict):
        raise ScenarioError(path, f"[{section}]", "must be a table of settings")
    values = flat_settings(path, section, table)
    client = _client(path, section, values)
    return {key: _checked(path, section, key, value, client) for key, value in values.items()}


def flat_settings(path: str, section: str, table: dict[str, Any]) -> dict[str, Any]:
    """The section's keys flattened back into dotted Kafka names."""
    try:
        return flatten(table, section_keys(section))
    except DuplicateKey as dup:
        raise ScenarioError(path, f"[{section}] {dup.name}", "given twice") from None


def _client(path: str, section: str, values: dict[str, Any]) -> str | None:
    """The section's client library (validated first: it decides which keys exist)."""
    if "client" not in values:
        return "java" if (section, "client") in SETTINGS else None
    return _checked(path, section, "client", values["client"], None)


def _checked(path: str, section: str, key: str, value: Any, client: str | None) -> Any:
    """One key's canonical value, or ScenarioError naming it."""
    where = f"[{section}] {key}"
    setting = SETTINGS.get((section, key))
    if setting is None:
        raise ScenarioError(path, where, "unknown key" + _known_hint(section, key, client))
    if client is not None and client not in setting.clients:
        raise ScenarioError(path, where, wrong_client(section, key, client))
    try:
        return check_value(setting, value)
    except ValueError as err:
        raise ScenarioError(path, where, str(err)) from None


def _known_hint(section: str, key: str, client: str | None) -> str:
    """"; did you mean linger.ms?", or the list of keys when nothing is close."""
    hint = suggest(key, section_keys(section, client))
    return hint or f"; [{section}] takes {', '.join(section_keys(section, client))}"


def wrong_client(section: str, key: str, client: str) -> str:
    """Why a key of the other client is refused, and what to use with this one instead."""
    owner = SETTINGS[(section, key)].clients[0]
    kind = "a Java client property" if owner == "java" else "a librdkafka property"
    other = EQUIVALENTS.get((section, key))
    if other is not None:
        return f"{kind}; with {CLIENT_NAMES[client]} use {other}"
    instead = NO_EQUIVALENT.get((section, key), f"{CLIENT_NAMES[client]} has no such setting")
    return f"{kind}; {instead}"
