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
    reads.clear()
    assert s["b"] == 2 and "c" in s and reads == set()  # noted once: now plain keys
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


def test_a_comparison_notes_a_bound_and_a_plain_read_wins():
    """reaches, below, exceeds and at_most compare as the engine did with a plain dict; on a watched key they
    note the largest quantity compared (the bound) and not a read, and the key stays watched. A plain read is
    noted as a read, which a later comparison does not undo."""
    from tutor.sim.watched import at_most, below, beyond, exceeds, reaches

    plain = {"n": 5, "off": None}
    assert reaches(plain, "n", 5) and not reaches(plain, "n", 4) and not reaches(plain, "off", 10 ** 9)
    assert below(plain, "n", 4) and not below(plain, "n", 5)
    assert exceeds(plain, "n", 6) and not exceeds(plain, "n", 5)
    assert at_most(plain, "n", 3) == 3 and at_most(plain, "n", 9) == 5

    reads: set = set()
    bounds: dict = {}
    s = WatchedSection("broker", plain, {"n", "off"}, reads, bounds)
    assert reaches(s, "n", 5) and not reaches(s, "n", 4) and not reaches(s, "off", 10 ** 9)
    assert below(s, "n", 4) and exceeds(s, "n", 6) and at_most(s, "n", 9) == 5
    assert reads == set() and bounds == {("broker", "n"): 9, ("broker", "off"): 10 ** 9}
    assert at_most(s, "n", 2) == 2 and bounds[("broker", "n")] == 9  # the largest quantity stays
    assert s["n"] == 5 and reads == {("broker", "n")}
    assert not below(s, "n", 100) and reads == {("broker", "n")} and bounds[("broker", "n")] == 9
    assert beyond(10, 9) and beyond(None, 9) and not beyond(9, 9) and not beyond(True, 0) and not beyond("x", 0)


def test_a_watched_run_notes_the_largest_count_of_unflushed_records_it_compared():
    """With log.flush.interval.messages = 1000 and 60 records, the writer compares the unflushed records with it
    after each append and never reaches it: the run notes a bound of at most 60 for the key and no read of it,
    and plays as the unwatched run does."""
    def run(watch):
        sim = Simulation(scenario(None, 1, broker={"log.flush.interval.messages": 1000},
                                  workload={"messages": 60, "interval.ms": 10}), watch=watch)
        report = sim.run_to_end()
        return sim, report.summary, [(e.t, e.text) for e in sim.ledger.events]

    key = ("broker", "log.flush.interval.messages")
    plain, watched = run(None), run(frozenset({key}))
    assert plain[1:] == watched[1:] and plain[0].bounds is None
    assert watched[0].reads == set() and 0 < watched[0].bounds[key] <= 60
