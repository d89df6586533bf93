"""Where the real client runs: librdkafka's embedded mock cluster, or a Kafka cluster of the user's."""

from __future__ import annotations

from dataclasses import dataclass

#: group.initial.rebalance.delay.ms of Kafka brokers and of librdkafka's mock cluster alike
INITIAL_REBALANCE_DELAY_MS = 3000


@dataclass(frozen=True)
class Target:
    """The mock cluster (bootstrap_servers None) or a real cluster at bootstrap_servers."""

    bootstrap_servers: str | None = None

    @property
    def mock(self) -> bool:
        """Is this librdkafka's embedded mock cluster?"""
        return self.bootstrap_servers is None

    @property
    def session_timeout_ms(self) -> int:
        """The consumers' session.timeout.ms: as short as the cluster allows."""
        # The mock expires a member whose JoinGroup waits longer than its session timeout, and a
        # new group's join waits the 3 s rebalance delay; real brokers refuse anything below
        # group.min.session.timeout.ms (6000 by default).
        return INITIAL_REBALANCE_DELAY_MS + 500 if self.mock else 6000

    def describe(self) -> str:
        """"librdkafka's mock cluster (3 brokers)" or the bootstrap servers."""
        return "librdkafka's embedded mock cluster (3 brokers)" if self.mock else self.bootstrap_servers or ""
