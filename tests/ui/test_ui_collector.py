"""The collector policy while a run plays: what survives a full collection is frozen, and a learner's action
lets the collector see everything again."""

import gc

from tutor.ui import collector


def test_a_full_collection_freezes_what_survived_and_release_undoes_it():
    """Nothing is frozen before a full collection; after one, settle() freezes; release() unfreezes."""
    collector.watch()
    collector.watch()  # once per process, however many runs start
    assert gc.callbacks.count(collector._heard) == 1
    try:
        collector.settle()  # what an earlier full collection left to do
        collector.release()
        collector.settle()
        assert gc.get_freeze_count() == 0
        kept = [[] for _ in range(100)]  # long-lived objects of a run
        gc.collect()
        collector.settle()
        assert gc.get_freeze_count() >= len(kept)
        collector.settle()  # nothing new to freeze until the next full collection
        collector.release()
        assert gc.get_freeze_count() == 0
    finally:
        collector.release()


def test_a_younger_collection_freezes_nothing():
    """Only a full collection means the survivors are the run's long-lived objects."""
    collector.watch()
    collector.settle()
    collector.release()
    try:
        gc.collect(0)
        collector.settle()
        assert gc.get_freeze_count() == 0
    finally:
        collector.release()


def test_the_runner_releases_when_a_restart_drops_the_run_only():
    """Playing and pausing keep what is frozen; a restart (a new run) lets the collector see everything again, and
    playing it freezes again."""
    from tutor.ui.runner import Runner

    from uihelp import driver

    drv = driver()
    runner = Runner(drv)
    try:
        runner.sync(drv.seek, 500)
        gc.collect()
        collector.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        runner.sync(drv.toggle_play)  # plays (something is frozen already)
        runner.sync(drv.toggle_play)  # pauses
        assert gc.get_freeze_count() > frozen // 2  # still frozen (objects freed meanwhile leave it)
        runner.sync(drv.restart)
        assert gc.get_freeze_count() == 0
        runner.sync(drv.toggle_play)  # the new run plays: collected and frozen at once
        assert gc.get_freeze_count() > 0
    finally:
        runner.close()
        collector.release()


def test_prepare_collects_and_freezes_once_until_released():
    """A run that starts playing with nothing frozen has its full collection at once; again only after a release."""
    collector.watch()
    collector.release()
    try:
        collector.prepare()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        kept = [[] for _ in range(50)]
        collector.prepare()  # something is frozen already: nothing to do
        assert gc.get_freeze_count() < frozen + len(kept)
        collector.release()
        collector.prepare()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        collector.release()
