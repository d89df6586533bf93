"""What the instructor's live view shows, read from the class folder: each question's first answers, the
question the class is on, and the misconceptions the class holds most."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tutor.lessons.catalog import Catalog
from tutor.lessons.model import Lesson, Question

from .folder import ClassFolder
from .report import first_tries, option_label, question_figures


@dataclass
class Asked:
    """One question across the class: its figures (see report.question_figures) and its latest answer's time."""

    lesson: Lesson
    question: Question
    figures: dict[str, Any]
    latest: str = ""


@dataclass
class Snapshot:
    """The class folder read once."""

    students: int = 0
    asked: list[Asked] = field(default_factory=list)
    #: (how many held it first, the misconception, where) most held first
    misconceptions: list[tuple[int, str, str]] = field(default_factory=list)

    def current(self) -> int:
        """Index of the question answered most recently (0 when nobody answered yet)."""
        latest = [(a.latest, i) for i, a in enumerate(self.asked) if a.latest]
        return max(latest)[1] if latest else 0


def snapshot(folder: ClassFolder, catalog: Catalog) -> Snapshot:
    """Read every student's file and sum up the class (run off the UI thread: it reads many files)."""
    students = {data.get("user") or stem: data for stem, data in folder.students()}
    snap, held = Snapshot(students=len(students)), Counter()
    for lesson in catalog.lessons:
        for step, q in lesson.questions():
            asked = Asked(lesson, q, question_figures(lesson, step, q, students), latest_answer(lesson, q, students))
            snap.asked.append(asked)
            for option in asked.figures["first_answers"]:
                if option["misconception"]:
                    held[(option["misconception"], f"{lesson.id} / {q.id}")] += option["count"]
    snap.misconceptions = [(n, text, where) for (text, where), n in held.most_common(5)]
    return snap


def latest_answer(lesson: Lesson, q: Question, students: dict[str, dict[str, Any]]) -> str:
    """The time of the latest answer any student gave to this question ("" if none)."""
    times = [t["at"] for data in students.values()
             for t in first_tries(data["lessons"].get(lesson.id, {}).get("answers", {}).get(q.id, {}))]
    return max(times, default="")


def histogram(asked: Asked) -> list[tuple[str, int, bool | None, str]]:
    """(option, first answers, is it the key?, misconception) in the question's own order: every choice of a
    choice question, else each answer given."""
    counts = {o["answer"]: o for o in asked.figures["first_answers"]}
    q = asked.question
    if q.kind == "choice":
        rows = []
        for i in range(len(q.choices)):
            label, right, misconception = option_label(q, i)
            rows.append((label, counts.get(label, {}).get("count", 0), right, misconception))
        return rows
    return [(o["answer"], o["count"], o["correct"], o["misconception"]) for o in asked.figures["first_answers"]]
