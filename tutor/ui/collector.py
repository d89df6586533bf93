"""The cyclic garbage collector while a run plays on screen: what survives a full collection is set aside, so
the next full collections do not stall the frames rescanning the run's long-lived objects."""

from __future__ import annotations

import gc

_full = [False]  # a full collection finished since the screen last looked


def _heard(phase: str, info: dict) -> None:
    """gc's callback: note that a full (oldest generation) collection finished."""
    if phase == "stop" and info.get("generation") == 2:
        _full[0] = True


def watch() -> None:
    """Start noting full collections (once per process)."""
    if _heard not in gc.callbacks:
        gc.callbacks.append(_heard)


def settle() -> None:
    """After a full collection (called between frames): freeze what survived it, the run's records, logs and
    past frames, which live on. A full collection otherwise scans them all again each time the heap grows by a
    quarter, a pause of 60 to 120 ms at 1,000 records in flight, longer as the run grows."""
    if _full[0]:
        _full[0] = False
        gc.freeze()


def prepare() -> None:
    """When nothing is frozen yet (a run starts playing, or plays on after a restart or a fork): a full collection
    now, and freeze what survived, so that the first pause falls on the learner's key press rather than in
    the middle of the animation."""
    if gc.get_freeze_count() == 0:
        _full[0] = False
        gc.collect()
        gc.freeze()


def release() -> None:
    """Let the collector see everything again: a restart or a fork drops a run, whose objects' cycles only a
    collection that sees them can free (a frozen object that is dropped without cycles is freed at once)."""
    gc.unfreeze()
