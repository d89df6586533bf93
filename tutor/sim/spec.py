"""The plain input of a run: a scenario's settings, scripted events and expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import Config, build_config

#: action -> the parameters it accepts besides at.ms / when.processed / action / target
ACTIONS: dict[str, tuple[str, ...]] = {
    "crash": ("restart.after.ms",),        # process dies; a broker's page cache survives (B3)
    "power-loss": ("restart.after.ms",),   # host loses power; unflushed page cache is gone (B3)
    "restart": (),
    "partition": ("between",),             # cut every link between two groups of nodes
    "heal": (),                            # restore every cut link (or those of `target`)
    "slow": ("delay.ms",),                 # add latency to every link of a node
    "processing-error": ("restart.after.ms",),  # the consumer's processing throws
    "join": (),                            # a group member beyond `instances` starts and joins
}
#: actions that need a target
TARGETED = {"crash", "power-loss", "restart", "slow", "processing-error", "join"}
#: roles resolved when the event fires ("coordinator": the group coordinator's broker)
ROLES = ("leader", "followers", "all-brokers", "producer", "consumer", "controller", "coordinator")
#: summary keys an [expect] table may check
EXPECT_KEYS = ("sent", "acked", "send_errors", "unconfirmed", "processed", "duplicates", "lost",
               "lost_acked", "lost_at.producer", "lost_at.broker", "lost_at.consumer",
               "lost_ids", "duplicated_ids", "lost_acked_ids",
               # with an application send.mode (window, spool, unbounded) or callbacks = "ignore"
               "lost_silently", "lost_in.spool", "lost_in.app_queue", "lost_in.accumulator",
               "lost_in.in_flight")


@dataclass
class Action:
    """One scripted event: a failure or repair, fired at a time or after N processed records."""

    action: str
    target: str | None = None
    at_ms: float | None = None
    when_processed: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """A short label such as "power-loss leader @ 600 ms"."""
        when = f"@ {self.at_ms:g} ms" if self.at_ms is not None else f"after {self.when_processed} processed"
        what = self.action if self.target is None else f"{self.action} {self.target}"
        return f"{what} {when}"


@dataclass
class Scenario:
    """Everything one run needs: the settings as given, the resolved config, the events, the checks."""

    title: str = "untitled"
    seed: int = 0
    given: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[Action] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)
    source: str = "<memory>"
    description: str = ""
    #: [[topics]] as given: further topics after [topic] (name, partitions, optional
    #: replication.factor and min.insync.replicas)
    topics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def config(self) -> Config:
        """The resolved settings (defaults filled in for the client and version)."""
        config = build_config(self.given)
        main = config.topic
        config.extra_topics = [{"name": t["name"], "partitions": t["partitions"],
                                "replication.factor": t.get("replication.factor", main["replication.factor"]),
                                "min.insync.replicas": t.get("min.insync.replicas", main["min.insync.replicas"])}
                               for t in self.topics]
        return config

    def with_settings(self, section: str, **values: Any) -> "Scenario":
        """A copy with some settings changed (dots in names written as __)."""
        given = {k: dict(v) for k, v in self.given.items()}
        given.setdefault(section, {}).update({k.replace("__", "."): v for k, v in values.items()})
        return Scenario(self.title, self.seed, given, list(self.events), dict(self.expect),
                        self.source, self.description, [dict(t) for t in self.topics])
