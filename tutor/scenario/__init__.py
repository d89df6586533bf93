"""Scenario files: TOML in, a checked tutor.sim.spec.Scenario out, or one clear error line."""

from .errors import ScenarioError
from .loader import load_scenario, parse_scenario, validate

__all__ = ["ScenarioError", "load_scenario", "parse_scenario", "validate"]
