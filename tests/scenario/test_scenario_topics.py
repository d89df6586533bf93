"""[topic] name and [[topics]]: good entries load, bad ones fail with one line naming the entry and key."""

from __future__ import annotations

import pytest

from tutor.scenario.errors import ScenarioError
from tutor.scenario.loader import parse_scenario

TOPIC = '[topic]\nname = "foo"\nreplication.factor = 3\n'


def bad(text: str) -> str:
    """The one-line error a scenario text raises."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="s.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("s.toml: ")
    return message


def test_a_second_topic_inherits_replication_from_topic():
    """replication.factor and min.insync.replicas default to [topic]'s."""
    s = parse_scenario(TOPIC + 'min.insync.replicas = 2\n[[topics]]\nname = "bar"\npartitions = 2\n')
    assert s.config.extra_topics == [{"name": "bar", "partitions": 2, "replication.factor": 3,
                                      "min.insync.replicas": 2}]
    s = parse_scenario(TOPIC + '[[topics]]\nname = "bar"\npartitions = 1\nreplication.factor = 2\n')
    assert s.config.extra_topics[0]["replication.factor"] == 2
    assert s.with_settings("producer", acks="1").config.extra_topics == s.config.extra_topics


@pytest.mark.parametrize("entries, message", [
    ('[[topics]]\npartitions = 2\n', "s.toml: [[topics]] 1: needs name"),
    ('[[topics]]\nname = "bar"\n', "s.toml: [[topics]] 1: needs partitions"),
    ('[[topics]]\nname = "b a r"\npartitions = 1\n', "[[topics]] 1 name: takes a topic name of 1 to 249"),
    ('[[topics]]\nname = 3\npartitions = 1\n', "[[topics]] 1 name: takes a topic name"),
    ('[[topics]]\nname = "__x"\npartitions = 1\n', "starts with __, which Kafka keeps for internal topics"),
    ('[[topics]]\nname = "bar"\npartitions = 0\n', "[[topics]] 1 partitions: takes an integer from 1 to 12, not 0"),
    ('[[topics]]\nname = "bar"\npartitions = 13\n', "[[topics]] 1 partitions: takes an integer from 1 to 12"),
    ('[[topics]]\nname = "bar"\npartitions = "2"\n', "[[topics]] 1 partitions: takes an integer"),
    ('[[topics]]\nname = "foo"\npartitions = 1\n', '[[topics]] 1 name: "foo" is already the name of [topic]'),
    ('[[topics]]\nname = "bar"\npartitions = 1\n[[topics]]\nname = "bar"\npartitions = 1\n',
     '[[topics]] 2 name: "bar" is already the name of [[topics]] 1'),
    ("".join(f'[[topics]]\nname = "t{i}"\npartitions = 1\n' for i in range(3)),
     "[[topics]]: at most 2 topics besides [topic], not 3"),
    ('[[topics]]\nname = "bar"\npartitions = 1\nreplication.factor = 4\n',
     "[[topics]] 1 replication.factor: takes an integer from 1 to 3"),
    ('[[topics]]\nname = "bar"\npartitions = 1\nmin.insync.replicas = 4\n',
     "[[topics]] 1 min.insync.replicas: takes an integer from 1 to 3"),
    ('[[topics]]\nname = "bar"\npartitions = 1\nacks = 1\n', "[[topics]] 1 acks: unknown key; [[topics]] takes name"),
    ('[topics]\nname = "bar"\n', "[[topics]]: must be an array of tables"),
])
def test_bad_entries(entries, message):
    """Each bad entry: one line naming it."""
    assert message in bad(TOPIC + entries)


def test_bad_main_topic_name():
    """[topic] name follows Kafka's rules too."""
    assert "[topic] name: takes a topic name" in bad('[topic]\nname = "a/b"\n')
