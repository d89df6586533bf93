"""The one error a lesson file can raise: a line naming the file, the step and the key."""

from __future__ import annotations

from tutor.scenario.safe import printable


class LessonError(Exception):
    """A bad lesson: `file: step 3 "title": key: message`, parts left out when unknown."""

    def __init__(self, path: str, step: str | None, key: str | None, message: str) -> None:
        """Keep the parts; str() joins them into one line."""
        super().__init__(path, step, key, message)
        self.path, self.step, self.key, self.message = str(path), step, key, message

    def __str__(self) -> str:
        """The parts that are known, joined by colons."""
        return printable(": ".join(p for p in (self.path, self.step, self.key, self.message) if p), one_line=True)


def step_label(index: int, title: str | None = None) -> str:
    """`step 3 "The leader fails"` (1-based, as an author counts)."""
    return f'step {index + 1} "{title}"' if title else f"step {index + 1}"
