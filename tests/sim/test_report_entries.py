"""The report's entries read in order are the entries read one by one: lost, duplicated and processed records, on
one partition and on several."""

from pathlib import Path

from _build import run

from tutor.scenario.loader import load_scenario
from tutor.sim.simulation import Simulation

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def _entries_agree(report) -> None:
    """Iterating the lazy entries gives what indexing them gives, entry for entry."""
    messages = report.messages
    assert list(messages) == [messages[i] for i in range(len(messages))]


def test_entries_in_order_match_entries_by_index_with_losses_and_duplicates():
    """A leader crash under acks=1 loses records; a spool re-sent after a crash duplicates some."""
    fates = set()
    for name in ("acks1-leader-crash.toml", "app-spool-crash-duplicates.toml"):
        report = Simulation(load_scenario(SCENARIOS / name)).run_to_end()
        fates |= {m["fate"] for m in report.messages}
        _entries_agree(report)
    assert fates == {"processed", "lost", "duplicated"}


def test_entries_in_order_name_the_partition_on_a_topic_of_several():
    """On three partitions every explanation starts with its partition, read either way."""
    _, report = run(topic={"replication.factor": 3, "partitions": 3}, consumer={"auto.offset.reset": "earliest"},
                    workload={"messages": 120, "interval.ms": 2})
    assert all(m["explanation"].startswith(f"t-{m['partition']}: ") for m in report.messages)
    _entries_agree(report)
