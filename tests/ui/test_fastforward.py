"""Quiet waits pass quickly: the boost reaches the next wait's end in about WAIT_WALL_S, and stops
as soon as something visible moves."""

from uihelp import driver

from tutor.ui.fastforward import MAX_RATE, QUIET_WALL_S, WAIT_WALL_S, FastForward


def _powerless_leader():
    """A sandbox whose leader lost power at 5 s, shown 1 s later (the session wait pending)."""
    d = driver()
    d.seek(5000)
    d.fail("power_loss")
    d.seek(6000)
    return d


def test_a_quiet_wait_is_fast_forwarded_to_its_end():
    """Nothing moves for QUIET_WALL_S: time runs fast enough to end the session wait in WAIT_WALL_S."""
    d = _powerless_leader()
    snap, ff, speed = d.snap, FastForward(), 0.1
    assert ff.update(snap, snap.t, speed, True, 0.0) == 1.0  # first sight: not yet known to be quiet
    assert ff.update(snap, snap.t, speed, True, QUIET_WALL_S / 2) == 1.0
    boost = ff.update(snap, snap.t, speed, True, QUIET_WALL_S + 0.01)
    wait = ff.target
    assert wait.who == "controller" and wait.setting == "broker.session.timeout.ms"
    assert boost == min((wait.due - snap.t) / (WAIT_WALL_S * 1000 * speed), MAX_RATE / speed) > 10
    assert "×" in ff.banner(speed) and "controller" in ff.banner(speed) and "a: off" in ff.banner(speed)


def test_the_boost_stops_when_something_moves_or_when_turned_off():
    """A new event (the election) ends the fast-forward; `a` (enabled=False) never starts one."""
    d = _powerless_leader()
    ff = FastForward()
    ff.update(d.snap, d.snap.t, 0.1, True, 0.0)
    assert ff.update(d.snap, d.snap.t, 0.1, True, 1.0) > 1.0
    d.seek(14000)  # the controller has fenced broker-1 and elected broker-2
    assert ff.update(d.snap, d.snap.t, 0.1, True, 1.1) == 1.0 and ff.banner(0.1) == ""
    off = FastForward(enabled=False)
    off.update(d.snap, d.snap.t, 0.1, True, 0.0)
    assert off.update(d.snap, d.snap.t, 0.1, True, 5.0) == 1.0
    paused = FastForward()
    paused.update(d.snap, d.snap.t, 0.1, False, 0.0)
    assert paused.update(d.snap, d.snap.t, 0.1, False, 5.0) == 1.0
