"""Run every configuration x fault x seed on the engine, in a process pool, and gather rows in sweep order."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable

from tutor.sim.simulation import Simulation
from tutor.sim.spec import Scenario

from .metrics import Outcome, Row, build_row, mark_frontier
from .sweep import Sweep

CONNECT_TIMEOUT_S = 10  # how long to wait for a Dask scheduler before saying it cannot be reached
BASELINE = "none"  # latency and throughput are measured with nothing failing
Task = tuple[int, str, int]  # (configuration index, fault name, seed)
Progress = Callable[[int, int], None]


def run_one(scenario: Scenario, seed: int) -> Outcome:
    """One run to its end, reduced to the numbers the explorer needs."""
    sim = Simulation(scenario, seed=seed)
    report = sim.run_to_end()
    told = sim.ledger.told
    lost = report.ids("lost")
    acked = [(rid, t) for rid, t in enumerate(told) if t is not None and t[0] == "acked"]
    latencies = [t[1] - sim.ledger.sent_at[rid] for rid, t in acked]
    span = max((t[1] for _, t in acked), default=0.0) - min(sim.ledger.sent_at, default=0.0)
    s = report.summary
    return Outcome(s["lost"], s["lost_acked"], s["duplicates"], s["send_errors"],
                   sum(1 for rid in lost if told[rid] is None), latencies, len(acked), max(span, 0.0),
                   acks0=report.acks == "0")


def tasks(sweep: Sweep) -> list[Task]:
    """Every run, in sweep order; the fault-free baseline is run even when the suite leaves it out."""
    faults = [f.name for f in sweep.faults]
    if BASELINE not in faults:
        faults = [BASELINE, *faults]
    return [(i, fault, seed) for i in range(len(sweep.configurations())) for fault in faults
            for seed in sweep.seeds]


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class SchedulerError(Exception):
    """A Dask scheduler was asked for but cannot be used (dask missing, or the address unreachable)."""


def explore(sweep: Sweep, workers: int | None = None, progress: Progress | None = None,
            scheduler: str | None = None) -> list[Row]:
    """Run the sweep and return one Row per configuration, in configuration order whatever runs it:
    a local process pool, or the Dask cluster whose scheduler listens at `scheduler`."""
    todo = tasks(sweep)
    jobs = [(sweep.scenario(i, fault), seed) for i, fault, seed in todo]
    if scheduler is not None:
        outcomes = _run_dask(jobs, scheduler, progress)
    else:
        outcomes = _run_all(jobs, workers or default_workers(), progress)
    return gather(sweep, todo, outcomes)


def _run_dask(jobs: list[tuple[Scenario, int]], address: str, progress: Progress | None) -> list[Outcome]:
    """Outcomes in job order from a Dask cluster (its workers need tutor installed)."""
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise SchedulerError("--scheduler needs Dask: pip install 'kafka-tutor[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    results: list[Outcome | None] = [None] * len(jobs)
    with client:
        futures = client.map(run_one, [s for s, _ in jobs], [seed for _, seed in jobs], pure=False)
        where = {f.key: n for n, f in enumerate(futures)}
        for done, future in enumerate(dask_completed(futures), start=1):
            results[where[future.key]] = future.result()  # placed by job, never by completion
            _tick(progress, done, len(jobs))
    return [r for r in results if r is not None]


def _run_all(jobs: list[tuple[Scenario, int]], workers: int, progress: Progress | None) -> list[Outcome]:
    """Outcomes in job order: sequentially for one worker, else in a process pool."""
    total = len(jobs)
    results: list[Outcome | None] = [None] * total
    if workers <= 1 or total <= 1:
        for n, (scenario, seed) in enumerate(jobs):
            results[n] = run_one(scenario, seed)
            _tick(progress, n + 1, total)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, total)) as pool:
            futures = {pool.submit(run_one, scenario, seed): n for n, (scenario, seed) in enumerate(jobs)}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()  # placed by job, never by completion
                _tick(progress, done, total)
    return [r for r in results if r is not None]


def _tick(progress: Progress | None, done: int, total: int) -> None:
    """Report progress, if anyone listens."""
    if progress is not None:
        progress(done, total)


def gather(sweep: Sweep, todo: list[Task], outcomes: list[Outcome]) -> list[Row]:
    """Group outcomes by configuration and fault (sweep order), build the rows, mark the frontier."""
    listed = [f.name for f in sweep.faults]
    grouped: dict[int, dict[str, list[Outcome]]] = {}
    for (index, fault, _seed), outcome in zip(todo, outcomes):
        grouped.setdefault(index, {}).setdefault(fault, []).append(outcome)
    rows = []
    for index, settings in enumerate(sweep.configurations()):
        by_fault = grouped.get(index, {})
        rows.append(build_row(index, settings, by_fault.get(BASELINE, []),
                              {name: by_fault.get(name, []) for name in listed}))
    mark_frontier(rows)
    return rows
