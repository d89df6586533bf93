"""The lesson screen's keys, the key that does what a step waits for, and what is locked, in words."""

from __future__ import annotations

from textual.binding import Binding

from tutor.lessons import LessonRun
from tutor.lessons.model import FAILURE_NAMES, SETTING_NAMES
from tutor.sim.spec import Action

from .failures import FAILURES
from .keys import Key

NAV = (
    Key("enter,right", "forward", "next", "next: skip to the end of a wait, or go on to the next step", "lesson",
        True, "⏎"),
    Key("left", "back", "back", "back to the start of the previous step", "lesson", True, "←"),
    Key("t", "contents", "contents", "table of contents: jump to any step", "lesson", True),
    Key("h", "hint", "hint", "a hint for the open question (another press: the next hint)", "lesson", True),
    Key("s", "show_me", "show me", "show me: do what the step waits for, or play the question's answer",
        "lesson", True),
    Key("escape", "leave", "lessons", "back to the lessons (your place is saved)", "lesson", True, "esc"),
)
TIME = (
    Key("space", "toggle_play", "play/pause", "pause or resume time (while a step lets it run)", "time"),
    Key("shift+left", "scrub(-1)", "look back", "scrub back to look at the past (the lesson waits)", "time"),
    Key("shift+right", "scrub(1)", "look forward", "scrub forward, up to the present", "time"),
    Key("end", "to_live", "live", "back to the present", "time"),
    Key("minus", "slower", "slower", "slow time down", "time", False, "-"),
    Key("plus,equals_sign", "faster", "faster", "speed time up", "time", False, "+"),
)
VIEW = (
    Key("o", "toggle_controls", "settings", "the settings (those the step leaves unlocked can change)", "view"),
    Key("i", "inspect", "inspect", "inspect a record by its number (or click its token)", "view"),
    Key("0", "select('leader')", "target leader", "aim node failures at the leader, whoever it is", "view"),
    *(Key(str(i), f"select('broker-{i}')", f"target broker-{i}", f"aim node failures at broker-{i}", "view")
      for i in range(1, 10)),
    Key("question_mark", "help", "help", "the lesson keys and the glyphs", "view", True, "?"),
)
FAIL = tuple(Key(f.key, f"fail('{f.name}')", f.label, f.help, "failures") for f in FAILURES)
ALL = NAV + TIME + VIEW + FAIL
GROUP_TITLES = {"lesson": "Lesson", "time": "Time", "view": "View", "failures": "Failures (when unlocked)"}

#: the failure key that fires an engine action on a role, as the step names it
ROLE_KEYS = {("power-loss", "all-brokers"): "D", ("crash", "producer"): "P", ("crash", "consumer"): "C",
             ("processing-error", "consumer"): "E", ("slow", "followers"): "S", ("heal", None): "H"}
#: the failure key of an action aimed at the selected node
NODE_KEYS = {"crash": "K", "power-loss": "L", "restart": "R", "slow": "S"}
#: engine action -> the failure keys that fire it
ACTION_KEYS = {"crash": ("K", "P", "C"), "power-loss": ("L", "D"), "restart": ("R",), "partition": ("Z", "X"),
               "heal": ("H",), "slow": ("S",), "processing-error": ("E",)}


def bindings() -> list[Binding]:
    """Textual bindings for every lesson key."""
    return [Binding(k.keys, k.action, k.label, show=k.show, key_display=k.display) for k in ALL]


def key_for(action: Action) -> str | None:
    """The keys a learner presses to do an action ("L", "2 then K"), or None when no key does it."""
    if action.action == "partition":
        between = action.params.get("between")
        return {(("leader",), ("followers", "controller")): "Z", (("producer",), ("leader",)): "X"}.get(
            tuple(tuple(side) for side in between or ()))
    if (action.action, action.target) in ROLE_KEYS:
        return ROLE_KEYS[(action.action, action.target)]
    key = NODE_KEYS.get(action.action)
    if key is None:
        return None
    if action.target in (None, "leader"):
        return key
    if action.target.startswith("broker-"):
        return f"{action.target.split('-')[-1]} then {key}"
    return None


def locks_line(run: LessonRun) -> str:
    """What the step leaves locked, in words ("" when nothing is): "failure keys locked except crash (K P C)"."""
    free = [n for n in FAILURE_NAMES if not run.locked(n)]
    settings = [n for n in SETTING_NAMES if run.locked(n)]
    parts = []
    if len(free) < len(FAILURE_NAMES):
        unlocked = ", ".join(f"{n} ({' '.join(ACTION_KEYS[n])})" for n in free)
        parts.append("failure keys" + (f" except {unlocked}" if free else ""))
    if len(settings) == len(SETTING_NAMES):
        parts.append("settings")
    elif settings:
        parts.append(", ".join(settings))
    return f"locked in this step: {'; '.join(parts)}" if parts else ""
