"""Wall time to simulated time: play or pause, and a speed ladder from very slow to fast."""

from __future__ import annotations

from dataclasses import dataclass

#: simulated ms per wall ms; 0.1 lets a 20 ms network hop take 0.2 s on screen
SPEEDS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
DEFAULT_SPEED = 0.1
MAX_WALL_STEP_S = 0.25  # a stalled frame never jumps the simulation further than this


def next_due(due: float, now: float, period: float) -> float:
    """When the tick after the one due at `due` is due: a period later on a fixed grid (late wake-ups do not add up
    to a slower rate), or, when that moment is already a period past, the next grid point still ahead (the
    ticks missed in a stall are dropped rather than fired in a burst)."""
    nxt = due + period
    if nxt > now - period:
        return nxt
    return nxt + ((now - nxt) // period) * period


@dataclass
class Clock:
    """Whether time runs, and how fast."""

    playing: bool = True
    speed: float = DEFAULT_SPEED
    boost: float = 1.0  # a quiet wait fast-forwarded: time runs this many times faster than `speed`

    @property
    def rate(self) -> float:
        """Simulated ms per wall ms right now (the speed, boosted through a quiet wait)."""
        return self.speed * self.boost

    def sim_ms(self, wall_s: float) -> float:
        """Simulated ms that pass in `wall_s` seconds of wall time (0 when paused)."""
        if not self.playing:
            return 0.0
        return min(max(wall_s, 0.0), MAX_WALL_STEP_S) * 1000.0 * self.rate

    def faster(self) -> float:
        """One step up the ladder."""
        self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])
        return self.speed

    def slower(self) -> float:
        """One step down the ladder."""
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])
        return self.speed

    def label(self) -> str:
        """"×0.1", "×2"."""
        return f"×{self.speed:g}"
