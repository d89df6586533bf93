"""Frames per second and CPU per frame of the sandbox's pipeline view with 1,000+ records in flight.

    python benchmarks/ui_fps.py                 # 160x48, 5 s of wall time
    python benchmarks/ui_fps.py --seconds 10 --size 80x24
    python benchmarks/ui_fps.py --partitions 3  # a topic of three partitions, keyed records spread over them

Runs the real app headless (Textual composes every update, nothing is written to a terminal) on a
workload that keeps well over 1,000 records between send() and processing, plays it at x1 and
counts the frames the pipeline view drew, the longest gap between two (a stall), and the updates the
screen composed. The goal: 60 fps (the screen's tick rate) using under half a core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from tutor.sim.snapshot import BUFFERED, COMMITTED, IN_FLIGHT, PAGE_CACHE, REPLICATED, FLUSHED
from tutor.ui.app import make_app, sandbox_scenario
from tutor.ui.widgets.pipeline import PipelineView

IN_PIPELINE = {BUFFERED, IN_FLIGHT, PAGE_CACHE, FLUSHED, REPLICATED, COMMITTED}


def busy_scenario(partitions: int = 1):
    """1,333 records a second through 100 ms links: about a thousand always between send() and processing
    (with several partitions, records carry keys so they spread over all of them)."""
    s = (sandbox_scenario()
         .with_settings("workload", interval__ms=0.75)
         .with_settings("network", latency__ms=100)
         .with_settings("consumer", processing__ms=0.2))
    if partitions > 1:
        s = s.with_settings("topic", partitions=partitions).with_settings("workload", keys=4 * partitions)
    return s


def in_flight(snap) -> int:
    """Records somewhere between send() and processing."""
    return sum(1 for s in snap.states() if s in IN_PIPELINE)


async def measure(seconds: float, size: tuple[int, int], start_ms: float, partitions: int = 1) -> dict:
    """Play the app at x1 for `seconds` of wall time and count the pipeline's frames."""
    app = make_app(busy_scenario(partitions), seed=1, autoplay=False, size=size)
    async with app.run_test(size=size) as pilot:
        screen = app.sandbox
        screen.driver.clock.speed = 1.0
        screen.goto(start_ms)  # warm up: the backlog is there before measuring
        await pilot.pause()
        view = screen.query_one(PipelineView)
        frames = 0
        drawn = [0.0, None]  # the longest gap between two drawn frames, the last one's time
        original = view._draw

        def counting():
            """Count each frame the view draws, and the longest gap between two."""
            nonlocal frames
            frames += 1
            now = time.perf_counter()
            drawn[0] = max(drawn[0], now - (drawn[1] or now))
            drawn[1] = now
            return original()
        view._draw = counting
        model = [0.0, 0]  # CPU seconds of the simulation thread's advances, and how many
        advance = screen.runner._advance

        def timed_advance(t):
            """Count the CPU time of one advance on the simulation thread."""
            cpu = time.thread_time()
            try:
                return advance(t)
            finally:
                model[0] += time.thread_time() - cpu
                model[1] += 1
        screen.runner._advance = timed_advance
        shown = [0]  # updates written to the (headless) terminal
        display = app._display

        def counting_display(screen, renderable):
            """Count each update the screen composes and writes (only frames that changed something need one)."""
            if renderable is not None:
                shown[0] += 1
            return display(screen, renderable)
        app._display = counting_display
        screen.action_toggle_play()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        frames = shown[0] = 0
        drawn[:] = [0.0, None]
        await asyncio.sleep(seconds)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        snap = screen.driver.snap
    return {"frames": frames, "wall": wall, "cpu": cpu, "model_cpu": model[0], "advances": model[1],
            "updates": shown[0], "gap": drawn[0], "in_flight": in_flight(snap),
            "sent": snap.counts["sent"], "sim_ms": snap.t}


def main() -> None:
    """Print fps, CPU per frame and the share of a core."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--size", default="160x48", help="terminal size, COLSxROWS")
    parser.add_argument("--start-ms", type=float, default=2000.0, help="simulated warm-up before measuring")
    parser.add_argument("--partitions", type=int, default=1, help="partitions of the topic (1 to 12)")
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))
    r = asyncio.run(measure(args.seconds, size, args.start_ms, args.partitions))
    fps = r["frames"] / r["wall"]
    print(f"terminal {size[0]}x{size[1]}, {args.partitions} partition(s), {r['in_flight']:,} records in flight "
          f"of {r['sent']:,} sent "
          f"(simulated {r['sim_ms'] / 1000:.1f} s)")
    print(f"{fps:.1f} fps, {1000 * r['cpu'] / max(r['frames'], 1):.1f} ms CPU per frame, "
          f"{r['cpu'] / r['wall']:.2f} of a core (the simulation thread {r['model_cpu'] / r['wall']:.2f} of it, "
          f"{r['advances'] / r['wall']:.0f} advances a second; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print(f"the longest gap between two frames {1000 * r['gap']:.0f} ms; the screen composed "
          f"{r['updates'] / r['wall']:.1f} updates a second (a frame that changes nothing on screen needs none)")
    print("goal: 60 fps using under 0.5 of a core:",
          "met" if fps >= 57 and r["cpu"] / r["wall"] < 0.5 else "NOT met")


if __name__ == "__main__":
    main()
