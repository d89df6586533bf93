"""Which real Kafka client is installed, in words for the lab's header and the menu."""

from __future__ import annotations


def client_version() -> str | None:
    """"confluent-kafka 2.16.1 (librdkafka 2.16.0)", or None when it is not installed."""
    try:
        import confluent_kafka
    except ImportError:
        return None
    version = confluent_kafka.version()  # a string in 2.16, a (string, int) pair before
    version = version[0] if isinstance(version, tuple) else version
    return f"confluent-kafka {version} (librdkafka {confluent_kafka.libversion()[0]})"
