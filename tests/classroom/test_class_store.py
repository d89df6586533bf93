"""A student's progress in a class: names checked before they name a file, one file per student, and two
tabs of one student saving at once lose nothing."""

import json
import multiprocessing

import pytest

from tutor.classroom import ClassError, ClassFolder, slug
from tutor.lessons.run import Answer

SAVES = 15  # per process


@pytest.mark.parametrize("name, expected", [("Ana María", "ana-maría"), ("ana  maría", "ana-maría"),
                                            ("Bob O'Neil", "bob-o-neil"), ("李雷", "李雷"), ("3rd row", "3rd-row")])
def test_names_become_slugs(name, expected):
    """Letters of any script and digits, lowercased, joined by '-'."""
    assert slug(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "../etc", "a/b", "a\\b", "x\x00", "\x1b[31m", "a" * 41, "..", "-",
                                  ".hidden", "--instructor", " Ana"])
def test_other_names_are_refused_in_one_line(name):
    """Anything else is refused (never turned into a path), with one line."""
    with pytest.raises(ClassError) as err:
        slug(name)
    assert "\n" not in str(err.value) and "name" in str(err.value)


def save_answers(args) -> None:
    """One tab: open the student's store and save an answer per question, one save each."""
    data_root, tab = args
    import os

    os.environ["TUTOR_DATA_DIR"] = data_root
    for i in range(SAVES):
        store = ClassFolder.of("CS 101").store("Ana")
        store.record_answer("journey", f"q-{tab}-{i}", "number", Answer(first_correct=True, attempts=1,
                                                                          tries=[(i, True, False, 1.0e9)]))
        store.save()


def test_two_tabs_of_one_student_keep_each_others_answers(data_dir):
    """Two processes saving the same student's file in turn (lock, merge with disk, atomic rename): every answer
    of both is there, and the file names the student and the class."""
    ClassFolder.of("CS 101").ensure()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(save_answers, [(str(data_dir), "a"), (str(data_dir), "b")])
    data = json.loads(ClassFolder.of("CS 101").student_file("Ana").read_text())
    assert set(data["lessons"]["journey"]["answers"]) == {f"q-{t}-{i}" for t in "ab" for i in range(SAVES)}
    assert (data["user"], data["class"]) == ("Ana", "CS 101")


def test_a_returning_student_resumes(data_dir):
    """The same name, typed differently, opens the same file with what was saved."""
    store = ClassFolder.of("CS 101").store("Ana Lima")
    store.record_step("journey", 3, 8, 5)
    store.save()
    again = ClassFolder.of("cs 101").store("ana lima")
    assert again.lesson("journey")["step"] == 3


def test_the_class_file_keeps_two_different_tokens_private(data_dir):
    """Serving a class makes its tokens once (kept for the next serve), readable by its owner only."""
    folder = ClassFolder.of("CS 101")
    info = folder.ensure()
    assert info["student_token"] != info["instructor_token"] and len(info["student_token"]) >= 16
    assert folder.ensure() == info
    assert (folder.path / "class.json").stat().st_mode & 0o077 == 0


def test_progress_found_in_the_old_folder_is_carried_over(tmp_path, monkeypatch):
    """Where platformdirs' folder differs from the one used before, a learner's progress.json is copied into
    it once, and the old file stays."""
    import platformdirs

    from tutor.lessons import progress as progress_module
    from tutor.lessons.progress import FILE_NAME, ProgressStore

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    (old / FILE_NAME).write_text(json.dumps({"format": 1, "user": "ada", "lessons": {"journey": {
        "status": "done", "step": 7, "steps": 8, "answers": {}, "updated": "2026-01-01T00:00:00Z"}}}))
    monkeypatch.delenv("TUTOR_DATA_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(new))
    monkeypatch.setattr(progress_module, "legacy_data_dir", lambda *a, **k: old)
    assert ProgressStore.open().done() == {"journey"}
    assert (new / FILE_NAME).exists() and (old / FILE_NAME).exists()
