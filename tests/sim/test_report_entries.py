"""The report's entries read in order, and as JSON text, are the entries read one by one: lost, duplicated and
processed records, on one partition and on several."""

import copy
import dataclasses
import json
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


ODD_TOPICS = ('q"b\\é', "line\u2028sep\n", "x\x01\U0001F600")  # names only a scenario built in code can give


def _odd_topics(name: str, more: int):
    """A scenario file's run with its topic renamed to a name JSON must escape, and `more` further such topics."""
    sc = load_scenario(SCENARIOS / name)
    given = copy.deepcopy(sc.given)
    given.setdefault("topic", {}).update({"name": ODD_TOPICS[0], "partitions": 2})
    topics = [{"name": ODD_TOPICS[1], "partitions": 2}, {"name": ODD_TOPICS[2], "partitions": 1}][:more]
    return Simulation(dataclasses.replace(sc, given=given, topics=topics)).run_to_end()


def _json_text(report, indent: str) -> tuple[str, set[type]]:
    """The entries' list as json_items gives it, dicts laid out as json.dumps(indent=2) lays them out at
    `indent`; and the kinds of parts it gave."""
    parts = list(report.messages.json_items(indent))
    text = ",".join(p if isinstance(p, str) else
                    ",".join(f"\n{indent}" + json.dumps(d, indent=2).replace("\n", f"\n{indent}") for d in p)
                    for p in parts)
    return f"[{text}\n{indent[:-2]}]", {type(p) for p in parts}


def test_entries_as_json_text_are_what_json_dumps_gives():
    """The entries as ready JSON text (records processed once) and dicts (the others) read together as
    json.dumps(indent=2) of the entries read by index, at two depths: lost and duplicated records among
    processed ones, on one partition and on topics whose names need escaping (a quote, a backslash,
    non-ASCII, a control character, a line separator, a character beyond the BMP)."""
    reports = [Simulation(load_scenario(SCENARIOS / n)).run_to_end()
               for n in ("acks1-leader-crash.toml", "app-spool-crash-duplicates.toml")]
    reports += [_odd_topics("acks1-leader-crash.toml", 2), _odd_topics("app-spool-crash-duplicates.toml", 1),
                _odd_topics("commit-before-processing-crash.toml", 0)]
    fates = set()
    for report in reports:
        _entries_agree(report)
        entries = list(report.messages)
        fates |= {m["fate"] for m in entries}
        for indent in ("  ", "      "):
            text, kinds = _json_text(report, indent)
            assert kinds == {str, list}  # both kinds of part, so both ways were taken
            want = json.dumps(entries, indent=2)
            assert text == (want if indent == "  " else want.replace("\n", "\n" + indent[:-2]))
    assert fates == {"processed", "lost", "duplicated"}
    assert any(ODD_TOPICS[0] in m["explanation"] for m in reports[2].messages)
    assert any(m.get("topic") == ODD_TOPICS[1] for m in reports[3].messages)
