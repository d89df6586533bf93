"""Settings for the whole suite: a hypothesis profile for loaded CI machines, a clean Ctrl+C, and a data
folder of its own for every test."""

from __future__ import annotations

import gc
import os

import pytest
from hypothesis import HealthCheck, settings

#: no deadline (a loaded machine makes any example slow), few examples, the same ones every run
settings.register_profile("ci", deadline=None, max_examples=30, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
#: more examples, new ones each run: HYPOTHESIS_PROFILE=explore pytest tests/sim/test_properties.py
settings.register_profile("explore", deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _no_gc_timing() -> None:
    """Keep hypothesis from timing the garbage collector: with no deadline the timing serves nothing, and a
    Ctrl+C that lands inside its gc callback is swallowed there and printed as an ignored KeyboardInterrupt."""
    try:
        from hypothesis.internal.conjecture import junkdrawer
    except ImportError:  # another hypothesis layout: nothing to switch off
        return
    if hasattr(junkdrawer, "_gc_initialized"):
        junkdrawer._gc_initialized = True
    gc.callbacks[:] = [cb for cb in gc.callbacks if "gc_cumulative_time" not in getattr(cb, "__qualname__", "")]


_no_gc_timing()


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """Each test keeps its progress and preferences in a folder of its own: never the user's (a learner's
    saved choices, such as title cards off, would change what a lesson screen shows) nor another test's."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path_factory.mktemp("tutor-data")))
