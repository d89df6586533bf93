"""`tutor export`: only Kafka settings, librdkafka dicts the real client accepts, Java names per version."""

import json
from importlib.resources import files

import pytest

from tutor import cli
from tutor.explore import default_sweep
from tutor.export import (JAVA_TYPES, broker_properties, export_text, java_problem, java_properties, java_type, librdkafka_config,
                          topic_commands)
from tutor.scenario import parse_scenario
from tutor.sim.config import SETTINGS, VERSIONS

ck = pytest.importorskip("confluent_kafka")

SCENARIOS = sorted(p for p in (files("tutor") / "data" / "scenarios").iterdir() if p.name.endswith(".toml"))
BUSY = """
[cluster]
kafka.version = "{version}"
[topic]
replication.factor = 3
min.insync.replicas = 2
unclean.leader.election.enable = true
[broker]
log.flush.interval.messages = 1
broker.session.timeout.ms = 6000
zookeeper.session.timeout.ms = 6000
[producer]
client = "{client}"
acks = "all"
linger.ms = 20
retries = 3
delivery.timeout.ms = 60000
[consumer]
client = "{client}"
commit.mode = "after-processing"
processing.ms = 3
max.poll.records = 10
[workload]
messages = 10
[network]
latency.ms = 2
"""


def scenarios():
    """Every shipped scenario, the busy one for both clients, and every configuration of the default sweep."""
    out = [parse_scenario(p.read_text()) for p in SCENARIOS]
    out += [parse_scenario(BUSY.format(version=v, client=c)) for v in ("2.0", "3.0", "4.0") for c in
            ("java", "librdkafka")]
    sweep = default_sweep()
    out += [sweep.scenario(i, "none") for i in range(len(sweep.configurations()))]
    return out


@pytest.mark.parametrize("include_defaults", [False, True])
def test_every_librdkafka_export_is_accepted_by_confluent_kafka(include_defaults):
    for scenario in scenarios():
        config = librdkafka_config(scenario, include_defaults)
        ck.Producer(config["producer"])  # raises KafkaException on an unknown property or a bad value
        if "consumer" in config:
            ck.Consumer(config["consumer"]).close()


def test_confluent_kafka_really_rejects_what_librdkafka_lacks():
    with pytest.raises(ck.KafkaException):
        ck.Producer({"max.block.ms": 1000})  # a Java-only property: the check above means something


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("client", ["java", "librdkafka"])
def test_every_java_property_exists_with_its_type_in_that_version(version, client):
    scenario = parse_scenario(BUSY.format(version=version, client=client))
    for role, (props, _notes) in java_properties(scenario, include_defaults=True).items():
        for name, text in props.items():
            assert java_problem(role, name, text, version) is None


def test_the_java_table_covers_every_java_setting_the_model_has():
    for role in ("producer", "consumer"):
        model = {s.name for (section, _), s in SETTINGS.items() if section == role and s.kafka and "java" in s.clients}
        assert model == set(JAVA_TYPES[role])


def test_java_types_follow_the_kafka_sources():
    assert java_type("producer", "delivery.timeout.ms", "2.0") is None  # KIP-91 came in 2.1
    assert java_type("producer", "delivery.timeout.ms", "2.1") == "INT"
    assert [java_type("producer", "linger.ms", v) for v in ("2.0", "2.1", "2.2", "2.3")] == \
        ["LONG", "INT", "INT", "LONG"]
    assert java_problem("producer", "linger.ms", "2147483648", "2.2") is not None  # beyond an INT
    assert java_problem("producer", "linger.ms", "2147483648", "2.3") is None
    assert java_problem("consumer", "enable.auto.commit", "yes", "4.0") is not None


def test_a_property_the_version_lacks_becomes_a_note():
    props, notes = java_properties(parse_scenario(BUSY.format(version="2.0", client="java")))["producer"]
    assert "delivery.timeout.ms" not in props
    assert any("delivery.timeout.ms" in n and "2.0" in n for n in notes)


def exported_names(scenario):
    """Every property name each format writes (with --all)."""
    names = {n for props, _ in java_properties(scenario, True).values() for n in props}
    names |= {n for conf in librdkafka_config(scenario, True).values() for n in conf}
    names |= set(broker_properties(scenario, True)[0])
    names |= {c.split("=")[0] for line in topic_commands(scenario, True) for c in line.split(" --config ")[1:]}
    return names


def test_the_models_own_settings_are_never_exported():
    model_only = {s.name for s in SETTINGS.values() if not s.kafka}
    for client in ("java", "librdkafka"):
        names = exported_names(parse_scenario(BUSY.format(version="4.0", client=client)))
        assert "acks" in names and "log.flush.interval.messages" in names
        assert not names & model_only


def test_java_and_librdkafka_name_the_same_settings_their_own_way():
    scenario = parse_scenario(BUSY.format(version="4.0", client="librdkafka"))
    java = java_properties(scenario, include_defaults=True)
    assert java["consumer"][0]["fetch.max.wait.ms"] == "500"
    assert java["producer"][0]["buffer.memory"] == str(1048576 * 1024)
    rdk = librdkafka_config(parse_scenario(BUSY.format(version="4.0", client="java")), include_defaults=True)
    assert rdk["producer"]["queue.buffering.max.kbytes"] == 32768 and "buffer.memory" not in rdk["producer"]
    assert "max.poll.records" not in rdk["consumer"] and rdk["consumer"]["enable.auto.commit"] is False


def test_without_all_only_what_the_scenario_changed():
    props = java_properties(parse_scenario(BUSY.format(version="4.0", client="java")))
    assert props["producer"][0] == {"acks": "all", "linger.ms": "20", "retries": "3", "delivery.timeout.ms": "60000"}
    assert props["consumer"][0] == {"group.id": "tutor", "enable.auto.commit": "false", "max.poll.records": "10"}


def test_broker_lines_follow_the_coordination_mode():
    kraft = export_text(parse_scenario(BUSY.format(version="4.0", client="java")), "broker")
    assert "log.flush.interval.messages=1" in kraft and "broker.session.timeout.ms=6000" in kraft
    assert "zookeeper.session.timeout.ms=" not in kraft
    zookeeper = export_text(parse_scenario(BUSY.format(version="3.0", client="java")), "broker")
    assert "zookeeper.session.timeout.ms=6000" in zookeeper and "broker.session.timeout.ms=" not in zookeeper


def test_topic_commands():
    create, alter = topic_commands(parse_scenario(BUSY.format(version="4.0", client="java")))
    assert create == ("kafka-topics.sh --bootstrap-server localhost:9092 --create --topic t --partitions 1 "
                      "--replication-factor 3 --config min.insync.replicas=2 "
                      "--config unclean.leader.election.enable=true")
    assert alter.endswith("--add-config min.insync.replicas=2,unclean.leader.election.enable=true")


def test_export_command_prints_json_and_notes_apart(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(BUSY.format(version="4.0", client="java"))
    assert cli.main(["export", str(path), "--format", "librdkafka"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["producer"]["acks"] == "all"
    assert "max.poll.records" in out.err
    path.write_text("[producer]\nacks = 2\n")
    assert cli.main(["export", str(path), "--format", "java"]) == 2
    assert capsys.readouterr().err.startswith(f"{path}: [producer] acks:")


def test_topic_command_creates_the_scenarios_partitions():
    """[topic] partitions is kafka-topics.sh's --partitions, not a topic config."""
    scenario = parse_scenario("[topic]\npartitions = 6\nreplication.factor = 1\n")
    (create,) = topic_commands(scenario)
    assert " --partitions 6 " in create and "--config partitions" not in create
