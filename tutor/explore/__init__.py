"""The trade-off explorer: one sweep of settings x faults x seeds, run on the engine, measured and ranked."""

from .faults import BUILTIN_FAULTS
from .metrics import Row, frontier, rows_to_json
from .runner import explore
from .sweep import Sweep, default_sweep, load_sweep, parse_sweep

__all__ = ["BUILTIN_FAULTS", "Row", "Sweep", "default_sweep", "explore", "frontier",
           "load_sweep", "parse_sweep", "rows_to_json"]
