"""The real run of a lab case: librdkafka clients in their own processes, killed and restarted."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable, Protocol

from .catalog import Case, ConsumeRun, ProduceRun
from .cluster import LabCluster, LabError, produce_all, read_log
from .outcome import Outcome
from .processes import Children, Worker, WorkerGone
from .target import INITIAL_REBALANCE_DELAY_MS

PHASE_TIMEOUT_S = 120.0  # a group join on a real cluster takes seconds; this means it is stuck


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
    topic = cluster.create_topic(case.name)
    if isinstance(case.run, ConsumeRun):
        return ConsumeLab(case.run, cluster, topic, children, progress).run()
    return ProduceLab(case.run, cluster, topic, children, progress).run()


def follow(worker: Worker, until: str, on_event: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Hand each event of a worker to on_event until one of kind `until` comes; that one is returned."""
    deadline = time.monotonic() + PHASE_TIMEOUT_S
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
    raise LabError(f"the {worker.name} did not get to {until!r} within {PHASE_TIMEOUT_S:g} s")


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
