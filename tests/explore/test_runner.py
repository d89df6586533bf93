"""Running a sweep: figures per configuration, the verdict, the frontier, and the same answer on any pool."""

import pytest

from tutor.explore import explore, frontier, parse_sweep, rows_to_json
from tutor.explore.metrics import AT_LEAST_ONCE, AT_MOST_ONCE, NO_ACKED_LOSS, Outcome, build_row, percentile
from tutor.explore.runner import tasks

from .sweeps import TINY


@pytest.fixture(scope="module")
def tiny_rows():
    """The tiny sweep run on one worker."""
    return explore(parse_sweep(TINY), workers=1)


def test_the_same_rows_whatever_the_number_of_workers(tiny_rows):
    assert rows_to_json(explore(parse_sweep(TINY), workers=2)) == rows_to_json(tiny_rows)


def test_json_has_exactly_the_documented_keys(tiny_rows):
    data = rows_to_json(tiny_rows)
    assert list(data) == ["rows"] and len(data["rows"]) == 2
    for row in data["rows"]:
        assert set(row) == {"settings", "latency_ms", "throughput", "faults", "verdict"}
        assert set(row["latency_ms"]) == {"p50", "p99"}
        assert list(row["faults"]) == ["none", "slow-followers-leader-power-loss"]
        for counts in row["faults"].values():
            assert set(counts) == {"lost", "lost_acked", "duplicates", "send_errors"}
    assert [r["settings"] for r in data["rows"]] == [{"producer.acks": "1"}, {"producer.acks": "all"}]


def test_acks_all_waits_for_the_slow_followers_and_keeps_what_it_acknowledged(tiny_rows):
    # acks=1: the leader acknowledges from its page cache; the followers, 100 ms behind, lack the newest
    # records when its power goes, so acknowledged records are lost. acks=all with min.insync.replicas=2
    # acknowledges only what a follower holds, so nothing acknowledged is lost, and it costs latency.
    ones, alls = tiny_rows
    assert ones.faults["slow-followers-leader-power-loss"]["lost_acked"] > 0
    assert alls.faults["slow-followers-leader-power-loss"]["lost_acked"] == 0
    assert ones.faults["none"]["lost"] == alls.faults["none"]["lost"] == 0
    assert 0 < ones.p50 < alls.p50 and ones.p50 <= ones.p99
    assert ones.throughput > 0 and alls.throughput > 0
    assert alls.promises[0] in (AT_LEAST_ONCE, NO_ACKED_LOSS) and not ones.verdict.startswith("at-least")


def test_latency_is_measured_without_failures_even_when_the_suite_leaves_none_out():
    sweep = parse_sweep(TINY.replace('faults = ["none", ', "faults = ["))
    assert {fault for _, fault, _ in tasks(sweep)} == {"none", "slow-followers-leader-power-loss"}


def test_frontier_on_a_known_set():
    points = [(1, 10), (2, 5), (3, 5), (2, 20), (4, 0), (1, 10), (5, 0)]
    # (3, 5) is beaten by (2, 5), (2, 20) by (1, 10), (5, 0) by (4, 0); equal points both stay
    assert frontier(points) == [0, 1, 4, 5]
    assert frontier([]) == []


def outcome(**kw):
    """An Outcome with zeros except what is given."""
    base = dict(lost=0, lost_acked=0, duplicates=0, send_errors=0, unreported=0, latencies=[1.0], acked=1,
                span_ms=1.0)
    return Outcome(**{**base, **kw})


@pytest.mark.parametrize("fault, promises", [
    (outcome(), [AT_LEAST_ONCE, AT_MOST_ONCE]),
    (outcome(lost=3, send_errors=3), [AT_LEAST_ONCE, AT_MOST_ONCE]),  # every loss came back as an error
    (outcome(lost=3, unreported=3), [NO_ACKED_LOSS, AT_MOST_ONCE]),  # lost without a word to the application
    (outcome(lost=2, lost_acked=2, duplicates=1), []),
    (outcome(duplicates=4), [AT_LEAST_ONCE]),
])
def test_the_verdict_names_the_promises_kept_under_every_fault(fault, promises):
    row = build_row(0, {}, [outcome()], {"none": [outcome()], "f": [outcome(), fault]})
    assert row.promises == promises


def test_throughput_and_percentiles_pool_the_seeds():
    row = build_row(0, {}, [outcome(latencies=[1.0, 3.0], acked=2, span_ms=1000.0),
                            outcome(latencies=[2.0, 100.0], acked=2, span_ms=1000.0)], {})
    assert (row.p50, row.p99, row.throughput) == (2.0, 100.0, 2.0)
    assert percentile([], 50) == 0.0


def test_acks_0_losses_are_marked_as_counted_as_sent_not_acknowledged():
    """With acks=0 no broker acknowledges anything: the table marks such counts and says what they mean."""
    from rich.console import Console

    from tutor.explore.view import fault_table, table

    sweep = parse_sweep(TINY.replace('"producer.acks" = ["1", "all"]', '"producer.acks" = ["0", "1"]'))
    zero, one = explore(sweep, workers=1)
    assert zero.acks0 and not one.acks0
    console = Console(width=200, record=True)
    console.print(table(sweep, [zero, one]))
    console.print(fault_table([zero, one]))
    text = console.export_text()
    assert "acks=0: nothing is acknowledged" in text
    lost0 = zero.faults["slow-followers-leader-power-loss"]["lost_acked"]
    assert lost0 > 0 and f"{lost0}†" in text
    from tutor.explore.metrics import acked_cell
    assert acked_cell(one, 3) == "3" and acked_cell(zero, 3) == "3†"
