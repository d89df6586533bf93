"""Check the [expect] table: what the run's summary must show."""

from __future__ import annotations

from typing import Any

from tutor.sim.spec import EXPECT_KEYS

from .errors import ScenarioError, show, suggest
from .flatten import DuplicateKey, flatten
from .values import is_int


def check_expect(path: str, table: Any) -> dict[str, Any]:
    """The expectations keyed by dotted summary names, or ScenarioError."""
    if not isinstance(table, dict):
        raise ScenarioError(path, "[expect]", "must be a table, e.g. lost_acked = 0")
    try:
        flat = flatten(table, EXPECT_KEYS)
    except DuplicateKey as dup:
        raise ScenarioError(path, f"[expect] {dup.name}", "given twice") from None
    return {key: _value(path, f"[expect] {key}", key, value) for key, value in flat.items()}


def _value(path: str, where: str, key: str, value: Any) -> Any:
    """One expectation: an exact count, a {min, max} range, or (for *_ids) a list of ids."""
    if key not in EXPECT_KEYS:
        hint = suggest(key, EXPECT_KEYS) or f"; it takes {', '.join(EXPECT_KEYS)}"
        raise ScenarioError(path, where, "unknown key" + hint)
    if key.endswith("_ids"):
        return _ids(path, where, value)
    if isinstance(value, dict):
        return _range(path, where, value)
    if not is_int(value) or value < 0:
        raise ScenarioError(path, where, f"takes a count >= 0 or {{ min = N, max = M }}, not {show(value)}")
    return value


def _ids(path: str, where: str, value: Any) -> list[int]:
    """A list of record ids."""
    if not isinstance(value, list) or not all(is_int(v) and v >= 0 for v in value):
        raise ScenarioError(path, where, f"takes a list of record ids, e.g. [25, 26], not {show(value)}")
    return list(value)


def _range(path: str, where: str, value: dict[str, Any]) -> dict[str, int]:
    """{ min = N }, { max = M } or both, with N <= M."""
    if not value:
        raise ScenarioError(path, where, "an empty range; write { min = N } and/or { max = M }")
    for key in value:
        if key not in ("min", "max"):
            hint = suggest(key, ("min", "max"))
            raise ScenarioError(path, f"{where}.{key}", f"a range takes min and max{hint}")
    for bound, count in value.items():
        if not is_int(count) or count < 0:
            raise ScenarioError(path, f"{where}.{bound}", f"takes a count >= 0, not {show(count)}")
    if value.get("min", 0) > value.get("max", value.get("min", 0)):
        raise ScenarioError(path, where, f"min {value['min']} is above max {value['max']}")
    return dict(value)
