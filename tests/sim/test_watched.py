"""Watched settings: a run notes which of them it reads, and nothing else about it changes."""

import copy

from _build import at, scenario

from tutor.sim.simulation import Simulation
from tutor.sim.watched import WatchedSection


def test_a_watched_section_notes_each_way_of_reading_a_watched_key():
    """[], get, `in` and assignment of a watched key are noted; other keys are not; reading the section whole
    (its items, a copy, a comparison) counts every watched key as read, and gives every key. A key is noted at
    its first read and then read as a plain key: a run's reads are only ever added to."""
    def section():
        reads: set = set()
        return WatchedSection("broker", {"a": 1, "b": 2, "c": 3}, {"b", "c"}, reads), reads

    s, reads = section()
    assert s["a"] == 1 and s.get("a") == 1 and "a" in s and reads == set()
    assert s["b"] == 2 and reads == {("broker", "b")}
    assert s.get("c") == 3 and "zz" not in s and s.get("zz", 9) == 9
    assert reads == {("broker", "b"), ("broker", "c")} and len(s) == 3
    assert s["b"] == 2 and s.get("c") == 3 and len(s) == 3
    for read in (lambda s: "c" in s, lambda s: s.setdefault("c"), lambda s: s.pop("c")):
        s, reads = section()
        read(s)
        assert reads == {("broker", "c")}
    s, reads = section()
    s["c"] = 4
    assert reads == {("broker", "c")} and s["c"] == 4 and len(s) == 3
    for whole in (dict, lambda s: s == {"a": 1, "b": 2, "c": 3}, lambda s: sorted(s.items()), copy.deepcopy):
        s, reads = section()
        assert whole(s)
        assert reads == {("broker", "b"), ("broker", "c")}
    s, reads = section()
    assert s == {"a": 1, "b": 2, "c": 3} and sorted(s.items()) == [("a", 1), ("b", 2), ("c", 3)]
    assert type(copy.deepcopy(s)) is dict and copy.copy(s) == {"a": 1, "b": 2, "c": 3}
    s["b"] = 5
    assert dict(s) == {"a": 1, "b": 5, "c": 3}


def test_a_watched_run_plays_alike_and_notes_only_the_settings_it_reads():
    """Watching settings changes nothing in the run; acks is read from the first send, while the log flusher
    that applies log.flush.interval.ms first runs 30 s after a broker starts, after this run has settled."""
    def run(watch):
        sim = Simulation(scenario([at(300, "crash", "leader", restart__after__ms=2000)], 1,
                                  producer={"acks": 1}, workload={"messages": 60, "interval.ms": 10}), watch=watch)
        report = sim.run_to_end()
        return sim, report.summary, [(e.t, e.text) for e in sim.ledger.events]

    watch = frozenset({("producer", "acks"), ("broker", "log.flush.interval.ms"), ("topic", "min.insync.replicas")})
    plain, watched = run(None), run(watch)
    assert plain[1:] == watched[1:] and plain[0].reads is None
    assert watched[0].now < 30_000
    assert watched[0].reads == {("producer", "acks"), ("topic", "min.insync.replicas")}
