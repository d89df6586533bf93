"""The simulation core: a deterministic model of Kafka's produce, replicate and consume path."""
