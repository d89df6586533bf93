"""Every key of the sandbox in one table: bindings, the footer, the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from .failures import FAILURES


@dataclass(frozen=True)
class Key:
    """One key: what it runs, its footer label and its help line."""

    keys: str          # Textual key names, comma-separated
    action: str        # the screen action it runs
    label: str         # short footer text
    help: str          # one line for the help screen and the command palette
    group: str
    show: bool = False  # in the footer (when it matters now)
    display: str | None = None


TIME = (
    Key("space", "toggle_play", "play", "play or pause time", "time", True),
    Key("n", "step", "step", "pause and run to the next event", "time"),
    Key("left", "scrub(-1)", "scrub", "scrub back (one second of screen time)", "time", True, "←→"),
    Key("right", "scrub(1)", "forward", "scrub forward (computing the future if needed)", "time"),
    Key("shift+left", "scrub(-10)", "back ×10", "scrub back ten times as far", "time"),
    Key("shift+right", "scrub(10)", "forward ×10", "scrub forward ten times as far", "time"),
    Key("home", "seek_start", "start", "jump to the start of the run", "time"),
    Key("end", "to_live", "live", "jump back to the present (leave the replay)", "time", True),
    Key("minus", "slower", "speed", "slow time down", "time", True, "-+"),  # one footer entry for both
    Key("plus,equals_sign", "faster", "faster", "speed time up", "time", False, "+"),
    Key("a", "toggle_fast", "fast-forward", "fast-forward quiet waits (a session or request timeout) on or off",
        "time"),
    Key("ctrl+r", "restart", "restart", "restart the scenario (your changes and failures are dropped)",
        "time"),
    Key("number_sign", "seed", "seed", "restart with another seed (#)", "time", False, "#"),
)
VIEW = (
    Key("o", "toggle_controls", "settings", "show or hide the settings panel", "view", True),
    Key("i", "inspect", "inspect", "inspect a record by its number (or click its token)", "view"),
    Key("f", "report", "final", "final report: what is lost for good if the run settles from here", "view"),
    Key("0", "select('leader')", "target leader", "aim node failures at the leader, whoever it is", "view"),
    *(Key(str(i), f"select('broker-{i}')", f"target broker-{i}", f"aim node failures at broker-{i}", "view")
      for i in range(1, 10)),
    Key("question_mark", "help", "help", "every key, the glyphs, and what the sandbox is", "view", True, "?"),
    Key("q", "app.quit", "quit", "quit tutor (ctrl+c works too), on every screen", "view", True),
)
PRESETS = (
    Key("s", "preset('no-loss')", "no-loss recipe",
        "the no-loss recipe: acks=all, enable.idempotence=true, min.insync.replicas=2, "
        "replication.factor=3, unclean off, commit after processing, enable.auto.commit=false", "settings"),
    Key("d", "preset('defaults')", "Kafka defaults",
        "Kafka's defaults for this client and version: Kafka and client properties only (brokers, "
        "replication.factor, version, clients, the workload and the application's modes kept)",
        "settings"),
)
FAIL = tuple(Key(f.key, f"fail('{f.name}')", f.label, f.help, "failures", f.key in "KLZRH")
             for f in FAILURES)

GROUP = (
    Key("m", "choose_member", "member", "aim the consumer-group keys at the next member (consumer-1, "
        "consumer-2, …; ▶ marks it in the group's box, a click on its name chooses it too)", "group"),
    Key("J", "member('join')", "join", "a new member (the next consumer-N) starts and joins the group: a rebalance",
        "group"),
    Key("G", "member('crash')", "kill member", "the chosen group member's application crashes; the group "
        "rebalances once its session times out", "group"),
    Key("M", "member('slow')", "slow member", "the chosen member's processing outlasts max.poll.interval.ms: "
        "it misses a poll, is removed from the group, and its next commit fails", "group"),
)

ALL = TIME + VIEW + PRESETS + FAIL + GROUP
GROUP_TITLES = {"time": "Time", "view": "View", "settings": "Settings", "failures": "Failures (capital letters)",
                "group": "Consumer group (a run with [consumer] instances > 1)"}
#: footer order: what matters most first, so a narrow footer keeps it (help and quit before the failures)
FOOTER_ORDER = ("toggle_play", "step", "scrub(-1)", "slower", "faster", "end", "toggle_controls", "help", "app.quit",
                "fail('crash')", "fail('power_loss')", "fail('zombie')", "fail('slow')", "fail('restart')",
                "fail('heal')", "inspect")


def bindings() -> list[Binding]:
    """Textual bindings for every key, footer ones first in FOOTER_ORDER."""
    rank = {a: i for i, a in enumerate(FOOTER_ORDER)}
    ordered = sorted(ALL, key=lambda k: rank.get(k.action, len(rank)))
    return [Binding(k.keys, k.action, k.label, show=k.show, key_display=k.display) for k in ordered]
