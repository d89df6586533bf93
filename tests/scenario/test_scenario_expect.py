"""[expect]: exact counts, ranges and id lists."""

import pytest

from tutor.scenario import ScenarioError, parse_scenario


def error(text: str) -> str:
    """The one-line message a bad [expect] gives."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario("[expect]\n" + text, source="x.toml")
    return str(info.value)


def test_exact_range_and_ids():
    """Counts, {min,max} tables and id lists are kept as given."""
    s = parse_scenario("[expect]\nlost_acked = 0\nlost = { min = 1 }\nduplicates = { min = 0, max = 3 }\n"
                       "lost_ids = [25, 26]\n")
    assert s.expect == {"lost_acked": 0, "lost": {"min": 1}, "duplicates": {"min": 0, "max": 3},
                        "lost_ids": [25, 26]}


def test_dotted_expect_keys():
    """lost_at.broker is kept as one dotted key, also with a range value."""
    s = parse_scenario("[expect]\nlost_at.broker = 3\nlost_at.consumer = { max = 2 }\n")
    assert s.expect == {"lost_at.broker": 3, "lost_at.consumer": {"max": 2}}


def test_unknown_expect_key_suggests():
    """A misspelt expectation gets a did-you-mean."""
    assert error("lost_ackd = 0\n") == "x.toml: [expect] lost_ackd: unknown key; did you mean lost_acked?"
    assert "[expect] lost_at.brokr: unknown key; did you mean lost_at.broker?" in error("lost_at.brokr = 1\n")


@pytest.mark.parametrize("value", ["-1", "true", "1.5", '"0"'])
def test_count_must_be_a_non_negative_int(value):
    """A count is an integer >= 0."""
    assert "[expect] lost: takes a count >= 0 or { min = N, max = M }" in error(f"lost = {value}\n")


def test_range_keys():
    """A range takes only min and max."""
    assert "[expect] lost.mn: a range takes min and max; did you mean min?" in error("lost = { mn = 1 }\n")
    assert "[expect] lost: an empty range" in error("lost = {}\n")
    assert "[expect] lost.min: takes a count >= 0" in error("lost = { min = -2 }\n")


def test_range_min_above_max():
    """min above max can never hold."""
    assert "[expect] lost: min 5 is above max 2" in error("lost = { min = 5, max = 2 }\n")


@pytest.mark.parametrize("value", ["3", "[1, true]", '["a"]', "{ min = 1 }"])
def test_ids_take_a_list_of_ints(value):
    """*_ids take a list of record ids."""
    assert "[expect] lost_ids: takes a list of record ids" in error(f"lost_ids = {value}\n")


def test_expect_must_be_a_table():
    """expect = 3 is refused."""
    assert "x.toml: [expect]: must be a table" in str(pytest.raises(ScenarioError, parse_scenario,
                                                                      "expect = 3\n", "x.toml").value)
