"""One lesson played end to end in the app with the keys, once answering right, once wrong (every lesson is played
both ways through the lesson core in tests/lessons/test_lessons_play.py; these check the screens and widgets)."""

import json

import pytest

from tutor.ui.labs import LESSON_LABS
from tutor.ui.screens.cards import EndCard

from lessonhelp import LESSON_FILES, answer_right, answer_wrong, lesson_app, play
from uihelp import aio

#: the widget that takes each kind of answer (numbers and record ids are both typed)
WIDGET = {"choice": "choices", "number": "typed", "pick": "typed", "challenge": "challenge"}


def widgets(path) -> set[str]:
    """The answer widgets a lesson file's questions use."""
    from tutor.lessons import load_lesson

    return {WIDGET[q.kind] for _, q in load_lesson(path).questions()}


#: consumer-commits asks a choice, record ids and a challenge (every answer widget), and offers two labs
PLAYED = [p for p in LESSON_FILES if p.stem == "09-consumer-commits"]
IDS = [p.stem for p in PLAYED]


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Progress goes to a private directory."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder


def saved(data_dir, lesson_id: str) -> dict:
    """The lesson's record in the progress file."""
    return json.loads((data_dir / "progress.json").read_text())["lessons"][lesson_id]


@pytest.mark.parametrize("path", PLAYED, ids=IDS)
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


@pytest.mark.parametrize("path", PLAYED, ids=IDS)
@aio
async def test_lesson_played_wrong(path, data_dir):
    """Each question answered wrong (a challenge failed once, then shown): the lesson still ends, score 0."""
    async with lesson_app(path.stem[:2].lstrip("0")) as (app, pilot):
        screen = await play(app, pilot, answer_wrong)
        assert screen.run.score()[0] == 0 and all(a.attempts >= 1 for a in screen.run.answers.values())
        assert saved(data_dir, screen.run.lesson.id)["status"] == "done"


def test_the_played_lesson_uses_every_answer_widget():
    """The lesson played here exercises every answer widget."""
    assert widgets(PLAYED[0]) == set(WIDGET.values())


@pytest.mark.parametrize("path", LESSON_FILES, ids=[p.stem for p in LESSON_FILES])
def test_every_action_wait_has_a_key(path):
    """A learner can do what each step waits for with a key of the lesson screen."""
    from tutor.lessons import load_lesson
    from tutor.ui.lesson_keys import key_for

    for step in load_lesson(path).steps:
        if step.wait and step.wait.kind == "action":
            assert key_for(step.wait.action), f"{path.stem}: step {step.title!r}: no key does {step.wait.action}"


@pytest.mark.parametrize("lesson_id", sorted(LESSON_LABS))
def test_end_card_names_each_lesson_lab(lesson_id):
    """The end card of a lesson with labs names each lab's command."""
    from tutor.ui.labs import lab_lines

    lines = lab_lines(lesson_id)
    assert all(any(f"tutor lab {name}" in line for line in lines) for name in LESSON_LABS[lesson_id])
