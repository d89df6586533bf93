"""Progress files under stress: concurrent sessions, damaged structures, FIFOs, links, read-only files."""

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from tutor.lessons.progress import FILE_NAME, ProgressStore
from tutor.lessons.run import Answer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_two_sessions_saving_in_turn_keep_both_lessons(data_dir):
    """Both open the same file, each records its own lesson, both save: nothing is lost."""
    first, second = ProgressStore.open(), ProgressStore.open()
    first.record_step("acks-0", 2, 6, 1)
    first.record_answer("acks-0", "q", "choice", Answer(first_correct=True, attempts=1))
    second.record_step("acks-1", 3, 6, 1)
    first.save()
    second.save()
    lessons = json.loads((data_dir / FILE_NAME).read_text())["lessons"]
    assert set(lessons) == {"acks-0", "acks-1"} and lessons["acks-0"]["answers"]["q"]["first_correct"] is True


def test_two_sessions_answering_one_question_add_their_attempts(data_dir):
    """The same question answered in two sessions: attempts add up, the first answer saved counts."""
    first, second = ProgressStore.open(), ProgressStore.open()
    first.record_answer("l", "q", "number", Answer(first_correct=False, attempts=2))
    second.record_answer("l", "q", "number", Answer(first_correct=True, attempts=1))
    first.save()
    second.save()
    saved = json.loads((data_dir / FILE_NAME).read_text())["lessons"]["l"]["answers"]["q"]
    assert saved["attempts"] == 3 and saved["first_correct"] is False


WRITER = textwrap.dedent("""
    import sys
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.run import Answer
    name, rounds = sys.argv[1], int(sys.argv[2])
    for i in range(rounds):
        store = ProgressStore.open()
        store.record_answer(f"{name}-{i}", "q", "choice", Answer(first_correct=True, attempts=1))
        store.save()
        assert not store.warnings, store.warnings
""")


def test_two_processes_writing_at_once_lose_nothing(data_dir):
    """Two real processes each save 15 lessons as fast as they can: all 30 are in the file."""
    env = {**os.environ, "PYTHONPATH": ROOT, "TUTOR_DATA_DIR": str(data_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, name, "15"], env=env, stderr=subprocess.PIPE)
             for name in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    lessons = json.loads((data_dir / FILE_NAME).read_text())["lessons"]
    assert set(lessons) == {f"{n}-{i}" for n in "ab" for i in range(15)}


def test_every_attempt_is_kept_with_its_answer_and_time(data_dir):
    """Each try's answer, verdict and time is saved; the export still works."""
    store = ProgressStore.open()
    answer = Answer(first_correct=False, attempts=2,
                    tries=[(frozenset({11, 12, 13}), False, False, 0.0), (2, True, False, 60.0)])
    store.record_answer("l", "q", "pick", answer)
    store.save()
    tries = ProgressStore.open().data["lessons"]["l"]["answers"]["q"]["tries"]
    assert tries == [{"answer": "11-13", "correct": False, "shown": False, "at": "1970-01-01T00:00:00Z"},
                     {"answer": 2, "correct": True, "shown": False, "at": "1970-01-01T00:01:00Z"}]
    rows = ProgressStore.open().rows()
    assert [(r["lesson_id"], r["question_id"], r["attempts"]) for r in rows] == [("l", "q", 2)]
    assert json.loads(ProgressStore.open().export_json())["lessons"]["l"]["answers"]["q"]["tries"] == tries


def test_a_file_without_tries_still_loads(data_dir):
    """Files written before attempts were kept load as they are."""
    data_dir.mkdir()
    old = {"format": 1, "user": "u", "lessons": {"l": {"status": "done", "step": 3, "steps": 3, "questions": 1,
                                                        "answers": {
        "q": {"kind": "choice", "first_correct": True, "attempts": 1, "shown": False, "solved": False,
              "best": None, "par": None}}}}}
    (data_dir / FILE_NAME).write_text(json.dumps(old))
    store = ProgressStore.open()
    assert store.warnings == [] and store.score("l") == (1, 1)


@pytest.mark.parametrize("lesson", [
    {"status": "started", "answers": {}, "step": None},
    {"status": "started", "answers": {}, "step": "3"},
    {"status": "done", "answers": {"q": "right"}},
    {"status": "done", "answers": {"q": {"attempts": "many"}}},
    {"status": "done", "answers": {"q": {"best": True}}},
    {"status": "done", "answers": {"q": {"tries": [1, 2]}}},
    {"status": "done", "answers": {}, "questions": -1},
])
def test_damaged_records_are_set_aside(data_dir, lesson):
    """A step that is null or a string, an answer that is not a table...: set aside with one line."""
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text(json.dumps({"format": 1, "lessons": {"l": lesson}}))
    store = ProgressStore.open()
    assert store.data["lessons"] == {} and len(store.warnings) == 1 and "damaged record" in store.warnings[0]
    assert "\n" not in store.warnings[0]


def test_json_nested_too_deep_is_set_aside(data_dir):
    """100,000 nested arrays: no RecursionError, the file is set aside."""
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text("[" * 100_000 + "]" * 100_000)
    store = ProgressStore.open()
    assert store.data["lessons"] == {} and "is not valid JSON" in store.warnings[0]


def test_a_fifo_is_never_read(data_dir):
    """A FIFO where the file should be: no hang, a warning, and nothing written over it."""
    data_dir.mkdir()
    os.mkfifo(data_dir / FILE_NAME)
    result = {}
    reader = threading.Thread(target=lambda: result.update(store=ProgressStore.open()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    store = result["store"]
    assert not store.writable and "not a regular file" in store.warnings[0]


def test_a_device_is_never_read(data_dir):
    """A link to /dev/zero: not read at all (it would never end)."""
    data_dir.mkdir()
    os.symlink("/dev/zero", data_dir / FILE_NAME)
    store = ProgressStore.open()
    assert not store.writable and "not a regular file" in store.warnings[0]


def test_a_symlinked_file_stays_a_link(data_dir, tmp_path):
    """Saving writes through a symlink to the real file; the link stays."""
    data_dir.mkdir()
    real = tmp_path / "elsewhere.json"
    real.write_text(json.dumps({"format": 1, "user": "u", "lessons": {}}))
    os.symlink(real, data_dir / FILE_NAME)
    store = ProgressStore.open()
    store.record_step("l", 1, 2, 0)
    store.save()
    assert (data_dir / FILE_NAME).is_symlink() and "l" in json.loads(real.read_text())["lessons"]


def test_a_read_only_file_is_not_replaced(data_dir):
    """A read-only progress file is left as it is, with a warning."""
    data_dir.mkdir()
    path = data_dir / FILE_NAME
    path.write_text(json.dumps({"format": 1, "user": "u", "lessons": {}}))
    path.chmod(0o444)
    store = ProgressStore.open()
    store.record_step("l", 1, 2, 0)
    store.save()
    assert "read-only" in store.warnings[0] and json.loads(path.read_text())["lessons"] == {}


def test_leftover_temporary_files_are_cleaned_at_start(data_dir):
    """A save killed mid-write leaves progress.json.XXXX.tmp; the next start removes it."""
    data_dir.mkdir()
    (data_dir / f"{FILE_NAME}.abc123.tmp").write_text("half")
    ProgressStore.open()
    assert not list(data_dir.glob("*.tmp"))


def test_escape_sequences_in_a_progress_file_are_shown_as_text(data_dir):
    """A lesson id or user name with an escape sequence reaches the export as visible text."""
    data_dir.mkdir()
    (data_dir / FILE_NAME).write_text(json.dumps({"format": 1, "user": "u\x1b]0;x\x07", "lessons": {
        "l\x1b[2J": {"status": "started", "answers": {}}}}))
    exported = ProgressStore.open().export_csv()
    assert "\x1b" not in exported and "\\e[2J" in exported and "\\e]0;x\\x07" in exported
