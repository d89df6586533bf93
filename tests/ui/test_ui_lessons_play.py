"""Every shipped lesson played end to end in the app with the keys: once answering right, once answering wrong."""

import json

import pytest

from tutor.ui.labs import LESSON_LABS
from tutor.ui.screens.cards import EndCard

from lessonhelp import LESSON_FILES, answer_right, answer_wrong, lesson_app, play
from uihelp import aio

IDS = [p.stem for p in LESSON_FILES]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Progress goes to a private directory."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder


def saved(data_dir, lesson_id: str) -> dict:
    """The lesson's record in the progress file."""
    return json.loads((data_dir / "progress.json").read_text())["lessons"][lesson_id]


@pytest.mark.parametrize("path", LESSON_FILES, ids=IDS)
@aio
async def test_lesson_played_right(path, data_dir):
    """Each question answered right through its widget: full score on the end card, saved as done."""
    async with lesson_app(path.stem[:2].lstrip("0")) as (app, pilot):
        screen = await play(app, pilot, answer_right)
        got, total = screen.run.score()
        assert total >= 2 and got == total
        assert isinstance(app.screen, EndCard) and app.screen.ending.score == (got, total)
        record = saved(data_dir, screen.run.lesson.id)
        assert record["status"] == "done" and len(record["answers"]) == total
        for name in LESSON_LABS.get(screen.run.lesson.id, ()):
            assert any(f"tutor lab {name}" in line for line in app.screen.ending.labs)


@pytest.mark.parametrize("path", LESSON_FILES, ids=IDS)
@aio
async def test_lesson_played_wrong(path, data_dir):
    """Each question answered wrong (a challenge failed once, then shown): the lesson still ends, score 0."""
    async with lesson_app(path.stem[:2].lstrip("0")) as (app, pilot):
        screen = await play(app, pilot, answer_wrong)
        assert screen.run.score()[0] == 0 and all(a.attempts >= 1 for a in screen.run.answers.values())
        assert saved(data_dir, screen.run.lesson.id)["status"] == "done"
