"""`tutor class watch`: the instructor's live view, driven with Textual's Pilot on a class of known answers."""

import asyncio
import io
import time

from classhelp import LESSON, QUESTION, answer, attempt, known_class, lesson, progress, write_student
from rich.console import Console

from tutor.lessons import load_catalog
from tutor.ui.classtab import WatchApp

WAIT_S = 20.0


def plain(widget) -> str:
    """A Static widget's text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def until(pilot, condition, what: str) -> None:
    """Let the app run until the condition holds (the folder is read off the UI thread)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, what
        await pilot.pause(0.05)


def bar_row(text: str, start: str) -> str:
    """The histogram's line for one option."""
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def test_the_live_histogram_then_the_reveal(data_dir):
    """The view follows the question answered last, counts first answers without saying which is right, counts
    a new student's answer as it arrives, and on r shows the engine's answer and the misconceptions held."""
    folder = known_class()
    catalog = load_catalog(None)
    choices = next(q for _, q in next(x for x in catalog.lessons if x.id == LESSON).questions()
                   if q.id == QUESTION).choices

    async def watch() -> None:
        """Run the view on the class."""
        app = WatchApp(folder, catalog, poll_s=0.05)
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await until(pilot, lambda: screen.snap is not None, "the class folder was never read")
            assert screen.snap.asked[screen.index].question.id == QUESTION  # Carol answered it last, at 10:05
            hist = plain(screen.query_one("#histogram"))
            assert "first answers: 3 of 4" in hist
            assert [bar_row(hist, f"{x})").split()[-1] for x in "abc"] == ["1", "1", "1"]
            assert "← the engine's answer" not in hist and "answer:" not in hist
            assert "shown with the answer" in plain(screen.query_one("#held"))  # no misconception named yet
            write_student(folder, "Eve", progress("Eve", "CS 101", {LESSON: lesson({QUESTION: answer(
                [attempt(1, False, "2026-01-05T10:06:00Z")])})}))
            await until(pilot, lambda: "first answers: 4 of 5" in plain(screen.query_one("#histogram")),
                        "Eve's answer never showed")
            await pilot.press("r")
            hist = plain(screen.query_one("#histogram"))
            assert "the engine's answer" in bar_row(hist, "a)") and bar_row(hist, "b)").split()[-1] == "2"
            held = plain(screen.query_one("#held"))
            b = getattr(choices[1], "feedback", "") or choices[1].text
            assert f"2 × {b}"[:60] in held
            await pilot.press("right")
            assert screen.following is False and screen.revealed is False

    asyncio.run(watch())
