"""The one error a scenario file can raise, and how its values are quoted in messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from .safe import printable


class ScenarioError(Exception):
    """A bad scenario file: one line naming the file, the key and what is allowed."""

    def __init__(self, path: str, key: str | None, message: str) -> None:
        """Keep the parts; str() joins them into one line."""
        super().__init__(path, key, message)
        self.path, self.key, self.message = str(path), key, message

    def __str__(self) -> str:
        """`file: key: message`, or `file: message` when no key is to blame."""
        parts = (self.path, self.message) if self.key is None else (self.path, self.key, self.message)
        return printable(": ".join(parts), one_line=True)


def show(value: Any, width: int = 60) -> str:
    """A value as it would be written in TOML: "text", true, 3, [1, 2] (cut short past `width`)."""
    text = _show(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _show(value: Any) -> str:
    """show() without the cut."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{printable(value[:200], one_line=True)}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value[:20]) + (", ..." if len(value) > 20 else "") + "]"
    return printable(str(value), one_line=True)


def type_name(value: Any) -> str:
    """The TOML name of a value's type, for "takes an int, not a string"."""
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def suggest(word: str, options: Iterable[str]) -> str:
    """"; did you mean X?" for the closest option, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def one_of(options: Iterable[Any]) -> str:
    """A readable list of allowed values: "a", "b" or "c"."""
    shown = [show(o) for o in options]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]
