"""The lab: the simulator's prediction next to the same experiment with the real Kafka client."""

from .catalog import LABS, Case, Lab, available_labs

__all__ = ["LABS", "Case", "Lab", "available_labs"]
