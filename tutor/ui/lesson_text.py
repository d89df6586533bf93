"""What the lesson panel says, as Rich text: the learner's answer, the verdict, the engine's truth."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text

from tutor.lessons import Question, Verdict
from tutor.lessons.ids import show_ids
from tutor.lessons.judge import letter

from .settings import show


def answer_words(q: Question, answer: Any) -> str:
    """The learner's answer as they would say it."""
    if q.kind == "choice":
        return f"{letter(answer)}) {q.choices[answer].text}"
    if q.kind == "pick":
        return show_ids(answer)
    if q.kind == "challenge":
        return ", ".join(f"{k} = {show(v)}" for k, v in answer.items()) or "(no change)"
    return f"{answer:g}" if isinstance(answer, float) else str(answer)


def verdict_head(v: Verdict) -> Text:
    """" RIGHT ", " NOT QUITE ", " NOT YET: TRY AGAIN " or " SHOWN ", loud in its colour."""
    if v.shown:
        return Text(" SHOWN ", style="bold reverse blue")
    if v.correct:
        return Text(" RIGHT ", style="bold reverse green")
    if not v.final:
        return Text(" NOT YET: TRY AGAIN ", style="bold reverse yellow")
    return Text(" NOT QUITE ", style="bold reverse red")


def verdict_view(v: Verdict, q: Question, answer: Any = None) -> RenderableType:
    """The verdict, the learner's answer, the engine's truth, par and best, the explanation, the run's end."""
    head = verdict_head(v)
    if answer is not None and not v.shown:
        head.append(f"  your answer: {answer_words(q, answer)}", style="dim")
    parts: list[RenderableType] = [head, Text(f"The engine says: {v.truth}", style="bold")]
    parts += [Text(n) for n in v.notes if n not in v.truth]
    if v.best is not None:
        parts.append(Text(f"your best: {v.best:g}", style="cyan"))
    if v.final:
        parts.append(Markdown(v.explanation))
    if v.played_line():
        parts.append(Text(v.played_line(), style="dim"))
    return Group(*parts)
