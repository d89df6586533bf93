"""The screen's tick grid: deadlines a period apart, a late tick not pushing the next one back, a stall dropping
the ticks it missed."""

from tutor.ui.clock import next_due


def test_the_next_tick_keeps_the_grid_when_this_one_ran_late():
    """Woken 10 ms late for the tick due at 1.0, the next is still due at 1.0 + one period."""
    assert next_due(1.0, 1.010, 0.016) == 1.016


def test_a_tick_a_little_late_is_not_skipped():
    """Past its deadline by less than a period, the next tick is due now (it runs at once), not one later."""
    assert next_due(1.0, 1.020, 0.016) == 1.016


def test_a_stall_drops_the_missed_ticks_and_keeps_the_grid():
    """After 100 ms stalled, the next tick is the first grid point still ahead, not six ticks in a burst."""
    due = next_due(1.0, 1.100, 0.02)
    assert 1.08 <= due <= 1.100 + 0.02
    assert abs((due - 1.0) / 0.02 - round((due - 1.0) / 0.02)) < 1e-9  # on the grid
