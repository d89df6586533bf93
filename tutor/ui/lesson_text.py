"""What the lesson panel says, as Rich text: the learner's answer, the verdict, the engine's truth."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text

from tutor.lessons import Question, Verdict
from tutor.lessons.ids import show_ids
from tutor.lessons.judge import letter
from tutor.lessons.measures import amount, unit_of

from .settings import show


def answer_words(q: Question, answer: Any) -> str:
    """The learner's answer as they would say it."""
    if q.kind == "choice":
        return f"{letter(answer)}) {q.choices[answer].text}"
    if q.kind == "pick":
        return show_ids(answer)
    if q.kind == "challenge":
        return ", ".join(f"{k} = {show(v)}" for k, v in answer.items()) or "(no change)"
    return amount(answer, q.unit or unit_of(q.measure or "")) if isinstance(answer, (int, float)) else str(answer)


def verdict_head(v: Verdict) -> Text:
    """" RIGHT ", " NOT QUITE ", " NOT YET: TRY AGAIN " or " SHOWN ", loud in its colour."""
    if v.shown:
        return Text(" SHOWN ", style="bold reverse blue")
    if v.correct:
        return Text(" RIGHT ", style="bold reverse green")
    if not v.final:
        return Text(" NOT YET: TRY AGAIN ", style="bold reverse yellow")
    return Text(" NOT QUITE ", style="bold reverse red")


def verdict_view(v: Verdict, q: Question, answer: Any = None, played: str | None = None) -> RenderableType:
    """The verdict, the learner's answer, the engine's truth, par and best, the explanation, the run's end."""
    head = verdict_head(v)
    if answer is not None and not v.shown:
        head.append(f"  your answer: {answer_words(q, answer)}", style="dim")
    parts: list[RenderableType] = [head, Text(f"The engine says: {v.truth}", style="bold")]
    parts += [Text(n) for n in v.notes if n not in v.truth]
    if v.best is not None:
        unit = unit_of(q.par.measure) if q.par else ""
        parts.append(Text(f"your best: {amount(v.best, unit)}", style="cyan"))
    if v.final:
        parts.append(Markdown(v.explanation))
    if played:
        parts.append(Text(played, style="dim"))  # the run's end, without what a later question asks
    return Group(*parts)
