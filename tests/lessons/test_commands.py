"""The lesson commands: check, lessons, lesson N, quiz (answers from stdin), progress --export."""

import io
import json
import re

import pytest

from tutor import cli

from _lessons import LESSONS, ROOT, small_lesson


def feed(monkeypatch, *lines: str) -> None:
    """Make stdin hold these lines (then end)."""
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*.toml")), ids=lambda p: p.stem)
def test_check_shipped_lessons(path, capsys):
    """`tutor check` passes each shipped lesson (checked beside its folder's others, one test each so the
    workers share them): every answer key agrees with the engine."""
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^ok .*\.toml$", out, re.M) == [f"ok {path}"]


def test_one_copy_of_the_lessons():
    """The package ships the lessons of the one folder the docs name (installed or not): no copy to keep in step."""
    from tutor.lessons.catalog import builtin_dir

    shipped = {p.name: p.read_bytes() for p in builtin_dir().glob("*.toml")}
    assert shipped == {p.name: p.read_bytes() for p in LESSONS.glob("*.toml")}
    assert not (ROOT / "lessons").exists() and not (ROOT / "tools" / "sync_lessons.py").exists()


def test_docs_example_lesson_checks(tmp_path):
    """The first lesson in docs/lessons.md is valid and its keys match the engine."""
    text = (ROOT / "docs" / "lessons.md").read_text(encoding="utf-8")
    example = re.findall(r"```toml\n(.*?)```", text, flags=re.S)[0]
    (tmp_path / "example.toml").write_text(example)
    assert cli.main(["check", str(tmp_path / "example.toml")]) == 0


def test_check_reports_file_and_step_and_exits_2(write, capsys):
    """A wrong key and a broken file in a folder: exit 2, each error naming its file (and step)."""
    folder = write("mixed/01-small.toml", small_lesson(answer=5)).parent
    write("mixed/02-broken.toml", "[[steps]]\ntitle = 1\n")
    write("mixed/scenario.toml", "[producer]\nacks = 1\n")
    assert cli.main(["check", str(folder)]) == 2
    captured = capsys.readouterr()
    assert f"ok {folder / 'scenario.toml'}" in captured.out
    errors = captured.err.splitlines()
    assert f"{folder / '01-small.toml'}: step 2 \"Predict\": [steps.question]: the key says 5 but the engine's " \
           "lost_acked is 19" in errors
    assert any(line.startswith(f"{folder / '02-broken.toml'}: id:") for line in errors)


def test_a_folder_checked_in_workers_reads_as_checked_in_turn(write, monkeypatch):
    """Lessons checked side by side in forked workers give the very lines, in the order, of a check in turn."""
    from tutor.lessons import check

    folder = write("par/01-small.toml", small_lesson()).parent
    write("par/02-wrong.toml", small_lesson(answer=5, lesson_id="wrong"))
    write("par/03-broken.toml", "[[steps]]\ntitle = 1\n")
    write("par/04-again.toml", small_lesson(lesson_id="again", prereqs='["small"]'))
    write("par/scenario.toml", "[producer]\nacks = 1\n")

    def checked(cores: int) -> tuple[int, str, str]:
        """Status, stdout and stderr of `tutor check` of the folder on this many cores."""
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(check, "_cores", lambda: cores)
        status = check.check_paths([str(folder)], cli.scenario_problem, out, err)
        return status, out.getvalue(), err.getvalue()

    pools = []
    real_pool = check._forked_pool
    monkeypatch.setattr(check, "_forked_pool", lambda n: pools.append(n) or real_pool(n))
    in_turn = checked(1)
    assert not pools
    side_by_side = checked(2)
    assert pools == ([2] if check._can_fork() else [])
    assert side_by_side == in_turn
    status, out, err = in_turn
    assert status == 2
    wins = '  step 3 "Fix it": winning answers: producer.acks = "all"'
    assert out.splitlines() == [f"ok {folder / '01-small.toml'}", wins, wins,  # the second: 02's, which fails
                                f"ok {folder / '04-again.toml'}", wins, f"ok {folder / 'scenario.toml'}"]
    assert [line.split(":")[0] for line in err.splitlines()] == [str(folder / "02-wrong.toml"),
                                                                 str(folder / "03-broken.toml")]


def test_lessons_with_more_and_longer_runs_are_checked_first(write):
    """The cost that orders a folder's lessons grows with the runs a lesson plays and their records."""
    from tutor.lessons.check import _cost
    from tutor.lessons.parse import load_lesson

    small = load_lesson(write("a/01-small.toml", small_lesson()))
    longer = load_lesson(write("a/02-longer.toml", small_lesson(lesson_id="longer").replace(
        "messages = 60", "messages = 600")))
    no_challenge = load_lesson(write("a/03-short.toml", small_lesson(lesson_id="short").split(
        '[[steps]]\ntitle = "Fix it"')[0]))
    assert _cost(longer) > _cost(small) > _cost(no_challenge) > 0
    assert _cost(None) == 0


def test_check_empty_folder(tmp_path, capsys):
    """A folder without .toml files is an error, not a silent pass."""
    assert cli.main(["check", str(tmp_path)]) == 2
    assert "no .toml files" in capsys.readouterr().err


def small_folder(write):
    """A lessons folder holding the small lesson and a broken one."""
    folder = write("lessons/01-small.toml", small_lesson()).parent
    write("lessons/02-broken.toml", 'id = "broken"\n')
    return str(folder)


def test_menu_shows_progress_next_and_errors(write, capsys, monkeypatch):
    """`tutor lessons` lists each lesson, what to take next, and a broken file's error."""
    folder = small_folder(write)
    assert cli.main(["lessons", "--lessons", folder]) == 0
    out = capsys.readouterr().out
    assert "A small lesson" in out and "← next" in out and "Next: tutor lesson 1" in out
    assert "title: takes a non-empty string" in out


def test_quiz_from_stdin_scores_and_records(write, capsys, monkeypatch, data_dir):
    """`tutor quiz 1` reads answers from stdin, judges them, and ends with the score."""
    folder = small_folder(write)
    feed(monkeypatch, "h", "20", "producer.linger.ms=1", "topic.min.insync.replicas=2", "producer.acks=all")
    assert cli.main(["quiz", "1", "--lessons", folder]) == 0
    out = capsys.readouterr().out
    assert "first hint" in out and "Not quite" in out and "acknowledged records lost: 19" in out
    flat = re.sub(r"[│\s]+", " ", out)  # the panel's borders and wrapping aside
    assert flat.count("producer.linger.ms is not one of the settings you may change") == 1  # said once
    assert "Right!" in out and "Score: 1/2" in out
    saved = json.loads((data_dir / "progress.json").read_text())["lessons"]["small"]
    assert saved["answers"]["fix"]["attempts"] == 2 and saved["answers"]["how-many"]["first_correct"] is False
    assert saved["step"] == 0  # a quiz does not move the lesson's place


def test_quiz_stops_at_the_end_of_input(write, capsys, monkeypatch):
    """Running out of answers stops the quiz with the score so far."""
    feed(monkeypatch, "19")
    assert cli.main(["quiz", "small", "--lessons", small_folder(write)]) == 0
    out = capsys.readouterr().out
    assert "Quiz stopped." in out and "Score: 1/2" in out


def test_lesson_player_from_stdin(write, capsys, monkeypatch, data_dir):
    """`tutor lesson 1` plays the steps: contents, back, answers, and the final score; progress is saved."""
    feed(monkeypatch, "t", "", "19", "b", "", "s", "", "producer.acks=all", "")
    assert cli.main(["lesson", "1", "--lessons", small_folder(write)]) == 0
    out = capsys.readouterr().out
    assert "Contents" in out and "Step 2 of 3 · Predict" in out and "Right!" in out
    assert out.count("Step 2 of 3 · Predict") == 2  # back, and forward again
    assert "Lesson complete · score 2/2" in out
    saved = json.loads((data_dir / "progress.json").read_text())["lessons"]["small"]
    assert saved["status"] == "done"


def test_lesson_player_resumes(write, capsys, monkeypatch):
    """Quitting saves the step; the next time the lesson resumes there."""
    folder = small_folder(write)
    feed(monkeypatch, "", "q")
    cli.main(["lesson", "small", "--lessons", folder])
    feed(monkeypatch, "q")
    cli.main(["lesson", "small", "--lessons", folder])
    assert "Resuming at step 2" in capsys.readouterr().out


@pytest.mark.parametrize("ref, message", [("9", "no lesson '9'"), ("2", "02-broken.toml: title")])
def test_lesson_that_cannot_open(write, capsys, ref, message):
    """An unknown or broken lesson is one line on stderr and exit 2."""
    assert cli.main(["lesson", ref, "--lessons", small_folder(write)]) == 2
    assert message in capsys.readouterr().err


def test_progress_export(write, capsys, monkeypatch, tmp_path):
    """`tutor progress --export csv|json`, to stdout or a file."""
    folder = small_folder(write)
    feed(monkeypatch, "19", "producer.acks=all")
    cli.main(["quiz", "1", "--lessons", folder])
    capsys.readouterr()
    assert cli.main(["progress", "--export", "csv", "--lessons", folder]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("user,lesson_id,lesson_title,lesson_status,lesson_score,lesson_questions,score_policy")
    assert len(lines) == 3 and ",small,A small lesson,started,2,2,first,fix,challenge," in lines[1]
    out = tmp_path / "class.json"
    assert cli.main(["progress", "--export", "json", "--output", str(out), "--lessons", folder]) == 0
    assert json.loads(out.read_text())["lessons"]["small"]["score"] == 2
    assert cli.main(["progress", "--lessons", folder]) == 0 and "A small lesson" in capsys.readouterr().out


def test_corrupt_progress_warns_on_stderr(write, capsys, data_dir):
    """A corrupt progress file is set aside with a warning; the command still works."""
    data_dir.mkdir()
    (data_dir / "progress.json").write_text("garbage")
    assert cli.main(["lessons", "--lessons", small_folder(write)]) == 0
    assert "warning: progress file" in capsys.readouterr().err


def test_quiz_prints_the_state_before_each_question(write, capsys, monkeypatch):
    """Before a question, text mode prints the run's state: each broker's log end, HW, flushed offset, ISR;
    the producer's position. "h hint" is offered only where the question has hints."""
    feed(monkeypatch, "19")
    cli.main(["quiz", "small", "--lessons", small_folder(write)])
    out = capsys.readouterr().out
    assert out.count("The run now") == 2
    assert re.search(r"broker-1: up · leader · log end [\d,]+ · HW [\d,]+ · flushed to disk [\d,]+ · in ISR", out)
    assert re.search(r"producer: up · sent [\d,]+ of 60", out)
    assert out.count("h hint") == 1  # the number question has hints; the challenge has none


def test_progress_reset_asks_on_a_terminal_and_needs_yes_otherwise(write, capsys, monkeypatch, data_dir):
    """`tutor progress --reset 1` refuses without --yes off a terminal, asks on one, and forgets only that lesson."""
    folder = small_folder(write)
    feed(monkeypatch, "19", "producer.acks=all")
    cli.main(["quiz", "1", "--lessons", folder])
    path = data_dir / "progress.json"
    before = path.read_text()
    feed(monkeypatch)
    assert cli.main(["progress", "--reset", "1", "--lessons", folder]) == 2
    assert "add --yes" in capsys.readouterr().err and path.read_text() == before
    feed(monkeypatch, "n")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert cli.main(["progress", "--reset", "1", "--lessons", folder]) == 0
    assert "nothing reset" in capsys.readouterr().err and path.read_text() == before
    feed(monkeypatch, "y")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert cli.main(["progress", "--reset", "1", "--lessons", folder]) == 0
    assert "reset your progress in lesson 1 (A small lesson)" in capsys.readouterr().err
    assert json.loads(path.read_text())["lessons"] == {}
    assert not list(data_dir.glob("*.tmp*"))  # written atomically: no temporary file left behind


def test_progress_reset_everything_with_yes(write, capsys, monkeypatch, data_dir):
    """`--reset --yes` forgets every lesson; the export then has only its header."""
    folder = small_folder(write)
    feed(monkeypatch, "19")
    cli.main(["quiz", "1", "--lessons", folder])
    assert cli.main(["progress", "--reset", "--yes", "--lessons", folder]) == 0
    assert "reset every lesson's progress" in capsys.readouterr().err
    assert cli.main(["progress", "--export", "csv", "--lessons", folder]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_challenge_takes_an_unqualified_name_and_says_an_error_once(write, capsys, monkeypatch):
    """"acks=all" means producer.acks (the only acks); "client" names two settings: one clear line, said once."""
    feed(monkeypatch, "19", "client=java", "acks=all")
    cli.main(["quiz", "small", "--lessons", small_folder(write)])
    out = re.sub(r"[│\s]+", " ", capsys.readouterr().out)  # the panel's borders and wrapping aside
    said = re.findall(r"client is more than one setting: write (\w+\.client) or (\w+\.client)", out)
    assert len(said) == 1 and set(said[0]) == {"producer.client", "consumer.client"}, out
    assert "Right!" in out.split("client is more than one setting")[1] and "Score: 2/2" in out


def test_a_check_worker_runs_without_the_collector_until_its_garbage_piles_up(monkeypatch):
    """A forked worker checks with the cyclic collector off and what it inherited frozen; between lessons it
    collects only once more than WORKER_GARBAGE tracked objects are pending. (Run in a child process: the
    worker set-up changes the collector of the process it runs in.)"""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers are forked only where fork exists")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        enabled, frozen, before, after, small_before, small_after = pool.apply(_worker_collector_facts)
    assert enabled is False and frozen > 0
    assert before > 3000 and after < 100  # past the limit: collected
    assert small_after >= small_before  # under it: left alone


def _worker_collector_facts() -> tuple:
    """In a fresh worker: the collector's state after the worker set-up, and what _collect_if_full does."""
    import gc

    from tutor.lessons import check

    check._quiet_worker()
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    check.WORKER_GARBAGE = 3000
    garbage = [[] for _ in range(4000)]
    for item in garbage:
        item.append(item)  # cycles: only the collector frees them
    del garbage, item
    before = gc.get_count()[0]
    check._collect_if_full()
    after = gc.get_count()[0]
    check.WORKER_GARBAGE = 10**9
    cycle: list = []
    cycle.append(cycle)
    del cycle
    small_before = gc.get_count()[0]
    check._collect_if_full()
    return enabled, frozen, before, after, small_before, gc.get_count()[0]
