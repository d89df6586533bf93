"""Small sandbox promises: the inspector tells the cursor's time and a true order of events, acting in
the past says the old future is gone, E explains itself, the palette offers only existing brokers."""

from types import SimpleNamespace

from tutor.sim.ledger import BatchHistory
from tutor.ui.inspect import history, out_of_order, story
from tutor.ui.notices import forked, nothing_in_hand

from uihelp import aio, driver, footer_keys, goto, plain, sandbox, scenario


def test_inspector_header_shows_the_cursor_time_and_send_comes_first():
    """The header carries the time asked for; no record joins its batch before send() was called."""
    d = driver()
    d.seek(3000)
    sim = d.session.sim
    parts = story(sim, d.snap, 10, at=2345.0)
    assert "at 2,345 ms" in plain(parts[0]) or "at 2345 ms" in plain(parts[0])
    for rid in range(len(sim.ledger)):
        steps = history(sim, rid, 3000)
        sent = next(t for t, w in steps if w.startswith("send() called"))
        joined = next((t for t, w in steps if w.startswith("joined batch")), sent)
        assert joined >= sent and steps.index(next(x for x in steps if x[1].startswith("send()"))) == 0


def test_a_batch_appended_after_later_records_is_marked():
    """A retry overtaken by later requests (P7) is said in words in the record's history."""
    first = BatchHistory(0, 0, 3, created=0.0)
    later = BatchHistory(1, 3, 3, created=1.0)
    later.steps.append((10.0, "appended", "broker-1", (0, 0)))
    first.steps.append((50.0, "appended", "broker-1", (3, 0)))
    led = SimpleNamespace(batches=[first, later])
    [(t, words)] = out_of_order(led, first)
    assert t == 50.0 and "out of order on broker-1" in words and "records 3…" in words
    assert out_of_order(led, later) == []


def test_acting_in_the_past_says_the_future_was_discarded():
    """Scrubbed back, a failure forks the run: the words name both times and the way to start over."""
    d = driver()
    d.seek(6000)
    d.seek(2000)
    from tutor.ui.runner import Runner
    before = Runner(d).view()
    assert not before.live
    words = forked(before)
    assert "2.0 s" in words and "6.0 s" in words and "discarded" in words and "ctrl+r" in words
    d.to_live()
    assert forked(Runner(d).view()) == ""


def test_sandbox_processing_is_slow_enough_to_hold_a_record():
    """The sandbox's consumer takes 20 ms a record: a record is in its hands often enough for E to lose it."""
    d = driver()
    held = 0
    for t in range(2000, 4000, 37):
        d.seek(t)
        held += d.snap.consumer.processing is not None
    assert held >= 5


def test_e_with_nothing_in_hand_explains_how_to_slow_processing():
    """processing.ms = 0: nothing in hand; the words say which setting to raise."""
    d = driver(scenario(consumer={"processing.ms": 0}))
    d.seek(3000)
    from tutor.ui.runner import Runner
    words = nothing_in_hand(Runner(d).view())
    assert "processing.ms" in words and "nothing was skipped" in words


@aio
async def test_palette_offers_only_existing_brokers():
    """Three brokers: the palette aims at broker-1..3, never broker-4..9."""
    async with sandbox() as (screen, pilot):
        titles = [c.title for c in pilot.app.get_system_commands(screen)]
        assert any("broker-3" in t for t in titles)
        assert not any("broker-4" in t or "broker-9" in t for t in titles)


@aio
async def test_q_quits_and_esc_goes_back_on_every_screen():
    """q quits tutor from the sandbox's overlays too; esc closes them; the footer names q, scrub, speed."""
    from tutor.ui.screens.help import HelpScreen

    async with sandbox() as (screen, pilot):
        labels = [k.description for k in await footer_keys(screen, pilot)]
        assert "quit" in labels and "scrub" in labels and "speed" in labels
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape")
        assert pilot.app.screen is screen
        await pilot.press("question_mark", "q")
        await pilot.pause()
        assert pilot.app.return_code == 0


def test_e_on_a_record_in_hand_loses_it_in_the_default_sandbox():
    """With the sandbox's processing time, E while a record is in hand shows the loss: close() commits the
    position past the record that threw, so the restarted consumer skips it (C1, C3)."""
    d = driver()
    t = 3000.0
    d.seek(t)
    while d.snap.consumer.processing is None and t < 10000:
        t += 7
        d.seek(t)
    rid = d.snap.consumer.processing[0]
    d.fail("processing_error")
    d.seek(t + 1000)
    report = d.settle_copy()()
    lost = [m for m in report.messages if m["fate"] == "lost"]
    assert [m["id"] for m in lost] == [rid] and lost[0]["lost_at"] == "consumer"
