"""The cluster a lab runs against: librdkafka's mock cluster held by this process, or a real one."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from .target import Target

QUIET = logging.getLogger("tutor.lab.librdkafka")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False  # librdkafka's connection chatter is not the learner's business

TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10.0  # a cluster that has not answered its metadata by then is not there


class LabError(Exception):
    """The real run could not be carried out (cluster unreachable, a client failed, a timeout)."""


def unique(prefix: str) -> str:
    """A name no other run uses: "tutor-lab-auto-commit-3f9c2a1b"."""
    return f"tutor-lab-{prefix}-{uuid.uuid4().hex[:8]}"


class LabCluster:
    """The bootstrap servers, the topics and groups this run created, and their clean-up."""

    def __init__(self, target: Target, broker_rtt_ms: int = 0) -> None:
        """Create the mock cluster (or connect to the real one) and learn its brokers."""
        self.target = target
        self.topics: list[str] = []
        self.groups: list[str] = []
        if target.mock:
            # This process holds the mock cluster for as long as the admin client lives; the
            # client processes connect to its brokers' ports and can be killed and restarted.
            self.admin = AdminClient({"test.mock.num.brokers": 3, "test.mock.broker.rtt": broker_rtt_ms,
                                      "logger": QUIET})
        else:
            self.admin = AdminClient({"bootstrap.servers": target.bootstrap_servers, "logger": QUIET})
        self.brokers = self._brokers()
        self.bootstrap = ",".join(self.brokers)

    def _brokers(self) -> list[str]:
        """host:port of every broker, from the cluster's metadata."""
        try:
            meta = self.admin.list_topics(timeout=CONNECT_TIMEOUT_S)
        except KafkaException as err:
            raise LabError(f"cannot reach {self.target.describe()}: {err.args[0].str()}") from None
        return [f"{b.host}:{b.port}" for b in sorted(meta.brokers.values(), key=lambda b: b.id)]

    def create_topic(self, lab: str, partitions: int = 1) -> str:
        """A new topic with `partitions` partitions; on the mock cluster it is created on first use."""
        name = unique(lab)
        self.topics.append(name)
        if self.target.mock:
            # the mock auto-creates topics with 4 partitions (it times out on CreateTopics); a lab
            # writes to the first `partitions` of them and leaves the others empty
            Producer({"bootstrap.servers": self.bootstrap, "logger": QUIET}).list_topics(name, timeout=10)
            return name
        topic = NewTopic(name, num_partitions=partitions, replication_factor=min(3, len(self.brokers)))
        try:
            self.admin.create_topics([topic])[name].result(TIMEOUT_S)
        except KafkaException as err:
            raise LabError(f"cannot create topic {name}: {err.args[0].str()}") from None
        except TimeoutError:
            raise LabError(f"the cluster did not create topic {name} within {TIMEOUT_S:g} s") from None
        self._wait_for_leader(name)
        return name

    def partitions(self, topic: str) -> int:
        """How many partitions the topic has (the mock's auto-created topics have four)."""
        meta = self.admin.list_topics(topic, timeout=TIMEOUT_S).topics.get(topic)
        if meta is None or meta.error is not None or not meta.partitions:
            raise LabError(f"the cluster did not describe topic {topic}")
        return len(meta.partitions)

    def _wait_for_leader(self, name: str) -> None:
        """A new topic's partition needs a leader before anyone can use it."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            topic = self.admin.list_topics(name, timeout=10).topics.get(name)
            if topic and topic.error is None and 0 in topic.partitions and topic.partitions[0].leader >= 0:
                return
            time.sleep(0.2)
        raise LabError(f"topic {name} got no leader within {TIMEOUT_S:g} s")

    def new_group(self, lab: str) -> str:
        """A consumer group id of our own (deleted afterwards on a real cluster)."""
        name = unique(lab)
        self.groups.append(name)
        return name

    def close(self) -> list[str]:
        """Delete what we created on a real cluster; returns the topics removed."""
        if self.target.mock or not self.topics:
            return []  # the mock cluster goes with its admin client
        if self.groups:
            _settle(self.admin.delete_consumer_groups(self.groups, request_timeout=10))
        _settle(self.admin.delete_topics(self.topics, operation_timeout=10))
        return list(self.topics)


def _settle(futures: dict[str, Any]) -> None:
    """Wait for admin operations; a failed clean-up is not worth failing the lab for."""
    for future in futures.values():
        try:
            future.result(CONNECT_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - best effort: the group or topic may already be gone
            pass


def produce_all(bootstrap: str, topic: str, count: int,
                place: Callable[[int], tuple[int, bytes | None]] | None = None,
                placed: dict[int, tuple[int, int]] | None = None) -> tuple[int, int]:
    """Send records 0..count-1 with acks=all and wait; returns (acked, failed). `place` gives record i's
    partition and key (default: partition 0, no key); `placed` gets each acknowledged record's
    (partition, offset)."""
    results: list[bool] = []

    def delivered(err: Any, msg: Any) -> None:
        """Tally the delivery report; note where the record landed."""
        results.append(err is None)
        if err is None and placed is not None:
            placed[int(msg.value())] = (msg.partition(), msg.offset())

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "logger": QUIET})
    for rid in range(count):
        partition, key = place(rid) if place else (0, None)
        producer.produce(topic, value=str(rid).encode(), key=key, partition=partition, on_delivery=delivered)
    if producer.flush(TIMEOUT_S):
        raise LabError(f"records not delivered to {topic} within {TIMEOUT_S:g} s")
    return sum(results), results.count(False)


def read_log(bootstrap: str, topic: str) -> list[int]:
    """Every record id in partition 0, from the start to the high watermark, in log order."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("audit"),
                         "enable.auto.commit": False, "logger": QUIET})
    try:
        part = TopicPartition(topic, 0, OFFSET_BEGINNING)
        _, high = consumer.get_watermark_offsets(part, timeout=TIMEOUT_S)
        consumer.assign([part])
        ids: list[int] = []
        deadline = time.monotonic() + TIMEOUT_S
        offset = -1
        while offset < high - 1:
            if time.monotonic() > deadline:
                raise LabError(f"could not read {topic} to its end within {TIMEOUT_S:g} s")
            msg = consumer.poll(0.2)
            if msg is not None and msg.error() is None:
                ids.append(int(msg.value()))
                offset = msg.offset()
        return ids
    finally:
        consumer.close()
