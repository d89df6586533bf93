"""The labs: what each case does with the real client, in settings the simulator can mirror."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tutor.sim.partitioner import key_bytes, rdkafka_key_partition


@dataclass(frozen=True)
class ConsumeRun:
    """A consumer case: produce records, consume them in batches, SIGKILL mid-batch, restart, finish."""

    messages: int = 40
    batch: int = 10                    # consume(num_messages=batch); the simulator's max.poll.records
    processing_ms: int = 100           # the application's work per record (a sleep)
    crash_after: int = 25              # SIGKILL right after this many records were processed
    commit: str = "auto"               # "auto", "before-processing" or "after-processing"
    auto_commit_interval_ms: int = 10
    store_after_processing: bool = False  # enable.auto.offset.store=false and store_offsets()
    restart_after_ms: int = 500

    def kafka_settings(self, session_timeout_ms: int) -> dict[str, Any]:
        """The consumer's Kafka properties, the same for the real client and the simulator."""
        auto = self.commit == "auto"
        settings: dict[str, Any] = {"auto.offset.reset": "earliest", "enable.auto.commit": auto,
                                    "session.timeout.ms": session_timeout_ms}
        if auto:
            settings["auto.commit.interval.ms"] = self.auto_commit_interval_ms
            settings["enable.auto.offset.store"] = not self.store_after_processing
        return settings


@dataclass(frozen=True)
class ProduceRun:
    """A producer case: send records one by one, maybe SIGKILL the producer and restart it."""

    messages: int = 40
    interval_ms: int = 10              # pause between produce() calls
    settings: tuple[tuple[str, Any], ...] = ()  # producer properties besides acks=all
    crash_after_sent: int | None = None  # SIGKILL right after this many produce() calls
    restart_after_ms: int = 500
    broker_rtt_ms: int = 0             # mock cluster only: test.mock.broker.rtt

    def kafka_settings(self) -> dict[str, Any]:
        """The producer's Kafka properties, the same for the real client and the simulator."""
        return {"acks": "all", **dict(self.settings)}


@dataclass(frozen=True)
class GroupRun:
    """A group case: two members share a multi-partition topic; the one holding partition 0 is SIGKILLed."""

    messages: int = 30
    partitions: int = 3                # the partitions the records go to
    # record i has key i % keys, and goes where librdkafka's partitioner puts that key
    # (crc32(key) % partitions); 14 keys happen to spread the 30 records ten to a partition
    keys: int = 14
    batch: int = 5                     # consume(num_messages=batch); the simulator's max.poll.records
    processing_ms: int = 100           # the application's work per record (a sleep)
    crash_after: int = 8               # SIGKILL right after consumer-1's 8th record, mid-batch
    auto_commit_interval_ms: int = 10
    members: int = 2
    # The mock expires a member whose first heartbeat comes later than its session timeout after the
    # join it waited 3 s for; on a loaded machine 3.5 s is too tight for two members, so the group
    # case uses 6 s, the shortest a real broker accepts (group.min.session.timeout.ms), everywhere.
    session_timeout_ms: int = 6000
    scenario_file: str = ""            # the simulator's scenario, in tutor/data/lab/

    def kafka_settings(self) -> dict[str, Any]:
        """Each member's Kafka properties, the same for the real client and the scenario file."""
        return {"auto.offset.reset": "earliest", "enable.auto.commit": True,
                "enable.auto.offset.store": True, "auto.commit.interval.ms": self.auto_commit_interval_ms,
                "session.timeout.ms": self.session_timeout_ms, "partition.assignment.strategy": "range"}

    def key_of(self, rid: int) -> bytes:
        """Record rid's key, as the simulator's workload gives it (the decimal string of rid % keys)."""
        return key_bytes(rid % self.keys)

    def partition_of(self, rid: int) -> int:
        """Where the lab's producer writes record rid: where the simulator's librdkafka producer puts its key.

        The producer names the partition itself, so that the mock cluster's topic of four partitions
        gets the same placement as the scenario's topic of three."""
        return rdkafka_key_partition(self.key_of(rid), self.partitions)

    def placement(self) -> dict[int, list[int]]:
        """Partition -> the record ids it gets, in offset order."""
        out: dict[int, list[int]] = {p: [] for p in range(self.partitions)}
        for rid in range(self.messages):
            out[self.partition_of(rid)].append(rid)
        return out


@dataclass(frozen=True)
class Case:
    """One experiment of a lab, run once in the simulator and once with the real client."""

    name: str
    title: str
    run: ConsumeRun | ProduceRun | GroupRun
    setup: str                         # one paragraph: what the real run does


@dataclass(frozen=True)
class Lab:
    """A lab: one lesson's loss reproduced with librdkafka, in one or more cases."""

    name: str
    title: str
    description: str
    facts: tuple[str, ...]
    cases: tuple[Case, ...] = field(default_factory=tuple)


_CRASH = ("40 records are produced first. The consumer calls consume(num_messages=10) and spends 100 ms "
          "on each record. Right after its 25th record it is killed with SIGKILL; it is started again "
          "half a second later in the same group and consumes to the end.")

LABS: dict[str, Lab] = {lab.name: lab for lab in (
    Lab("auto-commit", "librdkafka auto-commit: skipped records, then duplicates",
        "With the default offset store, librdkafka stores a record's offset when consume() hands it "
        "over, and the auto-commit timer commits it: a crash mid-batch skips the rest of the batch. "
        "Storing the offset yourself after processing skips nothing; a record or so is processed twice.",
        ("C2",),
        (Case("default-store", "enable.auto.offset.store=true (the default), crash mid-batch",
              ConsumeRun(), _CRASH + " auto.commit.interval.ms=10."),
         Case("store-after-processing", "enable.auto.offset.store=false, store_offsets() after processing",
              ConsumeRun(store_after_processing=True),
              _CRASH + " auto.commit.interval.ms=10; the application calls store_offsets() after each "
              "record."))),
    Lab("commit-order", "Commit before processing versus after processing",
        "Committing right after consume() is at-most-once: a crash mid-batch loses the rest of the "
        "batch. Committing after the batch is processed is at-least-once: the processed part of the "
        "batch is processed again.",
        ("C3",),
        (Case("before-processing", "commit() right after consume(), crash mid-batch",
              ConsumeRun(commit="before-processing"),
              _CRASH + " enable.auto.commit=false; commit(message=last, asynchronous=False) before "
              "processing the batch."),
         Case("after-processing", "commit() after the batch is processed, crash mid-batch",
              ConsumeRun(commit="after-processing"),
              _CRASH + " enable.auto.commit=false; commit(message=last, asynchronous=False) after "
              "processing the batch."))),
    Lab("producer-crash", "Producer crash with records lingering in its buffer",
        "produce() only queues a record; with a long linger.ms the records wait in the client's "
        "memory. A producer killed then takes them along: they never arrive, and nobody is told.",
        ("P1", "P3"),
        (Case("linger", "linger.ms=10000, SIGKILL after 20 records",
              ProduceRun(settings=(("linger.ms", 10000),), crash_after_sent=20),
              "The producer calls produce() every 10 ms with linger.ms=10000. After 20 records it is "
              "killed with SIGKILL; restarted half a second later, it sends records 20-39 and calls "
              "flush(). Then the partition is read from the start."),)),
    Lab("buffer-full", "Producer buffer full: what the application sees",
        "librdkafka's produce() does not block when its queue is full (there is no max.block.ms): "
        "it raises BufferError (QUEUE_FULL) at once. An application that does not handle it loses "
        "the record, knowingly.",
        ("P2",),
        (Case("queue-full", "queue.buffering.max.messages=10, 30 records at once, slow brokers",
              ProduceRun(messages=30, interval_ms=0, settings=(("queue.buffering.max.messages", 10),),
                         broker_rtt_ms=200),
              "The producer calls produce() 30 times in a tight loop, without poll(), with "
              "queue.buffering.max.messages=10, against brokers that answer after 200 ms "
              "(test.mock.broker.rtt). Each BufferError is recorded and the record dropped; then "
              "flush(). Then the partition is read from the start."),)),
    Lab("consumer-group", "A group member killed mid-batch: its partitions move, its batch is gone",
        "Two consumers share a three-partition topic. The one holding partitions 0 and 1 is killed in the "
        "middle of a batch. After its session times out, the other takes its partitions over from the "
        "group's committed offsets: with the default offset store those already cover the whole batch, "
        "so the records the killed member had not processed yet are never processed.",
        ("C2",),
        (Case("group-member-killed", "two members, default offset store, one killed mid-batch",
              GroupRun(scenario_file="group-member-killed.toml"),
              "30 records are produced first, with 14 keys, ten to each of three partitions (as librdkafka's "
              "partitioner places the keys). Two consumers in one group "
              "(range assignment, auto.commit.interval.ms=10, session.timeout.ms=6000) call "
              "consume(num_messages=5) and spend 100 ms on each record. The member holding partitions 0 "
              "and 1 (consumer-1) is killed with SIGKILL right after its 8th record (in the middle of a batch); "
              "consumer-2 takes its "
              "partitions over after the session timeout and consumes to the end."),)),
)}


def available_labs() -> list[tuple[str, str, str]]:
    """(name, title, description) of each lab, for the UI and lessons to offer."""
    return [(lab.name, lab.title, lab.description) for lab in LABS.values()]
