"""Record id sets written as instructors and learners write them: [25, 26], "25-29, 40"."""

from __future__ import annotations

import re
from typing import Any

from tutor.scenario.values import is_int

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def parse_ids(value: Any) -> frozenset[int]:
    """A set of record ids from ints, "a-b" strings, lists of both, or "1-3, 7"; ValueError if bad."""
    if is_int(value):
        return _checked([value])
    if isinstance(value, str):
        return frozenset().union(*(_span(part) for part in value.split(","))) if value.strip() else frozenset()
    if isinstance(value, list):
        return frozenset().union(*(parse_ids(v) for v in value)) if value else frozenset()
    raise ValueError(f"takes record ids such as [25, 26] or \"25-29\", not {value!r}")


def _span(text: str) -> frozenset[int]:
    """"25-29" or "25"."""
    found = _RANGE.match(text)
    if not found:
        raise ValueError(f"takes record ids such as \"25-29\", not {text.strip()!r}")
    first, last = int(found.group(1)), int(found.group(2) or found.group(1))
    if last < first:
        raise ValueError(f"the range {first}-{last} runs backwards")
    return frozenset(range(first, last + 1))


def _checked(values: list[int]) -> frozenset[int]:
    """Ids are integers >= 0."""
    if any(v < 0 for v in values):
        raise ValueError("record ids are >= 0")
    return frozenset(values)


def show_ids(ids: frozenset[int] | set[int] | list[int]) -> str:
    """{25, 26, 27, 40} -> "25-27, 40"; the empty set -> "none"."""
    out: list[tuple[int, int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out) or "none"
