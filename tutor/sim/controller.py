"""The controller: broker liveness by session, leader election, the ISR of record, leader epochs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import vt
from .node import Node

if TYPE_CHECKING:
    from .simulation import Simulation

UNCLEAN_CHECK_MS = 300_000  # KRaft 3.9+: leaderless partitions are checked for unclean election every 5 min


class Controller(Node):
    """The active controller, KRaft's or (in ZooKeeper mode) the controller broker: the one source of truth."""

    def __init__(self, sim: "Simulation", name: str = "controller") -> None:
        super().__init__(sim, name)
        self.replicas = sim.replica_names()
        self.leader: str | None = self.replicas[0]
        self.leader_epoch = 0
        self.isr = list(self.replicas)
        self.partition_epoch = 0
        self.unfenced: set[str] = set(sim.broker_names())
        self.last_heartbeat: dict[str, float] = {b: 0.0 for b in sim.broker_names()}
        self.incarnations: dict[str, int] = {}
        self.unclean_check_due = False  # KRaft 3.9+: an unclean-election check is scheduled

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
        self.sim.net.send(self.name, broker, self.sim.brokers[broker].on_metadata, *self.state())

    def check_session(self, broker: str, at: float) -> None:
        """No heartbeat since `at` for a whole session timeout: fence the broker (R1)."""
        if self.last_heartbeat[broker] == at and broker in self.unfenced:
            self.fence(broker, "session expired")

    def fence(self, broker: str, why: str) -> None:
        """A broker is gone: out of the ISR (unless it is the last member), leadership moves."""
        self.unfenced.discard(broker)
        self.sim.ledger.log(self.now, "fence", f"controller fenced {broker}: {why}", broker)
        if broker in self.isr and len(self.isr) > 1:
            self.set_isr([b for b in self.isr if b != broker], f"{broker} was fenced")
        if self.leader == broker:
            self.elect(f"leader {broker} was fenced")
        self.publish()

    def unfence(self, broker: str) -> None:
        """A broker registered again; an offline partition may now get a leader."""
        self.unfenced.add(broker)
        self.sim.ledger.log(self.now, "unfence", f"{broker} registered with the controller", broker)
        if self.leader is None:
            self.elect(f"{broker} came back")
            self.publish()

    # --- elections and ISR ---------------------------------------------------------------
    def elect(self, why: str) -> None:
        """Pick the first live replica in the ISR; outside it only if unclean election is on (R6)."""
        old = self.leader
        clean = [b for b in self.replicas if b in self.isr and b in self.unfenced]
        unclean = [b for b in self.replicas if b in self.unfenced]
        if clean:
            self._new_leader(clean[0], why, unclean_election=False)
        elif unclean and self.unclean_allowed():
            self.isr = [unclean[0]]
            self._new_leader(unclean[0], why, unclean_election=True)
        else:
            self.leader = None
            self.leader_epoch += 1
            self.partition_epoch += 1
            self._schedule_unclean_check()
            if old is not None:
                self.sim.ledger.log(self.now, "offline",
                                    f"t-0 is OFFLINE: no live replica in ISR {self._ids(self.isr)} "
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
        if key != "unclean.leader.election.enable" or not self.unclean_allowed() or self.leader is not None:
            return
        if not config.kraft and vt(config.version) >= (2, 1):
            self._elect_offline("unclean.leader.election.enable was turned on")

    def _schedule_unclean_check(self) -> None:
        """KRaft 3.9+: a leaderless partition is checked for an unclean election 5 minutes later
        (QuorumController.maybeScheduleNextElectUncleanLeaders, KAFKA-12670)."""
        config = self.sim.config
        if config.kraft and config.unclean_election_honoured and not self.unclean_check_due:
            self.unclean_check_due = True
            self.timer(UNCLEAN_CHECK_MS, self._unclean_check)

    def _unclean_check(self) -> None:
        """The deferred check: elect a live replica outside the ISR if the topic now allows it."""
        self.unclean_check_due = False
        if self.leader is None and self.unclean_allowed():
            self._elect_offline("periodic check of leaderless partitions")
        if self.leader is None:
            self._schedule_unclean_check()

    def _elect_offline(self, why: str) -> None:
        """Elect for an offline partition; publish only if a leader came of it."""
        replicas_up = any(b in self.unfenced for b in self.replicas)
        if replicas_up:
            self.elect(why)
            self.publish()

    def _new_leader(self, broker: str, why: str, unclean_election: bool) -> None:
        """Record a leader change with a new leader epoch."""
        self.leader = broker
        self.leader_epoch += 1
        self.partition_epoch += 1
        kind = "UNCLEAN election" if unclean_election else "elected"
        self.sim.ledger.log(self.now, "election",
                            f"controller {kind} {broker} leader of t-0, epoch {self.leader_epoch} ({why})",
                            broker, epoch=self.leader_epoch, unclean=unclean_election)

    def set_isr(self, isr: list[str], why: str) -> None:
        """Commit a new ISR (partition epoch bumps)."""
        old = self.isr
        self.isr = list(isr)
        self.partition_epoch += 1
        self.sim.ledger.log(self.now, "isr",
                            f"ISR for t-0 {'shrank' if len(isr) < len(old) else 'expanded'} from "
                            f"{self._ids(old)} to {self._ids(isr)} ({why})", None, old=old, new=list(isr))

    def on_alter_partition(self, leader: str, epoch: int, pepoch: int, isr: list[str], why: str) -> None:
        """A leader asks to change the ISR; accepted only from the current leader and epoch."""
        ok = leader == self.leader and epoch == self.leader_epoch and pepoch == self.partition_epoch
        if ok:
            live = [b for b in isr if b in self.unfenced or b == leader]
            self.set_isr(live, why)
            self.publish(skip=leader)
        self.sim.net.send(self.name, leader, self.sim.brokers[leader].on_alter_partition_response,
                          ok, list(self.isr), self.partition_epoch)

    # --- metadata ------------------------------------------------------------------------
    def state(self) -> tuple:
        """(leader, leader epoch, ISR, partition epoch) as brokers are told it."""
        return self.leader, self.leader_epoch, list(self.isr), self.partition_epoch

    def publish(self, skip: str | None = None) -> None:
        """Send the partition state to every broker it can reach."""
        for b in self.sim.broker_names():
            if b != skip:
                self.sim.net.send(self.name, b, self.sim.brokers[b].on_metadata, *self.state())

    @staticmethod
    def _ids(names: list[str]) -> str:
        """[broker-1, broker-3] -> "[1,3]", as Kafka's logs show broker ids."""
        return "[" + ",".join(n.split("-")[-1] for n in names) + "]"
