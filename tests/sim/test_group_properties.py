"""Consumer group properties over random joins and leaves: no partition has two owners, and every
rebalance ends balanced and complete; the sticky assignors keep what they can."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.sim.group import PREPARING, GroupCoordinator
from tutor.sim.member import MemberClient

EXAMPLES = int(os.environ.get("TUTOR_PROPERTY_EXAMPLES", "40"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    derandomize=os.environ.get("TUTOR_PROPERTY_RANDOM") is None)
T = "t"


def _no_two_owners(clients):
    """KIP-429's safety rule: a partition is never assigned to two members at once."""
    owned = [tp for c in clients.values() for tp in c.assigned]
    assert len(owned) == len(set(owned)), {c.name: c.assigned for c in clients.values()}


def _round(coord, clients, now):
    """Every member prepares and rejoins, the join phase ends, the leader assigns; True if anyone must
    rejoin again (a cooperative follow-up)."""
    # newcomers first: their JoinGroup starts the rebalance that the others then answer
    for c in sorted(clients.values(), key=lambda c: c.member_id is not None):
        c.prepare_rejoin({}, {})
        _no_two_owners(clients)
        out = coord.join(now, c.name, **c.join_request())
        c.member_id = out.member_id
    while coord.state == PREPARING:  # only the initial delay's timers: nobody may be dropped
        assert all(e.kind != "removed" for e in coord.tick(coord.next_deadline()))
    for c in clients.values():
        c.on_joined(c.member_id, coord.generation)
    got = {e.member: e.data["partitions"]
           for e in coord.sync(now, coord.leader, coord.generation, coord.leader_assignment()).events}
    again = False
    for c in clients.values():
        again |= c.on_assignment(coord.generation, got[c.member_id], {}).rejoin
        _no_two_owners(clients)
    return again


def _settle(coord, clients, now):
    """Rebalance until nobody needs to rejoin (at most one follow-up for cooperative)."""
    rounds = 1
    while _round(coord, clients, now):
        rounds += 1
        assert rounds <= 2
    return rounds


@PROPERTY
@given(strategy=st.sampled_from(["range", "roundrobin", "sticky", "cooperative-sticky"]),
       partitions=st.integers(1, 8),
       ops=st.lists(st.tuples(st.sampled_from(["join", "leave"]), st.integers(1, 4)), min_size=1, max_size=6))
def test_rebalances_never_double_assign_and_end_balanced(strategy, partitions, ops):
    """After every sequence of joins and leaves the assignment covers each partition once, differs by at
    most one partition between members, and (sticky assignors) a member that stayed kept at least
    min(what it had, partitions // members) of its partitions."""
    coord = GroupCoordinator("g", {T: partitions}, initial_delay_ms=0, broker="broker-1")
    clients: dict[str, MemberClient] = {}
    now = 0.0
    for op, n in ops:
        name, now = f"consumer-{n}", now + 1000
        if op == "join" and name not in clients:
            clients[name] = MemberClient(name, "java", (strategy,), (T,), auto_commit=True)
        elif op == "leave" and name in clients:
            coord.leave(now, clients.pop(name).member_id)
        else:
            continue
        if not clients:
            continue
        before = {c.name: set(c.assigned) for c in clients.values()}
        rounds = _settle(coord, clients, now)
        owned = sorted(tp for c in clients.values() for tp in c.assigned)
        assert owned == [(T, p) for p in range(partitions)]
        sizes = [len(c.assigned) for c in clients.values()]
        assert max(sizes) - min(sizes) <= 1
        if strategy != "cooperative-sticky":
            assert rounds == 1
        if "sticky" in strategy:
            floor = partitions // len(clients)
            for c in clients.values():
                assert len(before[c.name] & set(c.assigned)) >= min(len(before[c.name]), floor)


@PROPERTY
@given(partitions=st.integers(1, 8),
       ops=st.lists(st.tuples(st.sampled_from(["join", "leave"]), st.integers(1, 4)), min_size=1, max_size=6))
def test_consumer_protocol_never_double_assigns_and_converges(partitions, ops):
    """KIP-848: whatever the joins and leaves, no partition is ever owned by two members (as the
    coordinator sees ownership), and heartbeats in turn converge to a complete, balanced assignment."""
    from tutor.sim.consumer_group import STABLE, ConsumerGroupCoordinator, ConsumerProtocolClient

    coord = ConsumerGroupCoordinator("g", {T: partitions}, broker="broker-1")
    clients: dict[str, ConsumerProtocolClient] = {}
    now = 0.0

    def held():
        return [tp for m in coord.members.values() for tp in m.assigned + m.pending_revocation]

    for op, n in ops:
        name = f"consumer-{n}"
        if op == "join" and name not in clients:
            clients[name] = ConsumerProtocolClient(name, "java", (T,), auto_commit=False)
        elif op == "leave" and name in clients:
            c = clients.pop(name)
            c.on_poll_timeout()
            coord.heartbeat(now, **c.request())
        for _ in range(4 * (len(clients) + 1)):  # heartbeats in turn until everyone is settled
            for c in clients.values():
                now += 10
                c.on_answer(coord.heartbeat(now, **c.request()), {}, {})
                assert len(held()) == len(set(held()))
        if clients:
            states = {m.state for m in coord.members.values()}
            assert states == {STABLE} and {m.epoch for m in coord.members.values()} == {coord.group_epoch}
            assert sorted(held()) == [(T, p) for p in range(partitions)]
            sizes = [len(m.assigned) for m in coord.members.values()]
            assert max(sizes) - min(sizes) <= 1
