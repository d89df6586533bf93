"""One run: wires the nodes together, fires scripted events, settles, recovers, and reports."""

from __future__ import annotations

import copy
import math
import random
from typing import Any

from . import failures, watched
from .broker import Broker
from .config import START_ONLY, Config
from .consumer import Consumer, Group
from .groupwire import GROUP_KEYS, ConsumerProtocolMember, GroupWire, MemberConsumer, member_names
from .controller import Controller
from .core import LATE, URGENT, EventLoop, gc_paused
from .ledger import Ledger
from .network import Network
from .producer import Producer
from .spec import Action, Scenario

QUIET_TICK_MS = 100.0   # how often the run checks whether everything has settled
SETTLE_MS = 2000.0      # nothing happened for this long: settled
MAX_RECOVERY_MS = 3_600_000.0  # a final recovery that has not settled after an hour gives up


def assign_replicas(brokers: list[str], partitions: int, rf: int) -> list[list[str]]:
    """Kafka's replica assignment without racks (AdminUtils / ReplicaPlacer's rack-unaware form), with
    the random start index and replica shift fixed at 0: partition p's first replica is broker
    (p % n) + 1, the next ones follow in order, shifted by one more each time the partitions wrap
    around the brokers."""
    n = len(brokers)
    out, shift = [], 0
    for p in range(partitions):
        if p > 0 and p % n == 0:
            shift += 1
        first = p % n
        out.append([brokers[first]] + [brokers[(first + 1 + (shift + j) % (n - 1)) % n] for j in range(rf - 1)])
    return out


class StepBudgetExceeded(Exception):
    """The scenario did not finish within its step budget."""


class Simulation:
    """A deterministic run of one scenario: same scenario and seed, same result, byte for byte."""

    def __init__(self, scenario: Scenario, seed: int | None = None, watch: frozenset | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.config: Config = scenario.config
        #: with `watch` ((section, key) pairs): the watched settings this run has read, and the bounds of those it
        #: has only compared with quantities of the run (see watched.py)
        self.reads: set[tuple[str, str]] | None = None
        self.bounds: dict[tuple[str, str], Any] | None = None
        if watch:
            self.reads, self.bounds = watched.watch(self.config, watch)
        self._watched = watch or frozenset()
        self.rng = random.Random(self.seed)
        self.loop = EventLoop()
        self.ledger = Ledger()
        self.group = Group()
        self.phase = "running"  # running -> recovering -> done
        self.auto_finish = True  # settle, recover and stop by itself (the sandbox runs on instead)
        self.final = False
        self.processed_count = 0
        self.pending = 0  # scripted actions and delayed restarts not yet fired
        self.last_activity = 0.0
        self._rotation = 0
        self._config_view: dict[str, dict[str, Any]] | None = None
        self._build_nodes()
        self._schedule_script(scenario.events)
        self._boot()

    # --- construction --------------------------------------------------------------------
    def broker_names(self) -> list[str]:
        """broker-1 .. broker-N."""
        return [f"broker-{i}" for i in range(1, self.config.cluster["brokers"] + 1)]

    def replica_names(self, p: int = 0) -> list[str]:
        """The brokers that host a replica of partition p, in assignment order (the first is its
        preferred leader); for t-0 the first replication.factor brokers."""
        return self.placement[p]

    @property
    def partitions(self) -> int:
        """How many partitions the run has, over every topic."""
        return len(self.placement)

    def tp(self, p: int) -> tuple[str, int]:
        """Partition index p as (topic, partition number within the topic)."""
        return self.tps[p]

    def tp_name(self, p: int) -> str:
        """Partition index p as Kafka names it: "t-0", "bar-1"."""
        topic, number = self.tps[p]
        return f"{topic}-{number}"

    def index_of(self, tp: tuple[str, int]) -> int:
        """The partition index of a (topic, partition) pair."""
        return self._index[tp]

    def min_isr_of(self, p: int) -> int:
        """min.insync.replicas of partition p's topic ([topic]'s may change during a sandbox run)."""
        return self.config.topic["min.insync.replicas"] if p < self.topics[0][1] else self.min_isr[p]

    def _build_topics(self) -> None:
        """Every topic onto one partition index space: [topic]'s partitions first, then each of
        [[topics]]'s; each topic's replicas placed as Kafka places a new topic's."""
        topic = self.config.topic
        specs = [{"name": topic.get("name", "t"), "partitions": topic.get("partitions", 1),
                  "replication.factor": topic["replication.factor"],
                  "min.insync.replicas": topic["min.insync.replicas"]}] + list(self.config.extra_topics)
        self.topics = [(t["name"], t["partitions"]) for t in specs]
        self.placement, self.tps, self.min_isr = [], [], []
        for t in specs:
            self.placement += assign_replicas(self.broker_names(), t["partitions"], t["replication.factor"])
            self.tps += [(t["name"], i) for i in range(t["partitions"])]
            self.min_isr += [t["min.insync.replicas"]] * t["partitions"]
        self._index = {tp: p for p, tp in enumerate(self.tps)}
        self.tp_names = tuple(f"{t}-{n}" for t, n in self.tps)

    def _build_nodes(self) -> None:
        """Brokers, controller, producer and (if configured) consumer on one network graph."""
        self._build_topics()
        names = self.broker_names() + ["controller", "producer"]
        members = self._member_names()
        names += members
        net = self.config.network
        self.net = Network(self.loop, self.rng, names, net["latency.ms"], net["jitter.ms"])
        self.brokers = {b: Broker(self, b) for b in self.broker_names()}
        self.controller = Controller(self)
        self.producer = Producer(self)
        self.wire: GroupWire | None = None
        if len(members) > 1 or self._group_keys_given():
            self.wire = GroupWire(self, members)
            kind = ConsumerProtocolMember if self.wire.kip848 else MemberConsumer
            self.members: list[Consumer] = [kind(self, n) for n in members]
        else:
            self.members = [Consumer(self) for _ in members]
        self.consumer = self.members[0] if self.members else None
        self.nodes: dict[str, Any] = {**self.brokers, "controller": self.controller, "producer": self.producer}
        for m in self.members:
            self.nodes[m.name] = m
        self.net.hosts = self.nodes
        self.net.on_drop = self._dropped

    def _boot(self) -> None:
        """Everything starts at time 0; the consumer at its start.ms."""
        for b in self.brokers.values():
            b.boot()
        self.controller.boot()
        self.producer.boot()
        if self.wire is not None:
            self.wire.start()
        for i, m in enumerate(self.members):
            m.up = False
            if i < self.config.consumer["instances"]:  # the others start with a `join` action
                self.loop.at(self.config.consumer["start.ms"], m.boot)
        self.loop.at(QUIET_TICK_MS, self._tick, prio=LATE)

    def _member_names(self) -> list[str]:
        """The consumer alone ("consumer"), or consumer-1 .. consumer-M plus any a `join` action starts."""
        c = self.config.consumer
        if c is None:
            return []
        joins = [int(a.target.rsplit("-", 1)[1]) for a in self.scenario.events
                 if a.action == "join" and a.target and a.target.startswith("consumer-")]
        count = max([c["instances"], *joins])
        return ["consumer"] if count == 1 else member_names(count)

    def add_member(self, name: str) -> Consumer:
        """A group member the scenario did not declare, started while the run goes on (the sandbox's join
        key): a new process on a new host, stopped until `join` boots it."""
        kind = ConsumerProtocolMember if self.wire.kip848 else MemberConsumer
        member = kind(self, name)
        member.up = False
        self.net.add_node(name)
        self.members.append(member)
        self.nodes[name] = member
        self.wire.names.append(name)
        return member

    def _group_keys_given(self) -> bool:
        """A lone consumer runs the group protocol too when the scenario sets one of its keys
        (otherwise it keeps the one-consumer model, alone in its group, as every older scenario has it)."""
        given = self.scenario.given.get("consumer") or {}
        if self.reads is not None:  # (whether they were given, not their values: count them all as read)
            self.reads.update(("consumer", k) for k in GROUP_KEYS if ("consumer", k) in self._watched)
        return self.config.consumer is not None and any(k in given for k in GROUP_KEYS)

    def _schedule_script(self, events: list[Action]) -> None:
        """Timed events go on the heap; count-triggered ones wait for the processed count."""
        self.triggers = sorted((a for a in events if a.when_processed is not None),
                               key=lambda a: a.when_processed)
        for a in events:
            if a.at_ms is not None:
                self.pending += 1
                self.loop.at(a.at_ms, self._fire_scripted, a, prio=URGENT)
        self.pending += len(self.triggers)

    # --- services the nodes use ----------------------------------------------------------
    @property
    def now(self) -> float:
        """The virtual clock (ms)."""
        return self.loop.now

    def activity(self) -> None:
        """Something moved: the run is not settled yet."""
        self.last_activity = self.loop.now

    def lag_check_interval(self) -> float:
        """Kafka checks ISR lag every replica.lag.time.max.ms / 2."""
        return self.config.broker["replica.lag.time.max.ms"] / 2

    def workload_size(self) -> int:
        """How many records the application means to send."""
        return self.config.workload["messages"]

    def rotate_brokers(self) -> list[str]:
        """Brokers in a rotating order, so clients spread their metadata requests."""
        names = self.broker_names()
        self._rotation = (self._rotation + 1) % len(names)
        return names[self._rotation:] + names[: self._rotation]

    def coordinator_reachable(self, client: str) -> bool:
        """Commits need some live broker the client can reach (the coordinator is not modelled)."""
        return any(b.up and self.net.link_up(client, name) for name, b in self.brokers.items())

    def _dropped(self, dst: str, fn: Any, args: tuple) -> None:
        """A produce request reached a dead broker: note where its records vanished."""
        if getattr(fn, "__name__", "") == "on_produce":
            self.ledger.dropped_on_the_way(args[0].batch.batch_id, self.now, dst)

    def boot_broker(self, name: str, inc: int) -> None:
        """A broker restart finishes (unless something happened to it meanwhile)."""
        b = self.brokers[name]
        if not b.up and b.incarnation == inc:
            b.boot()
            leo = sum(r.log.leo for r in b.hosted)
            flushed = sum(r.log.flushed for r in b.hosted)
            self.ledger.log(self.now, "restart", f"{name} is back: log recovered, {leo} "
                                                 f"records, {flushed} on disk", name)

    def fail_node(self, name: str, kind: str) -> None:
        """A client gives up by itself (e.g. auto.offset.reset=none)."""
        if name in self.nodes and self.nodes[name] in self.members:
            self.nodes[name].crash(kind)

    def count_processed(self) -> bool:
        """One more record processed; fire when.processed events due now. True if any fired."""
        self.processed_count += 1
        fired = False
        while self.triggers and self.triggers[0].when_processed <= self.processed_count:
            self.loop.at(self.now, self._fire_scripted, self.triggers.pop(0), prio=URGENT)
            fired = True
        return fired

    # --- scripted and interactive events -------------------------------------------------
    def _fire_scripted(self, action: Action) -> None:
        """A scripted event fires."""
        self.pending -= 1
        self.apply(action)

    def apply(self, action: Action) -> list[str]:
        """Apply a failure or repair now (scenario events and the UI both come here)."""
        done = self._dispatch(action)
        kind = "repair" if action.action in ("heal", "restart") else "failure"
        for node, line in done:
            self.ledger.log(self.now, kind, line, node, action=action.action)
        self.activity()
        return [line for _, line in done]

    def _dispatch(self, a: Action) -> list[tuple[str | None, str]]:
        """Run the plain failure function for an action over its resolved targets."""
        p = a.params
        if a.action == "partition":
            return [(None, failures.partition(self, *p["between"]))]
        if a.action == "heal":
            targets = failures.resolve_target(self, a.target) if a.target else [None]
            return [(t, failures.heal(self, t)) for t in targets]
        done = [(node, self._act_on(a, node)) for node in failures.resolve_target(self, a.target)]
        return done or [(None, f"{a.action}: no {a.target} to act on right now")]

    def _act_on(self, a: Action, node: str) -> str:
        """One action on one node, with its delayed restart if asked for."""
        fn = {"crash": failures.crash, "power-loss": failures.power_loss, "restart": failures.restart,
              "processing-error": failures.processing_error, "join": failures.join}.get(a.action)
        line = failures.slow(self, node, a.params["delay.ms"]) if fn is None else fn(self, node)
        if "restart.after.ms" in a.params:
            self.pending += 1
            self.loop.after(a.params["restart.after.ms"], self._delayed_restart, node)
        return line

    def _delayed_restart(self, node: str) -> None:
        """restart.after.ms has passed."""
        self.pending -= 1
        self.apply(Action("restart", node, self.now))

    def config_view(self) -> dict[str, dict[str, Any]]:
        """A copy of the settings, shared between snapshots until a setting changes."""
        if self._config_view is None:
            self._config_view = {s: dict(getattr(self.config, s) or {}) for s in
                                 ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")}
        return self._config_view

    def set(self, section: str, key: str, value: Any) -> None:
        """Change a setting live (the UI's toggles); takes effect from the next use."""
        if (section, key) in START_ONLY:
            raise ValueError(f"[{section}] {key} only takes effect when a run starts; restart with it")
        self._config_view = None
        getattr(self.config, section)[key] = value
        shown = str(value).lower() if isinstance(value, bool) else value  # Kafka writes true/false
        self.ledger.log(self.now, "setting", f"{key} = {shown}", None)
        if section == "network":  # the links read their latency and jitter at every send
            self.net.latency, self.net.jitter = self.config.network["latency.ms"], self.config.network["jitter.ms"]
        for node in self._readers(section):
            if node.up:
                node.reconfigure(key)

    def _readers(self, section: str) -> list[Any]:
        """The running components that act on a change of a setting of `section`."""
        if section == "producer":
            return [self.producer]
        if section == "broker":
            return list(self.brokers.values())
        if section == "topic":
            return [self.controller]
        if section == "consumer":
            return list(self.members)
        return []

    # --- settling and the final recovery -------------------------------------------------
    def _tick(self) -> None:
        """Every 100 ms: settled? First time: final recovery; second time: done."""
        if self.wire is not None:
            self.wire.watch()
        if self.phase == "running" and self.auto_finish and self._settled():
            self._final_recovery()
        elif self.phase == "recovering" and (self._settled(strict=True) or
                                             self.now - self.recovery_at > MAX_RECOVERY_MS):
            self.phase = "done"
            self.loop.halted = True
            return
        self.loop.at(self._next_tick_at(), self._tick, prio=LATE)

    def _next_tick_at(self) -> float:
        """The next tick on the 100 ms grid, passing over ticks that can only find the run busy: none settles it
        before SETTLE_MS after the last activity (which only moves later). A tick runs after everything else at
        its millisecond (LATE), so one that lands later than its predecessor would have scheduled it still sees
        the same run."""
        now = self.loop.now
        if self.wire is None:  # (a group's ticks also watch its wire)
            until = self.last_activity + SETTLE_MS
            if self.phase == "recovering":  # (where the hour's limit also ends it)
                until = min(until, self.recovery_at + MAX_RECOVERY_MS)
            busy = math.ceil((until - now) / QUIET_TICK_MS) - 1
            if busy > 1:
                return now + busy * QUIET_TICK_MS
        return now + QUIET_TICK_MS

    def _settled(self, strict: bool = False) -> bool:
        """Script done, workload sent, producer idle, nothing moving; strict: all up, consumer caught up."""
        if self.now - self.last_activity < SETTLE_MS or self.pending > len(self.triggers):
            return False
        p = self.producer
        if p.up and ((p.app.next_id < self.workload_size() and not self.final) or not p.idle()):
            return False  # a producer restarted by the final recovery sends nothing more
        if strict and not all(n.up or self._gave_up_again(n) for n in self.nodes.values()):
            return False
        if self.wire is not None:
            return self._group_settled(strict)
        c = self.consumer
        if c is None or not c.up:
            return not strict or self._all_caught_up()
        if c.state == "joining":
            return False
        if strict and not self._all_caught_up():
            return False
        return all(self._consumer_settled(c, p, strict) for p in range(self.partitions))

    def _gave_up_again(self, node: Any) -> bool:
        """A client that stopped by itself (auto.offset.reset=none with no offset to start from) after the final
        recovery restarted it: it meets the same cause each time it starts, so waiting brings it back no more
        than the recovery did (the run would otherwise wait out MAX_RECOVERY_MS)."""
        return self.final and node.down_kind == "error" and node.down_since >= self.recovery_at

    def _group_settled(self, strict: bool) -> bool:
        """A group: no member joining, and every partition caught up at the live member that owns it."""
        live = [m for m in self.members if m.up]
        if not live:
            return not strict or self._all_caught_up()
        if any(m.state == "joining" for m in live) or not self.wire.stable():
            return False
        if strict and not self._all_caught_up():
            return False
        return all(any(self._consumer_settled(m, p, strict) for m in live) for p in range(self.partitions))

    def _consumer_settled(self, c: Consumer, p: int, strict: bool) -> bool:
        """The consumer has caught up with partition p's leader (or, before the recovery, cannot reach it)."""
        name = self.controller.leader_of(p)
        leader = self.brokers[name] if name else None
        if leader is None:
            return not strict
        r = leader.replicas[p]
        reachable = leader.up and self.net.link_up(c.name, leader.name)
        return c.caught_up(r.hw, r.leader_epoch, p) or (not strict and not reachable)

    def _all_caught_up(self) -> bool:
        """After recovery, in every partition: a leader whose HW covers its log, every replica at its log end."""
        return all(self._replicas_caught_up(p) for p in range(self.partitions))

    def _replicas_caught_up(self, p: int) -> bool:
        """Partition p has a live leader whose HW covers its log, and every replica is at its log end."""
        name = self.controller.leader_of(p)
        leader = self.brokers[name].replicas[p] if name else None
        if leader is None or not leader.broker.up or leader.role != "leader":
            return False
        leo = leader.log.leo
        return leader.hw == leo and all(self.brokers[b].replicas[p].log.leo == leo for b in self.replica_names(p))

    def _final_recovery(self) -> None:
        """Heal the network and restart every node still down, so what is lost is lost for good."""
        self.final = True
        self.phase = "recovering"
        self.recovery_at = self.now
        if self.triggers:
            self.pending -= len(self.triggers)
            for a in self.triggers:
                self.ledger.log(self.now, "note", f"event never fired: {a.describe()}", None)
            self.triggers = []
        self.ledger.log(self.now, "recovery", "final recovery: network healed, every stopped node restarted",
                        None)
        failures.heal(self)
        for name, node in self.nodes.items():
            if not node.up:
                failures.restart(self, name)
        self.activity()

    # --- running -------------------------------------------------------------------------
    def step(self) -> bool:
        """Run one event; False when the run is over."""
        if self.phase == "done":
            return False
        return self.loop.step()

    def run(self, until: float) -> None:
        """Run up to virtual time `until` (or the end)."""
        with gc_paused():
            self.loop.run_until(until)
        if self.phase != "done":
            self.loop.now = max(self.loop.now, until)

    def run_to_end(self, max_steps: int | None = None):
        """Run until settled and recovered; returns the Report."""
        from .report import build_report
        budget = max_steps or (2_000_000 + 200 * self.workload_size())
        loop = self.loop
        with gc_paused():
            while self.phase != "done" and loop._heap:
                loop.run_until(float("inf"), budget)
                if loop.steps > budget:
                    raise StepBudgetExceeded(
                        f"{self.scenario.source}: the run did not settle within {budget:,} steps "
                        f"(at {self.now:,.0f} ms); shorten the workload or check the events")
            return build_report(self)

    def finish(self, stop_workload: bool = False):
        """Settle this run now: final recovery, drain, and the report (on a copy, to keep playing).
        With stop_workload the application sends nothing more from now on."""
        copy_ = self.checkpoint()
        copy_.auto_finish = True
        if stop_workload:
            copy_.stop_workload()
        return copy_.run_to_end()

    def stop_workload(self) -> None:
        """The application stops sending: the records sent so far are the whole workload."""
        self._config_view = None
        self.config.workload["messages"] = len(self.ledger)

    def dispose(self) -> None:
        """Break this run's reference cycles (the nodes and the simulation name each other, the timers name
        the nodes), so that dropping it frees it at once, without the cyclic collector: for a run played only
        to be measured and never used again (a lesson check's trial). Nothing shared with a copy is touched:
        only this run's own nodes, replicas, network, clock and itself let go of what they hold."""
        own = [*self.nodes.values(), *(r for b in self.brokers.values() for r in b.replicas), self.net, self.loop]
        self.loop._heap.clear()
        for obj in own:
            obj.__dict__.clear()
        self.__dict__.clear()

    def checkpoint(self) -> "Simulation":
        """A full copy of this run's state, to rewind to or fork a what-if from."""
        with gc_paused():
            return copy.deepcopy(self)
