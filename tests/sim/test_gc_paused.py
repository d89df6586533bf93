"""gc_paused: the collector is off inside the block and back on after it; a block that leaves a great many
objects sends them to the oldest generation unscanned, unless something else keeps objects frozen."""

import gc

from tutor.sim import core


def _many(n: int) -> list:
    """n small tracked objects that live on."""
    return [[i] for i in range(n)]


def test_collector_is_off_inside_and_on_after():
    """Inside the block nothing is collected; after it the collector runs again."""
    assert gc.isenabled()
    with core.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_big_block_leaves_the_young_generation_empty_and_nothing_frozen():
    """More than BIG_BLOCK survivors: moved to the oldest generation, so no young scan is owed and none stays
    frozen (frozen objects would never be collected)."""
    gc.unfreeze()  # (an app test in this process may have left a playing run's objects frozen)
    with core.gc_paused():
        kept = _many(core.BIG_BLOCK + 1000)
    assert gc.get_count()[0] < 1000
    assert gc.get_freeze_count() == 0
    assert gc.is_tracked(kept[0]) and len(kept) == core.BIG_BLOCK + 1000


def test_objects_frozen_by_someone_else_stay_frozen():
    """The app freezes a playing run's survivors; a big block ending meanwhile must not unfreeze them."""
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with core.gc_paused():
            kept = _many(core.BIG_BLOCK + 1000)
        assert gc.get_freeze_count() == frozen
        assert len(kept) == core.BIG_BLOCK + 1000
    finally:
        gc.unfreeze()


def test_the_next_block_collects_once_many_objects_were_moved(monkeypatch):
    """Past MOVED_LIMIT moved objects, the next block starts with a full collection (an earlier long run may be
    garbage by then); the block that moved them does not (a one-off long run never pays it)."""
    gc.unfreeze()
    monkeypatch.setattr(core, "MOVED_LIMIT", core.BIG_BLOCK)
    monkeypatch.setattr(core._Moved, "count", 0)
    full = []
    def heard(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full.append(info)
    gc.callbacks.append(heard)
    try:
        with core.gc_paused():
            kept = _many(core.BIG_BLOCK + 1000)
        assert full == [] and core._Moved.count > core.MOVED_LIMIT
        with core.gc_paused():
            pass
        assert len(full) == 1 and core._Moved.count == 0
    finally:
        gc.callbacks.remove(heard)
    assert len(kept) == core.BIG_BLOCK + 1000
