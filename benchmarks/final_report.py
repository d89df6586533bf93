"""The sandbox's final report (`f`) after a 10-minute run at 100 records/s: CPU time to copy the run,
settle it and build the report, and to read every entry (goal: under 0.5 s)."""

from __future__ import annotations

import argparse
import time


def main() -> None:
    """Play the sandbox to the chosen minute, then time the final report a few times."""
    from tutor.ui.app import sandbox_scenario
    from tutor.ui.driver import Driver

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=100, help="records per second")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scenario = sandbox_scenario().with_settings(
        "workload", messages=int(args.rate * args.minutes * 60), interval__ms=1000 / args.rate)
    driver = Driver(scenario, seed=1, playing=False)
    start = time.process_time()
    driver.seek(args.minutes * 60_000)
    played = time.process_time() - start
    best = best_read = float("inf")
    for _ in range(args.repeat):
        cpu = time.process_time()
        report = driver.settle_copy()()
        mid = time.process_time()
        entries = sum(1 for _ in report.messages)
        best, best_read = min(best, mid - cpu), min(best_read, time.process_time() - mid)
    print(f"final report after {args.minutes:g} min at {args.rate} records/s ({entries:,} records; playing "
          f"there took {played:.1f} s CPU): {best:.2f} s CPU to settle and report, {best_read:.2f} s to read "
          f"every entry (best of {args.repeat}); goal: under 0.5 s")


if __name__ == "__main__":
    main()
