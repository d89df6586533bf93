"""A lesson as plain data: its starting scenario and its steps, with waits and questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tutor.sim.config import SETTINGS
from tutor.sim.spec import ACTIONS, Action, Scenario

from .claims import Claim
from .conditions import Condition

#: lock names that stand for many controls
LOCK_GROUPS = ("all", "settings", "failures")
#: every failure or repair a learner can fire (the engine's action names)
FAILURE_NAMES = tuple(ACTIONS)
#: every setting a learner can change, as "section.key"
SETTING_NAMES = tuple(f"{s}.{k}" for s, k in SETTINGS)
QUESTION_KINDS = ("choice", "number", "pick", "challenge")

Change = tuple[str, str, Any]  # (section, key, value)


def split_name(name: str) -> tuple[str, str]:
    """"producer.acks" -> ("producer", "acks")."""
    section, _, key = name.partition(".")
    return section, key


@dataclass(frozen=True)
class Wait:
    """What ends a step's wait: time passing, a learner's action or setting, or a live condition."""

    kind: str                        # "ms" | "action" | "setting" | "until"
    ms: float = 0.0                  # ms: how long; until: give up after this long
    action: Action | None = None     # action: what the learner must do (show me does it)
    setting: str | None = None       # setting: "section.key" ...
    value: Any = None                # ... and the value it must reach
    until: Condition | None = None
    prompt: str = ""

    @property
    def plays(self) -> bool:
        """Does time run during this wait (rather than stand still until the learner acts)?"""
        return self.kind in ("ms", "until")


@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice question, with the claim the engine checks."""

    text: str
    claim: Claim
    correct: bool = False
    feedback: str = ""  # what a learner who picks this (wrong) choice is told about that misconception


@dataclass(frozen=True)
class Par:
    """A challenge's target: the best value of a measure (lower is better) that still meets the goal."""

    measure: str
    value: float
    tolerance: float = 0.5
    candidates: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """A prediction (choice, number, pick) or a challenge, asked at a decision point."""

    id: str
    kind: str
    prompt: str
    explanation: str
    hints: tuple[str, ...] = ()
    then: tuple[Action, ...] = ()    # what happens after the decision point (times relative to it)
    after_ms: float | None = None    # measure the live run this long after the decision, not the end
    choices: tuple[Choice, ...] = ()
    measure: str | None = None
    answer: Any = None
    tolerance: float = 0.0
    unit: str = ""
    goal: Claim | None = None
    allowed: tuple[str, ...] = ()
    changes: int = 1
    apply: str = "now"               # challenge: "now" (at the decision point) or "start" (from the start)
    solution: dict[str, Any] = field(default_factory=dict)
    par: Par | None = None

    @property
    def correct_choice(self) -> int:
        """Index of the keyed choice (choice questions)."""
        return next(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Step:
    """One step: narration, then settings, locks and events on entry, a wait, and maybe a question."""

    title: str
    narration: str
    settings: tuple[Change, ...] = ()
    lock: tuple[str, ...] = ()
    unlock: tuple[str, ...] = ()
    events: tuple[Action, ...] = ()  # times relative to the step's start
    restart: bool = False            # the run starts over from 0 ms with the settings so far
    wait: Wait | None = None
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    """A lesson file, checked."""

    id: str
    title: str
    teaches: str
    prerequisites: tuple[str, ...]
    scenario: Scenario
    steps: tuple[Step, ...]
    path: str = "<memory>"
    labs: tuple[str, ...] = ()  # labs that reproduce this lesson's losses with the real client

    def questions(self) -> list[tuple[int, Question]]:
        """(step index, question) in order."""
        return [(i, s.question) for i, s in enumerate(self.steps) if s.question is not None]
