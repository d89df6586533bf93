"""The controller: broker liveness by session, leader election, the ISR of record, leader epochs, per partition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import vt
from .node import Node

if TYPE_CHECKING:
    from .simulation import Simulation

UNCLEAN_CHECK_MS = 300_000  # KRaft 3.9+: leaderless partitions are checked for unclean election every 5 min


class PartitionState:
    """One partition as the controller records it: replicas (assignment order), leader, ISR, epochs."""

    def __init__(self, index: int, replicas: list[str], tp: str = "") -> None:
        self.index = index
        self.tp = tp or f"t-{index}"
        self.replicas = list(replicas)
        self.leader: str | None = self.replicas[0]  # the preferred leader: the first replica
        self.leader_epoch = 0
        self.isr = list(self.replicas)
        self.partition_epoch = 0

    def state(self) -> tuple:
        """(partition, leader, leader epoch, ISR, partition epoch) as brokers are told it."""
        return self.index, self.leader, self.leader_epoch, list(self.isr), self.partition_epoch


class Controller(Node):
    """The active controller, KRaft's or (in ZooKeeper mode) the controller broker: the one source of truth."""

    def __init__(self, sim: "Simulation", name: str = "controller") -> None:
        super().__init__(sim, name)
        self.parts = [PartitionState(p, replicas, sim.tp_name(p)) for p, replicas in enumerate(sim.placement)]
        self.unfenced: set[str] = set(sim.broker_names())
        self.last_heartbeat: dict[str, float] = {b: 0.0 for b in sim.broker_names()}
        self.incarnations: dict[str, int] = {}
        self.unclean_check_due = False  # KRaft 3.9+: an unclean-election check is scheduled

    # --- partition 0, as a one-partition topic's callers know it ---------------------------
    @property
    def replicas(self) -> list[str]:
        """t-0's replicas."""
        return self.parts[0].replicas

    @property
    def leader(self) -> str | None:
        """Who leads t-0 (None: offline)."""
        return self.parts[0].leader

    @property
    def leader_epoch(self) -> int:
        """t-0's leader epoch."""
        return self.parts[0].leader_epoch

    @property
    def isr(self) -> list[str]:
        """t-0's ISR."""
        return self.parts[0].isr

    @property
    def partition_epoch(self) -> int:
        """t-0's partition epoch."""
        return self.parts[0].partition_epoch

    def leader_of(self, p: int) -> str | None:
        """Who leads partition `p` (None: offline)."""
        return self.parts[p].leader

    def boot(self) -> None:
        """Start (or restart): publish the partition state to every broker."""
        self.start()
        for b in self.last_heartbeat:
            self.last_heartbeat[b] = self.now
            self.timer(self.sim.config.session_timeout_ms(), self.check_session, b, self.now)
        self.unclean_check_due = False
        self.publish()

    # --- liveness ------------------------------------------------------------------------
    def on_heartbeat(self, broker: str, incarnation: int) -> None:
        """A heartbeat renews the broker's session; a restarted broker registers anew (new incarnation)."""
        if self.incarnations.get(broker, incarnation) != incarnation and broker in self.unfenced:
            self.fence(broker, "it restarted and registered again")
        self.incarnations[broker] = incarnation
        self.last_heartbeat[broker] = self.now
        self.timer(self.sim.config.session_timeout_ms(), self.check_session, broker, self.now)
        if broker not in self.unfenced:
            self.unfence(broker)
        self.sim.net.send(self.name, broker, self.sim.brokers[broker].on_metadata, self.state())

    def check_session(self, broker: str, at: float) -> None:
        """No heartbeat since `at` for a whole session timeout: fence the broker (R1)."""
        if self.last_heartbeat[broker] == at and broker in self.unfenced:
            self.fence(broker, "session expired")

    def fence(self, broker: str, why: str) -> None:
        """A broker is gone: out of every ISR (unless it is the last member), leadership moves in every
        partition it led."""
        self.unfenced.discard(broker)
        self.sim.ledger.log(self.now, "fence", f"controller fenced {broker}: {why}", broker)
        for part in self.parts:
            if broker in part.isr and len(part.isr) > 1:
                self.set_isr(part, [b for b in part.isr if b != broker], f"{broker} was fenced")
            if part.leader == broker:
                self.elect(part, f"leader {broker} was fenced")
        self.publish()

    def unfence(self, broker: str) -> None:
        """A broker registered again; an offline partition may now get a leader."""
        self.unfenced.add(broker)
        self.sim.ledger.log(self.now, "unfence", f"{broker} registered with the controller", broker)
        offline = [part for part in self.parts if part.leader is None]
        for part in offline:
            self.elect(part, f"{broker} came back")
        if offline:
            self.publish()

    # --- elections and ISR ---------------------------------------------------------------
    def elect(self, part: PartitionState, why: str) -> None:
        """Pick the first live replica in the ISR; outside it only if unclean election is on (R6)."""
        old = part.leader
        clean = [b for b in part.replicas if b in part.isr and b in self.unfenced]
        unclean = [b for b in part.replicas if b in self.unfenced]
        if clean:
            self._new_leader(part, clean[0], why, unclean_election=False)
        elif unclean and self.unclean_allowed():
            part.isr = [unclean[0]]
            self._new_leader(part, unclean[0], why, unclean_election=True)
        else:
            part.leader = None
            part.leader_epoch += 1
            part.partition_epoch += 1
            self._schedule_unclean_check()
            if old is not None:
                self.sim.ledger.log(self.now, "offline",
                                    f"{part.tp} is OFFLINE: no live replica in ISR {self._ids(part.isr)} "
                                    f"({why}) {self._offline_rule()}", None)

    def unclean_allowed(self) -> bool:
        """R6/R12: the topic setting, as this controller reads it (KRaft ignored it before 3.9)."""
        config = self.sim.config
        return config.topic["unclean.leader.election.enable"] and config.unclean_election_honoured

    def _offline_rule(self) -> str:
        """Why no replica outside the ISR was elected."""
        config = self.sim.config
        if not config.topic["unclean.leader.election.enable"]:
            return "and unclean.leader.election.enable=false"
        if not config.unclean_election_honoured:
            return (f"and the KRaft controller of Kafka {config.version} ignores "
                    "unclean.leader.election.enable=true (honoured from 3.9)")
        return "and no live replica at all"

    def reconfigure(self, key: str) -> None:
        """unclean.leader.election.enable turned on live: ZooKeeper's controller elects at once
        (KAFKA-6835, 2.1); KRaft's (3.9+) at its next periodic check of leaderless partitions."""
        config = self.sim.config
        if key != "unclean.leader.election.enable" or not self.unclean_allowed():
            return
        if not config.kraft and vt(config.version) >= (2, 1):
            self._elect_offline("unclean.leader.election.enable was turned on")

    def _schedule_unclean_check(self) -> None:
        """KRaft 3.9+: leaderless partitions are checked for an unclean election 5 minutes later
        (QuorumController.maybeScheduleNextElectUncleanLeaders, KAFKA-12670)."""
        config = self.sim.config
        if config.kraft and config.unclean_election_honoured and not self.unclean_check_due:
            self.unclean_check_due = True
            self.timer(UNCLEAN_CHECK_MS, self._unclean_check)

    def _unclean_check(self) -> None:
        """The deferred check: elect a live replica outside the ISR where the topic now allows it."""
        self.unclean_check_due = False
        if self.unclean_allowed():
            self._elect_offline("periodic check of leaderless partitions")
        if any(part.leader is None for part in self.parts):
            self._schedule_unclean_check()

    def _elect_offline(self, why: str) -> None:
        """Elect for every offline partition with a live replica; publish only if one was tried."""
        tried = False
        for part in self.parts:
            if part.leader is None and any(b in self.unfenced for b in part.replicas):
                self.elect(part, why)
                tried = True
        if tried:
            self.publish()

    def _new_leader(self, part: PartitionState, broker: str, why: str, unclean_election: bool) -> None:
        """Record a leader change with a new leader epoch."""
        part.leader = broker
        part.leader_epoch += 1
        part.partition_epoch += 1
        kind = "UNCLEAN election" if unclean_election else "elected"
        self.sim.ledger.log(self.now, "election",
                            f"controller {kind} {broker} leader of {part.tp}, epoch {part.leader_epoch} ({why})",
                            broker, epoch=part.leader_epoch, unclean=unclean_election, partition=part.index)

    def set_isr(self, part: PartitionState, isr: list[str], why: str) -> None:
        """Commit a new ISR (partition epoch bumps)."""
        old = part.isr
        part.isr = list(isr)
        part.partition_epoch += 1
        self.sim.ledger.log(self.now, "isr",
                            f"ISR for {part.tp} {'shrank' if len(isr) < len(old) else 'expanded'} from "
                            f"{self._ids(old)} to {self._ids(isr)} ({why})", None, old=old, new=list(isr),
                            partition=part.index)

    def on_alter_partition(self, leader: str, p: int, epoch: int, pepoch: int, isr: list[str], why: str) -> None:
        """A leader asks to change partition p's ISR; accepted only from its current leader and epoch."""
        part = self.parts[p]
        ok = leader == part.leader and epoch == part.leader_epoch and pepoch == part.partition_epoch
        if ok:
            live = [b for b in isr if b in self.unfenced or b == leader]
            self.set_isr(part, live, why)
            self.publish(skip=leader)
        self.sim.net.send(self.name, leader, self.sim.brokers[leader].replicas[p].on_alter_partition_response,
                          ok, list(part.isr), part.partition_epoch)

    # --- metadata ------------------------------------------------------------------------
    def state(self) -> tuple:
        """Every partition's (partition, leader, leader epoch, ISR, partition epoch), as brokers are told."""
        return tuple(part.state() for part in self.parts)

    def publish(self, skip: str | None = None) -> None:
        """Send the partitions' state to every broker it can reach."""
        for b in self.sim.broker_names():
            if b != skip:
                self.sim.net.send(self.name, b, self.sim.brokers[b].on_metadata, self.state())

    @staticmethod
    def _ids(names: list[str]) -> str:
        """[broker-1, broker-3] -> "[1,3]", as Kafka's logs show broker ids."""
        return "[" + ",".join(n.split("-")[-1] for n in names) + "]"
