"""Dotted TOML keys come back as Kafka property names."""

import pytest

from tutor.scenario import parse_scenario
from tutor.scenario.flatten import DuplicateKey, flatten


def test_nested_tables_join_into_dotted_names():
    """{"linger": {"ms": 5}} becomes {"linger.ms": 5}."""
    assert flatten({"linger": {"ms": 5}, "acks": "1"}) == {"linger.ms": 5, "acks": "1"}


def test_deep_nesting_joins_every_level():
    """Three levels deep still gives one dotted name."""
    assert flatten({"a": {"b": {"c": 1}}}) == {"a.b.c": 1}


def test_known_name_keeps_its_table_value():
    """A known name stops the flattening, so its value may be a table."""
    assert flatten({"lost": {"min": 1}}, known=("lost",)) == {"lost": {"min": 1}}


def test_quoted_and_dotted_spelling_of_one_key_is_a_duplicate():
    """`"linger.ms" = 1` and `linger.ms = 2` name the same property."""
    with pytest.raises(DuplicateKey):
        flatten({"linger.ms": 1, "linger": {"ms": 2}})


def test_scenario_settings_use_kafka_names():
    """A parsed scenario's given settings are keyed by the dotted Kafka names."""
    s = parse_scenario('[producer]\nlinger.ms = 5\nenable.idempotence = false\n'
                       '[topic]\nreplication.factor = 3\n[cluster]\nkafka.version = "3.6"\n')
    assert s.given["producer"] == {"linger.ms": 5, "enable.idempotence": False}
    assert s.given["topic"] == {"replication.factor": 3}
    assert s.config.version == "3.6"


def test_quoted_dotted_key_is_accepted():
    """Writing the property name in quotes means the same as the dotted key."""
    s = parse_scenario('[producer]\n"linger.ms" = 7\n')
    assert s.given["producer"]["linger.ms"] == 7
