"""Claims a lesson makes about a run, checked by the engine: `lost_acked = 0`, `isr = { max = 1 }`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.scenario.errors import show, suggest
from tutor.scenario.flatten import DuplicateKey, flatten
from tutor.scenario.values import is_number

from .ids import parse_ids, show_ids
from .measures import LIVE_NUMBERS, OUTCOME_IDS, OUTCOME_NUMBERS, words

#: id-set claims beyond the exact sets: every listed record lost / none lost / every one duplicated
ID_TESTS = {"lost_includes": "lost_ids", "lost_excludes": "lost_ids", "duplicated_includes": "duplicated_ids"}


@dataclass(frozen=True)
class Expect:
    """One checked figure: an exact number, a {min, max} range, an exact id set, or an id-set test."""

    name: str
    kind: str        # "eq" | "range" | "ids" | "includes" | "excludes"
    value: Any

    def failure(self, view: Any) -> str | None:
        """Why it does not hold on `view` (an Outcome or a Live), or None when it holds."""
        if self.kind in ("ids", "includes", "excludes"):
            return self._ids_failure(view)
        got = view.value(self.name)
        if self.kind == "eq":
            return None if got == self.value else f"{words(self.name)}: {_num(got)}, not {_num(self.value)}"
        lo, hi = self.value
        if (lo is not None and got < lo) or (hi is not None and got > hi):
            return f"{words(self.name)}: {_num(got)}, not {_bounds(lo, hi)}"
        return None

    def _ids_failure(self, view: Any) -> str | None:
        """Set comparisons on record ids."""
        source = ID_TESTS.get(self.name, self.name)
        got = view.ids(source)
        if self.kind == "ids":
            return None if got == self.value else (
                f"{words(self.name)}: {show_ids(got)}, not {show_ids(self.value)}")
        what = words(source)
        if self.kind == "includes":
            missing = self.value - got
            return f"{show_ids(missing)}: not among the {what}" if missing else None
        present = self.value & got
        return f"{show_ids(present)}: among the {what}" if present else None


@dataclass(frozen=True)
class Claim:
    """Every Expect must hold."""

    items: tuple[Expect, ...]

    def failures(self, view: Any) -> list[str]:
        """What does not hold."""
        return [f for e in self.items if (f := e.failure(view)) is not None]

    def holds(self, view: Any) -> bool:
        """Does every part hold?"""
        return not self.failures(view)


def _num(x: float) -> str:
    """12.0 -> "12", 12.5 -> "12.5"."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def _bounds(lo: float | None, hi: float | None) -> str:
    """Words for a range."""
    if lo is not None and hi is not None:
        return f"between {_num(lo)} and {_num(hi)}"
    return f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}"


def known_names(live: bool) -> tuple[str, ...]:
    """What a claim may name: live metrics (a question with after.ms) or a finished run's figures."""
    return LIVE_NUMBERS if live else OUTCOME_NUMBERS + OUTCOME_IDS + tuple(ID_TESTS)


def parse_claim(table: Any, live: bool = False) -> Claim:
    """Check a claim table; ValueError("key: what is wrong") on a bad one."""
    if not isinstance(table, dict) or not table:
        raise ValueError(f"takes a table such as {{ lost_acked = 0 }}, not {show(table)}")
    names = known_names(live)
    try:
        flat = flatten(table, names)
    except DuplicateKey as dup:
        raise ValueError(f"{dup.name}: given twice") from None
    return Claim(tuple(_expect(name, value, names, live) for name, value in flat.items()))


def _expect(name: str, value: Any, names: tuple[str, ...], live: bool) -> Expect:
    """One claim entry, checked."""
    if name not in names:
        hint = suggest(name, names) or f"; it takes {', '.join(names)}"
        where = "at an instant (after.ms)" if live else "about a finished run"
        raise ValueError(f"{name}: unknown {where}{hint}")
    try:
        return _parse_expect(name, value)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None


def _parse_expect(name: str, value: Any) -> Expect:
    """The Expect for a known name."""
    if name in ID_TESTS:
        return Expect(name, "includes" if name.endswith("_includes") else "excludes", parse_ids(value))
    if name in OUTCOME_IDS:
        return Expect(name, "ids", parse_ids(value))
    if isinstance(value, dict):
        return Expect(name, "range", _range(value))
    if not is_number(value):
        raise ValueError(f"takes a number or {{ min = N, max = M }}, not {show(value)}")
    return Expect(name, "eq", value)


def _range(value: dict[str, Any]) -> tuple[float | None, float | None]:
    """{ min = N } and/or { max = M }."""
    extra = [k for k in value if k not in ("min", "max")]
    if extra or not value:
        raise ValueError("a range takes min and/or max" + (f", not {extra[0]}" if extra else ""))
    if not all(is_number(v) for v in value.values()):
        raise ValueError("min and max take numbers")
    lo, hi = value.get("min"), value.get("max")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min {lo} is above max {hi}")
    return lo, hi
