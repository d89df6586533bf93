"""Scenario files: TOML in, a checked tutor.sim.spec.Scenario out, or one clear error line."""

from .builtin import builtin_names, builtin_scenario
from .errors import ScenarioError
from .loader import load_scenario, parse_scenario, validate

__all__ = ["ScenarioError", "builtin_names", "builtin_scenario", "load_scenario", "parse_scenario",
           "validate"]
