"""The group case's referee without the real client: which member the lab arms, when it starts over, and when
it lets a crash point pass, driven by scripted member events."""

from typing import Any, Callable

import pytest

from tutor.lab import LABS
from tutor.lab import real
from tutor.lab.cluster import LabError
from tutor.lab.real import GROUP_ATTEMPTS, GroupLab, Regroup

RUN = LABS["consumer-group"].cases[0].run


class Member:
    """A stand-in for a member process: scripted events out, the lab's lines in."""

    def __init__(self, n: int) -> None:
        """Member n, with nothing to say yet."""
        self.name, self.pid = f"member {n}", 1000 + n
        self.events: list[dict[str, Any]] = []
        self.told: list[str] = []
        self.on_tell: dict[str, Callable[[], None]] = {}  # a line from the lab -> what the member says next
        self.killed = False

    def say(self, *events: dict[str, Any]) -> "Member":
        """Queue events."""
        self.events.extend(events)
        return self

    def next_event(self, timeout: float) -> dict[str, Any] | None:
        """The next queued event, or None at once."""
        return self.events.pop(0) if self.events else None

    def tell(self, line: str) -> None:
        """Record the lab's line; say what the script says comes next."""
        self.told.append(line)
        if hook := self.on_tell.pop(line, None):
            hook()

    def kill(self) -> None:
        """SIGKILL, in the script."""
        self.killed = True


class Cluster:
    """Just enough of LabCluster: group names."""

    def __init__(self) -> None:
        """No groups yet."""
        self.groups: list[str] = []

    def new_group(self, lab: str) -> str:
        """A new group's id."""
        self.groups.append(f"{lab}-{len(self.groups) + 1}")
        return self.groups[-1]


class Children:
    """Just enough of processes.Children: counts stop_all calls."""

    def __init__(self) -> None:
        """Nothing stopped yet."""
        self.stopped = 0

    def stop_all(self) -> int:
        """Count the call."""
        self.stopped += 1
        return 0


def assigned(*partitions: int) -> dict[str, Any]:
    """An "assigned" event."""
    return {"event": "assigned", "partitions": list(partitions)}


def revoked(*partitions: int) -> dict[str, Any]:
    """A "revoked" event (not on closing)."""
    return {"event": "revoked", "partitions": list(partitions), "closing": False}


CRASH = {"event": "crash-point"}


@pytest.fixture
def lab(monkeypatch, notes) -> GroupLab:
    """A group lab on the mock's four-partition topic, with two scripted members."""
    monkeypatch.setattr(real, "PHASE_TIMEOUT_S", 5.0)  # a bound for a broken script, not a verdict
    group = GroupLab(RUN, Cluster(), "topic", Children(), notes)
    group.partition_count = 4
    group.members = [Member(1), Member(2)]
    return group


def test_only_the_member_holding_partition_0_is_armed_and_nobody_after_the_kill(lab):
    """consumer-1 is whoever holds partition 0 while the other holds the rest; the survivor's first assignment
    after the kill holds partition 0 too, and it is told to carry on (it used to stop at a crash point of its
    own and wait for a kill that never came)."""
    first, second = lab.members
    lab._on_event(second, assigned(0, 1))
    lab._on_event(first, assigned(2, 3))
    assert (second.told, first.told) == (["crash"], ["carry-on"])
    assert (lab._name(second), lab._name(first)) == ("consumer-1", "consumer-2")
    lab.killed_at = 1.0
    lab._on_event(first, assigned(0, 1, 2, 3))
    assert first.told == ["carry-on", "carry-on"]
    assert lab._owners(second) == {"consumer-1": (0, 1), "consumer-2": (2, 3)}
    assert lab.unsettled == []  # the case's setup: nothing went on past


def test_a_member_given_every_partition_before_the_kill_starts_the_case_over(lab):
    """The group formed with one member: not the case's setup; on the last attempt the member is armed (the
    crash point then waits for the group to have both members)."""
    first, _ = lab.members
    with pytest.raises(Regroup, match="member 1 was given every partition"):
        lab._on_event(first, assigned(0, 1, 2, 3))
    assert first.told == []  # no answer: its process is about to be killed
    assert lab.unsettled == []
    lab.attempt = GROUP_ATTEMPTS
    lab._on_event(first, assigned(0, 1, 2, 3))
    assert first.told == ["crash"]
    assert lab.unsettled == ["member 1 was given every partition: the group formed before the other member joined"]


def test_a_crash_point_while_the_other_member_holds_nothing_is_not_the_kill(lab):
    """The other member rejoining (the mock lost its share of the assignment): the case starts over; on the
    last attempt the member carries on, and the kill comes at its crash point after the next assignment,
    once the other holds partitions."""
    first, second = lab.members
    first.say(assigned(0, 1), CRASH)
    with pytest.raises(Regroup, match=r"crash point while the group was still rebalancing \(consumer-2"):
        lab._crash_point()

    lab._fresh_tally()  # as the second attempt starts: a new group, the same two scripted members
    lab.members, lab.attempt = [first, second], GROUP_ATTEMPTS
    first.told.clear()
    first.say(assigned(0, 1), CRASH)
    first.on_tell["carry-on"] = lambda: (second.say(assigned(2, 3)),
                                         first.say(revoked(0, 1), assigned(0, 1), CRASH))
    assert lab._crash_point() is first
    assert first.told == ["crash", "carry-on", "crash"]
    assert any("not killed there" in note for note in lab.progress.notes)
    assert lab.unsettled == [
        "consumer-1 reached its crash point while the group was still rebalancing (consumer-2 held no partition)",
        "consumer-1's partitions were revoked before the kill: the group rebalanced after it had formed"]


def test_the_other_members_pending_events_count_before_the_verdict(lab):
    """The other member's assignment already said, but not yet read when the crash point came, counts."""
    first, second = lab.members
    first.say(assigned(0, 1), CRASH)
    second.say({"event": "started"}, {"event": "started"}, assigned(2, 3))  # read one a turn: after the crash
    assert lab._crash_point() is first
    assert lab.held[second.pid] == (2, 3)


def test_a_second_crash_point_after_the_kill_fails_at_once(lab):
    """A member at a crash point after the kill would wait for ever: a clear error instead."""
    lab.killed_at = 1.0
    with pytest.raises(LabError, match="member 2 stopped at a crash point after the kill"):
        lab._on_event(lab.members[1], CRASH)


def test_a_rebalance_or_an_early_finish_before_the_kill_starts_the_case_over(lab):
    """Partitions revoked before the kill (the group rebalanced after forming), or a member done before it:
    the case starts over; on the last attempt a revocation is only noted, and an early finish is the lab's
    error."""
    first, second = lab.members
    lab._on_event(first, assigned(0, 1))
    with pytest.raises(Regroup, match="consumer-1's partitions were revoked before the kill"):
        lab._on_event(first, revoked(0, 1))
    with pytest.raises(Regroup, match="member 2 finished before the group had settled"):
        lab._on_event(second, {"event": "done"})
    lab.attempt = GROUP_ATTEMPTS
    lab._on_event(first, revoked(0, 1))
    assert first.pid not in lab.held
    with pytest.raises(LabError, match=f"member 2 finished .* in each of {GROUP_ATTEMPTS} new groups"):
        lab._on_event(second, {"event": "done"})
    assert lab.unsettled == ["consumer-1's partitions were revoked before the kill: the group rebalanced after it "
                             "had formed"]
    lab.killed_at = 1.0
    lab._on_event(second, revoked(2, 3))  # after the kill: the rebalance that hands over the partitions
    assert len(lab.unsettled) == 1  # that one is the case


def test_the_case_starts_over_in_a_new_group_and_says_so(lab, monkeypatch):
    """Each Regroup stops the processes, says why in a note, and runs the members again in a new group,
    until an attempt ends with a kill."""
    killed = lab.members[0]
    results: list[Any] = [Regroup("member 1 was given every partition"),
                          Regroup("consumer-1's partitions were revoked before the kill"), killed]
    groups: list[tuple[str, int]] = []

    def attempt(self, ends):
        """Each attempt's group and number; then the scripted result."""
        groups.append((self.group, self.attempt))
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(GroupLab, "_attempt", attempt)
    assert lab._members_run({}) is killed
    assert [n for _, n in groups] == [1, 2, 3] and len({g for g, _ in groups}) == 3
    assert lab.children.stopped == 2
    assert lab.progress.notes == [
        "member 1 was given every partition: that is not this case's setup, so both members start again, "
        "with fresh processes in a new group",
        "consumer-1's partitions were revoked before the kill: that is not this case's setup, so both "
        "members start again, with fresh processes in a new group"]


def test_a_member_gone_while_the_lab_catches_up_is_the_labs_error(lab):
    """The other member's process ended (its output closed): said as a LabError, not a traceback."""
    from tutor.lab.processes import WorkerGone

    first, second = lab.members
    first.say(assigned(0, 1), CRASH)

    asked: list[float] = []

    def gone(timeout: float):
        """Quiet while the lab follows both; its output has ended when the lab catches up."""
        asked.append(timeout)
        if len(asked) > 1:
            raise WorkerGone("the member 2 exited with status 1: no message")

    second.next_event = gone
    with pytest.raises(LabError, match="member 2 exited with status 1"):
        lab._crash_point()
    assert asked[-1] == 0  # raised while catching up, after the crash point
