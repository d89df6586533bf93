"""Text mode's `do>` takes the app's failure keys and plain words as well as the engine's action names."""

import pytest

from tutor.lessons.answers import parse_action


@pytest.mark.parametrize("typed, action, target", [
    ("L", "power-loss", "leader"), ("K", "crash", "leader"), ("kill the leader", "crash", "leader"),
    ("power loss broker-2", "power-loss", "broker-2"), ("outage", "power-loss", "all-brokers"),
    ("E", "processing-error", "consumer"), ("C", "crash", "consumer"), ("H", "heal", None),
    ("power-loss leader", "power-loss", "leader"), ("crash producer", "crash", "producer"),
])
def test_keys_and_words_name_the_same_actions(typed, action, target):
    """The key a learner knows from the app, or a plain phrase, is the engine's action."""
    a = parse_action(typed)
    assert (a.action, a.target) == (action, target)


def test_zombie_key_cuts_the_leader_off():
    """Z, as in the app: the leader cut off from the followers and the controller."""
    a = parse_action("Z")
    assert a.action == "partition" and a.params["between"] == [["leader"], ["followers", "controller"]]


def test_unknown_words_still_list_the_actions():
    """Anything else is refused with the list of actions."""
    with pytest.raises(ValueError, match="actions are"):
        parse_action("dance")
