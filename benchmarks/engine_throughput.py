"""Engine speed and memory: 100,000 records at one per ms through RF=3, acks=all, linger.ms=5, with a
consumer, compared with a plain SimPy model of the same pipeline (run `pip install '.[bench]'`)."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scenario(records: int):
    """The benchmark scenario as the engine reads it."""
    from tutor.sim.spec import Scenario
    return Scenario(title="benchmark", seed=1, given={
        "topic": {"replication.factor": 3},
        "producer": {"acks": "all", "linger.ms": 5},
        "consumer": {"auto.offset.reset": "earliest", "processing.ms": 0},
        "workload": {"messages": records, "interval.ms": 1}})


def run_engine(records: int, trace: bool) -> dict:
    """Run the engine once (with the full ledger and the report); return its figures."""
    from tutor.sim.simulation import Simulation
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    sim = Simulation(scenario(records))
    report = sim.run_to_end()
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    assert report.summary["processed"] == records, report.summary
    return {"records": records, "wall_seconds": wall, "records_per_second": records / wall,
            "events": sim.loop.steps, "tracemalloc_peak_mb": peak,
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_simpy(records: int, trace: bool) -> dict:
    """Run the SimPy baseline once."""
    sys.path.insert(0, str(HERE))
    import simpy_pipeline
    out = simpy_pipeline.run(records=records, trace_memory=trace)
    out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(which: str, records: int, trace: bool) -> dict:
    """Run one measurement in a fresh interpreter, so memory figures do not mix."""
    cmd = [sys.executable, __file__, "--child", which, "--records", str(records)] + (["--trace"] if trace else [])
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    """Print records per second and peak memory of the engine and of the SimPy baseline."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=("engine", "simpy"))
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    if args.child:
        fn = run_engine if args.child == "engine" else run_simpy
        print(json.dumps(fn(args.records, args.trace)))
        return
    for which in ("engine", "simpy"):
        runs = [child(which, args.records, False) for _ in range(args.repeat)]
        best = max(r["records_per_second"] for r in runs)
        peak = child(which, args.records, True)
        print(f"{which:7s} {args.records:,} records: best {best:,.0f} records/s over {args.repeat} runs "
              f"(wall {min(r['wall_seconds'] for r in runs):.2f} s); peak RSS "
              f"{max(r['ru_maxrss_mb'] for r in runs):.0f} MB; tracemalloc peak "
              f"{peak.get('tracemalloc_peak_mb') or 0:.0f} MB")


if __name__ == "__main__":
    main()
