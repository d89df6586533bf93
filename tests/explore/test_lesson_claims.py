"""What the explorer lesson (tutor/data/lessons/12-explore.toml) says about the built-in sweep, checked against the engine."""

import pytest

from tutor.explore import default_sweep, explore
from tutor.explore.metrics import AT_LEAST_ONCE, AT_MOST_ONCE


@pytest.fixture(scope="module")
def rows():
    """The built-in sweep, as `tutor explore` runs it."""
    return explore(default_sweep(), workers=1)


def flushes(row) -> bool:
    """Does this configuration flush every message?"""
    return row.settings["broker.log.flush.interval.messages"] == 1


def test_only_acks_all_with_a_flush_per_message_keeps_at_least_once_and_it_is_the_slowest(rows):
    keepers = [r for r in rows if AT_LEAST_ONCE in r.promises]
    assert keepers and all(r.settings["producer.acks"] == "all" and flushes(r) for r in keepers)
    assert len(keepers) == sum(1 for r in rows if r.settings["producer.acks"] == "all" and flushes(r))
    assert all(k.p50 == max(r.p50 for r in rows) and k.p99 == max(r.p99 for r in rows) for k in keepers)
    for k in keepers:  # the long partition's losses came back as send errors
        assert k.faults["long-partition"]["lost"] > 0 and k.unreported["long-partition"] == 0


def test_without_flushing_acks_all_loses_acknowledged_records_only_to_the_rack_power_loss(rows):
    for r in rows:
        if r.settings["producer.acks"] == "all" and not flushes(r):
            assert [name for name, f in r.faults.items() if f["lost_acked"]] == ["all-brokers-power-loss"]


def test_acks_1_loses_to_the_zombie_however_it_flushes_and_acks_0_to_six_faults(rows):
    for r in rows:
        if r.settings["producer.acks"] == "1":
            assert r.faults["zombie-leader"]["lost_acked"] > 0
        if r.settings["producer.acks"] == "0":
            assert sum(1 for f in r.faults.values() if f["lost_acked"]) == 6


def test_no_configuration_keeps_at_most_once_because_the_consumer_crash_duplicates(rows):
    assert all(AT_MOST_ONCE not in r.promises and r.faults["consumer-crash"]["duplicates"] > 0 for r in rows)
