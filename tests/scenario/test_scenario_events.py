"""[[events]]: actions, targets, timing and parameters."""

import pytest

from tutor.scenario import ScenarioError, parse_scenario
from tutor.sim.spec import Action

CLUSTER = "[cluster]\nbrokers = 3\n[topic]\nreplication.factor = 3\n"


def events(text: str, consumer: bool = True) -> list[Action]:
    """The events parsed from [[events]] text, in a 3-broker cluster (with a consumer)."""
    return parse_scenario(CLUSTER + ("[consumer]\n" if consumer else "") + text).events


def error(text: str, consumer: bool = True) -> str:
    """The one-line message bad [[events]] text gives."""
    with pytest.raises(ScenarioError) as info:
        events(text, consumer)
    message = str(info.value)
    assert "\n" not in message and message.startswith("<string>: ")
    return message


def test_power_loss_event_becomes_an_action():
    """A full event turns into an Action with dotted params."""
    [e] = events('[[events]]\nat.ms = 600\naction = "power-loss"\ntarget = "leader"\nrestart.after.ms = 5000\n')
    assert e == Action("power-loss", "leader", 600.0, None, {"restart.after.ms": 5000})


def test_when_processed_event():
    """when.processed fires after N processed records."""
    [e] = events('[[events]]\nwhen.processed = 25\naction = "processing-error"\ntarget = "consumer"\n'
                 'restart.after.ms = 100\n')
    assert (e.at_ms, e.when_processed, e.params) == (None, 25, {"restart.after.ms": 100})


def test_events_keep_file_order():
    """Several events come back in the order written."""
    text = ('[[events]]\nat.ms = 9\naction = "heal"\n'
            '[[events]]\nat.ms = 1\naction = "crash"\ntarget = "broker-2"\n')
    assert [e.action for e in events(text)] == ["heal", "crash"]


def test_unknown_action_suggests():
    """A misspelt action gets a did-you-mean."""
    assert error('[[events]]\nat.ms = 1\naction = "powerloss"\ntarget = "leader"\n') == \
        '<string>: [[events]] #1 action: unknown action "powerloss"; did you mean power-loss?'


def test_missing_action_lists_the_actions():
    """An event without action lists every action."""
    assert '[[events]] #1: needs action = one of "crash", "power-loss"' in error("[[events]]\nat.ms = 1\n")


def test_needs_exactly_one_time():
    """Neither or both of at.ms / when.processed is refused."""
    neither = error('[[events]]\naction = "heal"\n')
    both = error('[[events]]\naction = "heal"\nat.ms = 1\nwhen.processed = 3\n')
    assert "needs exactly one of at.ms (a time) or when.processed (a count)" in neither
    assert "needs exactly one of at.ms" in both


@pytest.mark.parametrize("value", ["-1", "true", '"600"'])
def test_at_ms_takes_a_number_at_least_zero(value):
    """at.ms must be a number >= 0."""
    assert "[[events]] #1 at.ms: takes a number >= 0" in error(f'[[events]]\naction = "heal"\nat.ms = {value}\n')


@pytest.mark.parametrize("value", ["0", "2.5", "true"])
def test_when_processed_takes_a_positive_int(value):
    """when.processed must be an integer >= 1."""
    assert "[[events]] #1 when.processed: takes an integer >= 1" in \
        error(f'[[events]]\naction = "heal"\nwhen.processed = {value}\n')


def test_when_processed_needs_a_consumer():
    """Without a consumer nothing is ever processed."""
    assert "when.processed: needs a [consumer]" in \
        error('[[events]]\naction = "heal"\nwhen.processed = 3\n', consumer=False)


def test_targeted_action_needs_a_target():
    """crash without target says which targets exist."""
    message = error('[[events]]\naction = "crash"\nat.ms = 1\n')
    assert '[[events]] #1: crash needs a target: "leader", "followers"' in message
    assert '"broker-3"' in message


@pytest.mark.parametrize("target", ["leader", "followers", "all-brokers", "producer", "consumer", "controller",
                                    "broker-1", "broker-3"])
def test_valid_targets(target):
    """Roles and node names are accepted."""
    [e] = events(f'[[events]]\naction = "crash"\nat.ms = 1\ntarget = "{target}"\n')
    assert e.target == target


def test_broker_beyond_cluster_size():
    """broker-4 does not exist in a 3-broker cluster."""
    assert '[[events]] #1 target: unknown node or role "broker-4"; did you mean broker-3?' in \
        error('[[events]]\naction = "crash"\nat.ms = 1\ntarget = "broker-4"\n')


def test_consumer_target_needs_a_consumer():
    """Targeting the consumer without a [consumer] section is refused."""
    assert "target: there is no consumer: add a [consumer] section" in \
        error('[[events]]\naction = "crash"\nat.ms = 1\ntarget = "consumer"\n', consumer=False)


def test_processing_error_targets_the_consumer():
    """processing-error only happens in a consumer."""
    assert 'processing-error happens in the consumer, not "leader"' in \
        error('[[events]]\naction = "processing-error"\nat.ms = 1\ntarget = "leader"\n')


def test_parameter_of_another_action():
    """delay.ms on a crash says what crash takes."""
    assert error('[[events]]\naction = "crash"\nat.ms = 1\ntarget = "leader"\ndelay.ms = 5\n') == \
        "<string>: [[events]] #1 delay.ms: not a parameter of crash; it takes restart.after.ms"


def test_unknown_event_key_suggests():
    """A misspelt parameter gets a did-you-mean."""
    assert "[[events]] #2 restart.after: unknown key; did you mean restart.after.ms?" in error(
        '[[events]]\naction = "heal"\nat.ms = 1\n'
        '[[events]]\naction = "crash"\nat.ms = 1\ntarget = "leader"\nrestart.after = 5\n')


def test_slow_needs_delay():
    """slow without delay.ms is refused; with it the delay is a param."""
    assert "[[events]] #1: slow needs delay.ms" in error('[[events]]\naction = "slow"\nat.ms = 1\ntarget = "leader"\n')
    [e] = events('[[events]]\naction = "slow"\nat.ms = 1\ntarget = "leader"\ndelay.ms = 40\n')
    assert e.params == {"delay.ms": 40}


def test_negative_delay():
    """delay.ms must be >= 0."""
    assert "delay.ms: takes a number >= 0" in \
        error('[[events]]\naction = "slow"\nat.ms = 1\ntarget = "leader"\ndelay.ms = -4\n')


def test_partition_between_two_groups():
    """partition takes two lists of nodes or roles."""
    [e] = events('[[events]]\naction = "partition"\nat.ms = 1\nbetween = [["leader"], ["followers", "controller"]]\n')
    assert e.target is None and e.params == {"between": [["leader"], ["followers", "controller"]]}


@pytest.mark.parametrize("between", ['[["leader"]]', '[["leader"], []]', '"leader"', '[["leader"], "x"]',
                                     '[["a"], ["b"], ["c"]]'])
def test_partition_between_shape(between):
    """between must be exactly two non-empty lists."""
    assert "[[events]] #1 between: takes two non-empty lists of nodes" in \
        error(f'[[events]]\naction = "partition"\nat.ms = 1\nbetween = {between}\n')


def test_partition_between_names_must_exist():
    """Every name on either side must be a node or role."""
    assert 'between: unknown node or role "broker-7"' in \
        error('[[events]]\naction = "partition"\nat.ms = 1\nbetween = [["leader"], ["broker-7"]]\n')


def test_partition_needs_between_and_no_target():
    """partition without between, or with a target, is refused."""
    assert "partition needs between" in error('[[events]]\naction = "partition"\nat.ms = 1\n')
    assert "partition takes between" in \
        error('[[events]]\naction = "partition"\nat.ms = 1\ntarget = "leader"\nbetween = [["leader"], ["producer"]]\n')


def test_heal_target_is_optional():
    """heal works on every link, or on one node's links."""
    text = '[[events]]\naction = "heal"\nat.ms = 1\n[[events]]\naction = "heal"\nat.ms = 2\ntarget = "broker-1"\n'
    assert [e.target for e in events(text)] == [None, "broker-1"]


def test_events_as_a_plain_table():
    """[events] instead of [[events]] says how to write it."""
    assert error('[events]\naction = "heal"\n') == \
        "<string>: [events]: write each event as its own [[events]] table"


def test_heal_target_is_a_node_name():
    """heal acts on one node's links, so it takes a node name, not a role such as leader."""
    assert 'heal takes a node name such as broker-1, not the role "leader"' in \
        error('[[events]]\naction = "heal"\nat.ms = 1\ntarget = "leader"\n')
