"""Strings from files and the network shown as text: escape sequences and control characters made visible."""

from __future__ import annotations

import re
from typing import Any

#: C0 controls but tab and newline, DEL, C1 controls (0x9b starts a sequence too), and the
#: bidirectional overrides that reorder what a line appears to say
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMES = {"\r": "\\r", "\x1b": "\\e", "\t": "\\t", "\n": "\\n"}


def printable(text: str, one_line: bool = False) -> str:
    """`text` with every control character written out (ESC as \\e), so a terminal shows it and obeys none.

    With one_line, newlines and tabs are written out too (an error message stays on one line).
    """
    if not isinstance(text, str):
        text = str(text)
    out = _CONTROL.sub(_visible, text)
    return out.replace("\n", "\\n").replace("\t", "\\t") if one_line else out


def _visible(found: re.Match[str]) -> str:
    """One control character as text: \\e, \\r, or \\xNN / \\uNNNN."""
    char = found.group()
    if char in _NAMES:
        return _NAMES[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable_data(value: Any) -> Any:
    """Parsed file data with every string, keys too, made printable (newlines and tabs kept)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_data(v) for v in value]
    return value
