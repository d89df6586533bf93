"""The learner's prediction for a lab case (the record ids that will be lost), read and scored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from tutor.lessons.ids import id_spans, parse_ids, show_ids

from .catalog import Case

QUESTION = "Your prediction: which record ids will be lost? (e.g. 3-7, 12, or none; Enter to skip) "
NOTHING = ("none", "nothing", "no", "0 lost")
#: the example in messages is no lab's answer, so a mistyped prediction does not get one for free
EXAMPLE = "write record ids such as 3-7, 12, or none"


def parse_prediction(text: str, case: Case) -> frozenset[int]:
    """"3-7, 12" or "none" -> the ids the learner says will be lost; ValueError naming what is allowed."""
    text = text.strip()
    if text.lower() in NOTHING:
        return frozenset()
    try:
        spans = id_spans(text)  # the form only; ids past the case's records are refused below
    except ValueError:
        spans = []
    if not spans:
        raise ValueError(EXAMPLE)
    return parse_ids(text, limit=case.run.messages)


def ask(case: Case, read: Callable[[str], str | None], say: Callable[[str], None]) -> frozenset[int] | None:
    """Ask until the answer reads; None when the learner skips (Enter) or the input ends."""
    while True:
        line = read(QUESTION)
        if line is None or not line.strip():
            return None
        try:
            return parse_prediction(line, case)
        except ValueError as err:
            say(f"{err}; try again")


@dataclass(frozen=True)
class Score:
    """A prediction of lost ids scored against what was lost."""

    right: frozenset[int]
    missed: frozenset[int]
    extra: frozenset[int]

    @property
    def exact(self) -> bool:
        """Exactly the ids that were lost, no more, no fewer."""
        return not self.missed and not self.extra

    def words(self) -> str:
        """"exact" or "3 of 5 right; missed 28-29; extra 30"."""
        if self.exact:
            return "exact"
        lost = len(self.right) + len(self.missed)
        parts = [f"{len(self.right)} of {lost} right" if lost else "nothing was lost"]
        if self.missed:
            parts.append(f"missed {show_ids(self.missed)}")
        if self.extra:
            parts.append(f"extra {show_ids(self.extra)}")
        return "; ".join(parts)


def score(guess: Iterable[int], lost: Iterable[int]) -> Score:
    """Which guessed ids were lost, which lost ids were not guessed, which guessed ids were not lost."""
    guess, lost = frozenset(guess), frozenset(lost)
    return Score(guess & lost, lost - guess, guess - lost)
