"""The partition rows and header name a second topic's partitions as Kafka does (bar-0, not t-3)."""

from __future__ import annotations

from tutor.scenario.loader import parse_scenario
from tutor.sim.simulation import Simulation
from tutor.sim.snapshot import take
from tutor.ui.draw_parts import header_pieces, title_parts

TEXT = '[topic]\nname = "foo"\npartitions = 2\n[[topics]]\nname = "bar"\npartitions = 1\n[workload]\nmessages = 5\n'


def test_header_and_titles_name_each_topic():
    """foo-0, foo-1 and bar-0 in the header; broker-1 leads foo-0 and bar-0 (each topic placed anew)."""
    sim = Simulation(parse_scenario(TEXT))
    sim.run(2000)
    snap = take(sim)
    header = "".join(t for t, _, _ in header_pieces(snap, 200))
    assert "foo-0 " in header and "foo-1 " in header and "bar-0 " in header and "t-" not in header
    broker1 = next(b for b in snap.brokers if b.name == "broker-1")
    assert title_parts(snap, broker1, compact=False) == ["leads foo-0,bar-0"]


def test_group_rows_name_each_members_partitions_by_topic():
    """Two members on foo and bar (range): consumer-2's row shows bar-0 and foo-1 with their offsets."""
    from tutor.ui.draw_group import member_rows
    text = TEXT + '[consumer]\ninstances = 2\nauto.offset.reset = "earliest"\npartition.assignment.strategy = "range"\n'
    sim = Simulation(parse_scenario(text))
    sim.run(8000)
    group = take(sim).group
    assert group.tps == ("foo-0", "foo-1", "bar-0")
    rows = ["".join(t for t, _, _ in row) for row in member_rows(group, 8000, 120, two_lines=True)]
    assert "foo-0 " in rows[1] and "bar-0 " in rows[1] and "foo-1 " in rows[3] and "t-" not in "".join(rows)
