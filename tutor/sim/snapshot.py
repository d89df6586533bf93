"""Small, immutable pictures of a run at one instant: what every view draws, derived from the model."""

from __future__ import annotations

import dataclasses
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .assignors import rebalance_protocol
from .config import strategies
from .waits import pending

if TYPE_CHECKING:
    from .simulation import Simulation

# Record states, in the order a record normally passes them (views map each to a glyph and a label).
UNSENT, BUFFERED, IN_FLIGHT, PAGE_CACHE, FLUSHED, REPLICATED, COMMITTED, PROCESSED, DUPLICATED, \
    FAILED, LOST = range(11)
_ZERO = re.compile(b"\x00")
STATE_NAMES = ("unsent", "buffered", "in flight", "page cache only", "flushed", "replicated",
               "committed", "processed", "duplicated", "failed", "lost")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of consecutive offsets holding consecutive record ids, same epoch, same durability."""

    base: int
    end: int
    first_id: int
    epoch: int
    durable: bool

    def ids(self) -> range:
        """Record ids in this segment."""
        return range(self.first_id, self.first_id + self.end - self.base)


@dataclass(frozen=True)
class BrokerView:
    """One broker as the views show it."""

    name: str
    up: bool
    host_on: bool
    down_kind: str | None
    role: str | None          # what the broker itself believes
    leader: bool              # the controller's leader
    zombie: bool              # believes it leads, but the controller elected another
    in_isr: bool              # in the controller's ISR
    leader_epoch: int
    hw: int
    leo: int
    flushed: int
    segments: tuple[Segment, ...]
    replica: bool             # hosts a replica of t-0

    @property
    def unflushed(self) -> int:
        """Records only in the page cache."""
        return self.leo - self.flushed


@dataclass(frozen=True)
class ReplicaView:
    """One partition's replica on one broker (the fields record_states reads match BrokerView's)."""

    name: str                 # the broker
    up: bool
    role: str | None          # what the broker itself believes
    leader: bool              # the controller's leader of this partition
    in_isr: bool
    hw: int
    leo: int
    flushed: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class PartitionView:
    """One partition as the controller and its replicas have it: the per-partition view of a topic."""

    index: int
    tp: str                   # "t-0", "t-1", ...
    leader: str | None        # the controller's leader (None: offline)
    leader_epoch: int
    isr: tuple[str, ...]
    hw: int                   # the leader's high watermark (0 while offline)
    replicas: tuple[ReplicaView, ...]  # in assignment order: the first is the preferred leader


@dataclass(frozen=True)
class Message:
    """A message on the wire, drawn between its send and arrival times."""

    src: str
    dst: str
    kind: str                 # produce, produce-response, fetch, fetch-response, consumer-fetch, ...
    sent_at: float
    arrives_at: float
    first_id: int = -1
    count: int = 0
    error: str | None = None  # an answer that carries an error (produce and fetch responses)
    ranges: tuple[tuple[int, int], ...] = ()  # (first id, count) of each batch carried

    def ids(self) -> list[int]:
        """Every record id the message carries (batches need not hold consecutive ids)."""
        return [rid for first, count in self.ranges for rid in range(first, first + count)]


@dataclass(frozen=True)
class ProducerView:
    """The application and its producer client."""

    up: bool
    sent: int
    total: int
    buffered: tuple[tuple[int, int, float], ...]    # (first_id, count, created) per batch waiting
    in_flight: tuple[tuple[int, int, str, int], ...]  # (first_id, count, destination, attempt)
    blocked: bool
    used_bytes: int
    buffer_bytes: int
    leader: str | None
    linger_ms: float
    #: the application's mode and its state: ("window", unanswered, max.outstanding) | ("spool", entries,
    #: synced, unread, not done) | ("unbounded", queued bytes, app.memory.bytes) | () for async and sync
    app: tuple = ()


@dataclass(frozen=True)
class ConsumerView:
    """The consumer application and its client."""

    up: bool
    state: str
    position: int | None
    committed: int | None
    processing: tuple[int, int, float] | None  # (record id, offset, started)
    queued: tuple[int, ...]                    # record ids handed over, waiting
    processed: int
    mode: str
    #: per partition: (partition, position, the group's committed offset), t-0 first
    partitions: tuple[tuple[int, int | None, int | None], ...] = ()


@dataclass(frozen=True)
class MemberView:
    """One member of the consumer group: its assignment, positions and committed offsets per partition."""

    name: str
    up: bool
    state: str
    assigned: tuple[int, ...]
    positions: tuple[tuple[int, int], ...]   # (partition, position)
    committed: tuple[tuple[int, int], ...]   # (partition, the group's committed offset)
    last_poll_ms: float | None
    max_poll_interval_ms: int
    consumer: ConsumerView | None = None     # the member as a ConsumerView (what the consumer pane reads)


@dataclass(frozen=True)
class GroupView:
    """The consumer group at its coordinator, and every member."""

    state: str
    generation: int
    protocol: str        # the rebalance protocol: eager or cooperative
    strategy: str        # the assignor the group chose (or the members' preference before one is chosen)
    coordinator: str | None
    members: tuple[MemberView, ...]
    rebalancing: bool
    tps: tuple[str, ...] = ()  # every partition's name by index: "t-0", ..., "bar-1"


@dataclass(frozen=True)
class Snapshot:
    """Everything a view needs at time `t`; record states are derived on demand."""

    t: float
    phase: str
    brokers: tuple[BrokerView, ...]
    controller_up: bool
    leader: str | None
    leader_epoch: int
    isr: tuple[str, ...]
    producer: ProducerView
    consumer: ConsumerView | None
    messages: tuple[Message, ...]
    cut_links: tuple[tuple[str, str], ...]
    slow: dict[str, float]
    events_seen: int          # how many ledger events existed at t
    counts: dict[str, int]
    config: dict[str, dict[str, Any]]
    _states: bytes = field(default=b"", repr=False)  # one byte per record (zlib-packed when older)
    _packed: bool = field(default=False, repr=False)
    waits: tuple = ()         # the pending timeouts that decide what happens next (waits.Wait)
    partitions: tuple[PartitionView, ...] = ()  # every partition of the topic, t-0 first
    group: GroupView | None = None  # None when there is no consumer; `consumer` is its first member

    def _raw(self) -> bytes:
        """The per-record states, unpacked."""
        return _unpack(self._states) if self._packed else self._states

    def state(self, rid: int) -> int:
        """The state of one record at this instant."""
        raw = self._raw()
        return raw[rid] if 0 <= rid < len(raw) else UNSENT

    def states(self) -> list[int]:
        """States of every record sent so far."""
        return list(self._raw())

    def packed(self) -> "Snapshot":
        """The same snapshot with its record states compressed, for keeping many frames."""
        if self._packed:
            return self
        return dataclasses.replace(self, _states=zlib.compress(self._states, 1), _packed=True)

    def broker(self, name: str) -> BrokerView:
        """One broker by name."""
        return next(b for b in self.brokers if b.name == name)


# --- building ----------------------------------------------------------------------------
def segments(log: Any) -> tuple[Segment, ...]:
    """Merge a replica log's batches into segments of consecutive ids (same epoch, same durability)."""
    out: list[Segment] = []
    run: list[Any] | None = None  # [base, end, first_id, epoch, durable] of the open segment
    flushed = log.flushed
    for b in log.batches:
        durable = b.end <= flushed
        if (run is not None and run[1] == b.base and run[2] + run[1] - run[0] == b.first_id
                and run[3] == b.epoch and run[4] == durable):
            run[1] = b.end
            continue
        if run is not None:
            out.append(Segment(*run))
        run = [b.base, b.end, b.first_id, b.epoch, durable]
    if run is not None:
        out.append(Segment(*run))
    return tuple(out)


def _broker_view(sim: "Simulation", b: Any) -> BrokerView:
    """Build one broker's view."""
    r, ctl = b.replica, sim.controller
    is_leader = ctl.leader == b.name
    return BrokerView(b.name, b.up, b.host_on, b.down_kind, r.role, is_leader,
                      b.up and r.role == "leader" and not is_leader, b.name in ctl.isr, r.leader_epoch,
                      r.hw, r.log.leo, r.log.flushed, segments(r.log), b.name in sim.replica_names())


def _partition_views(sim: "Simulation", brokers: tuple[BrokerView, ...]) -> tuple[PartitionView, ...]:
    """Every partition: leader, ISR and epoch from the controller; each replica's log end, flushed
    offset and HW from its broker (t-0's segments are shared with the broker views)."""
    t0 = {b.name: b.segments for b in brokers}
    out = []
    for part in sim.controller.parts:
        views = []
        for name in part.replicas:
            b = sim.brokers[name]
            r = b.replicas[part.index]
            segs = t0[name] if part.index == 0 else segments(r.log)
            views.append(ReplicaView(name, b.up, r.role, part.leader == name, name in part.isr, r.hw,
                                     r.log.leo, r.log.flushed, segs))
        lead = next((v for v in views if v.leader), None)
        out.append(PartitionView(part.index, part.tp, part.leader, part.leader_epoch, tuple(part.isr),
                                 lead.hw if lead else 0, tuple(views)))
    return tuple(out)


def _producer_view(sim: "Simulation") -> ProducerView:
    """Build the producer's view."""
    p = sim.producer
    cfg = p.cfg
    limit = cfg.get("buffer.memory") or cfg.get("queue.buffering.max.kbytes", 0) * 1024
    return ProducerView(p.up, len(sim.ledger), sim.workload_size(),
                        tuple((b.first_id, b.count, b.created) for b in (p.queue if p.nparts == 1 else p.queued())),
                        tuple((b.first_id, b.count, b.sent_to or "?", b.attempts)
                              for b in p.in_flight.values()),
                        p.app.blocked_since is not None, p.used_bytes, limit, p.leader, cfg["linger.ms"],
                        p.app_view())


def _consumer_view(sim: "Simulation", c: Any = None) -> ConsumerView | None:
    """Build the consumer's view (the one consumer, or one member of the group)."""
    c = sim.consumer if c is None else c
    if c is None:
        return None
    cur = (c.current.rid, c.current.offset, c.current_since) if c.current else None
    return ConsumerView(c.up, c.state, c.position, sim.group.committed, cur,
                        tuple(r.rid for r in c.work), sim.processed_count, c.cfg["processing.mode"],
                        tuple((f.index, f.position, sim.group.part(f.index).offset) for f in c.parts))


def _group_view(sim: "Simulation", first: ConsumerView | None) -> GroupView | None:
    """The group: the coordinator's state and each member (one member alone when instances = 1)."""
    if sim.consumer is None:
        return None
    cfg = sim.config.consumer
    wire = getattr(sim, "wire", None)
    committed = tuple((p, o.offset) for p, o in enumerate(sim.group.offsets) if o.offset is not None)
    members = tuple(_member_view(sim, m, committed, first if i == 0 else None)
                    for i, m in enumerate(sim.members))
    if wire is None:  # the consumer alone: its group is stable once it has joined
        c = sim.consumer
        state = "Stable" if c.state == "active" else "Empty" if not c.up else "PreparingRebalance"
        strategy = cfg["partition.assignment.strategy"].split(",")[0]
        return GroupView(state, 1 if sim.group.ever_joined else 0, _protocol(cfg), strategy, None, members,
                         c.state == "joining", sim.tp_names)
    state, generation, assignor = wire.view()
    strategy = assignor or cfg["partition.assignment.strategy"].split(",")[0]
    protocol = "consumer" if wire.kip848 else _protocol(cfg)
    return GroupView(state, generation, protocol, strategy, wire.broker, members,
                     state in ("PreparingRebalance", "CompletingRebalance", "Reconciling"), sim.tp_names)


def _protocol(cfg: dict[str, Any]) -> str:
    """eager or cooperative, as the client derives it from its assignors."""
    try:
        return rebalance_protocol(cfg["client"], strategies(cfg["partition.assignment.strategy"]))
    except ValueError:
        return "eager"


def _member_view(sim: "Simulation", m: Any, committed: tuple, view: ConsumerView | None) -> MemberView:
    """One member: assigned partitions, positions, the group's committed offsets of those partitions."""
    owned = tuple(getattr(m, "owned", tuple(f.index for f in m.parts)))
    positions = tuple((f.index, f.position) for f in m.parts if f.index in owned and f.position is not None)
    mine = tuple((p, o) for p, o in committed if p in owned)
    last_poll = getattr(m, "last_poll", None)
    return MemberView(m.name, m.up, m.state, owned, positions, mine, last_poll,
                      sim.config.consumer["max.poll.interval.ms"], view or _consumer_view(sim, m))


KINDS = {"on_produce": "produce", "_on_response": "produce-response", "on_fetch": "fetch",
         "on_fetch_response": "fetch-response", "on_consumer_fetch": "consumer-fetch",
         "_on_fetch": "consumer-fetch-response", "on_heartbeat": "heartbeat", "on_metadata": "metadata"}


def _payload(kind: str, args: tuple) -> tuple[tuple[int, int], ...]:
    """(first record id, count) of each batch a message carries."""
    if kind == "produce":
        return ((args[0].batch.first_id, args[0].batch.count),)
    if kind in ("fetch-response", "consumer-fetch-response"):
        batches = args[-2]  # (..., error, diverge, batches, hw) for followers and consumers alike
        return tuple((b.first_id, b.count) for b in batches or ())
    return ()


def _error(kind: str, args: tuple) -> str | None:
    """The error code an answer carries, if any."""
    if kind == "produce-response" and len(args) > 1 and args[1] not in (None, "OK"):
        return args[1]  # args: (request key, error, offset)
    if kind in ("fetch-response", "consumer-fetch-response"):
        err = args[-4]
        return err if isinstance(err, str) else None
    return None


def _messages(sim: "Simulation") -> tuple[Message, ...]:
    """Messages on the wire now, with the records they carry."""
    out = []
    for (src, dst, fn, args, t0, t1) in sim.net.in_flight.values():
        kind = KINDS.get(getattr(fn, "__name__", ""), "control")
        if kind == "control" and getattr(fn, "func", None) is not None:  # a partial: a reply
            kind = KINDS.get(getattr(fn.args[1], "__name__", "") if len(fn.args) > 1 else "", "control")
        ranges = _payload(kind, args)
        first = ranges[0][0] if ranges else -1
        out.append(Message(src, dst, kind, t0, t1, first, sum(c for _, c in ranges), _error(kind, args),
                           ranges))
    return tuple(out)


_LOST = re.compile(bytes((LOST,)))
#: a record's state from how often it was processed: once, or more
_DONE_STATE = bytes([0, PROCESSED] + [DUPLICATED] * 254)


@lru_cache(maxsize=8)
def _unpack(packed: bytes) -> bytes:
    """Decompress a packed frame's states (the few frames being looked at stay cached)."""
    return zlib.decompress(packed)


def _fill(states: bytearray, lo: int, hi: int, state: int) -> None:
    """Set records lo..hi-1 to `state`."""
    if hi > lo:
        states[lo:hi] = bytes((state,)) * (hi - lo)


def _shared(leader: BrokerView, others: tuple[BrokerView, ...]) -> list[tuple[int, int]]:
    """Offset ranges of the leader's log that some follower holds identically (same records)."""
    out = []
    for seg in leader.segments:
        for b in others:
            for f in b.segments:
                lo, hi = max(seg.base, f.base), min(seg.end, f.end)
                if lo < hi and seg.first_id - seg.base == f.first_id - f.base:
                    out.append((seg.first_id + lo - seg.base, seg.first_id + hi - seg.base))
    return out


def record_states(sim: "Simulation", brokers: tuple[BrokerView, ...],
                  messages: tuple[Message, ...] = (), partitions: tuple[PartitionView, ...] = ()) -> bytearray:
    """The state of every record sent so far: later rules below override earlier ones. t-0 is read
    from the broker views, the other partitions from their replica views."""
    n = len(sim.ledger)
    states, present = bytearray(n), bytearray(n)
    _log_states(states, present, brokers)
    for pv in partitions[1:]:
        _log_states(states, present, pv.replicas)
    _client_states(sim, states, present, messages)
    return states


def _log_states(states: bytearray, present: bytearray, brokers: tuple[Any, ...]) -> None:
    """One partition's logs: page cache or flushed, replicated, committed below the leader's HW."""
    segs = [seg for b in brokers for seg in b.segments]
    for seg in sorted(segs, key=lambda g: g.durable):  # a durable copy anywhere wins
        ids = seg.ids()
        _fill(states, ids.start, ids.stop, FLUSHED if seg.durable else PAGE_CACHE)
        _fill(present, ids.start, ids.stop, 1)
    leader = next((b for b in brokers if b.leader and b.up), None)
    if leader is not None:
        for lo, hi in _shared(leader, tuple(b for b in brokers if b is not leader)):
            _fill(states, lo, hi, REPLICATED)
        for seg in leader.segments:
            if seg.base < leader.hw:
                _fill(states, seg.first_id, seg.first_id + min(seg.end, leader.hw) - seg.base, COMMITTED)


def _client_states(sim: "Simulation", states: bytearray, present: bytearray, messages: tuple[Message, ...]) -> None:
    """Records on the wire, in the producer or the application, processed or lost."""
    n = len(states)
    for m in messages:  # records on the wire are not lost (yet)
        for rid in m.ids():
            if rid < n and not present[rid]:
                states[rid], present[rid] = IN_FLIGHT, 1
    queued = sim.producer.queued()
    for b in queued + list(sim.producer.in_flight.values()):
        ids = b.history.ids()
        if b in queued:
            _fill(states, ids.start, ids.stop, BUFFERED)
        elif not any(present[ids.start:ids.stop]):
            _fill(states, ids.start, ids.stop, IN_FLIGHT)
        _fill(present, ids.start, ids.stop, 1)
    for rid in sim.producer.app.pending:
        present[rid] = 1
    if sim.producer.app.spool is not None:  # records in the spool file are not lost (yet)
        for rid in sim.producer.app.spool.waiting():
            present[rid] = 1
    done = sim.ledger.times_done
    for lo, hi in sim.ledger.processed_runs():  # processed records come in long runs: each set in C
        states[lo:hi] = done[lo:hi].translate(_DONE_STATE)
        present[lo:hi] = b"\x01" * (hi - lo)
    _mark_gone(sim, states, present)


def _mark_gone(sim: "Simulation", states: bytearray, present: bytearray) -> None:
    """Records in no log, not in the producer and not processed are failed or lost (so far)."""
    told = sim.ledger.told
    for m in _ZERO.finditer(present):  # the scan runs in C: most records are present
        rid = m.start()
        t = told[rid]
        states[rid] = FAILED if t is not None and t[0] == "failed" else LOST


def _lost_where(sim: "Simulation", states: bytearray) -> dict[str, int]:
    """Records lost so far, by where they left: producer, broker or consumer (skipped)."""
    led = sim.ledger
    done = led.times_done
    where = {"producer": 0, "broker": 0, "consumer": sum(1 for rid in led.skipped if not done[rid])}
    for rid in lost_ids(states):
        where["broker" if led.reached_log(rid) else "producer"] += 1
    return where


def lost_ids(states: bytes | bytearray) -> list[int]:
    """Ids of the records in state LOST."""
    return [m.start() for m in _LOST.finditer(states)]


def take(sim: "Simulation") -> Snapshot:
    """A snapshot of the run now."""
    brokers = tuple(_broker_view(sim, b) for b in sim.brokers.values())
    messages = _messages(sim)
    partitions = _partition_views(sim, brokers)
    states = record_states(sim, brokers, messages, partitions)
    counts = dict(zip(STATE_NAMES, (states.count(i) for i in range(len(STATE_NAMES)))))
    told = sim.ledger.told
    counts["sent"] = len(states)
    counts["acked"] = sim.ledger.acked
    counts["lost_acked"] = sum(1 for rid in lost_ids(states) if told[rid] and told[rid][0] == "acked")
    counts.update({f"lost_at_{k}": v for k, v in _lost_where(sim, states).items()})
    done = sim.ledger.times_done
    counts["lost_acked_skipped"] = sum(1 for rid in sim.ledger.skipped if not done[rid]
                                       and told[rid] and told[rid][0] == "acked")
    counts["lost_in_flight"] = sim.ledger.lost_in_flight
    ctl = sim.controller
    consumer = _consumer_view(sim)
    return Snapshot(sim.now, sim.phase, brokers, ctl.up, ctl.leader, ctl.leader_epoch, tuple(ctl.isr),
                    _producer_view(sim), consumer, messages,
                    tuple(sim.net.cut_links()), {n: d for n, d in sim.net.node_delay.items() if d},
                    len(sim.ledger.events), counts, sim.config_view(), bytes(states),
                    waits=pending(sim), partitions=partitions, group=_group_view(sim, consumer))
