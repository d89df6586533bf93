"""Deadlines: many timeouts behind one timer expire in order of (time, order added), met ones silently."""

import copy
import random

from tutor.sim.core import EventLoop
from tutor.sim.node import Deadlines


class _Host:
    """Just what Deadlines asks of a node: its clock and a timer (this host never dies)."""

    def __init__(self) -> None:
        self.loop = EventLoop()

    def timer(self, delay, fn, *args):
        """Run fn after `delay`."""
        self.loop.after(delay, fn, *args)


def test_deadlines_expire_in_time_then_in_the_order_added_whatever_the_delays():
    """Deadlines added with one fixed delay, with shorter and longer ones among them and with ties, expire
    exactly when due, in (due time, order added) order; the met ones expire into nothing, and a copy taken
    on the way expires the same pending ones at the same times."""
    rng = random.Random(7)
    host = _Host()
    fired: list[tuple[float, int]] = []
    met: set[int] = set()
    d = Deadlines(host, lambda key: fired.append((host.loop.now, key)) if key not in met else None,
                  lambda key: key in met)
    due: dict[int, float] = {}
    for key in range(300):
        delay = 50.0 if key % 3 else rng.choice([0.0, 5.0, 20.0, 50.0, 80.0])
        host.loop.at(key // 4, lambda k=key, dl=delay: (d.add(dl, k), due.__setitem__(k, host.loop.now + dl)))
        if key % 5 == 0:
            met.add(key)
    host.loop.run(75)  # every deadline is added by now, some have expired
    assert d.heap and d.queue  # both places hold deadlines: out-of-order ones went to the heap
    twin_fired: list[tuple[float, int]] = []
    twin = copy.deepcopy(d)
    twin.expire = lambda key: twin_fired.append((twin.node.loop.now, key)) if key not in met else None
    twin.settled = lambda key: key in met
    host.loop.run(1000)
    twin.node.loop.run(1000)
    order = sorted((due[k], k) for k in due if k not in met)
    assert fired == [(t, k) for t, k in order]
    assert twin_fired == [(t, k) for t, k in order if t > 75]
    assert not d.entries()
