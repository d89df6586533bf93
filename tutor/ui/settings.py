"""The controls the sandbox offers: Kafka property names, the values a key press steps through, presets."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from tutor.scenario.values import check_value
from tutor.sim.config import CLIENTS, SETTINGS, START_ONLY, VERSIONS, Setting

#: settings that only matter when the run starts (the engine refuses them live): a change restarts
RESTART_ONLY = START_ONLY


@dataclass(frozen=True)
class Control:
    """One row of the controls panel."""

    section: str
    key: str
    ladder: tuple[Any, ...] = ()   # values ←/→ step through (besides any value typed in)

    @property
    def setting(self) -> Setting:
        """The model's definition (kind, default, doc)."""
        return SETTINGS[(self.section, self.key)]

    @property
    def restart_only(self) -> bool:
        """Does a change restart the scenario?"""
        return (self.section, self.key) in RESTART_ONLY

    @property
    def ident(self) -> str:
        """A stable id: "producer.acks"."""
        return f"{self.section}.{self.key}"


def _c(section: str, key: str, *ladder: Any) -> Control:
    """Shorthand for the table below."""
    return Control(section, key, tuple(ladder))


NEVER = None
#: (group title, controls) in the order the panel shows them
GROUPS: tuple[tuple[str, tuple[Control, ...]], ...] = (
    ("producer", (
        _c("producer", "acks", "0", "1", "all"),
        _c("producer", "enable.idempotence", False, True),
        _c("producer", "retries", 0, 1, 3, 10, 2147483647),
        _c("producer", "linger.ms", 0, 1, 5, 10, 20, 50, 100, 500, 1000),
        _c("producer", "batch.size", 100, 1000, 16384, 65536, 1000000),
        _c("producer", "buffer.memory", 1000, 10000, 100000, 1048576, 33554432),
        _c("producer", "max.block.ms", 0, 10, 100, 1000, 10000, 60000),
        _c("producer", "delivery.timeout.ms", 1000, 5000, 30000, 120000, 300000),
        _c("producer", "send.mode", "async", "sync", "window", "spool", "unbounded"),
    )),
    ("broker / topic", (
        _c("broker", "log.flush.interval.messages", NEVER, 1, 10, 100, 1000),
        _c("broker", "log.flush.interval.ms", NEVER, 10, 100, 1000, 10000),
        _c("broker", "log.flush.scheduler.interval.ms", NEVER, 10, 50, 100, 1000),
        _c("topic", "replication.factor", 1, 2, 3, 4, 5),
        _c("topic", "min.insync.replicas", 1, 2, 3, 4, 5),
        _c("broker", "replica.lag.time.max.ms", 500, 1000, 2000, 5000, 10000, 30000),
        _c("topic", "unclean.leader.election.enable", False, True),
        _c("cluster", "kafka.version", *VERSIONS),
        _c("cluster", "metadata.mode", "kraft", "zookeeper"),
        _c("cluster", "brokers", 1, 2, 3, 4, 5),
    )),
    ("consumer", (
        _c("consumer", "client", *CLIENTS),
        _c("consumer", "enable.auto.commit", False, True),
        _c("consumer", "auto.commit.interval.ms", 100, 500, 1000, 5000, 10000),
        _c("consumer", "enable.auto.offset.store", False, True),
        _c("consumer", "commit.mode", "auto", "after-processing", "before-processing"),
        _c("consumer", "processing.mode", "poll-loop", "worker-thread"),
        _c("consumer", "processing.ms", 0, 1, 10, 50, 100, 500, 1000),
    )),
    ("workload", (
        _c("workload", "interval.ms", 1, 5, 10, 20, 50, 100, 500, 1000),
    )),
)

CONTROLS: dict[str, Control] = {c.ident: c for _, group in GROUPS for c in group}

#: the no-loss recipe: what the panel sets with one key
NO_LOSS: dict[tuple[str, str], Any] = {
    ("producer", "acks"): "all",
    ("producer", "enable.idempotence"): True,
    ("topic", "min.insync.replicas"): 2,
    ("topic", "replication.factor"): 3,
    ("topic", "unclean.leader.election.enable"): False,
    ("consumer", "commit.mode"): "after-processing",
    ("consumer", "enable.auto.commit"): False,
}
#: "Kafka defaults" resets Kafka's and the clients' properties only: the cluster's shape and the clients
#: stay (restarting for those would surprise), and so does what the application does (the workload, its
#: send and processing modes): those are the learner's program, not Kafka's configuration
KEEP_ON_DEFAULTS = RESTART_ONLY | {(c.section, c.key) for c in CONTROLS.values()
                                   if c.section == "workload" or not c.setting.kafka}


def show(value: Any) -> str:
    """A value as the panel shows it: never, true/false, numbers with separators."""
    if value is None:
        return "never"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and value == 2147483647:
        return "MAX_INT"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def kafka_value(value: Any) -> str:
    """A value as Kafka's configuration files write it: true/false, no Python spellings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (never)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def derived_note(section: str, key: str, value: Any, config: dict[str, dict[str, Any]],
                 changes: list[tuple[str, str, Any]] = ()) -> str:
    """Why a setting the learner did not touch changed with another one (the client's own rule);
    `config` is the settings before, `changes` the (section, key, value) being applied."""
    p = dict(config.get("producer") or {})
    p.update({k: v for s, k, v in changes if s == "producer"})
    if (section, key) == ("producer", "enable.idempotence") and value is False:
        why = [f"acks={p.get('acks')}" if p.get("acks") != "all" else "",
               "retries=0" if p.get("retries") == 0 else "",
               "max.in.flight.requests.per.connection > 5"
               if p.get("max.in.flight.requests.per.connection", 5) > 5 else ""]
        because = ", ".join(w for w in why if w) or "a conflicting setting"
        return (f"the client turns its default idempotence off because {because}: idempotence needs "
                "acks=all, retries > 0 and at most 5 requests in flight")
    if (section, key) == ("producer", "enable.idempotence"):
        return "back to the client's default now that nothing conflicts with it"
    if (section, key) == ("producer", "delivery.timeout.ms"):
        return "the Java client raises delivery.timeout.ms to at least linger.ms + request.timeout.ms"
    if (section, key) == ("consumer", "enable.auto.commit") and value is False:
        return "the application commits by itself (commit.mode), so auto-commit is turned off"
    return "derived by the client from the other settings"


def step(control: Control, current: Any, direction: int) -> Any:
    """The ladder value after (or before) the current one; wraps around."""
    ladder = list(control.ladder)
    if current not in ladder:
        return ladder[0] if direction > 0 else ladder[-1]
    return ladder[(ladder.index(current) + direction) % len(ladder)]


def parse(control: Control, text: str) -> Any:
    """A typed value in canonical form, or ValueError in the model's words ("never" unsets a flush)."""
    text = text.strip()
    if control.setting.kind == "flush" and text.lower() in ("", "never", "unset", "none"):
        return None
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):  # "[[[[...": nested past Python's stack
        value = text
    return check_value(control.setting, value)
