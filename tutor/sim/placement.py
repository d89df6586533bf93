"""Which broker coordinates a consumer group: the leader of its __consumer_offsets partition.

Kafka: `GroupCoordinatorService.partitionFor` (formerly `GroupMetadataManager.partitionFor`) is
`Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions` (default 50), and the coordinator
is that partition's leader. The topic is replicated (`offsets.topic.replication.factor`, 3), so
committed offsets and group metadata survive the coordinator's death; its new leader takes over.
"""

from __future__ import annotations

from typing import Container, Sequence

OFFSETS_TOPIC_PARTITIONS = 50   # offsets.topic.num.partitions
OFFSETS_TOPIC_REPLICATION = 3   # offsets.topic.replication.factor


def java_string_hash(s: str) -> int:
    """Java's `String.hashCode()`: s[0]*31^(n-1) + ... over UTF-16 code units, as a signed 32-bit int."""
    h, data = 0, s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def offsets_partition(group_id: str, partitions: int = OFFSETS_TOPIC_PARTITIONS) -> int:
    """The __consumer_offsets partition that holds a group (`Utils.abs` maps MIN_VALUE to 0)."""
    h = java_string_hash(group_id)
    return (0 if h == -(1 << 31) else abs(h)) % partitions


def offsets_replicas(partition: int, brokers: Sequence[str],
                     replication: int = OFFSETS_TOPIC_REPLICATION) -> list[str]:
    """The replicas of a __consumer_offsets partition in the model: brokers partition % n, then the
    next ones in order. Kafka's rack-unaware placement does this from a random start and shift; the
    model fixes both at 0 so a run is deterministic."""
    n = len(brokers)
    return [brokers[(partition + i) % n] for i in range(min(replication, n))]


def coordinator_for(group_id: str, brokers: Sequence[str], alive: Container[str],
                    partitions: int = OFFSETS_TOPIC_PARTITIONS,
                    replication: int = OFFSETS_TOPIC_REPLICATION) -> str | None:
    """The group's coordinator: the first live replica of its offsets partition (the preferred leader
    while it lives, as the controller elects the first live ISR replica); None if all are down
    (FindCoordinator answers COORDINATOR_NOT_AVAILABLE)."""
    replicas = offsets_replicas(offsets_partition(group_id, partitions), brokers, replication)
    return next((b for b in replicas if b in alive), None)
