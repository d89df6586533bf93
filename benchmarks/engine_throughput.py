"""Engine speed and memory: records at one per ms through RF=3, acks=all, linger.ms=5, with a consumer,
at 10k, 100k and 1M records, compared with a plain SimPy model of the same pipeline at 100k
(run `pip install '.[bench]'`). Speeds are records per CPU second (the machine may be shared); each
measurement runs in a fresh interpreter."""

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


class Sink:
    """A text stream that only counts what is written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> None:
        """Count the characters."""
        self.size += len(text)


def run_engine(records: int, trace: bool) -> dict:
    """Run the engine once (with the full ledger and the report, encoded as JSON); return its figures."""
    from tutor.cli import write_json
    from tutor.sim.simulation import Simulation
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    sim = Simulation(scenario(records))
    report = sim.run_to_end()
    sink = Sink()
    write_json(report.to_json(lazy=True), sink)  # as `tutor run --json` prints it
    size = sink.size
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    assert report.summary["processed"] == records, report.summary
    return {"records": records, "wall_seconds": wall, "cpu_seconds": cpu, "records_per_second": records / cpu,
            "events": sim.loop.steps, "json_bytes": size, "tracemalloc_peak_mb": peak,
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_simpy(records: int, trace: bool) -> dict:
    """Run the SimPy baseline once."""
    sys.path.insert(0, str(HERE))
    import simpy_pipeline
    cpu = time.process_time()
    out = simpy_pipeline.run(records=records, trace_memory=trace)
    out["cpu_seconds"] = time.process_time() - cpu
    out["records_per_second"] = records / out["cpu_seconds"]
    out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(which: str, records: int, trace: bool) -> dict:
    """Run one measurement in a fresh interpreter, so memory figures do not mix."""
    cmd = [sys.executable, __file__, "--child", which, "--records", str(records)] + (["--trace"] if trace else [])
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def line(which: str, records: int, repeat: int) -> float:
    """Measure one model at one size; print its line; return its best records per CPU second."""
    runs = [child(which, records, False) for _ in range(repeat)]
    best = max(r["records_per_second"] for r in runs)
    print(f"{which:7s} {records:>9,} records: {best:>9,.0f} records/CPU s (best of {repeat}; CPU "
          f"{min(r['cpu_seconds'] for r in runs):.2f} s, wall {min(r['wall_seconds'] for r in runs):.2f} s); "
          f"peak RSS {max(r['ru_maxrss_mb'] for r in runs):.0f} MB", flush=True)
    return best


def main() -> None:
    """Print records per CPU second and peak memory of the engine at each size, and of the SimPy baseline."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--compare", type=int, default=100_000, help="records for the SimPy comparison")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=("engine", "simpy"))
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    if args.child:
        fn = run_engine if args.child == "engine" else run_simpy
        print(json.dumps(fn(args.records[0], args.trace)))
        return
    best = {n: line("engine", n, args.repeat if n <= args.compare else 1) for n in args.records}
    engine = best.get(args.compare) or line("engine", args.compare, args.repeat)
    simpy = line("simpy", args.compare, args.repeat)
    print(f"engine / simpy at {args.compare:,} records: {engine / simpy:.2f}x (goal: at least 1x, aim 3x)")


if __name__ == "__main__":
    main()
