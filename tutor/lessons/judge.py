"""Judging answers against the engine: what is true in the played-out run, and whether the learner said it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ids import show_ids
from .measures import WORDS, words  # noqa: F401  (words is part of this module's interface)
from .model import Question


def letter(i: int) -> str:
    """0 -> "A"."""
    return chr(ord("A") + i)


@dataclass
class Verdict:
    """What the engine says about an answer."""

    correct: bool
    truth: str                       # the engine's answer, in words
    explanation: str
    value: Any = None                # the engine's figure, id set, or which choices hold
    final: bool = True               # False: a challenge attempt that failed; try again
    shown: bool = False              # the answer came from "show me"
    metric: float | None = None      # challenge: the par measure of this attempt
    par: float | None = None
    best: float | None = None        # challenge: the learner's best so far
    notes: list[str] = field(default_factory=list)
    outcome: Any = None              # the run played out (an Outcome), when judged on the end

    def played_line(self) -> str | None:
        """The played-out run in one line ("played to the end: sent 60 · acked 60 · ..."), once final."""
        if self.outcome is None or not self.final:
            return None
        s = self.outcome.report.summary
        return (f"played to the end: sent {s['sent']} · acked {s['acked']} · lost {s['lost']} "
                f"(acked {s['lost_acked']}) · duplicates {s['duplicates']}")


def truth_of(q: Question, view: Any) -> Any:
    """The engine's answer to a prediction question on a played-out run (or a live view)."""
    if q.kind == "choice":
        return tuple(c.claim.holds(view) for c in q.choices)
    if q.kind == "pick":
        return view.ids(q.measure)
    return view.value(q.measure)


def is_right(q: Question, truth: Any, answer: Any) -> bool:
    """Does an answer match the engine's truth?"""
    if q.kind == "choice":
        return isinstance(answer, int) and 0 <= answer < len(truth) and truth[answer]
    if q.kind == "pick":
        return frozenset(answer) == truth
    return abs(float(answer) - float(truth)) <= q.tolerance


def truth_text(q: Question, truth: Any) -> str:
    """The engine's answer in words."""
    if q.kind == "choice":
        held = [f"{letter(i)}) {c.text}" for i, c in enumerate(q.choices) if truth[i]]
        return " / ".join(held) if held else "none of the choices holds in this run"
    if q.kind == "pick":
        return f"{words(q.measure)}: {show_ids(truth)}"
    unit = q.unit or ("ms" if q.measure.endswith(".ms") else "")
    return f"{words(q.measure)}: {_num(truth)}{' ' + unit if unit else ''}"


def _num(x: Any) -> str:
    """A figure without a needless ".0"."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def key_matches(q: Question, truth: Any) -> str | None:
    """Does the lesson's answer key agree with the engine? None if it does, else why not."""
    if q.kind == "choice":
        held = [i for i, h in enumerate(truth) if h]
        if held == [q.correct_choice]:
            return None
        if not held:
            return f"no choice holds in the engine's run (the key says {letter(q.correct_choice)})"
        return (f"the key says {letter(q.correct_choice)} but the engine's run makes "
                f"{', '.join(letter(i) for i in held)} hold")
    if q.kind == "pick":
        return None if frozenset(q.answer) == truth else (
            f"the key says {show_ids(q.answer)} but the engine's {q.measure} is {show_ids(truth)}")
    if abs(float(q.answer) - float(truth)) <= q.tolerance:
        return None
    return f"the key says {_num(q.answer)} but the engine's {q.measure} is {_num(truth)}"


def wrong_answer(q: Question) -> Any:
    """An answer the key says is wrong (for tests and for checking that a question can be failed)."""
    if q.kind == "choice":
        return next(i for i, c in enumerate(q.choices) if not c.correct)
    if q.kind == "pick":
        ids = set(q.answer)
        return frozenset(ids - {min(ids)}) if ids else frozenset({0})
    if q.kind == "number":
        return q.answer + q.tolerance + 1
    return {}


def right_answer(q: Question) -> Any:
    """The key's answer, as a learner would submit it."""
    if q.kind == "choice":
        return q.correct_choice
    if q.kind == "challenge":
        return dict(q.solution)
    return q.answer


def choice_feedback(q: Question, answer: Any) -> list[str]:
    """The feedback of the choice a learner picked, when it has one (wrong choices name their misconception)."""
    if q.kind != "choice" or not isinstance(answer, int) or not 0 <= answer < len(q.choices):
        return []
    feedback = q.choices[answer].feedback
    return [feedback] if feedback else []
