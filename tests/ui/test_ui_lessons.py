"""Lessons in the app through Pilot: the menus, cards, contents, back, hints, show me, locks, clicks and progress."""

import json

import pytest

from tutor.lessons.run import QUESTION, READY, WAIT
from tutor.ui.app import make_app
from tutor.ui.screens.cards import ContentsScreen, TitleCard
from tutor.ui.screens.menu import LabsScreen, LessonsScreen, MenuScreen
from tutor.ui.screens.prompt import PromptScreen
from tutor.ui.screens.sandbox import SandboxScreen
from tutor.ui.widgets.pipeline import PipelineView

from lessonhelp import lesson_app, lesson_screen, settle, type_text
from uihelp import aio, plain, wait_until

SMALL = '''
id = "small"
title = "A small lesson"
teaches = "acks=1 loses what the followers had not fetched."

[scenario]
seed = 0

[scenario.topic]
replication.factor = 3

[scenario.producer]
acks = "all"

[scenario.workload]
messages = 60
interval.ms = 10

[[steps]]
title = "Your setting"
narration = "Set acks to 1."
lock = ["all"]
unlock = ["producer.acks"]
wait = { setting = "producer.acks", value = "1", prompt = "Set acks to 1." }

[[steps]]
title = "Watch"
narration = "Records flow."
wait.ms = 300
'''


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Progress goes to a private directory."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder


def progress(data_dir) -> dict:
    """The progress file's lessons."""
    return json.loads((data_dir / "progress.json").read_text())["lessons"]


def option_text(screen, selector: str, index: int) -> str:
    """The plain text of one option of a list."""
    return plain(screen.query_one(selector).get_option_at_index(index).prompt)


async def to_step(pilot, k: int) -> None:
    """Jump to step k (1-based) through the contents, and close its card."""
    await pilot.press("t")
    assert isinstance(pilot.app.screen, ContentsScreen)
    pilot.app.screen.query_one("#toc-list").highlighted = k - 1
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TitleCard)
    await pilot.press("enter")
    await pilot.pause()


# --- the menus ---------------------------------------------------------------------------------
@aio
async def test_main_menu_keys_open_each_entry_and_come_back():
    """1 sandbox, 2 lessons, 3 labs (esc back each time), 4 quits."""
    app = make_app(autoplay=False, start="menu", size=(100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MenuScreen)
        for key, screen in (("1", SandboxScreen), ("2", LessonsScreen), ("3", LabsScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MenuScreen)
        await pilot.press("5")
        await pilot.pause()
    assert app.return_code == 0


@aio
async def test_main_menu_arrows_and_mouse():
    """↓ and enter opens the lessons; a click on Labs opens the labs."""
    app = make_app(autoplay=False, start="menu", size=(100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        assert isinstance(app.screen, LessonsScreen)
        await pilot.press("escape")
        await pilot.click("#menu-list", offset=(8, 4))  # the third entry's first line (two lines each)
        await pilot.pause()
        assert isinstance(app.screen, LabsScreen)


@aio
async def test_lessons_menu_shows_progress_and_highlights_what_is_next(data_dir):
    """Done lessons say so with their score; the next one is marked and highlighted; its details show."""
    data_dir.mkdir()
    (data_dir / "progress.json").write_text(json.dumps({"format": 1, "user": "u", "lessons": {
        "journey": {"status": "done", "step": 7, "steps": 8, "questions": 5, "answers": {}, "updated": ""}}}))
    app = make_app(autoplay=False, start="lessons", size=(120, 30))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "✓ The journey of a record" in option_text(screen, "#lesson-list", 0)
        assert "done" in option_text(screen, "#lesson-list", 0) and "0/5" in option_text(screen, "#lesson-list", 0)
        nxt = screen.catalog.next_lesson({"journey"})
        index = screen.catalog.items.index(nxt)
        assert screen.query_one("#lesson-list").highlighted == index
        assert "← next" in option_text(screen, "#lesson-list", index)
        assert nxt.title in plain(screen.query_one("#detail"))
        await pilot.press("4")
        assert screen.query_one("#lesson-list").highlighted == 3


@aio
async def test_malformed_lesson_shows_its_error_in_the_menu(tmp_path):
    """A broken file is listed with its error line; choosing it says why it cannot open; nothing crashes."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-small.toml").write_text(SMALL)
    (folder / "02-broken.toml").write_text('id = "broken"\n')
    app = make_app(autoplay=False, start="lessons", lessons=str(folder), size=(120, 30))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        line = option_text(screen, "#lesson-list", 1)
        assert "✗ 02-broken.toml" in line and "02-broken.toml: title:" in line
        await pilot.press("2", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "does not load" in plain(screen.query_one("#detail"))


@aio
async def test_labs_show_the_command_and_the_client():
    """Each lab shows the exact command to run in a terminal and whether confluent-kafka is installed."""
    app = make_app(autoplay=False, start="menu", size=(120, 36))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        text = plain(app.screen.query_one("#lab-text"))
        assert "tutor lab auto-commit" in text and ("installed: confluent-kafka" in text or "not installed" in text)
        await pilot.press("2")
        await pilot.pause()
        assert "tutor lab commit-order" in plain(app.screen.query_one("#lab-text"))


@aio
async def test_set_aside_progress_file_is_a_warning_in_the_menu(data_dir):
    """A corrupt progress file is renamed, and the lessons menu says so."""
    data_dir.mkdir()
    (data_dir / "progress.json").write_text("garbage")
    app = make_app(autoplay=False, start="lessons", size=(120, 30))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        note = plain(app.screen.query_one("#lessons-note"))
        assert "warning: progress file" in note and "set aside" in note
    assert list(data_dir.glob("progress.json.corrupt-*"))


@aio
async def test_set_aside_progress_file_is_a_warning_in_a_lesson(data_dir):
    """Opened straight on a lesson, the app still says the progress file was set aside."""
    data_dir.mkdir()
    (data_dir / "progress.json").write_text("{}")
    async with lesson_app("4") as (app, pilot):
        assert any("set aside" in n.message for n in app._notifications)


# --- the lesson screen --------------------------------------------------------------------------
@aio
async def test_contents_jump_and_step_back():
    """t jumps forward to any step (waits played, questions skipped); ← goes back to the previous step."""
    async with lesson_app("4") as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await to_step(pilot, 4)
        assert screen.run.index == 3 and screen.run.phase == WAIT and screen.run.visited == {0, 1, 2, 3}
        assert "Step 4 of 6" in screen.query_one("#lesson").border_title
        await pilot.press("left")
        await pilot.pause()
        assert screen.run.index == 2 and isinstance(app.screen, TitleCard)
        await pilot.press("enter")
        assert screen.run.phase == WAIT and screen.run.now == screen.run.marks[2].t


@aio
async def test_title_card_says_the_step_and_goes_back():
    """Each step opens with its card: the step's number and title; ← on a card goes back a step."""
    async with lesson_app("4") as (app, pilot):
        card = app.screen
        assert isinstance(card, TitleCard) and card.card.title == "acks=1: the leader's word"
        await pilot.press("enter", "enter")  # card; skip the wait
        screen = lesson_screen(app)
        await type_text(pilot, "7")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleCard) and app.screen.card.number == 2
        await pilot.press("left")
        await pilot.pause()
        assert screen.run.index == 0


@aio
async def test_locked_key_says_why_and_changes_nothing():
    """A failure key the step locks is refused with the reason; the run is untouched."""
    async with lesson_app("4") as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await pilot.press("L")
        await pilot.pause()
        assert screen.driver.snap.broker("broker-1").host_on
        assert any("power-loss is locked in this step" in n.message for n in app._notifications)
        assert "locked in this step: failure keys" in plain(screen.query_one("#locks"))


@aio
async def test_action_wait_prompt_key_and_show_me():
    """A step that waits for the learner says which key; s (show me) fires it as the step describes it."""
    async with lesson_app("4") as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await to_step(pilot, 3)
        text = plain(screen.query_one("#wait"))
        assert "YOUR TURN" in text and "press K" in text
        assert "except crash (K P C)" in plain(screen.query_one("#locks"))
        await pilot.press("s")
        await pilot.pause()
        assert screen.run.phase == QUESTION and not screen.driver.snap.broker("broker-1").up


@aio
async def test_pick_answer_by_clicking_tokens():
    """With a pick question open, a click on a record's token adds its id to the answer."""
    async with lesson_app("4", size=(120, 36)) as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await to_step(pilot, 3)
        await pilot.press("K")
        await pilot.pause()
        assert screen.run.question.kind == "pick"
        canvas = screen.query_one(PipelineView).current()
        spot = next((x, y) for y in range(canvas.height) for x in range(canvas.width)
                    if (canvas.at(x, y) or ("", 0))[0] == "record")
        rid = canvas.at(*spot)[1]
        await pilot.click(PipelineView, offset=spot)
        await pilot.pause()
        assert screen.query_one("#typed").value == str(rid)


@aio
async def test_hints_then_show_me_on_a_question(data_dir):
    """h shows the hints one by one (the last repeats), each recorded; s shows the answer, unscored, and it is
    saved."""
    async with lesson_app("1") as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        await to_step(pilot, 4)
        await pilot.press("enter")  # skip the wait: the question opens
        await pilot.pause()
        q = screen.run.question
        assert q.id == "acks-all-latency" and len(q.hints) == 2
        await pilot.press("h", "h", "h")
        assert screen.panel.hints == [q.hints[0], q.hints[1], q.hints[1]]
        assert q.hints[0] in plain(screen.query_one("#note"))
        await pilot.press("s")
        await settle(pilot)
        assert screen.verdict.shown and screen.run.phase == READY
        assert "SHOWN" in plain(screen.query_one("#verdict"))
    assert progress(data_dir)["journey"]["answers"]["acks-all-latency"]["shown"] is True
    assert len(progress(data_dir)["journey"]["answers"]["acks-all-latency"]["hints"]) == 3  # each hint's time


@aio
async def test_misread_answer_is_explained_not_judged():
    """A number question answered with words says how to write it; the question stays open."""
    async with lesson_app("4") as (app, pilot):
        await pilot.press("enter", "enter")
        screen = lesson_screen(app)
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.run.phase == QUESTION and screen.run.answers == {}
        assert "answer with a number" in plain(screen.query_one("#note"))


@aio
async def test_progress_saved_and_resumed(data_dir):
    """Leaving mid-lesson saves the step; opening the lesson again resumes there."""
    async with lesson_app("4") as (app, pilot):
        await pilot.press("enter")
        await to_step(pilot, 3)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        assert "step 3 of 6" in option_text(app.screen, "#lesson-list", 3)
    record = progress(data_dir)["acks-1"]
    assert record["status"] == "started" and record["step"] == 2
    async with lesson_app("4") as (app, pilot):
        assert "Resuming at step 3" in app.screen.card.note
        assert lesson_screen(app).run.index == 2


@aio
async def test_setting_wait_through_the_settings_panel(tmp_path):
    """A step waiting for a setting: o opens the settings; a locked one is refused, the awaited one ends the wait."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "01-small.toml").write_text(SMALL)
    async with lesson_app("1", lessons=str(folder)) as (app, pilot):
        await pilot.press("enter")
        screen = lesson_screen(app)
        assert "set producer.acks to 1" in plain(screen.query_one("#wait"))
        await pilot.press("o")
        assert screen.has_class("show-controls")
        panel = screen.query_one("#controls")
        panel.highlighted = next(i for i in range(panel.option_count)
                                 if panel.get_option_at_index(i).id == "producer.linger.ms")
        await pilot.press("right")
        await pilot.pause()
        assert any("producer.linger.ms is locked" in n.message for n in app._notifications)
        panel.highlighted = next(i for i in range(panel.option_count)
                                 if panel.get_option_at_index(i).id == "producer.acks")
        await pilot.press("e")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("end", *["backspace"] * 5, "1", "enter")  # replace the value in the prompt
        await pilot.pause()
        assert screen.run.phase == READY and screen.driver.snap.config["producer"]["acks"] == "1"


@aio
async def test_time_plays_only_while_the_step_lets_it():
    """With autoplay the clock runs during a time wait and stops at the decision point by itself."""
    app = make_app(autoplay=True, start="lessons", lesson="4", size=(100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = lesson_screen(app)
        assert not screen.driver.clock.playing  # the card is up
        await pilot.press("enter")
        assert screen.driver.clock.playing
        screen.driver.clock.speed = 100.0  # 300 ms of simulated time in a blink
        await wait_until(pilot, lambda: screen.run.phase != WAIT, "the wait ends")
        assert screen.run.phase == QUESTION and screen.run.now == 300.0
        await wait_until(pilot, lambda: not screen.driver.clock.playing, "the clock stops at the decision point")
        assert screen.run.now == 300.0


def test_lessons_name_existing_labs():
    """Every lesson that offers a lab exists, and so does every lab it offers."""
    from tutor.lab import available_labs
    from tutor.lessons import load_catalog
    from tutor.ui.labs import LESSON_LABS

    ids = {i.id for i in load_catalog().items}
    names = {name for name, _, _ in available_labs()}
    assert set(LESSON_LABS) <= ids and {n for labs in LESSON_LABS.values() for n in labs} <= names
