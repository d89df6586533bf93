"""What every simulated machine shares: a process that can crash and a host that can lose power."""

from __future__ import annotations

import copy
import heapq
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

from .core import NORMAL

if TYPE_CHECKING:
    from .simulation import Simulation


class Node:
    """A named process on a host; timers die with the process incarnation that set them."""

    def __init__(self, sim: "Simulation", name: str) -> None:
        self.sim = sim
        self.loop = sim.loop
        self.name = name
        self.host_on = True
        self.up = True
        self.incarnation = 0
        self.down_since: float | None = None
        self.down_kind: str | None = None  # "crash" | "power-loss" | "error"
        self.send = partial(sim.net.send, name)  # (send(), without a call of its own: every message)

    @property
    def now(self) -> float:
        """The virtual clock."""
        return self.loop.now

    def timer(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Run fn after `delay` unless this process dies first."""
        loop = self.loop  # EventLoop.at, inlined: timers are a third of a run's events
        loop._seq = seq = loop._seq + 1
        now = loop.now
        when = now + delay
        heapq.heappush(loop._heap, (when if when >= now else now, NORMAL, seq, self._fire,
                                    (self.incarnation, fn, args)))

    def _fire(self, inc: int, fn: Callable[..., Any], args: tuple) -> None:
        """Fire a timer that belongs to the current incarnation only."""
        if self.up and inc == self.incarnation:
            fn(*args)

    def send(self, dst: str, fn: Callable[..., Any], *args: Any,
             on_reset: Callable[[], Any] | None = None, dst_inc: int | None = None) -> bool:
        """Send a message from this node (over a connection to process incarnation `dst_inc`). Each node's
        `send` is the network's with the node's name bound (set in __init__); this stands for it."""
        return self.sim.net.send(self.name, dst, fn, *args, on_reset=on_reset, dst_inc=dst_inc)

    def stop(self, kind: str) -> None:
        """The process dies (and with power loss, the host); every timer it set is void. On a host
        that still runs, the kernel closes the dead process's connections (peers see them close)."""
        self.up = False
        if kind != "power-loss":
            self.sim.net.close_connections(self.name, self.incarnation)
        else:
            self.sim.net.peers.pop(self.name, None)
        self.incarnation += 1
        self.down_since, self.down_kind = self.loop.now, kind
        if kind == "power-loss":
            self.host_on = False

    def on_connection_closed(self, peer: str, inc: int) -> None:
        """A connection this process opened to `peer` (its incarnation `inc`) was closed by peer's host."""

    def start(self) -> None:
        """The process (and host) come back with a fresh incarnation."""
        self.host_on = True
        self.up = True
        self.incarnation += 1
        self.down_since = self.down_kind = None


class Deadlines:
    """Many timeouts watched by one timer at a time: the earliest; most never fire (they are met).

    Deadlines come due in (time, order added). Most are added with one fixed delay, each later than the last:
    those wait in a queue, whose head is its earliest (no heap to sift through thousands of them); one added
    earlier than the queue's last waits in a heap beside it; the earlier of the two heads is the next."""

    def __init__(self, node: Node, expire: Callable[[Any], Any], settled: Callable[[Any], bool]) -> None:
        self.node = node
        self.expire = expire
        self.settled = settled  # True once the key no longer needs its deadline
        self.queue: deque[tuple[float, int, Any]] = deque()  # (time, seq, key), in order of time and seq
        self.heap: list[tuple[float, int, Any]] = []  # the ones added out of order
        self.seq = 0
        self.armed: float | None = None

    def __deepcopy__(self, memo: dict) -> "Deadlines":
        """A checkpoint's copy without the deadlines already met: expiring a settled key does nothing and a
        key never becomes pending again, so they only wait to be popped; dropping them keeps every timer and
        every expiry the same and spares copying the requests and batches they hold."""
        new = Deadlines.__new__(Deadlines)
        memo[id(self)] = new
        settled = self.settled
        live = [entry for entry in self.heap if not settled(entry[2])]
        heapq.heapify(live)  # (time, seq) never tie, so the pops come in the same order
        queue = deque(entry for entry in self.queue if not settled(entry[2]))
        state = dict(self.__dict__, heap=live, queue=queue)
        new.__dict__.update(copy.deepcopy(state, memo))
        return new

    def entries(self) -> list[tuple[float, int, Any]]:
        """Every deadline waiting, met or not: (time, seq, key), in no particular order."""
        return [*self.queue, *self.heap]

    def add(self, delay: float, key: Any) -> None:
        """Call expire(key) `delay` ms from now (it decides whether the key is still pending)."""
        self.seq += 1
        when = self.node.loop.now + delay
        queue = self.queue
        if not queue or queue[-1][0] <= when:
            queue.append((when, self.seq, key))
        else:
            heapq.heappush(self.heap, (when, self.seq, key))
        if self.armed is None or when < self.armed:
            self._arm(when)

    def _next(self) -> tuple[float, int, Any] | None:
        """The earliest deadline waiting (the earlier of the two heads)."""
        queue, heap = self.queue, self.heap
        if heap and (not queue or heap[0] < queue[0]):  # ((time, seq) never tie: keys are never compared)
            return heap[0]
        return queue[0] if queue else None

    def _arm(self, when: float) -> None:
        """Set the one timer for the earliest deadline."""
        self.armed = when
        self.node.timer(when - self.node.loop.now, self._check, when)

    def _check(self, when: float) -> None:
        """Expire every deadline that has passed, then re-arm for the next."""
        if when != self.armed:
            return
        self.armed = None
        now, queue, heap, expire, settled = self.node.loop.now, self.queue, self.heap, self.expire, self.settled
        while True:  # (the earlier head each time: a check may pop thousands)
            if heap and (not queue or heap[0] < queue[0]):
                if heap[0][0] > now:
                    break
                expire(heapq.heappop(heap)[2])
            elif queue and queue[0][0] <= now:
                expire(queue.popleft()[2])
            else:
                break
        while True:  # met deadlines need no timer
            if heap and (not queue or heap[0] < queue[0]):
                if not settled(heap[0][2]):
                    break
                heapq.heappop(heap)
            elif queue and settled(queue[0][2]):
                queue.popleft()
            else:
                break
        first = self._next()
        if first is not None and self.armed is None:
            self._arm(first[0])


@dataclass(slots=True, eq=False)
class Conn:
    """A client's TCP connection to one broker, as the client knows it."""

    state: str = "down"          # "down" | "connecting" | "ready"
    inc: int = -1                # the broker process incarnation it was opened to
    failures: int = 0            # failed attempts in a row (exponential reconnect backoff)
    retry_at: float = 0.0        # no new attempt before this time
    attempt: int = 0             # which attempt a late answer belongs to


class ClientNode(Node):
    """A Kafka client: learns who leads t-0 by asking a broker; sends over connections it opens."""

    RETRY_BACKOFF_MS = 100  # retry.backoff.ms
    REQUEST_TIMEOUT_MS = 30000  # request.timeout.ms
    RECONNECT = {"java": (50, 1000), "librdkafka": (100, 10000)}  # reconnect.backoff.ms, .max.ms
    CONNECT_TIMEOUT = {"java": 10000, "librdkafka": 30000}  # socket.connection.setup.timeout.ms

    def __init__(self, sim: "Simulation", name: str) -> None:
        super().__init__(sim, name)
        self.leader: str | None = None  # who leads t-0
        self.leaders: list[str | None] = [None] * sim.partitions  # who leads each partition, as last heard
        self.metadata_pending = False
        self.metadata_token = 0
        self.conns: dict[str, Conn] = {}

    @property
    def client_kind(self) -> str:
        """"java" or "librdkafka"."""
        return getattr(self, "cfg", {}).get("client", "java")

    def start_metadata(self, max_age: float) -> None:
        """Fresh process: no metadata and no connections yet; ask now and every `max_age` ms."""
        self.leader = None
        self.leaders = [None] * len(self.leaders)
        self.metadata_pending = False
        self.conns = {}
        self.refresh_metadata()
        self.timer(max_age, self._periodic_metadata, max_age)

    def refresh_metadata(self) -> None:
        """Ask a reachable broker who leads t-0 (its answer may be stale: a zombie names itself).
        The first broker tried is drawn with the run's seeded RNG, as Java's leastLoadedNode starts
        at a random offset and librdkafka picks a random broker."""
        if self.metadata_pending:
            return
        names = self.sim.broker_names()
        start = self.sim.rng.randrange(len(names))
        for name in names[start:] + names[:start]:
            broker = self.sim.brokers[name]
            if self.sim.net.link_up(self.name, name) and broker.host_on:
                self.metadata_pending = True
                self.metadata_token += 1
                token = self.metadata_token
                self.send(name, broker.on_metadata_request,
                          partial(broker.send, self.name, self._on_metadata, token),
                          on_reset=partial(self._metadata_failed, token))
                self.timer(self.REQUEST_TIMEOUT_MS, self._metadata_timeout, token)
                return
        self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)

    def _metadata_failed(self, token: int) -> None:
        """That broker's process is down: try another after the backoff."""
        if token == self.metadata_token and self.metadata_pending:
            self.metadata_pending = False
            self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)

    def _metadata_timeout(self, token: int) -> None:
        """No metadata answer: ask again."""
        if token == self.metadata_token and self.metadata_pending:
            self.metadata_pending = False
            self.refresh_metadata()

    def _on_metadata(self, token: int, leader: str | None, epoch: int = -1, leaders: tuple = ()) -> None:
        """Learn the leader of t-0 (and of every partition); without one, ask again after the backoff."""
        if token != self.metadata_token:
            return
        self.metadata_pending = False
        self.leader = leader
        self.leaders = [name for name, _ in leaders] if leaders else [leader]
        if leader is None:
            self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)
        if leader is not None or any(self.leaders):
            self.on_leader_known()

    def _periodic_metadata(self, max_age: float) -> None:
        """metadata.max.age.ms (librdkafka: topic.metadata.refresh.interval.ms): refresh anyway."""
        self.refresh_metadata()
        self.timer(max_age, self._periodic_metadata, max_age)

    def on_leader_known(self) -> None:
        """Hook: a leader is known again."""

    # --- connections (NetworkClient.ready / librdkafka broker state UP) -------------------------
    def conn_ready(self, broker: str) -> bool:
        """Is the connection to `broker` ready? If not, start connecting (unless backing off)."""
        c = self.conns.get(broker)
        if c is None:
            c = self.conns[broker] = Conn()
        elif c.state == "ready":
            return True
        if c.state == "down" and self.loop.now >= c.retry_at:
            c.state = "connecting"
            c.attempt += 1
            self.sim.net.connect(self.name, broker, partial(self._connected, broker, c.attempt),
                                 partial(self._connect_failed, broker, c.attempt))
            self.timer(self.CONNECT_TIMEOUT[self.client_kind], self._connect_failed, broker, c.attempt)
        elif c.state == "down":
            self.timer(c.retry_at - self.loop.now, self.on_connection_change, broker)
        return False

    def _connected(self, broker: str, attempt: int, inc: int) -> None:
        """The broker accepted the connection."""
        c = self.conns.get(broker)
        if c is None or c.attempt != attempt or c.state != "connecting":
            return
        c.state, c.inc, c.failures = "ready", inc, 0
        self.on_connection_change(broker)

    def _connect_failed(self, broker: str, attempt: int) -> None:
        """Refused (a reset: no process) or no answer in time: back off exponentially, ask for metadata."""
        c = self.conns.get(broker)
        if c is None or c.attempt != attempt or c.state != "connecting":
            return
        self.disconnected(broker)

    def disconnected(self, broker: str) -> None:
        """The connection is gone (reset, closed by the peer's host, or closed after a timeout)."""
        c = self.conns.setdefault(broker, Conn())
        lo, hi = self.RECONNECT[self.client_kind]
        c.state = "down"
        c.attempt += 1
        c.retry_at = self.loop.now + min(hi, lo * 2 ** c.failures)
        c.failures += 1
        if broker == self.leader:
            self.leader = None  # the disconnect may mean stale metadata: ask again
        self.leaders = [None if name == broker else name for name in self.leaders]
        self.refresh_metadata()
        self.on_connection_change(broker)

    def on_connection_closed(self, peer: str, inc: int) -> None:
        """The peer's process died and its host closed our connection."""
        c = self.conns.get(peer)
        if c is not None and c.state == "ready" and c.inc == inc:
            self.disconnected(peer)

    def on_connection_change(self, broker: str) -> None:
        """Hook: a connection became ready or went down."""
