"""`tutor check` of the shipped lessons (tutor/data/lessons): wall time and CPU time (the command and
its workers); goal under 5 s."""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(folder: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `tutor check` of the folder, in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tutor", "check", str(folder)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Print the best wall time and CPU time over a few checks of the shipped lessons."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("folder", nargs="?", default=str(ROOT / "tutor" / "data" / "lessons"))
    args = ap.parse_args()
    compileall.compile_dir(ROOT / "tutor", quiet=1)  # as an install does: each check would compile it again
    load = os.getloadavg()[0]  # others' work on a shared machine stretches the wall time
    runs = [measure(Path(args.folder)) for _ in range(args.repeat)]
    print(f"tutor check {args.folder}: best wall {min(w for w, _ in runs):.1f} s, best CPU "
          f"{min(c for _, c in runs):.1f} s over {args.repeat} runs ({os.cpu_count()} cores, load "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after); goal: under 5 s")


if __name__ == "__main__":
    main()
