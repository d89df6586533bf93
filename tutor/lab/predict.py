"""The learner's prediction for a lab case (the record ids that will be lost), read and scored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from tutor.lessons.ids import id_spans, parse_ids, show_ids

from .catalog import Case
from .outcome import Outcome, shape

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


@dataclass(frozen=True)
class GroupScore:
    """A prediction for a group case: scored by how many were lost and where (member, offsets), and by ids.

    Which of the killed member's partitions its first fetch brings varies from run to run, so naming the
    right ids is partly luck; the count and the place are what the case teaches."""

    count: int                         # how many the learner said
    lost: int                          # how many were lost
    where_right: bool                  # the same offsets of the same members' partitions (numbers aside)
    ids: Score

    @property
    def exact(self) -> bool:
        """The right number lost, at the right offsets of the right member's partitions."""
        return self.count == self.lost and self.where_right

    def words(self) -> str:
        """"count and place right (2 lost: offsets 8-9 ...); ids: 0 of 2 right; missed 19-20; extra 25-26"."""
        count = "count right" if self.count == self.lost else f"count wrong (you said {self.count}, {self.lost} lost)"
        where = "place right" if self.where_right else "place wrong"
        return f"{count}, {where}; ids: {self.ids.words()}"


def group_score(guess: Iterable[int], real: Outcome) -> GroupScore:
    """Score a group case's guess against the real run, by count and place first, then by ids."""
    guess = frozenset(guess)
    fates = [replace(r, by=() if r.id in guess else ("x",)) for r in real.records]
    said = replace(real, records=fates, lost=sorted(guess), duplicated=[])
    return GroupScore(len(guess), len(real.lost), _lost_places(said) == _lost_places(real), score(guess, real.lost))


def _lost_places(outcome: Outcome) -> tuple:
    """Per member, the lost offsets of each of its partitions, the partitions' numbers left out."""
    return tuple((member, tuple(sorted(lost for lost, _ in rows))) for member, rows in shape(outcome))


def score(guess: Iterable[int], lost: Iterable[int]) -> Score:
    """Which guessed ids were lost, which lost ids were not guessed, which guessed ids were not lost."""
    guess, lost = frozenset(guess), frozenset(lost)
    return Score(guess & lost, lost - guess, guess - lost)
