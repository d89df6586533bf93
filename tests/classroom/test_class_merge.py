"""`tutor class merge`: students' exports join the class; another class's, a duplicate or a corrupt file is
refused with one line each, and nothing already in the class is lost."""

import json

from classhelp import LESSON, QUESTION, answer, attempt, lesson, progress, write_student

from tutor.classroom import ClassFolder
from tutor.cli import main


def export(tmp_path, name: str, data: dict):
    """A file as `tutor progress --export json` hands it in."""
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_good_and_bad_files(data_dir, tmp_path, capsys):
    """One good file merges; the others are refused, one line each; the exit status says some were refused."""
    good = export(tmp_path, "eve.json", progress("Eve", "CS 101", {LESSON: lesson({QUESTION: answer(
        [attempt(1, False, "2026-01-05T11:00:00Z")])})}))
    other = export(tmp_path, "other.json", progress("Fay", "CS 102", {}))
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": 1, "lessons": ', encoding="utf-8")
    unnamed = export(tmp_path, "unnamed.json", {"format": 1, "user": "Gil", "lessons": {}})
    hostile = export(tmp_path, "hostile.json", progress("../../etc/passwd", "CS 101", {}))
    assert main(["class", "merge", "CS 101", good, other, str(corrupt), unnamed, hostile, good]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{good}: merged into CS 101/eve.json (Eve)"]
    lines = err.splitlines()
    assert len(lines) == 5
    assert "class CS 102, not CS 101" in lines[0]
    assert "is not valid JSON" in lines[1]
    assert "names no class" in lines[2]
    assert "a student name is" in lines[3]
    assert "a duplicate" in lines[4]
    folder = ClassFolder.of("CS 101")
    assert sorted(p.name for p in (folder.path / "students").glob("*.json")) == ["eve.json"]


def test_nothing_already_there_is_lost(data_dir, tmp_path, capsys):
    """A served student's answers and a later export from their own machine: both attempts kept in time order,
    the first one's verdict stands, a lesson done on either side is done."""
    folder = ClassFolder.of("CS 101")
    write_student(folder, "Ana", progress("Ana", "CS 101", {LESSON: lesson({QUESTION: answer(
        [attempt(1, False, "2026-01-05T10:00:00Z")])})}))
    later = export(tmp_path, "ana.json", progress("Ana", "CS 101", {
        LESSON: lesson({QUESTION: answer([attempt(0, True, "2026-01-06T09:00:00Z")])}, status="done", step=5),
        "journey": lesson({}, step=2)}))
    assert main(["class", "merge", "CS 101", later]) == 0
    data = json.loads(folder.student_file("Ana").read_text())
    record = data["lessons"][LESSON]
    assert [t["answer"] for t in record["answers"][QUESTION]["tries"]] == [1, 0]
    assert record["answers"][QUESTION]["first_correct"] is False
    assert record["status"] == "done" and record["step"] == 5
    assert set(data["lessons"]) == {LESSON, "journey"}
    assert data["class"] == "CS 101" and data["user"] == "Ana"
    assert main(["class", "merge", "CS 101", later]) == 2  # now a duplicate
    assert "a duplicate" in capsys.readouterr().err


def test_export_from_a_students_machine_names_the_class(data_dir, tmp_path, capsys):
    """`tutor progress --export json --class C --student S` hands in a file that merges into class C."""
    assert main(["progress", "--export", "json", "--class", "CS 101", "--student", "Hal"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["class"] == "CS 101" and data["user"] == "Hal"
    assert main(["progress", "--class", "CS 101"]) == 2
    assert "--class and --student go together" in capsys.readouterr().err
