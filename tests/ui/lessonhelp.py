"""Helpers for the lesson tests: an app opened on a lesson, and playing it with the keys a learner presses."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from tutor.lessons.ids import show_ids
from tutor.lessons.judge import letter, wrong_answer
from tutor.lessons.run import QUESTION, WAIT
from tutor.ui.app import make_app
from tutor.ui.lesson_keys import key_for
from tutor.ui.screens.cards import EndCard, TitleCard
from tutor.ui.screens.lesson import LessonScreen

ROOT = Path(__file__).resolve().parents[2]
LESSON_FILES = sorted((ROOT / "tutor" / "data" / "lessons").glob("*.toml"))


@asynccontextmanager
async def lesson_app(ref: str, size: tuple[int, int] = (80, 24), lessons: str | None = None):
    """A paused app opened on one lesson (its opening card up); yields (app, pilot)."""
    app = make_app(autoplay=False, start="lessons", lesson=ref, size=size, lessons=lessons)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield app, pilot


def lesson_screen(app) -> LessonScreen:
    """The lesson screen (under any card)."""
    return next(s for s in app.screen_stack if isinstance(s, LessonScreen))


async def settle(pilot) -> None:
    """Wait for the engine's judging on its worker thread, then for the screen to show the verdict."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Type text key by key (Pilot names a few characters differently)."""
    names = {" ": "space", ",": "comma", "-": "minus", ".": "full_stop"}
    await pilot.press(*(names.get(ch, ch) for ch in text))


async def do_the_wait(pilot, run) -> None:
    """What a learner does when a step waits: let time run (⏎ skips it), or press the failure's key."""
    wait = run.step.wait
    if wait.plays:
        await pilot.press("enter")
    elif wait.kind == "action":
        keys = key_for(wait.action)
        assert keys, f"no key does {wait.action}"
        await pilot.press(*keys.split(" then "))
    else:
        await pilot.press("s")  # a setting wait: show me sets it
    assert run.phase != WAIT, run.step.title


def value_text(value) -> str:
    """A setting's value as a learner types it."""
    if value is None:
        return "never"
    return str(value).lower() if isinstance(value, bool) else str(value)


async def set_row(pilot, q, name: str, value) -> None:
    """Type a value into a challenge row: highlight it, e, the value, enter."""
    rows = pilot.app.screen.query_one("#rows")
    rows.highlighted = q.allowed.index(name)
    await pilot.press("e")
    await type_text(pilot, value_text(value))
    await pilot.press("enter")


async def answer_right(pilot, screen, q) -> None:
    """The answer key, typed or picked as a learner would: the engine says it is right."""
    if q.kind == "choice":
        await pilot.press(letter(q.correct_choice).lower())
    elif q.kind in ("number", "pick"):
        await type_text(pilot, show_ids(q.answer) if q.kind == "pick" else f"{q.answer:g}")
        await pilot.press("enter")
    else:
        for name, value in q.solution.items():
            await set_row(pilot, q, name, value)
        await pilot.press("enter")
    await settle(pilot)
    assert screen.verdict.correct and screen.verdict.final, screen.verdict.truth


async def answer_wrong(pilot, screen, q) -> None:
    """A wrong answer is judged wrong; a failed challenge stays open until show me plays the solution."""
    if q.kind != "challenge":
        wrong = wrong_answer(q)
        if q.kind == "choice":
            await pilot.press(letter(wrong).lower())
        else:
            await type_text(pilot, show_ids(wrong) if q.kind == "pick" else f"{wrong:g}")
            await pilot.press("enter")
        await settle(pilot)
        assert not screen.verdict.correct and screen.verdict.final
        return
    name = q.allowed[0]
    await set_row(pilot, q, name, screen.panel.current((name,))[name])  # "changing" it to what it is: still lost
    await pilot.press("enter")
    await settle(pilot)
    assert not screen.verdict.final and screen.run.phase == QUESTION
    await pilot.press("s")
    await settle(pilot)
    assert screen.verdict.shown and screen.verdict.final


async def play(app, pilot, answer) -> LessonScreen:
    """Play the open lesson from its card to its end card, answering each question with answer()."""
    screen = lesson_screen(app)
    run = screen.run
    assert isinstance(app.screen, TitleCard)
    await pilot.press("enter")
    while True:
        if run.phase == WAIT:
            await do_the_wait(pilot, run)
        if run.phase == QUESTION:
            await answer(pilot, screen, run.question)
            assert run.phase != QUESTION
        await pilot.press("enter")
        if isinstance(app.screen, EndCard):
            return screen
        assert isinstance(app.screen, TitleCard), app.screen
        await pilot.press("enter")
