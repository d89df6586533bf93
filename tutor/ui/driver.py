"""The sandbox's hold on a Session: time, failures, settings and presets; no Kafka rules of its own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

from tutor.sim.config import SECTIONS, build_config, check_config
from tutor.sim.session import Session
from tutor.sim.simulation import Simulation
from tutor.sim.snapshot import Snapshot
from tutor.sim.spec import Scenario

from .clock import Clock, DEFAULT_SPEED
from .failures import BY_NAME, LEADER
from .frame import Frame, Losses, Mark
from .ghosts import Ghosts
from . import members
from .settings import CONTROLS, KEEP_ON_DEFAULTS, NO_LOSS, RESTART_ONLY, derived_note, kafka_value

GHOST_WALL_S = 4.0   # a lost record stays drawn where it died for this long on screen
EVENT_TAIL = 200     # event lines handed to the log
MARK_KINDS = ("failure", "repair", "setting", "recovery")

Key = tuple[str, str]


@dataclass
class Outcome:
    """What a settings change did: applied live, restarted the scenario, or refused (and why)."""

    ok: bool
    lines: list[str]
    restarted: bool = False


class Driver:
    """Owns the session and the UI-side state (clock, selection, ghosts); builds Frames."""

    def __init__(self, scenario: Scenario, seed: int | None = None, playing: bool = True,
                 speed: float = DEFAULT_SPEED) -> None:
        self.scenario = scenario
        self.session = Session(scenario, seed, auto_finish=False)
        self.clock = Clock(playing, speed)
        self.selected = LEADER
        self.member: str | None = None  # the group member the group keys aim at (None: the first up)
        self.inspected: int | None = None
        self.ghosts = Ghosts()
        self._memo: dict[str, tuple[Any, Any]] = {}
        self.snap: Snapshot = self.session.frames[-1]

    # --- time ---------------------------------------------------------------------------
    def toggle_play(self) -> bool:
        """Play or pause; returns whether it now plays."""
        self.clock.playing = not self.clock.playing
        return self.clock.playing

    def step(self) -> None:
        """Pause and run to the next event."""
        self.clock.playing = False
        self.snap = self.session.step()

    def seek(self, t: float) -> None:
        """Show time t (recorded frames in the past, computed beyond the horizon)."""
        self.snap = self.session.seek(t)

    def scrub(self, delta_ms: float) -> None:
        """Move the cursor by delta_ms (negative: back)."""
        self.seek(self.session.cursor + delta_ms)

    def scrub_step_ms(self) -> float:
        """What one ←/→ press moves: one second of screen time at the current speed."""
        return 1000.0 * self.clock.speed

    def to_live(self) -> None:
        """Jump to the present (the horizon)."""
        self.seek(self.session.horizon)

    def restart(self, seed: int | None = None, scenario: Scenario | None = None) -> None:
        """Start over (another seed or scenario if given); the learner's failures and live changes are dropped."""
        if scenario is not None:
            self.scenario = scenario
        self.session.restart(seed, scenario)
        self._forget()
        self.snap = self.session.frames[-1]

    def _forget(self) -> None:
        """Drop caches that belong to one future of the run."""
        self.ghosts.reset()
        self._memo.clear()

    # --- failures -------------------------------------------------------------------------
    def select(self, target: str) -> None:
        """Aim the node keys at a node ("leader" follows whoever leads)."""
        self.selected = target

    def fail(self, name: str) -> list[str]:
        """Fire a failure key now (forks a new future when scrubbed back); the engine's words back."""
        was_live = self.session.live
        lines: list[str] = []
        for action in BY_NAME[name].build(self.selected, self.snap):
            lines += self.session.apply(action)
        self._after_change(was_live)
        return lines or ["nothing to do: every node is already running"]

    def choose_member(self) -> str:
        """m: aim the group keys at the next member (NoGroup, one line, where there is no group)."""
        self.member = members.next_member(self.snap, self.member)
        return self.member

    def group_action(self, name: str) -> list[str]:
        """A group key ("join", "crash", "slow") now; the engine's words back. NoGroup (a ValueError)
        when the run has no group to act on, before anything is applied."""
        actions = members.ACTIONS[name](self.snap, self.member)
        known = set(members.member_names(self.snap)) | set(getattr(self.session.sim, "nodes", {}))
        for action in actions:  # checked before anything is applied: a refused action leaves no trace
            members.check_known(action, known, self.snap)
        was_live = self.session.live
        lines: list[str] = []
        for action in actions:
            lines += self.session.apply(action)
        self._after_change(was_live)
        return lines or [f"{name}: nothing happened"]

    def _after_change(self, was_live: bool) -> None:
        """After an intervention: a fork replaced the future, so caches of the old one go."""
        if not was_live:
            self._memo.clear()
        self.snap = self.session.frames[-1]

    # --- settings -------------------------------------------------------------------------
    def config(self) -> dict[str, dict[str, Any]]:
        """The settings in force at the cursor."""
        return self.snap.config

    def given(self) -> dict[str, dict[str, Any]]:
        """What the learner and the scenario set explicitly, as of the cursor (the rest are defaults)."""
        return self.session.given()

    def change(self, changes: dict[Key, Any], drop: set[Key] = frozenset()) -> Outcome:
        """Set some keys (and forget others); derived settings follow; start-only keys restart the run."""
        given = self.given()
        for (section, key), value in changes.items():
            given.setdefault(section, {})[key] = value
        for section, key in drop:
            given.get(section, {}).pop(key, None)
        new = build_config(given)
        problems = check_config(new, given)
        if problems:
            section, key, message = problems[0]
            return Outcome(False, [f"refused: {key} {message}"])
        diff = self._diff(new)
        if not diff:
            return Outcome(True, ["no change"])
        if any((s, k) in RESTART_ONLY for s, k, _ in diff):
            return self._restart_with(given, diff)
        return self._apply_live(diff, set(changes))

    def _diff(self, new: Any) -> list[tuple[str, str, Any]]:
        """Keys whose value differs between the settings in force and `new`."""
        old = self.config()
        out = []
        for section in SECTIONS:
            values = getattr(new, section)
            if values is None:
                continue
            out += [(section, k, v) for k, v in values.items() if old.get(section, {}).get(k, v) != v]
        return out

    def _apply_live(self, diff: list[tuple[str, str, Any]], asked: set[Key]) -> Outcome:
        """Change settings now, through the session (forking when scrubbed back)."""
        was_live = self.session.live
        lines = []
        for section, key, value in diff:
            self.session.set(section, key, value, derived=(section, key) not in asked)
            why = "" if (section, key) in asked else f" ({derived_note(section, key, value, self.config(), diff)})"
            lines.append(f"{key} = {kafka_value(value)}{why}")
        self._after_change(was_live)
        return Outcome(True, lines)

    def _restart_with(self, given: dict[str, dict[str, Any]], diff: list) -> Outcome:
        """Start-only settings: restart the scenario with every change folded into it."""
        names = ", ".join(f"{k} = {kafka_value(v)}" for s, k, v in diff if (s, k) in RESTART_ONLY)
        self.restart(scenario=dataclasses.replace(self.scenario, given=given))
        return Outcome(True, [f"{names} only applies at start: the scenario restarted "
                              "(your settings kept, failures dropped)"], restarted=True)

    def preset(self, name: str) -> Outcome:
        """"no-loss": the no-loss recipe; "defaults": Kafka's defaults (cluster shape and clients kept)."""
        if name == "no-loss":
            recipe = self._present(NO_LOSS)
            if self.config()["cluster"]["brokers"] < NO_LOSS[("topic", "replication.factor")]:
                recipe[("cluster", "brokers")] = NO_LOSS[("topic", "replication.factor")]  # room for RF=3
            return self.change(recipe)
        keys = {(c.section, c.key) for c in CONTROLS.values()} - KEEP_ON_DEFAULTS
        defaults = {k: self._default(*k) for k in keys if k[0] in self.config()}
        return self.change({k: v for k, v in defaults.items() if v is not _ABSENT})

    def _present(self, values: dict[Key, Any]) -> dict[Key, Any]:
        """Only the keys whose section exists in this run (no consumer: no consumer keys)."""
        cfg = self.config()
        return {k: v for k, v in values.items() if cfg.get(k[0]) is not None}

    def _default(self, section: str, key: str) -> Any:
        """The default of a key for the client and version in force (absent for the other client)."""
        cfg = self.config()
        client = (cfg.get(section) or {}).get("client", "java")
        setting = CONTROLS[f"{section}.{key}"].setting
        if client not in setting.clients or cfg.get(section) is None:
            return _ABSENT
        return setting.default_for(client, cfg["cluster"]["kafka.version"])

    def defaults(self) -> dict[str, Any]:
        """Each visible control's default for the client and Kafka version in force."""
        out = {}
        for ident, c in CONTROLS.items():
            value = self._default(c.section, c.key)
            if value is not _ABSENT:
                out[ident] = value
        return out

    def settle_copy(self) -> "Settle":
        """What settles a copy of the run from the cursor (heal, restart, drain) into a Report."""
        s = self.session
        if s.live:
            copy = s.sim.checkpoint()  # copied here, on the UI thread, so playing on is safe
            return Settle(s.cursor, True, lambda: copy)
        t = s.cursor
        return Settle(t, False, lambda: s.copy_at(t))

    # --- frames ---------------------------------------------------------------------------
    def frame(self) -> Frame:
        """The picture at the cursor, for the widgets."""
        snap = self.snap
        ledger = self.session.sim.ledger
        told = ledger.told
        t = snap.t

        def acked(rid: int) -> bool:
            """Had the producer been told this record was written, by this frame's time?"""
            x = told[rid] if rid < len(told) else None
            return x is not None and x[0] == "acked" and x[1] <= t

        sim = self.session.sim
        self.ghosts.refresh((id(sim), len(ledger.events)), ledger.batches,
                            (id(sim), snap.counts["lost_at_producer"]), sim.now)
        ghosts = self.ghosts.at(snap, GHOST_WALL_S * 1000.0 * self.clock.speed)
        return Frame(snap, self.session.cursor, self.session.horizon, self.session.live, self.clock.playing,
                     self.clock.speed, self.session.sim.seed, self.scenario.title, self.selected, ghosts,
                     acked, self._losses(snap, acked), ledger.events[max(0, snap.events_seen - EVENT_TAIL):
                                                                     snap.events_seen],
                     self._marks(), self.inspected, member=members.chosen(snap, self.member))

    def _cached(self, name: str, key: Any, compute) -> Any:
        """A value recomputed only when its key changes."""
        old = self._memo.get(name)
        if old is not None and old[0] == key:
            return old[1]
        value = compute()
        self._memo[name] = (key, value)
        return value

    def _losses(self, snap: Snapshot, acked) -> Losses:
        """The loss ledger's figures, as the snapshot counts them at its time."""
        c = snap.counts
        at_consumer = c["lost_at_consumer"]
        skipped_acked = c["lost_acked_skipped"]
        return Losses(c["sent"], c["acked"], c["lost"] + at_consumer, c["lost_acked"] + skipped_acked,
                      c["failed"], c["duplicated"], c["processed"] + c["duplicated"], c["lost_at_producer"],
                      c["lost_at_broker"], at_consumer)

    def _marks(self) -> list[Mark]:
        """Failures, repairs and setting changes for the timeline (recomputed as events arrive)."""
        events = self.session.sim.ledger.events
        return self._cached("marks", (id(self.session.sim), len(events)),
                            lambda: [Mark(e.t, e.kind, e.text) for e in events if e.kind in MARK_KINDS])


_ABSENT = object()


@dataclass
class Settle:
    """Settles a copy of the run from time t into a Report; call it off the UI thread (it can take a while)."""

    t: float
    live: bool                      # t is the present (else a point the learner scrubbed back to)
    start: Callable[[], Simulation]  # builds the copy at t

    def __call__(self) -> Any:
        """Final recovery on the copy, run to the end, the report."""
        sim = self.start()
        sim.auto_finish = True
        sim.stop_workload()  # settle what was sent: the application stops sending at t
        return sim.run_to_end()
