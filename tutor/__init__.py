"""tutor: an interactive teacher of how Apache Kafka loses messages, and how to stop it."""

__version__ = "0.1.0"
