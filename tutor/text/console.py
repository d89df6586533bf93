"""Reading the learner's typed lines from a Rich console."""

from __future__ import annotations

from typing import Callable

from rich.console import Console

Reader = Callable[[str], "str | None"]


def console_reader(console: Console) -> Reader:
    """Read a line from the console; None at the end of the input."""
    def read(prompt: str) -> str | None:
        """One line, or None at the end of the input."""
        try:
            return console.input(prompt)
        except EOFError:
            return None
    return read
