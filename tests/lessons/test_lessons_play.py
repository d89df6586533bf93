"""Every shipped lesson, played to the end by LessonRun: once answering right, once answering wrong, saved to the
learner's progress as the front-ends save it."""

import json

import pytest

from tutor.lessons import LessonRun, ProgressStore, load_lesson
from tutor.lessons.answers import save_run
from tutor.lessons.judge import right_answer, wrong_answer
from tutor.lessons.model import split_name
from tutor.lessons.run import QUESTION, WAIT

from _lessons import LESSONS

FILES = sorted(LESSONS.glob("*.toml"))


def do_the_wait(run: LessonRun) -> None:
    """Do what the step waits for as a learner would: let time run, fire the key, set the value."""
    wait = run.step.wait
    if wait.kind == "action":
        assert run.apply(wait.action).ok
    elif wait.kind == "setting":
        assert run.set(wait.setting, wait.value).ok
    else:
        run.finish_wait()
    assert run.phase != WAIT and not run.notes


def current(run: LessonRun, name: str):
    """A setting's value in the live run."""
    section, key = split_name(name)
    return getattr(run.session.sim.config, section)[key]


def play(path, answer) -> LessonRun:
    """Play a lesson from the first step to the end, answering each question with answer(run, q)."""
    run = LessonRun(load_lesson(path))
    while True:
        if run.phase == WAIT:
            do_the_wait(run)
        if run.phase == QUESTION:
            answer(run, run.question)
            assert run.phase != QUESTION
        if not run.next():
            break
    assert run.finished and run.visited == set(range(len(run.lesson.steps)))
    save_run(ProgressStore.open(), run, set(), final=True, done=True)  # what the end of a lesson does
    return run


def saved(data_dir, lesson_id: str) -> dict:
    """The lesson's record in the progress file."""
    return json.loads((data_dir / "progress.json").read_text())["lessons"][lesson_id]


def answer_right(run: LessonRun, q) -> None:
    """The key's answer is right, by the engine's own judgement."""
    verdict = run.submit(right_answer(q))
    assert verdict.correct and verdict.final, verdict.truth


def answer_wrong(run: LessonRun, q) -> None:
    """A wrong answer is judged wrong; a failed challenge stays open until show me plays the solution."""
    if q.kind != "challenge":
        verdict = run.submit(wrong_answer(q))
        assert not verdict.correct and verdict.final and verdict.explanation == q.explanation
        return
    assert run.submit({}).outcome is None  # refused before running: not an attempt
    name = q.allowed[0]
    verdict = run.submit({name: current(run, name)})  # "changing" a setting to what it is: the goal still fails
    assert not verdict.correct and not verdict.final and run.phase == QUESTION
    shown = run.show_me()
    assert shown.shown and shown.final and not shown.correct


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_lesson_answered_right(path, data_dir):
    """Every question answered right: full score, saved as done with every answer."""
    run = play(path, answer_right)
    got, total = run.score()
    assert total >= 2 and got == total
    record = saved(data_dir, run.lesson.id)
    assert record["status"] == "done" and len(record["answers"]) == total


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_lesson_answered_wrong(path, data_dir):
    """Every question answered wrong (and every challenge failed once, then shown): the lesson still ends, score 0."""
    run = play(path, answer_wrong)
    got, total = run.score()
    assert got == 0 and all(a.attempts >= 1 for a in run.answers.values())
    assert saved(data_dir, run.lesson.id)["status"] == "done"


def test_every_lesson_is_a_real_sequence():
    """Each lesson has 5 to 10 steps and at least two questions; several have a challenge."""
    lessons = [load_lesson(p) for p in FILES]
    assert len(lessons) >= 16
    for lesson in lessons:
        assert 5 <= len(lesson.steps) <= 10, lesson.id
        assert len(lesson.questions()) >= 2, lesson.id
    with_challenge = [ls.id for ls in lessons if any(q.kind == "challenge" for _, q in ls.questions())]
    assert len(with_challenge) >= 6
    kinds = {q.kind for ls in lessons for _, q in ls.questions()}
    assert kinds == {"choice", "number", "pick", "challenge"}
