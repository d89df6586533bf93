"""The producer's partitioner: which partition each record goes to, as each client and version decides.

Java: keyed records go to toPositive(murmur2(key)) % partitions (DefaultPartitioner,
BuiltInPartitioner.partitionForKey). Keyless records: before 2.4 round-robin over the partitions
that have a leader, from a random start (DefaultPartitioner.nextValue); 2.4 to 3.2 the sticky
partitioner (KIP-480, StickyPartitionCache): one partition until a new batch is needed for it, then
another one at random; from 3.3 the uniform sticky partitioner (KIP-794, BuiltInPartitioner): one
partition until batch.size bytes went to it and its batches are full (or twice batch.size), then one
at random. librdkafka's default `consistent_random`: keyed records go to crc32(key) % partitions;
keyless ones stick to a random partition for sticky.partitioning.linger.ms (10 ms)
(rd_kafka_msg_partitioner_consistent_random, rd_kafka_msg_sticky_partition).
Every random choice uses the run's seeded RNG.
"""

from __future__ import annotations

import random
import zlib
from typing import Sequence

RDKAFKA_STICKY_LINGER_MS = 10  # librdkafka's sticky.partitioning.linger.ms default


def murmur2(data: bytes) -> int:
    """Kafka's Utils.murmur2: the 32-bit MurmurHash2 with seed 0x9747b28c, as a signed Java int."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    length = len(data)
    h = (0x9747B28C ^ length) & mask
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    tail = length % 4
    if tail == 3:
        h ^= data[whole + 2] << 16
    if tail >= 2:
        h ^= data[whole + 1] << 8
    if tail >= 1:
        h ^= data[whole]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def to_positive(n: int) -> int:
    """Kafka's Utils.toPositive: the int with its sign bit cleared."""
    return n & 0x7FFFFFFF


def key_bytes(key: int) -> bytes:
    """A workload key as its client serializes it: the decimal string in UTF-8 (StringSerializer)."""
    return str(key).encode()


def java_key_partition(key: bytes, partitions: int) -> int:
    """Java: toPositive(murmur2(key)) % partitions, over all partitions, led or not."""
    return to_positive(murmur2(key)) % partitions


def rdkafka_key_partition(key: bytes, partitions: int) -> int:
    """librdkafka consistent(_random): crc32(key) % partitions."""
    return zlib.crc32(key) % partitions


def kind_for(client: str, version: tuple[int, int]) -> str:
    """The default partitioner of a client and Kafka version."""
    if client != "java":
        return "consistent_random"
    if version < (2, 4):
        return "round-robin"
    return "sticky" if version < (3, 3) else "uniform-sticky"


class Partitioner:
    """A client's default partitioner for one topic. `partition` picks a partition for a record;
    `new_batch` and `appended` tell it what the accumulator did (the sticky forms switch on them)."""

    def __init__(self, kind: str, partitions: int, batch_size: int, rng: random.Random) -> None:
        self.kind, self.partitions, self.batch_size, self.rng = kind, partitions, batch_size, rng
        self.counter: int | None = None    # round-robin: Java's per-topic counter
        self.sticky: int | None = None     # the sticky partition
        self.produced = 0                  # uniform sticky: bytes appended to it so far
        self.sticky_since: float | None = None  # librdkafka: when the sticky partition was chosen

    def partition(self, key: bytes | None, available: Sequence[int], now: float) -> int:
        """The partition for a record with this key; `available` are the partitions with a known leader."""
        if key is not None:
            if self.kind == "consistent_random":
                return rdkafka_key_partition(key, self.partitions)
            return java_key_partition(key, self.partitions)
        if self.kind == "round-robin":
            return self._round_robin(available)
        if self.kind == "consistent_random":
            return self._rdkafka_sticky(available, now)
        if self.sticky is None:
            self.sticky = self._any(available) if self.kind == "uniform-sticky" else self._other(available, None)
        return self.sticky

    def new_batch(self, prev: int, available: Sequence[int]) -> bool:
        """Java 2.4-3.2 (onNewBatch): a keyless record needs a new batch on the sticky partition; pick
        another partition. True if the sticky partition changed."""
        if self.kind != "sticky" or self.sticky != prev:
            return False
        self.sticky = self._other(available, prev)
        return self.sticky != prev

    def appended(self, size: int, all_full: bool, available: Sequence[int]) -> None:
        """Java 3.3+ (updatePartitionInfo): switch once batch.size bytes went to the sticky partition and
        its batches are full, or once twice batch.size went to it."""
        if self.kind != "uniform-sticky":
            return
        self.produced += size
        if (self.produced >= self.batch_size and all_full) or self.produced >= 2 * self.batch_size:
            self.sticky, self.produced = self._any(available), 0

    # --- the random choices ----------------------------------------------------------------
    def _rand(self) -> int:
        """toPositive(ThreadLocalRandom.nextInt()), from the run's RNG."""
        return self.rng.getrandbits(31)

    def _round_robin(self, available: Sequence[int]) -> int:
        """DefaultPartitioner before 2.4: a counter from a random start, over the led partitions."""
        if self.counter is None:
            self.counter = self.rng.getrandbits(32)
        value = to_positive(self.counter)
        self.counter = (self.counter + 1) & 0xFFFFFFFF
        return available[value % len(available)] if available else value % self.partitions

    def _other(self, available: Sequence[int], old: int | None) -> int:
        """StickyPartitionCache.nextPartition: at random among the led partitions, not the old one."""
        if not available:
            return self._rand() % self.partitions
        if len(available) == 1:
            return available[0]
        new = old
        while new is None or new == old:
            new = available[self._rand() % len(available)]
        return new

    def _any(self, available: Sequence[int]) -> int:
        """BuiltInPartitioner.nextPartition without load statistics: uniform over the led partitions."""
        r = self._rand()
        return available[r % len(available)] if available else r % self.partitions

    def _rdkafka_sticky(self, available: Sequence[int], now: float) -> int:
        """rd_kafka_msg_sticky_partition: a new random partition every sticky.partitioning.linger.ms,
        at once if the sticky one lost its leader; rd_kafka_msg_partitioner_random draws a second time
        if the first draw has no leader."""
        due = self.sticky_since is None or now - self.sticky_since >= RDKAFKA_STICKY_LINGER_MS
        if due or self.sticky not in available:
            p = self.rng.randrange(self.partitions)
            if p not in available:
                p = self.rng.randrange(self.partitions)
            self.sticky, self.sticky_since = p, now
        return self.sticky
