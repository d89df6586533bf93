"""`tutor check` of the shipped lessons (tutor/data/lessons): wall time and CPU time (the command and
its workers), and a fixed reference workload's CPU time before and after, for the machine's speed; goal
under 5 s."""

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


#: a fixed workload in pure Python, independent of the project's code: a small event loop (a heap of tuples,
#: method calls, dict and attribute reads), as the engine spends its time. Its CPU time tells how fast the
#: machine is at the moment, so a slow check can be told from a slow machine.
REFERENCE = """
import heapq, time
class Node:
    def __init__(self, name):
        self.name, self.count, self.seen = name, 0, {}
    def handle(self, loop, t, n):
        self.count += 1
        self.seen[n % 64] = t
        if n < 400_000:
            heapq.heappush(loop, (t + 1.5 + (n % 7), n + 1, self.name))
nodes = {name: Node(name) for name in ("a", "b", "c")}
start = time.process_time()
loop = [(0.0, 0, "a"), (0.5, 1, "b"), (0.7, 2, "c")]
while loop:
    t, n, name = heapq.heappop(loop)
    nodes[name].handle(loop, t, n)
print(time.process_time() - start)
"""


def reference() -> float:
    """CPU seconds of the fixed reference workload, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", REFERENCE], check=True, capture_output=True, text=True).stdout
    return float(out)


def main() -> None:
    """Print the best wall time and CPU time over a few checks of the shipped lessons."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("folder", nargs="?", default=str(ROOT / "tutor" / "data" / "lessons"))
    args = ap.parse_args()
    compileall.compile_dir(ROOT / "tutor", quiet=1)  # as an install does: each check would compile it again
    load = os.getloadavg()[0]  # others' work on a shared machine stretches the wall time
    before = min(reference() for _ in range(3))
    runs = [measure(Path(args.folder)) for _ in range(args.repeat)]
    after = min(reference() for _ in range(3))
    cpu = min(c for _, c in runs)
    print(f"tutor check {args.folder}: best wall {min(w for w, _ in runs):.1f} s, best CPU "
          f"{cpu:.1f} s over {args.repeat} runs ({os.cpu_count()} cores, load "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after); goal: under 5 s")
    print(f"machine speed: the fixed reference workload took {before:.2f} s of CPU before the checks and "
          f"{after:.2f} s after; the check's best CPU is {cpu / ((before + after) / 2):.1f} times it")


if __name__ == "__main__":
    main()
