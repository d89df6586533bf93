"""What the lab tests share: a progress that keeps the lab's lines that stay."""

import pytest


class Notes:
    """Progress that keeps the lines that stay (kills, restarts, the group's events)."""

    def __init__(self) -> None:
        """No lines yet."""
        self.notes: list[str] = []

    def show(self, text: str) -> None:
        """Ignore the passing line."""

    def note(self, text: str) -> None:
        """Keep it."""
        self.notes.append(text)


@pytest.fixture
def notes() -> Notes:
    """A fresh Notes."""
    return Notes()
