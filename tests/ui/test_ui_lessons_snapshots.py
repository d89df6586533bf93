"""Snapshots of the menu and the lesson screen at 80x24 and 160x48, paused at fixed points (run with
--snapshot-update after a deliberate change to the look, and check the new SVGs by eye)."""

import pytest

from tutor.ui.app import make_app

from lessonhelp import lesson_screen
from uihelp import at, drawn

SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """No progress yet: every learner's first look."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))


def lesson(ref: str):
    """A paused app opened on a lesson."""
    return make_app(autoplay=False, start="lessons", lesson=ref)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_main_menu(snap_compare, size):
    """The main menu: sandbox, lessons (with what is next), labs, quit."""
    assert snap_compare(make_app(autoplay=False, start="menu"), terminal_size=size, run_before=at())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_lesson_title_card(snap_compare, size):
    """Lesson 4's opening card: the step in big digits, the title, what it teaches."""
    assert snap_compare(lesson("4"), terminal_size=size, run_before=at())  # the footer fills in after the card


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_lesson_narration(snap_compare, size):
    """Lesson 4, step 1, 150 ms into its 300 ms wait: the narration beside the running wait."""
    async def run_before(pilot) -> None:
        """Close the card and pin the run at 150 ms."""
        await pilot.press("enter")
        lesson_screen(pilot.app).goto(150)
        await drawn(pilot)
    assert snap_compare(lesson("4"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_lesson_question(snap_compare, size):
    """Lesson 1, step 2: a multiple-choice question at its decision point (3 ms in)."""
    assert snap_compare(lesson("1"), terminal_size=size, run_before=at(None, "enter", "enter", "enter", "enter"))
