"""The real run of a lab case: librdkafka clients in their own processes, killed and restarted."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable, Protocol

from .catalog import Case, ConsumeRun, GroupRun, ProduceRun
from .cluster import LabCluster, LabError, produce_all, read_log
from .outcome import Outcome, RecordFate
from .processes import Children, Worker, WorkerGone
from .target import INITIAL_REBALANCE_DELAY_MS

PHASE_TIMEOUT_S = 120.0  # a group join on a real cluster takes seconds; this means it is stuck
#: how many times the group case may run its members: it starts over while the group does not form as the case
#: needs, and the last time goes on whatever the group does
GROUP_ATTEMPTS = 3


class Progress(Protocol):
    """Where the real run says what it is waiting for."""

    def show(self, text: str) -> None:
        """Replace the current line."""

    def note(self, text: str) -> None:
        """Print a line that stays (a kill, a restart)."""


class Silent:
    """Progress that shows nothing (tests, scripts)."""

    def show(self, text: str) -> None:
        """Ignore."""

    def note(self, text: str) -> None:
        """Ignore."""


def run_real(case: Case, cluster: LabCluster, children: Children, progress: Progress) -> Outcome:
    """Run the case with the real client and tally what happened to each record."""
    if isinstance(case.run, GroupRun):
        topic = cluster.create_topic(case.name, case.run.partitions)
        return GroupLab(case.run, cluster, topic, children, progress).run()
    topic = cluster.create_topic(case.name)
    if isinstance(case.run, ConsumeRun):
        return ConsumeLab(case.run, cluster, topic, children, progress).run()
    return ProduceLab(case.run, cluster, topic, children, progress).run()


def follow(worker: Worker, until: str, on_event: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Hand each event of a worker to on_event until one of kind `until` comes; that one is returned."""
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    last: list[str] = []  # the latest kinds of event, for the error's words
    while time.monotonic() < deadline:
        try:
            event = worker.next_event(timeout=0.1)
        except WorkerGone as err:
            raise LabError(str(err)) from None
        if event is None:
            continue
        on_event(event)
        if event["event"] == until:
            return event
        last = (last + [_said(event)])[-4:]
    raise LabError(f"the {worker.name} did not get to {until!r} within {PHASE_TIMEOUT_S:g} s"
                   + (f" (its last events: {'; '.join(last)})" if last else " (it said nothing meanwhile)"))


def _said(event: dict[str, Any]) -> str:
    """An event in a few words: its kind and, where it has them, its partitions or record."""
    extra = event.get("partitions", event.get("id", event.get("error", "")))
    return f"{event['event']} {extra}".strip()


class _RealRun:
    """What every real run holds: its plan, the cluster and topic, its child processes, the progress line."""

    def __init__(self, run: Any, cluster: LabCluster, topic: str, children: Children,
                 progress: Progress) -> None:
        """Everything the run needs; run() does the work."""
        self.plan = run
        self.cluster = cluster
        self.topic = topic
        self.children = children
        self.progress = progress


class ConsumeLab(_RealRun):
    """Produce the records, then consume: SIGKILL at the crash point, restart, consume to the end."""

    def __init__(self, run: ConsumeRun, cluster: LabCluster, topic: str, children: Children,
                 progress: Progress) -> None:
        """Everything the run needs; run() does the work."""
        super().__init__(run, cluster, topic, children, progress)
        self.group = cluster.new_group("group")
        self.seen: Counter[int] = Counter()

    def run(self) -> Outcome:
        """The whole real run."""
        run = self.plan
        self.progress.show(f"producing {run.messages} records to {self.topic}")
        acked, failed = produce_all(self.cluster.bootstrap, self.topic, run.messages)
        first = self._start("consumer", run.crash_after,
                            f"a new group waits group.initial.rebalance.delay.ms = "
                            f"{INITIAL_REBALANCE_DELAY_MS / 1000:g} s for more members")
        follow(first, "crash-point", self._on_event)
        first.kill()
        self.progress.note(f"killed the consumer (pid {first.pid}) with SIGKILL right after its "
                           f"{run.crash_after}th record")
        time.sleep(run.restart_after_ms / 1000)
        second = self._start("restarted consumer", None,
                             f"the killed member keeps the partition until its session.timeout.ms = "
                             f"{self._session_ms() / 1000:g} s has passed, then the group rebalances")
        self.progress.note(f"restarted the consumer (pid {second.pid}) in the same group")
        follow(second, "done", self._on_event)
        second.finish()
        return Outcome.from_counts(range(run.messages), acked, failed, self.seen)

    def _session_ms(self) -> int:
        """The consumers' session timeout."""
        return self.cluster.target.session_timeout_ms

    def _start(self, name: str, crash_after: int | None, waiting: str) -> Worker:
        """Start a consumer process of the group."""
        run = self.plan
        cfg = {"role": "consumer", "bootstrap": self.cluster.bootstrap, "topic": self.topic,
               "group": self.group, "settings": run.kafka_settings(self._session_ms()),
               "batch": run.batch, "processing_ms": run.processing_ms, "commit": run.commit,
               "store_after_processing": run.store_after_processing, "crash_after": crash_after,
               "end": run.messages}
        worker = self.children.start(name, cfg)
        self.name, self.since = name, time.monotonic()
        self.progress.show(f"{name} (pid {worker.pid}) joining group: {waiting}")
        return worker

    def _on_event(self, event: dict[str, Any]) -> None:
        """Count processed records and keep the progress line current."""
        kind = event["event"]
        if kind == "processed":
            self.seen[event["id"]] += 1
            self.progress.show(f"{self.name}: processed record {event['id']} (offset {event['offset']})")
        elif kind == "assigned":
            self.progress.show(f"{self.name} joined the group after {time.monotonic() - self.since:.1f} s")
        elif kind == "client-error":
            self.progress.note(f"{self.name}: {event['error']}")


def follow_any(workers: list[Worker], until: str,
               on_event: Callable[[Worker, dict[str, Any]], None]) -> Worker:
    """Hand each event of any of the workers to on_event until one reports `until`; that worker is returned."""
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    while time.monotonic() < deadline:
        for worker in workers:
            try:
                event = worker.next_event(timeout=0.02)
            except WorkerGone as err:
                raise LabError(str(err)) from None
            if event is None:
                continue
            on_event(worker, event)
            if event["event"] == until:
                return worker
    raise LabError(f"no {' or '.join(w.name for w in workers)} got to {until!r} within {PHASE_TIMEOUT_S:g} s")


class Regroup(Exception):
    """The group did not form as the case describes (one member alone, or still rebalancing at the crash
    point): the members start over."""


class GroupLab(_RealRun):
    """Two members of one group; SIGKILL the one holding partition 0 mid-batch; the other finishes."""

    def __init__(self, run: GroupRun, cluster: LabCluster, topic: str, children: Children,
                 progress: Progress) -> None:
        """Everything the run needs; run() does the work."""
        super().__init__(run, cluster, topic, children, progress)
        self.partition_count = 0                  # the topic's partitions (the mock's topic has four)
        self.attempt = 1                          # the last (GROUP_ATTEMPTS) runs whatever the group does
        self._fresh_tally()

    def _fresh_tally(self) -> None:
        """Nothing seen yet: at the start, and again when the case starts over in a new group."""
        self.group = self.cluster.new_group("group")
        self.members: list[Worker] = []
        self.by: dict[int, list[str]] = {}        # record id -> the members that processed it
        self.names: dict[int, str] = {}           # pid -> consumer-1 / consumer-2, once the group has both
        self.held: dict[int, tuple[int, ...]] = {}  # pid -> the partitions of its latest assignment
        self.killed_at = 0.0
        self.unsettled: list[str] = []            # what the last attempt went on past, said in words

    def run(self) -> Outcome:
        """The whole real run: produce, then the members (again, in a new group, if it formed lopsided)."""
        run = self.plan
        self.progress.show(f"producing {run.messages} records over {run.partitions} partitions of {self.topic}")
        placed: dict[int, tuple[int, int]] = {}
        acked, failed = produce_all(self.cluster.bootstrap, self.topic, run.messages,
                                    lambda rid: (run.partition_of(rid), run.key_of(rid)), placed)
        ends = {p: sum(1 for q, _ in placed.values() if q == p) for p in range(run.partitions)}
        self.partition_count = self.cluster.partitions(self.topic)
        victim = self._members_run(ends)
        fates = [RecordFate(rid, *placed[rid], tuple(self.by.get(rid, ()))) for rid in sorted(placed)]
        seen = Counter({rid: len(names) for rid, names in self.by.items()})
        outcome = Outcome.from_counts(range(run.messages), acked, failed, seen)
        outcome.records, outcome.owners = fates, self._owners(victim)
        outcome.unsettled = tuple(dict.fromkeys(self.unsettled))  # each kind once, in the order it came
        return outcome

    def _members_run(self, ends: dict[int, int]) -> Worker:
        """The members' part; the member killed is returned. While the group does not form as the case needs
        (one member forms it alone, it rebalances before the kill, or it still rebalances when the kill is
        due), the members start over in a new group; the last attempt goes on whatever the group does."""
        self.attempt = 1
        while True:
            try:
                return self._attempt(ends)
            except Regroup as err:
                self.children.stop_all()
                self.progress.note(f"{err}: that is not this case's setup, so both members start again, "
                                   f"with fresh processes in a new group")
            self._fresh_tally()
            self.attempt += 1

    def _may_start_over(self) -> bool:
        """Is there an attempt left after this one?"""
        return self.attempt < GROUP_ATTEMPTS

    def _off_setup(self, what: str) -> None:
        """The group did something the case's setup excludes: start over in a new group while an attempt is
        left; on the last, keep it in mind (the outcome says it) and go on."""
        if self._may_start_over():
            raise Regroup(what)
        self.unsettled.append(what)

    def _attempt(self, ends: dict[int, int]) -> Worker:
        """Start the members, let them join together, kill the one holding partition 0 mid-batch, and follow
        the other to the end; the member killed is returned."""
        self.members = [self._start(n, ends) for n in range(1, self.plan.members + 1)]
        for worker in self.members:  # every process up before any joins: the group forms with all of them
            follow(worker, "started", lambda event, w=worker: self._on_event(w, event))
        for worker in self.members:
            worker.tell("go")
        victim = self._crash_point()
        victim.kill()
        self.killed_at = time.monotonic()
        self.progress.note(f"killed {self._name(victim)} (pid {victim.pid}) with SIGKILL right after its "
                           f"{self.plan.crash_after}th record, in the middle of a batch")
        rest = [w for w in self.members if w is not victim]
        self.progress.show(f"{self._name(rest[0])} waits: the killed member keeps its partitions until its "
                           f"session.timeout.ms = {self._session_ms() / 1000:g} s has passed")
        for worker in rest:
            follow(worker, "done", lambda event, w=worker: self._on_event(w, event))
            worker.finish()
        return victim

    def _crash_point(self) -> Worker:
        """Follow the members until the one holding partition 0 is at its crash point while the other holds
        partitions too; that one is returned. A crash point reached while the group rebalances (the other
        member holds nothing: it is rejoining, or the mock lost its share of the assignment, see
        docs/lab.md) starts the case over; on the last attempt it is passed: the member carries on and is
        armed again at its next assignment."""
        while True:
            victim = follow_any(self.members, "crash-point", self._on_event)
            others = [w for w in self.members if w is not victim]
            for worker in others:  # what they said up to now, so the lab knows what they hold
                self._catch_up(worker)
            if all(self.held.get(w.pid) for w in others):
                return victim
            self._off_setup(f"{self._name(victim)} reached its crash point while the group was still "
                            f"rebalancing ({' and '.join(map(self._name, others))} held no partition)")
            self.progress.note(f"{self._name(victim)} (pid {victim.pid}) reached its crash point while the "
                               f"group rebalances ({' and '.join(map(self._name, others))} holds no partition): "
                               f"not killed there; it carries on and is killed at its next assignment's "
                               f"{self.plan.crash_after}th record")
            victim.tell("carry-on")

    def _catch_up(self, worker: Worker) -> None:
        """Take every event the worker has said so far."""
        try:
            while (event := worker.next_event(timeout=0)) is not None:
                self._on_event(worker, event)
        except WorkerGone as err:
            raise LabError(str(err)) from None

    def _owners(self, victim: Worker) -> dict[str, tuple[int, ...]]:
        """consumer-1's partitions when it was killed; consumer-2's: the topic's others (the partitions each
        member is first given when the two form the group, as in the simulator)."""
        killed = self.held.get(victim.pid, ())
        return {"consumer-1": killed,
                "consumer-2": tuple(p for p in range(self.partition_count) if p not in killed)}

    def _session_ms(self) -> int:
        """The members' session timeout."""
        return self.plan.session_timeout_ms

    def _start(self, n: int, ends: dict[int, int]) -> Worker:
        """Start one member; it joins on the lab's "go" and crashes only where the lab tells it to."""
        run = self.plan
        cfg = {"role": "group-member", "bootstrap": self.cluster.bootstrap, "topic": self.topic,
               "group": self.group, "client_id": f"member-{n}",
               "settings": run.kafka_settings(), "batch": run.batch,
               "processing_ms": run.processing_ms, "crash_after": run.crash_after,
               "ends": {str(p): end for p, end in ends.items()}, "wait_for_go": True}
        worker = self.children.start(f"member {n}", cfg)
        self.progress.show(f"{run.members} members joining the group: a new group waits "
                           f"group.initial.rebalance.delay.ms = {INITIAL_REBALANCE_DELAY_MS / 1000:g} s "
                           f"for more members")
        return worker

    def _name(self, worker: Worker) -> str:
        """consumer-1 for the member holding partition 0 while the group has both (the first member, to the
        range assignor, as in the simulator), consumer-2 for the other; "member N" until then."""
        return self.names.get(worker.pid, worker.name)

    def _on_event(self, worker: Worker, event: dict[str, Any]) -> None:
        """Tally who processed what; answer each assignment; say each group event."""
        kind = event["event"]
        if kind == "assigned":
            self._answer(worker, tuple(event["partitions"]))
            self.progress.note(f"{self._name(worker)} (pid {worker.pid}) assigned partitions "
                               f"{_parts(event['partitions'])}{self._when()}")
        elif kind == "revoked" and not event["closing"]:
            if not self.killed_at:
                self._off_setup(f"{self._name(worker)}'s partitions were revoked before the kill: the group "
                                f"rebalanced after it had formed")
            self.held.pop(worker.pid, None)
            self.progress.note(f"{self._name(worker)} (pid {worker.pid}) revoked partitions "
                               f"{_parts(event['partitions'])}: the group rebalances{self._when()}")
        elif kind == "processed":
            self.by.setdefault(event["id"], []).append(self._name(worker))
            self.progress.show(f"{self._name(worker)}: processed record {event['id']} "
                               f"(partition {event['partition']}, offset {event['offset']})")
        elif kind == "crash-point" and self.killed_at:
            raise LabError(f"the {worker.name} stopped at a crash point after the kill")
        elif kind == "done" and not self.killed_at:
            if not self._may_start_over():
                raise LabError(f"the {worker.name} finished before the group had settled with both members, "
                               f"in each of {GROUP_ATTEMPTS} new groups")
            raise Regroup(f"{worker.name} finished before the group had settled with both members")
        elif kind == "client-error":
            self.progress.note(f"{self._name(worker)}: {event['error']}")

    def _answer(self, worker: Worker, partitions: tuple[int, ...]) -> None:
        """Tell a member that reported an assignment whether to crash mid-batch: only before the kill, and
        only the member holding partition 0 while the other holds the rest. One member given every
        partition before the kill means the group formed without the other: the case starts over, unless
        this is the last attempt."""
        if self.killed_at:
            worker.tell("carry-on")
            return
        if len(partitions) >= self.partition_count and len(self.members) > 1:
            self._off_setup(f"{worker.name} was given every partition: the group formed before the other "
                            f"member joined")
        self.held[worker.pid] = partitions
        holds_first = 0 in partitions
        for member in self.members:
            self.names[member.pid] = "consumer-1" if (member is worker) == holds_first else "consumer-2"
        worker.tell("crash" if holds_first else "carry-on")

    def _when(self) -> str:
        """", 4.1 s after the kill" once the kill happened."""
        return f", {time.monotonic() - self.killed_at:.1f} s after the kill" if self.killed_at else ""


def _parts(partitions: list[int]) -> str:
    """[0, 1] -> "0, 1"; [] -> "none"."""
    return ", ".join(map(str, partitions)) or "none"


class ProduceLab(_RealRun):
    """produce() from a worker, maybe SIGKILL it and restart it, then read what the log holds."""

    def __init__(self, run: ProduceRun, cluster: LabCluster, topic: str, children: Children,
                 progress: Progress) -> None:
        """Everything the run needs; run() does the work."""
        super().__init__(run, cluster, topic, children, progress)
        self.sent: list[int] = []
        self.told: Counter[str] = Counter()

    def run(self) -> Outcome:
        """The whole real run."""
        run = self.plan
        first = self._start("producer", 0, run.messages, run.crash_after_sent)
        if run.crash_after_sent is None:
            follow(first, "done", self._on_event)
            first.finish()
        else:
            follow(first, "crash-point", self._on_event)
            first.kill()
            self.progress.note(f"killed the producer (pid {first.pid}) with SIGKILL after "
                               f"{run.crash_after_sent} produce() calls")
            time.sleep(run.restart_after_ms / 1000)
            rest = run.messages - run.crash_after_sent
            second = self._start("restarted producer", run.crash_after_sent, rest, None)
            self.progress.note(f"restarted the producer (pid {second.pid}); it carries on with record "
                               f"{run.crash_after_sent}")
            follow(second, "done", self._on_event)
            second.finish()
        self.progress.show(f"reading {self.topic} from the start")
        in_log = Counter(read_log(self.cluster.bootstrap, self.topic))
        return Outcome.from_counts(self.sent, self.told["acked"], self.told["rejected"] + self.told["failed"],
                                   in_log)

    def _start(self, name: str, first: int, count: int, crash_after: int | None) -> Worker:
        """Start a producer process for records first..first+count-1."""
        run = self.plan
        cfg = {"role": "producer", "bootstrap": self.cluster.bootstrap, "topic": self.topic,
               "settings": run.kafka_settings(), "first": first, "count": count,
               "interval_ms": run.interval_ms, "crash_after": crash_after}
        worker = self.children.start(name, cfg)
        self.name = name
        self.progress.show(f"{name} (pid {worker.pid}) starting")
        return worker

    def _on_event(self, event: dict[str, Any]) -> None:
        """Tally sends and what the application was told; keep the progress line current."""
        kind = event["event"]
        if kind == "sent":
            self.sent.append(event["id"])
            self.progress.show(f"{self.name}: produce() record {event['id']}")
        elif kind in ("acked", "rejected", "failed"):
            self.told[kind] += 1
            if kind != "acked":
                self.progress.show(f"{self.name}: record {event['id']}: {event['error']}")
        elif kind == "done":
            self.progress.show(f"{self.name}: flush() returned")
