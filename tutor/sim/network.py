"""The network: named nodes on a networkx graph; a cut edge is a partition, edge weights are latency."""

from __future__ import annotations

import random
from heapq import heappush
from typing import Any, Callable

from .core import NORMAL, EventLoop


TCP_GIVE_UP_MS = 30000.0  # clients close a silent connection after request.timeout.ms (30 s)


class Network:
    """Delivers messages between nodes in order, after latency, only over links that are up."""

    def __init__(self, loop: EventLoop, rng: random.Random, nodes: list[str],
                 latency: float, jitter: float) -> None:
        self.loop, self.rng, self.jitter = loop, rng, jitter
        self.names = list(nodes)  # every node, in the order the graphs list them
        self._graphs: tuple[Any, Any] | None = None  # (every link, the links up): built at the first cut
        self.cut: set[tuple[str, str]] = set()  # both directions of every cut link, for speed
        self.extra: dict[tuple[str, str], float] = {}
        self.latency = latency
        self.node_delay = {n: 0.0 for n in nodes}
        self.hosts: dict[str, Any] = {}  # name -> node object with host_on, up, incarnation
        self._last: dict[tuple[str, str], float] = {}  # FIFO per connection, like TCP
        self.held: list[tuple] = []  # messages waiting on a cut link (TCP retransmitting)
        self.on_drop: Callable[[str, Callable[..., Any], tuple], Any] | None = None  # (dst, fn, args)
        self._ids = 0
        self.peers: dict[str, dict[str, int]] = {}  # node -> {client: its incarnation} connected to it now
        self._src: str | None = None  # sender of the message being handled (see `current`)
        self._on_reset: Callable[[], Any] | None = None

    @property
    def current(self) -> tuple | None:
        """(src, src incarnation, on_reset) of the message being handled, None outside a delivery (built when
        asked: few handlers ask, and every message is delivered)."""
        src = self._src
        return None if src is None else (src, self.hosts[src].incarnation, self._on_reset)

    @property
    def full(self) -> Any:
        """Every link: the complete graph over the nodes."""
        return self._graph_pair()[0]

    @property
    def graph(self) -> Any:
        """The links that are up: the complete graph less the cut edges."""
        return self._graph_pair()[1]

    def _graph_pair(self) -> tuple[Any, Any]:
        """The two graphs, built when first needed: most runs never cut a link, and networkx takes a
        noticeable part of a short command's start to import."""
        if self._graphs is None:
            import networkx as nx

            full = nx.complete_graph(self.names)
            self._graphs = (full, full.copy())
        return self._graphs

    def add_node(self, name: str) -> None:
        """A machine started while the run goes on (a group member started by hand): linked to every node."""
        others = list(self.names)
        self.names.append(name)
        if self._graphs is not None:
            for g in self._graphs:
                g.add_node(name)
                g.add_edges_from((name, n) for n in others)
        self.node_delay[name] = 0.0

    def link_up(self, a: str, b: str) -> bool:
        """Two nodes can talk only over their direct link: Kafka nodes do not relay for each other."""
        return (a, b) not in self.cut

    def delay(self, a: str, b: str) -> float:
        """One-way latency of a link: base, per-node slowness, per-link extra, seeded jitter."""
        extra = self.extra.get((a, b), 0.0) if self.extra else 0.0
        jitter = self.rng.uniform(0, self.jitter) if self.jitter else 0.0
        return self.latency + self.node_delay[a] + self.node_delay[b] + extra + jitter

    def send(self, src: str, dst: str, fn: Callable[..., Any], *args: Any,
             on_reset: Callable[[], Any] | None = None, dst_inc: int | None = None) -> bool:
        """Send a message; over a connection, `dst_inc` is the process incarnation it was opened to. (A node's
        own send() is this, with its name bound: a message costs no call on the way.)"""
        inc = self.hosts[dst].incarnation if dst_inc is None else dst_inc
        link = (src, dst)
        if self.cut and link in self.cut:
            self._hold(src, dst, fn, args, on_reset, inc)
            return True
        loop = self.loop
        now = loop.now
        # delay(src, dst), inlined: this runs for every message (the jitter draw keeps its place)
        extra = self.extra.get(link, 0.0) if self.extra else 0.0
        jitter = self.rng.uniform(0, self.jitter) if self.jitter else 0.0
        node_delay = self.node_delay
        when = now + (self.latency + node_delay[src] + node_delay[dst] + extra + jitter)
        last_sent = self._last
        last = last_sent.get(link, 0.0)
        if last > when:
            when = last
        last_sent[link] = when
        self._ids = mid = self._ids + 1
        # EventLoop.at, inlined: this runs for every message
        loop._seq = seq = loop._seq + 1
        heappush(loop._heap, (when if when >= now else now, NORMAL, seq, self._deliver,
                              (mid, src, dst, inc, fn, args, on_reset, now)))
        return True

    @property
    def in_flight(self) -> dict[int, tuple]:
        """Messages on the wire, in the order sent: message id -> (src, dst, fn, args, sent, arrives). Read
        from the event queue itself (a message is its delivery event), so sending keeps no second record."""
        deliver = self._deliver
        found = sorted((args[0], (args[1], args[2], args[4], args[5], args[7], t))
                       for t, _prio, _seq, fn, args in self.loop._heap if fn == deliver)
        return dict(found)

    def _deliver(self, mid: int, src: str, dst: str, inc: int, fn: Callable[..., Any], args: tuple,
                 on_reset: Callable[[], Any] | None, sent: float) -> None:
        """Hand a message over if the link and the receiving process are still there."""
        target = self.hosts[dst]
        if not target.host_on:
            if self.on_drop is not None:
                self.on_drop(dst, fn, args)
            return  # silence: the sender finds out only by timing out
        if self.cut and (src, dst) in self.cut:
            return self._hold(src, dst, fn, args, on_reset, inc)
        if not target.up or target.incarnation != inc:
            if on_reset is not None:  # the host is up but the process is gone: a TCP reset
                self.loop.after(self.delay(dst, src), self._reset, src, self.hosts[src].incarnation, on_reset)
            if self.on_drop is not None:
                self.on_drop(dst, fn, args)
            return
        self._src, self._on_reset = src, on_reset
        try:
            fn(*args)
        finally:
            self._src = self._on_reset = None

    def _reset(self, src: str, src_inc: int, on_reset: Callable[[], Any]) -> None:
        """A reset reaches the process that sent the request (if it is still that process)."""
        node = self.hosts[src]
        if node.up and node.incarnation == src_inc:
            on_reset()

    # --- connections ---------------------------------------------------------------------
    def connect(self, src: str, dst: str, on_ok: Callable[[int], Any], on_fail: Callable[[], Any]) -> None:
        """TCP connect: accepted by a live process after a round trip (on_ok gets its incarnation);
        a host whose process is gone answers with a reset (on_fail); silence answers nothing."""
        self.send(src, dst, self._accept, src, dst, on_ok, on_reset=on_fail)

    def _accept(self, src: str, dst: str, on_ok: Callable[[int], Any]) -> None:
        """The destination's process accepts the connection and remembers the peer."""
        self.peers.setdefault(dst, {})[src] = self.hosts[src].incarnation
        self.send(dst, src, on_ok, self.hosts[dst].incarnation)

    def close_connections(self, node: str, inc: int) -> None:
        """A process died on a live host: the kernel closes its sockets and every peer sees the
        connection close one link latency later (a cut link or a dead peer host hears nothing)."""
        for peer, peer_inc in sorted(self.peers.pop(node, {}).items()):
            host = self.hosts[peer]
            if self.link_up(node, peer) and host.host_on:
                self.loop.after(self.delay(node, peer), self._closed, peer, peer_inc, node, inc)

    def _closed(self, peer: str, peer_inc: int, node: str, inc: int) -> None:
        """The connection-close reaches the peer process that opened it."""
        host = self.hosts[peer]
        if host.up and host.incarnation == peer_inc:
            host.on_connection_closed(node, inc)

    def _hold(self, src: str, dst: str, fn: Callable[..., Any], args: tuple,
              on_reset: Callable[[], Any] | None, inc: int) -> None:
        """A cut link: TCP keeps retransmitting; the message gets through if the link heals in time."""
        self.held.append((self.loop.now, src, self.hosts[src].incarnation, dst, inc, fn, args, on_reset))

    def _release(self) -> None:
        """Links came back: deliver what TCP was still retransmitting, in order."""
        held, self.held = self.held, []
        for (t, src, src_inc, dst, inc, fn, args, on_reset) in held:
            if self.loop.now - t > TCP_GIVE_UP_MS or self.hosts[src].incarnation != src_inc:
                continue  # the connection was given up (timeouts) or its sender died
            if not self.link_up(src, dst):
                self.held.append((t, src, src_inc, dst, inc, fn, args, on_reset))
                continue
            self._ids += 1
            when = self.loop.now + self.delay(src, dst)
            self.loop.at(when, self._deliver, self._ids, src, dst, inc, fn, args, on_reset, t)

    def partition(self, group_a: list[str], group_b: list[str]) -> list[tuple[str, str]]:
        """Cut every link between two groups; returns the links cut."""
        cut = [(a, b) for a in group_a for b in group_b if a != b and self.graph.has_edge(a, b)]
        self.graph.remove_edges_from(cut)
        self._sync()
        return cut

    def heal(self, node: str | None = None) -> list[tuple[str, str]]:
        """Restore every cut link (or only those of one node); returns the links restored."""
        if self._graphs is None:
            return []  # nothing was ever cut (nor held)
        missing = [e for e in self.full.edges if not self.graph.has_edge(*e)
                   and (node is None or node in e)]
        self.graph.add_edges_from(missing)
        self._sync()
        self._release()
        return missing

    def _sync(self) -> None:
        """Mirror the graph's missing edges into the fast lookup set."""
        self.cut = {p for a, b in self.cut_links() for p in ((a, b), (b, a))}

    def cut_links(self) -> list[tuple[str, str]]:
        """The links that are down now."""
        if self._graphs is None:
            return []  # (nothing was ever cut)
        return [e for e in self.full.edges if not self.graph.has_edge(*e)]

    def reachable(self, src: str) -> set[str]:
        """Nodes `src` has a working link to (itself included)."""
        if self._graphs is None:
            return set(self.names)
        return {src, *self.graph.neighbors(src)}
