"""`tutor class report`: figures on a class built from known answers, computed here by hand."""

import csv
import io
import json

import pytest
from classhelp import LESSON, QUESTION, known_class

from tutor.cli import main
from tutor.lessons import load_catalog


@pytest.fixture
def catalog():
    """The shipped lessons."""
    return load_catalog(None)


def question(report: dict, qid: str) -> dict:
    """One question's entry."""
    return next(q for q in report["questions"] if q["lesson"] == LESSON and q["question"] == qid)


def choices(catalog):
    """The choices of acks0-told, from the lesson file."""
    lesson = next(x for x in catalog.lessons if x.id == LESSON)
    return next(q for _, q in lesson.questions() if q.id == QUESTION).choices


def run_json(capsys, *args) -> dict:
    """`tutor class report ... --json`, parsed."""
    assert main(["class", "report", "CS 101", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_first_answers_misconceptions_hints_and_who_is_missing(data_dir, catalog, capsys):
    """Three answered acks0-told, one first answer each (a, b, c, whatever came later); b and c are named by
    their misconception; only Bob changed his answer after a hint; Dan has not reached it."""
    known_class()
    told = question(run_json(capsys), QUESTION)
    a, b, c = choices(catalog)
    assert told["answered"] == 3
    by_answer = {o["answer"]: o for o in told["first_answers"]}
    assert {k: v["count"] for k, v in by_answer.items()} == {f"a) {a.text}": 1, f"b) {b.text}": 1, f"c) {c.text}": 1}
    assert by_answer[f"a) {a.text}"]["correct"] and by_answer[f"a) {a.text}"]["misconception"] == ""
    assert by_answer[f"b) {b.text}"]["misconception"] == (getattr(b, "feedback", "") or b.text)
    assert by_answer[f"c) {c.text}"]["misconception"] == (getattr(c, "feedback", "") or c.text)
    assert told["changed_after_hint"] == ["Bob"]
    assert told["not_reached"] == ["Dan"]


def test_a_later_step_is_not_reached_by_those_before_it(data_dir, capsys):
    """The challenge is at step 4: Bob and Carol (at step 3) and Dan have not reached it; Ana finished."""
    known_class()
    assert question(run_json(capsys), "acks0-challenge")["not_reached"] == ["Bob", "Carol", "Dan"]


@pytest.mark.parametrize("policy, scores", [
    ("first", {"Ana": 1, "Bob": 0, "Carol": 0, "Dan": 0}),   # only Ana was right the first time
    ("best", {"Ana": 1, "Bob": 1, "Carol": 1, "Dan": 0}),    # Bob and Carol were right at some point
    ("last", {"Ana": 1, "Bob": 1, "Carol": 0, "Dan": 0}),    # Carol's last answer (b) is wrong
])
def test_score_policies(data_dir, catalog, capsys, policy, scores):
    """Each policy counts as it says, says so, and counts every question of every lesson."""
    known_class()
    report = run_json(capsys, "--score", policy)
    total = sum(len(lesson.questions()) for lesson in catalog.lessons)
    assert report["score_policy"] == policy
    assert {s["student"]: s["score"] for s in report["per_student"]} == scores
    assert {s["student"]: s["answered"] for s in report["per_student"]} == {"Ana": 1, "Bob": 1, "Carol": 1, "Dan": 0}
    assert {s["student"]: s["questions"] for s in report["per_student"]} == dict.fromkeys(scores, total)
    assert {s["student"]: s["done"] for s in report["per_student"]} == {"Ana": 1, "Bob": 0, "Carol": 0, "Dan": 0}


def test_text_and_csv_state_the_policy(data_dir, catalog, capsys):
    """The text report names the policy and the misconceptions; the CSV has a row per first answer."""
    known_class()
    assert main(["class", "report", "CS 101"]) == 0
    text = capsys.readouterr().out
    b = choices(catalog)[1]
    assert "score policy: first attempt" in text and f"misconception: {getattr(b, 'feedback', '') or b.text}" in text
    assert main(["class", "report", "CS 101", "--csv", "--score", "best"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["class", "CS 101", "score policy", "best"]
    told = [r for r in rows if r[:2] == [LESSON, QUESTION]]
    assert sorted(r[4] for r in told) == ["1", "1", "1"] and {r[7] for r in told} == {"1"}


def test_an_unknown_class_is_one_line(data_dir, capsys):
    """A class never served nor merged into: one line, status 2."""
    assert main(["class", "report", "nobody"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no class" in err
