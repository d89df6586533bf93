"""KIP-848's consumer protocol: incremental reconciliation, the uniform assignor, timeouts and commits.

Expectations come from apache/kafka's group-coordinator (`CurrentAssignmentBuilder`,
`UniformHomogeneousAssignmentBuilder`, `GroupMetadataManager`, `ConsumerGroup.validateOffsetCommit`)
and the 4.0 Java client (`CommitRequestManager`), worked out before running the module.
"""

from tutor.sim.consumer_group import (FENCED_MEMBER_EPOCH, STABLE, STALE_MEMBER_EPOCH, UNRELEASED, UNREVOKED,
                                      ConsumerGroupCoordinator, ConsumerProtocolClient, uniform_assign)
from tutor.sim.group import UNKNOWN_MEMBER_ID

T = "t"


def _beat(coord, client, now, positions=None):
    """One heartbeat and the client's reaction to its answer."""
    answer = coord.heartbeat(now, **client.request())
    return answer, client.on_answer(answer, positions or {}, {})


def test_uniform_assignor_keeps_what_fits_the_quota():
    """UniformHomogeneousAssignmentBuilder: quotas 3 // 2 = 1 plus one extra for the first member walked;
    a member keeps its previous partitions up to its quota and the rest go to members with room."""
    assert uniform_assign(["a"], [(T, 0), (T, 1), (T, 2)], {}) == {"a": ((T, 0), (T, 1), (T, 2))}
    prev = {"a": [(T, 0), (T, 1), (T, 2)]}
    assert uniform_assign(["a", "b"], [(T, 0), (T, 1), (T, 2)], prev) == {"a": ((T, 0), (T, 1)), "b": ((T, 2),)}


def test_a_joining_member_gets_its_partition_only_after_the_owner_releases_it():
    """c1 owns t-0..t-2 at epoch 1. c2 joins: group epoch 2, target c1 {0, 1}, c2 {2}. c2 moves to epoch 2
    without t-2 (UNRELEASED_PARTITIONS: c1 still holds it). c1's next heartbeat tells it to keep {0, 1}
    (UNREVOKED_PARTITIONS, still epoch 1); it revokes t-2 (committing first, auto-commit on) and reports
    so, which moves it to epoch 2, STABLE. Only then does c2's next heartbeat give it t-2. c1 never stops
    consuming t-0 and t-1."""
    coord = ConsumerGroupCoordinator("g", {T: 3}, broker="broker-1")
    c1 = ConsumerProtocolClient("c1", "java", (T,), auto_commit=True)
    c2 = ConsumerProtocolClient("c2", "java", (T,), auto_commit=True)
    _, rev = _beat(coord, c1, 0)
    assert rev.added == ((T, 0), (T, 1), (T, 2)) and c1.epoch == 1
    answer, rev = _beat(coord, c2, 1000)
    assert answer.epoch == 2 and answer.assignment == () and coord.members[c2.member_id].state == UNRELEASED
    answer, rev = _beat(coord, c1, 3000, positions={(T, 0): 4, (T, 1): 5, (T, 2): 6})
    assert answer.epoch == 1 and coord.members[c1.member_id].state == UNREVOKED
    assert rev.revoked == ((T, 2),) and rev.commit == {(T, 0): 4, (T, 1): 5, (T, 2): 6}
    assert coord.commit(3000, c1.member_id, c1.epoch, rev.commit).error is None
    answer, rev = _beat(coord, c1, 3010)
    assert answer.epoch == 2 and coord.members[c1.member_id].state == STABLE and rev.revoked == ()
    answer, rev = _beat(coord, c2, 6000)
    assert answer.assignment == ((T, 2),) and rev.added == ((T, 2),) and coord.members[c2.member_id].state == STABLE
    assert c1.owned == ((T, 0), (T, 1)) and coord.committed((T, 2)) == 6


def test_a_member_that_does_not_revoke_in_time_is_fenced():
    """UNREVOKED_PARTITIONS starts the rebalance timeout (the member's max.poll.interval.ms); a member
    still holding the partitions when it ends is removed and the group epoch moves on."""
    coord = ConsumerGroupCoordinator("g", {T: 2}, broker="broker-1")
    c1 = ConsumerProtocolClient("c1", "java", (T,), auto_commit=False, max_poll_interval_ms=10000)
    c2 = ConsumerProtocolClient("c2", "java", (T,), auto_commit=False)
    _beat(coord, c1, 0)
    _beat(coord, c2, 100)
    coord.heartbeat(200, **c1.request())  # told to revoke t-1; the application never gets to it
    assert coord.members[c1.member_id].state == UNREVOKED and coord.next_deadline() == 10200
    events = coord.tick(10200)
    assert events[0].kind == "removed" and "rebalance timeout" in events[0].text
    assert c1.member_id not in coord.members and coord.group_epoch == 3


def test_session_expiry_and_commits_after_eviction():
    """group.consumer.session.timeout.ms (45000) removes a silent member. A commit with another epoch gets
    STALE_MEMBER_EPOCH, one from a removed member UNKNOWN_MEMBER_ID; Java's commitSync raises
    CommitFailedException for both, librdkafka returns the code."""
    coord = ConsumerGroupCoordinator("g", {T: 1}, broker="broker-1")
    c1 = ConsumerProtocolClient("c1", "java", (T,), auto_commit=False)
    _beat(coord, c1, 0)
    assert coord.commit(10, c1.member_id, c1.epoch + 1, {(T, 0): 3}).error == STALE_MEMBER_EPOCH
    assert c1.commit_error(STALE_MEMBER_EPOCH) == "CommitFailedException"
    assert coord.next_deadline() == 45000 and coord.tick(44999) == []
    assert coord.tick(45000)[0].kind == "removed"
    out = coord.commit(45001, c1.member_id, c1.epoch, {(T, 0): 3})
    assert out.error == UNKNOWN_MEMBER_ID and c1.commit_error(out.error) == "CommitFailedException"
    rd = ConsumerProtocolClient("c2", "librdkafka", (T,), auto_commit=False)
    assert rd.commit_error(STALE_MEMBER_EPOCH) == STALE_MEMBER_EPOCH


def test_poll_timeout_leaves_and_a_wrong_epoch_is_fenced():
    """A member past max.poll.interval.ms leaves with epoch -1 and can join again with epoch 0; a
    heartbeat whose epoch is ahead of the coordinator's is FENCED_MEMBER_EPOCH and the client gives
    everything up."""
    coord = ConsumerGroupCoordinator("g", {T: 2}, broker="broker-1")
    c1 = ConsumerProtocolClient("c1", "librdkafka", (T,), auto_commit=True)
    _beat(coord, c1, 0)
    rev = c1.on_poll_timeout()
    assert rev.leave and rev.lost and rev.error == "_MAX_POLL_EXCEEDED"
    _beat(coord, c1, 10)
    assert c1.member_id not in coord.members and c1.epoch == 0
    _, rev = _beat(coord, c1, 20)
    assert rev.added == ((T, 0), (T, 1))
    c1.epoch += 5
    _, rev = _beat(coord, c1, 30)
    assert rev.lost and rev.rejoin and c1.owned == () and c1.epoch == 0
    assert coord.heartbeat(30, "c1", 7, member_id=c1.member_id, owned=()).error == FENCED_MEMBER_EPOCH


def test_coordinator_failover_keeps_the_group_and_restarts_its_timers():
    """While no coordinator is loaded, requests fail (retriable, not shown to the application); the new
    coordinator has every member and epoch (each step is a record in __consumer_offsets) and restarts the
    session timeouts at load time (onLoaded)."""
    coord = ConsumerGroupCoordinator("g", {T: 1}, broker="broker-1")
    c1 = ConsumerProtocolClient("c1", "java", (T,), auto_commit=False)
    _beat(coord, c1, 0)
    coord.commit(5, c1.member_id, c1.epoch, {(T, 0): 8})
    coord.coordinator_lost(10)
    answer = coord.heartbeat(20, **c1.request())
    assert answer.error == "COORDINATOR_NOT_AVAILABLE" and c1.commit_error(answer.error) is None
    assert coord.next_deadline() is None
    coord.coordinator_moved(30000, "broker-2")
    assert coord.next_deadline() == 30000 + 45000 and coord.committed((T, 0)) == 8
    answer, _ = _beat(coord, c1, 30001)
    assert answer.error is None and answer.assignment == ((T, 0),)
