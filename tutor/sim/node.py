"""What every simulated machine shares: a process that can crash and a host that can lose power."""

from __future__ import annotations

import heapq
from functools import partial
from typing import TYPE_CHECKING, Any, Callable

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

    @property
    def now(self) -> float:
        """The virtual clock."""
        return self.loop.now

    def timer(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Run fn after `delay` unless this process dies first."""
        loop = self.loop
        loop.at(loop.now + delay, self._fire, self.incarnation, fn, args)

    def _fire(self, inc: int, fn: Callable[..., Any], args: tuple) -> None:
        """Fire a timer that belongs to the current incarnation only."""
        if self.up and inc == self.incarnation:
            fn(*args)

    def send(self, dst: str, fn: Callable[..., Any], *args: Any,
             on_reset: Callable[[], Any] | None = None) -> bool:
        """Send a message from this node."""
        return self.sim.net.send(self.name, dst, fn, *args, on_reset=on_reset)

    def stop(self, kind: str) -> None:
        """The process dies (and with power loss, the host); every timer it set is void."""
        self.up = False
        self.incarnation += 1
        self.down_since, self.down_kind = self.now, kind
        if kind == "power-loss":
            self.host_on = False

    def start(self) -> None:
        """The process (and host) come back with a fresh incarnation."""
        self.host_on = True
        self.up = True
        self.incarnation += 1
        self.down_since = self.down_kind = None


class Deadlines:
    """Many timeouts watched by one timer at a time: the earliest; most never fire (they are met)."""

    def __init__(self, node: Node, expire: Callable[[Any], Any], settled: Callable[[Any], bool]) -> None:
        self.node = node
        self.expire = expire
        self.settled = settled  # True once the key no longer needs its deadline
        self.heap: list[tuple[float, int, Any]] = []
        self.seq = 0
        self.armed: float | None = None

    def add(self, delay: float, key: Any) -> None:
        """Call expire(key) `delay` ms from now (it decides whether the key is still pending)."""
        self.seq += 1
        when = self.node.now + delay
        heapq.heappush(self.heap, (when, self.seq, key))
        if self.armed is None or when < self.armed:
            self._arm(when)

    def _arm(self, when: float) -> None:
        """Set the one timer for the earliest deadline."""
        self.armed = when
        self.node.timer(when - self.node.now, self._check, when)

    def _check(self, when: float) -> None:
        """Expire every deadline that has passed, then re-arm for the next."""
        if when != self.armed:
            return
        self.armed = None
        heap = self.heap
        while heap and heap[0][0] <= self.node.now:
            self.expire(heapq.heappop(heap)[2])
        while heap and self.settled(heap[0][2]):  # met deadlines need no timer
            heapq.heappop(heap)
        if heap and self.armed is None:
            self._arm(heap[0][0])


class ClientNode(Node):
    """A Kafka client: learns who leads t-0 by asking a broker it can reach."""

    RETRY_BACKOFF_MS = 100  # retry.backoff.ms
    REQUEST_TIMEOUT_MS = 30000  # request.timeout.ms

    def __init__(self, sim: "Simulation", name: str) -> None:
        super().__init__(sim, name)
        self.leader: str | None = None
        self.metadata_pending = False

    def start_metadata(self, max_age: float) -> None:
        """Fresh process: no metadata yet; ask now and every metadata.max.age.ms."""
        self.leader = None
        self.metadata_pending = False
        self.refresh_metadata()
        self.timer(max_age, self._periodic_metadata, max_age)

    def refresh_metadata(self) -> None:
        """Ask a reachable broker who leads t-0 (its answer may be stale: a zombie names itself)."""
        if self.metadata_pending:
            return
        for name in self.sim.rotate_brokers():
            broker = self.sim.brokers[name]
            if self.sim.net.link_up(self.name, name) and broker.host_on:
                self.metadata_pending = True
                self.send(name, broker.on_metadata_request, partial(broker.send, self.name, self._on_metadata),
                          on_reset=self._metadata_failed)
                self.timer(self.REQUEST_TIMEOUT_MS, self._metadata_timeout)
                return
        self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)

    def _metadata_failed(self) -> None:
        """That broker's process is down: try another after the backoff."""
        self.metadata_pending = False
        self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)

    def _metadata_timeout(self) -> None:
        """No metadata answer: ask again."""
        if self.metadata_pending and self.leader is None:
            self.metadata_pending = False
            self.refresh_metadata()

    def _on_metadata(self, leader: str | None, epoch: int = -1) -> None:
        """Learn the leader; without one, ask again after the backoff."""
        self.metadata_pending = False
        self.leader = leader
        if leader is None:
            self.timer(self.RETRY_BACKOFF_MS, self.refresh_metadata)
        else:
            self.on_leader_known()

    def _periodic_metadata(self, max_age: float) -> None:
        """metadata.max.age.ms: refresh even without errors."""
        self.refresh_metadata()
        self.timer(max_age, self._periodic_metadata, max_age)

    def on_leader_known(self) -> None:
        """Hook: a leader is known again."""
