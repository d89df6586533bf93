"""What a run is waiting for: the pending timeouts that decide what happens next, read from the model.

A broken cluster is often quiet: Kafka waits for a session to expire or a request to time out before
anything moves. `pending(sim)` names those waits (who waits, for what, the setting that sets the
length, its value, and when the wait ends) so a view can show the countdown instead of a frozen
picture. It only reads the run's state; it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .simulation import Simulation

#: a produce request or consumer fetch unanswered for this long is worth a countdown (normal
#: answers take a few network hops; longer means a dead, cut-off or stalled broker)
STUCK_MS = 1000.0


@dataclass(frozen=True, slots=True)
class Wait:
    """One pending wait: `who` waits for `what`; `setting` = `value` decides how long; ends at `due`."""

    who: str                 # "controller", "producer", "consumer", "broker-2", ...
    what: str                # "broker-1's session expires", ...
    setting: str             # the Kafka property that sets the length
    value: Any               # its value in force
    due: float | None        # virtual ms when it ends (None: until something else happens)
    then: str = ""           # what follows when it ends

    def line(self, now: float, then: bool = True, value: bool = True, who: bool = True) -> str:
        """"controller: broker-1's session expires in 7.0 s (broker.session.timeout.ms = 9000), then …";
        the flags leave parts out where room is short."""
        when = "" if self.due is None else f" in {max(self.due - now, 0.0) / 1000:,.1f} s"
        setting = "" if not self.setting else (f" ({self.setting})" if self.value is None or not value else
                                               f" ({self.setting} = {kafka_value(self.value)})")
        after = f", then {self.then}" if self.then and then else ""
        return f"{self.who + ': ' if who else ''}{self.what}{when}{setting}{after}"


def kafka_value(value: Any) -> str:
    """A value as Kafka's configuration writes it: true/false, null, numbers as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def pending(sim: "Simulation") -> tuple[Wait, ...]:
    """Every wait that governs what happens next, earliest first (open-ended ones last)."""
    waits = [*_sessions(sim), *_isr_lag(sim), *_offline(sim), *_producer(sim), *_consumer(sim),
             *_restarts(sim)]
    return tuple(sorted(waits, key=lambda w: (w.due is None, w.due or 0.0)))


# --- reading the event heap ------------------------------------------------------------------
def _timers(sim: "Simulation", name: str) -> Iterator[tuple[float, Any, tuple]]:
    """Live timers (time, owner, args) of a node method called `name` still on the event heap."""
    for time, _prio, _seq, fn, args in sim.loop._heap:
        owner = getattr(fn, "__self__", None)
        if getattr(fn, "__name__", "") == "_fire" and len(args) == 3:
            inc, target, targs = args
            if getattr(target, "__name__", "") == name and owner.up and inc == owner.incarnation:
                yield time, owner, targs
        elif getattr(fn, "__name__", "") == name:
            yield time, owner, args


def _next_tick(sim: "Simulation", name: str, owner: Any, period: float, after: float) -> float | None:
    """The first run, at or after `after`, of a periodic check that reschedules itself every `period`."""
    times = [t for t, o, _ in _timers(sim, name) if o is owner]
    if not times:
        return None
    t = min(times)
    if t < after and period > 0:
        t += -(-(after - t) // period) * period
    return t


# --- the controller and the brokers ------------------------------------------------------------
def _sessions(sim: "Simulation") -> Iterator[Wait]:
    """A broker the controller no longer hears from is fenced when its session expires (R1)."""
    ctl = sim.controller
    if not ctl.up:
        return
    timeout = sim.config.session_timeout_ms()
    setting = "broker.session.timeout.ms" if sim.config.kraft else "zookeeper.session.timeout.ms"
    for name, b in sim.brokers.items():
        silent = not b.up or not sim.net.link_up(name, "controller")
        if silent and name in ctl.unfenced:
            then = "a new leader is elected" if ctl.leader == name else "it leaves the ISR"
            yield Wait("controller", f"{name}'s session expires", setting, timeout,
                       ctl.last_heartbeat[name] + timeout, then)


def _isr_lag(sim: "Simulation") -> Iterator[Wait]:
    """A follower behind the leader's log end leaves the ISR after replica.lag.time.max.ms (R1, R11),
    in each partition."""
    for p in range(sim.partitions):
        yield from _isr_lag_of(sim, p)


def _isr_lag_of(sim: "Simulation", p: int) -> Iterator[Wait]:
    """The ISR lag waits of partition p (named by partition when the topic has several)."""
    leader = sim.brokers.get(sim.controller.leader_of(p) or "")
    if leader is None or not leader.up or leader.replicas[p].role != "leader":
        return
    r = leader.replicas[p]
    where = f" of {r.tp}" if sim.partitions > 1 else ""
    lag = leader.cfg["replica.lag.time.max.ms"]
    for f in r.isr:
        state = r.followers.get(f)
        if f == leader.name or state is None or state.leo >= r.log.leo:
            continue
        behind_since = state.last_caught_up
        if sim.now - behind_since < max(STUCK_MS, lag / 10):  # a moment behind is normal traffic
            continue
        due = _next_tick(sim, "isr_check", leader, sim.lag_check_interval(), behind_since + lag)
        yield Wait(leader.name, f"{f} leaves the ISR{where} unless it catches up", "replica.lag.time.max.ms",
                   lag, due, "the HW moves on without it")


def _offline(sim: "Simulation") -> Iterator[Wait]:
    """No leader: a partition waits for an ISR member to come back (R6)."""
    ctl = sim.controller
    for part in ctl.parts if ctl.up else ():
        if part.leader is None:
            unclean = sim.config.topic["unclean.leader.election.enable"]
            yield Wait(part.tp, "offline until a replica in the ISR comes back", "unclean.leader.election.enable",
                       unclean, None)


def _restarts(sim: "Simulation") -> Iterator[Wait]:
    """A failure fired with restart.after.ms brings its node back then."""
    for time, _owner, args in _timers(sim, "_delayed_restart"):
        yield Wait(args[0], "restarts", "restart.after.ms", None, time)


# --- the clients ---------------------------------------------------------------------------------
def _producer(sim: "Simulation") -> Iterator[Wait]:
    """The oldest unanswered produce request times out after request.timeout.ms (P6)."""
    p = sim.producer
    if not p.up:
        return
    stuck = _stuck_requests(sim)
    if stuck:
        due, b = stuck[0]
        new = sim.controller.leader
        then = (f"it retries on the new leader {new}" if new and new != b.sent_to else
                "it retries (delivery.timeout.ms permitting)")
        what = (f"{len(stuck)} requests to {b.sent_to} unanswered: the first times out" if len(stuck) > 1
                else f"request to {b.sent_to} times out")
        yield Wait("producer", what, "request.timeout.ms",
                   p.cfg["request.timeout.ms"], due, then)


def _stuck_requests(sim: "Simulation") -> list[tuple[float, Any]]:
    """(deadline, batch) of produce requests unanswered for longer than STUCK_MS, earliest first."""
    p = sim.producer
    deadlines = {key: when for when, _seq, key in p.request_deadlines.entries()}
    timeout = p.cfg["request.timeout.ms"]
    out = []
    for key, b in p.in_flight.items():
        due = deadlines.get(key)
        if due is not None and sim.now - (due - timeout) >= STUCK_MS:
            out.append((due, b))
    return sorted(out, key=lambda x: x[0])


def _consumer(sim: "Simulation") -> Iterator[Wait]:
    """Starting, joining the group (after a dead member's session), fetching from a silent leader."""
    c = sim.consumer
    if c is None:
        return
    if getattr(sim, "wire", None) is not None:
        yield from _group(sim)
        return
    if not c.up:
        yield from _consumer_start(sim)
        return
    if c.state == "joining":
        yield _joining(sim)
    elif c.fetching and sim.now - c.fetch_sent_at >= STUCK_MS + c.fetch_wait_ms():
        timeout = c.fetch_timeout_ms()
        setting = "request.timeout.ms" if c.java else "socket.timeout.ms + fetch.wait.max.ms"
        yield Wait("consumer", f"fetch from {c.leader} is abandoned", setting,
                   timeout, c.fetch_sent_at + timeout, "it looks for the leader again")


def _group(sim: "Simulation") -> Iterator[Wait]:
    """A group: a dead member's session at the coordinator, the end of a join phase, a poll loop
    running towards max.poll.interval.ms."""
    wire, cfg = sim.wire, sim.config.consumer
    coord = wire.coord
    if wire.broker is None:
        yield Wait("coordinator", "the group has no coordinator until its offsets partition has a leader",
                   "", None, None, "members find the new one and go on")
    for m in list(coord.members.values()):
        node = sim.nodes.get(m.name)
        if node is not None and not node.up:
            timeout = getattr(m, "session_timeout_ms", getattr(coord, "session_timeout_ms", 0))
            setting = "session.timeout.ms" if not wire.kip848 else "group.consumer.session.timeout.ms"
            yield Wait("coordinator", f"{m.name}'s session expires", setting, timeout, m.last_seen + timeout,
                       "the group rebalances and its partitions move")
    deadline = getattr(coord, "join_deadline", None)
    if deadline is not None:
        initial = coord.initial_remaining is not None
        setting = "group.initial.rebalance.delay.ms" if initial else "max.poll.interval.ms"
        what = "waits for more members" if initial else "waits for every member to rejoin"
        yield Wait("coordinator", f"the group {what}", setting,
                   coord.initial_delay if initial else coord._rebalance_timeout(), deadline,
                   "a new generation is assigned")
    for node in sim.members:
        last = getattr(node, "last_poll", None)
        busy = node.up and (node.current is not None or node.work) and last is not None
        if busy and node.state == "active" and sim.now - last >= STUCK_MS:
            limit = cfg["max.poll.interval.ms"]
            yield Wait(node.name, "has not called poll() since its last batch", "max.poll.interval.ms", limit,
                       last + limit, "it leaves the group and its partitions are lost")
    for time, owner, _args in _timers(sim, "boot"):
        if owner in sim.members:
            yield Wait(owner.name, "application starts", "start.ms", cfg["start.ms"], time)


def _consumer_start(sim: "Simulation") -> Iterator[Wait]:
    """The consumer application starts at its start.ms."""
    for time, owner, _args in _timers(sim, "boot"):
        if owner is sim.consumer:
            yield Wait("consumer", "application starts", "start.ms", sim.config.consumer["start.ms"], time)


def _joining(sim: "Simulation") -> Wait:
    """The group waits for a dead member's session, or for more members on a new group."""
    g = sim.group
    joins = [t for t, o, _ in _timers(sim, "_joined") if o is sim.consumer]
    due = min(joins) if joins else None
    if g.dead_member_expires is not None and g.ever_joined:
        return Wait("consumer", "rejoins when the dead member's session expires",
                    "session.timeout.ms", sim.config.consumer["session.timeout.ms"], due,
                    "it resumes from the group's committed offset")
    return Wait("consumer", "joins the group (the coordinator waits for more members)",
                "group.initial.rebalance.delay.ms", sim.config.broker["group.initial.rebalance.delay.ms"], due,
                "it is assigned t-0")
