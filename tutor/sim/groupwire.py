"""A consumer group of several members wired to its coordinator on a broker (docs/groups.md, "Wiring").

`GroupWire` holds the group's `GroupCoordinator` (its state is durable: `__consumer_offsets` is
replicated), finds the coordinator's broker with `placement.coordinator_for`, answers JoinGroup,
SyncGroup, Heartbeat, LeaveGroup and OffsetCommit messages that travel over the simulated network,
runs the coordinator's timers, and moves the coordinator when its broker dies. `MemberConsumer` is
one member: the one-consumer poll loop of `consumer.Consumer` plus a `member.MemberClient` deciding
what it commits, revokes and loses around each rebalance. With `group.protocol = "consumer"`
(KIP-848) the coordinator is a `consumer_group.ConsumerGroupCoordinator` and each member a
`ConsumerProtocolMember`, which only heartbeats.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any

from .config import strategies
from .consumer import Consumer, PartFetch, Rec
from .consumer_group import FENCED_MEMBER_EPOCH, HEARTBEAT_INTERVAL_MS, STABLE as CG_STABLE, \
    ConsumerGroupCoordinator, ConsumerProtocolClient, HeartbeatAnswer
from .group import (ILLEGAL_GENERATION, NO_GENERATION, REBALANCE_IN_PROGRESS,
                    UNKNOWN_MEMBER_ID, GroupCoordinator, GroupEvent)
from .member import MemberClient, Revocation
from .node import ClientNode
from .placement import coordinator_for

if TYPE_CHECKING:
    from .simulation import Simulation

#: model: how long a new coordinator takes to load the group from __consumer_offsets after the
#: controller moved the offsets partition's leadership (Kafka: `GroupMetadataManager.onLoaded`)
LOAD_MS = 50.0


#: settings that only a member running the group protocol uses
GROUP_KEYS = ("max.poll.interval.ms", "heartbeat.interval.ms", "partition.assignment.strategy", "group.protocol")


def member_names(instances: int) -> list[str]:
    """consumer-1 .. consumer-M."""
    return [f"consumer-{i}" for i in range(1, instances + 1)]


class GroupWire:
    """The group coordinator's side: one GroupCoordinator hosted by a broker, reached by messages."""

    def __init__(self, sim: "Simulation", names: list[str]) -> None:
        self.sim = sim
        cfg = sim.config.consumer
        self.group_id = cfg["group.id"]
        self.kip848 = cfg["group.protocol"] == "consumer"
        self.coord: Any = (ConsumerGroupCoordinator(self.group_id, dict(sim.topics)) if self.kip848 else
                           GroupCoordinator(self.group_id, dict(sim.topics),
                                            sim.config.broker["group.initial.rebalance.delay.ms"]))
        self.names = names
        self.deadline_token = 0
        self.moving = False
        self.lost_broker: str | None = None  # the coordinator that died, until the controller fences it
        self.processed_by: dict[int, list[tuple[str, int]]] = defaultdict(list)
        self.cause: dict[int, str] = {}  # partition -> the group event that last moved it
        self.generations: list[tuple[float, int]] = []

    # --- placement and failover ----------------------------------------------------------
    def start(self) -> None:
        """The coordinator is the leader of the group's __consumer_offsets partition."""
        self.coord.broker = self._placement()
        if self.coord.broker:
            self.log(f"{self.coord.broker} is the coordinator of group {self.group_id!r}", broker=self.coord.broker)

    def _placement(self, registered: bool = False) -> str | None:
        """The first live replica of the group's offsets partition; after a failure, only a broker the
        controller has not fenced can lead it (the dead coordinator's partition moves when it is fenced)."""
        ctl = self.sim.controller
        alive = {n for n, b in self.sim.brokers.items()
                 if b.up and (not registered or n in ctl.unfenced and n != self.lost_broker)}
        return coordinator_for(self.group_id, self.sim.broker_names(), alive)

    def watch(self) -> None:
        """Called every tick: the coordinator's broker died, or a broker came back while none was there."""
        b = self.coord.broker
        if b is not None and not self.sim.brokers[b].up:
            self.lost_broker = b
            self.emit(self.coord.coordinator_lost(self.sim.now))
        if self.lost_broker is not None and self.lost_broker not in self.sim.controller.unfenced:
            self.lost_broker = None  # fenced: its partitions, the offsets partition too, move
        if self.coord.broker is None and not self.moving and self.lost_broker is None and self.sim.controller.up:
            new = self._placement(registered=True)
            if new is not None:
                self.moving = True
                self.sim.loop.after(LOAD_MS, self._moved, new)

    def _moved(self, broker: str) -> None:
        """The new leader of the offsets partition has loaded the group."""
        self.moving = False
        if self.sim.brokers[broker].up and self.coord.broker is None:
            self.emit(self.coord.coordinator_moved(self.sim.now, broker))

    @property
    def broker(self) -> str | None:
        """The coordinator's broker now (None while the group has none)."""
        return self.coord.broker

    def stable(self) -> bool:
        """Is the group settled: classic Stable, or every KIP-848 member reconciled to the target?"""
        if not self.kip848:
            return self.coord.state == "Stable"
        c = self.coord
        return bool(c.members) and c.assignment_epoch == c.group_epoch and all(
            m.state == CG_STABLE and m.epoch == c.assignment_epoch for m in c.members.values())

    def view(self) -> tuple[str, int, str | None]:
        """(state, generation or group epoch, assignor) for the screens."""
        c = self.coord
        if not self.kip848:
            return c.state, c.generation, c.protocol
        state = "Empty" if not c.members else "Stable" if self.stable() else "Reconciling"
        return state, c.group_epoch, "uniform"

    # --- requests (each runs on the coordinator's broker when the message arrives) -------
    def on_cg_heartbeat(self, name: str, inc: int, request: dict) -> None:
        """ConsumerGroupHeartbeat (KIP-848): join, report, leave; the answer carries the assignment."""
        answer = self.coord.heartbeat(self.sim.now, **request)
        self.reply(name, inc, "_on_cg_answer", answer)
        self.emit(answer.events)

    def on_join(self, name: str, inc: int, request: dict) -> None:
        """JoinGroup."""
        out = self.coord.join(self.sim.now, name, **request)
        self.reply(name, inc, "_on_join_answer", out.error, out.member_id)
        self.emit(out.events)

    def on_sync(self, name: str, inc: int, member_id: str, generation: int, assignment: dict | None) -> None:
        """SyncGroup (the leader's carries the assignment)."""
        out = self.coord.sync(self.sim.now, member_id, generation, assignment)
        if out.error is not None:
            self.reply(name, inc, "_on_sync_error", out.error)
        self.emit(out.events)

    def on_heartbeat(self, name: str, inc: int, member_id: str, generation: int) -> None:
        """Heartbeat."""
        out = self.coord.heartbeat(self.sim.now, member_id, generation)
        self.reply(name, inc, "_on_heartbeat_answer", out.error)
        self.emit(out.events)

    def on_leave(self, name: str, member_id: str, reason: str) -> None:
        """LeaveGroup."""
        self.emit(self.coord.leave(self.sim.now, member_id, reason).events)

    def on_commit(self, name: str, inc: int, member_id: str, generation: int, offsets: dict, epochs: dict,
                  how: str) -> None:
        """OffsetCommit: a success is the group's committed offset (kept durable)."""
        now = self.sim.now
        out = self.coord.commit(now, member_id, generation, offsets, how)
        if out.error is None:
            for tp, offset in offsets.items():
                p = self.sim.index_of(tp)
                c = self.sim.group.part(p)
                if c.offset != offset:
                    c.offset, c.epoch, c.at, c.how = offset, epochs.get(p, -1), now, f"{how} by {name}"
                    self.sim.ledger.committed(now, offset, f"{how} of {self.sim.tp_name(p)} by {name}")
        else:
            self.emit(out.events)
        self.reply(name, inc, "_on_commit_answer", out.error, offsets, how)
        self.rearm()

    def reply(self, name: str, inc: int, method: str, *args: Any) -> None:
        """An answer from the coordinator's broker to a member process (lost if that process died)."""
        broker = self.coord.broker
        member = self.sim.nodes[name]
        if broker is None or member.incarnation != inc:
            return
        self.sim.brokers[broker].send(name, getattr(member, method), *args)

    # --- events and timers ---------------------------------------------------------------
    def emit(self, events: list[GroupEvent]) -> None:
        """Log the group's events and deliver the ones members act on."""
        for e in events:
            self.log(e.text, member=self._name(e.member), event=e.kind, **_plain(e.data, self.sim.index_of))
            if e.kind == "generation" and e.data.get("members"):
                self.generations.append((self.sim.now, e.data["generation"]))
                for mid in e.data["members"]:
                    self._deliver(mid, "_on_joined", mid, e.data["generation"], mid == e.data.get("leader"))
            elif e.kind == "assignment" and not self.kip848:
                self._deliver(e.member, "_on_assignment", e.data["generation"], tuple(e.data["partitions"]))
            elif e.kind == "removed":
                self._note_cause(e)
        self.rearm()

    def _deliver(self, member_id: str, method: str, *args: Any) -> None:
        """Send one member the answer its pending JoinGroup or SyncGroup waits for."""
        name = self._name(member_id)
        node = self.sim.nodes.get(name) if name else None
        if node is not None and node.up and self.coord.broker is not None:
            self.sim.brokers[self.coord.broker].send(name, getattr(node, method), *args)

    def _note_cause(self, e: GroupEvent) -> None:
        """A removed member's partitions move because of this event (explanations cite it)."""
        who = self._name(e.member)
        for tp in self._assigned_to(e.member):
            self.cause[self.sim.index_of(tp)] = f"{who} was removed from the group ({e.data.get('reason')})"

    def _assigned_to(self, member_id: str | None) -> tuple:
        """What a member had in the last completed generation (as its node knows it)."""
        name = self._name(member_id)
        node = self.sim.nodes.get(name) if name else None
        return tuple(self.sim.tp(p) for p in getattr(node, "owned", ()))

    def _name(self, member_id: str | None) -> str | None:
        """consumer-2-5 -> consumer-2."""
        if member_id is None:
            return None
        return next((n for n in self.names if member_id.startswith(n + "-")), member_id)

    def rearm(self) -> None:
        """One timer at the coordinator's next deadline (session expiry, join and sync timeouts)."""
        when = self.coord.next_deadline()
        self.deadline_token += 1
        if when is not None:
            self.sim.loop.at(max(when, self.sim.now), self._tick, self.deadline_token)

    def _tick(self, token: int) -> None:
        """The deadline came: expire sessions, end the join phase."""
        if token == self.deadline_token:
            self.emit(self.coord.tick(self.sim.now))

    def log(self, text: str, member: str | None = None, **data: Any) -> None:
        """A group event in the run's event log."""
        self.sim.ledger.log(self.sim.now, "group", text, member or self.coord.broker, **data)

    def note_processed(self, rec: Rec, name: str, generation: int) -> None:
        """Who processed a record in which generation; a second time says why (a rebalance moved it)."""
        seen = self.processed_by[rec.rid]
        if seen:
            first, gen = seen[0]
            cause = self.cause.get(rec.partition)
            why = f" after {cause}" if cause else ""
            again = "again by the same member" if first == name else f"again by {name}"
            self.sim.ledger.note(rec.rid, self.sim.now,
                                 f"processed by {first} (generation {gen}) and {again} (generation "
                                 f"{generation}) from the committed offset of {self.sim.tp_name(rec.partition)}{why}")
        seen.append((name, generation))


def _plain(data: Any, index: Any) -> dict:
    """Event data with (topic, partition) pairs turned into partition indexes (for the JSON report)."""
    out = {}
    for k, v in dict(data).items():
        if k == "partitions":
            v = [index(tp) for tp in v]
        elif k == "offsets":
            v = {f"{t}-{p}": o for (t, p), o in v.items()}
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


class MemberConsumer(Consumer):
    """One member of the group: its own process, poll loop, processing, offset store and commits."""

    def __init__(self, sim: "Simulation", name: str) -> None:
        super().__init__(sim, name)
        self.owned: tuple[int, ...] = ()
        self.need_rejoin = False
        self.join_pending = False  # a JoinGroup is out, its answer (the generation) not yet here
        self.last_poll: float | None = None
        self.extra_ms = 0.0  # the `slow` action: extra processing time per record
        self.mc = self._client()

    def _client(self) -> MemberClient:
        """A fresh client (a restarted process has no member id)."""
        cfg = self.cfg
        return MemberClient(self.name, cfg["client"], strategies(cfg["partition.assignment.strategy"]),
                            tuple(t for t, _ in self.sim.topics),
                            auto_commit=cfg["enable.auto.commit"],
                            max_poll_interval_ms=cfg["max.poll.interval.ms"],
                            session_timeout_ms=cfg["session.timeout.ms"],
                            heartbeat_interval_ms=cfg["heartbeat.interval.ms"])

    @property
    def wire(self) -> GroupWire:
        """The group's coordinator side."""
        return self.sim.wire

    @property
    def generation(self) -> int:
        """The generation this member is in (-1 when none)."""
        return self.mc.generation

    @property
    def heartbeat_ms(self) -> float:
        """heartbeat.interval.ms."""
        return self.cfg["heartbeat.interval.ms"]

    # --- lifecycle -----------------------------------------------------------------------
    def boot(self) -> None:
        """Start the process and join the group (nothing is assigned until the group says so)."""
        self.fresh_process()
        self.owned = ()
        self.mc = self._client()
        self.need_rejoin = self.join_pending = False
        self.last_poll = self.now
        self.start_metadata(300000)
        self.commit_timer_armed = False
        self._arm_commit_timer()
        self.timer(self.heartbeat_ms, self._heartbeat)
        self._rejoin()

    def crash(self, kind: str = "crash") -> None:
        """The process dies: its session expires at the coordinator after session.timeout.ms."""
        self.orphans = [r for r in ([self.current] if self.current else []) + list(self.work) if r]
        self.stop(kind)
        self.state = "down"

    def processing_error(self) -> Rec | None:
        """The application closes the consumer: close() commits as auto-commit would, then sends
        LeaveGroup (its partitions move at once, no session timeout to wait for)."""
        member_id, broker = self.mc.member_id, self.wire.broker
        rec = super().processing_error()
        if member_id and broker:
            self.send(broker, self.wire.on_leave, self.name, member_id,
                      "left the group (the application closed the consumer)")
        return rec

    # --- joining -------------------------------------------------------------------------
    def _rejoin(self) -> None:
        """prepare_rejoin (auto-commit, eager revocation), then JoinGroup once that commit is answered."""
        if not self.up:
            return
        self.need_rejoin = False
        self.state = "joining"
        if self.mc.member_id is not None:
            self.wire.log(f"{self.name} rejoins the group", member=self.name, event="rejoin")
        rev = self.mc.prepare_rejoin(self._positions(), self._stored())
        self._apply(rev, "before rejoining")
        if rev.commit:
            self._send_commit(rev.commit, "auto-commit before rebalance", then_join=True)
        else:
            self._send_join()

    def _send_join(self) -> None:
        """JoinGroup to the coordinator (retried after a backoff while there is none)."""
        broker = self.wire.broker
        if not self.up:
            return
        if broker is None or not self.sim.net.link_up(self.name, broker):
            return self.timer(ClientNode.RETRY_BACKOFF_MS * 10, self._send_join)
        self.join_pending = True
        self.send(broker, self.wire.on_join, self.name, self.incarnation, self.mc.join_request(),
                  on_reset=self._coordinator_reset)

    def _coordinator_reset(self) -> None:
        """The coordinator's connection reset: look for it again and rejoin."""
        self.timer(ClientNode.RETRY_BACKOFF_MS * 10, self._rejoin_if_joining)

    def _rejoin_if_joining(self) -> None:
        """Retry the join if it is still pending."""
        if self.mc.state == "joining" or self.mc.member_id is None:
            self._send_join()

    def _on_join_answer(self, error: str | None, member_id: str | None) -> None:
        """JoinGroup accepted (the generation comes when the join phase ends) or refused."""
        if error is None:
            self.mc.member_id = member_id
        elif error == UNKNOWN_MEMBER_ID:
            self._apply(self.mc.on_fenced(error), "fenced")
            self._send_join()
        else:
            self.timer(ClientNode.RETRY_BACKOFF_MS * 10, self._send_join)

    def _on_joined(self, member_id: str, generation: int, leader: bool) -> None:
        """The JoinGroup answer: the new generation; the leader computes the assignment and syncs."""
        self.join_pending = False
        self.mc.on_joined(member_id, generation)
        broker = self.wire.broker
        if broker is None:
            return
        assignment = self.wire.coord.leader_assignment() if leader else None
        self.send(broker, self.wire.on_sync, self.name, self.incarnation, member_id, generation, assignment)

    def _on_sync_error(self, error: str) -> None:
        """A SyncGroup refused: another rebalance began, or we are no longer a member."""
        if error in (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION):
            self._apply(self.mc.on_fenced(error), "fenced")
        self._rejoin()

    def _on_assignment(self, generation: int, partitions: tuple) -> None:
        """The SyncGroup answer: revoke (cooperative), commit, start fetching what was added."""
        rev = self.mc.on_assignment(generation, partitions, self._stored())
        self.owned = tuple(self._ix(self.mc.assigned))
        self._apply(rev, f"generation {generation}")
        if rev.commit:
            self._send_commit(rev.commit, "commit of revoked partitions")
        for p in self._ix(rev.added):
            self._start_partition(self.parts[p])
        self.state = "active"
        self.sim.activity()
        if rev.rejoin:
            self._rejoin()
        else:
            self.poll()

    def _start_partition(self, f: PartFetch) -> None:
        """A newly assigned partition starts at the group's committed offset (OffsetFetch), else reset (C4)."""
        c = self.sim.group.part(f.index)
        f.stored = None
        if c.offset is None:
            return self._reset(f, self.cfg["auto.offset.reset"], "no committed offset for the group")
        f.position, f.position_epoch = c.offset, c.epoch
        f.done_upto, f.done_epoch = c.offset, -1
        self._note_orphans_of(f.index, c)

    def _note_orphans_of(self, p: int, c: Any) -> None:
        """Records a dead member held unprocessed, but covered by the commit, are skipped for good."""
        cause = self.wire.cause.get(p)
        why = f", after {cause}" if cause else ""
        tp = self.sim.tp_name(p)
        for node in self.sim.members:
            keep = []
            for rec in node.orphans:
                if rec.partition == p and c.offset is not None and rec.offset < c.offset:
                    self.sim.ledger.skip(rec.rid, self.now,
                                         f"skipped: handed to {node.name} but not yet processed when {c.how} "
                                         f"(at {c.at:g} ms) committed offset {c.offset} of {tp} past it; "
                                         f"{node.name} died and {self.name} took {tp} over from offset {c.offset} "
                                         f"in generation {self.generation}{why}")
                elif rec.partition != p:
                    keep.append(rec)
            node.orphans = keep

    def _apply(self, rev: Revocation, when: str) -> None:
        """Stop fetching revoked or lost partitions; records only fetched are dropped, records already
        handed to the application are still processed (duplicates once the new owner reads them)."""
        if rev.revoked or rev.added or rev.commit or rev.error:
            self.sim.wire.log(f"{rev.describe(self.name)} ({when})" + (f"; the application gets {rev.error}"
                                                                      if rev.error else ""), member=self.name,
                              event="lost" if rev.lost else "revoke" if rev.revoked else "assigned",
                              revoked=self._ix(rev.revoked), added=self._ix(rev.added),
                              generation=self.generation)
        gone = set(self._ix(rev.revoked))
        if not gone:
            return
        for p in gone:
            f = self.parts[p]
            f.position, f.stored, f.fetching = None, None, False
            self._drop_buffered(p)
        self.owned = tuple(p for p in self.owned if p not in gone)

    def _ix(self, tps: Any) -> list[int]:
        """(topic, partition) pairs as partition indexes."""
        return [self.sim.index_of(tp) for tp in tps]

    def _drop_buffered(self, p: int) -> None:
        """Fetched records of partition p not yet handed over are dropped."""
        self.buffer = deque(r for r in self.buffer if r.partition != p)

    def _positions(self) -> dict:
        """Java's positions per owned partition."""
        return {self.sim.tp(f.index): f.position for f in self.parts if f.position is not None}

    def _stored(self) -> dict:
        """librdkafka's stored offsets per owned partition."""
        return {self.sim.tp(f.index): f.stored[0] for f in self.parts if f.stored is not None}

    # --- heartbeats and the poll timeout -------------------------------------------------
    def _heartbeat(self) -> None:
        """Every heartbeat.interval.ms while the process runs (Java's heartbeat thread, librdkafka's timer)."""
        self.timer(self.heartbeat_ms, self._heartbeat)
        self._check_poll_timeout()
        broker = self.wire.broker
        if self.mc.member_id is None or self.mc.generation == NO_GENERATION or broker is None or self.join_pending:
            return  # the heartbeat thread is off while a JoinGroup is pending (AbstractCoordinator)
        self.send(broker, self.wire.on_heartbeat, self.name, self.incarnation, self.mc.member_id,
                  self.mc.generation, on_reset=self._coordinator_reset)

    def _on_heartbeat_answer(self, error: str | None) -> None:
        """REBALANCE_IN_PROGRESS: rejoin at the next poll(); fenced: the partitions are lost."""
        if error == REBALANCE_IN_PROGRESS and not self.join_pending and not self.need_rejoin:
            # stable, or waiting for a SyncGroup answer that Kafka would answer with this error
            self._want_rejoin()
        elif error in (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) and self.mc.state != "unjoined":
            self._apply(self.mc.on_fenced(error), f"heartbeat answered {error}")
            self._want_rejoin()

    def _want_rejoin(self) -> None:
        """The rejoin happens in poll(): at once if the application is waiting in poll()."""
        self.need_rejoin = True
        if self.current is None and not self.work:
            self._rejoin()

    def _check_poll_timeout(self) -> None:
        """max.poll.interval.ms: the member leaves the group; its partitions are lost."""
        if self.last_poll is None or not self.mc.poll_timeout_expired(self.now, self.last_poll):
            return
        member_id = self.mc.member_id
        rev = self.mc.on_poll_timeout()
        limit = self.cfg["max.poll.interval.ms"]
        reason = f"consumer poll timeout has expired (max.poll.interval.ms={limit})"
        self.sim.wire.log(f"{self.name} has not called poll() for {self.now - self.last_poll:g} ms: it leaves "
                          f"the group ({reason})", member=self.name, event="poll-timeout")
        for p in self._ix(rev.revoked):
            self.wire.cause[p] = f"{self.name} was removed from the group for exceeding max.poll.interval.ms={limit}"
        self._apply(rev, "poll timeout")
        self.need_rejoin = True
        broker = self.wire.broker
        if member_id and broker:
            self.send(broker, self.wire.on_leave, self.name, member_id,
                      f"exceeded max.poll.interval.ms={limit}")

    def poll(self) -> None:
        """poll(): the time is noted (max.poll.interval.ms); a pending rebalance is joined here."""
        if self.state == "down" or self.polling and not self.worker:
            return
        self.last_poll = self.now
        if self.need_rejoin and self.current is None and not self.work:
            return self._rejoin()
        if self.state == "active":
            super().poll()
            if self.polling:  # poll() returned records: the clock of max.poll.interval.ms runs from now
                self.timer(self.cfg["max.poll.interval.ms"] + 1, self._check_poll_timeout)

    def _process_next(self) -> None:
        """As the single consumer, plus the `slow` action's extra time per record."""
        if self.extra_ms and self.work and self.cfg["processing.ms"] + self.extra_ms > 0:
            rec = self.work.popleft()
            self.current, self.current_since = rec, self.now
            return self.timer(self.cfg["processing.ms"] + self.extra_ms, self._processed, rec)
        super()._process_next()

    def _finish(self, rec: Rec) -> bool:
        """Processing done: remember who processed it in which generation."""
        self.wire.note_processed(rec, self.name, self.generation)
        return super()._finish(rec)

    def _finish_instantly(self) -> None:
        """Zero-cost processing, with who processed each record noted."""
        for rec in self.work:
            self.wire.note_processed(rec, self.name, self.generation)
        super()._finish_instantly()

    # --- commits -------------------------------------------------------------------------
    def commit(self, offset: int, epoch: int, how: str, p: int = 0) -> None:
        """An OffsetCommit to the coordinator, unless the client refuses it first (not in the group)."""
        self.last_commit_at = self.now
        if self.sim.group.part(p).offset == offset and p in self.owned:
            return
        self._send_commit({self.sim.tp(p): offset}, how, epochs={p: epoch})

    def _send_commit(self, offsets: dict, how: str, then_join: bool = False, epochs: dict | None = None) -> None:
        """Send one OffsetCommit (the pre-rebalance commit waits for its answer before joining)."""
        error = self.mc.commit_precheck(explicit=True)
        broker = self.wire.broker
        if error is not None:
            self._commit_failed(error, offsets, how)
        elif broker is not None and self.sim.net.link_up(self.name, broker):
            member_id, generation = self.mc.commit_identity()
            epochs = epochs or {p: self.parts[p].position_epoch for p in self._ix(offsets)}
            self.send(broker, self.wire.on_commit, self.name, self.incarnation, member_id, generation,
                      dict(offsets), epochs, how + (" (then join)" if then_join else ""))
            if then_join:
                return
        if then_join:
            self._send_join()

    def _on_commit_answer(self, error: str | None, offsets: dict, how: str) -> None:
        """What the application sees of a commit's answer."""
        seen = self.mc.commit_error(error)
        if seen is not None:
            self._commit_failed(seen, offsets, how)
        if how.endswith(" (then join)"):
            self._send_join()

    def _commit_failed(self, error: str, offsets: dict, how: str) -> None:
        """A failed commit changes nothing at the coordinator: the next owner restarts below it."""
        what = ", ".join(f"{t}-{p}@{o}" for (t, p), o in sorted(offsets.items(), key=lambda i: self.sim.index_of(i[0])))
        self.sim.wire.log(f"commit of {what} by {self.name} failed: {error} ({how.replace(' (then join)', '')})",
                          member=self.name, event="commit-failed", error=error)

    # --- views ---------------------------------------------------------------------------
    def caught_up(self, hw: int, leader_epoch: int, p: int = 0) -> bool:
        """Partition p is caught up at this member if it owns it and has read to the HW."""
        return p in self.owned and super().caught_up(hw, leader_epoch, p)


class ConsumerProtocolMember(MemberConsumer):
    """A member on KIP-848's consumer protocol: heartbeats only, reconciling one step at a time."""

    def _client(self) -> Any:
        """A fresh ConsumerProtocolClient (epoch 0: the next heartbeat joins)."""
        cfg = self.cfg
        return ConsumerProtocolClient(self.name, cfg["client"], tuple(t for t, _ in self.sim.topics),
                                      auto_commit=cfg["enable.auto.commit"],
                                      max_poll_interval_ms=cfg["max.poll.interval.ms"])

    @property
    def generation(self) -> int:
        """The member epoch."""
        return self.mc.epoch

    @property
    def heartbeat_ms(self) -> float:
        """group.consumer.heartbeat.interval.ms, a broker setting under this protocol (5000)."""
        return HEARTBEAT_INTERVAL_MS

    def _rejoin(self) -> None:
        """Join (or rejoin after leaving or being fenced): a heartbeat with epoch 0, now."""
        if not self.up:
            return
        self.need_rejoin = False
        self.state = "joining"
        self._send_heartbeat()

    def _heartbeat(self) -> None:
        """The periodic heartbeat (and the poll-timeout check)."""
        self.timer(self.heartbeat_ms, self._heartbeat)
        self._check_poll_timeout()
        if self.mc.epoch > 0:
            self._send_heartbeat()

    def _send_heartbeat(self) -> None:
        """One ConsumerGroupHeartbeat with what the member owns now."""
        broker = self.wire.broker
        if broker is None or not self.sim.net.link_up(self.name, broker):
            return
        self.send(broker, self.wire.on_cg_heartbeat, self.name, self.incarnation, self.mc.request())

    def _on_cg_answer(self, answer: HeartbeatAnswer) -> None:
        """Converge: commit (auto-commit), revoke, take what was added; heartbeat again at once after revoking."""
        if answer.error is not None and answer.error not in (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID):
            return
        rev = self.mc.on_answer(answer, self._positions(), self._stored())
        self._apply(rev, f"epoch {self.mc.epoch}")
        if rev.commit:
            self._send_commit(rev.commit, "auto-commit before revocation")
        for p in self._ix(rev.added):
            self._start_partition(self.parts[p])
        self.owned = tuple(self._ix(self.mc.owned))
        if self.mc.epoch > 0:
            self.state = "active"
            self.poll()
        if rev.revoked or rev.rejoin:
            self._send_heartbeat()

    def _check_poll_timeout(self) -> None:
        """max.poll.interval.ms: leave with epoch -1; the partitions are lost; rejoin at the next poll()."""
        if self.last_poll is None or self.mc.epoch <= 0 or self.now - self.last_poll <= self.mc.max_poll_interval_ms:
            return
        limit = self.cfg["max.poll.interval.ms"]
        self.sim.wire.log(f"{self.name} has not called poll() for {self.now - self.last_poll:g} ms: it leaves "
                          f"the group (max.poll.interval.ms={limit})", member=self.name, event="poll-timeout")
        member_id = self.mc.member_id
        rev = self.mc.on_poll_timeout()
        for p in self._ix(rev.revoked):
            self.wire.cause[p] = f"{self.name} was removed from the group for exceeding max.poll.interval.ms={limit}"
        self._apply(rev, "poll timeout")
        self.need_rejoin = True
        broker = self.wire.broker
        if broker is not None and member_id:
            request = dict(self.mc.request(), member_epoch=-1, member_id=member_id)
            self.send(broker, self.wire.on_cg_heartbeat, self.name, self.incarnation, request)

    def _send_commit(self, offsets: dict, how: str, then_join: bool = False, epochs: dict | None = None) -> None:
        """OffsetCommit with the member epoch (no check before sending: the coordinator answers)."""
        broker = self.wire.broker
        if broker is None or not self.sim.net.link_up(self.name, broker):
            return
        epochs = epochs or {p: self.parts[p].position_epoch for p in self._ix(offsets)}
        self.send(broker, self.wire.on_commit, self.name, self.incarnation, self.mc.member_id or "",
                  self.mc.epoch, dict(offsets), epochs, how)

    def processing_error(self) -> Rec | None:
        """close(): commit as auto-commit would, then leave (epoch -1)."""
        member_id, broker = self.mc.member_id, self.wire.broker
        rec = Consumer.processing_error(self)
        if member_id and broker:
            request = dict(self.mc.request(), member_epoch=-1, member_id=member_id)
            self.send(broker, self.wire.on_cg_heartbeat, self.name, self.incarnation, request)
        return rec
