"""The run report printed on the terminal (`tutor run`), with the verdict of the file's [expect] checks."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from tutor.report_view import report_renderables


def expectation_view(failures: list[str]) -> RenderableType:
    """Which [expect] checks failed, or that they all held."""
    if not failures:
        return Text("All expectations held.", style="green")
    lines = Text("Expectations failed:", style="bold red")
    for failure in failures:
        lines.append(f"\n  - {failure}", style="red")
    return lines


def print_report(report: Any, console: Console | None = None, failures: list[str] | None = None,
                 description: str = "") -> None:
    """Print the whole report; with `failures` (a list, maybe empty) also the [expect] verdict."""
    console = console or Console()
    parts = report_renderables(report, description)
    if failures is not None:
        parts.append(expectation_view(failures))
    console.print(Group(*_spaced(parts)))


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    """The parts with a blank line between each."""
    out: list[RenderableType] = []
    for part in parts:
        out.extend([part, Text("")] if part is not parts[-1] else [part])
    return out
