"""A client process of the lab: a librdkafka producer or consumer reporting each step as a JSON line."""

# Run by the lab as `python -m tutor.lab.worker CONFIG_JSON`. Each line goes straight to the
# stdout pipe, so the lines written before a SIGKILL are still read by the lab. At a crash point
# it says so and waits to be killed (a group member may be told to carry on instead). It exits
# by itself when its stdin (a pipe from the lab) closes, so no worker outlives the lab.

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
from typing import Any, NoReturn

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

QUIET = logging.getLogger("tutor.lab.worker.librdkafka")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


def emit(event: str, **fields: Any) -> None:
    """Write one event line straight to the stdout pipe (no buffer to lose on SIGKILL)."""
    os.write(1, (json.dumps({"event": event, **fields}) + "\n").encode())


#: set when the lab writes "go" on our stdin: group members wait for it before joining, so that they join
#: together however long each process took to start (a late member met a group its dead peer had formed)
GO = threading.Event()
#: the lab's other lines, in order: its answer to each assignment a group member reports ("crash" or "carry-on")
ORDERS: "queue.Queue[str]" = queue.Queue()


def exit_with_parent() -> None:
    """Leave at once when the lab closes our stdin (it finished, or it died); note its "go" and its orders."""
    def watch() -> None:
        """Read stdin until EOF, then exit."""
        for line in sys.stdin.buffer:
            word = line.strip().decode()
            if word == "go":
                GO.set()
            elif word:
                ORDERS.put(word)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def crash_point(may_carry_on: bool = False) -> None:
    """Say we reached the crash point and wait for the lab's SIGKILL, doing nothing more; with may_carry_on,
    the lab may answer "carry-on" instead (a group that is still rebalancing), and this returns."""
    emit("crash-point")
    if may_carry_on:
        ORDERS.get()
        return
    while True:
        time.sleep(3600)


def client_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The librdkafka properties: the case's settings, the cluster and a quiet logger."""
    return {**cfg["settings"], "bootstrap.servers": cfg["bootstrap"], "logger": QUIET}


# --- consumer --------------------------------------------------------------------------------
def run_consumer(cfg: dict[str, Any]) -> None:
    """Consume batches, process each record, commit or store as the case says, until the end."""
    consumer = Consumer({**client_config(cfg), "group.id": cfg["group"],
                         "heartbeat.interval.ms": cfg["settings"]["session.timeout.ms"] // 10})
    consumer.subscribe([cfg["topic"]], on_assign=lambda c, parts: emit("assigned"))
    processed, last_offset = 0, -1
    while last_offset < cfg["end"] - 1:
        batch = take(consumer, cfg["batch"])
        if not batch and at_end(consumer, cfg):
            break
        if batch and cfg["commit"] == "before-processing":
            consumer.commit(message=batch[-1], asynchronous=False)
        for msg in batch:
            time.sleep(cfg["processing_ms"] / 1000)  # the application's work
            emit("processed", id=int(msg.value()), offset=msg.offset())
            processed += 1
            if processed == cfg.get("crash_after"):
                crash_point()  # before store_offsets(): the kill lands before anything is stored
            if cfg["store_after_processing"]:
                consumer.store_offsets(message=msg)
            last_offset = msg.offset()
        if batch and cfg["commit"] == "after-processing":
            consumer.commit(message=batch[-1], asynchronous=False)
    consumer.close()
    emit("done")


def take(consumer: Consumer, n: int) -> list[Any]:
    """One consume(num_messages=n) call; errors are reported, not processed."""
    batch = []
    for msg in consumer.consume(num_messages=n, timeout=0.5):
        if msg.error() is None:
            batch.append(msg)
        elif msg.error().code() != KafkaError._PARTITION_EOF:
            emit("client-error", error=str(msg.error()))
    if batch:
        emit("batch", ids=[int(m.value()) for m in batch],
             at=[[m.partition(), m.offset()] for m in batch])
    return batch


def at_end(consumer: Consumer, cfg: dict[str, Any]) -> bool:
    """Is the group's committed offset already at the end (nothing left to consume)?"""
    if not consumer.assignment():
        return False
    [tp] = consumer.committed([TopicPartition(cfg["topic"], 0)], timeout=10)
    return tp.offset >= cfg["end"]


# --- a member of a consumer group ----------------------------------------------------------------
def run_group_member(cfg: dict[str, Any]) -> None:
    """Consume batches from every partition assigned, until the group has committed every partition's end.

    After each assignment the member says which partitions it got and waits for the lab's answer: "crash"
    (stop at the crash point once `crash_after` records of this assignment are processed, at a record that is
    not the last of its batch) or "carry-on". The lab alone decides which member is killed, so that only one
    ever is, whatever order the group's generations came in; at the crash point it kills the member, or
    lets it carry on if the group is still rebalancing. The default offset store and auto-commit do the
    committing, as the case's settings say.
    """
    consumer = Consumer({**client_config(cfg), "group.id": cfg["group"], "client.id": cfg["client_id"],
                         "heartbeat.interval.ms": cfg["settings"]["session.timeout.ms"] // 10})
    since = [0]        # records processed since the latest assignment
    armed = [False]    # the lab's answer to the latest assignment
    closing = False

    def assigned(c: Consumer, parts: list[TopicPartition]) -> None:
        """Say which partitions this member now holds; take the lab's answer before consuming them."""
        since[0] = 0
        emit("assigned", partitions=sorted(p.partition for p in parts))
        armed[0] = ORDERS.get() == "crash"  # the lab answers at once; stdin closing ends the process

    def revoked(c: Consumer, parts: list[TopicPartition]) -> None:
        """Say which partitions this member gives up (eager protocol: all of them)."""
        emit("revoked", partitions=sorted(p.partition for p in parts), closing=closing)

    if cfg.get("wait_for_go"):
        GO.wait()
    consumer.subscribe([cfg["topic"]], on_assign=assigned, on_revoke=revoked)
    ends = {int(p): end for p, end in cfg["ends"].items()}
    while True:
        batch = take(consumer, cfg["batch"])
        if not batch and group_at_end(consumer, cfg["topic"], ends):
            break
        for msg in batch:
            time.sleep(cfg["processing_ms"] / 1000)  # the application's work
            emit("processed", id=int(msg.value()), partition=msg.partition(), offset=msg.offset())
            since[0] += 1
            if armed[0] and since[0] >= cfg["crash_after"] and msg is not batch[-1]:
                crash_point(may_carry_on=True)
                armed[0] = False  # not killed: the lab arms it again at its next assignment
    closing = True
    consumer.close()
    emit("done")


def group_at_end(consumer: Consumer, topic: str, ends: dict[int, int]) -> bool:
    """Has the group committed the end of every partition that holds records?"""
    if not consumer.assignment():
        return False
    parts = consumer.committed([TopicPartition(topic, p) for p in sorted(ends)], timeout=10)
    return all(tp.offset >= ends[tp.partition] for tp in parts)


# --- producer --------------------------------------------------------------------------------
def run_producer(cfg: dict[str, Any]) -> None:
    """produce() each record, report each outcome, maybe stop at the crash point, then flush()."""
    producer = Producer(client_config(cfg))
    for n, rid in enumerate(range(cfg["first"], cfg["first"] + cfg["count"]), start=1):
        emit("sent", id=rid)
        try:
            producer.produce(cfg["topic"], value=str(rid).encode(), partition=0,
                             on_delivery=lambda err, msg, rid=rid: delivered(rid, err))
        except BufferError as err:  # librdkafka does not block: QUEUE_FULL at once
            emit("rejected", id=rid, error=str(err))
        if cfg["interval_ms"]:
            # sending at a pace, the application serves delivery reports between sends; a burst
            # does not, and librdkafka frees a queue slot only once its report has been served
            producer.poll(0)
        if n == cfg.get("crash_after"):
            crash_point()
        time.sleep(cfg["interval_ms"] / 1000)
    left = producer.flush(60)
    emit("done", unflushed=left)


def delivered(rid: int, err: Any) -> None:
    """A delivery report: acked, or failed with the error the application is told."""
    if err is None:
        emit("acked", id=rid)
    else:
        emit("failed", id=rid, error=str(err))


def main(argv: list[str]) -> NoReturn:
    """Run the role named in the JSON config, then leave at once."""
    cfg = json.loads(argv[1])
    exit_with_parent()
    emit("started", pid=os.getpid())
    {"consumer": run_consumer, "group-member": run_group_member, "producer": run_producer}[cfg["role"]](cfg)
    # Everything is delivered or the consumer closed; librdkafka's teardown would only add a
    # second of waiting for its threads.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
