"""The event core: ordering, clocks and the import hygiene of the model."""

import ast
import pathlib

from tutor.sim.core import LATE, URGENT, EventLoop


def test_events_run_in_time_then_priority_then_fifo_order():
    """(time, priority, sequence) decides the order of events."""
    loop, seen = EventLoop(), []
    loop.at(5, seen.append, "late-5", prio=LATE)
    loop.at(5, seen.append, "urgent-5", prio=URGENT)
    loop.at(1, seen.append, "one")
    loop.at(5, seen.append, "normal-5a")
    loop.at(5, seen.append, "normal-5b")
    loop.run(10)
    assert seen == ["one", "urgent-5", "normal-5a", "normal-5b", "late-5"]


def test_run_until_stops_at_the_boundary_and_sets_the_clock():
    """run(until) runs events at `until` but not after, and leaves the clock there."""
    loop, seen = EventLoop(), []
    loop.at(3, seen.append, 3)
    loop.at(4, seen.append, 4)
    loop.run(3)
    assert seen == [3] and loop.now == 3 and loop.peek() == 4


def test_run_until_stops_where_an_event_halts_the_run_or_past_its_step_budget():
    """An event that sets `halted` is the last to run; max_steps bounds the steps counted in all."""
    loop, seen = EventLoop(), []
    for t in range(1, 6):
        loop.at(t, seen.append, t)
    loop.at(2, setattr, loop, "halted", True)
    loop.run_until(10)
    assert seen == [1, 2] and loop.now == 2 and loop.steps == 3
    loop.halted = False
    loop.run_until(10, max_steps=4)
    assert seen == [1, 2, 3, 4] and loop.steps == 5  # the step past the budget ran, and the loop stopped


def test_events_are_never_scheduled_in_the_past():
    """A time before now is clamped to now."""
    loop, seen = EventLoop(), []
    loop.run(10)
    loop.at(2, lambda: seen.append(loop.now))
    loop.step()
    assert seen == [10]


def test_the_model_imports_no_ui_library():
    """tutor/sim must not import textual or rich, directly or by a from-import."""
    root = pathlib.Path(__file__).resolve().parents[2] / "tutor" / "sim"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("textual", "rich")]
    assert offenders == []


def test_importing_the_model_loads_no_ui_library():
    """A fresh interpreter importing tutor.sim modules does not load textual or rich."""
    import subprocess
    import sys
    code = ("import sys, tutor.sim.simulation, tutor.sim.session, tutor.sim.report; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual','rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_settle_check_passes_over_ticks_that_can_only_find_the_run_busy(monkeypatch):
    """While records flow, no tick can settle the run before 2 s pass without activity, so the run checks far less
    often than every 100 ms; it still settles on the 100 ms grid, after everything else at that millisecond."""
    from _build import scenario

    from tutor.sim.simulation import Simulation

    ticks = []
    real = Simulation._tick
    monkeypatch.setattr(Simulation, "_tick", lambda self: ticks.append(self.now) or real(self))
    sim = Simulation(scenario(None, 1, workload={"messages": 2000, "interval.ms": 10}))
    sim.run_to_end()
    busy = [t for t in ticks if t < 20_000]  # the 20 s the records take to send
    assert 0 < len(busy) < 20  # every 100 ms would be 200
    assert all(t % 100 == 0 for t in ticks) and sim.phase == "done"
