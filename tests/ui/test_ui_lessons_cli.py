"""`tutor`, `tutor lessons` and `tutor lesson N` on a terminal open the app; --text and pipes keep text mode."""

import io

import pytest

from tutor import cli


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """Pretend to be on a terminal and record how the app would be opened (instead of running it)."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(cli, "on_terminal", lambda: True)
    calls = []

    class FakeApp:
        """Stands in for the Textual app."""

        def run(self):
            """Nothing to run."""

    def make_app(*args, **kwargs):
        """Record the arguments."""
        calls.append(kwargs)
        return FakeApp()

    monkeypatch.setattr("tutor.ui.app.make_app", make_app)
    return calls


def test_tutor_opens_the_main_menu(opened):
    """`tutor` with no command, on a terminal: the main menu."""
    assert cli.main([]) == 0
    assert opened[0]["start"] == "menu"


def test_tutor_lessons_opens_the_lessons_menu(opened):
    """`tutor lessons`: the app at the lessons menu."""
    assert cli.main(["lessons"]) == 0
    assert opened[0]["start"] == "lessons" and opened[0]["lesson"] is None


@pytest.mark.parametrize("ref", ["4", "acks-1"])
def test_tutor_lesson_opens_that_lesson(opened, ref):
    """`tutor lesson N` (a number or an id): the app on that lesson."""
    assert cli.main(["lesson", ref]) == 0
    assert opened[0]["lesson"] == ref and opened[0]["catalog"].find(ref).id == "acks-1"


def test_unknown_lesson_is_one_line_and_exit_2(opened, capsys):
    """An unknown lesson never opens the app: one clear line on stderr, exit status 2."""
    assert cli.main(["lesson", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no lesson '99'" in err and not opened


def test_text_flag_keeps_the_text_player(opened, monkeypatch, capsys):
    """`tutor lesson N --text` plays in text mode even on a terminal; `tutor lessons --text` prints the list."""
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    assert cli.main(["lesson", "4", "--text"]) == 0
    assert cli.main(["lessons", "--text"]) == 0
    out = capsys.readouterr().out
    assert "Step 1 of 6" in out and "Next: tutor lesson 1" in out and not opened


def test_not_a_terminal_prints_as_before(monkeypatch, tmp_path, capsys):
    """Piped, `tutor lessons` prints the table, as before the app had lessons."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["lessons"]) == 0
    assert "The journey of a record" in capsys.readouterr().out


def test_tutor_lesson_in_a_real_terminal(tmp_path):
    """`tutor lesson 4` in tmux: the card, the question, a right answer; esc saves and goes to the menus."""
    from test_ui_tmux import Tmux, tutor_command

    if __import__("shutil").which("tmux") is None:
        pytest.skip("tmux is not installed")
    tmux = Tmux("lesson")
    try:
        tmux.start(f"TUTOR_DATA_DIR={tmp_path} {tutor_command()} lesson 4")
        tmux.wait_for("THE LEADER'S WORD")
        tmux.keys("Enter")
        tmux.wait_for("time runs for 300 ms")
        tmux.keys("Enter")  # skip the rest of the wait
        tmux.wait_for("QUESTION · number")
        tmux.keys("7", "Enter")
        tmux.wait_for("RIGHT")
        tmux.keys("Escape")
        tmux.wait_for("step 1 of 6")
        tmux.keys("Escape")
        tmux.wait_for("Sandbox")
        tmux.keys("q")  # q quits from the main menu (its number moved when Explore came)
        pane = tmux.wait_for("EXIT=0")
        assert "Traceback" not in pane
    finally:
        tmux.close()
    assert '"first_correct": true' in (tmp_path / "progress.json").read_text()
