"""Record id sets written as instructors and learners write them: [25, 26], "25-29, 40"."""

from __future__ import annotations

import re
from typing import Any

from tutor.scenario.errors import show
from tutor.scenario.limits import MAX_MESSAGES
from tutor.scenario.values import is_int

_RANGE = re.compile(r"^\s*(\d{1,12})\s*(?:-\s*(\d{1,12})\s*)?$")
#: the longest answer read; a longer list of ids is better written as ranges ("0-99")
MAX_ANSWER_CHARS = 10_000


def parse_ids(value: Any, limit: int = MAX_MESSAGES) -> frozenset[int]:
    """A set of record ids from ints, "a-b" strings, lists of both, or "1-3, 7"; ValueError if bad.

    Ranges are checked as ranges before any set is built: an id at or past `limit` (the records a run
    can have) is refused, so "0-300000000" costs nothing.
    """
    spans = id_spans(value)
    outside = [b for _, b in spans if b >= limit]
    if outside:
        raise ValueError(f"record ids run from 0 to {limit - 1} here, not up to {max(outside)}")
    return frozenset().union(*(range(a, b + 1) for a, b in spans)) if spans else frozenset()


def id_spans(value: Any) -> list[tuple[int, int]]:
    """The (first, last) ranges `value` names, without building a set; ValueError if bad."""
    if is_int(value):
        if value < 0:
            raise ValueError("record ids are >= 0")
        return [(value, value)]
    if isinstance(value, str):
        if len(value) > MAX_ANSWER_CHARS:
            raise ValueError(f"an answer of at most {MAX_ANSWER_CHARS} characters, please")
        return [_span(part) for part in value.split(",")] if value.strip() else []
    if isinstance(value, list):
        return [span for v in value for span in id_spans(v)]
    raise ValueError(f"takes record ids such as [25, 26] or \"25-29\", not {show(value)}")


def _span(text: str) -> tuple[int, int]:
    """"25-29" or "25"."""
    found = _RANGE.match(text)
    if not found:
        raise ValueError(f"takes record ids such as \"25-29\", not {show(text.strip())}")
    first, last = int(found.group(1)), int(found.group(2) or found.group(1))
    if last < first:
        raise ValueError(f"the range {first}-{last} runs backwards")
    return first, last


def show_ids(ids: frozenset[int] | set[int] | list[int]) -> str:
    """{25, 26, 27, 40} -> "25-27, 40"; the empty set -> "none"."""
    out: list[tuple[int, int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out) or "none"
