"""The built-in fault suite: each fault as the [[events]] tables it adds to a scenario, timed to its workload."""

from __future__ import annotations

from typing import Any, Callable

from tutor.sim.config import Config

RESTART_MS = 5000  # a failed broker comes back after this long
CLIENT_RESTART_MS = 1000  # a crashed client process is restarted after this long
ZOMBIE_MARGIN_MS = 3000  # the zombie stays cut off this long past the controller's session timeout
EXPIRY_MARGIN_MS = 10000  # the long partition outlasts delivery.timeout.ms by this much

Events = list[dict[str, Any]]


def middle_ms(config: Config) -> float:
    """Halfway through the workload: the producer is busy and the consumer has records in hand."""
    return float(config.workload["messages"] * config.workload["interval.ms"] / 2)


def _none(config: Config) -> Events:
    """Nothing fails: the baseline."""
    return []


def _leader_crash(config: Config) -> Events:
    """The leader's process dies mid-run; its page cache survives (the OS writes it out)."""
    return [{"at.ms": middle_ms(config), "action": "crash", "target": "leader", "restart.after.ms": RESTART_MS}]


def _leader_power_loss(config: Config) -> Events:
    """The leader's host loses power mid-run: its unflushed tail is gone."""
    return [{"at.ms": middle_ms(config), "action": "power-loss", "target": "leader",
             "restart.after.ms": RESTART_MS}]


def _all_power_loss(config: Config) -> Events:
    """Every broker loses power at once (a rack or a data centre): only flushed data survives."""
    return [{"at.ms": middle_ms(config), "action": "power-loss", "target": "all-brokers",
             "restart.after.ms": RESTART_MS}]


def _zombie_leader(config: Config) -> Events:
    """The leader is cut off from followers and controller until fenced and replaced, then comes back."""
    start = middle_ms(config)
    heal = start + config.session_timeout_ms() + ZOMBIE_MARGIN_MS
    return [{"at.ms": start, "action": "partition", "between": [["leader"], ["followers", "controller"]]},
            {"at.ms": heal, "action": "heal"}]


def _slow_followers_power_loss(config: Config) -> Events:
    """Followers lag 100 ms behind (a busy network), then the leader loses power."""
    return [{"at.ms": 0.0, "action": "slow", "target": "followers", "delay.ms": 100},
            *_leader_power_loss(config)]


def _producer_crash(config: Config) -> Events:
    """The application's process dies mid-run: records still in the producer's buffer die with it."""
    return [{"at.ms": middle_ms(config), "action": "crash", "target": "producer",
             "restart.after.ms": CLIENT_RESTART_MS}]


def _consumer_crash(config: Config) -> Events:
    """The consumer dies with half the records processed and restarts from the committed offset."""
    half = max(1, config.workload["messages"] // 2)
    return [{"when.processed": half, "action": "crash", "target": "consumer",
             "restart.after.ms": CLIENT_RESTART_MS}]


def _long_partition(config: Config) -> Events:
    """The producer cannot reach any broker for longer than delivery.timeout.ms: its records expire."""
    start = middle_ms(config)
    heal = start + config.producer["delivery.timeout.ms"] + EXPIRY_MARGIN_MS
    return [{"at.ms": start, "action": "partition", "between": [["producer"], ["all-brokers"]]},
            {"at.ms": heal, "action": "heal"}]


#: name -> (events for a resolved config, whether it needs a consumer)
BUILTIN_FAULTS: dict[str, tuple[Callable[[Config], Events], bool]] = {
    "none": (_none, False),
    "leader-crash": (_leader_crash, False),
    "leader-power-loss": (_leader_power_loss, False),
    "all-brokers-power-loss": (_all_power_loss, False),
    "zombie-leader": (_zombie_leader, False),
    "slow-followers-leader-power-loss": (_slow_followers_power_loss, False),
    "producer-crash": (_producer_crash, False),
    "consumer-crash": (_consumer_crash, True),
    "long-partition": (_long_partition, False),
}

