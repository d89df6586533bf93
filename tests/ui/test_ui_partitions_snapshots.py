"""Snapshots of the sandbox on a topic of three partitions, and with a consumer group of two (run with
--snapshot-update after a deliberate change to the look, and check the new SVGs by eye)."""

import dataclasses

from tutor.ui.app import make_app

from groupfakes import two, with_group
from uihelp import at, scenario

THREE = scenario(topic={"partitions": 3}, workload={"keys": 12})


def test_three_partitions_80x24(snap_compare):
    """Three partitions at 80x24: a row per partition in each broker box, per-partition offsets in the
    consumer box."""
    assert snap_compare(make_app(THREE, seed=1, autoplay=False), terminal_size=(80, 24), run_before=at(4000))


def with_a_group_of_two(rebalancing: bool):
    """A run_before: the sandbox's frames carry a group of two (consumer-2 near max.poll.interval.ms)."""
    async def run_before(pilot) -> None:
        """Wrap the driver's frames with the group, then pin the run at 4 s."""
        d = pilot.app.sandbox.driver
        real = d.frame

        def frame():
            """The real frame, its snapshot carrying the group."""
            f = real()
            return dataclasses.replace(f, snap=with_group(f.snap, two(f.snap.t, rebalancing, 3, 8800)))
        d.frame = frame
        await at(4000)(pilot)
    return run_before


def test_group_of_two_80x24(snap_compare):
    """A group of two at 80x24: its box takes the consumer's place, one line per member."""
    assert snap_compare(make_app(THREE, seed=1, autoplay=False), terminal_size=(80, 24),
                        run_before=with_a_group_of_two(False))


def test_group_rebalancing_160x48(snap_compare):
    """A rebalancing group of two at 160x48: the box under the processed records, REBALANCING in its title."""
    assert snap_compare(make_app(THREE, seed=1, autoplay=False), terminal_size=(160, 48),
                        run_before=with_a_group_of_two(True))


def test_engine_group_of_two_120x40(snap_compare):
    """The engine's own group of two on three partitions, 8 s in: consumer-1 holds t-0 and t-1, consumer-2 t-2."""
    group = scenario(topic={"partitions": 3}, workload={"keys": 12}, consumer={"instances": 2})
    assert snap_compare(make_app(group, seed=1, autoplay=False), terminal_size=(120, 40), run_before=at(8000))
