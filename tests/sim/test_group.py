"""Consumer groups: assignors, rebalances (eager and cooperative), evictions, commits and the coordinator.

Each expectation is worked out from Kafka's or librdkafka's sources first (cited in the test), then
checked against `tutor.sim.group`, `tutor.sim.assignors`, `tutor.sim.member` and `tutor.sim.placement`.
"""

import pytest

from tutor.sim.assignors import (COOPERATIVE, EAGER, assign, cooperative_sticky_assign, default_strategy,
                                 range_assign, rebalance_protocol, roundrobin_assign, select_protocol,
                                 sticky_assign)
from tutor.sim.group import (COMPLETING, EMPTY, ILLEGAL_GENERATION, PREPARING, REBALANCE_IN_PROGRESS,
                             STABLE, UNKNOWN_MEMBER_ID, GroupCoordinator)
from tutor.sim.member import (MemberClient, after_revocation, client_defaults, commit_error_seen, commit_offset,
                              commits_for_poll, reread_after_restart)
from tutor.sim.placement import coordinator_for, java_string_hash, offsets_partition

T = "t"
JAVA3 = ("range", "cooperative-sticky")


def _client(name, strategies=("cooperative-sticky",), client="java", auto_commit=True, **kw):
    """A member client subscribed to topic t."""
    return MemberClient(name, client, strategies, (T,), auto_commit=auto_commit, **kw)


def _join(coord, client, now):
    """Send one client's JoinGroup; keep the member id it got."""
    out = coord.join(now, client.name, **client.join_request())
    assert out.error is None, out.error
    client.member_id = out.member_id
    return out


def _finish(coord, clients, now):
    """Once the join phase is over: the leader assigns, every member gets its share. Returns each
    member's Revocation from `on_assignment`."""
    assert coord.state == COMPLETING
    for c in clients:
        c.on_joined(c.member_id, coord.generation)
    out = coord.sync(now, coord.leader, coord.generation, coord.leader_assignment())
    assert out.error is None and coord.state == STABLE
    got = {e.member: e.data["partitions"] for e in out.events if e.kind == "assignment"}
    return {c.name: c.on_assignment(coord.generation, got[c.member_id], {}) for c in clients}


def _stable_group(clients, partitions=3, now=0.0, delay=0):
    """A group whose members all joined at `now` and got their first assignment."""
    coord = GroupCoordinator("g", {T: partitions}, initial_delay_ms=delay, broker="broker-1")
    for c in clients:
        _join(coord, c, now)
    while coord.state == PREPARING:  # a zero delay still runs its timer (and one extension) first
        coord.tick(coord.next_deadline())
    _finish(coord, clients, now + delay)
    return coord


def _rejoin_all(coord, clients, now, positions=None):
    """Every member prepares (auto-commit, revocation) and rejoins; returns their Revocations."""
    prepared = {}
    for c in clients:
        rev = c.prepare_rejoin(positions or {}, {})
        if rev.commit:
            assert coord.commit(now, c.member_id, c.generation, rev.commit).error is None
        prepared[c.name] = rev
        _join(coord, c, now)
    return prepared


# --- assignors ------------------------------------------------------------------------------

def test_range_and_roundrobin_on_two_members_and_two_topics():
    """The article's subscribe(foo, bar), 3 partitions each, 2 members.
    RangeAssignor works per topic: members sorted by id, 3 // 2 = 1 each and the first gets the extra,
    so c1 has partitions 0-1 of both topics and c2 has partition 2 of both (4 against 2).
    RoundRobinAssignor deals bar-0, bar-1, bar-2, foo-0, foo-1, foo-2 in turn: 3 and 3."""
    subs = {"c1": ["foo", "bar"], "c2": ["foo", "bar"]}
    parts = {"foo": 3, "bar": 3}
    assert range_assign(subs, parts) == {"c1": [("bar", 0), ("bar", 1), ("foo", 0), ("foo", 1)],
                                         "c2": [("bar", 2), ("foo", 2)]}
    assert roundrobin_assign(subs, parts) == {"c1": [("bar", 0), ("bar", 2), ("foo", 1)],
                                              "c2": [("bar", 1), ("foo", 0), ("foo", 2)]}


def test_roundrobin_skips_a_member_not_subscribed_to_the_topic():
    """RoundRobinAssignor's CircularIterator passes over members that do not subscribe to the topic."""
    subs = {"c1": ["a"], "c2": ["a", "b"]}
    assert roundrobin_assign(subs, {"a": 2, "b": 2}) == {"c1": [("a", 0)],
                                                         "c2": [("a", 1), ("b", 0), ("b", 1)]}


def test_sticky_keeps_owned_partitions_and_cooperative_withholds_the_moving_one():
    """ConstrainedAssignmentBuilder: 3 partitions over 3 members gives quota 1; c1 owned t-0 and t-1 and
    keeps the lowest (t-0), c2 keeps t-2, t-1 goes to the newcomer c3. CooperativeStickyAssignor's
    adjustAssignment withholds t-1 from c3 in this round because c1 still owns it."""
    subs = {"c1": [T], "c2": [T], "c3": [T]}
    owned = {"c1": [(T, 0), (T, 1)], "c2": [(T, 2)]}
    assert sticky_assign(subs, {T: 3}, owned) == {"c1": [(T, 0)], "c2": [(T, 2)], "c3": [(T, 1)]}
    assert cooperative_sticky_assign(subs, {T: 3}, owned) == {"c1": [(T, 0)], "c2": [(T, 2)], "c3": []}
    after = {"c1": [(T, 0)], "c2": [(T, 2)], "c3": []}  # the follow-up: nobody owns t-1 any more
    assert cooperative_sticky_assign(subs, {T: 3}, after) == {"c1": [(T, 0)], "c2": [(T, 2)], "c3": [(T, 1)]}


def test_every_assignor_gives_each_partition_to_exactly_one_member():
    """Whatever the assignor, a full assignment covers each partition once."""
    subs = {f"c{i}": [T] for i in range(1, 4)}
    for name in ("range", "roundrobin", "sticky", "cooperative-sticky"):
        got = assign(name, subs, {T: 7})
        flat = sorted(tp for tps in got.values() for tp in tps)
        assert flat == [(T, p) for p in range(7)], name
        assert max(map(len, got.values())) - min(map(len, got.values())) <= 1, name


def test_protocol_selection_votes_and_defaults():
    """ClassicGroup.selectProtocol: among assignors all members list, each votes for its first; most votes
    wins. Java 3.x's default [range, cooperative-sticky] therefore selects range, and the member is eager
    because range is eager (ConsumerCoordinator picks the protocol all its assignors support)."""
    assert default_strategy("java", "2.8") == ("range",)
    assert default_strategy("java", "3.0") == JAVA3
    assert default_strategy("librdkafka", "3.7") == ("range", "roundrobin")
    assert select_protocol([JAVA3, JAVA3]) == "range"
    assert select_protocol([JAVA3, ("cooperative-sticky",)]) == "cooperative-sticky"  # range is not common
    assert select_protocol([("roundrobin", "range"), ("range", "roundrobin"), ("range", "roundrobin")]) == "range"
    assert client_defaults("java", "2.8")["session.timeout.ms"] == 10000
    assert client_defaults("java", "3.0")["session.timeout.ms"] == 45000
    assert client_defaults("librdkafka", "2.8")["session.timeout.ms"] == 45000
    assert rebalance_protocol("java", JAVA3) == EAGER
    assert rebalance_protocol("java", ("cooperative-sticky",)) == COOPERATIVE
    with pytest.raises(ValueError, match="one protocol type"):
        rebalance_protocol("librdkafka", ("range", "cooperative-sticky"))


# --- rebalances ----------------------------------------------------------------------------

def test_initial_rebalance_delay_waits_and_extends_for_a_late_member():
    """prepareRebalance on an Empty group waits group.initial.rebalance.delay.ms (3000); a member joining
    during it extends the wait by another delay (tryCompleteInitialRebalanceElseSchedule): joins at 0 and
    2000 complete at 6000, generation 1, with the first joiner as leader."""
    coord = GroupCoordinator("g", {T: 3}, initial_delay_ms=3000, broker="broker-1")
    a, b = _client("c1"), _client("c2")
    _join(coord, a, 0)
    assert coord.state == PREPARING and coord.next_deadline() == 3000
    _join(coord, b, 2000)
    assert coord.tick(3000) == [] and coord.state == PREPARING and coord.next_deadline() == 6000
    events = coord.tick(6000)
    assert coord.state == COMPLETING and coord.generation == 1 and coord.leader == a.member_id
    assert [e.kind for e in events] == ["generation"]


def test_cooperative_moves_only_one_partition_when_a_third_member_joins():
    """KIP-429 with cooperative-sticky. Two members first: the constrained builder deals t-0 to c1 and t-1
    to c2 (both reach minQuota 1 and queue as "exactly min" in that order), then t-2 to the head of that
    queue, c1. c3 joins. Nobody revokes anything before rejoining (onJoinPrepare, COOPERATIVE). Quota is
    now 1: c1 keeps its lowest partition t-0, c2 keeps t-1, t-2 is to move to c3, so adjustAssignment
    withholds it: c3 gets nothing, c1 revokes only t-2 and rejoins (onJoinComplete requestRejoin), and
    the follow-up rebalance gives t-2 to c3. c2 never revokes anything."""
    c1, c2, c3 = _client("c1"), _client("c2"), _client("c3")
    coord = _stable_group([c1, c2], partitions=3)
    assert c1.assigned == ((T, 0), (T, 2)) and c2.assigned == ((T, 1),)
    _join(coord, c3, 100)
    assert coord.heartbeat(100, c1.member_id, c1.generation).error == REBALANCE_IN_PROGRESS
    prepared = _rejoin_all(coord, [c1, c2], 100)
    assert all(r.revoked == () for r in prepared.values())
    first = _finish(coord, [c1, c2, c3], 100)
    assert first["c1"].revoked == ((T, 2),) and first["c1"].rejoin
    assert first["c1"].describe("c1") == "c1 revokes t-2; rejoins"
    assert first["c2"].revoked == () and not first["c2"].rejoin
    assert c3.assigned == () and coord.generation == 2
    _join(coord, c1, 110)  # the follow-up rebalance
    assert coord.heartbeat(110, c2.member_id, c2.generation).error == REBALANCE_IN_PROGRESS
    _rejoin_all(coord, [c2, c3], 110)
    second = _finish(coord, [c1, c2, c3], 110)
    assert second["c3"].added == ((T, 2),) and coord.generation == 3
    assert all(r.revoked == () for r in second.values())
    assert (c1.assigned, c2.assigned, c3.assigned) == (((T, 0),), ((T, 1),), ((T, 2),))


def test_eager_revokes_everything_before_rejoining_and_auto_commits_first():
    """Eager (Java 3.x default list, range selected): onJoinPrepare commits every position (auto-commit on)
    and revokes every partition of every member before the JoinGroup, even those that stay put; range then
    gives each of three members one partition."""
    c1, c2, c3 = _client("c1", JAVA3), _client("c2", JAVA3), _client("c3", JAVA3)
    coord = _stable_group([c1, c2], partitions=3)
    assert coord.protocol == "range" and c1.protocol == EAGER
    _join(coord, c3, 100)
    positions = {(T, 0): 5, (T, 1): 7, (T, 2): 9}
    prepared = _rejoin_all(coord, [c1, c2], 100, positions)
    assert prepared["c1"].revoked == ((T, 0), (T, 1)) and prepared["c2"].revoked == ((T, 2),)
    assert prepared["c1"].commit == {(T, 0): 5, (T, 1): 7} and prepared["c2"].commit == {(T, 2): 9}
    assert [coord.committed((T, p)) for p in range(3)] == [5, 7, 9]
    after = _finish(coord, [c1, c2, c3], 100)
    assert after["c1"].added == ((T, 0),) and after["c3"].added == ((T, 2),) and not after["c1"].rejoin


def test_librdkafka_eager_commits_stored_offsets_of_revoked_partitions():
    """librdkafka with auto-commit commits the stored offsets of partitions removed from its assignment
    (rd_kafka_assignment_serve_removals): at an eager rebalance that is all of them."""
    c1 = _client("c1", ("range",), client="librdkafka")
    _stable_group([c1], partitions=2)
    rev = c1.prepare_rejoin({(T, 0): 99}, {(T, 0): 4, (T, 1): 6})
    assert rev.revoked == ((T, 0), (T, 1)) and rev.commit == {(T, 0): 4, (T, 1): 6}


def test_member_evicted_by_max_poll_interval_fails_its_next_commit():
    """A member whose processing outlasts max.poll.interval.ms (300000) leaves the group (Java: heartbeat
    thread, "consumer poll timeout has expired"; librdkafka: ERR__MAX_POLL_EXCEEDED). The group rebalances
    without it; its generation is gone, so its next commit fails: Java refuses locally with
    CommitFailedException, and a commit sent with the old member id is UNKNOWN_MEMBER_ID at the
    coordinator (librdkafka shows that code). The committed offset does not move: the new owner reads
    from the last commit again (duplicates)."""
    slow, other = _client("c1", ("range",)), _client("c2", ("range",))
    coord = _stable_group([slow, other], partitions=2)
    old_id, old_gen = slow.member_id, slow.generation
    assert coord.commit(1000, old_id, old_gen, {(T, 0): 10}).error is None
    assert not slow.poll_timeout_expired(300000, last_poll=0)
    assert slow.poll_timeout_expired(300001, last_poll=0)
    rev = slow.on_poll_timeout()
    assert rev.leave and rev.lost and rev.revoked == ((T, 0),)
    assert rev.describe("c1") == "c1 loses t-0; leaves the group"
    out = coord.leave(300001, old_id, "consumer poll timeout has expired")
    assert [e.kind for e in out.events][:2] == ["removed", "rebalance"]
    _rejoin_all(coord, [other], 300001)
    _finish(coord, [other], 300001)
    assert other.assigned == ((T, 0), (T, 1))
    assert slow.commit_precheck() == "CommitFailedException"
    sent = coord.commit(300500, old_id, old_gen, {(T, 0): 25})
    assert sent.error == UNKNOWN_MEMBER_ID
    assert commit_error_seen("java", sent.error) == "CommitFailedException"
    assert commit_error_seen("librdkafka", sent.error) == UNKNOWN_MEMBER_ID
    assert coord.committed((T, 0)) == 10
    assert list(reread_after_restart(10, 24)) == list(range(10, 25))


def test_librdkafka_member_past_max_poll_interval_commits_in_vain():
    """librdkafka: max.poll.interval.ms exceeded gives ERR__MAX_POLL_EXCEEDED, a LeaveGroup and an empty
    member id (rd_kafka_cgrp_max_poll_interval_check_tmr_cb). An offset-less commit is refused locally
    (_ASSIGNMENT_LOST); explicit offsets go out with member id "" and generation -1, which a non-empty
    group refuses with UNKNOWN_MEMBER_ID (validateOffsetCommit)."""
    slow, other = (_client(n, ("range",), client="librdkafka") for n in ("c1", "c2"))
    coord = _stable_group([slow, other], partitions=2)
    old_id = slow.member_id
    rev = slow.on_poll_timeout()
    assert rev.error == "_MAX_POLL_EXCEEDED" and rev.lost and rev.commit == {}
    coord.leave(300001, old_id, "max.poll.interval.ms exceeded")
    assert slow.commit_precheck(explicit=False) == "_ASSIGNMENT_LOST"
    assert slow.commit_precheck(explicit=True) is None
    member_id, generation = slow.commit_identity()
    assert (member_id, generation) == ("", -1)
    out = coord.commit(300002, member_id, generation, {(T, 0): 25})
    assert slow.commit_error(out.error) == UNKNOWN_MEMBER_ID


def test_session_expiry_after_a_crash_removes_the_member():
    """A crashed member stops heartbeating; the coordinator removes it session.timeout.ms after its last
    heartbeat (45000 from Java 3.0 and librdkafka 1.7, KIP-735) and the group rebalances. A live member
    heartbeating every heartbeat.interval.ms (3000) is never expired."""
    dead, live = _client("c1", ("range",)), _client("c2", ("range",))
    coord = _stable_group([dead, live], partitions=2)
    for t in range(3000, 45000, int(live.heartbeat_interval_ms)):
        assert coord.heartbeat(t, live.member_id, live.generation).error is None
        assert coord.tick(t) == []
    assert coord.next_deadline() == 45000  # the crashed member's session, counted from its last sign of life
    events = coord.tick(45000)
    assert events[0].kind == "removed" and events[0].member == dead.member_id
    assert "session timeout" in events[0].text and coord.state == PREPARING
    assert coord.heartbeat(45001, live.member_id, live.generation).error == REBALANCE_IN_PROGRESS
    _rejoin_all(coord, [live], 45001)
    _finish(coord, [live], 45001)
    assert live.assigned == ((T, 0), (T, 1))


def test_a_member_that_does_not_rejoin_is_dropped_at_the_rebalance_timeout():
    """completeClassicGroupJoin removes dynamic members that have not rejoined when the rebalance timeout
    (the largest max.poll.interval.ms) ends, if their session has not expired first."""
    a, b = _client("c1", ("range",), session_timeout_ms=10**9), _client("c2", ("range",), max_poll_interval_ms=5000)
    coord = _stable_group([a, b], partitions=2)
    _join(coord, b, 100)  # b rejoins (say its subscription changed); a is busy in its poll loop
    assert coord.state == PREPARING and coord.next_deadline() == 100 + 300000
    events = coord.tick(300100)
    assert [e.kind for e in events] == ["removed", "generation"] and events[0].member == a.member_id


def test_generation_checks_on_commits_and_heartbeats():
    """ClassicGroup.validateOffsetCommit: an unknown member gets UNKNOWN_MEMBER_ID, a stale generation
    ILLEGAL_GENERATION, and a commit between JoinGroup and SyncGroup REBALANCE_IN_PROGRESS; during
    PreparingRebalance the current generation still commits (this is how onJoinPrepare's commit lands).
    Heartbeats get the same member and generation checks."""
    a, b = _client("c1", ("range",)), _client("c2", ("range",))
    coord = _stable_group([a, b], partitions=2)
    gen1 = a.generation
    assert coord.commit(10, "nobody-1", gen1, {(T, 0): 1}).error == UNKNOWN_MEMBER_ID
    _join(coord, a, 20)
    assert coord.state == PREPARING
    assert coord.commit(20, b.member_id, gen1, {(T, 1): 3}).error is None
    _join(coord, b, 30)
    assert coord.state == COMPLETING and coord.generation == gen1 + 1
    assert coord.commit(30, b.member_id, gen1 + 1, {(T, 1): 4}).error == REBALANCE_IN_PROGRESS
    assert coord.commit(30, b.member_id, gen1, {(T, 1): 4}).error == ILLEGAL_GENERATION
    assert coord.heartbeat(30, b.member_id, gen1).error == ILLEGAL_GENERATION
    _finish(coord, [a, b], 40)
    assert coord.commit(50, b.member_id, gen1 + 1, {(T, 1): 5}).error is None
    assert coord.committed((T, 1)) == 5


def test_last_member_leaving_empties_the_group_and_keeps_offsets():
    """When every member is gone the join phase ends with no members: the generation advances and the
    group is Empty; committed offsets stay."""
    a = _client("c1", ("range",))
    coord = _stable_group([a], partitions=1)
    coord.commit(5, a.member_id, a.generation, {(T, 0): 42})
    coord.leave(6, a.member_id)
    assert coord.state == EMPTY and coord.generation == 2 and coord.committed((T, 0)) == 42


# --- coordinator placement and failover ----------------------------------------------------

def test_coordinator_placement_follows_the_group_id_hash():
    """partitionFor = Utils.abs(groupId.hashCode()) % 50; "hello".hashCode() is 99162322 in Java, so the
    group "hello" lives in __consumer_offsets partition 22. With three brokers the model places that
    partition on broker-2 (22 % 3 = 1), then broker-3, broker-1; the coordinator is the first live one."""
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("polygenelubricants") == -(1 << 31)  # Integer.MIN_VALUE: Utils.abs gives 0
    assert offsets_partition("polygenelubricants") == 0
    assert offsets_partition("hello") == 22
    brokers = ["broker-1", "broker-2", "broker-3"]
    assert coordinator_for("hello", brokers, set(brokers)) == "broker-2"
    assert coordinator_for("hello", brokers, {"broker-1", "broker-3"}) == "broker-3"
    assert coordinator_for("hello", brokers, set()) is None


def test_coordinator_failover_keeps_commits_and_fails_requests_meanwhile():
    """The coordinator dies: requests fail with a retriable error (both clients retry, the application is
    not told) until the new leader of the offsets partition loads the group. Committed offsets and the last
    generation survive (__consumer_offsets is replicated); every session restarts at load time."""
    a = _client("c1", ("range",))
    coord = _stable_group([a], partitions=1)
    assert coord.commit(10, a.member_id, a.generation, {(T, 0): 7}).error is None
    coord.coordinator_lost(20)
    out = coord.commit(30, a.member_id, a.generation, {(T, 0): 9})
    assert out.error == "COORDINATOR_NOT_AVAILABLE" and commit_error_seen("java", out.error) is None
    coord.coordinator_moved(50000, "broker-3")
    assert coord.broker == "broker-3" and coord.committed((T, 0)) == 7 and coord.state == STABLE
    assert coord.tick(50000 + 44999) == []  # the session counts from the load, not from the last heartbeat
    assert coord.commit(50001, a.member_id, a.generation, {(T, 0): 9}).error is None


# --- the application's commits -------------------------------------------------------------

def test_commit_scope_and_the_off_by_one():
    """The article's loop commits lastOffset + 1 per partition (a singleton map each); "all" commits the
    poll once. Committing lastOffset instead means each partition's last record is read again after a
    restart: one duplicate per partition."""
    processed = {(T, 0): [3, 4, 5], (T, 1): [8]}
    assert commits_for_poll(processed, "per-partition", "next") == [{(T, 0): 6}, {(T, 1): 9}]
    assert commits_for_poll(processed, "all", "next") == [{(T, 0): 6, (T, 1): 9}]
    assert commits_for_poll(processed, "all", "last") == [{(T, 0): 5, (T, 1): 8}]
    assert commit_offset(5, "next") == 6 and list(reread_after_restart(6, 5)) == []
    assert list(reread_after_restart(commit_offset(5, "last"), 5)) == [5]
    with pytest.raises(ValueError, match="commit.scope"):
        commits_for_poll(processed, "some", "next")


def test_records_of_a_lost_partition():
    """After a revocation the application still processes the records poll() already returned to it
    (the new owner reads them again: duplicates); records only fetched are dropped."""
    kept, dropped = after_revocation({(T, 0): [1, 2], (T, 1): [7]}, {(T, 0): [3, 4]}, [(T, 0)])
    assert kept == {(T, 0): [1, 2]} and dropped == {(T, 0): [3, 4]}
