"""Settings sections: keys, types, bounds, choices and client-specific keys."""

import pytest

from tutor.scenario import ScenarioError, parse_scenario


def error(text: str) -> str:
    """The one-line message a bad scenario text gives, as if read from scenario.toml."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="scenario.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("scenario.toml: ")
    return message


def test_unknown_key_suggests_the_closest():
    """A misspelt key names file, section and key, and offers the right spelling."""
    assert error("[producer]\nlingr.ms = 5\n") == \
        "scenario.toml: [producer] lingr.ms: unknown key; did you mean linger.ms?"


def test_unknown_key_with_nothing_close_lists_the_section_keys():
    """With no near match the message lists what the section takes."""
    message = error("[network]\nbandwidth = 5\n")
    assert "[network] bandwidth: unknown key; [network] takes latency.ms, jitter.ms" in message


@pytest.mark.parametrize("value, canonical", [
    ('"all"', "all"), ('"-1"', "all"), ("-1", "all"), ('"1"', "1"), ("1", "1"), ('"0"', "0"), ("0", "0"),
])
def test_acks_spellings(value, canonical):
    """Every spelling Kafka accepts for acks is taken and stored as "all", "1" or "0"."""
    assert parse_scenario(f"[producer]\nacks = {value}\n").given["producer"]["acks"] == canonical


@pytest.mark.parametrize("value, shown", [('"2"', '"2"'), ("2", "2"), ('"ALL"', '"ALL"'), ("true", "true"),
                                          ("1.0", "1.0")])
def test_bad_acks_lists_the_spellings(value, shown):
    """A bad acks value is refused with every accepted spelling."""
    assert error(f"[producer]\nacks = {value}\n") == (
        'scenario.toml: [producer] acks: takes "all", "-1", "1", "0" (or the integers -1, 0, 1), '
        f"not {shown}")


def test_bool_is_not_an_int():
    """true is refused where an integer is expected."""
    assert "[cluster] brokers: takes an integer, not true (a boolean)" in error("[cluster]\nbrokers = true\n")


def test_string_is_not_an_int():
    """A quoted number is refused where an integer is expected."""
    assert 'takes an integer, not "3" (a string)' in error('[cluster]\nbrokers = "3"\n')


def test_float_is_not_an_int():
    """A float is refused where an integer is expected."""
    assert "[workload] messages: takes an integer, not 2.5 (a float)" in error("[workload]\nmessages = 2.5\n")


def test_int_and_float_accepted_where_float():
    """A float setting takes integers and floats."""
    s = parse_scenario("[producer]\nlinger.ms = 5\n[workload]\ninterval.ms = 2.5\n")
    assert s.given["producer"]["linger.ms"] == 5 and s.given["workload"]["interval.ms"] == 2.5


@pytest.mark.parametrize("value", ["inf", "nan", "true", '"5"'])
def test_float_setting_refuses_non_numbers(value):
    """inf, nan, booleans and strings are not numbers of milliseconds."""
    assert "[producer] linger.ms: takes a number" in error(f"[producer]\nlinger.ms = {value}\n")


def test_minimum_bound():
    """A value under the minimum names the bound."""
    assert "[producer] linger.ms: must be at least 0, not -1" in error("[producer]\nlinger.ms = -1\n")


def test_maximum_bound():
    """A value over the maximum names the bound."""
    assert error("[cluster]\nbrokers = 12\n") == "scenario.toml: [cluster] brokers: must be at most 9, not 12"


def test_bool_setting_refuses_strings():
    """A boolean setting wants true or false, unquoted."""
    assert 'enable.idempotence: takes true or false, not "true" (a string)' in \
        error('[producer]\nenable.idempotence = "true"\n')


def test_choice_lists_the_choices():
    """A bad choice lists the allowed values."""
    assert '[producer] send.mode: takes "async", "sync", "window", "spool" or "unbounded", not "blocking"' in \
        error('[producer]\nsend.mode = "blocking"\n')


def test_choice_alias_maps_to_its_choice():
    """auto.offset.reset = "smallest" means "earliest"."""
    s = parse_scenario('[consumer]\nauto.offset.reset = "smallest"\n')
    assert s.given["consumer"]["auto.offset.reset"] == "earliest"


def test_bad_choice_mentions_aliases():
    """The message for a choice with aliases lists them too."""
    message = error('[consumer]\nauto.offset.reset = "begin"\n')
    assert '"earliest", "latest" or "none"' in message and '"smallest" = "earliest"' in message


def test_kafka_version_as_a_number():
    """kafka.version = 3.7 (unquoted) is read as "3.7"."""
    assert parse_scenario("[cluster]\nkafka.version = 3.7\n").config.version == "3.7"


def test_unknown_kafka_version():
    """A version the model does not know is refused."""
    assert '[cluster] kafka.version: takes "2.0"' in error('[cluster]\nkafka.version = "1.1"\n')


@pytest.mark.parametrize("value", ["0", "-3", "true", "1.5", '"never"'])
def test_flush_takes_a_positive_int(value):
    """log.flush.interval.messages takes an integer >= 1; leaving it out means never."""
    assert "[broker] log.flush.interval.messages: takes an integer >= 1 (leave it out for never)" in \
        error(f"[broker]\nlog.flush.interval.messages = {value}\n")


def test_flush_absent_means_never():
    """Without the key the resolved value is None (never)."""
    assert parse_scenario("").config.broker["log.flush.interval.messages"] is None
    assert parse_scenario("[broker]\nlog.flush.interval.messages = 1\n").config.broker[
        "log.flush.interval.messages"] == 1


def test_java_key_refused_for_librdkafka_with_what_it_does_instead():
    """max.block.ms is Java's; librdkafka fails produce() at once."""
    assert error('[producer]\nclient = "librdkafka"\nmax.block.ms = 10\n') == (
        "scenario.toml: [producer] max.block.ms: a Java client property; "
        "librdkafka's produce() fails at once with QUEUE_FULL instead")


def test_java_key_refused_for_librdkafka_with_equivalent():
    """buffer.memory under librdkafka points at queue.buffering.max.kbytes."""
    assert "[producer] buffer.memory: a Java client property; with librdkafka use queue.buffering.max.kbytes" \
        in error('[producer]\nclient = "librdkafka"\nbuffer.memory = 10\n')


def test_librdkafka_key_refused_for_java():
    """queue.buffering.max.messages is librdkafka's; the Java client is the default."""
    assert "[producer] queue.buffering.max.messages: a librdkafka property; with the Java client use " \
        "buffer.memory" in error("[producer]\nqueue.buffering.max.messages = 10\n")


def test_consumer_client_specific_keys():
    """fetch.wait.max.ms is librdkafka's spelling of Java's fetch.max.wait.ms."""
    assert "with the Java client use fetch.max.wait.ms" in error("[consumer]\nfetch.wait.max.ms = 10\n")
    s = parse_scenario('[consumer]\nclient = "librdkafka"\nfetch.wait.max.ms = 10\nenable.auto.offset.store = false\n')
    assert s.config.consumer["enable.auto.offset.store"] is False


def test_offset_store_refused_for_java():
    """The Java consumer has no offset store."""
    assert "[consumer] enable.auto.offset.store: a librdkafka property" in \
        error("[consumer]\nenable.auto.offset.store = false\n")


def test_bad_client():
    """client takes java or librdkafka."""
    assert '[producer] client: takes "java" or "librdkafka", not "kafka-python"' in \
        error('[producer]\nclient = "kafka-python"\n')


def test_client_checked_before_the_keys_it_decides():
    """A bad client is reported even when listed after client-specific keys."""
    assert "[producer] client:" in error('[producer]\nbuffer.memory = 5\nclient = "go"\n')


def test_cross_key_check_from_config():
    """replication.factor above the broker count is refused via check_config."""
    assert error("[cluster]\nbrokers = 2\n[topic]\nreplication.factor = 3\n") == \
        "scenario.toml: [topic] replication.factor: is 3 but the cluster has only 2 brokers"


def test_idempotence_needs_acks_all():
    """enable.idempotence = true with acks=1 cannot run."""
    assert "[producer] enable.idempotence: needs acks" in \
        error('[producer]\nacks = 1\nenable.idempotence = true\n')


def test_section_must_be_a_table():
    """A section name used as a plain key is refused."""
    assert error("producer = 5\n") == "scenario.toml: [producer]: must be a table of settings"


def test_key_given_twice():
    """The quoted and dotted spellings of one key are caught."""
    assert error('[producer]\n"linger.ms" = 1\nlinger.ms = 2\n') == \
        "scenario.toml: [producer] linger.ms: given twice"


def test_empty_consumer_section_means_a_default_consumer():
    """[consumer] with no keys still adds a consumer; no section means none."""
    assert parse_scenario("[consumer]\n").config.consumer["group.id"] == "tutor"
    assert parse_scenario("").config.consumer is None
