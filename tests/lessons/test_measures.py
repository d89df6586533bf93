"""Record-id sets, wait conditions, claims, and the produce-latency helper."""

import pytest

from tutor.lessons.claims import parse_claim
from tutor.lessons.conditions import parse_condition
from tutor.lessons.ids import parse_ids, show_ids
from tutor.lessons.latency import latency, percentile
from tutor.lessons.measures import LIVE_NUMBERS, Live, Outcome
from tutor.scenario import parse_scenario
from tutor.sim import snapshot
from tutor.sim.simulation import Simulation


class Figures:
    """A stand-in for a Live or an Outcome: fixed figures and id sets."""

    def __init__(self, ids=None, **values):
        """Keep the figures (dots written as __)."""
        self.values = {k.replace("__", "."): v for k, v in values.items()}
        self.id_sets = ids or {}

    def value(self, name):
        """One figure."""
        return self.values[name]

    def ids(self, name):
        """One id set."""
        return frozenset(self.id_sets.get(name, ()))


def test_ids_parse_and_show():
    """Ids come as ints, ranges and lists, and print back as ranges."""
    assert parse_ids("25-29, 40") == {25, 26, 27, 28, 29, 40}
    assert parse_ids([3, "5-6"]) == {3, 5, 6}
    assert parse_ids("") == frozenset()
    assert show_ids({1, 2, 3, 7}) == "1-3, 7" and show_ids(set()) == "none"
    for bad in ("5-2", "x", [-1], 2.5):
        with pytest.raises(ValueError):
            parse_ids(bad)


def test_conditions_and_or():
    """`and` binds tighter than `or`; each clause compares one figure."""
    cond = parse_condition("isr == 1 and lost_acked > 0 or t >= 5000")
    assert cond.holds(Figures(isr=1, lost_acked=2, t=0))
    assert not cond.holds(Figures(isr=1, lost_acked=0, t=10))
    assert cond.holds(Figures(isr=3, lost_acked=0, t=5000))


@pytest.mark.parametrize("text", ["isr = 1", "isr == one", "", "bogus > 1"])
def test_bad_conditions(text):
    """Conditions that cannot be read are refused with a reason."""
    with pytest.raises(ValueError):
        parse_condition(text)


def test_claims_hold_or_say_why():
    """Exact numbers, ranges, id sets and id tests, each with its reason when it fails."""
    claim = parse_claim({"lost_acked": 0, "lost": {"min": 1}, "lost_ids": "3-4", "lost_at": {"broker": 2}})
    good = Figures(ids={"lost_ids": {3, 4}}, lost_acked=0, lost=2, lost_at__broker=2)
    assert claim.holds(good)
    bad = Figures(ids={"lost_ids": {3}}, lost_acked=5, lost=0, lost_at__broker=2)
    assert claim.failures(bad) == ["acknowledged records lost: 5, not 0", "records lost: 0, not at least 1",
                                   "records lost: 3, not 3-4"]
    tests = parse_claim({"lost_includes": "1-2", "lost_excludes": [9]})
    assert tests.failures(Figures(ids={"lost_ids": {1, 9}})) == ["2: not among the records lost", "9: among the records lost"]


def test_live_claims_use_live_figures():
    """A claim judged at an instant takes live figures only."""
    assert parse_claim({"isr": {"max": 1}}, live=True).holds(Figures(isr=1))
    with pytest.raises(ValueError, match="isr: unknown about a finished run"):
        parse_claim({"isr": 1})


def test_claim_errors():
    """Bad claim tables are refused."""
    for bad in ({}, {"lost": "x"}, {"lost": {"min": 3, "max": 1}}, {"lost": {"least": 1}}):
        with pytest.raises(ValueError):
            parse_claim(bad)


def test_percentile_nearest_rank():
    """Nearest-rank percentiles; an empty list gives 0."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99 and percentile([], 50) == 0


def test_latency_from_the_ledger():
    """Produce latency: batch created -> acknowledged, on a finished run (acks=1: linger + one round trip)."""
    sim = Simulation(parse_scenario("[producer]\nacks = 1\nlinger.ms = 5\n[workload]\nmessages = 20\n"
                                    "interval.ms = 10\n"))
    sim.run_to_end()
    lat = latency(sim)
    assert lat.count == 20 and lat.p50 == 7 and lat.max >= lat.p99 >= lat.p50


def test_every_live_figure_reads():
    """Each live figure has a reader, on a real snapshot."""
    sim = Simulation(parse_scenario("[consumer]\nauto.offset.reset = \"earliest\"\n[workload]\nmessages = 5\n"))
    sim.auto_finish = False
    sim.run(500)
    live = Live(snapshot.take(sim), sim, step_start=100.0)
    assert {name: live.value(name) for name in LIVE_NUMBERS}["elapsed"] == 400
    assert live.value("isr") == 1 and live.value("offline") == 0


def test_outcome_reordered_is_zero_in_order():
    """A run without failures writes every record in send order."""
    sim = Simulation(parse_scenario("[workload]\nmessages = 30\n"))
    sim.auto_finish = False
    outcome = Outcome.of(sim)
    assert outcome.value("reordered") == 0 and outcome.value("lost") == 0 and outcome.ids("lost_ids") == set()


def test_wait_conditions_read_in_a_learners_words():
    """No internal figure names reach the learner: a condition reads as words."""
    from tutor.lessons.conditions import parse_condition
    from tutor.lessons.measures import condition_words

    assert condition_words(parse_condition("consumer.processed >= 250")) == "records processed: at least 250"
    assert condition_words(parse_condition("isr == 1 or lost_acked > 0 and t >= 5000")) == (
        "ISR size: 1 or acknowledged records lost: more than 0 and time since the run started: at least 5,000 ms")


def test_group_figures_count_what_running_members_hold():
    """group.owned counts the partitions members that run hold; a crashed member's do not count."""
    from tutor.lessons.measures import _owned

    scenario = parse_scenario('''
[topic]
partitions = 3
[broker]
group.initial.rebalance.delay.ms = 0
[consumer]
instances = 2
partition.assignment.strategy = "range"
[workload]
messages = 10
[[events]]
at.ms = 2000
action = "crash"
target = "consumer-2"
''')
    sim = Simulation(scenario, 0)
    assert {"group.owned", "group.generation"} <= set(LIVE_NUMBERS)
    while sim.now < 1000 and sim.step():
        pass
    live = Live(snapshot.take(sim), sim)
    assert _owned(live) == 3 and live.value("group.generation") == 1
    while sim.now < 2500 and sim.step():
        pass
    live = Live(snapshot.take(sim), sim)
    assert _owned(live) == 2  # consumer-2's t-2 is held by a member that is down
