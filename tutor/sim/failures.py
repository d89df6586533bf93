"""Failures and repairs as plain functions on a simulation: what scenario events and the UI call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .simulation import Simulation

MAX_MEMBERS = 8  # [consumer] instances allows 1..8; members started by hand stop there too


def resolve_target(sim: "Simulation", target: str | None) -> list[str]:
    """Turn a node name or a role (leader, followers, all-brokers, ...) into node names, now."""
    if target is None:
        return []
    if target == "leader":
        leader = sim.controller.leader if sim.controller.up else None
        return [leader] if leader else [b for b in sim.broker_names() if sim.brokers[b].replica.role == "leader"][:1]
    if target == "followers":
        leader = resolve_target(sim, "leader")
        return [b for b in sim.replica_names() if b not in leader]
    if target.startswith(("leader:", "followers:")):
        return _partition_role(sim, *target.split(":"))
    if target == "all-brokers":
        return list(sim.broker_names())
    if target == "consumer" and sim.wire is not None:
        return [m.name for m in sim.members]
    if target == "coordinator":
        return [sim.wire.broker] if sim.wire is not None and sim.wire.broker else []
    return [target]


def is_member(sim: "Simulation", node: str) -> bool:
    """Is this node a consumer (the one consumer, or a member of a group)?"""
    return any(m.name == node for m in sim.members)


def _partition_role(sim: "Simulation", role: str, number: str) -> list[str]:
    """leader:N / followers:N (or leader:bar-1, a named topic's partition): partition N's leader (as
    the controller has it, or as the brokers believe
    while the controller is down) or its other replicas."""
    p = int(number) if number.isdigit() else sim.index_of((number.rsplit("-", 1)[0], int(number.rsplit("-", 1)[1])))
    number = str(p)
    if role == "leader":
        if sim.controller.up:
            leader = sim.controller.leader_of(p)
            return [leader] if leader else []
        return [b for b in sim.broker_names() if sim.brokers[b].replicas[p].role == "leader"][:1]
    leader = _partition_role(sim, "leader", number)
    return [b for b in sim.replica_names(p) if b not in leader]


def crash(sim: "Simulation", node: str) -> str:
    """Kill a process (SIGKILL, OOM): a broker's page cache survives, the OS writes it out (B3)."""
    n = sim.nodes[node]
    if not n.up:
        return f"{node} is already down"
    if node in sim.brokers:
        sim.brokers[node].crash()
        unflushed = sum(r.log.unflushed() for r in sim.brokers[node].hosted)
        return f"{node} process crashed ({unflushed} unflushed records stay in the OS page cache)"
    if node == "producer":
        lost = sim.producer.crash()
        return (f"producer process crashed: {sum(b.count for b in lost)} buffered/in-flight records gone"
                f"{sim.producer.spool_words()}")
    if is_member(sim, node):
        sim.nodes[node].crash()
        return f"{node} process crashed"
    n.stop("crash")
    return f"{node} crashed"


def power_loss(sim: "Simulation", node: str) -> str:
    """Cut a host's power: for a broker, everything after the last flush is gone (B3)."""
    n = sim.nodes[node]
    if not n.host_on:
        return f"{node} is already without power"
    if node in sim.brokers:
        lost = sim.brokers[node].power_loss()
        count = sum(b.count for b in lost)
        for b in lost:
            sim.ledger.step(b.batch_id, sim.now, "lost-power", node, b.base)
        return f"{node} lost power: {count} unflushed record(s) gone from its page cache"
    if node == "producer":
        lost = sim.producer.power_loss()
        return (f"producer host lost power: {sum(b.count for b in lost)} buffered/in-flight records gone"
                f"{sim.producer.spool_words()}")
    if is_member(sim, node):
        sim.nodes[node].crash("power-loss")
        sim.nodes[node].host_on = False
        return f"{node} host lost power"
    n.stop("power-loss")
    return f"{node} lost power"


def restart(sim: "Simulation", node: str) -> str:
    """Bring a node back; a broker first recovers its log and re-registers (B2)."""
    n = sim.nodes[node]
    if n.up:
        return f"{node} is already running"
    if node in sim.brokers:
        n.host_on = True
        sim.loop.after(sim.config.broker["startup.ms"], sim.boot_broker, node, n.incarnation)
        return f"{node} restarting (log recovery, then it registers with the controller)"
    if node == "producer":
        sim.producer.boot(resume=not sim.final)
        return "producer restarted" + (" (a new producer id)" if sim.producer.pid >= 0 else "")
    if is_member(sim, node):
        sim.nodes[node].boot()
        return f"{node} restarted; it rejoins its group"
    n.boot()
    return f"{node} restarted"


def partition(sim: "Simulation", group_a: list[str], group_b: list[str]) -> str:
    """Cut every link between two groups of nodes (roles resolved now)."""
    a = [n for t in group_a for n in resolve_target(sim, t)]
    b = [n for t in group_b for n in resolve_target(sim, t)]
    cut = sim.net.partition(a, b)
    return f"network partition: {', '.join(a)} | {', '.join(b)} ({len(cut)} links cut)"


def heal(sim: "Simulation", node: str | None = None) -> str:
    """Restore cut links (all, or one node's) and remove added latency."""
    restored = sim.net.heal(node)
    slowed = [n for n in ([node] if node else list(sim.net.node_delay)) if sim.net.node_delay.get(n)]
    for n in slowed:
        sim.net.node_delay[n] = 0.0
    members = [m for m in sim.members if getattr(m, "extra_ms", 0.0) and (node is None or m.name == node)]
    for m in members:  # a slowed member's processing is back to processing.ms
        m.extra_ms = 0.0
    slowed += [m.name for m in members]
    parts = [f"{len(restored)} link(s) restored"] if restored else []
    parts += [f"added latency removed from {', '.join(slowed)}"] if slowed else []
    return f"network healed ({'; '.join(parts) or 'nothing was cut or slowed'})"


def join(sim: "Simulation", node: str) -> str:
    """Start a group member that was not running, or a new one (consumer-N past the last, up to
    MAX_MEMBERS): it joins the group (a rebalance on purpose)."""
    n = sim.nodes.get(node)
    if n is None:
        why = _cannot_add(sim, node)
        if why:
            return f"{node} cannot join: {why}"
        n = sim.add_member(node)
    if n.up:
        return f"{node} is already in the group"
    n.boot()
    return f"{node} starts and joins group {sim.config.consumer['group.id']!r}"


def next_new_member(members: int) -> str:
    """The name a member started by hand gets in a group of `members`: consumer-N, N one past the count
    (a lone "consumer" counts as the first)."""
    return f"consumer-{members + 1}"


def _cannot_add(sim: "Simulation", node: str) -> str | None:
    """Why a new member cannot be started (None: it can): it must be the next consumer-N of a group."""
    if sim.wire is None:
        return "this run's consumer is not a group of members ([consumer] instances of 2 or more)"
    nxt = next_new_member(len(sim.members))
    if node != nxt:
        return f"the next new member is {nxt}"
    if len(sim.members) >= MAX_MEMBERS:
        return f"a group here has at most {MAX_MEMBERS} members"
    return None


def slow(sim: "Simulation", node: str, delay_ms: float) -> str:
    """Add latency to every link of a node (a slow follower, a congested NIC); a group member's
    processing of each record takes delay.ms longer instead (so it can outlast max.poll.interval.ms)."""
    if sim.wire is not None and is_member(sim, node):
        sim.nodes[node].extra_ms = delay_ms
        return f"{node} is slow: each record takes {delay_ms:g} ms longer to process"
    sim.net.node_delay[node] = delay_ms
    return f"{node} is slow: +{delay_ms:g} ms on every link"


def processing_error(sim: "Simulation", node: str = "consumer") -> str:
    """The consumer's processing throws: the application closes the consumer and exits."""
    c = sim.nodes.get(node) if is_member(sim, node) else None
    if c is None or not c.up:
        return f"{node} is not running"
    rec = c.processing_error()
    if rec is None:
        return f"{node} processing threw with no record in hand; the application closed the consumer"
    return (f"{node} processing threw on record {rec.rid} (offset {rec.offset}); "
            f"the application closed the consumer")
