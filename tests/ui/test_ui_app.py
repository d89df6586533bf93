"""The app through Textual's Pilot: keys, clicks and resizes change the run as the engine says."""

import pytest
from textual.command import CommandList

from tutor.sim.snapshot import LOST
from tutor.ui.failures import FAILURES, SLOW_MS
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.inspector import InspectorScreen
from tutor.ui.screens.prompt import PromptScreen
from tutor.ui.screens.report import ReportScreen
from tutor.ui.settings import CONTROLS, step
from tutor.ui.widgets.controls import ControlsPanel
from tutor.ui.widgets.pipeline import PipelineView

from uihelp import aio, demo, goto, plain, sandbox, scenario, wait_until


def cut(snap):
    """Cut links as a set of unordered pairs."""
    return {frozenset(p) for p in snap.cut_links}


# (key, check on the snapshot after pressing it 1 s into the sandbox)
FAILURE_CHECKS = {
    "K": lambda s: not s.broker("broker-1").up and s.broker("broker-1").host_on,
    "L": lambda s: not s.broker("broker-1").host_on,
    "D": lambda s: not any(b.host_on for b in s.brokers),
    "S": lambda s: s.slow == {"broker-2": SLOW_MS, "broker-3": SLOW_MS},
    "Z": lambda s: frozenset({"broker-1", "controller"}) in cut(s),
    "X": lambda s: cut(s) == {frozenset({"producer", "broker-1"})},
    "P": lambda s: not s.producer.up,
    "C": lambda s: not s.consumer.up,
    "E": lambda s: not s.consumer.up,
}


def test_every_failure_key_is_checked_here():
    """R (restart) and H (heal) have their own tests below; every other key is in the table."""
    assert {f.key for f in FAILURES} == set(FAILURE_CHECKS) | {"R", "H"}


@pytest.mark.parametrize("key", sorted(FAILURE_CHECKS))
@aio
async def test_failure_key(key):
    """Pressing the key fires the failure now; the event log shows the engine's words."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1500)
        await pilot.press(key)
        assert FAILURE_CHECKS[key](screen.driver.snap)
        assert screen.frame.events[-1].kind == "failure"


@aio
async def test_restart_and_heal_keys():
    """After L and Z, R restarts what is down and H heals the network."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1000)
        await pilot.press("L", "Z")
        await pilot.press("R", "H")
        await goto(screen, pilot, screen.driver.session.cursor + 3000)
        snap = screen.driver.snap
        assert all(b.up for b in snap.brokers) and snap.cut_links == ()


@aio
async def test_restart_and_heal_are_hidden_until_they_matter():
    """The footer shows R only when something is down, H only when something is cut or slow."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1000)
        keys = lambda: {k for k, b in screen.active_bindings.items() if b.enabled}  # noqa: E731
        assert "R" not in keys() and "H" not in keys()
        await pilot.press("K")
        assert "R" in keys()
        await pilot.press("S")
        assert "H" in keys()


@aio
async def test_number_keys_aim_failures_at_a_broker():
    """2 then L: broker-2 loses power; 0 aims at the leader again."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1000)
        await pilot.press("2", "L")
        assert not screen.driver.snap.broker("broker-2").host_on and screen.driver.snap.broker("broker-1").up
        await pilot.press("0")
        assert screen.frame.selected == "leader"


@aio
async def test_acks1_slow_followers_leader_power_loss_is_drawn_as_lost():
    """The issue's example through the keys: lost-acked > 0 in the ledger, ✗ tokens in the leader's box."""
    async with sandbox(scenario(producer={"acks": "1"}, workload={"interval.ms": 10})) as (screen, pilot):
        await goto(screen, pilot, 500)
        await pilot.press("S")
        await goto(screen, pilot, 800)
        await pilot.press("L")
        frame = screen.frame
        assert frame.losses.lost_acked > 0
        lost = frame.ghosts["broker-1/cache"]
        assert all(frame.snap.state(r) == LOST for r in lost)
        text = screen.query_one(PipelineView).text()
        assert f"✗{lost[0]}" in text
        assert "LOST ACKED" in str(screen.query_one("#ledger").render())


# --- time ---------------------------------------------------------------------------------------------
@aio
async def test_space_plays_and_pauses():
    """space toggles the clock; while playing the timer moves the run forward, paused it does not."""
    async with sandbox() as (screen, pilot):
        await pilot.press("space")
        assert screen.driver.clock.playing
        await wait_until(pilot, lambda: screen.driver.session.cursor > 0, "the timer moves the run")
        await pilot.press("space")
        t = screen.driver.session.cursor
        for _ in range(3):  # ticks as if 0.2 s of wall time had passed before each
            screen._last -= 0.2
            screen.tick()
            await pilot.pause()
        assert screen.driver.session.cursor == t


@aio
async def test_step_runs_to_the_next_event():
    """n moves the cursor to the next event, and pauses."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1000)
        await pilot.press("n")
        assert screen.driver.session.cursor > 1000 and not screen.driver.clock.playing


@aio
async def test_scrub_back_and_forward_and_live():
    """← goes back into recorded frames (REPLAY), → forward, end back to the present."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 3000)
        step = screen.driver.scrub_step_ms()
        await pilot.press("left", "shift+left")
        assert screen.driver.session.cursor == pytest.approx(3000 - 11 * step)
        assert not screen.frame.live
        await pilot.press("right")
        assert screen.driver.session.cursor == pytest.approx(3000 - 10 * step)
        await pilot.press("end")
        assert screen.frame.live and screen.driver.session.cursor == pytest.approx(3000)
        await pilot.press("home")
        assert screen.driver.session.cursor == 0


@aio
async def test_speed_keys():
    """- and + move down and up the speed ladder."""
    async with sandbox() as (screen, pilot):
        speed = screen.driver.clock.speed
        await pilot.press("plus")
        assert screen.driver.clock.speed > speed
        await pilot.press("minus", "minus")
        assert screen.driver.clock.speed < speed


@aio
async def test_restart_and_seed():
    """ctrl+r restarts at 0; # asks for a seed and restarts with it."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 2000)
        await pilot.press("ctrl+r")
        assert screen.driver.session.cursor == 0
        await pilot.press("number_sign")
        assert isinstance(pilot.app.screen, PromptScreen)
        await pilot.press("4", "2", "enter")
        assert screen.driver.session.sim.seed == 42 and screen.frame.seed == 42


@aio
async def test_timeline_click_scrubs():
    """A click on the timeline jumps to that time (within what was computed)."""
    async with sandbox(size=(100, 30)) as (screen, pilot):
        await goto(screen, pilot, 4000)
        await pilot.click("#timeline", offset=(10, 0))
        assert 0 < screen.driver.session.cursor < 4000 and not screen.frame.live


@aio
async def test_timeline_drag_scrubs():
    """Press on the timeline and drag: the cursor follows the pointer, back and forth, until released."""
    async with sandbox(size=(100, 30)) as (screen, pilot):
        await goto(screen, pilot, 4000)
        await pilot.mouse_down("#timeline", offset=(10, 0))
        first = screen.driver.session.cursor
        await pilot.hover("#timeline", offset=(40, 0))
        dragged = screen.driver.session.cursor
        await pilot.hover("#timeline", offset=(20, 0))
        back = screen.driver.session.cursor
        await pilot.mouse_up("#timeline", offset=(20, 0))
        await pilot.hover("#timeline", offset=(50, 0))  # released: passing over the bar does nothing
        assert 0 < first < back < dragged <= 4000 and screen.driver.session.cursor == back


@pytest.mark.parametrize("width", [80, 100, 120])
@aio
async def test_status_line_keeps_what_matters(width):
    """However narrow, the status line shows the time, play state, speed, LIVE or REPLAY and acks, whole."""
    async with sandbox(size=(width, 30)) as (screen, pilot):
        await goto(screen, pilot, 1500)
        await pilot.press("left")
        line = screen.query_one("#status").render().plain
        assert all(w in line for w in ("1.400 s", "‖", "×0.1", "REPLAY", "acks=all")) and "…" not in line


@aio
async def test_scrubbing_10k_records_answers_from_recorded_frames():
    """Seeking back over a 10,000-record run shows a recorded frame: nothing is simulated again."""
    async with sandbox(scenario(workload={"interval.ms": 1})) as (screen, pilot):
        await goto(screen, pilot, 10_000)
        session = screen.driver.session
        assert screen.driver.snap.counts["sent"] >= 10_000
        horizon, sim, recorded = session.horizon, session.sim, len(session.frames)
        screen.driver.seek(2000)
        screen.show()
        assert session.sim is sim and session.horizon == horizon and len(session.frames) == recorded
        assert screen.driver.snap is session.frame_at(2000) and screen.driver.snap.t <= 2000


# --- settings -------------------------------------------------------------------------------------------
async def open_controls(screen, pilot, ident):
    """Open the settings panel and highlight a control."""
    await pilot.press("o")
    panel = screen.query_one(ControlsPanel)
    assert screen.focused is panel
    panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == ident)
    return panel


@aio
async def test_control_right_sets_the_next_value():
    """o, then → on each control (from a fresh run at 500 ms): the setting changes, or the model refuses it
    and nothing changes. One app for all of them: the run is started afresh before each."""
    idents = sorted(c for c in CONTROLS if CONTROLS[c].setting.clients != ("librdkafka",))
    async with sandbox() as (screen, pilot):
        fresh = screen.driver.scenario
        for ident in idents:
            c = CONTROLS[ident]
            screen.runner.sync(screen.driver.restart, None, fresh)
            await goto(screen, pilot, 500)
            if screen.has_class("show-controls"):
                await pilot.press("o")  # closed, so that o opens it with the keys in it, as a learner does
            await open_controls(screen, pilot, ident)
            before = screen.driver.config()[c.section][c.key]
            await pilot.press("right")
            after = screen.driver.config()[c.section][c.key]
            assert after in (step(c, before, +1), before), ident
            if after == before:  # refused by the model's cross-key rules
                assert not screen.driver.change({(c.section, c.key): step(c, before, +1)}).ok, ident


@aio
async def test_click_on_a_setting_steps_it():
    """The mouse works in the settings too: a click on send.mode's row switches it to sync."""
    async with sandbox(size=(160, 48)) as (screen, pilot):
        panel = await open_controls(screen, pilot, "producer.acks")
        row = sum(len(o.prompt.plain.split("\n")) if o.id else 1  # a row's description may wrap
                  for o in panel.options[: panel.get_option_index("producer.send.mode")])
        await pilot.click(ControlsPanel, offset=(3, row + 1 - int(panel.scroll_y)))
        assert screen.driver.config()["producer"]["send.mode"] == "sync"


@aio
async def test_librdkafka_offset_store_control():
    """enable.auto.offset.store shows with a librdkafka consumer, and ← toggles it."""
    async with sandbox(scenario(consumer={"client": "librdkafka"})) as (screen, pilot):
        await open_controls(screen, pilot, "consumer.enable.auto.offset.store")
        await pilot.press("left")
        assert screen.driver.config()["consumer"]["enable.auto.offset.store"] is False


@aio
async def test_typed_value_is_checked():
    """e opens a prompt; a bad value is refused with the model's words, a good one applied."""
    async with sandbox() as (screen, pilot):
        await open_controls(screen, pilot, "producer.linger.ms")
        await pilot.press("e")
        assert isinstance(pilot.app.screen, PromptScreen)
        await pilot.press("ctrl+a", *"abc", "enter")
        assert screen.driver.config()["producer"]["linger.ms"] == 5
        await pilot.press("e", *"25", "enter")
        assert screen.driver.config()["producer"]["linger.ms"] == 25


@aio
async def test_presets_keys():
    """s applies the no-loss recipe, d Kafka's defaults."""
    async with sandbox(scenario(producer={"acks": "1"})) as (screen, pilot):
        await pilot.press("s")
        assert screen.driver.config()["producer"]["acks"] == "all"
        assert screen.driver.config()["topic"]["min.insync.replicas"] == 2
        await pilot.press("d")
        assert screen.driver.config()["topic"]["min.insync.replicas"] == 1


@aio
async def test_escape_leaves_the_settings():
    """esc hands the keys back to the sandbox: ← scrubs again."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 2000)
        await pilot.press("o", "escape", "left")
        assert screen.driver.session.cursor < 2000


# --- inspecting, help, report ------------------------------------------------------------------------------
@aio
async def test_inspect_by_number():
    """i, a number, enter: the inspector shows the record's history and why it was lost."""
    async with sandbox(demo()) as (screen, pilot):
        await goto(screen, pilot, 301)
        await pilot.press("i", "1", "5", "enter")
        assert isinstance(pilot.app.screen, InspectorScreen)
        text = plain(pilot.app.screen.query_one("#story"))
        assert "record 15" in text and "lost power" in text and "acked" in text
        await pilot.press("escape")
        assert pilot.app.screen is screen


@aio
async def test_click_a_token_opens_the_inspector():
    """A click on a record's token inspects it."""
    async with sandbox(demo(), size=(80, 24)) as (screen, pilot):
        await goto(screen, pilot, 301)
        view = screen.query_one(PipelineView)
        hit = next(h for h in view.current().hits if h.what[0] == "record")
        await pilot.click(PipelineView, offset=(hit.x0, hit.y))
        assert isinstance(pilot.app.screen, InspectorScreen) and pilot.app.screen.rid == hit.what[1]


@aio
async def test_click_a_box_targets_it():
    """A click on broker-3's box aims the node keys at it."""
    async with sandbox() as (screen, pilot):
        view = screen.query_one(PipelineView)
        box = view.current()
        hit = next(h for h in box.hits if h.what == ("node", "broker-3"))
        await pilot.click(PipelineView, offset=(hit.x0 + 1, hit.y))
        assert screen.frame.selected == "broker-3"


@aio
async def test_help_lists_every_key():
    """? opens the help; every failure key is on it."""
    async with sandbox() as (screen, pilot):
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        text = plain(pilot.app.screen.query_one("Static"))
        assert all(f.help[:30] in text for f in FAILURES) and "lessons and labs" in text
        await pilot.press("escape")


@aio
async def test_final_report():
    """f settles a copy of the run and reports what is lost for good."""
    async with sandbox(demo()) as (screen, pilot):
        await goto(screen, pilot, 400)
        await pilot.press("f")
        report = pilot.app.screen
        assert isinstance(report, ReportScreen)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "Lost although acknowledged" in plain(report.query_one("#report-body"))
        assert screen.driver.session.cursor == 400  # the sandbox's own run is untouched


@aio
async def test_final_report_from_the_cursor_says_so():
    """Scrubbed back, f settles from the cursor and the report's title and first line say it."""
    async with sandbox(demo()) as (screen, pilot):
        await goto(screen, pilot, 400)
        await pilot.press("home")
        await goto(screen, pilot, 250)
        await pilot.press("f")
        report = pilot.app.screen
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert report.query_one("#report").border_title.endswith("stops at 250 ms and the run settles (the cursor)")
        assert "copied at 250 ms, where the cursor is" in plain(report.query_one("#report-body"))


@aio
async def test_inspector_scrubbed_back_says_when_its_explanation_stands():
    """Inspecting in the past: the history stops at the cursor, the explanation is the run's as it stands."""
    async with sandbox(demo()) as (screen, pilot):
        for t in (301, 8000, 301):  # a frame is recorded at 301 ms, then the run goes on, then back
            await goto(screen, pilot, t)
        await pilot.press("i", "1", "5", "enter")
        text = plain(pilot.app.screen.query_one("#story"))
        assert "why (as the run stands at 8,000 ms): lost at the broker: acked with acks=1" in text.replace("\n", " ")


@aio
async def test_brokers_beyond_the_replication_factor_hold_no_copy():
    """Four brokers, RF=3: broker-4's box says it holds no replica; no wire leads to it."""
    async with sandbox(scenario(cluster={"brokers": 4}), size=(160, 48)) as (screen, pilot):
        await goto(screen, pilot, 2000)
        text = screen.query_one(PipelineView).text()
        assert "broker-4 · no replica" in text and "no copy of t-0 (RF=3)" in text


@aio
async def test_command_palette_offers_every_action():
    """The command palette lists the sandbox's actions."""
    async with sandbox() as (screen, pilot):
        titles = [c.title for c in pilot.app.get_system_commands(screen)]
        assert any(t.startswith("The selected node's host loses power") for t in titles)
        assert any(t.startswith("Play or pause") for t in titles)


@aio
async def test_command_palette_runs_an_action():
    """ctrl+p, type, enter: the action runs."""
    async with sandbox() as (screen, pilot):
        await goto(screen, pilot, 1000)
        await pilot.press("ctrl+p", *"datacenter outage")
        await wait_until(pilot, lambda: any(c.option_count for c in pilot.app.screen.query(CommandList)),
                         "the palette lists a match")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not any(b.host_on for b in screen.driver.snap.brokers),
                         "every broker's host is down")


# --- size and quitting ----------------------------------------------------------------------------------------
@aio
async def test_too_small_says_what_it_needs():
    """Below 80x24 the screen names the size it needs; back at 80x24 the sandbox returns."""
    async with sandbox(size=(80, 24)) as (screen, pilot):
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        assert screen.has_class("too-small")
        assert "at least 80×24" in plain(screen.query_one("#too-small"))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not screen.has_class("too-small")


@aio
async def test_narrow_layout_stacks_and_wide_runs_left_to_right():
    """At 80 columns the stages stack; at 160 they run left to right."""
    async with sandbox(size=(80, 24)) as (screen, pilot):
        view = screen.query_one(PipelineView)
        assert view.current().text()[0].startswith("┌─ producer")
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        first = view.current().text()[0]
        assert "producer" in first and "consumer" in first


@aio
async def test_q_quits():
    """q ends the app."""
    async with sandbox() as (screen, pilot):
        await pilot.press("q")
        await pilot.pause()
        assert not pilot.app.is_running


@aio
async def test_ctrl_c_quits():
    """ctrl+c ends the app too."""
    async with sandbox() as (screen, pilot):
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not pilot.app.is_running


# --- drawing details ------------------------------------------------------------------------------------------
def test_an_answer_with_an_error_is_a_red_cross_on_the_wire():
    """A produce or fetch answer carrying an error code is drawn ✗, white on red; a good one is not."""
    from tutor.sim.snapshot import Message
    from tutor.ui.draw import ERROR_REPLY, message_label

    bad = Message("broker-1", "producer", "produce-response", 0.0, 10.0, error="NOT_ENOUGH_REPLICAS")
    assert message_label(bad) == ("✗", ERROR_REPLY)
    assert message_label(Message("broker-1", "producer", "produce-response", 0.0, 10.0))[0] == "↩"


def test_not_enough_replicas_answers_are_drawn_as_errors():
    """min.insync.replicas=2 with both followers down: the leader's answers carry NOT_ENOUGH_REPLICAS."""
    from uihelp import driver

    d = driver(scenario(topic={"min.insync.replicas": 2}))
    d.seek(1000)
    for target in ("broker-2", "broker-3"):
        d.select(target)
        d.fail("crash")
    seen = set()
    # the followers are fenced after 9 s (ISR [1]); the requests already waiting for the HW time out
    # at 30 s (request.timeout.ms), and their retries are refused before the append
    for t in range(30000, 33000, 5):
        d.seek(t)
        seen |= {m.error for m in d.snap.messages if m.kind == "produce-response"}
    assert "NOT_ENOUGH_REPLICAS" in seen and all(e is None or isinstance(e, str) for e in seen)


def test_in_flight_names_where_requests_really_go():
    """Requests still heading to a broker the producer no longer takes for the leader are labelled so."""
    import dataclasses

    from uihelp import driver
    from tutor.ui.draw import flight_label

    p = driver().snap.producer
    assert flight_label(dataclasses.replace(p, in_flight=((5, 1, "broker-1", 1),), leader="broker-1"),
                        "in flight") == "in flight "
    moved = dataclasses.replace(p, in_flight=((5, 1, "broker-1", 1),), leader="broker-2")
    assert flight_label(moved, "in flight") == "in flight→b1 "


def test_producer_box_shows_the_application_state_in_the_words_that_fit():
    """The window's use, the spool's written/synced/open counts, the own queue against its memory."""
    from tutor.ui.draw import _app_piece

    assert _app_piece(("window", 3, 10), 40)[0] == "  window 3/10"
    assert _app_piece(("spool", 46, 26, 0, 46), 80)[0] == "  spool 46 synced 26 · 46 open"
    assert _app_piece(("spool", 46, 26, 5, 46), 80)[0] == "  spool 46 synced 26 · 46 open · 5 unread"
    assert _app_piece(("spool", 46, 26, 0, 46), 14)[0] == " spool 46/26"
    assert _app_piece(("unbounded", 1536, 2048), 80)[0] == "  own queue 1.5 kB of 2 kB"
