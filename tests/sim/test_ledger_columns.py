"""The ledger's consumer columns: how often and when each record was processed, and when it was first handed
over, read through dict-like views; a copy of the run owns its own columns."""

import copy

from tutor.sim.ledger import Ledger


def _ledger(n: int) -> Ledger:
    """A ledger with n records sent."""
    led = Ledger()
    for i in range(n):
        led.sent(float(i))
    return led


def test_processed_view_reads_like_a_dict_of_times():
    """Records 1-3 processed once, record 2 twice more, record 4 never: the view has 1, 2 and 3."""
    led = _ledger(5)
    for rid in (1, 2, 3):
        led.done(rid, 10.0 + rid)
    led.done(2, 20.0)
    led.done(2, 30.0)
    view = led.processed
    assert dict(view) == {1: [11.0], 2: [12.0, 20.0, 30.0], 3: [13.0]}
    assert len(view) == 3 and 4 not in view and 2 in view and view.get(4, []) == [] and view.get(0) is None
    assert list(led.processed_runs()) == [(1, 4)]
    assert [led.times_processed(r) for r in range(5)] == [0, 1, 3, 1, 0]


def test_a_count_past_255_stays_exact():
    """The count column saturates at 255; the times, and times_processed, go on counting."""
    led = _ledger(1)
    for t in range(300):
        led.done(0, float(t))
    assert led.times_processed(0) == 300 and len(led.processed[0]) == 300


def test_first_fetch_is_kept_and_a_copy_owns_its_columns():
    """fetched() keeps the first time only; a deepcopy (a checkpoint) changes apart from the original."""
    led = _ledger(3)
    led.fetched(0, 5.0)
    led.fetched(0, 9.0)
    assert dict(led.fetched_at) == {0: 5.0} and len(led.fetched_at) == 1 and 1 not in led.fetched_at
    led.done(0, 6.0)
    twin = copy.deepcopy(led)
    twin.done(0, 7.0)
    twin.done(1, 8.0)
    twin.fetched(1, 8.0)
    assert dict(led.processed) == {0: [6.0]} and dict(led.fetched_at) == {0: 5.0}
    assert dict(twin.processed) == {0: [6.0, 7.0], 1: [8.0]} and dict(twin.fetched_at) == {0: 5.0, 1: 8.0}
