"""Replica log: offsets, flushing, truncation, leader-epoch lookups."""

from tutor.sim.log import LogBatch, ReplicaLog


def _log(epochs: list[int], count: int = 5) -> ReplicaLog:
    """A log with one batch of `count` records per entry in `epochs`, appended at t = index."""
    log = ReplicaLog()
    for i, epoch in enumerate(epochs):
        log.append(LogBatch(i * count, count, epoch, i, i * count, -1, -1, 100 * count), float(i))
    return log


def test_leo_counts_records_not_batches():
    """The log end offset is the offset after the last record."""
    assert _log([0, 0, 0]).leo == 15


def test_power_loss_keeps_only_the_flushed_prefix():
    """lose_unflushed cuts the log back to the last flush (B3)."""
    log = _log([0, 0, 0, 0])
    log.flush(log.leo, 0.0)
    log.append(LogBatch(20, 5, 0, 4, 20, -1, -1, 500), 9.0)
    removed = log.lose_unflushed()
    assert log.leo == 20 and [b.base for b in removed] == [20]


def test_write_back_flushes_only_old_enough_pages():
    """The OS writes back pages appended before the cut-off, in order (B1)."""
    log = _log([0, 0, 0, 0])
    done = log.write_back(older_than=1.5)
    assert [b.base for b in done] == [0, 5] and log.flushed == 10 and log.unflushed() == 10


def test_truncate_returns_removed_batches_and_caps_flushed():
    """Truncation removes whole batches and cannot leave flushed beyond the end."""
    log = _log([0, 0, 1])
    log.flush(log.leo, 0.0)
    removed = log.truncate_to(5)
    assert [b.base for b in removed] == [5, 10] and log.leo == 5 and log.flushed == 5


def test_end_offset_for_epoch_finds_where_an_epoch_ends():
    """OffsetsForLeaderEpoch: the largest epoch not above the asked one, and its end (KIP-101)."""
    log = _log([0, 0, 2, 2, 5])
    assert log.end_offset_for_epoch(0) == (0, 10)
    assert log.end_offset_for_epoch(1) == (0, 10)
    assert log.end_offset_for_epoch(3) == (2, 20)
    assert log.end_offset_for_epoch(5) == (5, 25)


def test_end_offset_for_an_epoch_older_than_the_log():
    """No epoch at or below the asked one: everything diverges from offset 0."""
    assert _log([3, 3]).end_offset_for_epoch(1) == (-1, 0)


def test_read_stops_at_the_limit_and_returns_whole_batches():
    """Reads end at `stop` on batch boundaries and respect max bytes (at least one batch)."""
    log = _log([0, 0, 0, 0])
    assert [b.base for b in log.read(5, 15, 10**6)] == [5, 10]
    assert [b.base for b in log.read(5, 20, 600)] == [5]
    assert [b.base for b in log.read(0, 20, 1)] == [0]


def test_ids_map_offsets_to_record_ids():
    """ids() lists the record ids at a range of offsets."""
    log = _log([0, 0])
    assert log.ids(3, 7) == [3, 4, 5, 6] and log.record_at(9) == 9 and log.record_at(10) is None


def test_ids_follow_each_batch_first_id_whole_or_cut_at_either_end():
    """ids() maps offsets to the ids each batch holds (a retry's batch may carry earlier ids than the one
    before it): whole batches inside the range, and the ends of the batches the range cuts."""
    log = ReplicaLog()
    for i, first in enumerate((100, 300, 200)):
        log.append(LogBatch(i * 5, 5, 0, i, first, -1, -1, 500), float(i))
    assert log.ids() == [*range(100, 105), *range(300, 305), *range(200, 205)]
    assert log.ids(3, 12) == [103, 104, *range(300, 305), 200, 201]
    assert log.ids(6, 9) == [301, 302, 303] and log.ids(15, 20) == []


def test_a_batch_shared_by_two_logs_ages_by_each_log_s_own_append():
    """A follower's log holds the leader's batch object itself; the page age the OS writes back by is when each
    log appended it: the leader's copy is old enough, the follower's, appended later, is not yet."""
    batch = LogBatch(0, 5, 0, 0, 0, -1, -1, 500)
    leader, follower = ReplicaLog(), ReplicaLog()
    leader.append(batch, 1.0)
    follower.append(batch, 3.0)
    assert leader.write_back(older_than=2.0) == [batch] and leader.flushed == 5
    assert follower.write_back(older_than=2.0) == [] and follower.flushed == 0
    assert follower.write_back(older_than=3.0) == [batch]
