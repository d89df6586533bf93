"""The inspector on a record whose fate a rebalance decided: the cause named, long words wrapped, and
nothing told while a lesson's question is open."""

from rich.console import Group

from tutor.sim.snapshot import LOST
from tutor.ui import inspect

from uihelp import demo, driver, plain

REBALANCE_WHY = ("consumer-1 had processed records 12-15 of t-1 but its auto-commit had not run when "
                 "partition t-1 was revoked in the rebalance to generation 3; consumer-2, assigned t-1, "
                 "resumed from the committed offset 12 and processed them again")


def lost_record():
    """The demo 301 ms in (the leader has just lost power) and one of its lost records."""
    d = driver(demo())
    d.seek(301)
    rid = next(r for r in range(d.snap.counts["sent"]) if d.snap.state(r) == LOST)
    return d, rid


def test_rebalance_named_and_long_explanation_wraps(monkeypatch):
    """A rebalance in the engine's explanation gets its own marked line; the explanation wraps at the
    inspector's width with every word kept."""
    d, rid = lost_record()
    monkeypatch.setattr(inspect, "explanation", lambda sim, r: REBALANCE_WHY)
    out = plain(Group(*inspect.story(d.session.sim, d.snap, rid, d.session.cursor)), 60)
    assert "⟳ a consumer-group rebalance: partitions changed hands" in out
    assert all(len(line.rstrip()) <= 60 for line in out.splitlines())
    assert " ".join(out.split()).count("generation 3; consumer-2, assigned t-1, resumed") == 1


def test_no_rebalance_line_for_other_causes():
    """A loss with another cause (a power loss) has no rebalance line."""
    d, rid = lost_record()
    out = plain(Group(*inspect.story(d.session.sim, d.snap, rid, d.session.cursor)), 100)
    assert "why" in out and "rebalance" not in out


def test_an_open_question_holds_the_fate_back():
    """While a question is open the inspector shows the history up to the cursor, not the fate or the why."""
    d, rid = lost_record()
    shown = plain(Group(*inspect.story(d.session.sim, d.snap, rid, d.session.cursor)), 100)
    held = plain(Group(*inspect.story(d.session.sim, d.snap, rid, d.session.cursor, frozenset({"lost"}))), 100)
    assert "lost" in shown.splitlines()[0]
    assert "lost" not in held.splitlines()[0] and inspect.HELD_WORDS in held.splitlines()[0]
    assert "power loss" in shown and "power loss" not in held
    assert "why: " + inspect.HELD_WORDS in " ".join(held.split())


def test_engine_duplicate_after_a_member_dies_names_the_rebalance():
    """The engine's own group: a Java member killed with auto-commit, its partition handed over; a record
    processed twice says so, with the rebalance line, wrapped at 90 columns."""
    from pathlib import Path

    from tutor.scenario.loader import load_scenario
    from tutor.sim.snapshot import DUPLICATED
    from tutor.ui.driver import Driver

    path = Path(__file__).parents[1] / "scenarios" / "group-java-member-killed-autocommit.toml"
    d = Driver(load_scenario(path), seed=1, playing=False)
    d.seek(120_000)
    rid = next(r for r in range(d.snap.counts["sent"]) if d.snap.state(r) == DUPLICATED)
    out = plain(Group(*inspect.story(d.session.sim, d.snap, rid, d.session.cursor)), 90)
    assert "⟳ a consumer-group rebalance" in out and "again by consumer-2" in " ".join(out.split())
    assert all(len(line.rstrip()) <= 90 for line in out.splitlines())
