"""Wait conditions such as `isr == 1` or `lost_acked > 0 and t >= 5000`, checked on the live run."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any, Callable

from tutor.scenario.errors import suggest

from .measures import LIVE_NUMBERS

OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    ">": operator.gt}
_CLAUSE = re.compile(r"^\s*([a-z_.0-9]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Clause:
    """`metric op number`."""

    metric: str
    op: str
    number: float

    def holds(self, live: Any) -> bool:
        """Does it hold on this live view?"""
        return OPS[self.op](live.value(self.metric), self.number)


@dataclass(frozen=True)
class Condition:
    """Clauses joined by `and` within groups, groups joined by `or` (and binds tighter)."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]

    def holds(self, live: Any) -> bool:
        """True when every clause of some group holds."""
        return any(all(c.holds(live) for c in group) for group in self.groups)


def parse_condition(text: Any) -> Condition:
    """Compile a condition, or ValueError saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("takes a condition such as \"lost_acked > 0\"")
    groups = tuple(tuple(_clause(part) for part in re.split(r"\band\b", alt))
                   for alt in re.split(r"\bor\b", text))
    return Condition(text.strip(), groups)


def _clause(text: str) -> Clause:
    """One comparison, with a known metric."""
    found = _CLAUSE.match(text)
    if not found:
        raise ValueError(f"cannot read {text.strip()!r}: write a metric, one of < <= == != >= >, and a number")
    metric, op, number = found.groups()
    if metric not in LIVE_NUMBERS:
        hint = suggest(metric, LIVE_NUMBERS) or f"; metrics are {', '.join(LIVE_NUMBERS)}"
        raise ValueError(f"unknown metric {metric!r}{hint}")
    return Clause(metric, op, float(number))
