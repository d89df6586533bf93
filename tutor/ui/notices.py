"""Words the sandbox says after the learner acts: a fork of the run, a processing error with nothing in hand."""

from __future__ import annotations

from .frame import Frame


def forked(before: Frame | None) -> str:
    """Acting in the past forks the run: the old future is gone, and how to start over ("" when live)."""
    if before is None or before.live:
        return ""
    return (f"You acted at {before.t / 1000:,.1f} s, in the past: the run forked there and its old future "
            f"(to {before.horizon / 1000:,.1f} s) was discarded. There is no way back to it; ctrl+r replays "
            "the scenario from the start.")


def nothing_in_hand(before: Frame | None) -> str:
    """E while no record is being processed: nothing was skipped; how to make processing slow enough."""
    c = before.snap.consumer if before is not None else None
    if c is None or not c.up or c.processing or c.queued:
        return ""
    ms = before.config["consumer"]["processing.ms"]
    return (f"No record was in the consumer's hands (processing.ms = {ms:g}: each record takes {ms:g} ms), "
            "so nothing was skipped. To see the loss, slow processing down: o, then consumer processing.ms "
            "= 500; press E while a record is ◆ in hand.")
