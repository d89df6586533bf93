"""Snapshots of the main screens at 80x24 and 160x48, paused at fixed points (run with --snapshot-update
after a deliberate change to the look, and check the new SVGs by eye)."""

import pytest

from tutor.ui.app import make_app

from uihelp import at, demo

SIZES = [(80, 24), (160, 48)]


def app(scenario=None):
    """A paused app with everything pinned."""
    return make_app(scenario, seed=1, autoplay=False)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_sandbox_flowing(snap_compare, size):
    """The sandbox 4 s in: records from the producer to the processed sink."""
    assert snap_compare(app(), terminal_size=size, run_before=at(4000))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_demo_power_loss(snap_compare, size):
    """The demo just after the leader lost power: ghosts of the acked records, LOST ACKED in the ledger."""
    assert snap_compare(app(demo()), terminal_size=size, run_before=at(301))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_demo_after_failover(snap_compare, size):
    """The demo after broker-2 took over and broker-1 came back as a follower."""
    assert snap_compare(app(demo()), terminal_size=size, run_before=at(7400))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_settings_open(snap_compare, size):
    """The settings: a drawer at 80 columns, a side panel at 160."""
    assert snap_compare(app(), terminal_size=size, run_before=at(2000, "o", "down", "down"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "160x48"])
def test_help(snap_compare, size):
    """The help screen over the sandbox."""
    assert snap_compare(app(), terminal_size=size, run_before=at(1000, "question_mark"))


def test_inspector(snap_compare):
    """Record 15 of the demo, lost although acked, with its history."""
    assert snap_compare(app(demo()), terminal_size=(160, 48), run_before=at(301, "i", "1", "5", "enter"))


def test_too_small(snap_compare):
    """Below 80x24 the app says what it needs."""
    assert snap_compare(app(), terminal_size=(70, 20), run_before=at())
