"""Whole files: top-level keys, syntax errors, unreadable files, the shipped demo."""

from importlib.resources import files

import pytest

from tutor.scenario import ScenarioError, load_scenario, parse_scenario, validate
from tutor.sim.spec import Scenario

FULL = '''
title = "acks=1 loses acknowledged records when the leader loses power"
seed = 7
description = """
Some prose.
"""
[cluster]
brokers = 3
[topic]
replication.factor = 3
[producer]
acks = 1
[consumer]
auto.offset.reset = "earliest"
[workload]
messages = 60
[[events]]
at.ms = 600
action = "power-loss"
target = "leader"
restart.after.ms = 5000
[expect]
lost_acked = { min = 1 }
'''


def test_full_file(tmp_path):
    """A complete file loads into a Scenario with every part filled in."""
    path = tmp_path / "power.toml"
    path.write_text(FULL)
    s = load_scenario(path)
    assert isinstance(s, Scenario)
    assert (s.title, s.seed, s.description, s.source) == (
        "acks=1 loses acknowledged records when the leader loses power", 7, "Some prose.", str(path))
    assert s.config.producer["acks"] == "1" and s.config.workload["messages"] == 60
    assert [e.describe() for e in s.events] == ["power-loss leader @ 600 ms"]
    assert s.expect == {"lost_acked": {"min": 1}}


def test_defaults_for_an_empty_file(tmp_path):
    """An empty file is a valid scenario titled after the file, seed 0, no consumer."""
    path = tmp_path / "empty-one.toml"
    path.write_text("")
    s = load_scenario(path)
    assert (s.title, s.seed, s.events, s.expect, s.given) == ("empty-one", 0, [], {}, {})


def test_parse_and_validate_agree():
    """parse_scenario is tomllib plus validate."""
    import tomllib
    assert parse_scenario(FULL) == validate(tomllib.loads(FULL), "<string>")


def test_syntax_error_names_the_line(tmp_path):
    """A TOML syntax error names file and line, on one line."""
    path = tmp_path / "broken.toml"
    path.write_text('title = "x"\n[producer]\nacks = = 1\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: line 3: TOML syntax error at column")
    assert "\n" not in str(info.value)


def test_missing_file():
    """An unreadable file gives one line naming it."""
    with pytest.raises(ScenarioError) as info:
        load_scenario("/no/such/scenario.toml")
    assert str(info.value) == "/no/such/scenario.toml: cannot read: no such file or directory"


def test_non_utf8_file(tmp_path):
    """Bytes that are not UTF-8 are reported, not raised as UnicodeDecodeError."""
    path = tmp_path / "latin.toml"
    path.write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(path)


def test_unknown_section_suggests():
    """A misspelt section gets a did-you-mean in brackets."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario("[prodcer]\nacks = 1\n", "f.toml")
    assert str(info.value) == "f.toml: [prodcer]: unknown section; did you mean [producer]?"


def test_unknown_section_lists_sections():
    """A section nothing like a known one lists the sections."""
    with pytest.raises(ScenarioError, match=r"\[zzz\]: unknown section; sections are \[cluster\]"):
        parse_scenario("[zzz]\nq = 1\n", "f.toml")


def test_unknown_top_level_key():
    """A misspelt top-level key gets a did-you-mean."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario('titel = "x"\n', "f.toml")
    assert str(info.value) == "f.toml: titel: unknown key; did you mean title?"


def test_setting_outside_its_section():
    """A property written at the top level is pointed at its section."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario("linger.ms = 5\n", "f.toml")
    assert str(info.value) == "f.toml: linger.ms: not a top-level key; it belongs in [producer]"


@pytest.mark.parametrize("text, message", [
    ("seed = -1\n", "f.toml: seed: takes an integer >= 0, not -1"),
    ("seed = true\n", "f.toml: seed: takes an integer >= 0, not true"),
    ("title = 3\n", "f.toml: title: takes a string, not 3"),
    ("description = [1]\n", "f.toml: description: takes a string, not [1]"),
])
def test_top_level_types(text, message):
    """seed is an integer >= 0; title and description are strings."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.toml")
    assert str(info.value) == message


def test_error_keeps_its_parts():
    """ScenarioError exposes path, key and message separately."""
    err = ScenarioError("a.toml", "[producer] acks", "bad")
    assert (err.path, err.key, err.message, str(err)) == ("a.toml", "[producer] acks", "bad",
                                                          "a.toml: [producer] acks: bad")
    assert str(ScenarioError("a.toml", None, "bad")) == "a.toml: bad"


def test_shipped_demo_is_valid():
    """The built-in demo: acks=1, RF=3, a consumer from the earliest offset, a leader power loss."""
    text = (files("tutor") / "data" / "scenarios" / "demo.toml").read_text(encoding="utf-8")
    s = parse_scenario(text, "demo.toml")
    c = s.config
    assert (c.producer["acks"], c.topic["replication.factor"], c.cluster["brokers"]) == ("1", 3, 3)
    assert c.consumer["auto.offset.reset"] == "earliest"
    assert any(e.action == "power-loss" and e.target == "leader" and "restart.after.ms" in e.params
               for e in s.events)
