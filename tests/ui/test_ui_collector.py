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
