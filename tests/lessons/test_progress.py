"""Progress files: where they live, atomic writes, corrupt-file recovery, and the instructor's export."""

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tutor.lessons.progress import FILE_NAME, ProgressStore, atomic_write, data_dir
from tutor.lessons.run import Answer


def test_data_dir_per_platform(tmp_path):
    """TUTOR_DATA_DIR wins; otherwise XDG on Linux, Application Support on macOS, APPDATA on Windows."""
    home = Path("/home/ada")
    assert data_dir({"TUTOR_DATA_DIR": "/x"}, "linux", home) == Path("/x")
    assert data_dir({}, "linux", home) == home / ".local/share/tutor"
    assert data_dir({"XDG_DATA_HOME": "/xdg"}, "linux", home) == Path("/xdg/tutor")
    assert data_dir({}, "darwin", home) == home / "Library/Application Support/tutor"
    assert data_dir({"APPDATA": "C:/Users/ada/AppData/Roaming"}, "win32", home) == \
        Path("C:/Users/ada/AppData/Roaming/tutor")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    """The file is replaced whole; no temporary file is left behind."""
    path = tmp_path / "sub" / "f.json"
    atomic_write(path, "one")
    atomic_write(path, "two")
    assert path.read_text() == "two" and os.listdir(path.parent) == ["f.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    """If the rename fails, the old content stays and the temporary file is removed."""
    path = tmp_path / "f.json"
    old = '{"format": 1, "user": "u", "lessons": {}}'
    atomic_write(path, old)

    def fail(*args):
        """Simulate a full disk at the last moment."""
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    store = ProgressStore(path)
    store.data = {"format": 1, "user": "u", "lessons": {}}
    store.save()
    assert path.read_text() == old and sorted(os.listdir(tmp_path)) == ["f.json", "f.json.lock"]
    assert store.warnings == [f"could not save progress to {path}: no space left on device"]


def record(store: ProgressStore) -> None:
    """A learner's progress: one lesson done, one question of another."""
    store.record_step("journey", 7, 8, 2)
    store.record_answer("journey", "q1", "number", Answer(first_correct=True, attempts=1))
    store.record_answer("journey", "q2", "challenge", Answer(attempts=3, solved=True, best=11.0), par=11.0)
    store.record_done("journey")
    store.record_step("acks-0", 2, 6, 3)
    store.record_answer("acks-0", "told", "choice", Answer(first_correct=False, attempts=1))
    store.save()


def test_round_trip_and_scores(data_dir):
    """What is saved reads back; the score counts first-time answers and unaided challenges."""
    record(ProgressStore.open())
    store = ProgressStore.open()
    assert store.warnings == [] and store.done() == {"journey"}
    assert store.status("journey") == "done" and store.status("acks-0") == "started" and store.status("x") == "new"
    assert store.score("journey") == (2, 2) and store.score("acks-0") == (1 - 1, 3)
    assert json.loads((data_dir / FILE_NAME).read_text())["lessons"]["journey"]["answers"]["q2"]["best"] == 11.0


def test_first_answer_counts_and_best_is_kept(data_dir):
    """A later run cannot improve a first answer, but can improve a challenge's best."""
    store = ProgressStore.open()
    store.record_answer("l", "q", "number", Answer(first_correct=False, attempts=1))
    store.record_answer("l", "q", "number", Answer(first_correct=True, attempts=1))
    store.record_answer("l", "c", "challenge", Answer(attempts=1, solved=True, best=40.0))
    store.record_answer("l", "c", "challenge", Answer(attempts=2, solved=True, best=42.0))
    answers = store.data["lessons"]["l"]["answers"]
    assert answers["q"]["first_correct"] is False and answers["q"]["attempts"] == 2
    assert answers["c"]["best"] == 40.0 and answers["c"]["attempts"] == 3


def test_corrupt_file_is_set_aside_with_a_warning(data_dir):
    """Broken JSON is renamed with a timestamp, never erased; progress starts afresh."""
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text("{ not json")
    store = ProgressStore.open()
    assert store.data["lessons"] == {} and len(store.warnings) == 1 and "is not valid JSON" in store.warnings[0]
    aside = [p for p in data_dir.iterdir() if p.name.startswith(FILE_NAME + ".corrupt-")]
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"
    store.save()
    assert json.loads((data_dir / FILE_NAME).read_text())["lessons"] == {}


def test_wrong_shape_and_second_corruption_keep_both(data_dir):
    """A file of the wrong shape is set aside too, and a second one does not overwrite the first."""
    data_dir.mkdir()
    for text in ('{"lessons": []}', '{"format": 1, "lessons": {"a": {"status": "bogus", "answers": {}}}}'):
        (data_dir / FILE_NAME).write_text(text)
        assert ProgressStore.open().warnings
    assert len([p for p in data_dir.iterdir() if ".corrupt-" in p.name]) == 2


def test_unreadable_file_that_cannot_be_set_aside_is_not_overwritten(data_dir, monkeypatch):
    """If the bad file cannot even be renamed, tutor warns and does not write over it."""
    data_dir.mkdir()
    (data_dir / FILE_NAME).mkdir()  # a directory where the file should be: unreadable as a file

    def refuse(*args):
        """The rename is refused."""
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "replace", refuse)
    store = ProgressStore.open()
    assert not store.writable and "could not be set aside" in store.warnings[0]
    store.record_done("x")
    store.save()
    assert (data_dir / FILE_NAME).is_dir()


def test_export_csv_and_json(data_dir):
    """The export has one row per question, with titles, scores and bests."""
    store = ProgressStore.open()
    record(store)
    rows = list(csv.DictReader(io.StringIO(store.export_csv({"journey": "The journey of a record"}))))
    assert [(r["lesson_id"], r["question_id"]) for r in rows] == [("acks-0", "told"), ("journey", "q1"),
                                                                  ("journey", "q2")]
    q2 = rows[2]
    assert q2["lesson_title"] == "The journey of a record" and q2["lesson_status"] == "done"
    assert q2["lesson_score"] == "2" and q2["score_policy"] == "first" and q2["counted_right"] == "true"
    assert q2["challenge_solved"] == "true" and q2["challenge_best"] == "11.0" and q2["challenge_par"] == "11.0"
    assert q2["right_first_time"] == ""
    data = json.loads(store.export_json())
    assert data["format"] == 1 and data["lessons"]["journey"]["score"] == 2 and data["user"]
    assert data["score_policy"] == "first" and data["score_policy_means"].startswith("first attempt")


@pytest.mark.parametrize("policy, counted", [("first", False), ("best", True), ("last", False)])
def test_score_policy_decides_which_attempt_counts(data_dir, policy, counted):
    """Wrong, then right, then wrong again: only "best" counts it; the export names the policy it used."""
    tries = [{"answer": 1, "correct": c, "shown": False, "at": f"1970-01-01T00:0{i}:00Z"}
             for i, c in enumerate((False, True, False))]
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text(json.dumps({"format": 1, "user": "u", "lessons": {"l": {
        "status": "done", "step": 0, "steps": 1, "questions": 1, "updated": "", "answers": {
            "q": {"kind": "choice", "first_correct": False, "attempts": 3, "tries": tries}}}}}))
    store = ProgressStore.open()
    assert store.score("l", policy) == (int(counted), 1)
    row = store.rows(policy=policy)[0]
    assert row["score_policy"] == policy and row["counted_right"] == str(counted).lower()
