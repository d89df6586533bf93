"""Undo TOML's dotted keys: `linger.ms = 5` parses as {"linger": {"ms": 5}}; we want "linger.ms"."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


class DuplicateKey(ValueError):
    """The same dotted name written twice, e.g. `"linger.ms" = 5` and `linger.ms = 5`."""

    def __init__(self, name: str) -> None:
        """Remember which name was repeated."""
        super().__init__(name)
        self.name = name


def flatten(table: dict[str, Any], known: Collection[str] = ()) -> dict[str, Any]:
    """Join nested tables into dotted names, stopping at a known name (its value may be a table)."""
    out: dict[str, Any] = {}
    _walk(table, "", known, out)
    return out


def _walk(table: dict[str, Any], prefix: str, known: Collection[str], out: dict[str, Any]) -> None:
    """Add each leaf of `table` to `out` under its dotted name."""
    for key, value in table.items():
        name = prefix + key
        if isinstance(value, dict) and value and name not in known:
            _walk(value, name + ".", known, out)
        elif name in out:
            raise DuplicateKey(name)
        else:
            out[name] = value
