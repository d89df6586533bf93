"""Predict, then reveal, on the lesson screen: while a question is open, what would answer it is held back."""

import pytest

from tutor.lessons.run import QUESTION
from tutor.ui.widgets.ledger_bar import LedgerBar
from tutor.ui.widgets.lesson_bar import LessonEvents

from lessonhelp import do_the_wait, lesson_app, lesson_screen
from test_ui_lessons import to_step
from uihelp import aio, drawn, plain


@aio
async def test_open_question_holds_back_the_loss_figures_events_and_toasts():
    """Lesson 2's rack power loss: the loss has happened, but the ledger, events and toast keep it until answered."""
    async with lesson_app("2", size=(120, 40)) as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await to_step(pilot, 4)
        await pilot.press("s")  # show me: cut every broker's power, as the step asks
        await pilot.pause()
        run = screen.run
        assert run.phase == QUESTION and run.question.measure == "lost_acked"
        assert screen.runner.frame.losses.lost > 0  # the records are gone already: there is something to hold
        ledger = plain(screen.query_one(LedgerBar).render())
        assert "LOST ACKED ?" in ledger and "lost ?" in ledger, ledger
        events = plain(screen.query_one(LessonEvents).render())
        assert "gone" not in events and "lost" not in events.replace("lost power", ""), events
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "gone" not in toasts and "shows once you have answered" in toasts, toasts
        await pilot.press("s")  # show me: the answer is in, the figures come back
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert run.phase != QUESTION
        screen.show()
        await pilot.pause()
        assert "LOST ACKED ?" not in plain(screen.query_one(LedgerBar).render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@aio
async def test_question_prompt_in_sight_or_the_panel_says_how_to_scroll(size):
    """Lesson 13's long first question: its prompt sits in full at the top of the work area, and whatever the
    panel cannot show is announced on its edge with the key that scrolls to it (which works with the answer focused)."""
    async with lesson_app("13", size=size) as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await do_the_wait(pilot, screen.run)
        await drawn(pilot)
        assert screen.run.phase == QUESTION
        panel, work, ask = screen.panel, screen.query_one("#work"), screen.query_one("#ask")
        assert work.scroll_y == 0 and ask.display
        prompt_fits = ask.virtual_region.bottom <= work.scrollable_content_region.height
        overflow = any(p.display and p.max_scroll_y > 0 for p in panel.query("#read, #work"))
        assert prompt_fits or overflow
        assert ("shift+↓" in panel.border_subtitle) == overflow, panel.border_subtitle
        assert ("h hint" in plain(ask)) == bool(screen.run.question.hints)  # offered only when it has one
        if overflow:
            await pilot.press("shift+down")
            await pilot.pause()
            assert any(p.scroll_y > 0 for p in panel.query("#read, #work"))


def test_challenge_form_aligns_property_names_and_values_as_the_settings_panel_names_them():
    """Lesson 2's challenge: Kafka's property names (no "section." prefix), every value in one column."""
    from tutor.lessons import load_lesson
    from tutor.ui.settings import CONTROLS
    from tutor.ui.widgets.questions import ChallengeForm

    from lessonhelp import LESSON_FILES

    lesson = load_lesson(next(p for p in LESSON_FILES if p.stem == "02-page-cache"))
    q = next(q for _, q in lesson.questions() if q.kind == "challenge" and len(q.allowed) > 1)
    form = ChallengeForm(q, {n: "x" for n in q.allowed})
    rows = [form._row(n).plain for n in q.allowed]
    for name, row in zip(q.allowed, rows):
        assert row.startswith(CONTROLS[name].key + " ") and not row.startswith(name)
    assert len({row.index(" x") for row in rows}) == 1, rows  # the values line up


@aio
async def test_title_cards_turn_off_for_self_study_and_stay_off(tmp_path, monkeypatch):
    """c on a card: no more cards (kept in the progress file's preferences); the next step begins at once."""
    import json

    from tutor.ui.screens.cards import TitleCard

    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    async with lesson_app("4") as (app, pilot):
        assert isinstance(app.screen, TitleCard)
        await pilot.press("c")
        await pilot.pause()
        screen = lesson_screen(app)
        assert app.screen is screen
        prefs = json.loads((tmp_path / "progress.json").read_text())["preferences"]
        assert prefs == {"title_cards": False}
        await pilot.press("enter")  # the wait, played at once
        await pilot.press("s")  # the question's answer, shown
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # the next step: no card in the way
        await pilot.pause()
        assert screen.run.index == 1 and app.screen is screen
        screen.set_focus(None)  # (a focused answer box takes the letter as text)
        await pilot.press("c")  # back on
        await pilot.pause()
        assert json.loads((tmp_path / "progress.json").read_text())["preferences"] == {"title_cards": True}


@aio
async def test_a_question_about_the_commit_hides_the_consumers_offsets():
    """Lesson 18's first question asks what t-0's commit will hold (16, the next offset to read): the consumer
    box must not show t-0's position (16) meanwhile; once answered, the offsets come back."""
    from tutor.ui.widgets.pipeline import PipelineView

    async with lesson_app("18", size=(120, 40)) as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await do_the_wait(pilot, screen.run)
        await drawn(pilot)
        run = screen.run
        assert run.phase == QUESTION and run.question.id == "partition-next-offset"
        pipeline = screen.query_one(PipelineView).text()
        assert "?/?" in pipeline or "position  ?" in pipeline, pipeline
        assert "16/" not in pipeline, pipeline
        await pilot.press("s")  # show me
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen.show()
        await drawn(pilot)
        assert "?/?" not in screen.query_one(PipelineView).text()
