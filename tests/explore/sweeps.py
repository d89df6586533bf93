"""Tiny sweep files shared by the explorer's tests (small workloads: each run takes milliseconds)."""

TINY = """
title = "tiny"
seeds = [1, 2]
faults = ["none", "slow-followers-leader-power-loss"]

[base.topic]
replication.factor = 3
min.insync.replicas = 2

[base.workload]
messages = 60
interval.ms = 10

[sweep]
"producer.acks" = ["1", "all"]
"""
