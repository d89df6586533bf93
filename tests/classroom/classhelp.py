"""Students' progress files written by hand, with known answers, for the classroom tests."""

import json
from pathlib import Path

from tutor.classroom import ClassFolder

#: lesson acks-0 (six steps), question acks0-told at step 1: a) is the key, b) and c) are misconceptions;
#: its challenge is at step 4 (see the lesson file)
LESSON, QUESTION = "acks-0", "acks0-told"


def attempt(answer, correct: bool, at: str, shown: bool = False) -> dict:
    """One saved attempt."""
    return {"answer": answer, "correct": correct, "shown": shown, "at": at}


def progress(user: str, klass: str, lessons: dict) -> dict:
    """A whole progress file's data."""
    return {"format": 1, "user": user, "class": klass, "lessons": lessons}


def lesson(answers: dict, step: int = 3, status: str = "started") -> dict:
    """One lesson's record."""
    return {"status": status, "step": step, "steps": 6, "questions": 4, "answers": answers,
            "updated": "2026-01-05T10:00:00Z"}


def answer(tries: list, hints: list | None = None) -> dict:
    """A prediction's record from its attempts (the first one's verdict counts)."""
    first = tries[0]
    return {"kind": "choice", "first_correct": first["correct"] and not first["shown"], "attempts": len(tries),
            "shown": any(t["shown"] for t in tries), "solved": False, "solved_unaided": False, "best": None,
            "par": None, "tries": tries, "hints": hints or []}


def write_student(folder: ClassFolder, name: str, data: dict) -> Path:
    """Put a student's file in the class as the app would have saved it."""
    folder.ensure()
    path = folder.student_file(name)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def known_class(name: str = "CS 101") -> ClassFolder:
    """Ana right first (lesson done); Bob wrong (b), a hint, then right; Carol wrong (c), right, wrong (b), no
    hint; Bob and Carol are at step 3; Dan has joined and started nothing."""
    folder = ClassFolder.of(name)
    write_student(folder, "Ana", progress("Ana", name, {LESSON: lesson({QUESTION: answer(
        [attempt(0, True, "2026-01-05T10:01:00Z")])}, status="done", step=7)}))
    write_student(folder, "Bob", progress("Bob", name, {LESSON: lesson({QUESTION: answer(
        [attempt(1, False, "2026-01-05T10:01:10Z"), attempt(0, True, "2026-01-05T10:03:00Z")],
        hints=["2026-01-05T10:02:00Z"])})}))
    write_student(folder, "Carol", progress("Carol", name, {LESSON: lesson({QUESTION: answer(
        [attempt(2, False, "2026-01-05T10:01:20Z"), attempt(0, True, "2026-01-05T10:04:00Z"),
         attempt(1, False, "2026-01-05T10:05:00Z")])})}))
    write_student(folder, "Dan", progress("Dan", name, {}))
    return folder
